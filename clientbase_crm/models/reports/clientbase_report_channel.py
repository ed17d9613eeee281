import logging

from odoo import api, fields, models
from odoo.tools import SQL

from .clientbase_report_mixin import ORDERS_SQL

_logger = logging.getLogger(__name__)

ROI_MONTHS = 12  # the horizon of a channel's ROI: the revenue of its new clients within a year


def channel_of_sql(source, medium):
    """SQL: the active channel of a UTM ``source`` and ``medium`` (a channel naming the medium
    first, then by sequence), NULL when none matches."""
    return SQL(
        """(SELECT ch.id FROM clientbase_channel ch
              WHERE ch.active AND ch.source_id = %s AND (ch.medium_id IS NULL OR ch.medium_id = %s)
              ORDER BY ch.medium_id IS NULL, ch.sequence, ch.id LIMIT 1)""",
        source,
        medium,
    )


RATIOS = {
    "conversion": ("new_clients", "leads", 100),
    "average_check": ("revenue", "order_count", 1),
    "cac": ("cost", "new_clients", 1),
    "ltv": ("client_revenue_to_date", "new_clients", 1),
}


class ClientbaseReportChannel(models.Model):
    """Acquisition channels per month (``METRICS.md``): leads, new clients, conversion, orders,
    revenue and average check of the channel's clients, the revenue to date of the clients won
    that month (LTV), the month's cost, cost per client and ROI over ``ROI_MONTHS``. Rebuilt by the
    nightly job, which first fills the channel of the clients that have none from the UTM source
    and medium of their first lead, else of their first order."""

    _name = "clientbase.report.channel"
    _inherit = "clientbase.report.mixin"
    _description = "Acquisition Channel Report"
    _order = "month desc, channel_id"
    _log_access = False
    _rec_name = "channel_id"
    _report_ratios = RATIOS

    month = fields.Date(required=True, readonly=True)
    channel_id = fields.Many2one("clientbase.channel", readonly=True, ondelete="cascade")
    leads = fields.Integer(
        readonly=True, help="Leads and opportunities created in the month with the channel's UTM."
    )
    new_clients = fields.Integer(readonly=True)
    order_count = fields.Integer(string="Orders", readonly=True)
    revenue = fields.Float(digits=(16, 2), readonly=True)
    client_revenue_to_date = fields.Float(
        string="Revenue to Date of New Clients", digits=(16, 2), readonly=True
    )
    horizon_revenue = fields.Float(
        string="Revenue of New Clients within a Year", digits=(16, 2), readonly=True
    )
    cost = fields.Float(
        digits=(16, 2),
        readonly=True,
        help="The channel's cost of the month, shared among the managers by the new clients they won"
        " (on no manager when the channel won none).",
    )
    conversion = fields.Float(string="Conversion (%)", digits=(16, 1), readonly=True, aggregator="avg")
    average_check = fields.Float(digits=(16, 2), readonly=True, aggregator="avg")
    cac = fields.Float(string="Cost per Client", digits=(16, 2), readonly=True, aggregator="avg")
    ltv = fields.Float(string="LTV of New Clients", digits=(16, 2), readonly=True, aggregator="avg")
    roi = fields.Float(string="ROI (%)", digits=(16, 1), readonly=True, aggregator="avg")

    def _read_group_select(self, aggregate_spec, query):
        """ROI of a group: (its revenue within a year - its cost) / its cost."""
        if aggregate_spec.split(":")[0] == "roi":
            cost = self._field_to_sql(self._table, "cost", query)
            return SQL(
                "(100.0 * (SUM(%s) - SUM(%s)) / NULLIF(SUM(%s), 0))::float8",
                self._field_to_sql(self._table, "horizon_revenue", query),
                cost,
                cost,
            )
        return super()._read_group_select(aggregate_spec, query)

    @api.model
    def _fill_client_channels(self, company):
        """The channel of the company's clients that have none, from the UTM source (and medium,
        when the channel names one) of their first lead, else of their first order. Set-based."""
        self.env["res.partner"].flush_model()
        self.env["crm.lead"].flush_model()
        self.env["sale.order"].flush_model()
        self.env.cr.execute(
            SQL(
                """
            WITH firsts AS (
                SELECT DISTINCT ON (client_id) client_id, source_id, medium_id, campaign_id
                  FROM (
                    SELECT COALESCE(p.commercial_partner_id, l.partner_id) AS client_id, l.source_id, l.medium_id,
                           l.campaign_id, 0 AS rank, l.create_date AS at
                      FROM crm_lead l JOIN res_partner p ON p.id = l.partner_id
                     WHERE l.source_id IS NOT NULL AND l.company_id IS NOT DISTINCT FROM %(company)s
                    UNION ALL
                    SELECT p.commercial_partner_id, so.source_id, so.medium_id, so.campaign_id, 1, so.date_order
                      FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                     WHERE so.source_id IS NOT NULL AND so.state = 'sale' AND so.company_id = %(company)s
                  ) touches
                 ORDER BY client_id, rank, at
            ),
            matched AS (
                SELECT * FROM (SELECT f.*, %(channel)s AS channel_id FROM firsts f) m
                 WHERE channel_id IS NOT NULL
            )
            UPDATE res_partner p
               SET client_channel_id = m.channel_id,
                   client_source_id = COALESCE(p.client_source_id, m.source_id),
                   client_medium_id = COALESCE(p.client_medium_id, m.medium_id),
                   client_campaign_id = COALESCE(p.client_campaign_id, m.campaign_id)
              FROM matched m
             WHERE p.id = m.client_id AND p.client_channel_id IS NULL
                """,
                company=company.id,
                channel=channel_of_sql(SQL("f.source_id"), SQL("f.medium_id")),
            )
        )
        filled = self.env.cr.rowcount
        self.env["res.partner"].invalidate_model(
            ["client_channel_id", "client_source_id", "client_medium_id", "client_campaign_id"]
        )
        _logger.info(
            "Client base: %s clients got their acquisition channel from their first lead or order", filled
        )
        return filled

    @api.model
    def _refresh(self, company, today=None):
        self._fill_client_channels(company)
        today, first_month = self._report_start(company, today, ("crm.lead", "clientbase.channel.cost"))
        self._report_write(
            company,
            SQL(
                """
            WITH %(orders)s,
            clients AS (
                SELECT client_id, user_id, channel_id, date_trunc('month', MIN(day))::date AS month,
                       SUM(amount) AS revenue_to_date
                  FROM orders GROUP BY client_id, user_id, channel_id
            ),
            horizon AS (
                SELECT o.client_id, SUM(o.amount) AS horizon_revenue
                  FROM orders o JOIN clients c ON c.client_id = o.client_id
                 WHERE c.month >= %(first)s AND o.day < c.month + %(horizon)s * interval '1 month'
                 GROUP BY o.client_id
            ),
            won AS (
                SELECT c.user_id, c.channel_id, c.month, COUNT(*) AS new_clients,
                       SUM(c.revenue_to_date) AS client_revenue_to_date,
                       SUM(COALESCE(h.horizon_revenue, 0)) AS horizon_revenue
                  FROM clients c LEFT JOIN horizon h ON h.client_id = c.client_id
                 WHERE c.month >= %(first)s
                 GROUP BY 1, 2, 3
            ),
            sales AS (
                SELECT user_id, channel_id, date_trunc('month', day)::date AS month, COUNT(*) AS order_count,
                       SUM(amount) AS revenue
                  FROM orders WHERE day >= %(first)s GROUP BY 1, 2, 3
            ),
            leads AS (
                SELECT user_id, channel_id, month, COUNT(*) AS leads
                  FROM (SELECT l.user_id, %(lead_channel)s AS channel_id,
                               date_trunc('month', l.create_date)::date AS month
                          FROM crm_lead l
                         WHERE l.source_id IS NOT NULL AND l.company_id IS NOT DISTINCT FROM %(company)s
                           AND l.create_date::date >= %(first)s AND l.create_date::date <= %(today)s) matched
                 WHERE channel_id IS NOT NULL
                 GROUP BY 1, 2, 3
            ),
            channel_costs AS (
                SELECT channel_id, month, SUM(amount) AS cost
                  FROM clientbase_channel_cost
                 WHERE company_id = %(company)s AND month >= %(first)s GROUP BY 1, 2
            ),
            won_total AS (SELECT channel_id, month, SUM(new_clients) AS n FROM won GROUP BY 1, 2),
            costs AS (
                -- a manager's share of the month's cost of a channel: by the new clients won (so that
                -- a salesperson's cost per client is the company's); a month without a new client
                -- keeps its cost on no manager
                SELECT w.user_id, c.channel_id, c.month, c.cost * w.new_clients / t.n AS cost
                  FROM channel_costs c
                  JOIN won_total t ON t.channel_id = c.channel_id AND t.month = c.month AND t.n > 0
                  JOIN won w ON w.channel_id = c.channel_id AND w.month = c.month
                UNION ALL
                SELECT NULL::int, c.channel_id, c.month, c.cost
                  FROM channel_costs c
                 WHERE NOT EXISTS (SELECT 1 FROM won_total t
                                    WHERE t.channel_id = c.channel_id AND t.month = c.month AND t.n > 0)
            ),
            keys AS (
                SELECT user_id, channel_id, month FROM won
                UNION SELECT user_id, channel_id, month FROM sales
                UNION SELECT user_id, channel_id, month FROM leads
                UNION SELECT user_id, channel_id, month FROM costs
            )
            INSERT INTO clientbase_report_channel (
                company_id, refreshed_at, month, channel_id, user_id, leads, new_clients, order_count, revenue,
                client_revenue_to_date, horizon_revenue, cost, conversion, average_check, cac, ltv, roi)
            SELECT %(company)s, %(refreshed_at)s, k.month, k.channel_id, k.user_id, COALESCE(l.leads, 0),
                   COALESCE(w.new_clients, 0), COALESCE(s.order_count, 0), COALESCE(s.revenue, 0),
                   COALESCE(w.client_revenue_to_date, 0), COALESCE(w.horizon_revenue, 0), COALESCE(c.cost, 0),
                   100.0 * w.new_clients / NULLIF(l.leads, 0), s.revenue / NULLIF(s.order_count, 0),
                   c.cost / NULLIF(w.new_clients, 0), w.client_revenue_to_date / NULLIF(w.new_clients, 0),
                   100.0 * (COALESCE(w.horizon_revenue, 0) - c.cost) / NULLIF(c.cost, 0)
              FROM keys k
              LEFT JOIN won w ON w.month = k.month AND w.channel_id IS NOT DISTINCT FROM k.channel_id
                             AND w.user_id IS NOT DISTINCT FROM k.user_id
              LEFT JOIN sales s ON s.month = k.month AND s.channel_id IS NOT DISTINCT FROM k.channel_id
                               AND s.user_id IS NOT DISTINCT FROM k.user_id
              LEFT JOIN leads l ON l.month = k.month AND l.channel_id IS NOT DISTINCT FROM k.channel_id
                               AND l.user_id IS NOT DISTINCT FROM k.user_id
              LEFT JOIN costs c ON c.month = k.month AND c.channel_id IS NOT DISTINCT FROM k.channel_id
                               AND c.user_id IS NOT DISTINCT FROM k.user_id
                """,
                orders=SQL(ORDERS_SQL, company=company.id, today=today),
                lead_channel=channel_of_sql(SQL("l.source_id"), SQL("l.medium_id")),
                company=company.id,
                refreshed_at=fields.Datetime.now(),
                today=today,
                first=first_month,
                horizon=ROI_MONTHS,
            ),
        )
