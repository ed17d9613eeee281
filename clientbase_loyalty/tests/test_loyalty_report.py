from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install", "clientbase_loyalty")
class TestLoyaltyReport(LoyaltyCommon):
    def test_figures_per_level_on_a_hand_computed_base(self):
        """Silver: 60,000 in 2 orders and 80,000 in 1; Gold: 200,000 in 4 orders, one of them
        quoted with the Gold discount (10,000 - 5%)."""
        s1, s2, g1 = self._client("S1"), self._client("S2"), self._client("G1")
        self._order(s1, 30000)
        self._order(s1, 30000)
        self._order(s2, 80000)
        for _i in range(3):
            self._order(g1, 63500)
        discounted = self._quotation(g1, 10000)
        discounted.action_open_reward_wizard()
        discounted.action_confirm()  # 9,500: 190,500 + 9,500 = 200,000
        self.env.flush_all()
        rows = {
            row["level_id"][0]: row
            for row in self.env["clientbase.loyalty.report"].read_group(
                [("partner_id", "in", (s1 | s2 | g1).ids)],
                ["client_count:sum", "revenue:sum", "order_count:sum", "average_check", "discount:sum"],
                ["level_id"],
            )
        }
        silver, gold = rows[self.silver.id], rows[self.gold.id]
        self.assertEqual((silver["client_count"], silver["revenue"], silver["order_count"]), (2, 140000, 3))
        self.assertAlmostEqual(silver["average_check"], 140000 / 3, places=2)
        self.assertEqual(silver["discount"], 0)
        self.assertEqual((gold["client_count"], gold["revenue"], gold["order_count"]), (1, 200000, 4))
        self.assertAlmostEqual(gold["average_check"], 50000, places=2)
        self.assertAlmostEqual(gold["discount"], 500, places=2)

    def test_points_issued_spent_expired_on_a_hand_computed_base(self):
        """X: 100 points from a confirmed order of 1,000 (0.1 a unit), 30 spent by hand; Y: 20
        granted on a card that expired 9 days ago with its 20 points left (the report reads the
        database's day: no frozen clock). A coupon program's
        codes are no bonus points."""
        program = self.env["loyalty.program"].create(
            {
                "name": "Points",
                "program_type": "loyalty",
                "trigger": "auto",
                "applies_on": "both",
                "rule_ids": [(0, 0, {"reward_point_mode": "money", "reward_point_amount": 0.1})],
                "reward_ids": [(0, 0, {"reward_type": "discount", "discount": 1, "required_points": 1000})],
            }
        )
        x, y = self._client("X"), self._client("Y")
        expired_on = fields.Date.today() - timedelta(days=9)
        self._order(x, 1000)
        card_x = self.env["loyalty.card"].search([("program_id", "=", program.id), ("partner_id", "=", x.id)])
        self.assertEqual(card_x.points, 100)
        self.env["loyalty.history"].create({"card_id": card_x.id, "description": "Spent", "used": 30})
        card_y = self.env["loyalty.card"].create(
            {"program_id": program.id, "partner_id": y.id, "points": 20, "expiration_date": expired_on}
        )
        self.env["loyalty.history"].create({"card_id": card_y.id, "description": "Welcome", "issued": 20})
        coupons = self.env["loyalty.program"].create(
            {"name": "Coupons", "program_type": "coupons", "reward_ids": [(0, 0, {"discount": 10})]}
        )
        coupon = self.env["loyalty.card"].create({"program_id": coupons.id, "partner_id": x.id, "points": 1})
        self.env["loyalty.history"].create({"card_id": coupon.id, "description": "Coupon", "issued": 1})
        self.env.flush_all()
        Report = self.env["clientbase.loyalty.points.report"]
        rows = {
            row["partner_id"][0]: row
            for row in Report.read_group(
                [("partner_id", "in", (x | y).ids)],
                ["issued:sum", "spent:sum", "expired:sum"],
                ["partner_id"],
            )
        }
        self.assertEqual((rows[x.id]["issued"], rows[x.id]["spent"], rows[x.id]["expired"]), (100, 30, 0))
        self.assertEqual((rows[y.id]["issued"], rows[y.id]["spent"], rows[y.id]["expired"]), (20, 0, 20))
        by_month = Report.read_group([("partner_id", "in", (x | y).ids)], ["expired:sum"], ["date:month"])
        self.assertEqual([g["expired"] for g in by_month if g["expired"]], [20])
        # a salesperson reads its own clients' points only
        y.user_id = self.user_b
        self.assertEqual(
            Report.with_user(self.user_b).search([("partner_id", "in", (x | y).ids)]).partner_id, y
        )
