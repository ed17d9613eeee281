"""Journeys, on a frozen clock: entering a user-defined segment, the step that sets a segment value
by hand, exits at once (consent withdrawn, blacklisted), no win-back message after the client came
back, and the frequency cap counting messages still in the queue (a journey's, a mailing
list's)."""

from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import sql

from .test_journeys import DAY0, JourneyCommon


@tagged("post_install", "-at_install", "clientbase_journeys")
class TestJourneyUserSegment(JourneyCommon):
    def _segment(self):
        return self.env["clientbase.segment"].create(
            {"name": "Journey segment", "domain": "[('ref', '=', 'SEG')]", "company_id": self.company.id}
        )

    def _enter(self, partners, ref="SEG"):
        partners.write({"ref": ref})
        self.segment._refresh_members()

    def test_enters_once_per_real_entry_and_catches_up(self):
        """A client enters when the segment's refresh adds him: once, even when the run is done
        again or the refresh finds him still there; a missed day is caught up; who was in the
        segment before the journey existed does not enter."""
        with freeze_time("2026-03-01 10:00:00"):
            self.segment = self._segment()
            self._enter(self.clients[0])  # before the journey: no event of it
            journey = self._journey(trigger="user_segment", trigger_segment_id=self.segment.id, goal="none")
        with freeze_time(DAY0):
            self._enter(self.clients[1])
            self.assertEqual(journey.preview_count, 1)
            self.assertEqual(self._run(journey), {journey.id: 1})
            self.assertEqual(self._run(journey), {journey.id: 0}, "a rerun enrols nobody")
            self.segment._refresh_members()
            self.assertEqual(self._run(journey), {journey.id: 0}, "still in the segment: no new entry")
            self.assertEqual(self._members(journey).partner_id, self.clients[1])
        with freeze_time("2026-03-04 10:00:00"):  # no run that day nor the next
            self._enter(self.clients[2])
        with freeze_time("2026-03-06 10:00:00"):
            self.assertEqual(self._run(journey), {journey.id: 1})
            self.assertEqual(self._members(journey).partner_id, self.clients[1:3])
            # left and came back: a new entry, which the re-entry rule (never) refuses
            self._enter(self.clients[1], ref="OUT")
            self._enter(self.clients[1])
            self.assertEqual(self._run(journey), {journey.id: 0})
            journey.write({"reentry": "after", "reentry_days": 3})
        with freeze_time("2026-03-10 10:00:00"):
            self._enter(self.clients[1], ref="OUT")
            self._enter(self.clients[1])
            self.assertEqual(self._run(journey), {journey.id: 1}, "entered again after 3 days")
        self.assertEqual(len(self._members(journey).filtered(lambda m: m.partner_id == self.clients[1])), 2)
        self.assertEqual(len(self._sent(journey)), 3, "one message per entry")

    def test_leaves_when_leaving_the_segment(self):
        with freeze_time("2026-03-01 10:00:00"):
            self.segment = self._segment()
            journey = self._journey(
                trigger="user_segment",
                trigger_segment_id=self.segment.id,
                goal="none",
                steps=[
                    {"name": "Wait", "kind": "wait", "wait_days": 2},
                    {"name": "Mail", "kind": "email", "mail_template_id": self.template.id},
                ],
            )
            with self.assertRaises(ValidationError):
                self._journey(trigger="user_segment")
        with freeze_time(DAY0):
            self._enter(self.clients[:2])
            self._run(journey)
        with freeze_time("2026-03-03 10:00:00"):
            self._enter(self.clients[0], ref="OUT")
            self._run(journey)
            self.assertEqual(self._members(journey, exit_reason="left_segment").partner_id, self.clients[0])
        with freeze_time("2026-03-04 10:00:00"):
            self._run(journey)
        self.assertEqual(self._sent(journey).partner_id, self.clients[1])


@tagged("post_install", "-at_install", "clientbase_journeys")
class TestJourneyHandSetStep(JourneyCommon):
    def test_sets_segment_values_as_a_hand_override(self):
        """The step sets VIP and warmth as a manager sets them on the card: the value set by hand
        wins over the recompute, the segment history and the change log (door "Hand Override",
        by the journey's responsible user) get a row for each client whose value changed, once."""
        with freeze_time("2026-03-01 10:00:00"):
            with self.assertRaises(ValidationError):
                self._journey(
                    steps=[
                        {"name": "Lost", "kind": "field", "field_dimension": "stage", "field_value": "lost"}
                    ]
                )
            journey = self._journey(
                goal="none",
                steps=[
                    {"name": "VIP", "kind": "field", "field_dimension": "vip", "field_value": "yes"},
                    {"name": "Hot", "kind": "field", "field_dimension": "warmth", "field_value": "hot"},
                ],
            )
            self.clients[0].client_is_vip = True  # already VIP by hand
        clients = self.clients[:3]
        History = self.env["clientbase.segment.history"]
        Log = self.env["clientbase.change.log"]
        with freeze_time(DAY0):
            self._history(clients)
            self.env.flush_all()
            history_before, log_before = History.search([]), Log.search([])
            self._run(journey)
            self._run(journey)
            self.env.flush_all()
        self.assertEqual(self._members(journey, state="done").partner_id, clients)
        self.assertEqual(clients.mapped("client_is_vip"), [True] * 3)
        self.assertEqual(clients.mapped("client_vip_is_manual"), [True] * 3)
        self.assertEqual(clients.mapped("client_warmth"), ["hot"] * 3)
        self.assertEqual(clients.mapped("client_warmth_is_manual"), [True] * 3)
        history = History.search([("partner_id", "in", clients.ids)]) - history_before
        vip = history.filtered(lambda h: h.dimension == "vip")
        self.assertEqual(vip.partner_id, clients[1:3], "a row for each value that changed")
        self.assertEqual(set(vip.mapped("new_value")), {"True"})
        self.assertEqual(set(vip.mapped("old_value")), {"False"})
        warm = history.filtered(lambda h: h.dimension == "warmth")
        self.assertEqual(warm.partner_id, clients)
        self.assertEqual(set(warm.mapped("old_value")), {"cold"})
        self.assertEqual(warm.mapped("date"), [datetime(2026, 3, 2, 10, 0)] * 3)
        log = Log.search([("partner_id", "in", clients.ids)]) - log_before
        self.assertEqual(
            sorted((row.partner_id.id, row.field_name, row.new_value) for row in log),
            sorted(
                [(c.id, "client_is_vip", "1") for c in clients[1:3]]
                + [(c.id, "client_warmth", "hot") for c in clients]
            ),
        )
        self.assertEqual(set(log.mapped("door")), {"override"})
        self.assertEqual(log.user_id, self.marketer)
        # a value set by hand outlives the recompute
        self._recompute()
        self.assertEqual(clients.mapped("client_warmth"), ["hot"] * 3)
        self.assertEqual(clients.mapped("client_is_vip"), [True] * 3)


@tagged("post_install", "-at_install", "clientbase_journeys")
class TestJourneyImmediateExits(JourneyCommon):
    def test_withdrawn_and_blacklisted_leave_during_the_wait(self):
        """A member waiting for a message leaves the day his consent for its channel is withdrawn or
        his address is blacklisted, not at the message a week later; consent on another channel
        changes nothing; a member whose next step is not the message (a call) stays."""
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(
                goal="none",
                steps=[
                    {"name": "First", "kind": "email", "mail_template_id": self.template.id},
                    {"name": "Wait", "kind": "wait", "wait_days": 7},
                    {"name": "Second", "kind": "email", "mail_template_id": self.template.id},
                ],
            )
            call_first = self._journey(
                name="Call first",
                trigger_value="lost",
                goal="none",
                steps=[
                    {"name": "Wait", "kind": "wait", "wait_days": 3},
                    {"name": "Call", "kind": "activity", "activity_summary": "Call"},
                    {"name": "Mail", "kind": "email", "mail_template_id": self.template.id},
                ],
            )
        c = self.clients
        with freeze_time(DAY0):
            self._history(c[:4])
            self._history(c[4], new="lost")
            self._run(journey | call_first)
            self.assertEqual(self._sent(journey).partner_id, c[:4])
        with freeze_time("2026-03-03 10:00:00"):
            self._consent(c[1], state="withdrawn")
            self.env["mail.blacklist"].sudo()._add(c[2].email)
            self._consent(c[3], channel="sms", state="withdrawn")
            self._consent(c[4], state="withdrawn")
            self._run(journey | call_first)
            self.assertEqual(self._members(journey, exit_reason="no_consent").partner_id, c[1])
            self.assertEqual(self._members(journey, exit_reason="blacklisted").partner_id, c[2])
            exited = self._members(journey, state="exited")
            self.assertEqual(exited.mapped("exited_on"), [datetime(2026, 3, 3, 10, 0)] * 2)
            self.assertEqual(self._members(journey, state="running").partner_id, c[0] | c[3])
            self.assertEqual(self._members(call_first).state, "running", "a call comes before the message")
        with freeze_time("2026-03-05 10:00:00"):
            self._run(journey | call_first)
        # consent is checked again when the message is sent
        self.assertEqual(self._members(call_first).exit_reason, "no_consent")
        call = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", c[4].id), ("summary", "=", "Call")]
        )
        self.assertEqual(len(call), 1)
        with freeze_time("2026-03-09 10:00:00"):
            self._run(journey | call_first)
        self.assertEqual(self._sent(journey, journey.step_ids.sorted("sequence")[2]).partner_id, c[0] | c[3])

    def test_a_message_not_allowed_is_skipped_when_the_step_says_so(self):
        """A greeting by email, then by SMS: who consented to SMS only gets the SMS, and his
        withdrawn email consent does not end the journey."""
        sms_template = self.env["sms.template"].create(
            {"name": "Hi", "model_id": self.env["ir.model"]._get_id("res.partner"), "body": "Hi"}
        )
        texted = self.clients[0]
        texted.mobile = "+7 916 555 12 34"
        self._consent(texted, channel="sms", date=datetime(2026, 1, 1))
        self._consent(texted, state="withdrawn", date=datetime(2026, 2, 1))
        self.clients[1].mobile = "+7 916 555 12 35"  # a number, no consent to SMS
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(
                goal="none",
                steps=[
                    {
                        "name": "Mail",
                        "kind": "email",
                        "mail_template_id": self.template.id,
                        "leave_if_refused": False,
                    },
                    {"name": "Text", "kind": "sms", "sms_template_id": sms_template.id},
                ],
            )
        with freeze_time(DAY0):
            self._history(self.clients[:2])
            self._run(journey)
        mail, text = journey.step_ids.sorted("sequence")
        self.assertEqual(self._sent(journey, mail).partner_id, self.clients[1])
        self.assertEqual(self._sent(journey, text).partner_id, texted)
        skipped = self.env["clientbase.journey.history"].search(
            [("step_id", "=", mail.id), ("result", "=", "skipped")]
        )
        self.assertEqual(skipped.partner_id, texted)
        self.assertEqual(self._members(journey, state="done").partner_id, texted)
        self.assertEqual(
            self._members(journey, exit_reason="no_consent").partner_id, self.clients[1], "no SMS consent"
        )

    def test_win_back_never_lands_after_the_client_came_back(self):
        """The run missed the day the client became inactive and ordered again: he does not enter;
        a message waiting in the queue is not sent to a client who ordered since he entered."""
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(
                steps=[
                    {"name": "We miss you", "kind": "email", "mail_template_id": self.template.id},
                    {"name": "Wait", "kind": "wait", "wait_days": 7},
                    {"name": "Again", "kind": "email", "mail_template_id": self.template.id},
                ]
            )
        c = self.clients
        with freeze_time("2026-03-02 02:00:00"):  # the nightly recompute: three clients went quiet
            self._history(c[:3])
        with freeze_time("2026-03-02 08:00:00"):
            self._order(c[0], amount=80)  # came back before any run of the journeys
        with freeze_time("2026-03-03 10:00:00"):  # the first run since
            self._run(journey)
            self.assertEqual(self._members(journey).partner_id, c[1:3], "who came back does not enter")
            mailing = self._sent(journey).mailing_id
            self.assertEqual(mailing.state, "in_queue")
        with freeze_time("2026-03-03 15:00:00"):
            self._order(c[2], amount=80)
        with freeze_time("2026-03-04 09:00:00"):  # the queue runs late, the day after
            mailing.action_send_mail()
            traces = self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])
            self.assertEqual(traces.mapped("res_id"), c[1].ids, "not to who came back")
            self._run(journey)
        self.assertEqual(self._members(journey, exit_reason="goal").partner_id, c[2])
        with freeze_time("2026-03-11 10:00:00"):
            self._run(journey)
        self.assertEqual(self._sent(journey, journey.step_ids.sorted("sequence")[2]).partner_id, c[1])


@tagged("post_install", "-at_install", "clientbase_journeys")
class TestJourneyCapCountsQueued(JourneyCommon):
    def test_cap_counts_messages_waiting_in_the_queue(self):
        """Cap one message a week: a journey message queued and not yet sent counts for the next
        step and for any other mailing; a mailing in the queue counts for the journey; a message
        is not held back by itself when the queue sends it."""
        self.company.write({"client_mailing_cap_count": 1, "client_mailing_cap_days": 7})
        c = self.clients
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(
                goal="none",
                steps=[
                    {"name": "A", "kind": "email", "mail_template_id": self.template.id},
                    {"name": "B", "kind": "email", "mail_template_id": self.template.id},
                ],
            )
        first, second = journey.step_ids.sorted("sequence")
        with freeze_time(DAY0):
            other = self.env["mailing.mailing"].create(
                {
                    "subject": "Spring sale",
                    "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "mailing_domain": repr([("id", "in", c[1].ids)]),
                    "body_html": "<p>Sale</p>",
                    "clientbase_consent_purpose": "marketing",
                }
            )
            other.action_put_in_queue()
            self._history(c[:3])
            self._run(journey)
            self.assertEqual(self._sent(journey, first).partner_id, c[0] | c[2])
            self.assertFalse(self._sent(journey, second), "the first message is still queued: it counts")
            self.assertEqual(self._members(journey).filtered(lambda m: m.partner_id == c[1]).step_id, first)
            Eligibility = self.env["clientbase.mailing.eligibility"]
            classes = Eligibility._classify(c[:4].ids, "email", "marketing")
            self.assertEqual(classes["too_often"], c[:3].ids)
            self.assertEqual(classes["eligible"], c[3].ids)
            mailing = self._sent(journey, first).mailing_id
            mailing.action_send_mail()
            traces = self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])
            self.assertEqual(sorted(traces.mapped("res_id")), sorted((c[0] | c[2]).ids))
            self.assertEqual(Eligibility._classify(c[:4].ids, "email", "marketing")["too_often"], c[:3].ids)
            # sent on the frozen day (the database stamps the traces with its own clock)
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE mailing_trace SET create_date = %s WHERE mass_mailing_id = %s", (DAY0, mailing.id)
            )
        with freeze_time("2026-03-10 10:00:00"):
            self._run(journey)
        self.assertEqual(self._sent(journey, second).partner_id, c[0] | c[2], "a week later")

    def test_cap_counts_a_queued_mailing_list_mailing(self):
        """Cap one message a week: a mailing to a mailing list waiting in the queue counts for
        the clients whose address a contact of the list has (the journey sends them nothing today
        and tries again tomorrow); once the mailing leaves the queue unsent, it no longer counts."""
        self.company.write({"client_mailing_cap_count": 1, "client_mailing_cap_days": 7})
        c = self.clients
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(goal="none")
        with freeze_time(DAY0):
            newsletter_list = self.env["mailing.list"].create({"name": "Newsletter"})
            Contact = self.env["mailing.contact"]
            Contact.create({"name": "Subscribed", "email": c[1].email, "list_ids": [(4, newsletter_list.id)]})
            newsletter = self.env["mailing.mailing"].create(
                {
                    "subject": "Newsletter",
                    "mailing_model_id": self.env["ir.model"]._get_id("mailing.list"),
                    "contact_list_ids": [(6, 0, newsletter_list.ids)],
                    "body_html": "<p>News</p>",
                }
            )
            newsletter.action_put_in_queue()
            Eligibility = self.env["clientbase.mailing.eligibility"]
            self.assertEqual(Eligibility._classify(c[:3].ids, "email", "marketing")["too_often"], c[1].ids)
            self._history(c[:3])
            self._run(journey)
            self.assertEqual(self._sent(journey).partner_id, c[0] | c[2])
            waiting = self._members(journey).filtered(lambda m: m.partner_id == c[1])
            self.assertEqual(waiting.step_id, journey.step_ids, "still before the message")
            self.assertEqual(str(waiting.next_run), "2026-03-03 10:00:00", "tried again tomorrow")
            newsletter.action_cancel()
            self.assertFalse(Eligibility._classify(c[1].ids, "email", "marketing")["too_often"])


@tagged("post_install", "-at_install", "clientbase_journeys", "clientbase_work")
class TestJourneyReadyRules(JourneyCommon):
    """The hard-wired birthday greeting and win-back to-do of earlier versions are journeys."""

    def test_birthday_greeting_by_email_then_sms(self):
        """On the day, the journey greets by email those who consented to greetings by email, then
        by SMS those who consented by SMS; a blacklisted address or a consent to marketing only gets
        nothing; once, beside the client's other journeys (it ends none of them)."""
        c = self.clients
        c[0].mobile = "+7 916 555 12 34"
        c[2].mobile = "+7 916 555 12 36"
        c[:5].write({"client_birthday": "1980-03-02"})
        for client in (c[0], c[1], c[3]):
            self._consent(client, purpose="greetings", date=datetime(2026, 1, 1))
        for client in (c[0], c[2]):
            self._consent(client, channel="sms", purpose="greetings", date=datetime(2026, 1, 1))
        self.env["mail.blacklist"].sudo()._add(c[3].email)
        journey = self.env.ref("clientbase_crm.journey_birthday")
        with freeze_time("2026-03-01 10:00:00"):
            winback = self._journey(steps=[{"name": "Wait", "kind": "wait", "wait_days": 9}])
            self._history(c[0])
            self._run(winback)
            self.company.clientbase_birthday_greeting = True
        self.assertTrue(journey.active)
        with freeze_time(DAY0):
            self._run(journey)
            self._run(journey)
        mail, text = journey.step_ids.sorted("sequence")
        self.assertEqual(self._sent(journey, mail).partner_id, c[0] | c[1])
        self.assertEqual(self._sent(journey, text).partner_id, c[0] | c[2])
        self.assertEqual(
            sorted(self._sent(journey, mail).mailing_id._get_recipients()), sorted((c[0] | c[1]).ids)
        )
        self.assertEqual(self._sent(journey, text).mailing_id.mailing_type, "sms")
        self.assertEqual(self._members(journey).partner_id, c[:5])
        self.assertEqual(set(self._members(journey).mapped("state")), {"done"})
        self.assertEqual(self._members(winback).state, "running", "the greeting ends no other journey")

    def test_winback_reminder_on_the_date_and_gone_when_back(self):
        """On the win-back date of a lost client, his manager gets a reminder, once; not for a
        client who is not lost; it goes away when the client orders again."""
        lost, not_lost = self.clients[:2]
        journey = self.env.ref("clientbase_crm.journey_winback_reminder")
        self.assertTrue(journey.active)
        with freeze_time("2026-03-01 10:00:00"):
            lost.write({"client_stage": "lost", "client_churn_reason": "Too far"})
            self.assertEqual(str(lost.client_churn_date), "2026-03-01")
            (lost | not_lost).write({"client_winback_date": "2026-03-02"})
            journey._reset_watermarks()
        Activity = self.env["mail.activity"]
        domain = [("res_model", "=", "res.partner"), ("client_rule", "=", "winback")]
        with freeze_time("2026-03-01 20:00:00"):
            self._run(journey)
            self.assertFalse(Activity.search(domain + [("res_id", "in", self.clients.ids)]), "not yet")
        with freeze_time(DAY0):
            self._run(journey)
            self._run(journey)
            reminder = Activity.search(domain + [("res_id", "in", self.clients.ids)])
            self.assertEqual(reminder.res_id, lost.id)
            self.assertEqual(reminder.user_id, self.user_salesman)
            self.assertEqual(str(reminder.date_deadline), "2026-03-02")
            self.assertEqual(reminder.summary, "Try to win this client back")
            self._order(lost, amount=40)
            self._recompute()
        self.assertFalse(Activity.search(domain + [("res_id", "=", lost.id)]), "back: no reminder")

    def test_upgrade_from_the_hard_wired_rules(self):
        """A database of an earlier version: the company that greeted gets the journey switched
        on, the win-back job's dates not reached yet are the journey's, the job goes; twice is once."""
        cr = self.env.cr
        birthday = self.env.ref("clientbase_crm.journey_birthday")
        reminder = self.env.ref("clientbase_crm.journey_winback_reminder")
        # as an earlier version left them: the setting's column, the job, the ready journey
        cr.execute("ALTER TABLE res_company ADD COLUMN clientbase_birthday_greeting boolean")
        cr.execute("UPDATE res_company SET clientbase_birthday_greeting = (id = %s)", [self.company.id])
        cron = self.env["ir.cron"].create(
            {
                "name": "Client Base: win-back reminders",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "code",
                "code": "model.browse()",
                "interval_number": 1,
                "interval_type": "days",
            }
        )
        self.env["ir.model.data"].create(
            {
                "module": "clientbase_crm",
                "name": "ir_cron_client_winback",
                "model": "ir.cron",
                "res_id": cron.id,
            }
        )
        birthday.write({"active": False, "exclusive": True})
        birthday.step_ids.write({"leave_if_refused": True})
        lost = self.clients[0]
        with freeze_time("2026-01-10 10:00:00"):  # lost long ago, to be won back on Feb 20
            lost.write(
                {
                    "client_stage": "lost",
                    "client_churn_reason": "Too far",
                    "client_winback_date": "2026-02-20",
                }
            )
        with freeze_time(DAY0):
            reminder._reset_watermarks()
            Journey = self.env["clientbase.journey"]
            Journey._upgrade_hard_wired_rules()
            self.assertTrue(birthday.active)
            self.assertFalse(birthday.exclusive)
            self.assertEqual(birthday.step_ids.mapped("leave_if_refused"), [False, False])
            self.assertFalse(sql.column_exists(cr, "res_company", "clientbase_birthday_greeting"))
            self.assertFalse(cron.exists())
            self.assertFalse(self.env.ref("clientbase_crm.ir_cron_client_winback", raise_if_not_found=False))
            Journey._upgrade_hard_wired_rules()
            self.assertTrue(birthday.active)
            self._run(reminder)
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", lost.id), ("client_rule", "=", "winback")]
        )
        self.assertEqual(len(activity), 1, "caught up")
