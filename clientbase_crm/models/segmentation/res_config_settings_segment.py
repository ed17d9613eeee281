from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    client_new_days = fields.Integer(related="company_id.client_new_days", readonly=False)
    client_inactive_days = fields.Integer(related="company_id.client_inactive_days", readonly=False)
    client_loyal_orders = fields.Integer(related="company_id.client_loyal_orders", readonly=False)
    client_loyal_days = fields.Integer(related="company_id.client_loyal_days", readonly=False)
    client_rfm_days = fields.Integer(related="company_id.client_rfm_days", readonly=False)
    client_abc_a_percent = fields.Float(related="company_id.client_abc_a_percent", readonly=False)
    client_abc_b_percent = fields.Float(related="company_id.client_abc_b_percent", readonly=False)
    client_warmth_days = fields.Integer(related="company_id.client_warmth_days", readonly=False)
    client_hot_probability = fields.Float(related="company_id.client_hot_probability", readonly=False)
    client_segment_full_run = fields.Boolean(
        string="Recompute the Whole Base Every Night",
        config_parameter="clientbase_crm.segment_full_run",
    )
