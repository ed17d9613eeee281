from odoo import api, models


class ClientbaseClientFigures(models.Model):
    """The levels follow the figures they are computed from: after each nightly run of the
    segmentation engine (before the user-defined segments, whose domains may read the
    level) and after each instant update of a few clients (an order confirmed or cancelled).

    At night the levels on all-time receipts are refreshed for the partners whose figures
    changed, as the segments take them (``clientbase_segment.py``); those on a rolling window
    (``res_company.client_loyalty_window_months``) move with the date too, so their companies
    are refreshed whole."""

    _inherit = "clientbase.client.figures"

    @api.model
    def _refresh_user_segments(self):
        # called once at the end of every complete nightly run (cron step or whole run)
        windowed = (
            self.env["res.company"]
            .sudo()
            .with_context(active_test=False)
            .search([("client_loyalty_window_months", ">", 0)])
        )
        if windowed:
            self.env["clientbase.loyalty.status"].sudo()._refresh_levels(companies=windowed)
        return super()._refresh_user_segments()

    @api.model
    def _refresh_clients(self, partners, companies=None):
        written = super()._refresh_clients(partners, companies=companies)
        self.env["clientbase.loyalty.status"].sudo()._refresh_levels(
            partner_ids=partners.commercial_partner_id.ids, companies=companies
        )
        return written
