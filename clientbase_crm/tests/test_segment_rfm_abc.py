from odoo.tests import tagged

from .common import ClientbaseSalesCommon


@tagged("post_install", "-at_install", "clientbase_segment")
class TestSegmentRfmAbc(ClientbaseSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # isolate from other data: only our clients have orders in the window
        cls.env["sale.order"].search([("state", "=", "sale")]).write({"state": "cancel"})

    def test_abc_split_with_tie_and_crossing_client(self):
        revenues = [50, 20, 10, 10, 5, 3, 2]  # total 100
        clients = [self._client(f"ABC {i}") for i in range(len(revenues))]
        for client, revenue in zip(clients, revenues, strict=True):
            self._order(client, float(revenue), days_ago=5)
        old = self._client("Old buyer")
        self._order(old, 1000.0, days_ago=400)
        self._recompute()
        # before each client: 0, 50, 70 (crosses 80% -> A), 80 (tie, higher id -> B), 90, 95 (C), 98
        self.assertEqual([c.client_abc_class for c in clients], ["a", "a", "a", "b", "b", "c", "c"])
        self.assertEqual([c.client_is_vip for c in clients], [True, True, True, False, False, False, False])
        self.assertFalse(old.client_abc_class, "no revenue in the window: no class")
        self.assertEqual(old.client_rfm_segment, "lost")
        self.assertEqual(
            self.Partner.search([("client_is_vip", "=", True)]), clients[0] | clients[1] | clients[2]
        )
        # a hand-set VIP survives the recompute and is logged
        clients[6].client_is_vip = True
        self._recompute()
        self.assertTrue(clients[6].client_is_vip)
        vip_history = self.env["clientbase.segment.history"].search(
            [("partner_id", "=", clients[6].id), ("dimension", "=", "vip")]
        )
        self.assertEqual(vip_history.mapped("new_value"), ["True"])

    def test_abc_thresholds_from_settings(self):
        clients = [self._client(f"T {i}") for i in range(4)]
        for client, revenue in zip(clients, [40, 30, 20, 10], strict=True):
            self._order(client, float(revenue), days_ago=3)
        self.company.write({"client_abc_a_percent": 50.0, "client_abc_b_percent": 90.0})
        self._recompute()
        self.assertEqual([c.client_abc_class for c in clients], ["a", "a", "b", "c"])

    def test_rfm_quintiles_and_segments(self):
        # client i (0..9): last order 10*(10-i) days ago, i+1 orders, revenue growing with i
        clients = [self._client(f"RFM {i}") for i in range(10)]
        for i, client in enumerate(clients):
            for n in range(i + 1):
                self._order(client, 10.0 * (i + 1), days_ago=10 * (10 - i) + n)
        self._recompute()
        scores = [(c.client_rfm_recency, c.client_rfm_frequency, c.client_rfm_monetary) for c in clients]
        expected = [(q, q, q) for q in (1, 1, 2, 2, 3, 3, 4, 4, 5, 5)]
        self.assertEqual(scores, expected)
        segments = [c.client_rfm_segment for c in clients]
        self.assertEqual(
            segments,
            [
                "lost",
                "lost",
                "hibernating",
                "hibernating",
                "need_attention",
                "need_attention",
                "loyal",
                "loyal",
                "champions",
                "champions",
            ],
        )
        self.assertEqual(
            self.Partner.search([("client_rfm_recency", ">=", 4), ("id", "in", [c.id for c in clients])]),
            clients[6] | clients[7] | clients[8] | clients[9],
        )

    def test_rfm_ties_are_broken_by_partner_id(self):
        # ten clients with the same order on the same day: equal recency, frequency and
        # monetary values, so the quintiles follow the partner ids (lower id scores lower)
        clients = self.Partner
        for i in range(10):
            clients |= self._client(f"Twin {i}")
        for client in clients:
            self._order(client, 75.0, days_ago=20)
        self._recompute()
        ordered = clients.sorted("id")
        scores = [(c.client_rfm_recency, c.client_rfm_frequency, c.client_rfm_monetary) for c in ordered]
        self.assertEqual(scores, [(q, q, q) for q in (1, 1, 2, 2, 3, 3, 4, 4, 5, 5)])

    def test_order_discount_flag_follows_its_lines(self):
        client = self._client("Flagged")
        order = self._order(client, 100.0, days_ago=3)
        self.assertFalse(order.client_discounted)
        order.order_line.discount = 15
        self.assertTrue(order.client_discounted, "a discounted line makes the order discounted")
        self.assertTrue(
            self.env["sale.order"].search([("id", "=", order.id), ("client_discounted", "=", True)])
        )
        order.order_line.discount = 0
        self.assertFalse(order.client_discounted)

    def test_persona_suggestions(self):
        hunter = self._client("Hunter")
        self._order(hunter, 100.0, days_ago=5, discount=20)
        self._order(hunter, 100.0, days_ago=50, discount=10)
        self._order(hunter, 100.0, days_ago=90)
        fan = self._client("Fan")
        for days in (400, 300, 200, 100, 50, 20, 10, 5):
            self._order(fan, 100.0, days_ago=days)
        regular = self._client("Regular")
        self._order(regular, 100.0, days_ago=40)
        for i in range(3):  # enough clients for quintiles: the fan is alone in the top one
            self._order(self._client(f"Filler {i}"), 100.0, days_ago=30)
        self._recompute()
        self.assertEqual(hunter.client_persona_suggested, "discount_hunter")
        self.assertEqual(fan.client_stage, "loyal")
        self.assertEqual(fan.client_persona_suggested, "fan")
        self.assertFalse(regular.client_persona_suggested)
        self.assertFalse(fan.client_persona, "the persona itself is only set by users")
