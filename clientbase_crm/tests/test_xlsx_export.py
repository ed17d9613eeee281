import base64
import io
from datetime import date, datetime
from unittest.mock import patch

import openpyxl

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..wizards import clientbase_xlsx_export_wizard as wizard_module
from .common import EXPORT_GROUPS, ClientbaseUsersCommon


@tagged("post_install", "-at_install", "clientbase_export")
class TestXlsxExport(ClientbaseUsersCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.exporter = cls._user("cb_xlsx_exporter", groups=EXPORT_GROUPS)
        Partner = cls.env["res.partner"]
        cls.clients = Partner.create(
            [
                {
                    "name": f"XLSX Client {index:02d}",
                    "email": f"xlsx{index}@example.com",
                    "user_id": cls.exporter.id,
                    "client_birthday": date(1980 + index, 3, 1 + index),
                    "client_budget": 1000.5 * index,
                    "client_qualification": "worth" if index % 2 else "not_worth",
                }
                for index in range(1, 6)
            ]
        )
        cls.foreign = Partner.create(
            {
                "name": "XLSX Client 99 foreign",
                "user_id": cls.user_salesman.id,
                "client_birthday": date(1970, 1, 1),
            }
        )
        cls.company.client_pool_visible = False
        cls.Field = cls.env["ir.model.fields"]

    def _columns(self, *names):
        fields_ = self.Field.search([("model", "=", "res.partner"), ("name", "in", names)])
        return [(6, 0, sorted(fields_.ids, key=lambda id_: names.index(self.Field.browse(id_).name)))]

    def _export(self, user, vals):
        wizard = self.env["clientbase.xlsx.export.wizard"].with_user(user).create(vals)
        action = wizard.action_export()
        self.assertEqual(action["type"], "ir.actions.act_url")
        return openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file_data)))

    def test_xlsx_cells(self):
        columns = ("name", "client_birthday", "client_budget", "client_qualification", "user_id")
        # small batches so that the batching is exercised
        with patch.object(wizard_module, "BATCH_SIZE", 2):
            book = self._export(
                self.exporter,
                {
                    "domain": "[('name', '=like', 'XLSX Client %')]",
                    "filter_description": "Test segment",
                    "field_ids": self._columns(*columns),
                },
            )
        sheet = book.worksheets[0]
        strings = self.env["res.partner"].fields_get(list(columns), ["string"])
        self.assertEqual([c.value for c in sheet[1]], [strings[name]["string"] for name in columns])
        self.assertEqual(sheet["A1"].value, "Name")
        self.assertEqual(sheet.freeze_panes, "A2")
        self.assertEqual(sheet.auto_filter.ref, "A1:E7")
        self.assertEqual(sheet.max_row, 7)
        first = [c.value for c in sheet[2]]
        self.assertEqual(first[0], "XLSX Client 01")
        self.assertEqual(first[1], datetime(1981, 3, 2))
        self.assertEqual(first[2], 1000.5)
        self.assertEqual(first[3], "Worth working with")
        self.assertEqual(first[4], self.exporter.name)
        self.assertIn("0.00", sheet["C2"].number_format)
        self.assertNotEqual(sheet["B2"].number_format, "General")
        # another manager's client: name exported, personal data blank
        last = [c.value for c in sheet[7]]
        self.assertEqual(last[0], "XLSX Client 99 foreign")
        self.assertIsNone(last[1])
        filter_sheet = book["Filter"]
        values = {row[0].value: row[1].value for row in filter_sheet.iter_rows()}
        self.assertEqual(values["Filter"], "Test segment")
        self.assertEqual(values["Clients"], "6")
        self.assertIn("XLSX Client", values["Selection"])
        log = self.env["clientbase.export.log"].search([("user_id", "=", self.exporter.id)])
        self.assertEqual((log.door, log.record_count, log.note), ("xlsx_report", 6, "Test segment"))
        self.assertEqual(log.field_names, ", ".join(columns))

    def test_xlsx_headers_in_user_language(self):
        self.env["ir.module.module"]._load_module_terms(["base", "clientbase_crm"], ["ru_RU"], overwrite=True)
        self.exporter.lang = "ru_RU"
        name_ru = (
            self.env["res.partner"]
            .with_context(lang="ru_RU")
            .fields_get(["name"], ["string"])["name"]["string"]
        )
        book = self._export(
            self.exporter, {"partner_ids": [(6, 0, self.clients[:2].ids)], "field_ids": self._columns("name")}
        )
        self.assertEqual(book.worksheets[0]["A1"].value, name_ru)
        self.assertEqual(book.worksheets[0].max_row, 3)

    def test_xlsx_refused_without_export_group(self):
        with self.assertRaises(AccessError):
            self._export(
                self.user_salesman,
                {"partner_ids": [(6, 0, self.clients.ids)], "field_ids": self._columns("name")},
            )
        self.assertFalse(self.env["clientbase.export.log"].search([("user_id", "=", self.user_salesman.id)]))

    def test_xlsx_file_is_its_makers(self):
        """Class 7: another exporter neither lists nor downloads someone else's file."""
        self._export(
            self.exporter, {"partner_ids": [(6, 0, self.clients.ids)], "field_ids": self._columns("name")}
        )
        wizard = self.env["clientbase.xlsx.export.wizard"].search([("create_uid", "=", self.exporter.id)])
        self.assertTrue(wizard.file_data)
        other = self._user("cb_xlsx_other_exporter", groups=EXPORT_GROUPS)
        Wizard = self.env["clientbase.xlsx.export.wizard"].with_user(other)
        self.assertFalse(Wizard.search([("id", "=", wizard.id)]))
        with self.assertRaises(AccessError):
            wizard.with_user(other).read(["file_data"])
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", wizard._name), ("res_id", "=", wizard.id), ("res_field", "=", "file_data")]
        )
        self.assertTrue(attachment)
        with self.assertRaises(AccessError):
            attachment.with_user(other).read(["datas"])

    def test_xlsx_default_from_selection(self):
        wizard = (
            self.env["clientbase.xlsx.export.wizard"]
            .with_user(self.exporter)
            .with_context(active_model="res.partner", active_ids=self.clients[:3].ids)
            .create({})
        )
        self.assertEqual(wizard.partner_ids, self.clients[:3])
        self.assertEqual(wizard.record_count, 3)
        self.assertIn("email", wizard.field_ids.mapped("name"))
