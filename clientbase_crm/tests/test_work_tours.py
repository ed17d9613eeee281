from odoo import fields
from odoo.tests import tagged

from .common import ClientbaseHttpCommon


@tagged("post_install", "-at_install", "clientbase_work", "clientbase_tour")
class TestWorkTours(ClientbaseHttpCommon):
    """Browser tours in headless Chromium, as a salesperson working their own client: the
    client card and the funnels (which open on My Clients for salespeople)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = cls.user_salesman
        cls.client = cls.env["res.partner"].create(
            {"name": "Tour Client LLC", "is_company": True, "user_id": cls.salesperson.id}
        )

    def _tour(self, url, tour):
        self.start_tour(url, tour, login=self.salesperson.login)

    def test_log_call_from_client_card(self):
        self._tour(f"/odoo/res.partner/{self.client.id}", "clientbase_log_call_tour")
        interaction = self.env["clientbase.interaction"].search([("client_id", "=", self.client.id)])
        self.assertEqual(len(interaction), 1)
        self.assertEqual(interaction.result, "reached")
        self.assertEqual(interaction.user_id, self.salesperson)
        self.assertEqual(interaction.activity_id.summary, "Send the catalogue")
        self.assertEqual(interaction.activity_id.user_id, self.salesperson)
        self.assertTrue(self.client.client_last_contact_date)

    def test_drag_client_between_warmth_columns(self):
        neighbour = self.env["res.partner"].create(
            {"name": "Tour Hot Neighbour", "is_company": True, "user_id": self.salesperson.id}
        )
        neighbour.client_warmth = "hot"
        self.assertEqual(self.client.client_warmth, "cold")
        self._tour(
            "/odoo/action-clientbase_crm.res_partner_action_clientbase_by_warmth",
            "clientbase_warmth_drag_tour",
        )
        self.client.invalidate_recordset()
        # confirmed Cold -> Hot (computed value left), then Hot -> Warm without asking (already manual)
        self.assertEqual(self.client.client_warmth, "warm")
        self.assertTrue(self.client.client_warmth_is_manual)

    def test_cancel_drag_keeps_computed_stage(self):
        self.assertEqual(self.client.client_stage, "potential")
        self._tour(
            "/odoo/action-clientbase_crm.res_partner_action_clientbase_by_stage",
            "clientbase_stage_drag_cancel_tour",
        )
        self.client.invalidate_recordset()
        self.assertEqual(self.client.client_stage, "potential")
        self.assertFalse(self.client.client_stage_is_manual)

    def test_drag_to_lost_asks_why(self):
        self.assertEqual(self.client.client_stage, "potential")
        self._tour(
            "/odoo/action-clientbase_crm.res_partner_action_clientbase_by_stage",
            "clientbase_stage_drag_lost_tour",
        )
        self.client.invalidate_recordset()
        self.assertEqual(self.client.client_stage, "lost")
        self.assertEqual(
            self.client.client_churn_reason_id, self.env.ref("clientbase_crm.clientbase_churn_reason_price")
        )
        self.assertEqual(self.client.client_churn_date, fields.Date.context_today(self.client))
        self.assertEqual(self.client.client_churn_user_id, self.salesperson)
