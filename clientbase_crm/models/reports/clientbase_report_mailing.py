from odoo import api, fields, models
from odoo.tools import SQL

from ...tools.client_definition import internal_partner_sql
from ..mailing.mailing_trace import ORDER_ATTRIBUTION_DAYS
from ..segmentation.clientbase_client_figures import PERSONAS, RFM_SEGMENTS, WARMTH

RATIOS = {
    "open_rate": ("opened", "sent", 100),
    "click_rate": ("clicked", "sent", 100),
    "reply_rate": ("replied", "sent", 100),
    "order_rate": ("ordered", "sent", 100),
}


class ClientbaseReportMailing(models.Model):
    """What the mailings to clients brought, per mailing, month sent, manager and the clients'
    RFM segment, persona and warmth (their current ones): sent, opened, clicked, replied, and
    ordered within ``ORDER_ATTRIBUTION_DAYS`` of the sending (a confirmed order of the client
    carrying the mailing's UTM source). Rebuilt by the nightly job."""

    _name = "clientbase.report.mailing"
    _inherit = "clientbase.report.mixin"
    _description = "Mailing Responses Report"
    _order = "month desc, mailing_id"
    _log_access = False
    _rec_name = "mailing_id"
    _report_ratios = RATIOS

    month = fields.Date(string="Month Sent", required=True, readonly=True)
    mailing_id = fields.Many2one("mailing.mailing", readonly=True, ondelete="cascade")
    mailing_type = fields.Selection([("mail", "Email"), ("sms", "SMS")], readonly=True)
    rfm_segment = fields.Selection(RFM_SEGMENTS, string="RFM Segment", readonly=True)
    persona = fields.Selection(PERSONAS, readonly=True)
    warmth = fields.Selection(WARMTH, readonly=True)
    sent = fields.Integer(readonly=True)
    opened = fields.Integer(readonly=True)
    clicked = fields.Integer(readonly=True)
    replied = fields.Integer(readonly=True)
    ordered = fields.Integer(readonly=True, help=f"A confirmed order within {ORDER_ATTRIBUTION_DAYS} days.")
    open_rate = fields.Float(string="Open Rate (%)", digits=(16, 1), readonly=True, aggregator="avg")
    click_rate = fields.Float(string="Click Rate (%)", digits=(16, 1), readonly=True, aggregator="avg")
    reply_rate = fields.Float(string="Reply Rate (%)", digits=(16, 1), readonly=True, aggregator="avg")
    order_rate = fields.Float(string="Order Rate (%)", digits=(16, 1), readonly=True, aggregator="avg")

    @api.model
    def _refresh(self, company, today=None):
        _today, first_month = self._report_start(
            company, today, ("mailing.trace", "clientbase.client.figures")
        )
        self._report_write(
            company,
            SQL(
                """
            WITH traces AS (
                SELECT t.mass_mailing_id AS mailing_id, m.mailing_type, m.source_id, cp.id AS client_id,
                       cp.user_id, COALESCE(t.sent_datetime, t.create_date) AS sent_at,
                       (t.trace_status IN ('sent', 'open', 'reply') OR t.sent_datetime IS NOT NULL) AS sent,
                       (t.trace_status IN ('open', 'reply') OR t.open_datetime IS NOT NULL) AS opened,
                       t.links_click_datetime IS NOT NULL AS clicked,
                       (t.trace_status = 'reply' OR t.reply_datetime IS NOT NULL) AS replied
                  FROM mailing_trace t
                  JOIN mailing_mailing m ON m.id = t.mass_mailing_id
                  JOIN res_partner p ON p.id = t.res_id
                  JOIN res_partner cp ON cp.id = p.commercial_partner_id
                 WHERE t.model = 'res.partner' AND COALESCE(t.sent_datetime, t.create_date) >= %(first)s
                   AND COALESCE(cp.company_id, %(company)s) = %(company)s AND NOT %(internal)s
            )
            INSERT INTO clientbase_report_mailing (
                company_id, refreshed_at, month, mailing_id, mailing_type, user_id, rfm_segment, persona, warmth,
                sent, opened, clicked, replied, ordered, open_rate, click_rate, reply_rate, order_rate)
            SELECT %(company)s, %(refreshed_at)s, month, mailing_id, mailing_type, user_id, rfm_segment, persona, warmth,
                   sent, opened, clicked, replied, ordered,
                   100.0 * opened / NULLIF(sent, 0), 100.0 * clicked / NULLIF(sent, 0),
                   100.0 * replied / NULLIF(sent, 0), 100.0 * ordered / NULLIF(sent, 0)
              FROM (
                SELECT date_trunc('month', t.sent_at)::date AS month, t.mailing_id, t.mailing_type, t.user_id,
                       f.rfm_segment, COALESCE(f.persona, f.persona_suggested) AS persona,
                       f.current_warmth AS warmth,
                       COUNT(*) FILTER (WHERE t.sent) AS sent, COUNT(*) FILTER (WHERE t.opened) AS opened,
                       COUNT(*) FILTER (WHERE t.clicked) AS clicked, COUNT(*) FILTER (WHERE t.replied) AS replied,
                       COUNT(*) FILTER (WHERE t.source_id IS NOT NULL AND EXISTS (
                           SELECT 1 FROM sale_order so JOIN res_partner op ON op.id = so.partner_id
                            WHERE so.state = 'sale' AND so.source_id = t.source_id
                              AND op.commercial_partner_id = t.client_id AND so.date_order >= t.sent_at
                              AND so.date_order < t.sent_at + %(days)s * interval '1 day')) AS ordered
                  FROM traces t
                  LEFT JOIN clientbase_client_figures f ON f.partner_id = t.client_id AND f.company_id = %(company)s
                 GROUP BY 1, 2, 3, 4, 5, 6, 7
              ) cells
                """,
                company=company.id,
                internal=internal_partner_sql("cp"),
                refreshed_at=fields.Datetime.now(),
                first=first_month,
                days=ORDER_ATTRIBUTION_DAYS,
            ),
        )
