import base64
import os
import tempfile

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import split_every
from odoo.tools.safe_eval import safe_eval

from ..tools.client_definition import audience_domain

BATCH_SIZE = 1000
# Odoo's own partner fields worth a column; every ``client_*`` field of the card is offered too.
BASE_COLUMNS = (
    "name",
    "is_company",
    "parent_id",
    "function",
    "email",
    "phone",
    "mobile",
    "street",
    "zip",
    "city",
    "state_id",
    "country_id",
    "vat",
    "website",
    "user_id",
    "category_id",
    "lang",
    "create_date",
)
DEFAULT_COLUMNS = (
    "name",
    "email",
    "phone",
    "city",
    "user_id",
    "client_channel_id",
    "client_qualification",
    "client_birthday",
    "create_date",
)
COLUMN_TYPES = (
    "char",
    "text",
    "html",
    "selection",
    "boolean",
    "integer",
    "float",
    "monetary",
    "date",
    "datetime",
    "many2one",
    "many2many",
)


class ClientbaseXlsxExportWizard(models.TransientModel):
    """Excel export of a selection or a domain of clients, with chosen columns.

    The workbook is written row by row to a temporary file (xlsxwriter's
    ``constant_memory`` mode) from batches of ``BATCH_SIZE`` records read with
    ``read()``, so a segment of 100k clients fits in one worker's memory and
    each cell shows what the user may see (other managers' clients come
    blank, as on screen).
    """

    _name = "clientbase.xlsx.export.wizard"
    _description = "Export Clients to Excel"

    partner_ids = fields.Many2many("res.partner", string="Selected Clients")
    domain = fields.Char(help="Domain of the clients to export when none is selected.")
    filter_description = fields.Char(string="Filter", help="Segment or filter that produced this export.")
    field_ids = fields.Many2many(
        "ir.model.fields",
        string="Columns",
        domain=lambda self: self._get_column_domain(),
        default=lambda self: self._default_field_ids(),
    )
    record_count = fields.Integer(string="Clients", compute="_compute_record_count")
    file_data = fields.Binary(string="File", readonly=True, attachment=True)
    file_name = fields.Char(readonly=True)

    @api.model
    def _get_column_domain(self):
        return [
            ("model", "=", "res.partner"),
            ("ttype", "in", list(COLUMN_TYPES)),
            "|",
            ("name", "in", list(BASE_COLUMNS)),
            ("name", "=like", "client\\_%"),
        ]

    @api.model
    def _default_field_ids(self):
        fields_ = self.env["ir.model.fields"].search(
            [("model", "=", "res.partner"), ("name", "in", list(DEFAULT_COLUMNS))]
        )
        order = {name: index for index, name in enumerate(DEFAULT_COLUMNS)}
        return fields_.sorted(lambda f: order[f.name]).ids

    @api.model
    def default_get(self, fields_list):
        vals = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "res.partner":
            if context.get("active_ids"):
                vals.setdefault("partner_ids", [fields.Command.set(context["active_ids"])])
            elif context.get("active_domain"):
                vals.setdefault("domain", str(context["active_domain"]))
        return vals

    def _get_domain(self):
        """The clients to export: the selection or the filter, within the client base's audience
        (``tools/client_definition.py``): an employee, a contact person or the company itself is
        never exported as a client."""
        self.ensure_one()
        if self.partner_ids:
            return expression.AND([audience_domain(), [("id", "in", self.partner_ids.ids)]])
        try:
            domain = safe_eval(self.domain or "[]")
        except Exception as error:
            raise UserError(self.env._("The filter of the export is not valid: %s", error)) from error
        if not isinstance(domain, list):
            raise UserError(self.env._("The filter of the export must be a list of conditions."))
        return expression.AND([audience_domain(), domain])

    @api.depends("partner_ids", "domain")
    def _compute_record_count(self):
        for wizard in self:
            try:
                wizard.record_count = self.env["res.partner"].search_count(wizard._get_domain())
            except UserError:
                wizard.record_count = 0

    def _get_columns(self):
        """[(field name, field, translated header)] in the chosen order."""
        Partner = self.env["res.partner"]
        allowed = set(self.env["ir.model.fields"].search(self._get_column_domain()).mapped("name"))
        names = [f.name for f in self.field_ids if f.name in allowed and f.name in Partner._fields]
        if not names:
            raise UserError(self.env._("Choose at least one column to export."))
        names = Partner.check_field_access_rights("read", names)
        strings = Partner.with_context(lang=self.env.user.lang).fields_get(names, ["string"])
        return [(name, Partner._fields[name], strings[name]["string"]) for name in names]

    def action_export(self):
        self.ensure_one()
        Partner = self.env["res.partner"]
        columns = self._get_columns()
        domain = self._get_domain()
        ids = Partner.search(domain, order="name, id").ids
        if not ids:
            raise UserError(self.env._("There is no client to export."))
        try:
            Partner._check_client_export_right()
            approval = self.env["clientbase.export.request"]._check_export_allowed("res.partner", len(ids))
        except AccessError as error:
            self.env["clientbase.export.log"]._log_refusal(
                "res.partner", len(ids), [name for name, _field, _header in columns], "xlsx_report", error
            )
            raise
        data = self._build_workbook(columns, ids)
        self.write({"file_data": base64.b64encode(data), "file_name": "clients.xlsx"})
        self.env["clientbase.export.log"]._log_export(
            "res.partner",
            len(ids),
            [name for name, _field, _header in columns],
            "xlsx_report",
            request=approval,
            note=self.filter_description or None,
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/file_data/{self.file_name}?download=true",
            "target": "download",
        }

    # --- workbook --------------------------------------------------------
    def _build_workbook(self, columns, ids):
        handle, path = tempfile.mkstemp(suffix=".xlsx")
        os.close(handle)
        try:
            workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
            formats = self._get_formats(workbook)
            sheet = workbook.add_worksheet(self.env._("Clients"))
            for col, (_name, field, header) in enumerate(columns):
                sheet.write_string(0, col, header, formats["header"])
                sheet.set_column(col, col, 30 if field.type in ("text", "html", "many2many") else 18)
            sheet.freeze_panes(1, 0)
            row = 0
            for batch in split_every(BATCH_SIZE, ids):
                records = self.env["res.partner"].browse(batch)
                for values in self._read_batch(records, columns):
                    row += 1
                    for col, (name, field, _header) in enumerate(columns):
                        self._write_cell(sheet, row, col, field, values[name], formats)
                records.invalidate_recordset()
            sheet.autofilter(0, 0, row, len(columns) - 1)
            self._write_filter_sheet(workbook, formats, columns, len(ids))
            workbook.close()
            with open(path, "rb") as file:
                return file.read()
        finally:
            os.unlink(path)

    @api.model
    def _get_formats(self, workbook):
        lang = self.env["res.lang"]._get_data(code=self.env.user.lang or "en_US")
        currency = self.env.company.currency_id
        symbol = (currency.symbol or "").replace('"', "")
        money = f"#,##0.{'0' * currency.decimal_places}" if currency.decimal_places else "#,##0"
        money = f'{money} "{symbol}"' if currency.position == "after" else f'"{symbol}" {money}'
        date_format = (lang.date_format or "%Y-%m-%d") if lang else "%Y-%m-%d"
        excel_date = (
            date_format.replace("%Y", "yyyy").replace("%m", "mm").replace("%d", "dd").replace("%y", "yy")
        )
        return {
            "header": workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1}),
            "date": workbook.add_format({"num_format": excel_date}),
            "datetime": workbook.add_format({"num_format": f"{excel_date} hh:mm"}),
            "money": workbook.add_format({"num_format": money}),
            "float": workbook.add_format({"num_format": "#,##0.00"}),
            "selection": {},  # labels per field, filled on first use
        }

    def _read_batch(self, records, columns):
        names = [name for name, _field, _header in columns]
        rows = records.read(names)
        # many2many: names of the related records, read in one go per field
        for name, field, _header in columns:
            if field.type == "many2many":
                comodel = self.env[field.comodel_name]
                related_ids = {id_ for values in rows for id_ in values[name]}
                labels = {
                    r["id"]: r["display_name"] for r in comodel.browse(related_ids).read(["display_name"])
                }
                for values in rows:
                    values[name] = ", ".join(labels.get(id_, "") for id_ in values[name])
        return rows

    def _write_cell(self, sheet, row, col, field, value, formats):
        if field.type == "boolean":
            sheet.write_boolean(row, col, bool(value))
        elif value is False or value is None or value == "":
            sheet.write_blank(row, col, None)
        elif field.type == "many2one":
            sheet.write_string(row, col, value[1])
        elif field.type == "selection":
            labels = formats["selection"].setdefault(field.name, dict(field._description_selection(self.env)))
            sheet.write_string(row, col, str(labels.get(value, value)))
        elif field.type == "date":
            sheet.write_datetime(row, col, fields.Datetime.to_datetime(value), formats["date"])
        elif field.type == "datetime":
            local = fields.Datetime.context_timestamp(self, value).replace(tzinfo=None)
            sheet.write_datetime(row, col, local, formats["datetime"])
        elif field.type == "monetary":
            sheet.write_number(row, col, value, formats["money"])
        elif field.type == "float":
            sheet.write_number(row, col, value, formats["float"])
        elif field.type == "integer":
            sheet.write_number(row, col, value)
        else:
            sheet.write_string(row, col, str(value))

    def _now_local(self):
        return fields.Datetime.context_timestamp(self, fields.Datetime.now()).replace(tzinfo=None)

    def _write_filter_sheet(self, workbook, formats, columns, count):
        sheet = workbook.add_worksheet(self.env._("Filter"))
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, 1, 80)
        if self.partner_ids:
            selection = self.env._("%(count)s selected clients", count=len(self.partner_ids))
        else:
            selection = self.domain or "[]"
        lines = [
            (self.env._("Exported by"), self.env.user.name),
            (self.env._("Exported on"), fields.Datetime.to_string(self._now_local())),
            (self.env._("Clients"), str(count)),
            (self.env._("Filter"), self.filter_description or ""),
            (self.env._("Selection"), selection),
            (self.env._("Columns"), ", ".join(header for _name, _field, header in columns)),
        ]
        for row, (label, value) in enumerate(lines):
            sheet.write_string(row, 0, label, formats["header"])
            sheet.write_string(row, 1, value)
