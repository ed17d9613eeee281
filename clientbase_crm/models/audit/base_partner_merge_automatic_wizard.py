from odoo import models

from .clientbase_change_log import DOOR_KEY


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """The values a merge gives the kept partner come by the door "merge"; the log rows of
    the merged partners follow them to the kept one (Odoo moves every link to a partner)."""

    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        self = self.with_context(**{DOOR_KEY: "merge"})
        if dst_partner:
            dst_partner = dst_partner.with_context(**{DOOR_KEY: "merge"})
        return super()._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)
