"""The journeys' loyalty triggers on a frozen clock: a client reached a level (from below, once),
a client's points are about to expire (once per card and date, a missed day caught up)."""

from freezegun import freeze_time

from odoo.addons.clientbase_crm.tests import test_journeys
from odoo.exceptions import ValidationError
from odoo.tests import tagged


@tagged("post_install", "-at_install", "clientbase_loyalty", "clientbase_journeys")
class TestJourneyLoyaltyTriggers(test_journeys.JourneyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Level = cls.env["clientbase.loyalty.level"]
        Level.search([("company_id", "=", cls.company.id)]).active = False
        cls.silver = Level.create({"name": "Journey Silver", "threshold": 1000, "discount": 3})
        cls.gold = Level.create({"name": "Journey Gold", "threshold": 5000, "discount": 5})
        cls.platinum = Level.create({"name": "Journey Platinum", "threshold": 10000, "discount": 7})
        cls.points_program = cls.env["loyalty.program"].create(
            {
                "name": "Journey Trigger Points",
                "program_type": "loyalty",
                "trigger": "auto",
                "applies_on": "both",
                "rule_ids": [(5, 0, 0)],
                "reward_ids": [(0, 0, {"reward_type": "discount", "discount": 1, "required_points": 1000})],
            }
        )

    def _level(self, partner, old, new):
        self.env["clientbase.segment.history"].sudo().create(
            {
                "partner_id": partner.id,
                "company_id": self.company.id,
                "dimension": "level",
                "old_value": str(old.id) if old else False,
                "new_value": str(new.id) if new else False,
            }
        )

    def _card(self, partner, points, expires):
        return self.env["loyalty.card"].create(
            {
                "program_id": self.points_program.id,
                "partner_id": partner.id,
                "points": points,
                "expiration_date": expires,
            }
        )

    def test_reached_a_level_from_below_once(self):
        """Gold or higher from a lower level or none enters, once; a jump over Gold reaches it
        too; a client already at or above Gold moving among them does not; a missed day is
        caught up."""
        c = self.clients
        with self.assertRaises(ValidationError):
            self._journey(trigger="loyalty_level")
        with freeze_time("2026-03-01 10:00:00"):
            self._level(c[5], None, self.gold)  # before the journey: not its event
            journey = self._journey(
                trigger="loyalty_level", trigger_level_id=self.gold.id, goal="none", steps=[]
            )
        with freeze_time("2026-03-02 10:00:00"):
            self._level(c[0], None, self.silver)
            self._level(c[1], self.silver, self.gold)
            self._level(c[2], self.silver, self.platinum)
            self._level(c[3], self.gold, self.platinum)
            self._level(c[4], self.platinum, self.gold)
            self._level(c[6], None, self.gold)
            self.assertEqual(journey.preview_count, 3)
            self.assertEqual(self._run(journey), {journey.id: 3})
            self.assertEqual(self._run(journey), {journey.id: 0})
        with freeze_time("2026-03-03 10:00:00"):
            self._level(c[0], self.silver, self.gold)
        with freeze_time("2026-03-05 10:00:00"):
            self.assertEqual(self._run(journey), {journey.id: 1})
        self.assertEqual(self._members(journey).partner_id, c[0] | c[1] | c[2] | c[6])

    def test_points_about_to_expire_once_per_card_and_date(self):
        """Points expiring within 7 days enter once per card and expiration date: not a card
        without points, nor one expired or further off; a day missed is caught up; a card whose
        date moved enters again as the re-entry rule allows."""
        c = self.clients
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(
                trigger="points_expiring",
                trigger_days=7,
                goal="none",
                steps=[],
                reentry="after",
                reentry_days=1,
            )
            soon = self._card(c[0], 100, "2026-03-05")
            later = self._card(c[1], 100, "2026-03-20")
            self._card(c[2], 0, "2026-03-04")  # no points
            self._card(c[3], 50, "2026-02-27")  # expired
            self._card(c[4], 50, "2026-03-08")  # the last day of the window
            self.assertEqual(self._run(journey), {journey.id: 2})
            self.assertEqual(self._run(journey), {journey.id: 0})
            self.assertEqual(self._members(journey).partner_id, c[0] | c[4])
        with freeze_time("2026-03-15 10:00:00"):  # no run from the 2nd to the 14th
            self.assertEqual(self._run(journey), {journey.id: 1})
            self.assertEqual(self._run(journey), {journey.id: 0})
            soon.expiration_date = "2026-03-18"  # renewed
            self.assertEqual(self._run(journey), {journey.id: 1})
        keys = self._members(journey).filtered(lambda m: m.partner_id == c[0]).mapped("event_key")
        self.assertEqual(sorted(keys), [f"expire:{soon.id}:2026-03-05", f"expire:{soon.id}:2026-03-18"])
        keys = self._members(journey).filtered(lambda m: m.partner_id == c[1]).mapped("event_key")
        self.assertEqual(keys, [f"expire:{later.id}:2026-03-20"])
