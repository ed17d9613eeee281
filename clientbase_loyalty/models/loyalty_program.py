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
