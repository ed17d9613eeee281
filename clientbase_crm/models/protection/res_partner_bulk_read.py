from odoo import models
from odoo.exceptions import AccessError

from .clientbase_security import MANAGER_GROUP
from .res_partner_masked import masked_user

# a read of more partners than a screen shows (a list page is 80) is a bulk read
BULK_READ_MIN = 200
# the contact data a bulk read of other managers' clients takes out
BULK_CONTACT_FIELDS = frozenset(
    {"email", "email_normalized", "phone", "phone_sanitized", "mobile", "street", "vat"}
)


class ResPartner(models.Model):
    """Bulk reads of other managers' clients' contact data count as an export.

    In open mode a salesperson sees the other managers' clients with their contact data, as the
    screens show them a page at a time. A read of more than ``BULK_READ_MIN`` partners at once
    (``read``, ``search_read``, ``web_search_read`` over RPC: every door ends in ``_read_format``)
    that asks for contact data and holds other managers' clients is charged to the user's export
    quota and logged (door RPC), like an export: above the quota, without an approved request, it
    is refused and the refusal logged. Managers and code (superuser) are not charged.
    """

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    def _read_format(self, fnames, load="_classic_read"):
        if len(self) > BULK_READ_MIN and not self.env.su and BULK_CONTACT_FIELDS & set(fnames):
            self._clientbase_charge_bulk_read(sorted(BULK_CONTACT_FIELDS & set(fnames)))
        return super()._read_format(fnames, load)

    def _clientbase_charge_bulk_read(self, field_names):
        if self.env.user.has_group(MANAGER_GROUP) or masked_user(self.env):
            # (in masked-contacts mode other managers' clients' contacts are read masked)
            return
        foreign = self._get_client_clients() & self._get_client_data_foreign()
        if len(foreign) <= BULK_READ_MIN:
            return
        Log = self.env["clientbase.export.log"]
        try:
            request = self.env["clientbase.export.request"]._check_export_allowed("res.partner", len(foreign))
        except AccessError as error:
            Log._log_refusal("res.partner", len(foreign), field_names, "rpc", error)
            raise
        Log._log_export(
            "res.partner",
            len(foreign),
            field_names,
            "rpc",
            request=request,
            note=self.env._("Bulk read of other managers' clients"),
        )
