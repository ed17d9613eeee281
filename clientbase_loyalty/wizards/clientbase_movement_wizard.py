from odoo import api, fields, models


class ClientbaseMovementWizard(models.TransientModel):
    """The loyalty level is a segment of the movement matrix: "Silver in January, Gold in March"
    (``clientbase.segment.snapshot._matrix`` reads it from the level history)."""

    _inherit = "clientbase.movement.wizard"

    dimension = fields.Selection(selection_add=[("level", "Loyalty Level")], ondelete={"level": "cascade"})

    @api.model
    def _check_movement_vals(self, vals):
        if vals.get("dimension") == "level":
            return dict(super()._check_movement_vals(dict(vals, dimension=False)), dimension="level")
        return super()._check_movement_vals(vals)

    @api.model
    def _labels(self):
        if self.dimension != "level":
            return super()._labels()
        levels = (
            self.env["clientbase.loyalty.level"]
            .sudo()
            .with_context(active_test=False)
            .search([("company_id", "=", self.env.company.id)])
        )
        labels = {str(level.id): level.name for level in levels}
        labels[None] = self.env._("None (not a client)")
        labels[""] = self.env._("No level")
        return labels
