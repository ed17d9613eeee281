from odoo import models


class ClientbaseLoyaltyCampaign(models.Model):
    _inherit = "clientbase.loyalty.campaign"

    def action_prepare_mailing(self):
        """The mailing wizard for the clients holding a code of this campaign, its placeholders
        showing each client's code of this campaign and its deadline."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Prepare Mailing"),
            "res_model": "clientbase.mailing.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_promo_campaign_id": self.id},
        }
