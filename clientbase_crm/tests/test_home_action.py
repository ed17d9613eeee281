from odoo import Command
from odoo.tests import tagged

from .common import EMPLOYEE_GROUPS, ClientbaseUsersCommon


@tagged("post_install", "-at_install", "clientbase_work")
class TestHomeAction(ClientbaseUsersCommon):
    """Client base users land on the client base after login (their home action), salespeople
    on their own clients; a home action chosen for a user is kept; others keep Odoo's."""

    def setUp(self):
        super().setUp()
        self.clients_action = self.env.ref("clientbase_crm.res_partner_action_clients")

    def test_users_of_the_client_base_land_on_it(self):
        for user in (self.user_salesman, self.user_manager):
            self.assertEqual(user.action_id.id, self.clients_action.id)
        # what the salesperson's home opens: his own clients
        opened = self.clients_action.with_user(self.user_salesman).sudo()._get_action_dict()
        self.assertIn("'search_default_filter_my_clients': 1", opened["context"])
        opened = self.clients_action.with_user(self.user_manager).sudo()._get_action_dict()
        self.assertNotIn("search_default_filter_my_clients", opened["context"])

    def test_given_the_group_later(self):
        """An employee outside the base keeps Odoo's home; given a client base group (as the
        user form does) he lands on the client base."""
        employee = self._user("cb_home_employee", groups=EMPLOYEE_GROUPS)
        self.assertFalse(employee.action_id)
        employee.write({"groups_id": [Command.link(self.env.ref("clientbase_crm.group_clientbase_user").id)]})
        self.assertEqual(employee.action_id.id, self.clients_action.id)

    def test_a_chosen_home_is_kept(self):
        dashboard = self.env.ref("clientbase_crm.clientbase_dashboard_action")
        head = self._user(
            "cb_home_head",
            groups="base.group_user,clientbase_crm.group_clientbase_manager",
            action_id=dashboard.id,
        )
        self.assertEqual(head.action_id.id, dashboard.id)
        head.write({"groups_id": [Command.link(self.env.ref("clientbase_crm.group_clientbase_admin").id)]})
        self.assertEqual(head.action_id.id, dashboard.id)

    def test_portal_users_are_left_alone(self):
        portal = self._user("cb_home_portal", groups="base.group_portal")
        self.assertFalse(portal.action_id)
