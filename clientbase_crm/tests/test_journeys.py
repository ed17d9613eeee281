"""Journeys: known answers on a frozen clock (triggers, steps, exits, cap, priority, holdout,
uplift, an interrupted run) and the protection of their rows."""

import hashlib
import math
from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.addons.clientbase_crm.models.journeys.clientbase_journey_run import ClientbaseJourneyStep
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import ClientbaseSalesCommon

DAY0 = "2026-03-02 10:00:00"  # a Monday, inside the default send window (09:00-21:00 UTC)


class JourneyCommon(ClientbaseSalesCommon):
    """A marketer's journeys over clients of the first salesperson who consented to emails."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.marketer = cls._marketer()
        cls.company.partner_id.tz = "UTC"
        cls.company.write({"client_mailing_cap_count": 0, "client_mailing_cap_days": 0})
        cls.template = cls.env["mail.template"].create(
            {
                "name": "Journey test",
                "model_id": cls.env["ir.model"]._get_id("res.partner"),
                "subject": "Hello {{ object.name }}",
                "body_html": "<p>Dear <t t-out='object.name'/>, we miss you.</p>",
            }
        )
        cls.clients = cls.env["res.partner"]
        for i in range(8):
            client = cls.env["res.partner"].create(
                {
                    "name": f"Journey Client {i}",
                    "email": f"journey{i}@example.com",
                    "is_company": True,
                    "user_id": cls.user_salesman.id,
                }
            )
            cls._consent(client, date=datetime(2026, 1, 1))
            cls.clients |= client

    def _journey(self, steps=None, **values):
        vals = {
            "name": "Test journey",
            "trigger": "segment",
            "trigger_dimension": "stage",
            "trigger_value": "inactive",
            "holdout_percent": 0,
            "goal": "order",
            "user_id": self.marketer.id,
        }
        vals.update(values)
        if steps is None:
            steps = [{"name": "Mail", "kind": "email", "mail_template_id": self.template.id}]
        vals["step_ids"] = [(0, 0, dict({"sequence": 10 * (i + 1)}, **s)) for i, s in enumerate(steps)]
        return self.env["clientbase.journey"].with_user(self.marketer).create(vals).sudo()

    def _history(self, partners, new="inactive", old="active", dimension="stage"):
        self.env["clientbase.segment.history"].sudo().create(
            [
                {
                    "partner_id": p.id,
                    "company_id": self.company.id,
                    "dimension": dimension,
                    "old_value": old,
                    "new_value": new,
                }
                for p in partners
            ]
        )

    def _run(self, journeys=None, **context):
        journeys = journeys or self.env["clientbase.journey"].search(
            [("id", "in", self.env.context.get("j", []))]
        )
        entered = self.env["clientbase.journey"].with_context(**context)._run(journeys)
        self.env.invalidate_all()
        return entered

    def _run_steps_killed_in_second_batch(self, journey, owner, method):
        """Run the journey's steps in batches of two, the job killed when ``owner.method`` is
        called for the second time (in the second batch); the first batch stays committed. (Not
        assertRaises: it would roll back the whole run, the first batch included.)"""
        real = getattr(owner, method)
        calls = []

        def failing(*args, **kwargs):
            calls.append(args)
            if len(calls) == 2:
                raise RuntimeError("killed")
            return real(*args, **kwargs)

        killed = False
        with patch.object(owner, method, failing):
            try:
                journey.with_context(clientbase_journey_batch=2)._run_steps(journey)
            except RuntimeError:
                killed = True
        self.assertTrue(killed, "the run was killed in its second batch")
        self.env.invalidate_all()

    @staticmethod
    def _holdout_bucket(journey, partner):
        """The client's stable share 0..99 in the journey (as the enrolment computes it)."""
        digest = hashlib.md5(f"{journey.id}:{partner.id}".encode()).hexdigest()
        return (int(digest[:8], 16) & 0x7FFFFFFF) % 100

    def _split_clients_in_two(self, journey):
        """Set the holdout share that splits the 8 clients in two (a fixed 50% leaves all of them
        on one side on about one database in 128, where the ids hash that way)."""
        buckets = sorted(self._holdout_bucket(journey, client) for client in self.clients)
        journey.holdout_percent = min(buckets[3] + 1, 90)

    def _members(self, journey, **filters):
        domain = [("journey_id", "=", journey.id)] + [(k, "=", v) for k, v in filters.items()]
        return self.env["clientbase.journey.member"].search(domain)

    def _sent(self, journey, step=None):
        """The (partner, step) pairs queued in a mailing, from the history."""
        domain = [("journey_id", "=", journey.id), ("result", "=", "queued")]
        if step:
            domain.append(("step_id", "=", step.id))
        return self.env["clientbase.journey.history"].search(domain)


@tagged("post_install", "-at_install", "clientbase_journeys")
class TestJourneyTriggers(JourneyCommon):
    def test_segment_change_enters_once_and_catches_up(self):
        """A history row of the value is taken once: a rerun and a later run enrol nobody twice;
        an event from before the journey existed, or of another value, is not taken."""
        with freeze_time("2026-03-01 10:00:00"):
            self._history(self.clients[0])  # before the journey: not an event of it
            journey = self._journey()
        with freeze_time(DAY0):
            self._history(self.clients[1])
            self._history(self.clients[2], new="lost")
            self._history(self.clients[3], new="inactive", old="inactive")  # no real change
            self.assertEqual(self._run(journey), {journey.id: 1})
            self.assertEqual(self._members(journey).partner_id, self.clients[1])
            self.assertEqual(self._run(journey), {journey.id: 0}, "a rerun enrols nobody")
        with freeze_time("2026-03-05 10:00:00"):  # days missed: the next run catches up
            self._history(self.clients[4])
        with freeze_time("2026-03-09 10:00:00"):
            self.assertEqual(self._run(journey), {journey.id: 1})
            self.assertEqual(self._members(journey).partner_id, self.clients[1] | self.clients[4])
            self.assertEqual(len(self._sent(journey)), 2, "one message each")

    def test_first_order_and_no_second_order(self):
        """First order: the day its figures show it; N days after it without a second: that day."""
        client = self.clients[0]
        with freeze_time("2026-03-01 10:00:00"):
            first = self._journey(trigger="first_order", goal="none", steps=[])
            nudge = self._journey(trigger="no_second_order", trigger_days=3, goal="none", steps=[])
        with freeze_time(DAY0):
            self._order(client, amount=100)
            self._recompute()
            self._run(first | nudge)
            self.assertEqual(self._members(first).partner_id, client)
            self.assertEqual(self._members(first).state, "done", "a journey without steps is done at once")
            self.assertFalse(self._members(nudge))
        for day, expected in (("2026-03-04", False), ("2026-03-05", True), ("2026-03-06", True)):
            with freeze_time(f"{day} 10:00:00"):
                self._run(first | nudge)
                self.assertEqual(bool(self._members(nudge)), expected, day)
                self.assertEqual(len(self._members(nudge)), int(expected), day)
                self.assertEqual(len(self._members(first)), 1, day)

    def test_birthday_in_n_days_once_and_after_a_missed_day(self):
        person = self.clients[0]
        person.client_birthday = "1980-03-08"
        other = self.clients[1]
        other.client_birthday = "1975-03-10"
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(trigger="birthday", trigger_days=3, goal="none", steps=[])
        with freeze_time("2026-03-04 10:00:00"):
            self._run(journey)
            self.assertFalse(self._members(journey))
        with freeze_time("2026-03-05 10:00:00"):  # 3 days before the 8th
            self._run(journey)
            self._run(journey)
            self.assertEqual(self._members(journey).partner_id, person)
            self.assertEqual(self._members(journey).event_key, "birthday:2026")
        with freeze_time("2026-03-09 10:00:00"):  # the 7th (3 days before the 10th) was missed
            self._run(journey)
            self.assertEqual(self._members(journey).partner_id, person | other)

    def test_won_back_lost_and_consent(self):
        with freeze_time("2026-02-01 10:00:00"):
            again = self.env["res.partner"].create(
                {"name": "Again", "is_company": True, "email": "a@example.com"}
            )
            self._consent(again)
        with freeze_time("2026-03-01 10:00:00"):
            won = self._journey(trigger="won_back", goal="none", steps=[])
            price = self.env.ref("clientbase_crm.clientbase_churn_reason_price")
            lost_price = self._journey(
                trigger="lost", trigger_churn_reason_id=price.id, goal="none", steps=[]
            )
            lost_any = self._journey(trigger="lost", goal="none", steps=[])
            consent = self._journey(trigger="consent", goal="none", steps=[])
            fresh = self.env["res.partner"].create(
                {"name": "Fresh", "is_company": True, "email": "f@example.com"}
            )
        with freeze_time(DAY0):
            self._history(self.clients[0], new="active", old="lost")
            self._history(self.clients[1], new="one_time", old="inactive")
            self._history(self.clients[2], new="inactive", old="active")
            self.clients[3].write({"client_stage": "lost", "client_churn_reason_id": price.id})
            self.clients[4].write({"client_stage": "lost", "client_churn_reason": "Moved away"})
            self._consent(fresh)
            self._consent(again)  # consented already: no change, no event
            journeys = won | lost_price | lost_any | consent
            self._run(journeys)
            self._run(journeys)
        self.assertEqual(self._members(won).partner_id, self.clients[0] | self.clients[1])
        self.assertEqual(self._members(lost_price).partner_id, self.clients[3])
        self.assertEqual(self._members(lost_any).partner_id, self.clients[3] | self.clients[4])
        self.assertEqual(self._members(consent).partner_id, fresh)

    def test_entry_conditions_as_the_responsible_user(self):
        """The entry conditions are evaluated with the responsible user's rights, never as
        superuser: on a protected field, a salesperson's journey matches only what he may read."""
        other = self.env["res.partner"].create(
            {
                "name": "Not his",
                "is_company": True,
                "email": "x@example.com",
                "user_id": self.user_salesman_2.id,
            }
        )
        (self.clients[0] | other).write({"client_profession": "Baker"})
        self.company.client_pool_visible = False
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(entry_domain="[('client_profession', '=', 'Baker')]", steps=[])
            journey.user_id = self.user_salesman
        with freeze_time(DAY0):
            self._history(self.clients[0] | other)
            self.assertEqual(journey.preview_count, 1)
            self._run(journey)
        self.assertEqual(self._members(journey).partner_id, self.clients[0])

    def test_conditions_the_responsible_user_may_not_read(self):
        """A journey whose responsible user may not read a field of its conditions is refused at
        save time; when he loses the right later, nobody enters and the events wait for him."""
        clerk = self._user("cb_journey_clerk", groups="base.group_user", name="Clerk")
        with freeze_time("2026-03-01 10:00:00"):
            with self.assertRaises(ValidationError):
                self._journey(entry_domain="[('client_profession', '=', 'Baker')]", user_id=clerk.id)
            journey = self._journey(entry_domain="[('client_profession', '=', 'Baker')]", steps=[])
        self.clients[:2].write({"client_profession": "Baker"})
        group = self.env.ref("clientbase_crm.group_clientbase_user")
        manager_group = self.env.ref("clientbase_crm.group_clientbase_manager")
        with freeze_time(DAY0):
            self._history(self.clients[:2])
            self.marketer.write({"groups_id": [(3, manager_group.id), (3, group.id)]})
            self.assertEqual(self._run(journey), {journey.id: 0}, "his rights are gone: nobody enters")
            self.assertFalse(self._members(journey))
            self.marketer.write({"groups_id": [(4, manager_group.id)]})
            self._run(journey)
        self.assertEqual(self._members(journey).partner_id, self.clients[:2], "the events waited for him")

    def test_preview_writes_nothing(self):
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(active=False)
        with freeze_time(DAY0):
            self._history(self.clients[:3])
            self.assertEqual(journey.preview_count, 3)
            action = journey.with_user(self.marketer).action_preview()
            self.assertEqual(self.env["res.partner"].search(action["domain"]), self.clients[:3])
            self.assertFalse(self._members(journey))
            journey.active = True
            self._history(self.clients[3])
            journey.invalidate_recordset(["preview_count"])
            self.assertEqual(journey.preview_count, 1, "active: the events since it was switched on")


@tagged("post_install", "-at_install", "clientbase_journeys")
class TestJourneySteps(JourneyCommon):
    def _three_steps(self, **values):
        return self._journey(
            steps=[
                {"name": "First", "kind": "email", "mail_template_id": self.template.id},
                {"name": "Wait", "kind": "wait", "wait_days": 2},
                {"name": "Second", "kind": "email", "mail_template_id": self.template.id},
            ],
            **values,
        )

    def test_wait_and_window(self):
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._three_steps()
        first, _wait, second = journey.step_ids.sorted("sequence")
        with freeze_time("2026-03-02 07:00:00"):  # before the window: nobody mailed yet
            self._history(self.clients[0])
            self._run(journey)
            member = self._members(journey)
            self.assertEqual(member.step_id, first)
            self.assertFalse(self._sent(journey))
        with freeze_time("2026-03-02 09:30:00"):
            self._run(journey)
            self.assertEqual(self._sent(journey).step_id, first)
            self.assertEqual(member.step_id, second)
            self.assertEqual(member.next_run, datetime(2026, 3, 4, 9, 30))
            mailing = self._sent(journey).mailing_id
            self.assertEqual(mailing.state, "in_queue")
            self.assertEqual(mailing.mailing_model_real, "res.partner")
            self.assertEqual(mailing._get_recipients(), self.clients[0].ids)
            self.assertEqual(mailing.clientbase_journey_step_id, first)
        with freeze_time("2026-03-04 09:00:00"):
            self._run(journey)
            self.assertEqual(len(self._sent(journey)), 1, "the wait is not over")
        with freeze_time("2026-03-04 22:00:00"):
            self._run(journey)
            self.assertEqual(len(self._sent(journey)), 1, "after the window")
        with freeze_time("2026-03-05 09:00:00"):
            self._run(journey)
            self.assertEqual(self._sent(journey, second).partner_id, self.clients[0])
            self.assertEqual(member.state, "done")

    def test_branch_tag_activity(self):
        tag = self.env["res.partner.category"].create({"name": "Journey tag"})
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(
                goal="none",
                # the order makes the client active: he would leave the segment (inactive) first
                exit_on_condition_lost=False,
                steps=[
                    {"name": "Wait", "kind": "wait", "wait_days": 1},
                    {"name": "Ordered?", "kind": "branch", "branch_condition": "ordered"},
                    {"name": "Tag", "kind": "tag", "tag_id": tag.id},
                    {"name": "Call", "kind": "activity", "activity_summary": "Call them"},
                ],
            )
        with freeze_time(DAY0):
            self._history(self.clients[:3])
            self._run(journey)
        with freeze_time("2026-03-02 15:00:00"):
            self._order(self.clients[0], amount=50)
        with freeze_time("2026-03-03 10:00:00"):
            self._run(journey)
        done = self._members(journey, state="done")
        self.assertEqual(done.partner_id, self.clients[0])
        self.assertEqual(self._members(journey, exit_reason="branch").partner_id, self.clients[1:3])
        self.assertIn(tag, self.clients[0].category_id)
        self.assertNotIn(tag, self.clients[1].category_id)
        activity = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", self.clients[:3].ids),
                ("summary", "=", "Call them"),
            ]
        )
        self.assertEqual(activity.res_id, self.clients[0].id)
        self.assertEqual(activity.user_id, self.user_salesman, "the client's manager")

    def test_sms_step_and_mailing_list(self):
        """An SMS step queues an SMS Marketing mailing to the clients who consented to SMS; a list
        step subscribes the clients' emails to the list once."""
        sms_template = self.env["sms.template"].create(
            {
                "name": "Journey SMS",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "body": "Hi {{ object.name }}",
            }
        )
        mailing_list = self.env["mailing.list"].create({"name": "Journey list"})
        texted = self.clients[0]
        texted.mobile = "+7 916 555 12 34"
        self.clients[1].mobile = "+7 916 555 12 35"  # a number, but no consent to SMS
        self._consent(texted, channel="sms", date=datetime(2026, 1, 1))
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(
                goal="none",
                steps=[
                    {"name": "List", "kind": "list_add", "mailing_list_id": mailing_list.id},
                    {"name": "Text", "kind": "sms", "sms_template_id": sms_template.id},
                ],
            )
        with freeze_time(DAY0):
            self._history(self.clients[:2])
            self._run(journey)
            self._run(journey)
        sent = self._sent(journey)
        self.assertEqual(sent.partner_id, texted)
        self.assertEqual(sent.mailing_id.mailing_type, "sms")
        self.assertEqual(sent.mailing_id.body_plaintext, "Hi {{ object.name }}")
        self.assertEqual(self._members(journey, exit_reason="no_consent").partner_id, self.clients[1])
        subscribed = self.env["mailing.subscription"].search([("list_id", "=", mailing_list.id)])
        self.assertEqual(
            sorted(subscribed.contact_id.mapped("email")), sorted(self.clients[:2].mapped("email"))
        )

    def test_the_scheduled_job_runs_every_active_journey(self):
        with freeze_time("2026-03-01 10:00:00"):
            active = self._journey(name="On")
            archived = self._journey(name="Off")
            archived.active = False
        with freeze_time(DAY0):
            self._history(self.clients[0])
            self.env.ref("clientbase_crm.ir_cron_client_journeys").method_direct_trigger()
            self.env.invalidate_all()
        self.assertEqual(self._sent(active).partner_id, self.clients[0])
        self.assertFalse(self._members(archived))

    def test_each_exit_stops_the_next_step(self):
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._three_steps(entry_domain="[('ref', '!=', 'STOP')]")
        first, _wait, second = journey.step_ids.sorted("sequence")
        c = self.clients
        with freeze_time(DAY0):
            self._history(c[:7])
            self._run(journey)
            self.assertEqual(self._sent(journey, first).partner_id, c[:7])
        with freeze_time("2026-03-03 10:00:00"):
            self._order(c[0], amount=10)  # goal reached (won back: no message after coming back)
            self._consent(c[1], state="withdrawn")
            self.env["mail.blacklist"].sudo()._add(c[2].email)
            c[3].write({"client_stage": "lost", "client_churn_reason": "Moved away"})
            c[4].ref = "STOP"  # left the entry conditions
            c[5].sudo()._client_forget()
        with freeze_time("2026-03-04 10:00:00"):
            self._run(journey)
        self.assertEqual(self._sent(journey, second).partner_id, c[6])
        reasons = {m.partner_id: m.exit_reason for m in self._members(journey)}
        self.assertEqual(
            [reasons.get(p) for p in c[:7]],
            ["goal", "no_consent", "blacklisted", "lost", "condition", None, False],
        )
        self.assertFalse(
            self._members(journey).filtered(lambda m: m.partner_id == c[5]), "forget removes them"
        )

    def test_frequency_cap_counts_journey_messages(self):
        """The company's cap counts every mailing's traces: a journey's message sent by mass
        mailing counts for the next journey, which waits a day."""
        self.company.write({"client_mailing_cap_count": 1, "client_mailing_cap_days": 7})
        with freeze_time("2026-03-01 10:00:00"):
            one = self._journey(name="One")
            two = self._journey(name="Two", trigger_value="lost", priority=5)
        with freeze_time(DAY0):
            self._history(self.clients[0])
            self._run(one)
            self._sent(one).mailing_id.action_send_mail()
            traces = self.env["mailing.trace"].search(
                [("mass_mailing_id", "=", self._sent(one).mailing_id.id)]
            )
            self.assertEqual(traces.res_id, self.clients[0].id)
            self._history(self.clients[0], new="lost", old="inactive")
            self.env["clientbase.journey.member"].search([("journey_id", "=", one.id)]).state = "done"
            self._run(two)
            member = self._members(two)
            self.assertEqual(member.state, "running")
            self.assertFalse(self._sent(two), "mailed too often: postponed")
            self.assertEqual(member.next_run, datetime(2026, 3, 3, 10, 0))

    def test_priority_between_journeys(self):
        with freeze_time("2026-03-01 10:00:00"):
            low = self._journey(
                name="Low", priority=5, steps=[{"name": "Wait", "kind": "wait", "wait_days": 9}]
            )
            high = self._journey(
                name="High", priority=20, steps=[{"name": "Wait", "kind": "wait", "wait_days": 9}]
            )
        with freeze_time(DAY0):
            self._history(self.clients[0])
            self._run(low | high)
            self.assertEqual(self._members(high).partner_id, self.clients[0])
            self.assertFalse(self._members(low), "the higher priority wins")
            low.trigger_value = "lost"
            self._history(self.clients[1], new="lost", old="active")
            self._run(low)
            self.assertEqual(self._members(low).partner_id, self.clients[1])
        with freeze_time("2026-03-03 10:00:00"):
            self._history(self.clients[1])
            self._run(low | high)
            self.assertEqual(self._members(high).partner_id, self.clients[:2])
            self.assertEqual(self._members(low).exit_reason, "priority")

    def test_holdout_gets_nothing_and_is_counted(self):
        bucket = self._holdout_bucket
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(holdout_percent=50)
            self._split_clients_in_two(journey)
        with freeze_time(DAY0):
            self._history(self.clients)
            self._run(journey)
        members = self._members(journey)
        self.assertEqual(len(members), 8)
        for member in members:
            self.assertEqual(
                member.holdout, bucket(journey, member.partner_id) < journey.holdout_percent, "stable"
            )
        held = members.filtered("holdout")
        self.assertTrue(held and held != members, "this journey's split has both sides")
        self.assertEqual(set(held.mapped("state")), {"holdout"})
        self.assertEqual(self._sent(journey).partner_id, (members - held).partner_id)
        self.assertEqual(journey.result_holdout, len(held))
        self.assertEqual(journey.result_treated, len(members - held))


@tagged("post_install", "-at_install", "clientbase_journeys")
class TestJourneyResults(JourneyCommon):
    def test_uplift_on_a_hand_computed_base(self):
        """4 treated (2 converted: 100 + 300), 4 held out (1 converted: 100), horizon 30 days:
        conversion 50% vs 25%, uplift 25 points ± 1.96·√(.5·.5/4 + .25·.75/4) = ±64.82;
        revenue per entrant 100 vs 25, uplift 75 ± 147."""
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(horizon_days=30, steps=[])
            Member = self.env["clientbase.journey.member"]
            for i, client in enumerate(self.clients):
                Member.create(
                    {
                        "journey_id": journey.id,
                        "partner_id": client.id,
                        "company_id": self.company.id,
                        "event_key": "test",
                        "holdout": i >= 4,
                        "state": "holdout" if i >= 4 else "running",
                    }
                )
        with freeze_time("2026-03-05 10:00:00"):
            self._order(self.clients[0], amount=100)
            self._order(self.clients[1], amount=300)
            self._order(self.clients[4], amount=100)
        with freeze_time("2026-04-15 10:00:00"):
            self._order(self.clients[2], amount=1000)  # after the horizon: not converted
        self.env.flush_all()
        journey.invalidate_recordset()
        self.assertEqual((journey.result_treated, journey.result_holdout), (4, 4))
        self.assertAlmostEqual(journey.result_treated_rate, 50.0)
        self.assertAlmostEqual(journey.result_holdout_rate, 25.0)
        self.assertAlmostEqual(journey.result_uplift, 25.0)
        margin = 100 * 1.96 * math.sqrt(0.25 / 4 + 0.1875 / 4)
        self.assertAlmostEqual(margin, 64.82, places=2)
        self.assertAlmostEqual(journey.result_uplift_low, 25.0 - margin)
        self.assertAlmostEqual(journey.result_uplift_high, 25.0 + margin)
        self.assertAlmostEqual(journey.result_treated_revenue, 100.0)
        self.assertAlmostEqual(journey.result_holdout_revenue, 25.0)
        self.assertAlmostEqual(journey.result_revenue_uplift, 75.0)
        # revenue per entrant: treated 100, 300, 0, 0 (s² = 20000), held out 100, 0, 0, 0 (s² = 2500):
        # 75 ± 1.96·√(20000/4 + 2500/4) = 75 ± 147
        self.assertAlmostEqual(journey.result_revenue_uplift_low, -72.0)
        self.assertAlmostEqual(journey.result_revenue_uplift_high, 222.0)
        # the pivot's sums are the same figures
        rows = self.env["clientbase.journey.result"]._read_group(
            [("journey_id", "=", journey.id)], ["group"], ["entered:sum", "converted:sum", "revenue:sum"]
        )
        self.assertEqual(sorted(rows), [("holdout", 4, 1, 100.0), ("treated", 4, 2, 400.0)])

    def test_results_count_what_mass_mailing_traced_and_branch_on_opened(self):
        """A journey message is a mailing like any other: its traces (sent, opened, clicked) are
        the results' figures, and a branch on "opened" follows them."""
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(
                goal="none",
                steps=[
                    {"name": "Mail", "kind": "email", "mail_template_id": self.template.id},
                    {"name": "Wait", "kind": "wait", "wait_days": 1},
                    {"name": "Opened?", "kind": "branch", "branch_condition": "opened"},
                    {
                        "name": "Tag",
                        "kind": "tag",
                        "tag_id": self.env["res.partner.category"].create({"name": "R"}).id,
                    },
                ],
            )
        with freeze_time(DAY0):
            self._history(self.clients[:3])
            self._run(journey)
            mailing = self._sent(journey).mailing_id
            self.assertEqual(len(mailing), 1, "one mailing for the step's batch")
            mailing.action_send_mail()
            traces = self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])
            self.assertEqual(sorted(traces.mapped("res_id")), sorted(self.clients[:3].ids))
            traces.filtered(lambda t: t.res_id == self.clients[0].id).set_opened()
            traces.filtered(lambda t: t.res_id == self.clients[0].id).set_clicked()
        with freeze_time("2026-03-03 10:00:00"):
            self._run(journey)
        self.assertEqual(self._members(journey, state="done").partner_id, self.clients[0])
        self.assertEqual(self._members(journey, exit_reason="branch").partner_id, self.clients[1:3])
        self.env.flush_all()
        rows = self.env["clientbase.journey.result"].search([("journey_id", "=", journey.id)])
        self.assertEqual(sum(rows.mapped("sent")), 3)
        self.assertEqual(rows.filtered("opened").partner_id, self.clients[0])
        self.assertEqual(rows.filtered("clicked").partner_id, self.clients[0])
        self.assertEqual(sum(rows.mapped("exited")), 2)

    def test_interrupted_run_sends_nothing_twice(self):
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey()
        with freeze_time(DAY0):
            self._history(self.clients[:6])
            journey._run_enrolment(journey)
            self._run_steps_killed_in_second_batch(journey, ClientbaseJourneyStep, "_queue_mailing")
            self.assertEqual(len(self._sent(journey)), 2, "the first batch is whole")
            journey.with_context(clientbase_journey_batch=2)._run_steps(journey)
            self.env.invalidate_all()
        sent = self._sent(journey)
        self.assertEqual(sorted(sent.partner_id.ids), sorted(self.clients[:6].ids))
        self.assertEqual(len(sent), 6, "once each")
        recipients = [pid for mailing in sent.mailing_id for pid in mailing._get_recipients()]
        self.assertEqual(sorted(recipients), sorted(self.clients[:6].ids), "no client in two mailings")

    def test_send_to_me(self):
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey()
        wizard = (
            self.env["clientbase.journey.test.wizard"]
            .with_user(self.marketer)
            .create({"step_id": journey.step_ids.id, "partner_id": self.clients[0].id})
        )
        self.assertEqual(wizard.email_to, self.marketer.email)
        with patch.object(type(self.env["mail.mail"]), "send", lambda self, *a, **k: True):
            wizard.action_send()
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("email_to", "=", self.marketer.email)], limit=1, order="id desc")
        )
        self.assertIn("Journey Client 0", mail.body_html)
        self.assertIn("Hello Journey Client 0", mail.subject)


@tagged("post_install", "-at_install", "clientbase_journeys", "clientbase_protection")
class TestJourneyProtection(JourneyCommon):
    def test_salesperson_reads_only_his_clients_rows(self):
        theirs = self.env["res.partner"].create(
            {
                "name": "Colleague Client",
                "is_company": True,
                "email": "c@example.com",
                "user_id": self.user_salesman_2.id,
            }
        )
        self._consent(theirs)
        self.company.client_pool_visible = False
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(
                steps=[
                    {"name": "Wait", "kind": "wait", "wait_days": 9},
                    {"name": "Mail", "kind": "email", "mail_template_id": self.template.id},
                ]
            )
        with freeze_time(DAY0):
            self._history(self.clients[0] | theirs)
            self._run(journey)
        self.assertEqual(len(self._members(journey)), 2)
        for user, client in ((self.user_salesman, self.clients[0]), (self.user_salesman_2, theirs)):
            env = self.env(user=user)
            for model in (
                "clientbase.journey.member",
                "clientbase.journey.history",
                "clientbase.journey.result",
                "clientbase.journey.step.result",
            ):
                self.assertEqual(
                    env[model].search([("journey_id", "=", journey.id)]).partner_id, client, model
                )
            self.assertEqual(client.with_user(user).client_journey_member_ids.journey_id, journey)
        # the salesperson pauses his client's journey, not his colleague's, and changes nothing else
        mine = self._members(journey).filtered(lambda m: m.partner_id == self.clients[0])
        other = self._members(journey) - mine
        mine.with_user(self.user_salesman).action_pause()
        self.assertTrue(mine.paused)
        with self.assertRaises(AccessError):
            other.with_user(self.user_salesman).action_pause()
        with self.assertRaises(UserError):
            mine.with_user(self.user_salesman).write({"state": "done"})
        # journey definitions: read by the client base users, written by managers only
        with self.assertRaises(AccessError):
            journey.with_user(self.user_salesman).write({"name": "Mine now"})
        journey.with_user(self.marketer).write({"name": "Renamed"})

    def test_paused_member_does_no_step(self):
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey()
        with freeze_time("2026-03-02 07:00:00"):
            self._history(self.clients[0])
            self._run(journey)
            self._members(journey).with_user(self.user_salesman).action_pause()
        with freeze_time(DAY0):
            self._run(journey)
            self.assertFalse(self._sent(journey))
            self._members(journey).action_resume()
            self._run(journey)
            self.assertEqual(self._sent(journey).partner_id, self.clients[0])

    def test_ready_journeys_ship_archived(self):
        journeys = (
            self.env["clientbase.journey"]
            .with_context(active_test=False)
            .search(
                [
                    (
                        "id",
                        "in",
                        [
                            self.env.ref(f"clientbase_crm.journey_{x}").id
                            for x in (
                                "welcome",
                                "second_purchase",
                                "winback",
                                "vip_welcome",
                                "birthday",
                                "lost_survey",
                                "nurture",
                            )
                        ],
                    )
                ]
            )
        )
        self.assertEqual(len(journeys), 7)
        self.assertFalse(any(journeys.mapped("active")))
        self.assertTrue(all(j.step_ids for j in journeys))
