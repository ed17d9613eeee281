from odoo import fields, models

from .clientbase_consent import CONSENT_PURPOSES


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    clientbase_consent_purpose = fields.Selection(
        CONSENT_PURPOSES,
        string="Client Base Consent Purpose",
        copy=True,
        readonly=True,
        help="Set on mailings prepared by the Client Base mailing wizard: when sending, clients without "
        "a current consent for this purpose and channel, blacklisted, opted out or mailed too often "
        "are removed from the recipients.",
    )

    def _get_recipients(self):
        """Re-check consent, blacklist, opt-out and frequency cap at send time.

        Acts only on mailings flagged by the Client Base wizard, so that every
        other mailing behaves exactly as in Odoo.
        """
        res_ids = super()._get_recipients()
        if not self.clientbase_consent_purpose or self.mailing_model_real != "res.partner" or not res_ids:
            return res_ids
        channel = "sms" if self.mailing_type == "sms" else "email"
        exclude = self.ids
        if self.ab_testing_enabled and self.campaign_id:
            exclude = self._get_ab_testing_siblings_mailings().ids
        eligible = set(
            self.env["clientbase.mailing.eligibility"]._filter_eligible(
                res_ids,
                channel,
                self.clientbase_consent_purpose,
                company=self.user_id.company_id or self.env.company,
                exclude_mailing_ids=exclude,
            )
        )
        return [res_id for res_id in res_ids if res_id in eligible]
