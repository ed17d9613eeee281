import base64
import io
from datetime import date, datetime

import openpyxl
from psycopg2.extras import execute_values

from odoo import fields, models
from odoo.exceptions import UserError

from ..tools.bulk_insert import PAGE, bulk_insert
from ..tools.contact_data import normalized_email
from ..tools.import_file import detect_delimiter, detect_encoding, guess_targets, read_table
from ..tools.import_matching import RowChecker, target_label

TEMPLATE_URL = "/clientbase_crm/static/import/clientbase_clients_template.csv"
ISSUE_LINES = 500  # issues listed as lines (with their links); the report lists all


class ClientbaseImportWizard(models.TransientModel):
    """Import clients from the file people have: CSV (UTF-8 or Windows-1251, ``;``, ``,`` or
    tab, all detected) or Excel.

    Columns are recognised by their header (Russian and English names and their usual
    variants, see ``import_file``) and the mapping stays editable before the check. The check
    (dry run) names every bad row with its reason: emails are validated and kept as typed,
    phones are stored in the international format (read with the row's country, else the
    company's; see ``contact_data``), dates, channels, managers, tags and consents must be
    known. Rows duplicating an existing client (same email or phone, in any format) are
    listed with a link to that client and skipped. The import runs only when no row has an
    error, all rows in one savepoint: a failure leaves the base exactly as it was.

    The wizard is the flow (upload, mapping, check, preview, import); what the rows mean and
    which are duplicates is ``tools/import_matching.py``, reading the file ``tools/import_file.py``.
    """

    _name = "clientbase.import.wizard"
    _description = "Import Clients"

    file = fields.Binary(required=True)
    file_name = fields.Char()
    encoding = fields.Selection(
        [("auto", "Detect"), ("utf-8", "UTF-8"), ("cp1251", "Windows-1251")], default="auto", required=True
    )
    delimiter = fields.Selection(
        [("auto", "Detect"), (",", "Comma"), (";", "Semicolon"), ("\t", "Tab")], default="auto", required=True
    )
    detected = fields.Char(string="File Read As", readonly=True)
    consent_source = fields.Selection(
        selection=lambda self: self.env["clientbase.consent"]._fields["source"].selection,
        string="Consents Given Through",
        default="import",
        required=True,
        help="The source recorded with the consents of the file, unless a column gives it per row.",
    )
    column_ids = fields.One2many("clientbase.import.column", "wizard_id", string="Columns")
    issue_ids = fields.One2many("clientbase.import.issue", "wizard_id", string="Problems")
    preview = fields.Html(readonly=True, sanitize=True)
    state = fields.Selection(
        [("upload", "Upload"), ("checked", "Checked"), ("done", "Done")], default="upload"
    )
    report = fields.Text(readonly=True)
    error_count = fields.Integer(readonly=True)
    ready_count = fields.Integer(string="Rows to Import", readonly=True)
    duplicate_count = fields.Integer(string="Duplicates Skipped", readonly=True)
    imported_partner_ids = fields.Many2many("res.partner", string="Imported Clients", readonly=True)
    imported_count = fields.Integer(string="Clients Imported", readonly=True)

    # --- reading the file -------------------------------------------------
    def _read_table(self):
        """(table as lists of cells, file-level errors); notes what was detected."""
        self.ensure_one()
        content = base64.b64decode(self.file or b"")
        if (self.file_name or "").lower().endswith((".xlsx", ".xlsm")):
            self.detected = "Excel"
            return self._read_xlsx(content)
        encoding = detect_encoding(content) if self.encoding == "auto" else self.encoding
        try:
            text = content.decode("utf-8-sig" if encoding == "utf-8" else encoding)
        except UnicodeDecodeError as error:
            line = content[: error.start].count(b"\n") + 1
            return [], [
                self.env._(
                    "Row %(row)s: the file is not encoded in %(encoding)s (bytes that cannot be read). "
                    "Save it as “CSV UTF-8” or let the encoding be detected.",
                    row=line,
                    encoding=dict(self._fields["encoding"]._description_selection(self.env))[encoding],
                )
            ]
        delimiter = detect_delimiter(text) if self.delimiter == "auto" else self.delimiter
        labels = dict(self._fields["delimiter"]._description_selection(self.env))
        self.detected = f"{'UTF-8' if encoding == 'utf-8' else 'Windows-1251'}, {labels[delimiter]}"
        return read_table(text, delimiter), []

    def _read_xlsx(self, content):
        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:
            return [], [self.env._("The file is not a readable Excel workbook: %s", error)]
        table = []
        for row in book.worksheets[0].iter_rows(values_only=True):
            table.append(
                [
                    ""
                    if cell is None
                    else cell.strftime("%Y-%m-%d")
                    if isinstance(cell, datetime | date)
                    else str(cell).strip()
                    for cell in row
                ]
            )
        return table, []

    def _map_columns(self, header):
        """Keep the user's mapping while the file's header is the same; else guess it again."""
        if [column.header for column in self.column_ids.sorted("sequence")] == header:
            return
        self.column_ids = [fields.Command.clear()] + [
            fields.Command.create({"sequence": index, "header": name, "target": target or False})
            for index, (name, target) in enumerate(zip(header, guess_targets(header), strict=True))
        ]

    def _mapped_rows(self, table):
        """[(row number, {target: text})] of the non-empty rows, and mapping errors."""
        header = table[0] if table else []
        self._map_columns(header)
        errors = []
        columns = {column.sequence: column.target for column in self.column_ids if column.target}
        targets = list(columns.values())
        for target in {t for t in targets if targets.count(t) > 1}:
            errors.append(self.env._("Two columns are imported as “%s”.", self._target_label(target)))
        if not {"name", "last_name", "first_name"} & set(targets):
            errors.append(
                self.env._(
                    "No column holds the client's name: choose Name (or Last Name, First Name) for one."
                )
            )
        rows = []
        for number, line in enumerate(table[1:], start=2):
            if not any(line):
                continue
            rows.append(
                (
                    number,
                    {target: line[index] if index < len(line) else "" for index, target in columns.items()},
                )
            )
        for column in self.column_ids:
            if table:
                column.sample = next((line[column.sequence] for line in table[1:6] if column.sequence < len(line)
                                      and line[column.sequence]), False)  # fmt: skip
        return rows, errors

    def _target_label(self, target):
        return target_label(self.env, target)

    # --- checking ---------------------------------------------------------
    def _check_rows(self):
        """Return (values to create, errors, duplicates, notices, the file's table); errors and
        duplicates are (row, message, existing partner id) triples."""
        table, errors = self._read_table()
        errors = [(0, error, False) for error in errors]
        if errors:
            return [], errors, [], [], table
        if not table:
            return [], [(0, self.env._("The file is empty."), False)], [], [], table
        rows, mapping_errors = self._mapped_rows(table)
        errors += [(0, error, False) for error in mapping_errors]
        notices = [
            self.env._(
                "Column “%s” is not imported (choose its field in the mapping to import it).", column.header
            )
            for column in self.column_ids.sorted("sequence")
            if column.header and not column.target
        ]
        if errors:
            return [], errors, [], notices, table
        checker = RowChecker(self.env, self.consent_source)
        vals_list, row_errors, duplicates = checker.check(rows)
        errors += row_errors
        Log = self.env["clientbase.export.log"]
        for partner_id in sorted(checker.hidden_matches):
            # the managers learn that a user's file holds a client the user may not see
            Log._log_refusal_here(
                "res.partner",
                1,
                [],
                "import",
                self.env._("An imported file matched this client, whom the user may not see"),
                partner=self.env["res.partner"].browse(partner_id),
            )
        if checker.new_tags:
            notices.append(self.env._("New tags will be created: %s", ", ".join(sorted(checker.new_tags))))
        return vals_list, errors, duplicates, notices, table

    # --- actions ------------------------------------------------------------
    def action_check(self):
        self.ensure_one()
        vals_list, errors, duplicates, notices, table = self._check_rows()
        self._write_result(vals_list, errors, duplicates, notices, table)
        return self._reopen()

    def _write_result(self, vals_list, errors, duplicates, notices, table):
        def line(number, message):
            return self.env._("Row %(row)s: %(message)s", row=number, message=message) if number else message

        lines = [line(n, m) for n, m, _p in errors + duplicates] + notices
        if not lines:
            lines = [self.env._("No problem found.")]
        issues = [("error", n, m, p) for n, m, p in errors] + [
            ("duplicate", n, m, p) for n, m, p in duplicates
        ]
        self.issue_ids = [fields.Command.clear()] + [
            fields.Command.create({"kind": kind, "row": n, "message": m, "partner_id": p})
            for kind, n, m, p in issues[:ISSUE_LINES]
        ]
        self.write(
            {
                "state": "checked",
                "report": "\n".join(lines),
                "error_count": len(errors),
                "ready_count": len(vals_list),
                "duplicate_count": len(duplicates),
                "preview": self._preview_html(table),
            }
        )

    def _preview_html(self, table):
        """The first rows as they will be read: the mapped field above each column."""
        columns = self.column_ids.sorted("sequence").filtered("target")
        if not table or not columns:
            return False
        head = "".join(f"<th>{self._escape(self._target_label(c.target))}</th>" for c in columns)
        body = "".join(
            "<tr>"
            + "".join(
                f"<td>{self._escape(line[c.sequence] if c.sequence < len(line) else '')}</td>"
                for c in columns
            )
            + "</tr>"
            for line in table[1:6]
        )
        return f'<table class="table table-sm"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

    @staticmethod
    def _escape(text):
        return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def action_import(self):
        self.ensure_one()
        vals_list, errors, duplicates, notices, table = self._check_rows()
        if errors:
            self._write_result(vals_list, errors, duplicates, notices, table)
            messages = [f"{n}: {m}" if n else m for n, m, _p in errors[:20]]
            raise UserError(
                self.env._("Nothing was imported; fix these rows first:\n%s", "\n".join(messages))
            )
        try:
            with self.env.cr.savepoint():
                partners = self._create_clients(vals_list)
        except Exception as error:
            raise UserError(self.env._("Nothing was imported: %s", error)) from error
        self.write(
            {
                "state": "done",
                "imported_partner_ids": [fields.Command.set(partners.ids)],
                "imported_count": len(partners),
            }
        )
        return self._reopen()

    def _create_clients(self, vals_list):
        """Create the clients, their cards, tags and consents set-based (``bulk_insert``): the
        rows were checked, the values each ``create`` override would add are added here."""
        Partner = self.env["res.partner"].with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
        )
        Card = self.env["clientbase.client.card"]
        Consent = self.env["clientbase.consent"]
        for model in (Partner, Card, Consent):
            model.check_access("create")
        tags = self._tag_ids({tag for vals in vals_list for tag in vals.get("_tags", ())})
        sees_all = Partner._client_data_sees_all()
        partner_vals, card_vals, tag_ids, consents = [], [], [], []
        for vals in vals_list:
            vals = dict(vals)
            tag_ids.append([tags[name.lower()] for name in vals.pop("_tags", ())])
            consents.append(vals.pop("_consents", ()))
            vals.setdefault("user_id", False if sees_all else self.env.uid)
            vals, card = Partner._client_card_vals(Partner._prepare_client_vals(vals))
            # stored computed values known for a new client without parent (Odoo's own rules;
            # the oracle test compares every column with what ``create`` stores)
            vals["email_normalized"] = normalized_email(vals["email"]) if vals.get("email") else False
            vals["phone_sanitized"] = vals.get("mobile") or vals.get("phone") or False
            vals["complete_name"] = vals["name"]
            vals["commercial_company_name"] = vals["name"] if vals.get("is_company") else False
            vals["partner_share"] = True  # no user
            if card.get("birthday"):
                card["birthday_month"] = str(card["birthday"].month)
                card["birthday_day"] = card["birthday"].day
            partner_vals.append(vals)
            card_vals.append(card)
        partners = bulk_insert(Partner, partner_vals, self_referencing=["commercial_partner_id"])
        bulk_insert(
            Card,
            [
                dict(card, partner_id=pid)
                for pid, card in zip(partners.ids, card_vals, strict=True)
                if any(card.values())
            ],
        )
        relation = Partner._fields["category_id"]
        pairs = [(pid, tag) for pid, ids in zip(partners.ids, tag_ids, strict=True) for tag in ids]
        if pairs:
            execute_values(
                self.env.cr._obj,
                f'INSERT INTO "{relation.relation}" ("{relation.column1}", "{relation.column2}") VALUES %s',
                pairs,
                page_size=PAGE,
            )
        bulk_insert(
            Consent,
            [
                dict(consent, partner_id=pid)
                for pid, rows in zip(partners.ids, consents, strict=True)
                for consent in rows
            ],
        )
        partners.invalidate_recordset()
        if not self.env.context.get("clientbase_change_log_skip"):
            self.env["clientbase.change.log"].sudo()._log_created(partners, partner_vals, card_vals)
        return partners

    def _tag_ids(self, names):
        """{lower-case name: tag id}, the file's new tags created."""
        Category = self.env["res.partner.category"]
        known = {tag.name.strip().lower(): tag.id for tag in Category.search([("active", "=", True)])}
        by_lower = {}
        for name in sorted(names):
            by_lower.setdefault(name.lower(), name)
        missing = [name for lower, name in by_lower.items() if lower not in known]
        for tag in Category.create([{"name": name} for name in missing]) if missing else ():
            known[tag.name.lower()] = tag.id
        return known

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
