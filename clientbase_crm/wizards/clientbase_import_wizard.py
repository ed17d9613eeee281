import base64
import csv
import io
from datetime import datetime

import openpyxl

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, email_normalize

from ..contact_data import check_email, check_phone

TEMPLATE_URL = "/clientbase_crm/static/import/clientbase_clients_template.csv"
COLUMNS = (
    "name",
    "is_company",
    "email",
    "phone",
    "mobile",
    "street",
    "city",
    "zip",
    "country_code",
    "client_birthday",
    "client_profession",
    "client_family_status",
    "client_needs",
)
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")
TRUE_VALUES = ("1", "true", "yes", "y", "да", "x")


class ClientbaseImportWizard(models.TransientModel):
    """Import clients from a CSV or XLSX file: check first, then all or nothing.

    The check (dry run) validates emails (kept as typed) and phones (stored in the
    international format, read with the row's country, else the company's; see
    ``contact_data``), parses dates, and lists
    every problem with its row number; rows duplicating an existing client
    (same email or phone) are flagged and skipped. The import itself runs only
    when the check found no error, inside a savepoint: a failure leaves the
    base exactly as it was.
    """

    _name = "clientbase.import.wizard"
    _description = "Import Clients"

    file = fields.Binary(required=True)
    file_name = fields.Char()
    encoding = fields.Selection(
        [("utf-8", "UTF-8"), ("cp1251", "Windows-1251")], default="utf-8", required=True
    )
    delimiter = fields.Selection([(",", "Comma"), (";", "Semicolon")], default=",", required=True)
    state = fields.Selection(
        [("upload", "Upload"), ("checked", "Checked"), ("done", "Done")], default="upload"
    )
    report = fields.Text(readonly=True)
    error_count = fields.Integer(readonly=True)
    ready_count = fields.Integer(string="Rows to Import", readonly=True)
    duplicate_count = fields.Integer(string="Duplicates Skipped", readonly=True)
    imported_partner_ids = fields.Many2many("res.partner", string="Imported Clients", readonly=True)

    # --- reading the file -------------------------------------------------
    def _read_rows(self):
        """[(row number, {column: text})] and file-level errors."""
        self.ensure_one()
        content = base64.b64decode(self.file or b"")
        if (self.file_name or "").lower().endswith(".xlsx"):
            return self._read_xlsx(content)
        try:
            text = content.decode("utf-8-sig" if self.encoding == "utf-8" else self.encoding)
        except UnicodeDecodeError as error:
            line = content[: error.start].count(b"\n") + 1
            return [], [
                self.env._(
                    "Row %(row)s: the file is not encoded in %(encoding)s (bytes that cannot be read). "
                    "Save it as “CSV UTF-8” or choose the Windows-1251 encoding.",
                    row=line,
                    encoding=dict(self._fields["encoding"]._description_selection(self.env))[self.encoding],
                )
            ]
        reader = csv.reader(io.StringIO(text), delimiter=self.delimiter)
        table = list(reader)
        return self._rows_from_table(table)

    def _read_xlsx(self, content):
        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:
            return [], [self.env._("The file is not a readable Excel workbook: %s", error)]
        table = [
            [
                ""
                if cell is None
                else (cell.strftime("%Y-%m-%d") if isinstance(cell, datetime) else str(cell))
                for cell in row
            ]
            for row in book.worksheets[0].iter_rows(values_only=True)
        ]
        return self._rows_from_table(table)

    def _rows_from_table(self, table):
        if not table:
            return [], [self.env._("The file is empty.")]
        header = [column.strip().lower() for column in table[0]]
        unknown = [column for column in header if column and column not in COLUMNS]
        errors = []
        if unknown:
            errors.append(
                self.env._(
                    "Unknown columns: %(columns)s. Use the template's columns.", columns=", ".join(unknown)
                )
            )
        if "name" not in header:
            errors.append(self.env._("The column “name” is missing."))
        rows = []
        for number, line in enumerate(table[1:], start=2):
            if not any(cell.strip() for cell in line):
                continue
            rows.append(
                (number, {col: (line[i].strip() if i < len(line) else "") for i, col in enumerate(header)})
            )
        return rows, errors

    # --- checking ---------------------------------------------------------
    def _check_rows(self):
        """Return (values to create, errors, warnings)."""
        rows, errors = self._read_rows()
        warnings = []
        vals_list = []
        seen = {}
        existing = self._existing_contacts(rows)
        countries = {c.code.upper(): c.id for c in self.env["res.country"].search([])}
        family = dict(
            self.env["res.partner"]._fields["client_family_status"]._description_selection(self.env)
        )
        for number, row in rows:
            row_errors = []
            vals = {"name": row.get("name")}
            if not vals["name"]:
                row_errors.append(self.env._("the name is empty"))
            vals["is_company"] = row.get("is_company", "").lower() in TRUE_VALUES
            for key in ("street", "city", "zip", "client_profession", "client_needs"):
                if row.get(key):
                    vals[key] = row[key]
            if row.get("email"):
                email, reason = check_email(row["email"])
                if not email:
                    row_errors.append(
                        self.env._(
                            "“%(value)s” is not a valid email (%(reason)s)", value=row["email"], reason=reason
                        )
                    )
                vals["email"] = email
            country_code = (row.get("country_code") or self.env.company.country_id.code or "").upper()
            for key in ("phone", "mobile"):
                if row.get(key):
                    phone, reason = check_phone(row[key], country_code)
                    if not phone:
                        row_errors.append(
                            self.env._(
                                "“%(value)s” is not a valid phone number (%(reason)s)",
                                value=row[key],
                                reason=reason,
                            )
                        )
                    vals[key] = phone
            if row.get("country_code"):
                vals["country_id"] = countries.get(row["country_code"].upper())
                if not vals["country_id"]:
                    row_errors.append(self.env._("unknown country code “%s”", row["country_code"]))
            if row.get("client_birthday"):
                birthday = self._parse_date(row["client_birthday"])
                if not birthday:
                    row_errors.append(
                        self.env._(
                            "“%s” is not a date (use YYYY-MM-DD or DD.MM.YYYY)", row["client_birthday"]
                        )
                    )
                elif birthday > fields.Date.context_today(self):
                    row_errors.append(self.env._("the birthday %s is in the future", row["client_birthday"]))
                vals["client_birthday"] = birthday
            if row.get("client_family_status"):
                status = row["client_family_status"].lower()
                if status not in family:
                    row_errors.append(self.env._("unknown family status “%s”", row["client_family_status"]))
                vals["client_family_status"] = status
            # duplicates are found on the normalised address (the stored one stays as typed)
            keys = [email_normalize(vals["email"])] if vals.get("email") else []
            keys += [vals[k] for k in ("phone", "mobile") if vals.get(k)]
            for key in keys:
                if key in seen:
                    row_errors.append(
                        self.env._("%(value)s is already in row %(row)s", value=key, row=seen[key])
                    )
                seen.setdefault(key, number)
            if row_errors:
                errors.append(self.env._("Row %(row)s: %(errors)s", row=number, errors="; ".join(row_errors)))
                continue
            duplicate = next((existing[key] for key in keys if key in existing), None)
            if duplicate:
                warnings.append(
                    self.env._(
                        "Row %(row)s: duplicates the existing client %(client)s; skipped.",
                        row=number,
                        client=duplicate,
                    )
                )
                continue
            vals_list.append(vals)
        return vals_list, errors, warnings

    @api.model
    def _parse_date(self, value):
        for date_format in DATE_FORMATS:
            try:
                return datetime.strptime(value, date_format).date()
            except ValueError:
                continue
        return None

    def _existing_contacts(self, rows):
        """{normalised email or phone: client name} for the file's values already in the base."""
        emails, phones = set(), set()
        for _number, row in rows:
            email = check_email(row["email"])[0] if row.get("email") else None
            if email and email_normalize(email):
                emails.add(email_normalize(email))
            country_code = (row.get("country_code") or self.env.company.country_id.code or "").upper()
            for key in ("phone", "mobile"):
                phone = check_phone(row[key], country_code)[0] if row.get(key) else None
                if phone:
                    phones.add(phone)
        found = {}
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        if emails:
            for partner in Partner.search([("email_normalized", "in", list(emails))]):
                found[partner.email_normalized] = partner.display_name
        if phones:
            # phones are stored as typed: compare on digits only, in SQL
            self.env["res.partner"].flush_model(["phone", "mobile"])
            digits = [p.lstrip("+") for p in phones]
            self.env.cr.execute(
                SQL(
                    """
                SELECT id, regexp_replace(COALESCE(phone, ''), '\\D', '', 'g'),
                       regexp_replace(COALESCE(mobile, ''), '\\D', '', 'g')
                  FROM res_partner
                 WHERE regexp_replace(COALESCE(phone, ''), '\\D', '', 'g') = ANY(%s)
                    OR regexp_replace(COALESCE(mobile, ''), '\\D', '', 'g') = ANY(%s)
                    """,
                    digits,
                    digits,
                )
            )
            for partner_id, phone, mobile in self.env.cr.fetchall():
                name = Partner.browse(partner_id).display_name
                for number in (phone, mobile):
                    if number:
                        found["+" + number] = name
        return found

    # --- actions ------------------------------------------------------------
    def action_check(self):
        self.ensure_one()
        vals_list, errors, warnings = self._check_rows()
        lines = errors + warnings
        if not lines:
            lines = [self.env._("No problem found.")]
        self.write(
            {
                "state": "checked",
                "report": "\n".join(lines),
                "error_count": len(errors),
                "ready_count": len(vals_list),
                "duplicate_count": len(warnings),
            }
        )
        return self._reopen()

    def action_import(self):
        self.ensure_one()
        vals_list, errors, _warnings = self._check_rows()
        if errors:
            raise UserError(self.env._("Nothing was imported; fix these rows first:\n%s", "\n".join(errors)))
        if not self.env["res.partner"]._client_data_sees_all():
            for vals in vals_list:
                vals.setdefault("user_id", self.env.uid)
        try:
            with self.env.cr.savepoint():
                partners = self.env["res.partner"].create(vals_list)
        except Exception as error:
            raise UserError(self.env._("Nothing was imported: %s", error)) from error
        self.write({"state": "done", "imported_partner_ids": [fields.Command.set(partners.ids)]})
        return self._reopen()

    def action_download_template(self):
        return {"type": "ir.actions.act_url", "url": TEMPLATE_URL, "target": "download"}

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
