from datetime import date, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ClientbaseCommon


@tagged("post_install", "-at_install", "clientbase_work")
@freeze_time("2026-03-10 10:00:00")
class TestWorkRules(ClientbaseCommon):
    """Scheduled rules: birthdays, cadence, potentials, fresh data, churn and win-back.

    On a fixed day: the rules count days from today and from the clients' registration."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Partner = cls.env["res.partner"]
        cls.Activity = cls.env["mail.activity"]
        cls.today = fields.Date.context_today(cls.Partner)
        cls.clients = cls.client_company | cls.client_person | cls.client_employee
        for client in cls.clients:
            cls._age(client, 0)

    def _activities(self, rule, partners=None):
        return self.Activity.search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", (partners or self.clients).ids),
                ("client_rule", "=", rule),
            ]
        )

    @classmethod
    def _age(cls, partner, days):
        """Pretend the partner was registered ``days`` before today (the frozen one: the
        database's own clock stamps create_date)."""
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE res_partner SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=days), partner.id),
        )
        partner.invalidate_recordset(["create_date"])

    def _log(self, client, days_ago, result="reached"):
        return self._log_interaction(client, days_ago=days_ago, result=result)

    # --- birthdays ---------------------------------------------------------------
    def test_birthday_reminder_created_once_and_removed_after(self):
        in_two_days = self.today + timedelta(days=2)
        self.client_person.client_birthday = in_two_days.replace(year=in_two_days.year - 28)
        self.client_employee.client_birthday = (self.today + timedelta(days=10)).replace(year=1980)
        self.Partner._cron_client_birthdays()
        activity = self._activities("birthday")
        self.assertEqual(len(activity), 1, "only the birthday within the 3 days is reminded")
        self.assertEqual(activity.res_id, self.client_person.id)
        self.assertEqual(activity.user_id, self.user_salesman)
        self.assertEqual(activity.date_deadline, in_two_days)
        # not again on the next run, not even after the manager marked it done
        self.Partner._cron_client_birthdays()
        self.assertEqual(self._activities("birthday"), activity)
        activity.action_done()
        self.Partner._cron_client_birthdays()
        self.assertFalse(self._activities("birthday"))
        # a reminder whose birthday has passed goes away
        self.client_person.client_birthday_reminded_on = False
        self.Partner._cron_client_birthdays()
        self.assertEqual(len(self._activities("birthday")), 1)
        self.client_person.client_birthday = self.today.replace(year=1990) - timedelta(days=40)
        self.Partner._cron_client_birthdays()
        self.assertFalse(self._activities("birthday"))

    def test_birthday_days_before_is_a_company_setting(self):
        self.company.clientbase_birthday_days_before = 12
        self.client_employee.client_birthday = (self.today + timedelta(days=10)).replace(year=1980)
        self.Partner._cron_client_birthdays()
        self.assertEqual(self._activities("birthday").res_id, self.client_employee.id)

    @freeze_time("2027-02-25")
    def test_february_29_birthday_in_common_year(self):
        self.client_person.client_birthday = date(2000, 2, 29)
        self.Partner._cron_client_birthdays()
        activity = self._activities("birthday")
        self.assertEqual(activity.date_deadline, date(2027, 2, 28))

    def test_birthday_greeting_is_a_journey(self):
        """The setting "Send birthday greetings" switches the journey Birthday greeting on and off
        (the greeting itself: test_journeys_rules.TestJourneyReadyRules)."""
        journey = self.env.ref("clientbase_crm.journey_birthday")
        self.assertFalse(self.company.clientbase_birthday_greeting)
        self.company.clientbase_birthday_greeting = True
        self.assertTrue(journey.active)
        self.company.invalidate_recordset()
        self.assertTrue(self.company.clientbase_birthday_greeting)
        settings = self.env["res.config.settings"].create({})
        self.assertTrue(settings.clientbase_birthday_greeting)
        settings.clientbase_birthday_greeting = False
        settings.execute()
        self.assertFalse(journey.active)

    # --- contact cadence ------------------------------------------------------------
    def test_contact_due_after_max_days(self):
        self.client_person.client_qualification = "worth"
        self._log(self.client_person, 100)
        self._log(self.client_company, 10)
        self.Partner._cron_client_contact_cadence()
        activity = self._activities("contact_due")
        self.assertEqual(activity.res_id, self.client_person.id)
        self.assertEqual(activity.user_id, self.user_salesman)
        self.Partner._cron_client_contact_cadence()
        self.assertEqual(self._activities("contact_due"), activity, "created once")
        # a longer allowed gap removes the reason, and the activity
        self.company.clientbase_contact_max_days = 120
        self.Partner._cron_client_contact_cadence()
        self.assertFalse(self._activities("contact_due"))
        self.company.clientbase_contact_max_days = 90
        self.Partner._cron_client_contact_cadence()
        self.assertEqual(len(self._activities("contact_due")), 1)
        # logging a contact answers it at once
        self._log(self.client_person, 0)
        self.assertFalse(self._activities("contact_due"))

    def test_contact_due_skips_prospects_never_worked_and_lost_clients(self):
        self._age(self.client_person, 200)
        self.Partner._cron_client_contact_cadence()
        self.assertFalse(
            self._activities("contact_due"), "a partner never qualified nor contacted is not due"
        )
        self.client_person.client_qualification = "worth"
        self.Partner._cron_client_contact_cadence()
        self.assertEqual(len(self._activities("contact_due")), 1)
        self.client_person.client_churn_date = self.today
        self.Partner._cron_client_contact_cadence()
        self.assertFalse(self._activities("contact_due"))

    def test_contact_due_honours_a_refused_phone_consent(self):
        """A client who withdrew the phone-marketing consent is not pushed to be called; given
        again, the reminder comes back."""
        self._age(self.client_person, 200)
        self.client_person.client_qualification = "worth"
        Consent = self.env["clientbase.consent"]
        values = {"partner_id": self.client_person.id, "channel": "phone", "purpose": "marketing"}
        self.client_person.phone = "+7 916 123-45-67"
        call_list = [
            "&",
            "|",
            ("phone", "!=", False),
            ("mobile", "!=", False),
            ("client_do_not_call", "=", False),
        ]
        salesman_partners = self.Partner.with_user(self.user_salesman)
        self.assertIn(self.client_person, salesman_partners.search(call_list))
        Consent.create(dict(values, state="withdrawn", date=fields.Datetime.now() - timedelta(days=1)))
        self.Partner._cron_client_contact_cadence()
        self.assertFalse(self._activities("contact_due"))
        self.assertTrue(self.client_person.with_user(self.user_salesman).client_do_not_call)
        self.assertNotIn(self.client_person, salesman_partners.search(call_list), "out of the call list")
        Consent.create(dict(values, state="given"))
        self.Partner._cron_client_contact_cadence()
        self.assertEqual(self._activities("contact_due").res_id, self.client_person.id)
        self.client_person.invalidate_recordset(["client_do_not_call"])
        self.assertFalse(self.client_person.client_do_not_call)
        self.assertIn(self.client_person, salesman_partners.search(call_list))

    # --- potentials ------------------------------------------------------------------------
    def test_potential_without_deal_is_paused_then_retried(self):
        old = self.today - timedelta(days=100)
        self.client_person.write({"client_qualification": "worth", "client_qualified_date": old})
        self.client_company.write({"client_qualification": "worth", "client_qualified_date": old})
        self.env["crm.lead"].create(
            {"name": "Chairs", "type": "opportunity", "partner_id": self.client_employee.id}
        )
        self.Partner._cron_client_potentials()
        self.assertEqual(self.client_person.client_retry_date, self.today + timedelta(days=90))
        self.assertEqual(self.client_person.client_paused_date, self.today)
        self.assertFalse(self.client_company.client_retry_date, "an open opportunity is a deal in progress")
        self.assertFalse(self._activities("potential_retry"))
        # the retry day comes: the manager gets a reminder, once
        self.client_person.client_retry_date = self.today
        self.Partner._cron_client_potentials()
        activity = self._activities("potential_retry")
        self.assertEqual(activity.res_id, self.client_person.id)
        self.assertEqual(activity.user_id, self.user_salesman)
        self.assertFalse(self.client_person.client_retry_date)
        self.assertEqual(self.client_person.client_qualified_date, self.today)
        self.Partner._cron_client_potentials()
        self.assertEqual(self._activities("potential_retry"), activity)
        # a deal makes the reminder pointless
        self.env["crm.lead"].create(
            {"name": "Desk", "type": "opportunity", "partner_id": self.client_person.id}
        )
        self.Partner._cron_client_potentials()
        self.assertFalse(self._activities("potential_retry"))

    def test_potential_with_confirmed_order_is_not_paused(self):
        self._order(self.client_person)
        self.client_person.write(
            {"client_qualification": "worth", "client_qualified_date": self.today - timedelta(days=100)}
        )
        self.Partner._cron_client_potentials()
        self.assertFalse(self.client_person.client_retry_date)

    # --- fresh data ---------------------------------------------------------------------
    def test_stale_data_queue_and_verify_button(self):
        self._age(self.client_person, 400)
        self.client_company.message_bounce = 2
        self.Partner._cron_client_data_freshness()
        activities = self._activities("verify_data")
        self.assertEqual(set(activities.mapped("res_id")), {self.client_person.id, self.client_company.id})
        self.Partner._cron_client_data_freshness()
        self.assertEqual(self._activities("verify_data"), activities, "created once")
        self.client_person.with_user(self.user_salesman).action_client_verify_data()
        self.assertEqual(self.client_person.client_data_verified_date, self.today)
        self.assertEqual(self._activities("verify_data").res_id, self.client_company.id)
        # marking the activity done counts as verifying
        self._activities("verify_data").with_user(self.user_salesman).action_done()
        self.assertEqual(self.client_company.message_bounce, 0)
        self.Partner._cron_client_data_freshness()
        self.assertFalse(self._activities("verify_data"))

    def test_invalid_phone_needs_verification(self):
        self.client_person.phone = "call me maybe"
        self.Partner._cron_client_data_freshness()
        self.assertEqual(self._activities("verify_data").res_id, self.client_person.id)
        self.client_person.phone = "+32 81 81 37 00"
        self.Partner._cron_client_data_freshness()
        self.assertFalse(self._activities("verify_data"))

    def test_invalid_email_from_any_door_needs_verification(self):
        """An address Odoo's lenient normaliser accepts, written as an RPC call writes it, is
        kept as typed and sent to the verify-data queue; data from before the addon is found
        by the batched check the install runs."""
        self.client_person.write({"email": "anna smirnova@bk.ru"})
        self.assertEqual(self.client_person.email, "anna smirnova@bk.ru", "never rewritten")
        self.assertTrue(self.client_person.client_contact_invalid)
        self.assertIn(self.client_person, self.Partner.search([("client_contact_invalid", "=", True)]))
        self.Partner._cron_client_data_freshness()
        self.assertEqual(self._activities("verify_data").res_id, self.client_person.id)
        self.client_person.email = "anna.smirnova@bk.ru"
        self.assertFalse(self.client_person.client_contact_invalid)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET email = 'info@shop', client_contact_invalid = NULL WHERE id = %s",
            [self.client_company.id],
        )
        self.Partner.invalidate_model(["email", "client_contact_invalid"])
        self.Partner._client_fill_contact_invalid()
        self.assertTrue(self.client_company.client_contact_invalid)
        self.assertFalse(self.client_person.client_contact_invalid)

    def test_likely_duplicates_and_merge(self):
        first = self.Partner.create(
            {"name": "Oleg", "email": "Oleg@Example.com", "phone": "+7 (912) 345-67-89"}
        )
        second = self.Partner.create({"name": "Oleg K.", "email": "oleg@example.com"})
        third = self.Partner.create({"name": "O. K.", "phone": "8 912 345 67 89", "vat": "ru 7707083893"})
        fourth = self.Partner.create({"name": "OK Ltd", "vat": "RU7707083893"})
        Duplicate = self.env["clientbase.duplicate"].with_user(self.user_manager)
        by_kind = {
            row.kind: row.partner_ids
            for row in Duplicate.search([])
            if row.partner_ids & (first | second | third | fourth)
        }
        self.assertEqual(by_kind["email"], first | second)
        self.assertEqual(by_kind["phone"], first | third)
        self.assertEqual(by_kind["vat"], third | fourth)
        row = Duplicate.search([("kind", "=", "email"), ("key", "=", "oleg@example.com")])
        action = row.action_merge()
        self.assertEqual(action["res_model"], "base.partner.merge.automatic.wizard")
        wizard = self.env["base.partner.merge.automatic.wizard"].with_context(**action["context"]).create({})
        self.assertEqual(wizard.partner_ids, first | second)

    # --- churn -------------------------------------------------------------------------------
    def test_mark_lost_with_reason_and_win_back(self):
        competitor = self.env.ref("clientbase_crm.clientbase_churn_reason_competitor")
        Wizard = self.env["clientbase.churn.wizard"].with_user(self.user_salesman)
        wizard = Wizard.with_context(active_model="res.partner", active_ids=self.client_employee.ids).create(
            {"reason_id": competitor.id}
        )
        self.assertEqual(wizard.partner_ids, self.client_company)
        self.assertEqual(wizard.winback_date, self.today + timedelta(days=180))
        with self.assertRaisesRegex(UserError, "competitor"):
            wizard.action_mark_lost()
        wizard.competitor = "Vasilek LLC"
        wizard.action_mark_lost()
        client = self.client_company
        self.assertEqual(client.client_churn_date, self.today)
        self.assertEqual(client.client_churn_reason_id, competitor)
        self.assertEqual(client.client_churn_competitor, "Vasilek LLC")
        self.assertEqual(client.client_stage, "lost")
        self.assertEqual(competitor.client_count, 1)
        # reports count reasons
        groups = self.Partner._read_group(
            [("client_churn_reason_id", "!=", False)], ["client_churn_reason_id"], ["__count"]
        )
        self.assertIn((competitor, 1), groups)
        # win-back reminder on the day, once: the journey Win-back reminder (its first run of the day)
        reminder = self.env.ref("clientbase_crm.journey_winback_reminder")
        self.assertTrue(reminder.active)
        reminder.watermark_date = self.today - timedelta(days=1)
        client.client_winback_date = self.today
        self.env["clientbase.journey"]._run(reminder)
        activity = self._activities("winback")
        self.assertEqual(activity.res_id, client.id)
        self.assertEqual(activity.user_id, self.user_salesman)
        self.assertEqual(activity.date_deadline, self.today)
        self.env["clientbase.journey"]._run(reminder)
        self.assertEqual(self._activities("winback"), activity)

    # --- the scheduled jobs themselves -------------------------------------------------
    def test_crons_run_through_scheduler(self):
        self.client_person.client_qualification = "worth"
        self._log(self.client_person, 100)
        self.client_company.message_bounce = 1
        for xmlid in (
            "ir_cron_client_birthdays",
            "ir_cron_client_contact_cadence",
            "ir_cron_client_potentials",
            "ir_cron_client_data_freshness",
        ):
            cron = self.env.ref(f"clientbase_crm.{xmlid}")
            self.assertTrue(cron.active)
            cron.method_direct_trigger()
        self.assertEqual(self._activities("contact_due").res_id, self.client_person.id)
        self.assertEqual(self._activities("verify_data").res_id, self.client_company.id)
