from odoo import api, models


class ClientbaseClientFigures(models.Model):
    """The levels follow the figures they are computed from: after each nightly run of the
    segmentation engine (before the user-defined segments, whose domains may read the
    level) and after each instant update of a few clients (an order confirmed or cancelled)."""

    _inherit = "clientbase.client.figures"

    @api.model
    def _refresh_user_segments(self):
        # called once at the end of every complete nightly run (cron step or whole run)
        self.env["clientbase.loyalty.status"].sudo()._refresh_levels()
        return super()._refresh_user_segments()

    @api.model
    def _refresh_clients(self, partners, companies=None):
        written = super()._refresh_clients(partners, companies=companies)
        self.env["clientbase.loyalty.status"].sudo()._refresh_levels(
            partner_ids=partners.commercial_partner_id.ids, companies=companies
        )
        return written
