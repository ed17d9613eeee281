"""Issue #26, class 4: in open mode, reading other managers' clients' contact data in bulk counts
against the per-user export quota and is logged, whatever the door (read, search_read,
web_search_read); a screen's page does not."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..models.protection.res_partner_bulk_read import BULK_READ_MIN
from .common import ProtectionCommon


@tagged("post_install", "-at_install", "clientbase_protection")
class TestBulkReadIsAnExport(ProtectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.many = cls.env["res.partner"].create(
            [
                {"name": f"Bulk client {i}", "email": f"bulk{i}@example.com", "user_id": cls.user_salesman.id}
                for i in range(BULK_READ_MIN + 10)
            ]
        )
        cls.company.client_export_threshold = 1000
        cls.Log = cls.env["clientbase.export.log"].sudo()

    def _logs(self, user):
        return self.Log.search([("user_id", "=", user.id), ("model", "=", "res.partner")])

    def test_every_bulk_door_is_charged_and_logged(self):
        Partner = self.env["res.partner"].with_user(self.colleague)
        domain = [("id", "in", self.many.ids)]
        doors = {
            "read": lambda: self.many.with_user(self.colleague).read(["name", "email"]),
            "search_read": lambda: Partner.search_read(domain, ["name", "phone"]),
            "web_search_read": lambda: Partner.web_search_read(domain, {"name": {}, "email": {}}),
        }
        for door, call in doors.items():
            before = len(self._logs(self.colleague))
            rows = call()
            self.assertTrue(rows, door)
            logs = self._logs(self.colleague)
            self.assertEqual(len(logs), before + 1, door)
            self.assertEqual(logs[0].record_count, len(self.many), door)

    def test_a_page_or_names_are_not_charged(self):
        Partner = self.env["res.partner"].with_user(self.colleague)
        Partner.search_read([("id", "in", self.many.ids)], ["name", "email"], limit=80)
        Partner.search_read([("id", "in", self.many.ids)], ["name"])
        self.many.with_user(self.user_manager).read(["email"])
        self.assertFalse(self._logs(self.colleague) | self._logs(self.user_manager))

    def test_over_the_quota_refused_and_logged(self):
        self.company.client_export_threshold = BULK_READ_MIN
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.colleague).search_read(
                [("id", "in", self.many.ids)], ["email"]
            )
        # the refusal's line is written again after the rollback; in the test, the savepoint keeps none
        self.company.client_export_threshold = 1000
        self.env["res.partner"].with_user(self.colleague).search_read(
            [("id", "in", self.many.ids)], ["email"]
        )
        self.assertEqual(self._logs(self.colleague).outcome, "done")
