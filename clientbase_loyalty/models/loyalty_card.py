from odoo import fields, models
from odoo.tools import SQL, sql

CAMPAIGN_CLIENT_INDEX = "loyalty_card_clientbase_campaign_partner_uniq"


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
        return res
