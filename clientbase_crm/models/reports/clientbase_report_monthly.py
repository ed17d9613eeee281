from odoo import api, fields, models
from odoo.tools import SQL

from ...tools.concurrency import retry_on_concurrency
from .clientbase_report_mixin import ORDERS_SQL

# measures that are a ratio of two sums (never a sum or an average of the rows' ratios):
# measure -> (numerator, denominator, factor)
RATIOS = {
    "churn_rate": ("churned", "active_start", 100),
    "average_check": ("revenue", "order_count", 1),
    "purchase_frequency": ("order_count", "ordering_clients", 1),
    "repeat_rate": ("repeat_clients", "ordering_clients", 100),
}

# The clients' activity spells: a spell starts with the first order or with an order after more
# than the inactivity threshold (``%(days)s``) without one (a win-back), and ends the day after its
# last order is that old (the client becomes inactive).
SPELLS_SQL = (
    ORDERS_SQL
    + """,
    numbered AS (
        SELECT o.*, SUM(CASE WHEN o.prev_day IS NULL OR o.day - o.prev_day > %(days)s THEN 1 ELSE 0 END)
                        OVER (PARTITION BY o.client_id ORDER BY o.day, o.order_id) AS spell
          FROM (SELECT orders.*, LAG(day) OVER (PARTITION BY client_id ORDER BY day, order_id) AS prev_day
                  FROM orders) o
    ),
    spells AS (
        SELECT client_id, user_id, spell, MIN(day) AS start_day, MAX(day) AS last_day,
               MAX(day) + %(days)s + 1 AS inactive_from
          FROM numbered GROUP BY client_id, user_id, spell
    )
"""
)


class ClientbaseReportMonthly(models.Model):
    """Growth and churn of the client base, per month and manager (``METRICS.md``).

    A small table (companies x 25 months x managers) rebuilt set-based by the nightly job
    (``_refresh``) from the orders and the stage history, so that the report opens at once on a
    base of millions of clients. The manager is the client's current manager.
    """

    _name = "clientbase.report.monthly"
    _inherit = "clientbase.report.mixin"
    _description = "Client Base Growth and Churn"
    _order = "month desc, user_id"
    _log_access = False
    _rec_name = "month"
    _report_ratios = RATIOS

    month = fields.Date(required=True, readonly=True, help="First day of the month.")
    active_start = fields.Integer(string="Active at Start", readonly=True)
    new_clients = fields.Integer(readonly=True, help="Their first order falls in the month.")
    won_back = fields.Integer(
        readonly=True,
        help="An order in the month from a client inactive or lost just before.",
    )
    became_inactive = fields.Integer(readonly=True)
    lost = fields.Integer(readonly=True, help="Marked lost in the month.")
    became_vip = fields.Integer(string="Became VIP", readonly=True)
    dropped_vip = fields.Integer(string="Dropped Out of VIP", readonly=True)
    churned = fields.Integer(
        readonly=True,
        help="Became inactive, or lost while active at the start of the month.",
    )
    net_growth = fields.Integer(readonly=True, help="New + won back - became inactive - lost.")
    contacts_logged = fields.Integer(readonly=True, help="Interactions with the clients.")
    mailing_responses = fields.Integer(
        readonly=True, help="Clients who opened, clicked or replied to a mailing."
    )
    clients_owned = fields.Integer(readonly=True, help="At the last refresh (current month only).")
    past_cadence = fields.Integer(
        string="Past Contact Cadence", readonly=True, help="Clients with a contact due (current month only)."
    )
    overdue_reminders = fields.Integer(
        readonly=True,
        help="Reminders of the rules past their date (current month only).",
    )
    order_count = fields.Integer(string="Orders", readonly=True)
    revenue = fields.Float(digits=(16, 2), readonly=True)
    ordering_clients = fields.Integer(string="Clients Who Ordered", readonly=True)
    repeat_clients = fields.Integer(string="Clients with 2+ Orders", readonly=True)
    churn_rate = fields.Float(string="Churn Rate (%)", digits=(16, 1), readonly=True, aggregator="avg")
    average_check = fields.Float(digits=(16, 2), readonly=True, aggregator="avg")
    purchase_frequency = fields.Float(digits=(16, 2), readonly=True, aggregator="avg")
    repeat_rate = fields.Float(
        string="Repeat-Purchase Rate (%)", digits=(16, 1), readonly=True, aggregator="avg"
    )

    # --- refresh ------------------------------------------------------------------------------
    # --- the clients behind a row's numbers --------------------------------------------------
    def _stage_moves(self, domain):
        """Clients with a stage change of the row's month matching ``domain`` (their history)."""
        return [
            (
                "client_segment_history_ids",
                "any",
                [("dimension", "=", "stage"), *domain, *self._month_domain("date", self.month)],
            )
        ]

    def action_open_new_clients(self):
        return self._open_clients(
            self.env._("New clients"), self._month_domain("client_first_order_date", self.month)
        )

    def action_open_lost_clients(self):
        return self._open_clients(self.env._("Lost clients"), self._stage_moves([("new_value", "=", "lost")]))

    def action_open_inactive_clients(self):
        return self._open_clients(
            self.env._("Clients who became inactive"), self._stage_moves([("new_value", "=", "inactive")])
        )

    def action_open_won_back_clients(self):
        return self._open_clients(
            self.env._("Clients won back"),
            self._stage_moves(
                [("old_value", "in", ["lost", "inactive"]), ("new_value", "not in", ["lost", "inactive"])]
            ),
        )

    @api.model
    @retry_on_concurrency
    def _cron_refresh(self):
        """Rebuild the growth and cohort reports of every company (the nightly job)."""
        for company in self.env["res.company"].search([("active", "=", True)]):
            slipped = self.env["clientbase.segment.snapshot"]._take(company)
            self._notify_vip_slipped(slipped)
            self._refresh(company)
            self.env["clientbase.report.cohort"]._refresh(company)
            self.env["clientbase.report.channel"]._refresh(company)
            self.env["clientbase.report.mailing"]._refresh(company)
            self.env["clientbase.client.figures"]._refresh_forecast(company)
            self.env["clientbase.client.figures"]._refresh_margin(company)

    @api.model
    def _notify_vip_slipped(self, partner_ids):
        """The manager of a VIP client who slipped (VIP no more, or inactive) gets one to-do."""
        Partner = self.env["res.partner"].sudo()
        slipped = Partner.browse(partner_ids).exists().filtered("user_id")
        existing = (
            self.env["mail.activity"]
            .sudo()
            .search([("res_model", "=", "res.partner"), ("client_rule", "=", "vip_slipped")])
        )
        todo = self.env.ref("mail.mail_activity_data_todo")
        Partner._client_sync_rule_activities(
            "vip_slipped",
            existing.mapped("res_id") + slipped.ids,
            {
                client.id: {
                    "activity_type_id": todo.id,
                    "summary": self.env._("A VIP client slipped: no longer VIP, or inactive"),
                    "user_id": client.user_id.id,
                    "date_deadline": fields.Date.context_today(self),
                }
                for client in slipped
            },
        )

    @api.model
    def _refresh(self, company, today=None):
        """Rebuild the company's rows for the last ``REPORT_MONTHS`` months and the current one."""
        today, first_month = self._report_start(
            company, today, ("clientbase.segment.history", "clientbase.interaction", "mail.activity")
        )
        self._report_write(
            company,
            SQL(
                "WITH "
                + SPELLS_SQL
                + """,
            months AS (
                SELECT generate_series(%(first)s::date, date_trunc('month', %(today)s::date), interval '1 month')::date
                       AS month
            ),
            -- active at the start of M: spells started in an earlier month, not over before M
            buckets AS (
                SELECT user_id, bucket, SUM(delta) AS delta FROM (
                    SELECT user_id, date_trunc('month', start_day)::date AS bucket, 1 AS delta FROM spells
                    UNION ALL
                    SELECT user_id, date_trunc('month', inactive_from - 1)::date, -1 FROM spells
                ) events GROUP BY user_id, bucket
            ),
            active AS (
                SELECT b.user_id, m.month, SUM(b.delta) AS active_start
                  FROM months m JOIN buckets b ON b.bucket < m.month
                 GROUP BY b.user_id, m.month
            ),
            -- the stage history: lost, and won back from lost by an order
            stage_rows AS (
                SELECT h.id, h.partner_id AS client_id, cp.user_id, h.date, h.old_value, h.new_value
                  FROM clientbase_segment_history h JOIN res_partner cp ON cp.id = h.partner_id
                 WHERE h.company_id = %(company)s AND h.dimension = 'stage' AND h.date::date >= %(first)s
                   AND h.date::date <= %(today)s AND cp.client_mailing_only IS NOT TRUE
            ),
            lost AS (
                SELECT DISTINCT client_id, user_id, date_trunc('month', date)::date AS month
                  FROM stage_rows WHERE new_value = 'lost' AND old_value IS DISTINCT FROM 'lost'
            ),
            ended AS (  -- became inactive, unless lost at that moment
                SELECT s.client_id, s.user_id, date_trunc('month', s.inactive_from)::date AS month
                  FROM spells s
                 WHERE s.inactive_from >= %(first)s AND s.inactive_from <= %(today)s
                   AND (SELECT h.new_value FROM clientbase_segment_history h
                         WHERE h.partner_id = s.client_id AND h.company_id = %(company)s
                           AND h.dimension = 'stage' AND h.date::date < s.inactive_from
                         ORDER BY h.date DESC, h.id DESC LIMIT 1) IS DISTINCT FROM 'lost'
            ),
            won AS (
                SELECT client_id, user_id, date_trunc('month', start_day)::date AS month
                  FROM spells WHERE spell > 1 AND start_day >= %(first)s
                UNION
                SELECT r.client_id, r.user_id, date_trunc('month', r.date)::date
                  FROM stage_rows r
                 WHERE r.old_value = 'lost' AND r.new_value <> 'lost'
                   AND EXISTS (SELECT 1 FROM orders o WHERE o.client_id = r.client_id AND o.date_order <= r.date
                                 AND date_trunc('month', o.day) = date_trunc('month', r.date))
            ),
            vip_rows AS (
                SELECT s.partner_id AS client_id, cp.user_id, s.month_from AS month, s.is_vip,
                       LAG(s.is_vip) OVER (PARTITION BY s.partner_id ORDER BY s.month_from) AS was_vip
                  FROM clientbase_segment_snapshot s JOIN res_partner cp ON cp.id = s.partner_id
                 WHERE s.company_id = %(company)s
            ),
            events AS (
                SELECT user_id, month, client_id, 'vip_in' AS kind FROM vip_rows
                 WHERE month >= %(first)s AND is_vip AND NOT was_vip
                UNION ALL
                SELECT user_id, month, client_id, 'vip_out' FROM vip_rows
                 WHERE month >= %(first)s AND NOT is_vip AND was_vip
                UNION ALL
                SELECT user_id, date_trunc('month', start_day)::date, client_id, 'new'
                  FROM spells WHERE spell = 1 AND start_day >= %(first)s
                UNION ALL SELECT user_id, month, client_id, 'won' FROM won
                UNION ALL SELECT user_id, month, client_id, 'inactive' FROM ended
                UNION ALL SELECT user_id, month, client_id, 'lost' FROM lost
                UNION ALL
                SELECT l.user_id, l.month, l.client_id, 'lost_active' FROM lost l
                 WHERE EXISTS (SELECT 1 FROM spells s WHERE s.client_id = l.client_id
                                  AND s.start_day < l.month AND s.inactive_from > l.month)
            ),
            counted AS (
                SELECT user_id, month,
                       COUNT(*) FILTER (WHERE kind = 'new') AS new_clients,
                       COUNT(*) FILTER (WHERE kind = 'won') AS won_back,
                       COUNT(*) FILTER (WHERE kind = 'inactive') AS became_inactive,
                       COUNT(*) FILTER (WHERE kind = 'lost') AS lost,
                       COUNT(*) FILTER (WHERE kind = 'lost_active') AS lost_active,
                       COUNT(*) FILTER (WHERE kind = 'vip_in') AS became_vip,
                       COUNT(*) FILTER (WHERE kind = 'vip_out') AS dropped_vip
                  FROM events GROUP BY user_id, month
            ),
            sales AS (
                SELECT user_id, month, SUM(orders) AS order_count, SUM(amount) AS revenue,
                       COUNT(*) AS ordering_clients, COUNT(*) FILTER (WHERE orders > 1) AS repeat_clients
                  FROM (SELECT client_id, user_id, date_trunc('month', day)::date AS month,
                               COUNT(*) AS orders, SUM(amount) AS amount
                          FROM orders WHERE day >= %(first)s GROUP BY client_id, user_id, 3) per_client
                 GROUP BY user_id, month
            ),
            contacts AS (
                SELECT cp.user_id, date_trunc('month', i.date)::date AS month, COUNT(*) AS contacts_logged
                  FROM clientbase_interaction i JOIN res_partner cp ON cp.id = i.client_id
                 WHERE i.company_id = %(company)s AND i.date::date >= %(first)s AND i.date::date <= %(today)s
                 GROUP BY 1, 2
            ),
            responses AS (
                SELECT cp.user_id, date_trunc('month', r.day)::date AS month,
                       COUNT(DISTINCT cp.id) AS mailing_responses
                  FROM (SELECT t.res_id,
                               LEAST(t.open_datetime, t.reply_datetime, t.links_click_datetime)::date AS day
                          FROM mailing_trace t WHERE t.model = 'res.partner') r
                  JOIN res_partner p ON p.id = r.res_id
                  JOIN res_partner cp ON cp.id = p.commercial_partner_id
                 WHERE r.day >= %(first)s AND r.day <= %(today)s AND cp.client_mailing_only IS NOT TRUE
                 GROUP BY 1, 2
            ),
            now_figures AS (  -- the state at this refresh, on the current month's rows
                SELECT user_id, date_trunc('month', %(today)s::date)::date AS month,
                       SUM(owned) AS clients_owned, SUM(due) AS past_cadence, SUM(overdue) AS overdue_reminders
                  FROM (
                    SELECT cp.user_id, 1 AS owned, 0 AS due, 0 AS overdue
                      FROM clientbase_client_figures f JOIN res_partner cp ON cp.id = f.partner_id
                     WHERE f.company_id = %(company)s AND cp.active AND cp.client_mailing_only IS NOT TRUE
                    UNION ALL
                    SELECT a.user_id, 0, CASE WHEN a.client_rule = 'contact_due' THEN 1 ELSE 0 END,
                           CASE WHEN a.date_deadline < %(today)s THEN 1 ELSE 0 END
                      FROM mail_activity a JOIN res_partner cp ON cp.id = a.res_id
                     WHERE a.res_model = 'res.partner' AND a.client_rule IS NOT NULL AND a.active
                       AND COALESCE(cp.company_id, %(company)s) = %(company)s
                  ) state
                 GROUP BY user_id
            ),
            keys AS (
                SELECT user_id, month FROM active WHERE active_start <> 0
                UNION SELECT user_id, month FROM counted
                UNION SELECT user_id, month FROM sales
                UNION SELECT user_id, month FROM contacts
                UNION SELECT user_id, month FROM responses
                UNION SELECT user_id, month FROM now_figures
            )
            INSERT INTO clientbase_report_monthly (
                company_id, refreshed_at, month, user_id, active_start, new_clients, won_back, became_inactive, lost,
                became_vip, dropped_vip, churned, net_growth, contacts_logged, mailing_responses, clients_owned,
                past_cadence, overdue_reminders, order_count, revenue, ordering_clients, repeat_clients,
                churn_rate, average_check, purchase_frequency, repeat_rate)
            SELECT %(company)s, %(refreshed_at)s, k.month, k.user_id, COALESCE(a.active_start, 0),
                   COALESCE(c.new_clients, 0), COALESCE(c.won_back, 0), COALESCE(c.became_inactive, 0),
                   COALESCE(c.lost, 0), COALESCE(c.became_vip, 0), COALESCE(c.dropped_vip, 0),
                   COALESCE(c.became_inactive, 0) + COALESCE(c.lost_active, 0),
                   COALESCE(c.new_clients, 0) + COALESCE(c.won_back, 0) - COALESCE(c.became_inactive, 0)
                       - COALESCE(c.lost, 0),
                   COALESCE(ct.contacts_logged, 0), COALESCE(r.mailing_responses, 0), COALESCE(n.clients_owned, 0),
                   COALESCE(n.past_cadence, 0), COALESCE(n.overdue_reminders, 0),
                   COALESCE(s.order_count, 0), COALESCE(s.revenue, 0), COALESCE(s.ordering_clients, 0),
                   COALESCE(s.repeat_clients, 0),
                   100.0 * (COALESCE(c.became_inactive, 0) + COALESCE(c.lost_active, 0))
                       / NULLIF(a.active_start, 0),
                   s.revenue / NULLIF(s.order_count, 0),
                   s.order_count::numeric / NULLIF(s.ordering_clients, 0),
                   100.0 * s.repeat_clients / NULLIF(s.ordering_clients, 0)
              FROM keys k
              LEFT JOIN active a ON a.month = k.month AND a.user_id IS NOT DISTINCT FROM k.user_id
              LEFT JOIN counted c ON c.month = k.month AND c.user_id IS NOT DISTINCT FROM k.user_id
              LEFT JOIN sales s ON s.month = k.month AND s.user_id IS NOT DISTINCT FROM k.user_id
              LEFT JOIN contacts ct ON ct.month = k.month AND ct.user_id IS NOT DISTINCT FROM k.user_id
              LEFT JOIN responses r ON r.month = k.month AND r.user_id IS NOT DISTINCT FROM k.user_id
              LEFT JOIN now_figures n ON n.month = k.month AND n.user_id IS NOT DISTINCT FROM k.user_id
            """,
                company=company.id,
                refreshed_at=fields.Datetime.now(),
                days=company.client_inactive_days or 180,
                today=today,
                first=first_month,
            ),
        )
