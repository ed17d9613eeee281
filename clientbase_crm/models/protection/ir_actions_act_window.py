import ast

from odoo import models

from .clientbase_security import MANAGER_GROUP, USER_GROUP

# the client base's screens that open on "My Clients" for salespeople (managers see the base)
MY_CLIENTS_ACTIONS = (
    "clientbase_crm.res_partner_action_clients",
    "clientbase_crm.res_partner_action_clientbase_by_warmth",
    "clientbase_crm.res_partner_action_clientbase_by_stage",
    "clientbase_crm.res_partner_action_clientbase_vip",
    "clientbase_crm.res_partner_action_clientbase_potentials",
    "clientbase_crm.res_partner_action_clientbase_inactive",
    "clientbase_crm.res_partner_action_clientbase_analysis",
)


class IrActionsActWindow(models.Model):
    _inherit = "ir.actions.act_window"

    def _get_action_dict(self):
        """Salespeople open the Clients list and the funnels on their own clients (the
        *My Clients* filter, removable); client base managers on the whole base."""
        result = super()._get_action_dict()
        user = self.env.user
        if not user.has_group(USER_GROUP) or user.has_group(MANAGER_GROUP):
            return result
        own_actions = {self.env.ref(xmlid, raise_if_not_found=False) for xmlid in MY_CLIENTS_ACTIONS}
        if self not in own_actions:
            return result
        try:
            context = ast.literal_eval(result.get("context") or "{}")
        except (ValueError, SyntaxError):
            return result  # a context with expressions: left as it is
        context["search_default_filter_my_clients"] = 1
        result["context"] = repr(context)
        return result
