from odoo import fields, models
from odoo.tools import SQL, sql

CAMPAIGN_CLIENT_INDEX = "loyalty_card_clientbase_campaign_partner_uniq"
# the columns of Odoo that point to a card without an index (the grants' index their card_id): every card deleted (a campaign's
# codes, a test's) scanned the whole table of order lines (17 minutes for 10,000 codes at S),
# and the campaign results join the order lines on it
REFERENCE_INDEXES = (("sale_order_line_clientbase_coupon_idx", "sale_order_line", "coupon_id"),)


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    clientbase_campaign_id = fields.Many2one(
        "clientbase.loyalty.campaign", string="Promo Campaign", readonly=True, ondelete="set null"
    )

    def init(self):
        res = super().init()
        # one personal code per client and campaign, whatever runs twice or at once
        if not sql.index_exists(self.env.cr, CAMPAIGN_CLIENT_INDEX):
            self.env.cr.execute(
                SQL(
                    "CREATE UNIQUE INDEX %s ON loyalty_card (clientbase_campaign_id, partner_id)"
                    " WHERE clientbase_campaign_id IS NOT NULL",
                    SQL.identifier(CAMPAIGN_CLIENT_INDEX),
                )
            )
        for name, table, column in REFERENCE_INDEXES:
            if not sql.index_exists(self.env.cr, name):
                self.env.cr.execute(
                    SQL(
                        "CREATE INDEX %s ON %s (%s) WHERE %s IS NOT NULL",
                        SQL.identifier(name),
                        SQL.identifier(table),
                        SQL.identifier(column),
                        SQL.identifier(column),
                    )
                )
        return res
