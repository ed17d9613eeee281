from odoo import api, models

from ..protection.clientbase_security import MANAGER_GROUP

ALL_LEADS_GROUP = "sales_team.group_sale_salesman_all_leads"


class CrmLead(models.Model):
    """One manager per client, by every door (the form, RPC, imports): opening an
    opportunity for another manager's client, or pointing one at it, is refused in strict
    mode; otherwise the colleague keeps it (and sees it), the client's manager is told in the
    client's chatter and follows the opportunity."""

    _inherit = "crm.lead"

    def _clientbase_assignee(self, partner):
        """The salesperson of an opportunity a client base manager who sees every lead (a head of
        sales) opens for ``partner`` (a client or one of its contacts): the client's manager (one
        manager per client); None otherwise."""
        client = partner.commercial_partner_id
        user = self.env.user
        if client.user_id and user.has_group(MANAGER_GROUP) and user.has_group(ALL_LEADS_GROUP):
            return client.user_id
        return None

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("partner_id") and "user_id" not in vals:
                assignee = self._clientbase_assignee(self.env["res.partner"].browse(vals["partner_id"]))
                if assignee:
                    vals["user_id"] = assignee.id
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
        still see what they save), the client's manager is told on save. A client base manager
        opens it for the client's manager, also from a contact of the client."""
        client = self.partner_id.commercial_partner_id
        assignee = self._clientbase_assignee(self.partner_id)
        if assignee:
            self.user_id = assignee  # a head of sales opens it for the client's manager
            return None
        if not client.user_id or not self.env.user.has_group("clientbase_crm.group_clientbase_user"):
            return None
        message = client._client_check_manager(self.env._("open an opportunity"), warn_only=True)
        if message:
            return {"warning": {"title": self.env._("Client managed by a colleague"), "message": message}}
        return None
