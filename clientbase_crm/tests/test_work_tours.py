from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install", "clientbase_work", "clientbase_tour")
class TestWorkTours(HttpCase):
    """Browser tours in headless Chromium: the client card and the warmth funnel."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        cls.client = cls.env["res.partner"].create(
            {"name": "Tour Client LLC", "is_company": True, "user_id": cls.admin.id}
        )

    def test_log_call_from_client_card(self):
        self.start_tour(f"/odoo/res.partner/{self.client.id}", "clientbase_log_call_tour", login="admin")
        interaction = self.env["clientbase.interaction"].search([("client_id", "=", self.client.id)])
        self.assertEqual(len(interaction), 1)
        self.assertEqual(interaction.result, "reached")
        self.assertEqual(interaction.user_id, self.admin)
        self.assertEqual(interaction.activity_id.summary, "Send the catalogue")
        self.assertTrue(self.client.client_last_contact_date)

    def test_drag_client_between_warmth_columns(self):
        neighbour = self.env["res.partner"].create({"name": "Tour Hot Neighbour", "is_company": True})
        neighbour.client_warmth = "hot"
        self.assertEqual(self.client.client_warmth, "cold")
        self.start_tour(
            "/odoo/action-clientbase_crm.res_partner_action_clientbase_by_warmth",
            "clientbase_warmth_drag_tour",
            login="admin",
        )
        self.client.invalidate_recordset()
        # confirmed Cold -> Hot (computed value left), then Hot -> Warm without asking (already manual)
        self.assertEqual(self.client.client_warmth, "warm")
        self.assertTrue(self.client.client_warmth_is_manual)

    def test_cancel_drag_keeps_computed_stage(self):
        self.assertEqual(self.client.client_stage, "potential")
        self.start_tour(
            "/odoo/action-clientbase_crm.res_partner_action_clientbase_by_stage",
            "clientbase_stage_drag_cancel_tour",
            login="admin",
        )
        self.client.invalidate_recordset()
        self.assertEqual(self.client.client_stage, "potential")
        self.assertFalse(self.client.client_stage_is_manual)
