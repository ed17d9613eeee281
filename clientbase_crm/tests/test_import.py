import base64
import io

import openpyxl

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..tools.import_file import detect_delimiter, detect_encoding, guess_targets
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
        self.assertIn("Row 8: duplicates the existing client Anna Smirnova; skipped", report)
        self.assertEqual(
            wizard.issue_ids.filtered(lambda i: i.kind == "duplicate").partner_id, self.client_person
        )
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
        bad_phones = ["8 (903) 12-ab-45-6", "12345", "++79161234567", "+7 916 +123 45 67"]
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
        wizard = self._wizard(content, encoding="utf-8")
        wizard.action_check()
        self.assertEqual(wizard.error_count, 1)
        self.assertIn("Row 2: the file is not encoded in UTF-8", wizard.report)
        wizard.encoding = "auto"
        wizard.action_check()
        self.assertEqual(wizard.error_count, 0)
        self.assertEqual(wizard.detected, "Windows-1251, Comma")
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
        self.assertIn("Column “unknown_column” is not imported", wizard.report)
        self.assertEqual((wizard.error_count, wizard.ready_count), (0, 1))
        action = wizard.action_download_template()
        self.assertTrue(action["url"].endswith(".csv"))


REAL_HEADER = "ФИО;Телефон;E-mail;Дата рождения;Канал;Менеджер;Теги;Согласие на рассылку;Источник согласия"
REAL_ROWS = [
    # 2..4: good rows, the numbers typed as people type them
    "Петров Пётр Петрович;8 (916) 123-45-67;Petr.Petrov@Mail.ru;17.05.1985;Выставка;Sales Person;VIP, опт;да;анкета",
    "Иванова Мария;+7 916 765 43 21;maria@yandex.ru;1990-01-31;;;;нет;",
    "Сидоров Олег;89161112233;;;;;;;",
    # 5..11: the addresses Odoo's lenient normaliser would accept or "repair"
    "Плохой 1;;info@shop;;;;;;",
    "Плохой 2;;@bk.ru;;;;;;",
    "Плохой 3;;sales@.com;;;;;;",
    "Плохой 4;;ivan@gmail..com;;;;;;",
    "Плохой 5;;petr@@yandex.ru;;;;;;",
    "Плохой 6;;anna smirnova@bk.ru;;;;;;",
    "Плохой 7;;oleg@mail,ru;;;;;;",
    # 12..13: a number with letters, a number too short
    "Плохой 8;8 (903) 12-ab-45-6;;;;;;;",
    "Плохой 9;12345;;;;;;;",
    # 14..16: broken dates
    "Плохой 10;;;31.02.1990;;;;;",
    "Плохой 11;;;1990-13-45;;;;;",
    "Плохой 12;;;вчера;;;;;",
    # 17..18: existing clients, typed in other formats
    "Анна С.;;ANNA@Example.com;;;;;;",
    "Ромашка бухгалтерия;+7 495 111 22 33;;;;;;;",
    # 19..21: what the base does not know
    "Плохой 13;;;;Телепатия;;;;",
    "Плохой 14;;;;;Nobody Known;;;",
    "Плохой 15;;;;;;;может быть;",
]


@tagged("post_install", "-at_install", "clientbase_import")
class TestClientImportRealFile(ClientbaseCommon):
    """A file as people have it: Windows-1251, semicolons, Russian headers, dirty values."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.country_id = cls.env.ref("base.ru")
        cls.channel = cls.env["clientbase.channel"].create({"name": "Выставка"})
        cls.client_company.phone = "8 (495) 111-22-33"

    def _wizard(self, text, user=None, **vals):
        return (
            self.env["clientbase.import.wizard"]
            .with_user(user or self.user_manager)
            .create({"file": base64.b64encode(text.encode("cp1251")), "file_name": "база.csv", **vals})
        )

    def test_dirty_real_file_named_row_by_row_and_nothing_partial(self):
        count = self.env["res.partner"].search_count([])
        wizard = self._wizard("\r\n".join([REAL_HEADER, *REAL_ROWS]) + "\r\n")
        wizard.action_check()
        self.assertEqual(wizard.detected, "Windows-1251, Semicolon")
        self.assertEqual(
            wizard.column_ids.sorted("sequence").mapped("target"),
            [
                "name",
                "phone",
                "email",
                "birthday",
                "channel",
                "manager",
                "tags",
                "consent_email",
                "consent_source",
            ],
        )
        errors = {issue.row: issue.message for issue in wizard.issue_ids if issue.kind == "error"}
        for row, email in enumerate(
            ["info@shop", "@bk.ru", "sales@.com", "ivan@gmail..com", "petr@@yandex.ru", "anna smirnova@bk.ru",
             "oleg@mail,ru"], start=5):  # fmt: skip
            self.assertTrue(errors[row].startswith(f"“{email}” is not a valid email ("), errors.get(row))
        self.assertIn("“8 (903) 12-ab-45-6” is not a valid phone number", errors[12])
        self.assertIn("“12345” is not a valid phone number", errors[13])
        for row, value in ((14, "31.02.1990"), (15, "1990-13-45"), (16, "вчера")):
            self.assertIn(f"“{value}” is not a date", errors[row])
        self.assertIn("unknown acquisition channel “Телепатия”", errors[19])
        self.assertIn("unknown manager “Nobody Known”", errors[20])
        self.assertIn("“может быть” is neither yes nor no", errors[21])
        self.assertEqual(sorted(errors), [*range(5, 17), 19, 20, 21], "every bad row, and only those")
        duplicates = {issue.row: issue.partner_id for issue in wizard.issue_ids if issue.kind == "duplicate"}
        self.assertEqual(
            duplicates, {17: self.client_person, 18: self.client_company}, "linked to the clients"
        )
        self.assertEqual(wizard.issue_ids.filtered("partner_id")[0].action_open_partner()["res_id"],
                         wizard.issue_ids.filtered("partner_id")[0].partner_id.id)  # fmt: skip
        self.assertEqual((wizard.error_count, wizard.duplicate_count, wizard.ready_count), (15, 2, 3))
        self.assertIn("Row 5: “info@shop” is not a valid email", wizard.report)
        with self.assertRaises(UserError):
            wizard.action_import()
        self.assertEqual(self.env["res.partner"].search_count([]), count, "nothing partial")
        self.assertEqual(self.client_company.phone, "8 (495) 111-22-33", "the existing client untouched")

        # the good rows alone: imported with their channel, manager, tags and consent, no address altered
        wizard = self._wizard("\r\n".join([REAL_HEADER, *REAL_ROWS[:3], *REAL_ROWS[15:17]]))
        wizard.action_check()
        self.assertEqual((wizard.error_count, wizard.duplicate_count, wizard.ready_count), (0, 2, 3))
        self.assertIn("New tags will be created: VIP, опт", wizard.report)
        self.assertIn("<th>Name</th>", wizard.preview)
        wizard.action_import()
        self.assertEqual(wizard.imported_count, 3)
        petr, maria, oleg = wizard.imported_partner_ids.sorted("id")
        self.assertEqual(
            (petr.name, petr.email, petr.phone),
            ("Петров Пётр Петрович", "Petr.Petrov@Mail.ru", "+79161234567"),
        )
        self.assertEqual((maria.phone, oleg.phone), ("+79167654321", "+79161112233"))
        self.assertEqual((petr.client_channel_id, petr.user_id), (self.channel, self.user_salesman))
        self.assertEqual(sorted(petr.category_id.mapped("name")), ["VIP", "опт"])
        self.assertEqual(str(petr.client_birthday), "1985-05-17")
        consent = self.env["clientbase.consent"].search([("partner_id", "=", petr.id)])
        self.assertEqual(
            (consent.channel, consent.purpose, consent.state, consent.source),
            ("email", "marketing", "given", "paper"),
        )
        self.assertTrue(petr.client_consent_email_marketing)
        self.assertFalse(maria.client_consent_ids, "“нет” records no consent")

    def test_mapping_guessed_then_edited(self):
        """Last, first and middle names make the name; an unknown header is left out until the
        user chooses its field; what the user chose stays while the file is the same."""
        wizard = self._wizard("Фамилия;Имя;Отчество;Контактное лицо;Эл. почта\nКузнецов;Иван;Ильич;Ваня;\n")
        wizard.action_check()
        self.assertEqual(wizard.column_ids.sorted("sequence").mapped("target"),
                         ["last_name", "first_name", "middle_name", False, "email"])  # fmt: skip
        self.assertIn("Column “Контактное лицо” is not imported", wizard.report)
        self.assertEqual(wizard.error_count, 0)
        wizard.column_ids.filtered(lambda c: c.header == "Фамилия").target = False
        wizard.column_ids.filtered(lambda c: c.header == "Имя").target = False
        wizard.column_ids.filtered(lambda c: c.header == "Отчество").target = False
        wizard.action_check()
        self.assertIn("No column holds the client's name", wizard.report)
        wizard.column_ids.filtered(lambda c: c.header == "Контактное лицо").target = "name"
        wizard.action_check()
        self.assertEqual(wizard.error_count, 0)
        self.assertEqual(wizard.column_ids.filtered(lambda c: c.header == "Контактное лицо").sample, "Ваня")
        wizard.action_import()
        self.assertEqual(wizard.imported_partner_ids.name, "Ваня")

    def test_salesperson_imports_own_clients_only(self):
        wizard = self._wizard("Имя;Ответственный\nКлиент А;Other Sales Person\nКлиент Б;Sales Person\n",
                              user=self.user_salesman)  # fmt: skip
        wizard.action_check()
        self.assertEqual(wizard.error_count, 1)
        self.assertIn("Row 2: only a client base manager gives clients to another manager", wizard.report)

    def test_headers_and_delimiters_people_use(self):
        self.assertEqual(
            guess_targets(["E-mail", "Моб. телефон", "Дата  рождения", "ИНН", "Источник", "Пол", "Ёмкость"]),
            ["email", "mobile", "birthday", "vat", "channel", "gender", ""],
        )
        self.assertEqual(
            guess_targets(["Имя", "Телефон"]), ["name", "phone"], "“Имя” alone is the whole name"
        )
        self.assertEqual(
            detect_delimiter('"Иванов, Иван";Москва;+7 916\n'), ";", "commas inside quotes don't count"
        )
        self.assertEqual(detect_delimiter("name\tcity\n"), "\t")
        self.assertEqual(detect_encoding("Имя".encode("cp1251")), "cp1251")
        self.assertEqual(detect_encoding("\ufeffИмя".encode()), "utf-8")

    def test_imported_client_is_what_create_stores(self):
        """The import writes its rows set-based: every stored column of the client and of its
        card holds what the ORM's ``create`` stores for the same values."""
        wizard = self._wizard(
            "Имя;Телефон;E-mail;Город;Дата рождения;Пол;Профессия;Юрлицо\n"
            "Иван Иванов;8 916 111-22-33;Ivan@Mail.ru;Москва;01.02.1980;м;Архитектор;нет\n"
            "ООО Ромашка;+7 495 222-33-44;;Москва;;;;да\n"
        )
        wizard.action_import()
        imported = wizard.imported_partner_ids.sorted("id")
        Partner = self.env["res.partner"].with_user(self.user_manager)
        created = Partner.with_context(tracking_disable=True, mail_create_nolog=True).create(
            [
                {
                    "name": "Иван Иванов",
                    "phone": "+79161112233",
                    "email": "Ivan@Mail.ru",
                    "city": "Москва",
                    "client_birthday": "1980-02-01",
                    "client_gender": "male",
                    "client_profession": "Архитектор",
                    "is_company": False,
                },
                {"name": "ООО Ромашка", "phone": "+74952223344", "city": "Москва", "is_company": True},
            ]  # fmt: skip
        )
        self.env.flush_all()
        self.env.invalidate_all()
        # (create then writes as the superuser behind the scenes: write_uid differs)
        skip = {"id", "create_date", "write_date", "write_uid", "commercial_partner_id", "partner_id"}
        for model, first, second in (
            ("res.partner", imported.sudo(), created.sudo()),
            (
                "clientbase.client.card",
                imported[:1].sudo().client_card_ids,
                created[:1].sudo().client_card_ids,
            ),
        ):
            self.assertTrue(first)
            self.assertEqual(len(first), len(second))
            for name, field in self.env[model]._fields.items():
                if not field.store or not field.column_type or name in skip:
                    continue
                for one, other in zip(first, second, strict=True):
                    if field.type == "datetime" and one[name] and other[name]:
                        # a default of "now" (calendar's last notification) differs by the
                        # seconds between the two creations: the same to the minute
                        self.assertLess(abs(one[name] - other[name]).total_seconds(), 60, f"{model}.{name}")
                        continue
                    self.assertEqual(one[name], other[name], f"{model}.{name}")
        for partner in imported:
            self.assertEqual(partner.commercial_partner_id, partner)
        self.assertTrue(imported[1].is_company)
        self.assertEqual(
            imported[0].client_card_ids.birthday_month, created[0].client_card_ids.birthday_month
        )
