from odoo import api, fields, models
from odoo.addons.clientbase_crm.models.protection.clientbase_security import USER_GROUP


class ResPartner(models.Model):
    """The client's own personal code and its deadline, for the mailings' placeholders
    (``{{ object.client_promo_code }}``, ``{{ format_date(object.client_promo_code_expiration) }}``)
    and the messages of the journeys: the client's personal code issued last (by a promo campaign
    or a journey step) that is still valid (not expired, not used up). Read through the cards'
    record rules: another manager's client shows none."""

    _inherit = "res.partner"

    client_promo_code = fields.Char(
        string="Personal Promo Code",
        compute="_compute_client_promo_code",
        groups=USER_GROUP,
        help="The client's personal code issued last (by a promo campaign or a journey step) and still valid.",
    )
    client_promo_code_expiration = fields.Date(
        string="Promo Code Valid Until", compute="_compute_client_promo_code", groups=USER_GROUP
    )

    @api.depends_context("uid", "company")
    def _compute_client_promo_code(self):
        clients = self.filtered("id").commercial_partner_id
        today = fields.Date.context_today(self)
        cards = self.env["loyalty.card"].search(
            [
                ("partner_id", "in", clients.ids),
                "|",
                ("clientbase_campaign_id", "!=", False),
                ("clientbase_journey_step_id", "!=", False),
                ("points", ">", 0),
                "|",
                ("expiration_date", "=", False),
                ("expiration_date", ">=", today),
            ],
            order="id desc",
        )
        latest = {}
        for card in cards:
            latest.setdefault(card.partner_id.id, card)
        for partner in self:
            card = latest.get(partner.commercial_partner_id.id)
            partner.client_promo_code = card.code if card else False
            partner.client_promo_code_expiration = card.expiration_date if card else False
