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
