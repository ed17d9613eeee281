from odoo import api, fields, models


class ClientbaseChannelCost(models.Model):
    """What an acquisition channel cost in a month (entered by marketing): the channel report's
    cost per client (CAC) and ROI."""

    _name = "clientbase.channel.cost"
    _description = "Acquisition Channel Cost"
    _order = "month desc, channel_id"

    channel_id = fields.Many2one("clientbase.channel", required=True, ondelete="cascade", index=True)
    month = fields.Date(required=True, help="Any day of the month; stored as its first day.")
    amount = fields.Monetary(required=True, currency_field="currency_id")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    note = fields.Char()

    _sql_constraints = [
        ("month_uniq", "UNIQUE(channel_id, month, company_id)", "A channel has one cost per month."),
        ("amount_positive", "CHECK(amount >= 0)", "A cost cannot be negative."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("month"):
                vals["month"] = fields.Date.to_date(vals["month"]).replace(day=1)
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("month"):
            vals["month"] = fields.Date.to_date(vals["month"]).replace(day=1)
        return super().write(vals)
