from odoo import api, models

from .clientbase_security import EXPORT_GROUP, USER_GROUP

VCARD_ACTION = "web.download_contact"


class IrActionsActions(models.Model):
    """*Download (vCard)* is an export of contact data: a client base user without the export
    right does not get it in the Action menu (the download itself is refused and logged by the
    export guard, ``res_partner_vcard.py``). Users outside the client base keep it for the
    partners that are not clients, as Odoo gives it."""

    _inherit = "ir.actions.actions"

    @api.model
    def get_bindings(self, model_name):
        result = super().get_bindings(model_name)
        user = self.env.user
        if model_name != "res.partner" or not user.has_group(USER_GROUP) or user.has_group(EXPORT_GROUP):
            return result
        vcard = self.env.ref(VCARD_ACTION, raise_if_not_found=False)
        if vcard and result.get("action"):
            result["action"] = [action for action in result["action"] if action.get("id") != vcard.id]
            if not result["action"]:
                del result["action"]
        return result
