from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    clientbase_change_alert_threshold = fields.Integer(
        string="Mass Change Alert Above (clients)",
        default=50,
        help="Tell the head of sales when one user changes the emails, phones or manager of more "
        "clients than this within the period (0: no alerts).",
    )
    clientbase_change_alert_hours = fields.Integer(
        string="Mass Change Period (hours)",
        default=24,
        help="The period over which one user's changes of clients are counted.",
    )
    clientbase_change_alert_user_id = fields.Many2one(
        "res.users",
        string="Head of Sales",
        help="Who gets the mass change alerts; empty: a client base manager.",
    )
    clientbase_change_log_days = fields.Integer(
        string="Keep Client Changes (days)",
        default=730,
        help="Changes older than this are deleted from the client change log every night (0: keep all).",
    )
