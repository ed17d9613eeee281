from odoo import fields, models

from .res_partner_promo_code import PROMO_CAMPAIGN_CONTEXT


class MailingMailing(models.Model):
    """A mailing tied to one promo campaign: its placeholders of the personal code and its
    deadline show, for each client, the code that campaign gave him (not the client's code issued
    last). The campaign travels in the context of the rendering, for emails (the composer's
    context, ``_get_mass_mailing_context``) and for SMS."""

    _inherit = "mailing.mailing"

    clientbase_promo_campaign_id = fields.Many2one(
        "clientbase.loyalty.campaign",
        string="Promo Campaign",
        ondelete="set null",
        help="The personal code placeholders show each client's code of this campaign and its deadline.",
    )

    def _get_mass_mailing_context(self):
        context = super()._get_mass_mailing_context()
        if self.clientbase_promo_campaign_id:
            context[PROMO_CAMPAIGN_CONTEXT] = self.clientbase_promo_campaign_id.id
        return context

    def action_send_sms(self, res_ids=None):
        tied = self.filtered("clientbase_promo_campaign_id")
        for mailing in tied:
            super(
                MailingMailing,
                mailing.with_context(**{PROMO_CAMPAIGN_CONTEXT: mailing.clientbase_promo_campaign_id.id}),
            ).action_send_sms(res_ids=res_ids)
        if self - tied:
            super(MailingMailing, self - tied).action_send_sms(res_ids=res_ids)
        return True
