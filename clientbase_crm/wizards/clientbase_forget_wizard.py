from odoo import api, fields, models
from odoo.exceptions import UserError


class ClientbaseForgetWizard(models.TransientModel):
    """Forget this client: erase its personal data, behind a confirmation."""

    _name = "clientbase.forget.wizard"
    _description = "Forget a Client"

    partner_id = fields.Many2one("res.partner", string="Client", required=True, readonly=True)
    reason = fields.Char(help="The client's request: date, channel, reference.")
    confirm = fields.Boolean(string="I understand that this cannot be undone")

    @api.model
    def default_get(self, fields_list):
        vals = super().default_get(fields_list)
        if self.env.context.get("active_model") == "res.partner" and self.env.context.get("active_id"):
            partner = self.env["res.partner"].browse(self.env.context["active_id"])
            vals.setdefault("partner_id", partner.commercial_partner_id.id)
        return vals

    def action_forget(self):
        self.ensure_one()
        if not self.confirm:
            raise UserError(self.env._("Tick the confirmation: forgetting a client cannot be undone."))
        self.partner_id._client_forget(self.reason)
        return {"type": "ir.actions.act_window_close"}
