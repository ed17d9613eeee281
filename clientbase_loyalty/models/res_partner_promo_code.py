from odoo import api, fields, models
from odoo.addons.clientbase_crm.models.protection.clientbase_security import USER_GROUP
from odoo.exceptions import UserError

# the context key of a mailing tied to one promo campaign: the placeholders show that campaign's code
PROMO_CAMPAIGN_CONTEXT = "clientbase_promo_campaign_id"


class ResPartner(models.Model):
    """The client's own personal code and its deadline, for the mailings' placeholders
    (``{{ object.client_promo_code }}``, ``{{ format_date(object.client_promo_code_expiration) }}``)
    and the messages of the journeys: the client's personal code issued last (by a promo campaign
    or a journey step) that is still valid (not expired, not used up). A mailing tied to one
    campaign renders them with that campaign in the context (``PROMO_CAMPAIGN_CONTEXT``): the
    client's code of that campaign and its deadline. Read through the cards' record rules:
    another manager's client shows none."""

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

    client_promo_campaign_ids = fields.Many2many(
        "clientbase.loyalty.campaign",
        string="Promo Campaigns",
        compute="_compute_client_promo_campaign_ids",
        search="_search_client_promo_campaign_ids",
        groups=USER_GROUP,
        help="The promo campaigns that gave the client a personal code.",
    )

    @api.depends_context("uid", "company", PROMO_CAMPAIGN_CONTEXT)
    def _compute_client_promo_code(self):
        clients = self.filtered("id").commercial_partner_id
        today = fields.Date.context_today(self)
        campaign_id = self.env.context.get(PROMO_CAMPAIGN_CONTEXT)
        origin = (
            [("clientbase_campaign_id", "=", campaign_id)]
            if campaign_id
            else ["|", ("clientbase_campaign_id", "!=", False), ("clientbase_journey_step_id", "!=", False)]
        )
        cards = self.env["loyalty.card"].search(
            [
                ("partner_id", "in", clients.ids),
                *origin,
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

    @api.depends_context("uid")
    def _compute_client_promo_campaign_ids(self):
        cards = self.env["loyalty.card"].search(
            [
                ("partner_id", "in", self.filtered("id").commercial_partner_id.ids),
                ("clientbase_campaign_id", "!=", False),
            ]
        )
        for partner in self:
            partner.client_promo_campaign_ids = cards.filtered(
                lambda card, p=partner: card.partner_id == p.commercial_partner_id
            ).clientbase_campaign_id

    def _search_client_promo_campaign_ids(self, operator, value):
        """Clients holding a personal code of the campaigns ``value`` (ids): the audience of a
        campaign's mailing, one subquery on the codes."""
        if operator not in ("in", "="):
            raise UserError(self.env._("Clients of promo campaigns are searched by campaign only."))
        ids = [value] if isinstance(value, int) else list(value or [])
        codes = self.env["loyalty.card"]._search([("clientbase_campaign_id", "in", ids)])
        return [("id", "in", codes.subselect("partner_id"))]
