from odoo import fields, models


class ClientbaseChurnReason(models.Model):
    _name = "clientbase.churn.reason"
    _description = "Reason a Client Left"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    ask_competitor = fields.Boolean(
        string="Ask for the Competitor", help="The manager must name the competitor the client went to."
    )
    client_count = fields.Integer(string="Clients", compute="_compute_client_count")

    def _compute_client_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("client_churn_reason_id", "in", self.ids)], ["client_churn_reason_id"], ["__count"]
            )
        )
        for reason in self:
            reason.client_count = counts.get(reason, 0)
