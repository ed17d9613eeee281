from odoo import fields, models

IMPORT_TARGETS = [
    ("name", "Name"),
    ("last_name", "Last Name"),
    ("first_name", "First Name"),
    ("middle_name", "Middle Name"),
    ("is_company", "Is a Company"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("mobile", "Mobile"),
    ("street", "Street"),
    ("city", "City"),
    ("zip", "ZIP"),
    ("country", "Country"),
    ("birthday", "Birthday"),
    ("gender", "Gender"),
    ("profession", "Profession"),
    ("family_status", "Family Status"),
    ("needs", "Needs"),
    ("vat", "Tax ID"),
    ("comment", "Notes"),
    ("channel", "Acquisition Channel"),
    ("manager", "Manager"),
    ("tags", "Tags"),
    ("consent_email", "Email Marketing Consent"),
    ("consent_sms", "SMS Marketing Consent"),
    ("consent_phone", "Phone Marketing Consent"),
    ("consent_source", "Consent Source"),
    ("consent_date", "Consent Date"),
]


class ClientbaseImportColumn(models.TransientModel):
    """One column of an imported file and the client field it fills (none: not imported).

    Proposed from the header by ``import_file.guess_targets``; the user may change it before
    the check."""

    _name = "clientbase.import.column"
    _description = "Column of an Imported Client File"
    _order = "sequence"

    wizard_id = fields.Many2one("clientbase.import.wizard", required=True, ondelete="cascade")
    sequence = fields.Integer(string="Position", readonly=True)
    header = fields.Char(string="Column", readonly=True)
    sample = fields.Char(string="Example", readonly=True)
    target = fields.Selection(IMPORT_TARGETS, string="Imported As")
