from odoo import models
from odoo.exceptions import UserError


class MailComposeMessage(models.TransientModel):
    """The mail composer in mass mode is a marketing door: the consent ledger decides.

    Mass mode is what Email Marketing sends through and what the list's *Send email* on a
    selection opens. A mailing leaves out the clients who may not receive it (like the Client Base
    wizard); the composer opened by a user refuses with the names and the reasons, so that nobody
    believes a message went out that did not. Comment mode (a reply in the chatter, an order
    confirmation, an invoice sent from its form) is transactional and is not touched.
    """

    _inherit = "mail.compose.message"

    def _action_send_mail_mass_mail(self, res_ids, auto_commit=False):
        mailing = self.mass_mailing_id if "mass_mailing_id" in self._fields else None
        kept, left_out = self.env["clientbase.mailing.eligibility"]._filter_marketing_recipients(
            self.model, res_ids, "email", mailing=mailing or None
        )
        if left_out and not mailing:
            raise UserError(self.env["clientbase.mailing.eligibility"]._marketing_refusal_message(left_out))
        if not kept:
            return self.env["mail.mail"].sudo()
        return super()._action_send_mail_mass_mail(kept, auto_commit=auto_commit)

    def _prepare_mail_values(self, res_ids):
        """In mass mode, the recipients the mails really go to are judged too (a template that
        sends to ``partner_to`` or ``email_to`` reaches others than the records): refused with
        their names when the user sends, left out of a mailing's send."""
        values = super()._prepare_mail_values(res_ids)
        if self.composition_mode != "mass_mail" or not values:
            return values
        mailing = self.mass_mailing_id if "mass_mailing_id" in self._fields else None
        kept, left_out = self.env["clientbase.mailing.eligibility"]._filter_marketing_mail_values(
            values, mailing=mailing or None
        )
        if left_out and not mailing:
            raise UserError(self.env["clientbase.mailing.eligibility"]._marketing_refusal_message(left_out))
        return kept
