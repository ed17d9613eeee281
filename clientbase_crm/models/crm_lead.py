from odoo import api, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model_create_multi
    def create(self, vals_list):
        # one manager per client: only enforced in strict mode (see res.partner._client_check_manager)
        if not self.env.su and self.env.company.clientbase_strict_manager:
            partner_ids = [vals["partner_id"] for vals in vals_list if vals.get("partner_id")]
            if partner_ids:
                self.env["res.partner"].browse(partner_ids)._client_check_manager(
                    self.env._("open an opportunity")
                )
        return super().create(vals_list)

    @api.onchange("partner_id")
    def _onchange_partner_id_clientbase_manager(self):
        """New opportunities follow the client's manager; others are warned."""
        client = self.partner_id.commercial_partner_id
        if not client.user_id or not self.env.user.has_group("clientbase_crm.group_clientbase_user"):
            return None
        if self.user_id != client.user_id:
            self.user_id = client.user_id
        message = client._client_check_manager(self.env._("open an opportunity"), warn_only=True)
        if message:
            return {"warning": {"title": self.env._("Client managed by a colleague"), "message": message}}
        return None
