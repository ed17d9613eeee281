"""The import's row checks and duplicate matching (``tools/import_matching.py``), without the
wizard: what a row means, which rows are the same client, which are already in the base."""

from datetime import date, timedelta

from odoo.tests import tagged

from ..tools.import_matching import (
    DATE_FORMATS,
    FALSE_VALUES,
    TRUE_VALUES,
    RowChecker,
    match_keys,
    parse_bool,
    parse_date,
)
from .common import ClientbaseCommon


@tagged("post_install", "-at_install", "clientbase_import")
class TestImportMatching(ClientbaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.country_id = cls.env.ref("base.ru")

    def _check(self, rows, user=None, consent_source="import"):
        """check() of numbered rows (the first data row of a file is row 2)."""
        checker = RowChecker(self.env(user=user or self.user_salesman), consent_source)
        return checker, checker.check(list(enumerate(rows, start=2)))

    def test_dates_in_every_format_read_back(self):
        """A date written in any accepted format reads back as itself; impossible dates and
        words are not dates."""
        day = date(1958, 1, 31)
        while day < date(2060, 1, 1):
            for date_format in DATE_FORMATS:
                if date_format.endswith("%y") and not 1969 <= day.year <= 2068:
                    continue  # two-digit years stand for 1969-2068
                self.assertEqual(parse_date(day.strftime(date_format)), day, date_format)
            day += timedelta(days=397)
        for text in ("31.02.1990", "2023-13-01", "вчера", "", "1990"):
            self.assertIsNone(parse_date(text), text)

    def test_yes_and_no_words(self):
        self.assertFalse(set(TRUE_VALUES) & set(FALSE_VALUES))
        for word in TRUE_VALUES:
            self.assertIs(parse_bool(f" {word.upper()} "), True, word)
        for word in FALSE_VALUES:
            self.assertIs(parse_bool(word.capitalize()), False, word)
        for word in ("может быть", "2", ""):
            self.assertIsNone(parse_bool(word), word)

    def test_one_client_whatever_format_typed(self):
        """The same phone or email typed in different shapes has one match key; different
        numbers have different keys."""
        shapes = ["8 (916) 123-45-67", "+7 916 123 45 67", "89161234567", "7-916-123-4567"]
        checker, _result = self._check([])
        keys = set()
        for shape in shapes:
            vals, errors = checker.row_values({"name": "X", "phone": shape, "email": "Ivan@Mail.RU"})
            self.assertFalse(errors, shape)
            keys.add(tuple(key for key, _shown in match_keys(vals)))
        self.assertEqual(len(keys), 1, keys)
        other, _errors = checker.row_values(
            {"name": "X", "phone": "8 916 123-45-68", "email": "ivan2@mail.ru"}
        )
        self.assertFalse(set(next(iter(keys))) & {key for key, _shown in match_keys(other)})

    def test_every_row_is_imported_refused_or_skipped_once(self):
        """Each row lands in exactly one outcome; a repeated contact names the row it repeats; a
        client already in the base is skipped with its link, even another salesperson's archived
        one the user does not see."""
        hidden = self.env["res.partner"].create(
            {"name": "Hidden Client", "mobile": "+7 903 555-66-77", "user_id": self.user_salesman_2.id}
        )
        hidden.action_archive()
        rows = [
            {"name": "Ok One", "email": "ok.one@example.com", "phone": "8 900 111-22-33"},
            {"name": "Same Phone", "mobile": "+7 (900) 111 22 33"},
            {"name": "Same Mail", "email": "OK.ONE@example.com"},
            {"name": "Known Mail", "email": "Anna@Example.com"},
            {"name": "Known Hidden", "phone": "89035556677"},
            {"name": "", "email": "noname@example.com"},
            {"name": "Ok Two", "birthday": "17.05.1990", "gender": "ж", "is_company": "нет"},
        ]
        _checker, (vals_list, errors, duplicates) = self._check(rows)
        self.assertEqual([vals["name"] for vals in vals_list], ["Ok One", "Ok Two"])
        self.assertEqual([number for number, *_rest in errors], [3, 4, 7])
        self.assertIn("+79001112233 is already in row 2", errors[0][1])
        self.assertIn("OK.ONE@example.com is already in row 2", errors[1][1])
        self.assertEqual([(number, partner) for number, _message, partner in duplicates],
                         [(5, self.client_person.id), (6, hidden.id)])  # fmt: skip
        self.assertIn("Anna Smirnova", duplicates[0][1])
        outcomes = [vals["name"] for vals in vals_list] + [
            rows[n - 2]["name"] for n, *_r in errors + duplicates
        ]
        self.assertCountEqual(outcomes, [row["name"] for row in rows])
        self.assertEqual(vals_list[1]["client_birthday"], date(1990, 5, 17))
        self.assertEqual(vals_list[1]["client_gender"], "female")
        self.assertIs(vals_list[1]["is_company"], False)

    def test_only_a_manager_gives_clients_to_another_manager(self):
        rows = [{"name": "Mine", "manager": "Sales Person"}, {"name": "Theirs", "manager": "cb_salesman_2"}]
        _checker, (vals_list, errors, _dup) = self._check(rows, user=self.user_salesman)
        self.assertEqual([vals["user_id"] for vals in vals_list], [self.user_salesman.id])
        self.assertEqual([number for number, *_rest in errors], [3])
        self.assertIn("only a client base manager", errors[0][1])
        _checker, (vals_list, errors, _dup) = self._check(rows, user=self.user_manager)
        self.assertFalse(errors)
        self.assertEqual(
            [vals["user_id"] for vals in vals_list], [self.user_salesman.id, self.user_salesman_2.id]
        )

    def test_consents_source_per_row_or_from_the_file(self):
        rows = [
            {"name": "A", "consent_email": "да", "consent_sms": "нет"},
            {"name": "B", "consent_sms": "yes", "consent_source": "Анкета", "consent_date": "01.02.2024"},
            {"name": "C", "consent_phone": "+", "consent_date": "2999-01-01"},
            {"name": "D", "consent_email": "maybe"},
        ]
        _checker, (vals_list, errors, _dup) = self._check(rows, consent_source="web_form")
        self.assertEqual(
            [vals["_consents"] for vals in vals_list],
            [
                [{"channel": "email", "purpose": "marketing", "state": "given", "source": "web_form"}],
                [{"channel": "sms", "purpose": "marketing", "state": "given", "source": "paper",
                  "date": date(2024, 2, 1)}],
            ],
        )  # fmt: skip
        self.assertEqual([number for number, *_rest in errors], [4, 5])

    def test_new_tags_named_before_the_import(self):
        self.env["res.partner.category"].create({"name": "VIP"})
        checker, (vals_list, errors, _dup) = self._check([{"name": "A", "tags": "vip; Опт, Розница"}])
        self.assertFalse(errors)
        self.assertEqual(vals_list[0]["_tags"], ["vip", "Опт", "Розница"])
        self.assertEqual(checker.new_tags, {"Опт", "Розница"})
