from odoo import api, fields, models
from odoo.addons.clientbase_crm.models.protection.clientbase_security import USER_GROUP


class SaleOrder(models.Model):
    """The quotation shows the client's personal promo code and its deadline (the code of its
    latest promo campaign still valid), so that the salesperson can offer it or recognise it
    when the client quotes it; Odoo's *Coupon Code* entry applies it. Read through the cards'
    record rules, as on the client's card: another manager's client shows none."""

    _inherit = "sale.order"

    client_promo_code = fields.Char(
        string="Client's Promo Code",
        compute="_compute_client_promo_code",
        groups=USER_GROUP,
        help="The client's personal code of its latest promo campaign still valid: apply it with "
        "Coupon Code.",
    )
    client_promo_code_expiration = fields.Date(
        string="Client's Promo Code Valid Until", compute="_compute_client_promo_code", groups=USER_GROUP
    )

    @api.depends("partner_id")
    @api.depends_context("uid", "company")
    def _compute_client_promo_code(self):
        for order in self:
            client = order.partner_id.commercial_partner_id
            order.client_promo_code = client.client_promo_code
            order.client_promo_code_expiration = client.client_promo_code_expiration
