from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ClientbaseSalesCommon


@tagged("post_install", "-at_install", "clientbase_segment")
class TestSegmentStage(ClientbaseSalesCommon):
    def _stage_of(self, *days_ago):
        client = self._client(f"Stage {days_ago}")
        for days in days_ago:
            self._order(client, 100.0, days_ago=days)
        return client

    def test_stage_boundaries(self):
        cases = {
            (0,): "new",
            (30,): "new",
            (31,): "one_time",
            (180,): "one_time",
            (181,): "inactive",
            (31, 10): "active",
            (200, 180): "active",
            (200, 181): "inactive",
            (365, 300, 200, 100, 10): "loyal",
            (364, 300, 200, 100, 10): "active",
            (365, 300, 200, 100): "active",
            (400, 300, 250, 200, 181): "inactive",
            (20, 10): "new",
        }
        clients = {days: self._stage_of(*days) for days in cases}
        self._recompute()
        for days, stage in cases.items():
            self.assertEqual(clients[days].client_stage, stage, f"orders {days} days ago")
        self.assertEqual(self._client("Nobody").client_stage, "potential")

    def test_thresholds_are_per_company(self):
        client = self._stage_of(45)
        self._recompute()
        self.assertEqual(client.client_stage, "one_time")
        self.company.client_new_days = 60
        self._recompute()
        self.assertEqual(client.client_stage, "new")

    def test_manual_stage_survives_recompute(self):
        client = self._stage_of(10)
        self._recompute()
        with self.assertRaises(UserError):
            client.client_stage = "lost"
        client.write({"client_stage": "lost", "client_churn_reason": "Went to a competitor"})
        self._recompute()
        self._order(client, 100.0, days_ago=1)
        self._recompute()
        self.assertEqual(client.client_stage, "lost")
        self.assertTrue(client.client_stage_is_manual)
        self.assertEqual(client.client_churn_reason, "Went to a competitor")
        self.assertIn(client, self.Partner.search([("client_stage", "=", "lost")]))
        client.client_stage = False
        self.env.invalidate_all()
        self.assertEqual(client.client_stage, "new")
        self.assertFalse(client.client_stage_is_manual)

    def test_manual_vip_and_warmth_until_reset(self):
        client = self._stage_of(10)
        self._recompute()
        self.assertEqual(client.client_warmth, "hot")
        client.write({"client_warmth": "cold", "client_persona": "specific", "client_is_vip": False})
        self._recompute()
        self.assertEqual(client.client_warmth, "cold")
        self.assertEqual(client.client_persona, "specific")
        self.assertFalse(client.client_is_vip)
        self.assertTrue(client.client_vip_is_manual)
        client.action_client_reset_segments()
        self.assertEqual(client.client_warmth, "hot")
        self.assertTrue(client.client_is_vip)  # the only client with revenue is class A
        self.assertEqual(client.client_persona, "specific")

    def test_history_and_became_inactive_filter(self):
        client = self._stage_of(100)
        self._recompute()
        self.assertEqual(client.client_stage, "one_time")
        self.company.client_inactive_days = 90
        self._recompute()
        self.assertEqual(client.client_stage, "inactive")
        history = self.env["clientbase.segment.history"].search(
            [("partner_id", "=", client.id), ("dimension", "=", "stage")], order="id"
        )
        # confirming the order made the client "new" at once; dating it 100 days back, "one-time"
        self.assertEqual(
            [(h.old_value, h.new_value) for h in history],
            [("potential", "new"), ("new", "one_time"), ("one_time", "inactive")],
        )
        self.assertEqual(history[-1].new_label, "Inactive")
        became_inactive = [
            (
                "client_segment_history_ids",
                "any",
                [
                    ("dimension", "=", "stage"),
                    ("new_value", "=", "inactive"),
                    ("date", ">=", self.today.replace(day=1)),
                ],
            )
        ]
        self.assertEqual(self.Partner.search(became_inactive), client)
        # a run with nothing changed writes no history
        count = self.env["clientbase.segment.history"].search_count([])
        self._recompute()
        self.assertEqual(self.env["clientbase.segment.history"].search_count([]), count)

    def test_warmth_signals(self):
        lead_client = self._client("Lead Client")
        hot_lead_client = self._client("Hot Lead Client")
        self.env["crm.lead"].create(
            {"name": "Deal", "type": "opportunity", "partner_id": lead_client.id, "probability": 20}
        )
        self.env["crm.lead"].create(
            {"name": "Big deal", "type": "opportunity", "partner_id": hot_lead_client.id, "probability": 70}
        )
        recent = self._stage_of(60)
        old = self._stage_of(120)
        self._recompute()
        self.assertEqual(lead_client.client_warmth, "warm")
        self.assertEqual(lead_client.client_stage, "potential")
        self.assertEqual(hot_lead_client.client_warmth, "hot")
        self.assertEqual(recent.client_warmth, "warm")
        self.assertEqual(old.client_warmth, "cold")
