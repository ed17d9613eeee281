from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    clientbase_strict_manager = fields.Boolean(related="company_id.clientbase_strict_manager", readonly=False)
    clientbase_contact_min_days = fields.Integer(
        related="company_id.clientbase_contact_min_days", readonly=False
    )
    clientbase_contact_max_days = fields.Integer(
        related="company_id.clientbase_contact_max_days", readonly=False
    )
    clientbase_contact_vip_max_days = fields.Integer(
        related="company_id.clientbase_contact_vip_max_days", readonly=False
    )
    clientbase_birthday_days_before = fields.Integer(
        related="company_id.clientbase_birthday_days_before", readonly=False
    )
    clientbase_birthday_greeting = fields.Boolean(
        related="company_id.clientbase_birthday_greeting", readonly=False
    )
    clientbase_potential_pause_days = fields.Integer(
        related="company_id.clientbase_potential_pause_days", readonly=False
    )
    clientbase_potential_retry_days = fields.Integer(
        related="company_id.clientbase_potential_retry_days", readonly=False
    )
    clientbase_verify_days = fields.Integer(related="company_id.clientbase_verify_days", readonly=False)
