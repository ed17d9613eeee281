from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ClientbaseSalesCommon


@tagged("post_install", "-at_install", "clientbase_work", "clientbase_segment")
@freeze_time("2026-11-20 10:00:00")
class TestClientLifeCycle(ClientbaseSalesCommon):
    """One "lost", reached the same way from every door, and the automatic win-back of a
    lost or inactive client who orders again."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._user("lc_manager")
        cls.price = cls.env.ref("clientbase_crm.clientbase_churn_reason_price")

    def setUp(self):
        super().setUp()
        self.today = fields.Date.today()
        self.client = self._client("Life Cycle LLC", user_id=self.manager.id)
        self._order(self.client, 100.0, days_ago=400)
        self._order(self.client, 100.0, days_ago=300)
        self._recompute(full=True)

    def _mark_lost(self, client, user=None):
        wizard = (
            self.env["clientbase.churn.wizard"]
            .with_user(user or self.manager)
            .with_context(active_model="res.partner", active_ids=client.ids)
            .create({"reason_id": self.price.id, "note": "Too expensive this year"})
        )
        wizard.action_mark_lost()
        self.env.invalidate_all()

    def _won_back_activities(self, client):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", client.id), ("client_rule", "=", "won_back")]
        )

    def _stage_history(self, client):
        return self.env["clientbase.segment.history"].search(
            [("partner_id", "=", client.id), ("dimension", "=", "stage")], order="id"
        )

    def test_lost_from_the_wizard_then_an_order_wins_the_client_back(self):
        self._mark_lost(self.client)
        self.assertEqual(self.client.client_stage, "lost")
        self.assertEqual(self.client.client_churn_date, self.today)
        self.assertEqual(self.client.client_churn_user_id, self.manager)
        self.assertEqual(self.client.client_churn_reason_id, self.price)
        # the client orders again: confirming the order wins it back at once
        self._order(self.client, 250.0, days_ago=-1)
        self.env.invalidate_all()
        self.assertEqual(self.client.client_stage, "active", "back to the stage the rules give")
        self.assertFalse(self.client.client_stage_is_manual)
        self.assertFalse(self.client.client_churn_date, "no longer lost for any rule")
        self.assertFalse(self.client.client_winback_date)
        self.assertEqual(self.client.client_churn_reason_id, self.price, "what the client said is kept")
        last = self._stage_history(self.client)[-1]
        self.assertEqual((last.old_value, last.new_value), ("lost", "active"))
        activity = self._won_back_activities(self.client)
        self.assertEqual(activity.user_id, self.manager)
        # the nightly run finds nothing more to do
        self.figures._run_engine()
        self.assertEqual(len(self._won_back_activities(self.client)), 1)

    def test_won_back_by_an_order_from_another_door(self):
        """An order written by SQL (an import, another module) wins the client back at the
        nightly run."""
        self._mark_lost(self.client)
        order = self._order(self.client, 80.0, days_ago=300, state="draft")
        self.env.flush_all()
        with freeze_time(self.today + timedelta(days=3)):
            self.env.cr.execute(
                "UPDATE sale_order SET state = 'sale', date_order = %s WHERE id = %s",
                [fields.Datetime.now(), order.id],
            )
            self.assertEqual(self.figures._run_engine(), "incremental")
            self.env.invalidate_all()
            self.assertEqual(self.client.client_stage, "active")
            self.assertTrue(self._won_back_activities(self.client))

    def test_an_order_older_than_the_loss_does_not_win_back(self):
        self._mark_lost(self.client)
        self._order(self.client, 80.0, days_ago=10)  # dated before the client was lost
        self.env.invalidate_all()
        self.assertEqual(self.client.client_stage, "lost")
        self.assertEqual(self.client.client_churn_date, self.today)
        self.assertFalse(self._won_back_activities(self.client))

    def test_lost_from_the_card_is_the_same_lost(self):
        """Setting the stage to Lost on the card (or over RPC) needs a reason, and the card
        then holds the day and who, as the wizard does."""
        client = self.client.with_user(self.manager)
        with self.assertRaisesRegex(UserError, "churn reason"):
            client.write({"client_stage": "lost"})
        client.write({"client_stage": "lost", "client_churn_reason": "Said goodbye on the phone"})
        self.env.invalidate_all()
        self.assertEqual(self.client.client_stage, "lost")
        self.assertEqual(self.client.client_churn_date, self.today)
        self.assertEqual(self.client.client_churn_user_id, self.manager)
        # a lost client is no longer worked: no contact is due
        self.assertIn(self.client, self.Partner.search([("client_churn_date", "!=", False)]))

    def test_back_to_automatic_forgets_the_loss(self):
        self._mark_lost(self.client)
        self.client.with_user(self.manager).action_client_reset_segments()
        self.env.invalidate_all()
        self.assertEqual(self.client.client_stage, "inactive")
        self.assertFalse(self.client.client_churn_date, "a reset leaves no loss behind to block the rules")
        self._mark_lost(self.client)
        self.client.with_user(self.manager).write({"client_stage": "active"})
        self.env.invalidate_all()
        self.assertFalse(self.client.client_churn_date)

    def test_inactive_client_who_orders_again_counts_as_won_back(self):
        self.assertEqual(self.client.client_stage, "inactive")
        self.env["clientbase.segment.history"].search([("partner_id", "=", self.client.id)]).unlink()
        self._order(self.client, 60.0)
        self.env.invalidate_all()
        self.assertEqual(self.client.client_stage, "active")
        won_back = self.env["clientbase.segment.history"].search(
            [
                ("partner_id", "=", self.client.id),
                ("dimension", "=", "stage"),
                ("old_value", "in", ["lost", "inactive"]),
                ("new_value", "not in", ["lost", "inactive"]),
            ]
        )
        self.assertEqual(won_back.mapped("new_value"), ["active"])

    def _rule_activities(self, client):
        Partner = self.env["res.partner"]
        for cron in ("_cron_client_contact_cadence", "_cron_client_data_freshness", "_cron_client_birthdays"):
            getattr(Partner, cron)()
        # the win-back reminder is a journey: its first run of the day takes the dates of today
        reminder = self.env.ref("clientbase_crm.journey_winback_reminder")
        reminder.watermark_date = self.today - timedelta(days=1)
        self.env["clientbase.journey"]._run(reminder)
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", client.id)]
        )
        return set(activities.mapped("client_rule")) - {False}

    def test_the_rules_at_each_transition(self):
        """Worked, lost, won back: the reminders of the rules follow the client. A lost client
        is no longer worked (no contact due, no data to verify) but keeps the birthday reminder
        (a reason to call) and gets the win-back reminder; won back, it is worked again."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET create_date = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(days=500), self.client.id],
        )
        self.client.write(
            {"email": "info@shop", "client_birthday": self.today.replace(year=1980) + timedelta(days=2)}
        )
        self.env.invalidate_all()
        self.assertEqual(self._rule_activities(self.client), {"contact_due", "verify_data", "birthday"})

        self._mark_lost(self.client)
        self.assertEqual(self._rule_activities(self.client), {"birthday"})
        self.client.client_winback_date = self.today
        self.assertEqual(self._rule_activities(self.client), {"birthday", "winback"})

        self._order(self.client, 250.0, days_ago=-1)
        self.env.invalidate_all()
        rules = self._rule_activities(self.client)
        self.assertIn("won_back", rules)
        self.assertIn("verify_data", rules, "worked again: its data is checked again")
        self.assertNotIn("winback", rules, "no longer lost: no win-back reminder")
