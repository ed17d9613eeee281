from datetime import date

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..models.partner.res_partner_card import next_birthday
from .common import ClientbaseCommon


@tagged("post_install", "-at_install", "clientbase_card")
class TestClientBirthday(ClientbaseCommon):
    """Birthdays are searchable by upcoming days and by month, across a year end and on Feb 29."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.born_dec_30 = Partner.create({"name": "Born Dec 30", "client_birthday": "1980-12-30"})
        cls.born_jan_2 = Partner.create({"name": "Born Jan 2", "client_birthday": "1975-01-02"})
        cls.born_feb_29 = Partner.create({"name": "Born Feb 29", "client_birthday": "1996-02-29"})
        cls.born_mar_1 = Partner.create({"name": "Born Mar 1", "client_birthday": "1990-03-01"})
        cls.born_jun_15 = Partner.create({"name": "Born Jun 15", "client_birthday": "1985-06-15"})
        cls.birthday_clients = (
            cls.born_dec_30 | cls.born_jan_2 | cls.born_feb_29 | cls.born_mar_1 | cls.born_jun_15
        )

    def _upcoming(self, days):
        return (
            self.env["res.partner"].search([("client_days_to_birthday", "<=", days)]) & self.birthday_clients
        )

    def test_next_birthday_helper(self):
        self.assertEqual(next_birthday(date(1996, 2, 29), date(2027, 1, 1)), date(2027, 2, 28))
        self.assertEqual(next_birthday(date(1996, 2, 29), date(2028, 1, 1)), date(2028, 2, 29))
        self.assertEqual(next_birthday(date(1980, 12, 30), date(2026, 12, 31)), date(2027, 12, 30))
        self.assertEqual(next_birthday(date(1980, 12, 30), date(2026, 12, 30)), date(2026, 12, 30))

    @freeze_time("2026-12-28")
    def test_upcoming_birthdays_across_the_year_end(self):
        self.birthday_clients.invalidate_recordset(["client_days_to_birthday"])
        self.assertEqual(self.born_dec_30.client_days_to_birthday, 2)
        self.assertEqual(self.born_jan_2.client_days_to_birthday, 5)
        self.assertEqual(self._upcoming(7), self.born_dec_30 | self.born_jan_2)
        self.assertEqual(self._upcoming(1), self.env["res.partner"])

    @freeze_time("2027-02-26")
    def test_feb_29_counts_on_feb_28_in_a_common_year(self):
        self.birthday_clients.invalidate_recordset(["client_days_to_birthday"])
        self.assertEqual(self.born_feb_29.client_days_to_birthday, 2)
        self.assertEqual(self._upcoming(2), self.born_feb_29)
        self.assertEqual(self._upcoming(3), self.born_feb_29 | self.born_mar_1)

    @freeze_time("2028-02-28")
    def test_feb_29_counts_on_feb_29_in_a_leap_year(self):
        self.birthday_clients.invalidate_recordset(["client_days_to_birthday"])
        self.assertEqual(self.born_feb_29.client_days_to_birthday, 1)
        self.assertEqual(self._upcoming(0), self.env["res.partner"])
        self.assertEqual(self._upcoming(1), self.born_feb_29)
        today = self.env["res.partner"].search([("client_days_to_birthday", "=", 1)]) & self.birthday_clients
        self.assertEqual(today, self.born_feb_29)

    @freeze_time("2026-06-15")
    def test_birthday_today_and_other_operators(self):
        self.birthday_clients.invalidate_recordset(["client_days_to_birthday"])
        self.assertEqual(self.born_jun_15.client_days_to_birthday, 0)
        Partner = self.env["res.partner"]
        self.assertEqual(
            Partner.search([("client_days_to_birthday", "=", 0)]) & self.birthday_clients, self.born_jun_15
        )
        later = Partner.search([("client_days_to_birthday", ">", 180)]) & self.birthday_clients
        self.assertEqual(later, self.born_dec_30 | self.born_jan_2 | self.born_feb_29 | self.born_mar_1)
        with self.assertRaises(ValidationError):
            Partner.search([("client_days_to_birthday", "<=", "soon")])

    def test_search_and_group_by_month(self):
        Partner = self.env["res.partner"]
        february = Partner.search([("client_birthday_month", "=", "2")]) & self.birthday_clients
        self.assertEqual(february, self.born_feb_29)
        self.assertEqual(self.born_jan_2.client_birthday_day, 2)
        groups = Partner._read_group(
            [("id", "in", self.birthday_clients.ids)], ["client_birthday_month"], ["__count"]
        )
        self.assertEqual(dict(groups), {"12": 1, "1": 1, "2": 1, "3": 1, "6": 1})
        self.born_jun_15.client_birthday = False
        self.assertFalse(self.born_jun_15.client_birthday_month)

    def test_birthday_cannot_be_in_the_future(self):
        with self.assertRaises(ValidationError):
            self.client_person.client_birthday = "2999-01-01"
