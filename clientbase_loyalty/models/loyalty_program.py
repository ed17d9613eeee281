from odoo import fields, models


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    clientbase_level_id = fields.Many2one(
        "clientbase.loyalty.level",
        string="Loyalty Level",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="This promotion applies to the clients holding this level only.",
    )
    clientbase_vip_only = fields.Boolean(
        string="VIP Clients Only",
        help="This program applies to the orders of the clients who are VIP in the order's company only "
        "(the client base's VIP status, by the figures or set by hand): a VIP perk such as free delivery or "
        "a gift on every order. It stops when the client is no longer VIP.",
    )
