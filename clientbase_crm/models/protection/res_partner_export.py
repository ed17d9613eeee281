from odoo import api, models
from odoo.exceptions import AccessError

from .clientbase_security import EXPORT_GROUP

NAME_PATHS = ("display_name", "name", "id", ".id")


class ResPartner(models.Model):
    """Exports of other models that follow a relation into a client.

    The export of partners themselves is guarded with every client data model
    (``base_export_guard.py``). Another model's export (a quotation, a lead)
    may show its client's name, as its form does; following the relation
    further (``partner_id/email``) is an export of client data and needs the
    *Export Client Data* right.
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

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        if not _is_toplevel_call and any(path and path[0] not in NAME_PATHS for path in fields):
            # another model's export follows a relation into the client's data:
            # its name (shown on every quotation and lead) is fine, the rest is not
            self._check_client_export_right()
        return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)
