from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .common import ClientbaseCommon


@tagged("post_install", "-at_install", "clientbase_work")
@freeze_time("2026-03-10 10:00:00")
class TestInteraction(ClientbaseCommon):
    """The interaction log: calls, meetings and their next steps on the client card (on a fixed
    day, mid-morning: the dates of contacts are days in the user's time zone)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Interaction = cls.env["clientbase.interaction"]
        cls.now = fields.Datetime.now()
        cls.today = fields.Date.context_today(cls.Interaction)

    def _log(self, client, user=None, **vals):
        return self._log_interaction(client, user=user or self.user_salesman, **vals)

    def test_contact_person_is_logged_on_its_client(self):
        interaction = self._log(self.client_employee, duration=12)
        self.assertEqual(interaction.client_id, self.client_company)
        self.assertEqual(interaction.contact_id, self.client_employee)
        self.assertEqual(interaction.user_id, self.user_salesman, "the manager defaults to the current user")
        self.assertEqual(self.client_company.client_interaction_count, 1)
        self.assertEqual(self.client_company.client_last_contact_date, self.today)

    def test_negative_duration_refused(self):
        with self.assertRaises(ValidationError):
            self._log(self.client_person, duration=-5)

    def test_last_contact_date_follows_interactions(self):
        old = self._log(self.client_person, date=self.now - timedelta(days=40))
        self.assertEqual(self.client_person.client_last_contact_date, self.today - timedelta(days=40))
        # an unanswered call is an attempt, not a contact
        self._log(self.client_person, result="no_answer")
        self.assertEqual(self.client_person.client_last_contact_date, self.today - timedelta(days=40))
        recent = self._log(self.client_person, date=self.now - timedelta(days=2))
        self.assertEqual(self.client_person.client_last_contact_date, self.today - timedelta(days=2))
        recent.with_user(self.user_manager).unlink()
        self.assertEqual(self.client_person.client_last_contact_date, self.today - timedelta(days=40))
        old.write({"date": self.now - timedelta(days=100)})
        self.assertEqual(self.client_person.client_last_contact_date, self.today - timedelta(days=100))
        old.write({"client_id": self.client_company.id})
        self.assertFalse(self.client_person.client_last_contact_date)
        self.assertEqual(self.client_company.client_last_contact_date, self.today - timedelta(days=100))

    def test_search_no_contact_for_three_months(self):
        self._log(self.client_person, date=self.now - timedelta(days=120))
        self._log(self.client_company, date=self.now - timedelta(days=3))
        three_months_ago = fields.Date.to_string(self.today - timedelta(days=91))
        stale = self.env["res.partner"].search(
            [
                ("id", "in", (self.client_person | self.client_company).ids),
                ("client_last_contact_date", "<", three_months_ago),
            ]
        )
        self.assertEqual(stale, self.client_person)

    def test_next_step_creates_call_back_for_client_manager(self):
        # a manager logs the call, the client's manager gets the call back
        interaction = self._log(
            self.client_person,
            user=self.user_manager,
            result="call_back",
            next_step="Call back with the new price list",
            next_step_date=self.today + timedelta(days=5),
        )
        activity = interaction.activity_id
        self.assertTrue(activity)
        self.assertEqual(activity.res_id, self.client_person.id)
        self.assertEqual(activity.user_id, self.user_salesman)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual(activity.date_deadline, self.today + timedelta(days=5))
        self.assertEqual(activity.summary, "Call back with the new price list")
        self.assertEqual(activity.client_rule, "call_back")

    def test_interaction_answers_an_offer(self):
        order = self.env["sale.order"].create({"partner_id": self.client_employee.id})
        interaction = self._log(self.client_company, result="offer_declined", sale_order_id=order.id)
        self.assertEqual(interaction.sale_order_id, order)

    def test_log_a_call_from_the_card(self):
        action = self.client_employee.with_user(self.user_salesman).action_client_log_call()
        self.assertEqual(action["target"], "new")
        self.assertEqual(action["context"]["default_client_id"], self.client_company.id)
        form = Form(
            self.Interaction.with_user(self.user_salesman).with_context(**action["context"]),
            view="clientbase_crm.clientbase_interaction_view_form_quick",
        )
        form.result = "reached"
        interaction = form.save()
        self.assertEqual(interaction.client_id, self.client_company)
        self.assertEqual(interaction.contact_id, self.client_employee)
        self.assertEqual(interaction.kind, "outgoing_call")
        self.assertEqual(self.client_company.client_last_contact_date, self.today)
        opened = self.client_company.with_user(self.user_salesman).action_client_open_interactions()
        self.assertEqual(self.Interaction.search(opened["domain"]), interaction)

    def test_contact_too_soon_warns(self):
        self._log(self.client_person, date=self.now - timedelta(days=2))
        self.company.clientbase_contact_min_days = 7
        message = self.client_person._client_contact_too_soon_message()
        self.assertIn("at least 7 days", message)
        self.company.clientbase_contact_min_days = 2
        self.assertFalse(self.client_person._client_contact_too_soon_message())
        # the form shows it as a warning
        self.company.clientbase_contact_min_days = 7
        interaction = self.Interaction.with_user(self.user_salesman).new({})
        interaction.client_id = self.client_person
        result = interaction._onchange_client_id()
        self.assertIn("at least 7 days", result["warning"]["message"])

    def test_users_change_only_what_they_logged(self):
        interaction = self._log(self.client_person, note="Asked for a discount")
        other = interaction.with_user(self.user_salesman_2)
        self.assertEqual(other.note, "Asked for a discount", "the client's history is readable by colleagues")
        with self.assertRaises(AccessError):
            other.write({"note": "Changed"})
        with self.assertRaises(AccessError):
            other.unlink()
        interaction.with_user(self.user_manager).write({"note": "Checked by the manager"})
        self.assertEqual(interaction.note, "Checked by the manager")
