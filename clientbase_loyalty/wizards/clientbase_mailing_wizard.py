from markupsafe import Markup

from odoo import models


class ClientbaseMailingWizard(models.TransientModel):
    """The mailing wizard lists the placeholders of the client's own promo code and its deadline."""

    _inherit = "clientbase.mailing.wizard"

    def _compute_placeholder_help(self):
        result = super()._compute_placeholder_help()
        placeholders = [
            (self.env._("Personal promo code"), "object.client_promo_code or ''"),
            (self.env._("Promo code valid until"), "format_date(object.client_promo_code_expiration)"),
        ]
        rows = Markup("").join(
            Markup("<tr><td>%s</td><td><code>{{ %s }}</code></td></tr>") % (label, expr)
            for label, expr in placeholders
        )
        for wizard in self:
            wizard.placeholder_help = Markup(wizard.placeholder_help or "") + (
                Markup("<table class='table table-sm'>%s</table>") % rows
            )
        return result
