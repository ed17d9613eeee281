from odoo import fields, models, tools
from odoo.tools import SQL


class ClientbaseLoyaltyCampaignReport(models.Model):
    """Promo campaigns as a pivot: one row per personal code, read live from the codes and the
    confirmed orders that carry their reward lines. Measures and their definitions:
    ``readme/USAGE.md`` (*Campaigns report*); a campaign's sums equal its form's figures."""

    _name = "clientbase.loyalty.campaign.report"
    _description = "Promo Campaigns Report"
    _inherit = "clientbase.report.ratios"
    _auto = False
    _rec_name = "campaign_id"
    _order = "campaign_id desc"
    _report_ratios = {"redemption_rate": ("redeemed_count", "code_count", 100)}

    campaign_id = fields.Many2one("clientbase.loyalty.campaign", string="Promo Campaign", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one("res.users", string="Manager", readonly=True)
    expiration_date = fields.Date(string="Valid Until", readonly=True)
    code_count = fields.Integer(string="Codes Sent", readonly=True, aggregator="sum")
    redeemed_count = fields.Integer(string="Codes Redeemed", readonly=True, aggregator="sum")
    redemption_rate = fields.Float(string="Redemption Rate (%)", readonly=True, aggregator="avg")
    revenue = fields.Monetary(string="Revenue of Redeeming Orders", readonly=True, aggregator="sum")
    discount = fields.Monetary(string="Discount Given", readonly=True, aggregator="sum")

    def _get_report_query(self):
        return SQL(
            """
            SELECT c.id, c.clientbase_campaign_id AS campaign_id, c.partner_id, cg.company_id, cp.user_id,
                   c.expiration_date, 1 AS code_count,
                   CASE WHEN u.card_id IS NULL THEN 0 ELSE 1 END AS redeemed_count,
                   CASE WHEN u.card_id IS NULL THEN NULL ELSE 100.0 END AS redemption_rate,
                   COALESCE(u.revenue, 0) AS revenue, COALESCE(u.discount, 0) AS discount
              FROM loyalty_card c
              JOIN clientbase_loyalty_campaign cg ON cg.id = c.clientbase_campaign_id
              LEFT JOIN res_partner p ON p.id = c.partner_id
              LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
              LEFT JOIN (
                    SELECT l.coupon_id AS card_id, SUM(-l.price_subtotal) AS discount,
                           (SELECT SUM(o2.amount_untaxed) FROM sale_order o2
                             WHERE o2.id IN (SELECT l2.order_id FROM sale_order_line l2
                                              JOIN sale_order o3 ON o3.id = l2.order_id AND o3.state = 'sale'
                                             WHERE l2.coupon_id = l.coupon_id AND l2.reward_id IS NOT NULL)) AS revenue
                      FROM sale_order_line l
                      JOIN sale_order o ON o.id = l.order_id AND o.state = 'sale'
                     WHERE l.reward_id IS NOT NULL AND l.coupon_id IS NOT NULL
                     GROUP BY l.coupon_id
              ) u ON u.card_id = c.id
             WHERE c.clientbase_campaign_id IS NOT NULL
            """
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE VIEW %s AS (%s)", SQL.identifier(self._table), self._get_report_query())
        )
