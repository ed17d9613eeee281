import logging
import time

from odoo import api, fields, models
from odoo.addons.clientbase_crm.models.segmentation.clientbase_client_figures import STAGES
from odoo.addons.clientbase_crm.tools.sql_planning import analyze_if_stale
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)
# attempts to give a code to every client when random codes collide with existing ones
CODE_ATTEMPTS = 5


class ClientbaseLoyaltyCampaign(models.Model):
    """A promo campaign: one personal code (a ``loyalty.card`` of a coupon program, with its
    deadline) for each client of a segment and/or stage, generated set-based, and what the
    codes brought (counted from the confirmed orders that used them).

    Codes are redeemed through Odoo's own coupon entry on the quotation; a code past its
    deadline is refused by it.
    """

    _name = "clientbase.loyalty.campaign"
    _description = "Client Promo Campaign"
    _order = "id desc"

    name = fields.Char(required=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    program_id = fields.Many2one(
        "loyalty.program",
        string="Coupon Program",
        required=True,
        domain="[('program_type', '=', 'coupons'), ('company_id', 'in', [company_id, False])]",
        help="The coupon program whose reward the codes give (e.g. 10% on the order).",
    )
    segment_id = fields.Many2one(
        "clientbase.segment",
        help="The clients of this user-defined segment get a code (with a stage too: those of both).",
    )
    stage = fields.Selection(STAGES, help="The clients at this stage get a code.")
    expiration_date = fields.Date(
        string="Valid Until", required=True, help="The codes are refused after this day."
    )
    card_ids = fields.One2many(
        "loyalty.card", "clientbase_campaign_id", string="Personal Codes", readonly=True
    )
    generated_date = fields.Datetime(string="Codes Generated On", readonly=True)
    code_count = fields.Integer(string="Codes Sent", compute="_compute_results")
    redeemed_count = fields.Integer(string="Codes Redeemed", compute="_compute_results")
    redemption_rate = fields.Float(string="Redemption Rate (%)", compute="_compute_results", digits=(5, 1))
    redeemed_revenue = fields.Monetary(
        string="Revenue of Redeeming Orders",
        compute="_compute_results",
        help="Untaxed amount of the confirmed orders that used a code of the campaign.",
    )
    discount_cost = fields.Monetary(
        string="Discount Given", compute="_compute_results", help="Untaxed amount of the codes' reward lines."
    )

    @api.constrains("segment_id", "stage")
    def _check_audience(self):
        for campaign in self:
            if not campaign.segment_id and not campaign.stage:
                raise ValidationError(
                    self.env._("Choose the campaign's clients: a segment, a stage or both.")
                )

    @api.constrains("program_id", "company_id")
    def _check_program(self):
        for campaign in self:
            if campaign.program_id.program_type != "coupons":
                raise ValidationError(
                    self.env._("Personal codes are coupons: choose a program of the Coupons type.")
                )
            if campaign.program_id.company_id and campaign.program_id.company_id != campaign.company_id:
                raise ValidationError(self.env._("The coupon program must be of the campaign's company."))

    def _compute_results(self):
        results = self._get_results()
        for campaign in self:
            codes, redeemed, revenue, cost = results.get(campaign.id, (0, 0, 0.0, 0.0))
            campaign.code_count = codes
            campaign.redeemed_count = redeemed
            campaign.redemption_rate = 100.0 * redeemed / codes if codes else 0.0
            campaign.redeemed_revenue = revenue
            campaign.discount_cost = cost

    def _get_results(self):
        """{campaign id: (codes, codes redeemed, revenue of the redeeming orders, discount given)}:
        a code is redeemed when a confirmed order carries its reward line."""
        ids = [cid for cid in self.ids if cid]
        if not ids:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH used AS (
                    SELECT c.clientbase_campaign_id AS campaign_id, c.id AS card_id, l.order_id,
                           SUM(-l.price_subtotal) AS cost
                      FROM loyalty_card c
                      JOIN sale_order_line l ON l.coupon_id = c.id AND l.reward_id IS NOT NULL
                      JOIN sale_order o ON o.id = l.order_id AND o.state = 'sale'
                     WHERE c.clientbase_campaign_id = ANY(%(ids)s)
                     GROUP BY 1, 2, 3
                ),
                per_campaign AS (
                    SELECT u.campaign_id, COUNT(DISTINCT u.card_id) AS redeemed, SUM(u.cost) AS cost,
                           (SELECT SUM(o.amount_untaxed) FROM sale_order o
                             WHERE o.id IN (SELECT order_id FROM used x WHERE x.campaign_id = u.campaign_id))
                               AS revenue
                      FROM used u GROUP BY u.campaign_id
                )
                SELECT c.clientbase_campaign_id, COUNT(*), COALESCE(MAX(p.redeemed), 0),
                       COALESCE(MAX(p.revenue), 0), COALESCE(MAX(p.cost), 0)
                  FROM loyalty_card c
                  LEFT JOIN per_campaign p ON p.campaign_id = c.clientbase_campaign_id
                 WHERE c.clientbase_campaign_id = ANY(%(ids)s)
                 GROUP BY c.clientbase_campaign_id
                """,
                ids=ids,
            )
        )
        return {row[0]: (row[1], row[2], float(row[3]), float(row[4])) for row in self.env.cr.fetchall()}

    def _get_audience_query(self):
        """``SELECT partner_id`` of the campaign's clients: active commercial partners of the
        segment and/or at the stage in the campaign's company."""
        self.ensure_one()
        conditions = [SQL("p.active"), SQL("p.id = p.commercial_partner_id")]
        if self.segment_id:
            conditions.append(
                SQL(
                    "p.id IN (SELECT m.partner_id FROM clientbase_segment_member m WHERE m.segment_id = %s)",
                    self.segment_id.id,
                )
            )
        if self.stage:
            conditions.append(
                SQL(
                    "p.id IN (SELECT f.partner_id FROM clientbase_client_figures f"
                    " WHERE f.company_id = %s AND f.current_stage = %s)",
                    self.company_id.id,
                    self.stage,
                )
            )
        return SQL("SELECT p.id AS partner_id FROM res_partner p WHERE %s", SQL(" AND ").join(conditions))

    def _get_generate_query(self):
        """One ``INSERT ... SELECT``: a personal code for each client of the audience who has none
        of this campaign yet. Codes are 16 hexadecimal digits of a random UUID's digest (64 bits,
        not guessable from another code); one that collides with an existing code is skipped
        (``ON CONFLICT``) and given by the next attempt, as is a client served concurrently."""
        self.ensure_one()
        now = fields.Datetime.now()
        points = min(self.program_id.reward_ids.mapped("required_points") or [1.0])
        return SQL(
            """
            INSERT INTO loyalty_card
                   (program_id, company_id, partner_id, code, points, expiration_date, active,
                    clientbase_campaign_id, create_uid, create_date, write_uid, write_date)
            SELECT %(program)s, %(company)s, a.partner_id, upper(substr(md5(gen_random_uuid()::text), 1, 16)),
                   %(points)s, %(expiration)s, TRUE, %(campaign)s, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM (%(audience)s) a
             WHERE NOT EXISTS (SELECT 1 FROM loyalty_card c
                                WHERE c.clientbase_campaign_id = %(campaign)s AND c.partner_id = a.partner_id)
            ON CONFLICT DO NOTHING
            """,
            program=self.program_id.id,
            company=self.program_id.company_id.id or None,  # the card's company is its program's
            points=points,
            expiration=self.expiration_date,
            campaign=self.id,
            uid=self.env.uid,
            now=now,
            audience=self._get_audience_query(),
        )

    def action_generate_codes(self):
        """Give every client of the campaign's audience its personal code (once: a second run
        gives codes only to clients who joined the audience since)."""
        self.ensure_one()
        self.check_access("write")
        if self.expiration_date < fields.Date.context_today(self):
            raise UserError(
                self.env._("The campaign's validity date is past: codes would be refused at once.")
            )
        start = time.time()
        self.env.flush_all()
        created = 0
        for _attempt in range(CODE_ATTEMPTS):
            self.env.cr.execute(self._get_generate_query())
            created += self.env.cr.rowcount
            # the check below joins the cards just written: planned on the statistics of a table
            # without them, it read every card once per client (100,000 codes: 775 s, not 10 s)
            analyze_if_stale(self.env.cr, ["loyalty_card"], {"loyalty_card": self.env.cr.rowcount})
            self.env.cr.execute(
                SQL(
                    "SELECT COUNT(*) FROM (%s) a WHERE NOT EXISTS (SELECT 1 FROM loyalty_card c"
                    " WHERE c.clientbase_campaign_id = %s AND c.partner_id = a.partner_id)",
                    self._get_audience_query(),
                    self.id,
                )
            )
            if not self.env.cr.fetchone()[0]:
                break
        self.env["loyalty.card"].invalidate_model()
        self.invalidate_recordset()
        self.generated_date = fields.Datetime.now()
        _logger.info("Promo campaign %s: %s personal codes in %.2f s", self.id, created, time.time() - start)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s personal codes generated.", count=created),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_open_codes(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Personal Codes"),
            "res_model": "loyalty.card",
            "view_mode": "list,form",
            "domain": [("clientbase_campaign_id", "=", self.id)],
            "context": {"create": False},
        }
