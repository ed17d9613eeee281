from odoo import api, fields, models
from odoo.tools import SQL

from .clientbase_report_mixin import IS_CLIENT_SQL, ORDERS_SQL

# The month's bridge of ``METRICS.md``, client by client, into the temporary table
# ``clientbase_bridge``: one row per client and month in which the client may count (an order
# within the inactivity threshold ``%(days)s`` before the month's end, or a lost mark in the
# month). The month ``M`` runs from its start ``s`` to the start of the next month ``e`` (for the
# current month: tomorrow, so that an order today counts).
#
# - active at D: an order in [D - days, D) and not lost at D;
# - lost at D: a lost mark (stage history) on a day before D and no order after that day before D,
#   i.e. D in (mark day, first order day after the mark];
# - new: the first order falls in M; won back: ordered before M, not active at s, orders in M;
# - in play: active at s, new or won back; of these, lost: lost at e; became inactive: neither
#   active nor lost at e (a client who lapses and orders again within M is in no line);
# - churned: active at s and not at e (became inactive or lost among those active at the start);
# - marked lost: a lost mark on a day of M, whatever the client was (outside the bridge).
#
# So that, by construction, active at e = active at s + new + won back - became inactive - lost
# for every manager and month: a client not in play is never active at e (it has no order in M,
# and was inactive, lost or not yet a client at s).
BRIDGE_SQL = (
    "CREATE TEMP TABLE clientbase_bridge ON COMMIT DROP AS WITH "
    + ORDERS_SQL
    + """,
    client_months AS (  -- per client and month of its whole history
        SELECT client_id, user_id, date_trunc('month', day)::date AS month, COUNT(*) AS orders,
               SUM(amount) AS amount, MAX(day) AS last_day
          FROM orders GROUP BY 1, 2, 3
    ),
    firsts AS (SELECT client_id, MIN(month) AS first_month FROM client_months GROUP BY 1),
    months AS (
        SELECT m::date AS month, LEAST((m + interval '1 month')::date, %(today)s::date + 1) AS next_start
          FROM generate_series(%(first)s::date, date_trunc('month', %(today)s::date), interval '1 month') m
    ),
    marks AS (
        SELECT h.partner_id AS client_id, cp.user_id, h.date::date AS day,
               (SELECT MIN(o.day) FROM orders o WHERE o.client_id = h.partner_id AND o.day > h.date::date)
                   AS lost_until
          FROM clientbase_segment_history h JOIN res_partner cp ON cp.id = h.partner_id
         WHERE h.company_id = %(company)s AND h.dimension = 'stage' AND h.new_value = 'lost'
           AND h.old_value IS DISTINCT FROM 'lost' AND h.date::date <= %(today)s AND """
    + IS_CLIENT_SQL
    + """
    ),
    windows AS (  -- orders in [s - days, s) and in [e - days, e), orders of the month
        SELECT cm.client_id, cm.user_id, m.month, m.next_start,
               BOOL_OR(cm.month < m.month) AS ordered_before_start,
               BOOL_OR(cm.last_day >= m.next_start - %(days)s) AS ordered_before_end,
               COALESCE(SUM(cm.orders) FILTER (WHERE cm.month = m.month), 0) AS orders,
               COALESCE(SUM(cm.amount) FILTER (WHERE cm.month = m.month), 0) AS amount
          FROM client_months cm JOIN months m ON cm.month <= m.month AND cm.last_day >= m.month - %(days)s
         GROUP BY cm.client_id, cm.user_id, m.month, m.next_start
    ),
    states AS (
        SELECT w.*, f.first_month,
               w.ordered_before_start AND NOT EXISTS (
                   SELECT 1 FROM marks k WHERE k.client_id = w.client_id AND k.day < w.month
                      AND (k.lost_until IS NULL OR k.lost_until >= w.month)) AS active_start,
               EXISTS (SELECT 1 FROM marks k WHERE k.client_id = w.client_id AND k.day < w.next_start
                          AND (k.lost_until IS NULL OR k.lost_until >= w.next_start)) AS lost_end
          FROM windows w JOIN firsts f ON f.client_id = w.client_id
    ),
    entries AS (
        SELECT s.*, s.first_month = s.month AS is_new,
               s.first_month < s.month AND NOT s.active_start AND s.orders > 0 AS is_won_back,
               s.ordered_before_end AND NOT s.lost_end AS active_end
          FROM states s
    ),
    lines AS (
        SELECT e.client_id, e.user_id, e.month, e.orders, e.amount, e.active_start, e.is_new, e.is_won_back,
               (e.active_start OR e.is_new OR e.is_won_back) AND e.lost_end AS is_lost,
               (e.active_start OR e.is_new OR e.is_won_back) AND NOT e.active_end AND NOT e.lost_end
                   AS is_became_inactive,
               e.active_start AND NOT e.active_end AS is_churned
          FROM entries e
    ),
    marked AS (
        SELECT DISTINCT client_id, user_id, date_trunc('month', day)::date AS month
          FROM marks WHERE day >= %(first)s
    )
    SELECT COALESCE(l.client_id, k.client_id) AS client_id, COALESCE(l.user_id, k.user_id) AS user_id,
           COALESCE(l.month, k.month) AS month, COALESCE(l.orders, 0) AS orders, COALESCE(l.amount, 0) AS amount,
           COALESCE(l.active_start, FALSE) AS active_start, COALESCE(l.is_new, FALSE) AS is_new,
           COALESCE(l.is_won_back, FALSE) AS is_won_back, COALESCE(l.is_became_inactive, FALSE) AS is_became_inactive,
           COALESCE(l.is_lost, FALSE) AS is_lost, COALESCE(l.is_churned, FALSE) AS is_churned,
           k.client_id IS NOT NULL AS is_marked_lost
      FROM lines l FULL JOIN marked k ON k.client_id = l.client_id AND k.month = l.month
"""
)


class ClientbaseReportMonthlyClient(models.Model):
    """The clients behind the numbers of a Growth and Churn row (``clientbase.report.monthly``):
    one row per client and month in which it ordered or falls in a line of the month's bridge.

    The row's counts are counts of these rows, and its buttons open exactly these clients; the
    period measures of the pivot (clients who ordered, repeat clients, churn over a quarter or a
    year) count the distinct clients of the group's rows. Rebuilt with the report.
    """

    _name = "clientbase.report.monthly.client"
    _inherit = "clientbase.report.mixin"
    _description = "Client Base Growth and Churn: Clients"
    _order = "month desc, partner_id"
    _log_access = False
    _rec_name = "partner_id"

    report_id = fields.Many2one(
        "clientbase.report.monthly", string="Report Row", readonly=True, index=True, ondelete="cascade"
    )
    month = fields.Date(required=True, readonly=True, help="First day of the month.")
    partner_id = fields.Many2one(
        "res.partner", string="Client", readonly=True, index=True, ondelete="cascade"
    )
    order_count = fields.Integer(string="Orders", readonly=True)
    revenue = fields.Float(digits=(16, 2), readonly=True)
    is_new = fields.Boolean(string="New", readonly=True)
    is_won_back = fields.Boolean(string="Won Back", readonly=True)
    is_became_inactive = fields.Boolean(string="Became Inactive", readonly=True)
    is_lost = fields.Boolean(string="Lost", readonly=True)
    is_churned = fields.Boolean(
        string="Churned", readonly=True, help="Active at the start of the month, and not at its end."
    )
    is_marked_lost = fields.Boolean(string="Marked Lost", readonly=True)

    @api.model
    def _get_bridge_query(self, company, today, first_month):
        """SQL creating the temporary table ``clientbase_bridge`` of the company's clients'
        lines per month (``BRIDGE_SQL``)."""
        return SQL(
            BRIDGE_SQL,
            company=company.id,
            days=company.client_inactive_days or 180,
            today=today,
            first=first_month,
        )
