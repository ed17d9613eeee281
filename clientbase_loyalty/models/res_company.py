from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    client_loyalty_window_months = fields.Integer(
        string="Loyalty Levels Window (Months)",
        default=0,
        help="Receipts of the last N months make the loyalty level; 0 counts all the client's receipts.",
    )

    _sql_constraints = [
        (
            "client_loyalty_window_months_positive",
            "CHECK (client_loyalty_window_months >= 0)",
            "The loyalty levels' window is a number of months, zero or more.",
        )
    ]

    def write(self, vals):
        result = super().write(vals)
        if "client_loyalty_window_months" in vals:
            # the receipts change with the window: the clients move at once, as when the levels
            # table changes (the nightly run refreshes only the clients whose figures changed)
            self.env["clientbase.loyalty.status"].sudo()._refresh_levels(companies=self)
        return result
