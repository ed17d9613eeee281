from odoo import api, fields, models
from odoo.tools import SQL

from .clientbase_report_mixin import ORDERS_SQL

RATIOS = {
    "retention": ("retained", "cohort_size", 100),
    "cohort_ltv": ("cumulative_revenue", "cohort_size", 1),
    "revenue_per_client": ("revenue", "cohort_size", 1),
}


class ClientbaseReportCohort(models.Model):
    """Cohorts of clients by the month of their first order (``METRICS.md``): per cohort, month
    since (0 = the cohort's month) and manager, the cohort's size, its clients with an order in
    that month (retention) and its order amounts (cohort LTV: cumulated to that month, per client
    of the cohort). Rebuilt set-based by the nightly job, like the growth report."""

    _name = "clientbase.report.cohort"
    _inherit = "clientbase.report.mixin"
    _description = "Client Cohorts"
    _order = "cohort desc, months_since, user_id"
    _log_access = False
    _rec_name = "cohort"
    _report_ratios = RATIOS

    cohort = fields.Date(required=True, readonly=True, help="Month of the clients' first order.")
    months_since = fields.Integer(string="Months Since First Order", readonly=True, aggregator=False)
    cohort_size = fields.Integer(string="Clients in Cohort", readonly=True)
    retained = fields.Integer(string="Clients Who Ordered", readonly=True)
    revenue = fields.Float(string="Revenue in the Month", digits=(16, 2), readonly=True)
    cumulative_revenue = fields.Float(string="Revenue to Date", digits=(16, 2), readonly=True)
    retention = fields.Float(string="Retention (%)", digits=(16, 1), readonly=True, aggregator="avg")
    cohort_ltv = fields.Float(string="Cohort LTV", digits=(16, 2), readonly=True, aggregator="avg")
    revenue_per_client = fields.Float(
        string="Revenue per Client", digits=(16, 2), readonly=True, aggregator="avg"
    )

    def action_open_cohort_clients(self):
        return self._open_clients(
            self.env._("Clients of the cohort"), self._month_domain("client_first_order_date", self.cohort)
        )

    @api.model
    def _refresh(self, company, today=None):
        today, first_month = self._report_start(company, today)
        self._report_write(
            company,
            SQL(
                "WITH "
                + ORDERS_SQL
                + """,
            clients AS (
                SELECT client_id, user_id, date_trunc('month', MIN(day))::date AS cohort
                  FROM orders GROUP BY client_id, user_id
                HAVING MIN(day) >= %(first)s
            ),
            sizes AS (SELECT user_id, cohort, COUNT(*) AS cohort_size FROM clients GROUP BY user_id, cohort),
            grid AS (
                SELECT s.user_id, s.cohort, s.cohort_size, k.months_since
                  FROM sizes s
                  CROSS JOIN LATERAL generate_series(
                      0, (date_part('year', age(date_trunc('month', %(today)s::date), s.cohort)) * 12
                          + date_part('month', age(date_trunc('month', %(today)s::date), s.cohort)))::int
                  ) AS k(months_since)
            ),
            activity AS (
                SELECT c.user_id, c.cohort,
                       (date_part('year', age(date_trunc('month', o.day), c.cohort)) * 12
                        + date_part('month', age(date_trunc('month', o.day), c.cohort)))::int AS months_since,
                       COUNT(DISTINCT o.client_id) AS retained, SUM(o.amount) AS revenue
                  FROM orders o JOIN clients c ON c.client_id = o.client_id
                 GROUP BY 1, 2, 3
            )
            INSERT INTO clientbase_report_cohort (
                company_id, refreshed_at, cohort, months_since, user_id, cohort_size, retained, revenue,
                cumulative_revenue, retention, cohort_ltv, revenue_per_client)
            SELECT %(company)s, %(refreshed_at)s, cohort, months_since, user_id, cohort_size, retained, revenue, cumulated,
                   100.0 * retained / cohort_size, cumulated / cohort_size, revenue / cohort_size
              FROM (
                SELECT g.cohort, g.months_since, g.user_id, g.cohort_size,
                       COALESCE(a.retained, 0) AS retained, COALESCE(a.revenue, 0) AS revenue,
                       SUM(COALESCE(a.revenue, 0)) OVER (PARTITION BY g.user_id, g.cohort ORDER BY g.months_since)
                           AS cumulated
                  FROM grid g
                  LEFT JOIN activity a ON a.cohort = g.cohort AND a.months_since = g.months_since
                                      AND a.user_id IS NOT DISTINCT FROM g.user_id
              ) cells
            """,
                company=company.id,
                refreshed_at=fields.Datetime.now(),
                today=today,
                first=first_month,
            ),
        )
