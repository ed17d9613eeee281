"""*Download (vCard)* of clients goes through the export guard, and is offered only with the
export right (issue 26, class 4, vCard).

A salesperson without the export right gets no cards of clients, and the refusal is logged;
one with the right gets them within the quota, logged as an export; cards of partners that
are not clients stay Odoo's.
"""

from odoo.tests import tagged

from .common import EXPORT_GROUPS, ClientbaseHttpCommon


@tagged("post_install", "-at_install", "clientbase_protection")
class TestExportVcard(ClientbaseHttpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.exporter = cls._user("cb_vcard_exporter", groups=EXPORT_GROUPS)
        cls.vendor = cls.env["res.partner"].create({"name": "Vcard Vendor", "email": "vendor@example.com"})
        cls.clients = cls.client_company | cls.client_person

    def _logs(self, user):
        return (
            self.env["clientbase.export.log"]
            .sudo()
            .search([("user_id", "=", user.id), ("door", "=", "vcard")])
        )

    def _download(self, user, partners):
        self.authenticate(user.login, user.login)
        return self.url_open("/web/partner/vcard?partner_ids=" + ",".join(map(str, partners.ids)))

    def test_no_export_right_no_cards(self):
        response = self._download(self.user_salesman_2, self.clients)
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(b"romashka", response.content.lower())
        self.assertEqual(self._logs(self.user_salesman_2).outcome, "refused")

    def test_export_right_cards_logged(self):
        response = self._download(self.exporter, self.clients)
        self.assertEqual(response.status_code, 200)
        log = self._logs(self.exporter)
        self.assertEqual((log.outcome, log.record_count), ("done", 2))

    def test_over_the_quota_refused(self):
        self.env.company.client_export_threshold = 1
        response = self._download(self.exporter, self.clients)
        self.assertNotEqual(response.status_code, 200)
        self.assertEqual(self._logs(self.exporter).outcome, "refused")

    def test_partners_that_are_not_clients_stay_odoos(self):
        response = self._download(self.user_salesman_2, self.vendor)
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"vendor@example.com", response.content)
        self.assertFalse(self._logs(self.user_salesman_2))

    def test_action_menu_only_with_the_right(self):
        """The Action menu of contacts offers *Download (vCard)* to those who may export (and to
        users outside the client base, for the partners that are not clients), not to a client
        base user without the export right."""
        vcard = self.env.ref("web.download_contact")
        plain = self._user("cb_vcard_plain", groups="base.group_user")

        def offered(user):
            bindings = self.env["ir.actions.actions"].with_user(user).get_bindings("res.partner")
            return vcard.id in [action["id"] for action in bindings.get("action", [])]

        self.assertFalse(offered(self.user_salesman_2))
        self.assertTrue(offered(self.exporter))
        self.assertTrue(offered(plain))
