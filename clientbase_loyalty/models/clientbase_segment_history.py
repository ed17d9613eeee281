from odoo import api, fields, models


class ClientbaseSegmentHistory(models.Model):
    """Level changes are segment history too: "reached Gold in March" is a row of dimension
    ``level`` whose values are the levels' ids (their names are shown)."""

    _inherit = "clientbase.segment.history"

    dimension = fields.Selection(selection_add=[("level", "Loyalty Level")], ondelete={"level": "cascade"})

    @api.depends("dimension", "old_value", "new_value")
    def _compute_labels(self):
        levels = self.filtered(lambda h: h.dimension == "level")
        result = super(ClientbaseSegmentHistory, self - levels)._compute_labels()
        ids = {int(v) for h in levels for v in (h.old_value, h.new_value) if v and v.isdigit()}
        names = {
            level.id: level.name
            for level in self.env["clientbase.loyalty.level"]
            .sudo()
            .with_context(active_test=False)
            .browse(ids)
            .exists()
        }
        for record in levels:
            record.old_label, record.new_label = (
                names.get(int(v), v) if v and v.isdigit() else ""
                for v in (record.old_value, record.new_value)
            )
        return result
