from odoo import api, models


class PhoneBlacklist(models.Model):
    _inherit = "phone.blacklist"

    @api.model_create_multi
    def create(self, vals_list):
        """An SMS opt-out (a STOP reply, an unsubscribe link, a number blacklisted by hand)
        is also a withdrawal in the consent ledger, as an email unsubscribe is: the card
        stops showing SMS consent, and the withdrawal stays after the number leaves the
        blacklist."""
        records = super().create(vals_list)
        numbers = [number for number in records.filtered("active").mapped("number") if number]
        if numbers:
            self.env["clientbase.consent"].sudo()._withdraw_sms_consents(numbers)
        return records
