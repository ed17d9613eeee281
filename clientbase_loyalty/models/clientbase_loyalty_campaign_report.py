from odoo import fields, models, tools
from odoo.tools import SQL


class ClientbaseLoyaltyCampaignReport(models.Model):
    """Promo campaigns as a pivot: one row per personal code, read live from the codes and the
    confirmed orders that carry their reward lines. Measures and their definitions:
    ``readme/USAGE.md`` (*Campaigns report*); a campaign's sums equal its form's figures. The
    personal codes of the journeys' steps are rows too, of their journey (no campaign); a step's
    sums equal its form's figures."""

    _name = "clientbase.loyalty.campaign.report"
    _description = "Promo Campaigns Report"
    _inherit = "clientbase.report.ratios"
    _auto = False
    _rec_name = "campaign_id"
    _order = "campaign_id desc"
    _report_ratios = {"redemption_rate": ("redeemed_count", "code_count", 100)}

    campaign_id = fields.Many2one("clientbase.loyalty.campaign", string="Promo Campaign", readonly=True)
    journey_id = fields.Many2one("clientbase.journey", readonly=True)
    journey_step_id = fields.Many2one("clientbase.journey.step", readonly=True)
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
            SELECT c.id, c.clientbase_campaign_id AS campaign_id,
                   COALESCE(jm.journey_id, js.journey_id) AS journey_id, c.clientbase_journey_step_id AS journey_step_id,
                   c.partner_id, COALESCE(cg.company_id, j.company_id) AS company_id, cp.user_id,
                   c.expiration_date, 1 AS code_count,
                   CASE WHEN u.card_id IS NULL THEN 0 ELSE 1 END AS redeemed_count,
                   CASE WHEN u.card_id IS NULL THEN NULL ELSE 100.0 END AS redemption_rate,
                   COALESCE(u.revenue, 0) AS revenue, COALESCE(u.discount, 0) AS discount
              FROM loyalty_card c
              LEFT JOIN clientbase_loyalty_campaign cg ON cg.id = c.clientbase_campaign_id
              LEFT JOIN clientbase_journey_member jm ON jm.id = c.clientbase_journey_member_id
              LEFT JOIN clientbase_journey_step js ON js.id = c.clientbase_journey_step_id
              LEFT JOIN clientbase_journey j ON j.id = COALESCE(jm.journey_id, js.journey_id)
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
                OR c.clientbase_journey_member_id IS NOT NULL OR c.clientbase_journey_step_id IS NOT NULL
            """
        )

    def _read_group_format_result(self, rows_dict, lazy_groupby):
        """Grouped by campaign, the codes of no campaign are the journeys': labelled so, not None."""
        res = super()._read_group_format_result(rows_dict, lazy_groupby)
        if "campaign_id" in lazy_groupby:
            label = self.env._("Issued by Journeys")
            for row in rows_dict:
                if row["campaign_id"] is False:
                    row["campaign_id"] = (False, label)
        return res

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE VIEW %s AS (%s)", SQL.identifier(self._table), self._get_report_query())
        )
