"""Journeys, on a frozen clock: the date reached (every date up to today, once per value), the
ready win-back reminder in every company, user segments entered once per real change, leaving a
segment value, the card's journeys, the results' entry row."""

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .test_journeys import JourneyCommon


@tagged("post_install", "-at_install", "clientbase_journeys")
class TestJourneyDateReached(JourneyCommon):
    def _date_journey(self, **values):
        field = self.env["ir.model.fields"]._get("res.partner", "client_winback_date")
        vals = {
            "trigger": "date_field",
            "trigger_date_field_id": field.id,
            "entry_domain": f"[('id', 'in', {self.clients.ids})]",  # not the demo's lost clients
            "goal": "none",
            "reentry": "after",
            "reentry_days": 1,
            "steps": [],
        }
        return self._journey(**dict(vals, **values))

    def _keys(self, journey, client):
        return sorted(self._members(journey).filtered(lambda m: m.partner_id == client).mapped("event_key"))

    def test_every_date_reached_once_per_value(self):
        """A date already past enters at the first run, a date set to today after the run enters
        at the next run, a date reached during missed days is caught up; a rerun takes nobody
        twice, and a client enters again only for a new value of his date."""
        c = self.clients
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._date_journey()
            c[0].client_winback_date = "2026-02-20"  # long past
            c[1].client_winback_date = "2026-03-05"  # ahead
            self.assertEqual(journey.preview_count, 1)
            self.assertEqual(self._run(journey), {journey.id: 1})
            self.assertEqual(self._run(journey), {journey.id: 0}, "a rerun takes nobody")
            self.assertEqual(self._members(journey).partner_id, c[0])
        with freeze_time("2026-03-01 20:00:00"):
            c[2].client_winback_date = "2026-03-01"  # today, after the day's run
            self.assertEqual(self._run(journey), {journey.id: 1})
        with freeze_time("2026-03-07 10:00:00"):  # no run from the 2nd to the 6th
            self.assertEqual(self._run(journey), {journey.id: 1}, "the 5th is caught up")
            self.assertEqual(self._run(journey), {journey.id: 0})
            self.assertEqual(self._members(journey).partner_id, c[:3])
        with freeze_time("2026-03-10 10:00:00"):
            c[0].client_winback_date = "2026-03-09"  # a new date, already reached
            c[1].client_winback_date = "2026-03-05"  # the same date again
            self.assertEqual(self._run(journey), {journey.id: 1})
            self.assertEqual(self._run(journey), {journey.id: 0})
        self.assertEqual(
            self._keys(journey, c[0]),
            ["date:client_winback_date:2026-02-20", "date:client_winback_date:2026-03-09"],
        )
        self.assertEqual(self._keys(journey, c[1]), ["date:client_winback_date:2026-03-05"])

    def test_reentry_rule_and_unreadable_field(self):
        """Re-entry never: a new date does not bring the client back. A date field the database
        does not keep is refused."""
        c = self.clients
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._date_journey(reentry="never")
            c[0].client_winback_date = "2026-02-27"
            self.assertEqual(self._run(journey), {journey.id: 1})
        with freeze_time("2026-03-03 10:00:00"):
            c[0].client_winback_date = "2026-03-02"
            self.assertEqual(self._run(journey), {journey.id: 0}, "never again")
        unkept = self.env["ir.model.fields"].search(
            [("model", "=", "res.partner"), ("ttype", "in", ("date", "datetime")), ("store", "=", False)]
        )
        unkept = unkept.filtered(lambda f: _not_in_sql(self.env, f.name))[:1]
        if unkept:
            with self.assertRaises(ValidationError):
                self._date_journey(trigger_date_field_id=unkept.id)


def _not_in_sql(env, fname):
    try:
        env["res.partner"]._field_to_sql("res_partner", fname)
    except ValueError:
        return True
    return False

