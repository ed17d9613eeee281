from odoo import api, models
from odoo.addons.clientbase_crm.segmentation import members


class ClientbaseSegment(models.Model):
    """The levels of the partners whose figures changed, refreshed when the nightly segments
    refresh takes them (``clientbase_crm``'s ``_take_notes``), before the segments, whose
    conditions may read the level: every change of the figures' receipts is noted, and the notes
    are taken in that one place, so no change reaches the segments without the levels seeing it.
    Taken whole (a full run, too many changes): every client's level."""

    _inherit = "clientbase.segment"

    @api.model
    def _take_notes(self):
        noted, whole = super()._take_notes()
        Status = self.env["clientbase.loyalty.status"].sudo()
        if whole:
            Status._refresh_levels()
        elif noted:
            Status._refresh_levels(scope=members.in_taken())
        return noted, whole
