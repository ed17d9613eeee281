import json
import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..reports.clientbase_report_mixin import IS_CLIENT_SQL, ORDERS_SQL

_logger = logging.getLogger(__name__)

# A client's rhythm (``METRICS.md``), from its orders up to ``%(today)s`` (``ORDERS_SQL``): the
# median of the days between its consecutive order days (3+ orders), else the median of those
# rhythms among the clients of its RFM segment. The expected next purchase is the last order +
# the rhythm; the client is overdue when today is later than that plus half the rhythm.
# The revenue expected over the next 12 months is 365 / rhythm orders at the client's average
# order (its *year rate*), times the calibration factor of its recency bucket (``RECENCY_BUCKET``:
# the days since its last order against its rhythm), nothing for a lost client. The factors are
# what the base itself did (``_forecast_calibration``): per bucket, the revenue its clients
# ordered in the months before, against the revenue their year rates promised.
RECENCY_BUCKET = """CASE WHEN interval_days IS NULL THEN NULL
                         WHEN %(as_of)s::date - last_day <= interval_days THEN 1
                         WHEN %(as_of)s::date - last_day <= 2 * interval_days THEN 2
                         WHEN %(as_of)s::date - last_day <= 4 * interval_days THEN 3 ELSE 4 END"""
# without enough history, a client within twice its rhythm is expected to keep it, and a
# lapsed one (its last order older than twice its rhythm) to buy nothing
DEFAULT_FACTORS = {1: 1.0, 2: 1.0, 3: 0.0, 4: 0.0}
RECALIBRATE_DAYS = 30
RHYTHM_SQL = (
    ORDERS_SQL
    + """,
    days AS (
        SELECT client_id, day, SUM(amount) AS amount, COUNT(*) AS orders FROM orders GROUP BY 1, 2
    ),
    per_client AS (
        SELECT client_id, COUNT(*) AS order_days, SUM(orders) AS order_count, MAX(day) AS last_day,
               SUM(amount) AS revenue,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) AS own_rhythm
          FROM (SELECT client_id, day, amount, orders,
                       day - LAG(day) OVER (PARTITION BY client_id ORDER BY day) AS gap
                  FROM days) gaps
         GROUP BY client_id
    ),
    segments AS (
        SELECT f.rfm_segment, percentile_cont(0.5) WITHIN GROUP (ORDER BY c.own_rhythm) AS rhythm
          FROM per_client c JOIN clientbase_client_figures f
            ON f.partner_id = c.client_id AND f.company_id = %(company)s
         WHERE c.order_days >= 3
         GROUP BY f.rfm_segment
    ),
    rhythm AS (
        SELECT c.client_id, c.last_day, c.revenue / NULLIF(c.order_count, 0) AS average_order,
               GREATEST(ROUND(CASE WHEN c.order_days >= 3 THEN c.own_rhythm ELSE s.rhythm END), 1)::int
                   AS interval_days,
               f.current_stage
          FROM per_client c
          JOIN clientbase_client_figures f ON f.partner_id = c.client_id AND f.company_id = %(company)s
          LEFT JOIN segments s ON s.rfm_segment IS NOT DISTINCT FROM f.rfm_segment
    ),
    rated AS (
        SELECT client_id, interval_days, last_day + interval_days AS next_day, current_stage,
               365.0 / interval_days * average_order AS year_rate, """
    + RECENCY_BUCKET
    + """ AS bucket
          FROM rhythm
    ),
    expected AS (
        SELECT r.client_id, r.interval_days, r.next_day, r.year_rate, r.bucket, r.current_stage,
               CASE WHEN r.bucket IS NULL OR r.current_stage = 'lost' THEN 0 ELSE r.year_rate * k.factor END
                   AS expected_year
          FROM rated r LEFT JOIN (VALUES %(factors)s) AS k (bucket, factor) ON k.bucket = r.bucket
    )
"""
)

# What each client ordered from ``%(as_of)s`` to ``%(end)s``: the "what happened" the forecast
# is measured against (its calibration and its backtest).
LATER_SQL = """
    later AS (
        SELECT cp.id AS client_id, SUM(so.amount_untaxed) AS revenue
          FROM sale_order so
          JOIN res_partner p ON p.id = so.partner_id
          JOIN res_partner cp ON cp.id = p.commercial_partner_id
         WHERE so.state = 'sale' AND so.company_id = %(company)s AND CP_IS_CLIENT
           AND so.date_order >= %(as_of)s AND so.date_order < %(end)s
         GROUP BY cp.id
    )""".replace("CP_IS_CLIENT", IS_CLIENT_SQL)


class ClientbaseClientFigures(models.Model):
    _inherit = "clientbase.client.figures"

    # the client's rhythm of orders, refreshed by the nightly reports job (RHYTHM_SQL)
    _forecast_min_calibration_clients = 20
    purchase_interval = fields.Integer()
    next_purchase_date = fields.Date()
    expected_revenue = fields.Float()

    @api.model
    def _refresh_forecast(self, company, today=None):
        """Write the rhythm, the expected next purchase and the expected revenue of the next 12
        months of the company's clients, set-based; only the rows whose values change."""
        today = today or fields.Date.context_today(self)
        self.env["sale.order"].flush_model()
        self.flush_model()
        factors = self._forecast_factors(company, today)
        self.env.cr.execute(
            SQL(
                "WITH "
                + RHYTHM_SQL
                + """
            UPDATE clientbase_client_figures f
               SET purchase_interval = e.interval_days, next_purchase_date = e.next_day,
                   expected_revenue = ROUND(e.expected_year::numeric, 2)::float8
              FROM expected e
             WHERE f.partner_id = e.client_id AND f.company_id = %(company)s
               AND (f.purchase_interval, f.next_purchase_date, f.expected_revenue)
                   IS DISTINCT FROM (e.interval_days, e.next_day, ROUND(e.expected_year::numeric, 2)::float8)
                """,
                company=company.id,
                as_of=today + relativedelta(days=1),
                today=today,
                factors=self._factors_sql(factors),
            )
        )
        _logger.info(
            "Client base forecast: %s clients' rhythm updated for company %s",
            self.env.cr.rowcount,
            company.id,
        )
        self.invalidate_model(["purchase_interval", "next_purchase_date", "expected_revenue"])

    @api.model
    def _forecast_factors(self, company, today):
        """The calibration of the nightly forecast: kept on the company and measured again when
        ``RECALIBRATE_DAYS`` have passed (a 12-month window moves little from one night to the
        next, and measuring it reads the orders once more)."""
        company = company.sudo()
        calibrated_on = company.client_forecast_calibrated_on
        if (
            company.client_forecast_factors
            and calibrated_on
            and (today - calibrated_on).days < RECALIBRATE_DAYS
        ):
            return {
                int(bucket): factor for bucket, factor in json.loads(company.client_forecast_factors).items()
            }
        factors = self._forecast_calibration(company, today + relativedelta(days=1))
        company.write(
            {"client_forecast_factors": json.dumps(factors), "client_forecast_calibrated_on": today}
        )
        _logger.info("Client base forecast calibrated for company %s: %s", company.id, factors)
        return factors

    @api.model
    def _factors_sql(self, factors):
        return SQL(", ").join(
            SQL("(%s, %s::float8)", bucket, factor) for bucket, factor in sorted(factors.items())
        )

    @api.model
    def _forecast_and_later_sql(self, select, **params):
        """``select`` over the forecast as of ``as_of`` (``RHYTHM_SQL``: ``expected``) and what
        the clients then ordered until ``end`` (``LATER_SQL``: ``later``)."""
        return SQL("WITH " + RHYTHM_SQL + "," + LATER_SQL + select, **params)

    @api.model
    def _forecast_calibration(self, company, as_of, months=12):
        """The factor of each recency bucket for a forecast of ``months`` from ``as_of``, measured
        on the ``months`` months before it: the revenue the clients of the bucket (as they were at
        the start of those months, lost ones left out) ordered then, over the revenue their year
        rates promised for that time (the longer the horizon, the more clients stop buying within
        it: a factor is only valid for its own horizon). A bucket of fewer than
        ``_forecast_min_calibration_clients`` clients keeps its default factor."""
        start = as_of - relativedelta(months=months)
        rows = self.env.execute_query(
            self._forecast_and_later_sql(
                """
            SELECT e.bucket, COUNT(*), SUM(e.year_rate) * %(months)s / 12.0, COALESCE(SUM(l.revenue), 0)
              FROM expected e LEFT JOIN later l ON l.client_id = e.client_id
             WHERE e.current_stage IS DISTINCT FROM 'lost'
             GROUP BY e.bucket
                """,
                company=company.id,
                as_of=start,
                today=start - relativedelta(days=1),
                end=as_of,
                months=months,
                factors=self._factors_sql(DEFAULT_FACTORS),
            )
        )
        factors = dict(DEFAULT_FACTORS)
        for bucket, clients, promised, ordered in rows:
            if clients >= self._forecast_min_calibration_clients and promised:
                factors[bucket] = float(ordered) / float(promised)
        return factors

    @api.model
    def _forecast_backtest(self, company, as_of, months=3):
        """The forecast checked against what happened: the revenue the method expects over
        ``months`` from ``as_of`` (from the orders before it, calibrated on the months before
        it) and the revenue ordered then. Returns (expected, actual, error in % of the actual)."""
        self.env["sale.order"].flush_model()
        factors = self._forecast_calibration(company, as_of, months)
        rows = self.env.execute_query(
            self._forecast_and_later_sql(
                """
            SELECT (SELECT COALESCE(SUM(expected_year), 0) * %(months)s / 12.0 FROM expected),
                   (SELECT COALESCE(SUM(revenue), 0) FROM later
                     WHERE client_id IN (SELECT client_id FROM per_client))
                """,
                company=company.id,
                as_of=as_of,
                today=as_of - relativedelta(days=1),
                end=as_of + relativedelta(months=months),
                months=months,
                factors=self._factors_sql(factors),
            )
        )
        expected, actual = (float(value) for value in rows[0])
        error = 100.0 * (expected - actual) / actual if actual else None
        return expected, actual, error
