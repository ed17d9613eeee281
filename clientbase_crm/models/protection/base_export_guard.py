import logging

from odoo import api, models
from odoo.exceptions import AccessError
from odoo.http import request as http_request

from .clientbase_security import EXPORT_GROUP, GUARDED_EXPORT_MODELS
from .res_partner_export import NAME_PATHS

_logger = logging.getLogger(__name__)


class Base(models.AbstractModel):
    """One export guard for every model whose rows reach client data.

    Every export of Odoo ends in ``export_data`` (``/web/export/*`` calls it,
    once per group of a grouped export; RPC clients call it directly). For the
    models of ``GUARDED_EXPORT_MODELS`` (the partner, the client base's own
    models) and for every other model when a column resolves to a partner's data
    (:meth:`_clientbase_path_reaches_partner_data`), an export
    needs the *Export Client Data* right and stays within the user's quota
    (``clientbase.export.request._check_export_allowed``); it is logged, and so
    is a refusal (in a cursor of its own, so that the refusal's rollback keeps
    the line). What the export holds is what the user may read: the record
    rules of the client data apply to it as to any read. The superuser (code,
    crons, ``sudo()``) is not an export.
    """

    _inherit = "base"

    def export_data(self, fields_to_export):
        if self.env.su or not self._clientbase_export_is_guarded(fields_to_export):
            return super().export_data(fields_to_export)
        door = self._clientbase_export_door()
        approval = self._clientbase_check_export(len(self), fields_to_export, door)
        result = super().export_data(fields_to_export)
        self.env["clientbase.export.log"]._log_export(
            self._name, len(self), fields_to_export, door, request=approval
        )
        return result

    @api.model
    def _clientbase_check_export(self, record_count, fields_to_export, door):
        """The guard of an export of ``record_count`` records of this model: the right, then
        the quota (returns the approved request it consumes, if any); a refusal is logged and
        raised as ``AccessError``. The caller logs the export once it is done."""
        try:
            if not self.env.user.has_group(EXPORT_GROUP):
                raise AccessError(
                    self.env._(
                        "You are not allowed to export client data. "
                        "Ask your administrator for the “Export Client Data” right."
                    )
                )
            return self.env["clientbase.export.request"]._check_export_allowed(self._name, record_count)
        except AccessError as error:
            self.env["clientbase.export.log"]._log_refusal(
                self._name, record_count, fields_to_export, door, error
            )
            raise

    @api.model
    def _clientbase_export_is_guarded(self, fields_to_export):
        if self._name in GUARDED_EXPORT_MODELS:
            return True
        # any other model: guarded when a column resolves to a partner's data, whatever the
        # path's names (res.users' delegated ``email``, mail.followers' related ``email``,
        # ``partner_id/phone`` of a quotation)
        return any(self._clientbase_path_reaches_partner_data(path) for path in fields_to_export)

    @api.model
    def _clientbase_path_reaches_partner_data(self, path):
        """Whether the export column ``path`` ends on a field of a partner other than its name:
        decided by the fields the path goes through (related and delegated fields followed to the
        field they show), not by their names."""
        model, parts, hops = self, [part for part in (path or "").split("/") if part], 0
        while parts and hops < 20:
            hops += 1
            name = parts[0].removesuffix(".id") if parts[0] != ".id" else parts[0]
            if name in NAME_PATHS and model._name == "res.partner":
                return False
            field = model._fields.get(name)
            if field is None:
                return False
            if field.related:
                chain = field.related.split(".") if isinstance(field.related, str) else list(field.related)
                parts = chain + parts[1:]
                continue
            if model._name == "res.partner":
                return True
            if not field.relational:
                return False
            model, parts = self.env[field.comodel_name], parts[1:]
        return False

    @api.model
    def _clientbase_export_door(self):
        if http_request and getattr(http_request, "httprequest", None):
            if http_request.httprequest.path.startswith("/web/export/"):
                return "web_export"
        return "rpc"
