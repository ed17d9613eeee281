from odoo import fields, models


class ClientbaseImportIssue(models.TransientModel):
    """A problem the check of an imported file found: a row in error, or a row skipped
    because it duplicates an existing client (linked)."""

    _name = "clientbase.import.issue"
    _description = "Problem Found in an Imported Client File"
    _order = "kind desc, row, id"

    wizard_id = fields.Many2one("clientbase.import.wizard", required=True, ondelete="cascade")
    kind = fields.Selection([("error", "Error"), ("duplicate", "Duplicate")], required=True)
    row = fields.Integer(help="Row of the file (the header is row 1); 0 for the whole file.")
    message = fields.Char(string="Problem")
    partner_id = fields.Many2one("res.partner", string="Existing Client", ondelete="cascade")

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
            "target": "current",
        }
