from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..models.segmentation.clientbase_segment_snapshot import SNAPSHOT_DIMENSIONS
from ..tools.typed_values import to_date_value


class ClientbaseMovementWizard(models.TransientModel):
    """The from -> to matrix of two months (``METRICS.md``): the clients counted by their value of
    a segment at the end of month A and at the end of month B, from the monthly snapshots.
    Clients that were not clients yet at a month are in the "none" row or column. A salesperson
    sees their own clients only."""

    _name = "clientbase.movement.wizard"
    _description = "Client Movement Between Two Months"

    dimension = fields.Selection(SNAPSHOT_DIMENSIONS, string="Segment", required=True, default="stage")
    month_a = fields.Date(
        string="From Month",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1) - relativedelta(months=1),
    )
    month_b = fields.Date(
        string="To Month", required=True, default=lambda self: fields.Date.context_today(self).replace(day=1)
    )
    line_ids = fields.One2many("clientbase.movement.line", "wizard_id")

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._check_movement_vals(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._check_movement_vals(vals))

    @api.model
    def _check_movement_vals(self, vals):
        """A month that does not exist (``2025-13``) or a segment that is not one: a clear
        error before the ORM or the snapshots' SQL would fail on it."""
        vals = dict(vals)
        for fname in ("month_a", "month_b"):
            if vals.get(fname):
                label = self._fields[fname]._description_string(self.env)
                vals[fname] = to_date_value(self.env, label, vals[fname])
        if vals.get("dimension") and vals["dimension"] not in dict(SNAPSHOT_DIMENSIONS):
            raise ValidationError(
                self.env._("“%(value)s” is not a segment of the movement report.", value=vals["dimension"])
            )
        return vals

    def action_show(self):
        self.ensure_one()
        if self.month_a > self.month_b:
            raise UserError(self.env._("The first month must not be after the second."))
        Partner = self.env["res.partner"]
        own = None
        if not Partner._client_data_sees_all():
            visible = (
                Partner.sudo().with_context(active_test=False)._search(Partner._get_client_data_own_domain())
            )

            def own(column):
                return SQL("%s IN (%s)", column, visible.subselect())

        rows = self.env["clientbase.segment.snapshot"]._matrix(
            self.env.company, self.dimension, self.month_a, self.month_b, own
        )
        labels = self._labels()
        self.line_ids = [fields.Command.clear()] + [
            fields.Command.create(
                {"from_value": labels.get(a, a), "to_value": labels.get(b, b), "client_count": count}
            )
            for a, b, count in rows
        ]
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "clientbase_crm.clientbase_movement_line_action"
        )
        action["domain"] = [("wizard_id", "=", self.id)]
        action["name"] = self.env._(
            "%(segment)s: %(a)s to %(b)s",
            segment=dict(self._fields["dimension"]._description_selection(self.env))[self.dimension],
            a=self.month_a.strftime("%m/%Y"),
            b=self.month_b.strftime("%m/%Y"),
        )
        return action

    @api.model
    def _labels(self):
        field = self.env["clientbase.segment.snapshot"]._fields[self.dimension]
        if field.type == "boolean":
            labels = {"true": self.env._("VIP"), "false": self.env._("Not VIP")}
        else:
            labels = dict(field._description_selection(self.env))
        labels[None] = self.env._("None (not a client)")
        labels[""] = self.env._("No value")
        return labels


class ClientbaseMovementLine(models.TransientModel):
    _name = "clientbase.movement.line"
    _description = "Client Movement Between Two Months: One Cell"

    wizard_id = fields.Many2one("clientbase.movement.wizard", required=True, ondelete="cascade")
    from_value = fields.Char(string="From")
    to_value = fields.Char(string="To")
    client_count = fields.Integer(string="Clients")
