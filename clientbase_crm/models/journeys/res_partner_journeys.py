from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


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

    # the recipients of a journey's mailing, which its domain names by this field: a mass-mailing
    # user outside the client base opens the mailing too, so the field is everyone's and its
    # search gives the recipients of the mailings the user may read (what their traces give him
    # anyway); it reads empty: what a journey sent a client is on his card, through its rules
    client_journey_mailing_ids = fields.Many2many(
        "mailing.mailing",
        string="Journey Mailings",
        compute="_compute_client_journey_mailing_ids",
        search="_search_client_journey_mailing_ids",
        help="Search only: the clients a journey's mailing was queued for.",
    )

    def _compute_client_journey_mailing_ids(self):
        self.client_journey_mailing_ids = False

    def _search_client_journey_mailing_ids(self, operator, value):
        if operator not in ("in", "="):
            raise UserError(self.env._("Journey mailings are searched by the mailings themselves."))
        ids = [value] if isinstance(value, int) else [v for v in value or () if isinstance(v, int)]
        readable = self.env["mailing.mailing"].browse(ids)._filtered_access("read")
        if not readable:
            return [("id", "in", [])]
        self.env["clientbase.journey.history"].flush_model(["member_id", "mailing_id", "result"])
        self.env["clientbase.journey.member"].flush_model(["partner_id"])
        return [
            (
                "id",
                "in",
                SQL(
                    "(SELECT m.partner_id FROM clientbase_journey_history jh"
                    " JOIN clientbase_journey_member m ON m.id = jh.member_id"
                    " WHERE jh.mailing_id = ANY(%s) AND jh.result = 'queued')",
                    readable.ids,
                ),
            )
        ]

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
