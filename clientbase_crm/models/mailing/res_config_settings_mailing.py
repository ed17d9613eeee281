from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    client_mailing_cap_count = fields.Integer(related="company_id.client_mailing_cap_count", readonly=False)
    client_mailing_cap_days = fields.Integer(related="company_id.client_mailing_cap_days", readonly=False)
