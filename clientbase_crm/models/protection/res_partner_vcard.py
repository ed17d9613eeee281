from odoo import models

# what a contact card (vCard) holds of a partner: Odoo's _build_vcard
VCARD_FIELDS = (
    "name",
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "city",
    "zip",
    "country_id",
    "website",
    "function",
    "image_128",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _clientbase_guard_vcard(self):
        """Check and log a download of the contact cards of ``self`` (the web client's
        *Download (vCard)*): the clients among them count as an export of client data; cards of
        partners that are not clients (a vendor, a carrier) are not the client base's."""
        if self.env.su:
            return
        clients = self.exists()._filtered_access("read")._get_client_clients()
        if not clients:
            return
        approval = self._clientbase_check_export(len(clients), list(VCARD_FIELDS), "vcard")
        self.env["clientbase.export.log"]._log_export(
            self._name, len(clients), list(VCARD_FIELDS), "vcard", request=approval
        )
