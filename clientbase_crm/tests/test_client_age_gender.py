from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ClientbaseUsersCommon


@tagged("post_install", "-at_install", "clientbase_card", "clientbase_segment")
@freeze_time("2026-11-20 10:00:00")
class TestClientAgeGender(ClientbaseUsersCommon):
    """Gender and age (from the birthday), named by the articles as segmentation criteria: fields,
    filters, group-bys and segments, with known answers at their boundaries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"].with_user(cls.user_salesman)

        def person(name, birthday, gender):
            return Partner.create(
                {
                    "name": name,
                    "client_birthday": birthday,
                    "client_gender": gender,
                    "user_id": cls.user_salesman.id,
                }
            )

        cls.turns_26_today = person("Anna Today", date(2000, 11, 20), "female")
        cls.turns_26_tomorrow = person("Boris Tomorrow", date(2000, 11, 21), "male")
        cls.teen = person("Vera Teen", date(2010, 1, 1), "female")
        cls.senior = person("Gleb Senior", date(1950, 6, 1), "male")
        cls.unknown = Partner.create({"name": "No Birthday", "user_id": cls.user_salesman.id})
        cls.people = cls.turns_26_today | cls.turns_26_tomorrow | cls.teen | cls.senior | cls.unknown

    def _search(self, domain, user=None):
        Partner = self.env["res.partner"].with_user(user or self.user_salesman)
        return Partner.search([("id", "in", self.people.ids), *domain])

    def test_age_and_its_boundaries(self):
        self.assertEqual(self.turns_26_today.client_age, 26, "the birthday itself adds the year")
        self.assertEqual(self.turns_26_tomorrow.client_age, 25)
        self.assertEqual(self.teen.client_age, 16)
        self.assertFalse(self.unknown.client_age)
        self.assertEqual(self._search([("client_age", "=", 26)]), self.turns_26_today)
        self.assertEqual(self._search([("client_age", ">=", 26)]), self.turns_26_today | self.senior)
        self.assertEqual(self._search([("client_age", "<", 26)]), self.turns_26_tomorrow | self.teen)
        self.assertEqual(self._search([("client_age", "!=", 26)]), self.people - self.turns_26_today)
        self.assertEqual(self._search([("client_age", "=", False)]), self.unknown)
        with freeze_time("2026-11-21"):
            self.turns_26_tomorrow.invalidate_recordset()
            self.assertEqual(self.turns_26_tomorrow.client_age, 26)
            self.assertEqual(
                self._search([("client_age", "=", 26)]), self.turns_26_today | self.turns_26_tomorrow
            )

    def test_february_29(self):
        leap = self.env["res.partner"].create({"name": "Leap", "client_birthday": date(2000, 2, 29)})
        with freeze_time("2026-02-28"):
            leap.invalidate_recordset()
            self.assertEqual(leap.client_age, 25)
            self.assertFalse(leap.filtered_domain([("client_age", "=", 26)]))
        with freeze_time("2026-03-01"):
            leap.invalidate_recordset()
            self.assertEqual(leap.client_age, 26)
            self.assertEqual(
                self.env["res.partner"].search([("id", "=", leap.id), ("client_age", "=", 26)]), leap
            )

    def test_age_groups_and_gender_as_filters_and_group_bys(self):
        self.assertEqual(self.senior.client_age_band, "65_plus")
        self.assertEqual(self.turns_26_tomorrow.client_age_band, "25_34", "25 is the group's first year")
        self.assertEqual(
            self._search([("client_age_band", "=", "25_34")]), self.turns_26_today | self.turns_26_tomorrow
        )
        self.assertEqual(self._search([("client_age_band", "in", ["18_24", "under_18"])]), self.teen)
        self.assertEqual(
            self._search([("client_age_band", "not in", ["25_34", "65_plus"])]), self.teen | self.unknown
        )
        self.assertEqual(self._search([("client_gender", "=", "female")]), self.turns_26_today | self.teen)
        Partner = self.env["res.partner"].with_user(self.user_salesman)
        groups = dict(Partner._read_group([("id", "in", self.people.ids)], ["client_age_band"], ["__count"]))
        self.assertEqual(groups, {"25_34": 2, "under_18": 1, "65_plus": 1, False: 1})
        genders = dict(Partner._read_group([("id", "in", self.people.ids)], ["client_gender"], ["__count"]))
        self.assertEqual(genders, {"female": 2, "male": 2, False: 1})

    def test_a_segment_of_age_and_gender(self):
        segment = self.env["clientbase.segment"].create(
            {
                "name": "Women under 30",
                "domain": "[('client_gender', '=', 'female'), ('client_age', '<', 30)]",
            }
        )
        segment._refresh_members()
        self.assertEqual(segment.partner_ids & self.people, self.turns_26_today | self.teen)

    def test_a_colleague_gets_no_age_nor_gender(self):
        colleague = self.user_salesman_2
        client = self.turns_26_today.with_user(colleague)
        self.assertFalse(client.client_age)
        self.assertFalse(client.client_gender)
        self.assertFalse(self._search([("client_age", "=", 26)], user=colleague))
        self.assertFalse(self._search([("client_gender", "=", "female")], user=colleague))
        groups = (
            self.env["res.partner"]
            .with_user(colleague)
            ._read_group([("id", "in", self.people.ids)], ["client_age_band"], ["__count"])
        )
        self.assertEqual(dict(groups), {False: 5})
