import base64
import io

import openpyxl

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ClientbaseCommon

DIRTY_CSV = """name,email,phone,client_birthday,country_code
Good One,GOOD.one@Example.com ,8 (900) 111-22-33,17.05.1990,RU
Bad Email,not-an-email,+7 900 222 33 44,1991-01-01,
Dup In File,dup@example.com,+7 900 111 22 33,,
Broken Date,broken@example.com,,31.02.1990,
Future,future@example.com,,2999-01-01,
,noname@example.com,,,
Existing,anna@example.com,,,
"""


@tagged("post_install", "-at_install", "clientbase_import")
class TestClientImport(ClientbaseCommon):
    def _wizard(self, content, name="clients.csv", **vals):
        return (
            self.env["clientbase.import.wizard"]
            .with_user(self.user_salesman)
            .create({"file": base64.b64encode(content), "file_name": name, **vals})
        )

    def test_dirty_file_dry_run_and_nothing_imported(self):
        count = self.env["res.partner"].search_count([])
        wizard = self._wizard(DIRTY_CSV.encode())
        wizard.action_check()
        report = wizard.report
        self.assertIn("Row 3: “not-an-email” is not a valid email", report)
        self.assertIn("Row 4: +79001112233 is already in row 2", report)
        self.assertIn("Row 5: “31.02.1990” is not a date", report)
        self.assertIn("Row 6: the birthday 2999-01-01 is in the future", report)
        self.assertIn("Row 7: the name is empty", report)
        self.assertIn("Row 8: duplicates the existing client Anna Smirnova; skipped.", report)
        self.assertNotIn("Row 2", report)
        self.assertEqual((wizard.error_count, wizard.ready_count, wizard.duplicate_count), (5, 1, 1))
        with self.assertRaises(UserError):
            wizard.action_import()
        self.assertEqual(self.env["res.partner"].search_count([]), count, "nothing imported")
        self.assertFalse(self.env["res.partner"].search([("email", "=", "GOOD.one@Example.com")]))

    def test_addresses_and_numbers_people_type(self):
        """Every kind of wrong address is refused with its reason, none is "repaired"; phones in
        every shape people type are read with the company's country, letters and short ones are
        refused; nothing is imported while one row is wrong."""
        self.env.company.country_id = self.env.ref("base.ru")
        bad_emails = [
            "info@shop",
            "@bk.ru",
            "sales@.com",
            "ivan@gmail..com",
            "petr@@yandex.ru",
            "anna smirnova@bk.ru",
            "oleg@mail,ru",
        ]
        phones = {
            "8 (916) 123-45-67": "+79161234567",
            "+7 916 123 45 68": "+79161234568",
            "89161234569": "+79161234569",
            "8-916-123-45-70": "+79161234570",
        }
        bad_phones = ["8 (903) 12-ab-45-6", "12345"]
        lines = ["name,email,phone"]
        lines += [f'Bad {i},"{email}",' for i, email in enumerate(bad_emails)]
        lines += [f'Phone {i},,"{phone}"' for i, phone in enumerate(phones)]
        lines += [f'Bad phone {i},,"{phone}"' for i, phone in enumerate(bad_phones)]
        wizard = self._wizard("\n".join(lines).encode())
        wizard.action_check()
        report = wizard.report
        for row, email in enumerate(bad_emails, start=2):
            self.assertIn(f"Row {row}: “{email}” is not a valid email (", report)
        first_bad_phone = 2 + len(bad_emails) + len(phones)
        for row, phone in enumerate(bad_phones, start=first_bad_phone):
            self.assertIn(f"Row {row}: “{phone}” is not a valid phone number (", report)
        self.assertEqual(wizard.error_count, len(bad_emails) + len(bad_phones))
        with self.assertRaises(UserError):
            wizard.action_import()
        # the good rows alone: stored in one international format
        good = ["name,email,phone"] + [f'Phone {i},,"{phone}"' for i, phone in enumerate(phones)]
        wizard = self._wizard("\n".join(good).encode())
        wizard.action_check()
        wizard.action_import()
        self.assertEqual(sorted(wizard.imported_partner_ids.mapped("phone")), sorted(phones.values()))

    def test_clean_file_imported_normalised(self):
        self.env.company.country_id = self.env.ref("base.ru")
        content = (
            "name,email,phone,client_birthday\nGood One,GOOD.one@Example.com ,8 (900) 111-22-33,17.05.1990\n"
        )
        wizard = self._wizard(content.encode())
        wizard.action_check()
        self.assertEqual(wizard.error_count, 0)
        wizard.action_import()
        partner = wizard.imported_partner_ids
        self.assertEqual(len(partner), 1)
        self.assertEqual(
            (partner.email, partner.phone),
            ("GOOD.one@Example.com", "+79001112233"),
            "the address as typed (never rewritten), the number in the international format",
        )
        self.assertEqual(str(partner.client_birthday), "1990-05-17")
        self.assertEqual(partner.user_id, self.user_salesman, "a user's import lands in their own clients")

    def test_wrong_encoding(self):
        content = "name,city\nАнна,Москва\n".encode("cp1251")
        wizard = self._wizard(content)
        wizard.action_check()
        self.assertEqual(wizard.error_count, 1)
        self.assertIn("Row 2: the file is not encoded in UTF-8", wizard.report)
        wizard.encoding = "cp1251"
        wizard.action_check()
        self.assertEqual(wizard.error_count, 0)
        wizard.action_import()
        self.assertEqual(wizard.imported_partner_ids.city, "Москва")

    def test_xlsx_file_and_template(self):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["name", "email", "unknown_column"])
        sheet.append(["Xlsx Person", "xlsx.person@example.com", "?"])
        data = io.BytesIO()
        book.save(data)
        wizard = self._wizard(data.getvalue(), name="clients.xlsx")
        wizard.action_check()
        self.assertIn("Unknown columns: unknown_column", wizard.report)
        self.assertEqual(wizard.error_count, 1)
        action = wizard.action_download_template()
        self.assertTrue(action["url"].endswith(".csv"))
