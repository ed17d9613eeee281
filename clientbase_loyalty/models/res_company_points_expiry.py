from odoo import fields, models


class ResCompany(models.Model):
    """The lifetime of the bonus points, set on the company's bonus program
    (``loyalty_card_expiry.py``) and shown beside its other bonus settings."""

    _inherit = "res.company"

    client_bonus_expiry_months = fields.Integer(
        string="Points Expire After (Months)",
        related="client_bonus_program_id.clientbase_points_expiry_months",
        readonly=False,
    )
