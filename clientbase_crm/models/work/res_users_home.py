from odoo import api, models

from ..protection.clientbase_security import USER_GROUP

# the screen a client base user lands on after login: the Clients list, which opens on
# *My Clients* for salespeople and on the whole base for managers (ir_actions_act_window.py)
HOME_ACTION = "clientbase_crm.res_partner_action_clients"
# the keys of a write that may change a user's groups (the form's reified group fields too)
GROUP_KEYS = ("groups_id", "in_group_", "sel_groups_")


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users._client_set_home_action()
        return users

    def write(self, vals):
        res = super().write(vals)
        if any(key.startswith(GROUP_KEYS) for key in vals):
            self._client_set_home_action()
        return res

    def _client_set_home_action(self):
        """Internal users given a client base group land on the client base after login, unless
        a home action was chosen for them: Odoo's default (Discuss) is left for the others."""
        action = self.env.ref(HOME_ACTION, raise_if_not_found=False)
        if not action:
            return
        todo = self.sudo().filtered(
            lambda user: not user.action_id and not user.share and user._has_group(USER_GROUP)
        )
        if todo:
            todo.write({"action_id": action.id})
