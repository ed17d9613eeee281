from odoo import api, models
from odoo.exceptions import AccessError
from odoo.http import request as http_request

EXPORT_GROUP = "clientbase_crm.group_clientbase_export"
NAME_PATHS = ("display_name", "name", "id", ".id")


class ResPartner(models.Model):
    """Server-side export control on client data.

    Odoo's own export permission (``base.group_allow_export``) only hides the
    button: ``/web/export/*`` and ``export_data`` still answer. Every export
    door ends in ``export_data`` (Odoo's controllers call it, grouped exports
    once per group), or in ``_export_rows`` when another model's export
    follows a relation into partners (``partner_id/email`` on a quotation),
    so both refuse users outside the export group. The superuser (internal
    code, cron, ``sudo()``) is not an export and is neither refused nor logged.
    """

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _check_client_export_right(self):
        if self.env.su or self.env.user.has_group(EXPORT_GROUP):
            return
        raise AccessError(
            self.env._(
                "You are not allowed to export client data. "
                "Ask your administrator for the “Export Client Data” right."
            )
        )

    @api.model
    def _get_client_export_door(self):
        if http_request and getattr(http_request, "httprequest", None):
            if http_request.httprequest.path.startswith("/web/export/"):
                return "web_export"
        return "rpc"

    def export_data(self, fields_to_export):
        if self.env.su:
            return super().export_data(fields_to_export)
        self._check_client_export_right()
        approval = self.env["clientbase.export.request"]._check_export_allowed(self._name, len(self))
        result = super().export_data(fields_to_export)
        self.env["clientbase.export.log"]._log_export(
            self._name, len(self), fields_to_export, self._get_client_export_door(), request=approval
        )
        return result

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        if not _is_toplevel_call and any(path and path[0] not in NAME_PATHS for path in fields):
            # another model's export follows a relation into the client's data:
            # its name (shown on every quotation and lead) is fine, the rest is not
            self._check_client_export_right()
        return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)
