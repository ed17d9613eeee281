from datetime import date

from odoo.tests import freeze_time, tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install", "clientbase_loyalty")
class TestLevelMovement(LoyaltyCommon):
    """The loyalty level in the from -> to matrix of two months: each client counted by the
    level it held at the end of each month (its level history), a client created later in the
    "not a client" row, a salesperson seeing his own clients."""

    def _matrix(self, user, month_a, month_b):
        wizard = (
            self.env["clientbase.movement.wizard"]
            .with_user(user)
            .create({"dimension": "level", "month_a": month_a, "month_b": month_b})
        )
        action = wizard.action_show()
        lines = self.env["clientbase.movement.line"].with_user(user).search(action["domain"])
        return {(line.from_value, line.to_value): line.client_count for line in lines}

    def _created(self, partners, when):
        """The day ``partners`` were created (the database stamps the real time, not a frozen one)."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET create_date = %s WHERE id = ANY(%s)", (when, partners.ids)
        )
        partners.invalidate_recordset(["create_date"])

    def test_levels_at_the_end_of_two_months(self):
        with freeze_time("2031-01-15 10:00:00"):
            x, y, z = (self._client(f"Level Mover {name}") for name in "XYZ")
            foreign = self._client("Level Mover W", user=self.user_b)
            self._created(x | y | z | foreign, "2031-01-15 10:00:00")
            self._order(x, 60000)  # Silver in January
            self._order(y, 1000)
            self._order(z, 100)
            self._order(foreign, 60000)
        with freeze_time("2031-02-10 10:00:00"):
            self._order(y, 55000)  # Silver in February
        with freeze_time("2031-03-10 10:00:00"):
            self._order(x, 100000)  # Gold in March
        with freeze_time("2031-04-05 10:00:00"):
            newcomer = self._client("Level Mover N")
            self._created(newcomer, "2031-04-05 10:00:00")
            self._order(newcomer, 60000)  # a client since April, Silver at once
            self.assertEqual(self._status(x).level_id, self.gold)
            self.assertEqual(
                self._matrix(self.user_a, date(2031, 1, 1), date(2031, 3, 1)),
                {("Silver", "Gold"): 1, ("No level", "Silver"): 1, ("No level", "No level"): 1},
                "X went up, Y reached Silver, Z stayed without; N was no client yet, W is another's",
            )
            self.assertEqual(
                self._matrix(self.user_a, date(2031, 1, 1), date(2031, 4, 1)),
                {
                    ("Silver", "Gold"): 1,
                    ("No level", "Silver"): 1,
                    ("No level", "No level"): 1,
                    ("None (not a client)", "Silver"): 1,
                },
            )
            self.assertEqual(
                self._matrix(self.user_b, date(2031, 1, 1), date(2031, 3, 1)), {("Silver", "Silver"): 1}
            )
            # a level set by hand counts from its day, and the matrix follows a level that goes
            self._status(x).sudo().write({"manual_level_id": self.silver.id, "manual_reason": "Agreed"})
            self.assertEqual(
                self._matrix(self.user_a, date(2031, 3, 1), date(2031, 4, 1))[("Gold", "Silver")], 1
            )
