from odoo import api, models


class CrmLead(models.Model):
    """One manager per client, by every door (the form, RPC, imports): opening an
    opportunity for another manager's client, or pointing one at it, is refused in strict
    mode; otherwise the colleague keeps it (and sees it), the client's manager is told in the
    client's chatter and follows the opportunity."""

    _inherit = "crm.lead"

    @api.model_create_multi
    def create(self, vals_list):
        colleagues = [
            index
            for index, vals in enumerate(vals_list)
            if vals.get("partner_id")
            and self.env["res.partner"]
            .browse(vals["partner_id"])
            ._client_check_manager(self.env._("open an opportunity"))
        ]
        leads = super().create(vals_list)
        self.env["res.partner"]._client_manager_follows(
            leads.browse([leads.ids[index] for index in colleagues])
        )
        return leads

    def write(self, vals):
        colleague = vals.get("partner_id") and self.env["res.partner"].browse(
            vals["partner_id"]
        )._client_check_manager(self.env._("open an opportunity"))
        res = super().write(vals)
        if colleague:
            self.env["res.partner"]._client_manager_follows(self)
        return res

    @api.onchange("partner_id")
    def _onchange_partner_id_clientbase_manager(self):
        """The form warns before saving; the salesperson stays who opens it (a colleague must
        still see what they save), the client's manager is told on save."""
        client = self.partner_id.commercial_partner_id
        if not client.user_id or not self.env.user.has_group("clientbase_crm.group_clientbase_user"):
            return None
        message = client._client_check_manager(self.env._("open an opportunity"), warn_only=True)
        if message:
            return {"warning": {"title": self.env._("Client managed by a colleague"), "message": message}}
        return None
