from odoo import api, fields, models
from odoo.tools import SQL

from ...tools.concurrency import retry_on_concurrency
from .clientbase_report_mixin import IS_CLIENT_SQL

# measures that are a ratio of two sums (never a sum or an average of the rows' ratios):
# measure -> (numerator, denominator, factor)
RATIOS = {
    "average_check": ("revenue", "order_count", 1),
}
# measures computed over the group's period from the clients behind its rows (_read_group_select)
PERIOD_MEASURES = {"active_start", "ordering_clients", "repeat_clients", "churned", "churn_rate",
                   "purchase_frequency", "repeat_rate"}  # fmt: skip
# The rows of a company (``%(company)s``), per month and manager, from the bridge's lines client by
# client (the temporary table ``clientbase_bridge``, ``clientbase_report_monthly_client.py``) and
# the month's activity.
ROWS_SQL = (
    """
    WITH counted AS (
        SELECT user_id, month,
               COUNT(*) FILTER (WHERE active_start) AS active_start,
               COUNT(*) FILTER (WHERE is_new) AS new_clients,
               COUNT(*) FILTER (WHERE is_won_back) AS won_back,
               COUNT(*) FILTER (WHERE is_became_inactive) AS became_inactive,
               COUNT(*) FILTER (WHERE is_lost) AS lost,
               COUNT(*) FILTER (WHERE is_marked_lost) AS marked_lost,
               COUNT(*) FILTER (WHERE is_churned) AS churned,
               SUM(orders) AS order_count, SUM(amount) AS revenue,
               COUNT(*) FILTER (WHERE orders > 0) AS ordering_clients,
               COUNT(*) FILTER (WHERE orders > 1) AS repeat_clients
          FROM clientbase_bridge GROUP BY user_id, month
    ),
    vip_rows AS (
        SELECT s.partner_id AS client_id, cp.user_id, s.month_from AS month, s.is_vip,
               LAG(s.is_vip) OVER (PARTITION BY s.partner_id ORDER BY s.month_from) AS was_vip
          FROM clientbase_segment_snapshot s JOIN res_partner cp ON cp.id = s.partner_id
         WHERE s.company_id = %(company)s AND """
    + IS_CLIENT_SQL
    + """
    ),
    vip AS (
        SELECT user_id, month, COUNT(*) FILTER (WHERE is_vip AND NOT was_vip) AS became_vip,
               COUNT(*) FILTER (WHERE NOT is_vip AND was_vip) AS dropped_vip
          FROM vip_rows WHERE month >= %(first)s GROUP BY user_id, month
    ),
    contacts AS (
        SELECT cp.user_id, date_trunc('month', i.date)::date AS month, COUNT(*) AS contacts_logged
          FROM clientbase_interaction i JOIN res_partner cp ON cp.id = i.client_id
         WHERE i.company_id = %(company)s AND i.date::date >= %(first)s AND i.date::date <= %(today)s AND """
    + IS_CLIENT_SQL
    + """
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
         WHERE r.day >= %(first)s AND r.day <= %(today)s AND """
    + IS_CLIENT_SQL
    + """
         GROUP BY 1, 2
    ),
    now_figures AS (  -- the state at this refresh, on the current month's rows
        SELECT user_id, date_trunc('month', %(today)s::date)::date AS month,
               SUM(owned) AS clients_owned, SUM(due) AS past_cadence, SUM(overdue) AS overdue_reminders
          FROM (
            SELECT cp.user_id, 1 AS owned, 0 AS due, 0 AS overdue
              FROM clientbase_client_figures f JOIN res_partner cp ON cp.id = f.partner_id
             WHERE f.company_id = %(company)s AND cp.active AND """
    + IS_CLIENT_SQL
    + """
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
        SELECT user_id, month FROM counted
        UNION SELECT user_id, month FROM vip
        UNION SELECT user_id, month FROM contacts
        UNION SELECT user_id, month FROM responses
        UNION SELECT user_id, month FROM now_figures
    )
    INSERT INTO clientbase_report_monthly (
        company_id, refreshed_at, month, user_id, active_start, new_clients, won_back, became_inactive, lost,
        marked_lost, became_vip, dropped_vip, churned, net_growth, contacts_logged, mailing_responses, clients_owned,
        past_cadence, overdue_reminders, order_count, revenue, ordering_clients, repeat_clients,
        churn_rate, average_check, purchase_frequency, repeat_rate)
    SELECT %(company)s, %(refreshed_at)s, k.month, k.user_id, COALESCE(c.active_start, 0),
           COALESCE(c.new_clients, 0), COALESCE(c.won_back, 0), COALESCE(c.became_inactive, 0),
           COALESCE(c.lost, 0), COALESCE(c.marked_lost, 0), COALESCE(v.became_vip, 0), COALESCE(v.dropped_vip, 0),
           COALESCE(c.churned, 0),
           COALESCE(c.new_clients, 0) + COALESCE(c.won_back, 0) - COALESCE(c.became_inactive, 0)
               - COALESCE(c.lost, 0),
           COALESCE(ct.contacts_logged, 0), COALESCE(r.mailing_responses, 0), COALESCE(n.clients_owned, 0),
           COALESCE(n.past_cadence, 0), COALESCE(n.overdue_reminders, 0),
           COALESCE(c.order_count, 0), COALESCE(c.revenue, 0), COALESCE(c.ordering_clients, 0),
           COALESCE(c.repeat_clients, 0),
           100.0 * c.churned / NULLIF(c.active_start, 0),
           c.revenue / NULLIF(c.order_count, 0),
           c.order_count::numeric / NULLIF(c.ordering_clients, 0),
           100.0 * c.repeat_clients / NULLIF(c.ordering_clients, 0)
      FROM keys k
      LEFT JOIN counted c ON c.month = k.month AND c.user_id IS NOT DISTINCT FROM k.user_id
      LEFT JOIN vip v ON v.month = k.month AND v.user_id IS NOT DISTINCT FROM k.user_id
      LEFT JOIN contacts ct ON ct.month = k.month AND ct.user_id IS NOT DISTINCT FROM k.user_id
      LEFT JOIN responses r ON r.month = k.month AND r.user_id IS NOT DISTINCT FROM k.user_id
      LEFT JOIN now_figures n ON n.month = k.month AND n.user_id IS NOT DISTINCT FROM k.user_id
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
    active_start = fields.Integer(
        string="Active at Start",
        readonly=True,
        help="Clients with an order within the inactivity threshold before the 1st, and not lost then."
        " Over several months: at the start of the first.",
    )
    new_clients = fields.Integer(readonly=True, help="Their first order falls in the month.")
    won_back = fields.Integer(
        readonly=True,
        help="Clients who had ordered before, were not active at the start of the month (inactive or"
        " lost) and order in it.",
    )
    became_inactive = fields.Integer(
        readonly=True,
        help="Active at the start of the month, new or won back in it, and neither active nor lost at"
        " its end.",
    )
    lost = fields.Integer(
        readonly=True,
        help="Active at the start of the month, new or won back in it, and lost at its end.",
    )
    marked_lost = fields.Integer(
        readonly=True,
        help="Clients marked lost in the month, whatever they were before (outside the month's bridge).",
    )
    became_vip = fields.Integer(string="Became VIP", readonly=True)
    dropped_vip = fields.Integer(string="Dropped Out of VIP", readonly=True)
    churned = fields.Integer(
        readonly=True,
        help="Active at the start of the month and not at its end (became inactive or lost)."
        " Over several months: active at the start of the first and left in one of them.",
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
    ordering_clients = fields.Integer(
        string="Clients Who Ordered", readonly=True, help="Over several months: each client once."
    )
    repeat_clients = fields.Integer(
        string="Clients with 2+ Orders", readonly=True, help="Over several months: 2+ orders in the period."
    )
    churn_rate = fields.Float(string="Churn Rate (%)", digits=(16, 1), readonly=True, aggregator="avg")
    average_check = fields.Float(digits=(16, 2), readonly=True, aggregator="avg")
    purchase_frequency = fields.Float(digits=(16, 2), readonly=True, aggregator="avg")
    repeat_rate = fields.Float(
        string="Repeat-Purchase Rate (%)", digits=(16, 1), readonly=True, aggregator="avg"
    )

    # --- measures of a period (a quarter, a year, any group of rows) ---------------------------
    def _read_group_select(self, aggregate_spec, query):
        """The measures of a group of months are computed over the group (``METRICS.md``, periods
        longer than a month), from the clients behind its rows: clients who ordered and repeat
        clients are distinct clients of the period, active at start is the first month's, churned
        are the clients active at the start of the period who left in one of its months."""
        fname = aggregate_spec.split(":")[0]
        if fname not in PERIOD_MEASURES:
            return super()._read_group_select(aggregate_spec, query)
        ids = SQL("array_agg(%s)", SQL.identifier(self._table, "id"))
        measures = {
            "active_start": SQL(
                "(SELECT COALESCE(SUM(r.active_start), 0) FROM clientbase_report_monthly r"
                " WHERE r.id = ANY(%s) AND r.month = MIN(%s))",
                ids,
                SQL.identifier(self._table, "month"),
            ),
            "ordering_clients": SQL(
                "(SELECT COUNT(DISTINCT l.partner_id) FROM clientbase_report_monthly_client l"
                " WHERE l.report_id = ANY(%s) AND l.order_count > 0)",
                ids,
            ),
            "repeat_clients": SQL(
                "(SELECT COUNT(*) FROM (SELECT 1 FROM clientbase_report_monthly_client l"
                " WHERE l.report_id = ANY(%s) GROUP BY l.partner_id HAVING SUM(l.order_count) > 1) x)",
                ids,
            ),
            # a client's first move of the period is a churn: it was active at the period's start
            "churned": SQL(
                "(SELECT COUNT(*) FILTER (WHERE x.is_churned) FROM (SELECT DISTINCT ON (l.partner_id) l.is_churned"
                " FROM clientbase_report_monthly_client l WHERE l.report_id = ANY(%s)"
                " AND (l.is_new OR l.is_won_back OR l.is_became_inactive OR l.is_lost)"
                " ORDER BY l.partner_id, l.month) x)",
                ids,
            ),
        }
        orders = SQL("SUM(%s)", SQL.identifier(self._table, "order_count"))
        measures["churn_rate"] = SQL(
            "(100.0 * %s / NULLIF(%s, 0))::float8", measures["churned"], measures["active_start"]
        )
        measures["purchase_frequency"] = SQL(
            "(%s::numeric / NULLIF(%s, 0))::float8", orders, measures["ordering_clients"]
        )
        measures["repeat_rate"] = SQL(
            "(100.0 * %s / NULLIF(%s, 0))::float8", measures["repeat_clients"], measures["ordering_clients"]
        )
        return measures[fname]

    # --- the clients behind a row's numbers --------------------------------------------------
    def _open_lines(self, title, flag):
        """The clients counted by the row's number ``flag`` (its clients' lines)."""
        self.ensure_one()
        lines = self.env["clientbase.report.monthly.client"].search(
            [("report_id", "=", self.id), (flag, "=", True)]
        )
        return self._open_clients(title, [("id", "in", lines.partner_id.ids)], own=False)

    def action_open_new_clients(self):
        return self._open_lines(self.env._("New clients"), "is_new")

    def action_open_lost_clients(self):
        return self._open_lines(self.env._("Lost clients"), "is_lost")

    def action_open_marked_lost_clients(self):
        return self._open_lines(self.env._("Clients marked lost"), "is_marked_lost")

    def action_open_inactive_clients(self):
        return self._open_lines(self.env._("Clients who became inactive"), "is_became_inactive")

    def action_open_won_back_clients(self):
        return self._open_lines(self.env._("Clients won back"), "is_won_back")

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
        """Rebuild the company's rows for the last ``REPORT_MONTHS`` months and the current one,
        and the clients behind them (``clientbase.report.monthly.client``): the bridge's lines
        client by client first, then the rows as their counts."""
        Lines = self.env["clientbase.report.monthly.client"]
        cr = self.env.cr
        cr.execute(SQL("DELETE FROM %s WHERE company_id = %s", SQL.identifier(Lines._table), company.id))
        today, first_month = self._report_start(
            company, today, ("clientbase.segment.history", "clientbase.interaction", "mail.activity")
        )
        cr.execute("DROP TABLE IF EXISTS clientbase_bridge")
        cr.execute(Lines._get_bridge_query(company, today, first_month))
        refreshed_at = fields.Datetime.now()
        self._report_write(
            company,
            SQL(
                ROWS_SQL,
                company=company.id,
                refreshed_at=refreshed_at,
                today=today,
                first=first_month,
            ),
        )
        Lines._report_write(
            company,
            SQL(
                """
            INSERT INTO clientbase_report_monthly_client (
                company_id, refreshed_at, report_id, month, user_id, partner_id, order_count, revenue, is_new,
                is_won_back, is_became_inactive, is_lost, is_churned, is_marked_lost)
            SELECT %(company)s, %(refreshed_at)s, r.id, b.month, b.user_id, b.client_id, b.orders, b.amount, b.is_new,
                   b.is_won_back, b.is_became_inactive, b.is_lost, b.is_churned, b.is_marked_lost
              FROM clientbase_bridge b
              JOIN clientbase_report_monthly r
                ON r.company_id = %(company)s AND r.month = b.month AND r.user_id IS NOT DISTINCT FROM b.user_id
             WHERE b.orders > 0 OR b.is_new OR b.is_won_back OR b.is_became_inactive OR b.is_lost OR b.is_marked_lost
                """,
                company=company.id,
                refreshed_at=refreshed_at,
            ),
        )
        cr.execute("DROP TABLE clientbase_bridge")
