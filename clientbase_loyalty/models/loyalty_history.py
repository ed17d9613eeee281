from odoo import models


class LoyaltyHistory(models.Model):
    """Points granted for a client-base event (``clientbase.loyalty.grant``) are history lines
    without an order: their description says what they were for."""

    _inherit = "loyalty.history"

    def _get_order_description(self):
        self.ensure_one()
        if not self.order_model:
            return False
        return super()._get_order_description()
