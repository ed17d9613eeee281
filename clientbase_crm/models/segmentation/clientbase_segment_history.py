from odoo import api, fields, models

DIMENSIONS = [
    ("stage", "Stage"),
    ("vip", "VIP"),
    ("abc", "ABC Class"),
    ("warmth", "Warmth"),
    ("persona", "Persona"),
    ("rfm", "RFM Segment"),
]


class ClientbaseSegmentHistory(models.Model):
    """One change of a client's stage, VIP status, ABC class, warmth, persona or RFM segment.

    Written set-based by the segmentation engine (and by users' manual
    changes) instead of chatter messages: one narrow row per change.
    Values are the technical codes (``inactive``, ``a``, ``True``...).
    """

    _name = "clientbase.segment.history"
    _description = "Client Segment History"
    _order = "date desc, id desc"
    _log_access = False
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, ondelete="cascade", index=True
    )
    # written in bulk by the engine: only the indexes that searches need (client, date)
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    dimension = fields.Selection(DIMENSIONS, required=True)
    old_value = fields.Char(string="From")
    new_value = fields.Char(string="To")
    old_label = fields.Char(string="Previous", compute="_compute_labels")
    new_label = fields.Char(string="New", compute="_compute_labels")
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)

    def init(self):
        # indexes of earlier versions, not worth their cost on bulk inserts
        self.env.cr.execute(
            "DROP INDEX IF EXISTS clientbase_segment_history__company_id_index,"
            " clientbase_segment_history__dimension_index, clientbase_segment_history__new_value_index"
        )

    @api.depends("dimension", "old_value", "new_value")
    def _compute_labels(self):
        partner_fields = self.env["res.partner"]._fields
        field_of = {
            "stage": "client_stage",
            "abc": "client_abc_class",
            "warmth": "client_warmth",
            "persona": "client_persona",
            "rfm": "client_rfm_segment",
        }
        for record in self:
            labels = []
            for value in (record.old_value, record.new_value):
                if record.dimension == "vip":
                    labels.append(self.env._("VIP") if value in ("true", "True") else self.env._("Not VIP"))
                elif value and record.dimension in field_of:
                    selection = dict(
                        partner_fields[field_of[record.dimension]]._description_selection(self.env)
                    )
                    labels.append(selection.get(value, value))
                else:
                    labels.append(value or "")
            record.old_label, record.new_label = labels
