from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    clientbase_strict_manager = fields.Boolean(
        string="Strict One Manager per Client",
        help="Refuse, instead of only warning, when someone other than the client's manager logs an "
        "interaction or opens an opportunity for the client.",
    )
    clientbase_contact_min_days = fields.Integer(string="Minimum Days Between Contacts", default=7)
    clientbase_contact_max_days = fields.Integer(string="Maximum Days Without Contact", default=90)
    clientbase_contact_vip_max_days = fields.Integer(string="Maximum Days Without Contact (VIP)", default=30)
    clientbase_birthday_days_before = fields.Integer(string="Birthday Reminder Days Before", default=3)
    clientbase_potential_pause_days = fields.Integer(
        string="Pause Potentials Without Deal After (days)", default=90
    )
    clientbase_potential_retry_days = fields.Integer(
        string="Try Paused Potentials Again After (days)", default=90
    )
    clientbase_verify_days = fields.Integer(string="Verify Client Data Every (days)", default=365)
