from odoo import fields, models, tools
from odoo.tools import SQL


class ClientbaseLoyaltyReport(models.Model):
    """Loyalty by level: one row per client holding (or having held) a level in a company,
    read live from the levels, the purchase figures and the orders. Measures and their
    definitions: ``readme/USAGE.md`` (*Loyalty report*)."""

    _name = "clientbase.loyalty.report"
    _description = "Loyalty Report"
    _inherit = "clientbase.report.ratios"
    _auto = False
    _rec_name = "partner_id"
    _order = "level_id, partner_id"
    # a group's average check is its revenue over its orders, never an average of averages
    _report_ratios = {"average_check": ("revenue", "order_count", 1)}

    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one("res.users", string="Manager", readonly=True)
    level_id = fields.Many2one("clientbase.loyalty.level", readonly=True)
    is_manual = fields.Boolean(string="Set by Hand", readonly=True)
    client_count = fields.Integer(string="Clients", readonly=True, aggregator="sum")
    revenue = fields.Monetary(readonly=True, aggregator="sum")
    order_count = fields.Integer(string="Orders", readonly=True, aggregator="sum")
    average_check = fields.Monetary(readonly=True, aggregator="avg")
    discount = fields.Monetary(
        string="Level Discount Given",
        readonly=True,
        aggregator="sum",
        help="Untaxed amount of the level discount lines on the client's confirmed orders.",
    )

    def _get_report_query(self):
        return SQL(
            """
            SELECT s.id, s.partner_id, s.company_id, p.user_id, s.level_id,
                   s.manual_level_id IS NOT NULL AS is_manual, 1 AS client_count,
                   COALESCE(f.revenue, 0) AS revenue, COALESCE(f.order_count, 0) AS order_count,
                   COALESCE(f.revenue, 0) / NULLIF(f.order_count, 0) AS average_check,
                   COALESCE(d.discount, 0) AS discount
              FROM clientbase_loyalty_status s
              JOIN res_partner p ON p.id = s.partner_id
              LEFT JOIN clientbase_client_figures f ON f.partner_id = s.partner_id AND f.company_id = s.company_id
              LEFT JOIN (
                    SELECT cp.commercial_partner_id AS partner_id, o.company_id, SUM(-l.price_subtotal) AS discount
                      FROM sale_order_line l
                      JOIN sale_order o ON o.id = l.order_id AND o.state = 'sale'
                      JOIN res_partner cp ON cp.id = o.partner_id
                      JOIN loyalty_reward r ON r.id = l.reward_id
                      JOIN loyalty_program pr ON pr.id = r.program_id AND pr.clientbase_level_id IS NOT NULL
                     GROUP BY 1, 2
              ) d ON d.partner_id = s.partner_id AND d.company_id = s.company_id
             WHERE s.level_id IS NOT NULL
            """
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE VIEW %s AS (%s)", SQL.identifier(self._table), self._get_report_query())
        )
