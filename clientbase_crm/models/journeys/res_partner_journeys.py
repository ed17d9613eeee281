from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # read through the membership's rules of ownership: another manager's client shows none
    client_journey_member_ids = fields.One2many(
        "clientbase.journey.member",
        "partner_id",
        string="Journeys",
        groups="clientbase_crm.group_clientbase_user",
    )

    # the card's list of what the journeys did for the client: each message and when
    client_journey_history_ids = fields.One2many(
        "clientbase.journey.history",
        "partner_id",
        string="Journey Messages",
        groups="clientbase_crm.group_clientbase_user",
    )

    def _client_forget_related(self, partners):
        """Forget removes the client's journeys: membership and the history of what was sent."""
        res = super()._client_forget_related(partners)
        members = (
            self.env["clientbase.journey.member"]
            .sudo()
            .search([("partner_id", "in", (partners | partners.commercial_partner_id).ids)])
        )
        members.history_ids.unlink()
        members.unlink()
        return res
