from odoo.tests import tagged

from .common import ClientbaseCommon


@tagged("post_install", "-at_install", "clientbase_work")
class TestFunnels(ClientbaseCommon):
    """Kanban funnels by warmth and stage: every column shows, a drag sets the value by hand."""

    def test_warmth_board_shows_every_column_and_drag_sets_value(self):
        domain = [("id", "in", (self.client_company | self.client_person).ids)]
        Partner = self.env["res.partner"].with_user(self.user_salesman)
        result = Partner.web_read_group(domain, ["client_revenue:sum"], ["client_warmth"])
        columns = [group["client_warmth"] for group in result["groups"]]
        self.assertEqual(columns, ["cold", "warm", "hot"], "empty columns show too")
        # a drag and drop writes the new column's value: a manual override
        self.client_person.with_user(self.user_salesman).write({"client_warmth": "hot"})
        self.assertEqual(self.client_person.client_warmth, "hot")
        self.assertTrue(self.client_person.client_warmth_is_manual)
        result = Partner.web_read_group(domain, ["client_revenue:sum"], ["client_warmth"])
        counts = {group["client_warmth"]: group["client_warmth_count"] for group in result["groups"]}
        self.assertEqual(counts["hot"], 1)

    def test_stage_board_shows_every_stage(self):
        Partner = self.env["res.partner"].with_user(self.user_manager)
        result = Partner.web_read_group([("id", "=", self.client_person.id)], [], ["client_stage"])
        stages = [group["client_stage"] for group in result["groups"]]
        self.assertIn("potential", stages)
        self.assertIn("lost", stages)

    def test_funnel_menus(self):
        for xmlid in ("by_warmth", "by_stage", "vip", "potentials", "inactive"):
            menu = self.env.ref(f"clientbase_crm.res_partner_menu_clientbase_{xmlid}")
            self.assertTrue(menu.action)
