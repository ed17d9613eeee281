from odoo import models
from odoo.exceptions import UserError


class SmsComposer(models.TransientModel):
    """The SMS composer in mass mode is a marketing door: the consent ledger decides.

    Mass mode is what SMS Marketing sends through and what the list's *Send SMS* on a selection
    opens. A mailing leaves out the clients who may not receive it; the composer opened by a user
    refuses with the names and the reasons. Comment mode (an SMS to one record from its chatter)
    is transactional and is not touched. A composer told to send to a field of the records
    (``number_field_name``) is judged by the numbers that field holds too.
    """

    _inherit = "sms.composer"

    def _action_send_sms_mass(self, records=None):
        records = records if records is not None else self._get_records()
        mailing = self.mailing_id if "mailing_id" in self._fields else None
        if records:
            kept, left_out = self.env["clientbase.mailing.eligibility"]._filter_marketing_recipients(
                records._name,
                records.ids,
                "sms",
                mailing=mailing or None,
                number_fields=[self.number_field_name] if self.number_field_name else None,
            )
            if left_out and not mailing:
                raise UserError(
                    self.env["clientbase.mailing.eligibility"]._marketing_refusal_message(left_out)
                )
            records = records.browse(kept)
            if not records:
                return self.env["sms.sms"].sudo()
        return super()._action_send_sms_mass(records=records)
