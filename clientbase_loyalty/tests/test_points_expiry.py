from datetime import datetime

from odoo.exceptions import ValidationError
from odoo.tests import freeze_time, tagged

from .common import LoyaltyCommon, bonus_program


@tagged("post_install", "-at_install", "clientbase_loyalty")
class TestPointsExpiry(LoyaltyCommon):
    """Points expire by age, per grant, the oldest first: the nightly run writes the expiry to the
    card's points and to its history (marked expired), once however often it runs, and the points
    report counts it as expired, not spent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program = bonus_program(cls.env)
        cls.company.client_bonus_program_id = cls.program
        cls.company.client_bonus_expiry_months = 12  # the company's setting is the program's
        cls.Grant = cls.env["clientbase.loyalty.grant"]
        cls.Card = cls.env["loyalty.card"]

    def _grant(self, client, points, occasion, program=None):
        """Points granted today (the frozen clock) and posted to the client's card."""
        program = program or self.program
        self.Grant.create(
            {
                "partner_id": client.id,
                "company_id": self.company.id,
                "program_id": program.id,
                "event": "journey",
                "occasion": occasion,
                "description": f"Gift {occasion}",
                "points": points,
                "posted": False,
            }
        )
        self.env.flush_all()
        self.Grant._post_grants(self.company)
        self.env.invalidate_all()
        return self.Card.search([("program_id", "=", program.id), ("partner_id", "=", client.id)])

    def _spend(self, card, points):
        """Points spent as Odoo records a balance lowered (a history line that used them)."""
        wizard = self.env["loyalty.card.update.balance"].create(
            {"card_id": card.id, "new_balance": card.points - points, "description": "Spent at the counter"}
        )
        wizard.action_update_card_point()

    def _expire(self):
        result = self.Card._cron_clientbase_expire_points()
        self.env.invalidate_all()
        return result

    def _expired_lines(self, card):
        return card.history_ids.filtered("clientbase_expiry").sorted("id")

    def test_points_expire_by_age_oldest_first_once(self):
        client = self._client("Points Client")
        other = self._client("Points Elsewhere", user=self.user_b)
        forever = self.env["loyalty.program"].create({"name": "Never Expire", "program_type": "loyalty"})
        with freeze_time("2030-01-10 09:00:00"):
            card = self._grant(client, 100, "A")
            kept = self._grant(other, 40, "K", program=forever)  # a program without a lifetime
        with freeze_time("2030-06-10 09:00:00"):
            self._grant(client, 50, "B")
        with freeze_time("2030-09-01 09:00:00"):
            self._spend(card, 30)  # taken from the oldest grant: 70 of A left, B whole
        with freeze_time("2031-01-05 09:00:00"):
            self._grant(client, 20, "C")
        self.env.invalidate_all()
        self.assertEqual(card.points, 140)
        with freeze_time("2031-01-01 03:00:00"):  # a reminder: 70 points expire within 30 days
            self.env.cr.execute(
                self.Card._clientbase_points_expiring_query(self.program, datetime(2031, 1, 31, 3))
            )
            self.assertEqual(self.env.cr.fetchall(), [(card.id, 70.0)])
        with freeze_time("2031-01-11 03:00:00"):  # A is 12 months and a day old
            self.assertEqual(self._expire(), (1, 70.0))
            self.assertEqual(card.points, 70)
            self.assertEqual(self._expire(), (0, 0.0))  # run twice: expires once
            self.assertEqual(card.points, 70)
        line = self._expired_lines(card)
        self.assertEqual((line.issued, line.used), (0, 70))
        self.assertIn("Expired", line.description)
        with freeze_time("2031-03-01 03:00:00"):
            self.assertEqual(self._expire(), (0, 0.0))  # A is gone, B is not yet a year old
        with freeze_time("2031-06-11 03:00:00"):
            self.assertEqual(self._expire(), (1, 50.0))  # B expires whole, C stays
            self.assertEqual(self._expire(), (0, 0.0))
        self.assertEqual(card.points, 20)
        self.assertEqual(self._expired_lines(card).mapped("used"), [70, 50])
        self.assertEqual(kept.points, 40)
        # the points report: issued 170, spent 30 (not the expiry), expired 120
        rows = {
            row["partner_id"][0]: row
            for row in self.env["clientbase.loyalty.points.report"].read_group(
                [("partner_id", "in", (client | other).ids)],
                ["issued:sum", "spent:sum", "expired:sum"],
                ["partner_id"],
            )
        }
        self.assertEqual(
            (rows[client.id]["issued"], rows[client.id]["spent"], rows[client.id]["expired"]), (170, 30, 120)
        )
        self.assertEqual(rows[other.id]["expired"], 0)

    def test_points_spent_beyond_the_old_grants_leave_nothing_to_expire(self):
        client = self._client("Big Spender")
        with freeze_time("2030-01-10 09:00:00"):
            card = self._grant(client, 100, "A")
        with freeze_time("2030-12-01 09:00:00"):
            self._grant(client, 80, "B")
            self._spend(card, 150)  # all of A and 50 of B
        with freeze_time("2031-01-11 03:00:00"):
            self.assertEqual(self._expire(), (0, 0.0))
        with freeze_time("2031-12-02 03:00:00"):
            self.assertEqual(self._expire(), (1, 30.0))
        self.assertEqual(card.points, 0)

    def test_without_a_lifetime_points_never_expire(self):
        self.company.client_bonus_expiry_months = 0
        client = self._client("Old Points")
        with freeze_time("2020-01-10 09:00:00"):
            card = self._grant(client, 100, "A")
        with freeze_time("2031-01-11 03:00:00"):
            self.assertEqual(self._expire(), (0, 0.0))
        self.assertEqual(card.points, 100)
        with self.assertRaises(ValidationError):
            self.program.clientbase_points_expiry_months = -1
