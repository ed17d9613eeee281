from odoo import api, models


class MailBlacklist(models.Model):
    _inherit = "mail.blacklist"

    @api.model
    def _add(self, email, message=None):
        """An unsubscribe (Odoo blacklists the address) is also a withdrawal in the consent ledger.

        The blacklist alone already removes the client from mailings at once;
        the ledger row makes the withdrawal visible on the client card and
        keeps it after the address is taken off the blacklist.
        """
        record = super()._add(email, message=message)
        if record.email:
            self.env["clientbase.consent"].sudo()._withdraw_email_consents(record.email)
        return record
