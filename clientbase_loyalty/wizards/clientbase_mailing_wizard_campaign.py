from markupsafe import Markup

from odoo import api, fields, models

from ..models.res_partner_promo_code import PROMO_CAMPAIGN_CONTEXT


class ClientbaseMailingWizard(models.TransientModel):
    """A mailing tied to one chosen promo campaign: the clients holding a code of it, and the
    placeholders of the personal code and its deadline showing, for each client, his code of
    that campaign (in the preview and in the mailing created, which keeps the campaign)."""

    _inherit = "clientbase.mailing.wizard"

    promo_campaign_id = fields.Many2one(
        "clientbase.loyalty.campaign",
        help="Mail the clients holding a personal code of this campaign: the personal code placeholders "
        "show each client's code of this campaign and its deadline.",
    )

    @api.model
    def _promo_campaign_target(self, campaign):
        return {
            "target_domain": repr([("client_promo_campaign_ids", "in", campaign.ids)]),
            "target_description": self.env._("Codes of the campaign %(campaign)s", campaign=campaign.name),
        }

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        campaign = self.env["clientbase.loyalty.campaign"].browse(res.get("promo_campaign_id"))
        if campaign:
            res.update(self._promo_campaign_target(campaign))
            res.setdefault("name", campaign.name)
        return res

    @api.onchange("promo_campaign_id")
    def _onchange_promo_campaign_id(self):
        if self.promo_campaign_id:
            self.update(self._promo_campaign_target(self.promo_campaign_id))

    def _promo_campaign_context(self):
        self.ensure_one()
        return self.with_context(**{PROMO_CAMPAIGN_CONTEXT: self.promo_campaign_id.id or False})

    @api.depends(
        "target_domain", "channel", "purpose", "subject", "body_html", "body_plaintext", "promo_campaign_id"
    )
    def _compute_recipients(self):
        result = None
        for wizard in self:
            result = super(ClientbaseMailingWizard, wizard._promo_campaign_context())._compute_recipients()
        return result

    def _render_preview(self, recipients):
        wizard = self._promo_campaign_context()
        return super(ClientbaseMailingWizard, wizard)._render_preview(recipients.with_env(wizard.env))

    def _prepare_mailing_values(self, eligible_ids):
        vals = super()._prepare_mailing_values(eligible_ids)
        vals["clientbase_promo_campaign_id"] = self.promo_campaign_id.id
        return vals

    def _compute_placeholder_help(self):
        result = super()._compute_placeholder_help()
        for wizard in self.filtered("promo_campaign_id"):
            wizard.placeholder_help = Markup(wizard.placeholder_help or "") + (
                Markup("<p class='text-muted'>%s</p>")
                % self.env._(
                    "The personal code and its deadline are each client's of the campaign %(campaign)s.",
                    campaign=wizard.promo_campaign_id.name,
                )
            )
        return result
