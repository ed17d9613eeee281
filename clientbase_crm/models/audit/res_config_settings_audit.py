from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    clientbase_change_alert_threshold = fields.Integer(
        related="company_id.clientbase_change_alert_threshold", readonly=False
    )
    clientbase_change_alert_hours = fields.Integer(
        related="company_id.clientbase_change_alert_hours", readonly=False
    )
    clientbase_change_alert_user_id = fields.Many2one(
        related="company_id.clientbase_change_alert_user_id", readonly=False
    )
    clientbase_change_log_days = fields.Integer(
        related="company_id.clientbase_change_log_days", readonly=False
    )
