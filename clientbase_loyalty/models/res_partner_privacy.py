from odoo import models


class ResPartner(models.Model):
    """Forgetting a client (a privacy request) forgets its loyalty too: its cards and personal
    codes lose their link to it and are archived (a code without a client would be anyone's),
    their points history is deleted, as are its bonus grants and its referral code (another
    client's grant for referring it loses its link to it), and a level set by hand loses its reason. The level by
    receipts stays, as the figures it is computed from do."""

    _inherit = "res.partner"

    def _client_forget_related(self, partners):
        result = super()._client_forget_related(partners)
        env = partners.env(su=True)
        cards = (
            env["loyalty.card"].with_context(active_test=False).search([("partner_id", "in", partners.ids)])
        )
        env["loyalty.history"].search([("card_id", "in", cards.ids)]).unlink()
        cards.with_context(tracking_disable=True).write({"partner_id": False, "active": False})
        env["clientbase.loyalty.grant"].search([("partner_id", "in", partners.ids)]).unlink()
        env["clientbase.loyalty.grant"].search([("friend_id", "in", partners.ids)]).friend_id = False
        env["clientbase.loyalty.referral"].search([("partner_id", "in", partners.ids)]).unlink()
        env["clientbase.loyalty.status"].search(
            [("partner_id", "in", partners.ids), ("manual_level_id", "!=", False)]
        ).write({"manual_level_id": False, "manual_reason": False})
        return result
