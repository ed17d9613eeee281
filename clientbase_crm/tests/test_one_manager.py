from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .common import ClientbaseCommon


@tagged("post_install", "-at_install", "clientbase_work")
class TestOneManager(ClientbaseCommon):
    """One client, one manager: others are warned, or refused in strict mode."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Interaction = cls.env["clientbase.interaction"]
        cls.Lead = cls.env["crm.lead"]

    def _messages(self, client):
        return self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", client.id), ("message_type", "=", "comment")]
        )

    def test_other_user_is_warned_by_default(self):
        self.assertFalse(self.company.clientbase_strict_manager)
        before = self._messages(self.client_person)
        interaction = self.Interaction.with_user(self.user_salesman_2).create(
            {"client_id": self.client_person.id, "kind": "incoming_call", "result": "reached"}
        )
        self.assertTrue(interaction)
        note = self._messages(self.client_person) - before
        self.assertEqual(len(note), 1)
        self.assertIn("Sales Person", note.body)
        self.assertIn(self.user_salesman.partner_id, note.partner_ids, "the manager is notified")
        # the form warns before saving
        draft = self.Interaction.with_user(self.user_salesman_2).new({})
        draft.client_id = self.client_person
        warning = draft._onchange_client_id()["warning"]["message"]
        self.assertIn("managed by Sales Person", warning)

    def test_own_client_no_warning(self):
        before = self._messages(self.client_person)
        self.Interaction.with_user(self.user_salesman).create(
            {"client_id": self.client_person.id, "result": "reached"}
        )
        self.assertFalse(self._messages(self.client_person) - before)
        draft = self.Interaction.with_user(self.user_salesman).new({})
        draft.client_id = self.client_company
        self.assertIsNone(draft._onchange_client_id())

    def test_strict_mode_refuses_interaction_and_opportunity(self):
        self.company.clientbase_strict_manager = True
        with self.assertRaisesRegex(UserError, "managed by Sales Person"):
            self.Interaction.with_user(self.user_salesman_2).create({"client_id": self.client_employee.id})
        with self.assertRaisesRegex(UserError, "open an opportunity"):
            self.Lead.with_user(self.user_salesman_2).create(
                {"name": "Chairs", "type": "opportunity", "partner_id": self.client_employee.id}
            )
        # the client's own manager may
        lead = self.Lead.with_user(self.user_salesman).create(
            {"name": "Chairs", "type": "opportunity", "partner_id": self.client_employee.id}
        )
        self.assertTrue(lead)
        self.Interaction.with_user(self.user_salesman).create(
            {"client_id": self.client_company.id, "result": "reached"}
        )

    def test_strict_mode_manager_group_may_always_act(self):
        self.company.clientbase_strict_manager = True
        self.Interaction.with_user(self.user_manager).create(
            {"client_id": self.client_person.id, "result": "reached"}
        )
        lead = self.Lead.with_user(self.user_manager).create(
            {"name": "Desk", "type": "opportunity", "partner_id": self.client_person.id}
        )
        self.assertTrue(lead)

    def test_strict_mode_does_not_touch_users_outside_client_base_clients(self):
        """Unassigned clients and crm users without our groups keep working."""
        self.company.clientbase_strict_manager = True
        crm_user = new_test_user(self.env, login="cb_crm_only", groups="sales_team.group_sale_salesman")
        free_client = self.env["res.partner"].create({"name": "Nobody's client"})
        lead = self.Lead.with_user(crm_user).create({"name": "Free", "partner_id": free_client.id})
        self.assertTrue(lead)

    def test_colleague_may_save_an_opportunity_in_warn_mode(self):
        """The form warns; the colleague keeps (and sees) the opportunity; the client's manager
        is told in the client's chatter and follows the opportunity. RPC and imports the same."""
        draft = self.Lead.with_user(self.user_salesman_2).new(
            {"name": "Sofa", "user_id": self.user_salesman_2.id}
        )
        draft.partner_id = self.client_employee
        result = draft._onchange_partner_id_clientbase_manager()
        self.assertIn("managed by Sales Person", result["warning"]["message"])
        self.assertEqual(draft.user_id, self.user_salesman_2, "the colleague must still see what they save")
        before = self._messages(self.client_company)
        lead = self.Lead.with_user(self.user_salesman_2).create(
            {"name": "Sofa", "type": "opportunity", "partner_id": self.client_employee.id}
        )
        self.assertEqual(lead.with_user(self.user_salesman_2).user_id, self.user_salesman_2)
        self.assertIn(self.user_salesman.partner_id, lead.message_partner_ids)
        note = self._messages(self.client_company) - before
        self.assertIn(self.user_salesman.partner_id, note.partner_ids)

    def test_strict_mode_refuses_a_quotation_and_a_repointed_opportunity(self):
        self.company.clientbase_strict_manager = True
        with self.assertRaisesRegex(UserError, "make a quotation"):
            self.env["sale.order"].with_user(self.user_salesman_2).create(
                {"partner_id": self.client_employee.id}
            )
        own = self.env["res.partner"].create({"name": "Own client", "user_id": self.user_salesman_2.id})
        lead = self.Lead.with_user(self.user_salesman_2).create(
            {"name": "Lamp", "type": "opportunity", "partner_id": own.id}
        )
        with self.assertRaisesRegex(UserError, "open an opportunity"):
            lead.with_user(self.user_salesman_2).write({"partner_id": self.client_person.id})
        order = self.env["sale.order"].with_user(self.user_salesman_2).create({"partner_id": own.id})
        with self.assertRaisesRegex(UserError, "make a quotation"):
            order.with_user(self.user_salesman_2).write({"partner_id": self.client_person.id})
        # the client's manager quotes their own client
        self.assertTrue(
            self.env["sale.order"].with_user(self.user_salesman).create({"partner_id": self.client_person.id})
        )

    def test_quotation_by_a_colleague_is_told_in_warn_mode(self):
        colleague = new_test_user(
            self.env,
            login="cb_quoting_colleague",
            groups="base.group_user,clientbase_crm.group_clientbase_user,sales_team.group_sale_salesman",
        )
        before = self._messages(self.client_person)
        order = self.env["sale.order"].with_user(colleague).create({"partner_id": self.client_person.id})
        self.assertEqual(order.with_user(colleague).user_id, colleague, "the colleague keeps (and sees) it")
        self.assertIn(self.user_salesman.partner_id, order.message_partner_ids, "the manager follows it")
        note = self._messages(self.client_person) - before
        self.assertIn("make a quotation", note.body)
        self.assertIn(self.user_salesman.partner_id, note.partner_ids)


@tagged("post_install", "-at_install", "clientbase_work")
class TestHandover(ClientbaseCommon):
    """Clients move from one manager to another with a reason, logged on each client."""

    def _wizard(self, user, **vals):
        return (
            self.env["clientbase.handover.wizard"]
            .with_user(user)
            .create(dict({"to_user_id": self.user_salesman_2.id, "reason": "Ivan goes on holiday"}, **vals))
        )

    def test_handover_selected_clients(self):
        lead = self.env["crm.lead"].create(
            {
                "name": "Chairs",
                "type": "opportunity",
                "partner_id": self.client_employee.id,
                "user_id": self.user_salesman.id,
            }
        )
        activity = self.client_company.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.user_salesman.id, summary="Call"
        )
        wizard = self._wizard(self.user_manager, partner_ids=[(6, 0, self.client_employee.ids)])
        wizard.action_handover()
        self.assertEqual(self.client_company.user_id, self.user_salesman_2)
        self.assertEqual(self.client_employee.user_id, self.user_salesman_2, "contacts follow their client")
        self.assertEqual(lead.user_id, self.user_salesman_2)
        self.assertEqual(activity.user_id, self.user_salesman_2)
        self.assertEqual(self.client_person.user_id, self.user_salesman, "other clients stay")
        message = self.client_company.message_ids[0]
        self.assertIn("Sales Person", message.body)
        self.assertIn("Ivan goes on holiday", message.body)

    def test_handover_all_clients_of_a_manager_without_opportunities(self):
        lead = self.env["crm.lead"].create(
            {
                "name": "Chairs",
                "type": "opportunity",
                "partner_id": self.client_company.id,
                "user_id": self.user_salesman.id,
            }
        )
        self._wizard(
            self.user_manager, from_user_id=self.user_salesman.id, move_opportunities=False
        ).action_handover()
        self.assertEqual(self.client_company.user_id, self.user_salesman_2)
        self.assertEqual(self.client_person.user_id, self.user_salesman_2)
        self.assertEqual(lead.user_id, self.user_salesman)

    def test_handover_always_moves_the_rules_reminders(self):
        """Without "reassign planned activities", the rules' reminders still follow the client:
        they are the manager's work; other activities stay."""
        Activity = self.env["mail.activity"]
        model_id = self.env["ir.model"]._get_id("res.partner")
        reminder = Activity.create(
            {
                "res_model_id": model_id,
                "res_id": self.client_company.id,
                "user_id": self.user_salesman.id,
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "summary": "Contact due",
                "client_rule": "contact_due",
            }
        )
        personal = self.client_company.activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.user_salesman.id, summary="Own note"
        )
        self._wizard(
            self.user_manager, partner_ids=[(6, 0, self.client_company.ids)], move_activities=False
        ).action_handover()
        self.assertEqual(reminder.user_id, self.user_salesman_2)
        self.assertEqual(personal.user_id, self.user_salesman)

    def test_user_hands_over_only_own_clients(self):
        wizard = self._wizard(self.user_salesman_2, partner_ids=[(6, 0, self.client_person.ids)])
        with self.assertRaisesRegex(UserError, "only hand over your own clients"):
            wizard.action_handover()
        self._wizard(self.user_salesman, partner_ids=[(6, 0, self.client_person.ids)]).action_handover()
        self.assertEqual(self.client_person.user_id, self.user_salesman_2)

    def test_handover_needs_clients(self):
        with self.assertRaises(UserError):
            self._wizard(self.user_manager).action_handover()

    def test_head_of_sales_opens_an_opportunity_for_the_clients_manager(self):
        """From the form, for a contact of the client as for the client itself, and over RPC."""
        self.assertNotEqual(self.client_employee, self.client_employee.commercial_partner_id)
        self.user_manager.groups_id |= self.env.ref("sales_team.group_sale_salesman_all_leads")
        for partner in (self.client_employee, self.client_company):
            with Form(self.env["crm.lead"].with_user(self.user_manager)) as lead:
                lead.name = "Desks"
                lead.partner_id = partner
            self.assertEqual(lead.record.user_id, self.user_salesman, partner.name)
        lead = (
            self.env["crm.lead"]
            .with_user(self.user_manager)
            .create({"name": "Desks", "type": "opportunity", "partner_id": self.client_employee.id})
        )
        self.assertEqual(lead.user_id, self.user_salesman)
        # a salesperson still opens it as theirs (warned), as before
        lead = (
            self.env["crm.lead"]
            .with_user(self.user_salesman_2)
            .create({"name": "Desks", "type": "opportunity", "partner_id": self.client_employee.id})
        )
        self.assertEqual(lead.user_id, self.user_salesman_2)
