"""Journeys, on a frozen clock: the date reached (every date up to today, once per value, or only
the dates from the day the journey is switched on), the ready win-back reminder in every company,
user segments entered once per real change, leaving a segment value, the card's journeys, the
results' entry row, the journey's mailing opened by a mass-mailing user outside the client base,
and the update of a database of an earlier version."""

from ast import literal_eval

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import sql

from ..models.journeys.clientbase_journey_upgrade import (
    OLD_GREETING_COLUMNS,
    OLD_HISTORY_COLUMNS,
    OLD_HISTORY_INDEX,
    OLD_RECIPIENTS_PATH,
)
from .test_journeys import DAY0, JourneyCommon


@tagged("post_install", "-at_install", "clientbase_journeys")
class TestJourneyDateReached(JourneyCommon):
    def _date_journey(self, **values):
        field = self.env["ir.model.fields"]._get("res.partner", "client_winback_date")
        vals = {
            "trigger": "date_field",
            "trigger_date_field_id": field.id,
            "entry_domain": f"[('id', 'in', {self.clients.ids})]",  # not the demo's lost clients
            "goal": "none",
            "reentry": "after",
            "reentry_days": 1,
            "steps": [],
        }
        return self._journey(**dict(vals, **values))

    def _keys(self, journey, client):
        return sorted(self._members(journey).filtered(lambda m: m.partner_id == client).mapped("event_key"))

    def test_every_date_reached_once_per_value(self):
        """A date already past enters at the first run, a date set to today after the run enters
        at the next run, a date reached during missed days is caught up; a rerun takes nobody
        twice, and a client enters again only for a new value of his date."""
        c = self.clients
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._date_journey(trigger_from_activation=False)
            c[0].client_winback_date = "2026-02-20"  # long past
            c[1].client_winback_date = "2026-03-05"  # ahead
            self.assertEqual(journey.preview_count, 1)
            self.assertEqual(self._run(journey), {journey.id: 1})
            self.assertEqual(self._run(journey), {journey.id: 0}, "a rerun takes nobody")
            self.assertEqual(self._members(journey).partner_id, c[0])
        with freeze_time("2026-03-01 20:00:00"):
            c[2].client_winback_date = "2026-03-01"  # today, after the day's run
            self.assertEqual(self._run(journey), {journey.id: 1})
        with freeze_time("2026-03-07 10:00:00"):  # no run from the 2nd to the 6th
            self.assertEqual(self._run(journey), {journey.id: 1}, "the 5th is caught up")
            self.assertEqual(self._run(journey), {journey.id: 0})
            self.assertEqual(self._members(journey).partner_id, c[:3])
        with freeze_time("2026-03-10 10:00:00"):
            c[0].client_winback_date = "2026-03-09"  # a new date, already reached
            c[1].client_winback_date = "2026-03-05"  # the same date again
            self.assertEqual(self._run(journey), {journey.id: 1})
            self.assertEqual(self._run(journey), {journey.id: 0})
        self.assertEqual(
            self._keys(journey, c[0]),
            ["date:client_winback_date:2026-02-20", "date:client_winback_date:2026-03-09"],
        )
        self.assertEqual(self._keys(journey, c[1]), ["date:client_winback_date:2026-03-05"])

    def test_only_dates_from_the_day_switched_on(self):
        """A new journey takes only the dates reached from the day it is switched on: a date
        already past that day never enters (the preview agrees), today's and the next days' do;
        switched off and on again, it starts from the new day."""
        c = self.clients
        with freeze_time("2026-03-01 10:00:00"):
            c[0].client_winback_date = "2026-02-20"  # long past
            c[1].client_winback_date = "2026-02-28"  # yesterday
            c[2].client_winback_date = "2026-03-01"  # today
            c[3].client_winback_date = "2026-03-03"  # ahead
            journey = self._date_journey(active=False)
            self.assertTrue(journey.trigger_from_activation, "on for a new journey")
            self.assertEqual(journey._preview_partner_ids(), c[2].ids, "who would enter if switched on today")
            journey.active = True
            self.assertEqual(str(journey.activated_on), "2026-03-01")
            self.assertEqual(self._run(journey), {journey.id: 1})
            self.assertEqual(self._members(journey).partner_id, c[2])
        with freeze_time("2026-03-04 10:00:00"):  # the 2nd and 3rd missed: caught up
            c[4].client_winback_date = "2026-02-27"  # set to a day before the switch: never
            c[5].client_winback_date = "2026-03-02"  # set to a day since the switch: caught up
            self.assertEqual(self._run(journey), {journey.id: 2})
            self.assertEqual(self._run(journey), {journey.id: 0})
            self.assertEqual(self._members(journey).partner_id, c[2] | c[3] | c[5])
        with freeze_time("2026-03-10 10:00:00"):
            journey.active = False
        with freeze_time("2026-03-20 10:00:00"):
            c[6].client_winback_date = "2026-03-15"  # reached while the journey was off
            c[7].client_winback_date = "2026-03-20"
            journey.active = True
            self.assertEqual(self._run(journey), {journey.id: 1})
            self.assertEqual(self._members(journey).partner_id, c[2] | c[3] | c[5] | c[7])

    def test_reentry_rule_and_unreadable_field(self):
        """Re-entry never: a new date does not bring the client back. A date field the database
        does not keep is refused."""
        c = self.clients
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._date_journey(reentry="never", trigger_from_activation=False)
            c[0].client_winback_date = "2026-02-27"
            self.assertEqual(self._run(journey), {journey.id: 1})
        with freeze_time("2026-03-03 10:00:00"):
            c[0].client_winback_date = "2026-03-02"
            self.assertEqual(self._run(journey), {journey.id: 0}, "never again")
        unkept = self.env["ir.model.fields"].search(
            [("model", "=", "res.partner"), ("ttype", "in", ("date", "datetime")), ("store", "=", False)]
        )
        unkept = unkept.filtered(lambda f: _not_in_sql(self.env, f.name))[:1]
        if unkept:
            with self.assertRaises(ValidationError):
                self._date_journey(trigger_date_field_id=unkept.id)


def _not_in_sql(env, fname):
    try:
        env["res.partner"]._field_to_sql("res_partner", fname)
    except ValueError:
        return True
    return False


@tagged("post_install", "-at_install", "clientbase_journeys")
class TestJourneyEveryCompany(JourneyCommon):
    def _reminders(self, company):
        ready = self.env.ref("clientbase_crm.journey_winback_reminder")
        return (
            self.env["clientbase.journey"]
            .with_context(active_test=False)
            .search(
                [
                    ("company_id", "=", company.id),
                    ("trigger", "=", "date_field"),
                    ("trigger_date_field_id", "=", ready.trigger_date_field_id.id),
                ]
            )
        )

    def test_every_company_reminds_its_own_clients(self):
        """A new company gets the win-back reminder (an update gives it back, once); each
        company's reminder takes its clients: those of the company, and a client of no company
        by his salesperson's company (the first company's when he has none), never twice."""
        ready = self.env.ref("clientbase_crm.journey_winback_reminder")
        self.assertEqual(self._reminders(self.company), ready)
        second = self.env["res.company"].create({"name": "Journey Company B"})
        theirs = self._reminders(second)
        self.assertEqual(len(theirs), 1, "a new company gets its reminder")
        self.assertEqual(
            (theirs.active, theirs.step_ids.mapped("activity_rule")), (ready.active, ["winback"])
        )
        theirs.unlink()
        self.env["res.company"]._clientbase_ensure_winback_reminders()
        self.env["res.company"]._clientbase_ensure_winback_reminders()
        theirs = self._reminders(second)
        self.assertEqual(len(theirs), 1, "given back at the update, once")
        sales_b = self._user("cb_sales_b", company_id=second.id, company_ids=[(6, 0, [second.id])])
        theirs.user_id.sudo().company_ids |= second
        Partner = self.env["res.partner"]
        of_b = Partner.create(
            {"name": "B Client", "is_company": True, "company_id": second.id, "user_id": sales_b.id}
        )
        shared_b = Partner.create(
            {"name": "Shared, B's salesperson", "is_company": True, "user_id": sales_b.id}
        )
        shared_a = self.clients[0]
        nobodys = Partner.create({"name": "Nobody's", "is_company": True})
        with freeze_time("2026-03-01 10:00:00"):
            (of_b | shared_b | shared_a | nobodys).write(
                {"client_churn_date": "2026-01-10", "client_winback_date": "2026-02-27"}
            )
            self._run(ready | theirs)
            self._run(ready | theirs)
        mine = of_b | shared_b | shared_a | nobodys  # (the demo's lost clients may enter too)
        self.assertEqual(self._members(ready).partner_id & mine, shared_a | nobodys)
        self.assertEqual(self._members(theirs).partner_id & mine, of_b | shared_b)
        self.assertEqual(set(self._members(theirs).mapped("company_id")), {second})
        self.assertFalse(self._members(ready).partner_id & self._members(theirs).partner_id, "never twice")
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("client_rule", "=", "winback"), ("res_id", "in", mine.ids)]
        )
        self.assertEqual(sorted(activities.mapped("res_id")), sorted(mine.ids), "one reminder each")
        self.assertEqual(activities.filtered(lambda a: a.res_id == of_b.id).user_id, sales_b)

    def test_a_company_made_by_a_user_outside_the_client_base(self):
        """A sales manager without a client-base group makes a company (as Odoo's crm tests
        do, with sudo): the company is made, and its reminder keeps the ready journey's
        responsible, who can read the entry conditions, not the creator, who cannot."""
        manager = self._user(
            "cb_outside_sales_manager", groups="base.group_user,sales_team.group_sale_manager"
        )
        self.assertFalse(manager.has_group("clientbase_crm.group_clientbase_user"))
        company = self.env["res.company"].with_user(manager).sudo().create({"name": "Journey Company E"})
        ready = self.env.ref("clientbase_crm.journey_winback_reminder")
        self.assertEqual(self._reminders(company).user_id, ready.user_id)

    def test_responsible_outside_the_company_enrols_nobody(self):
        second = self.env["res.company"].create({"name": "Journey Company C"})
        theirs = self._reminders(second)
        theirs.user_id = self.marketer  # who does not work in company C
        client = self.env["res.partner"].create(
            {"name": "C Client", "is_company": True, "company_id": second.id}
        )
        with freeze_time("2026-03-01 10:00:00"):
            client.write({"client_churn_date": "2026-01-10", "client_winback_date": "2026-02-27"})
            self.assertEqual(self._run(theirs), {theirs.id: 0})
            self.marketer.sudo().company_ids |= second
            self._run(theirs)
        self.assertEqual(self._members(theirs).partner_id, client)


@tagged("post_install", "-at_install", "clientbase_journeys")
class TestJourneySegmentReactivated(JourneyCommon):
    def _segment(self):
        return self.env["clientbase.segment"].create(
            {"name": "Reactivated segment", "domain": "[('ref', '=', 'SEG')]", "company_id": self.company.id}
        )

    def test_reactivated_segment_enters_only_real_changes(self):
        """Archived and restored, nightly or refreshed by hand while archived (its rows gone):
        its members, who stayed, do not enter again; a client who joins afterwards enters, once."""
        c = self.clients
        Segment = self.env["clientbase.segment"]
        with freeze_time("2026-03-01 10:00:00"):
            segment = self._segment()
            journey = self._journey(
                trigger="user_segment",
                trigger_segment_id=segment.id,
                goal="none",
                reentry="after",
                reentry_days=1,
            )
        with freeze_time("2026-03-02 10:00:00"):
            c[:2].write({"ref": "SEG"})
            segment._refresh_members()
            self.assertEqual(self._run(journey), {journey.id: 2})
        with freeze_time("2026-03-04 10:00:00"):  # archived, the nightly refresh, restored
            segment.active = False
            Segment._refresh_all_members()
            segment.active = True
            Segment._refresh_all_members()
            self.assertEqual(self._run(journey), {journey.id: 0})
        with freeze_time("2026-03-06 10:00:00"):  # archived and refreshed by hand: its rows go
            segment.active = False
            segment._refresh_members()
            self.assertFalse(segment.with_context(active_test=False).member_ids)
            segment.active = True
            Segment._refresh_all_members()
            self.assertEqual(len(segment.member_ids), 2)
            self.assertEqual(journey.preview_count, 0)
            self.assertEqual(self._run(journey), {journey.id: 0}, "the refill is no entry")
        with freeze_time("2026-03-08 10:00:00"):
            c[2].write({"ref": "SEG"})
            Segment._refresh_all_members()
            self.assertEqual(self._run(journey), {journey.id: 1})
            self.assertEqual(self._run(journey), {journey.id: 0})
        self.assertEqual(self._members(journey).partner_id, c[:3])


@tagged("post_install", "-at_install", "clientbase_journeys")
class TestJourneyLeftSegmentValue(JourneyCommon):
    def _two_messages(self, **values):
        return self._journey(
            goal="none",
            steps=[
                {"name": "First", "kind": "email", "mail_template_id": self.template.id},
                {"name": "Wait", "kind": "wait", "wait_days": 2},
                {"name": "Second", "kind": "email", "mail_template_id": self.template.id},
            ],
            **values,
        )

    def test_leaving_the_value_stops_the_next_step(self):
        """Entered on a stage, VIP and warmth value: a member whose latest row of the dimension is
        another value leaves before the next message ("Left the segment"); a row of another
        dimension, or of another company, keeps him; without the option he stays."""
        c = self.clients
        other_company = self.env["res.company"].create({"name": "Journey Company D"})
        with freeze_time("2026-03-01 10:00:00"):
            stage = self._two_messages(name="Inactive")
            vip = self._two_messages(
                name="VIP", trigger_dimension="vip", trigger_value="True", exclusive=False
            )
            cold = self._two_messages(
                name="Cold",
                trigger_dimension="warmth",
                trigger_value="cold",
                exclusive=False,
                exit_on_condition_lost=False,
            )
        with freeze_time("2026-03-02 10:00:00"):
            self._history(c[:4])
            self._history(c[:2], dimension="vip", old="False", new="True")
            self._history(c[:2], dimension="warmth", old="warm", new="cold")
            self._run(stage | vip | cold)
        with freeze_time("2026-03-03 10:00:00"):
            self._history(c[0], old="inactive", new="active")  # back to active, no order
            self._history(c[1], dimension="rfm", old="lost", new="champions")  # another dimension
            self.env["clientbase.segment.history"].sudo().create(
                {
                    "partner_id": c[2].id,
                    "company_id": other_company.id,
                    "dimension": "stage",
                    "old_value": "inactive",
                    "new_value": "active",
                }
            )
            self._history(c[3], old="inactive", new="Inactive")  # the same value
            self._history(c[1], dimension="vip", old="True", new="False")
            self._history(c[:2], dimension="warmth", old="cold", new="hot")
        with freeze_time("2026-03-04 10:00:00"):
            self._run(stage | vip | cold)
        second = lambda j: j.step_ids.sorted("sequence")[-1]  # noqa: E731
        self.assertEqual(self._sent(stage, second(stage)).partner_id, c[1:4])
        self.assertEqual(self._members(stage, exit_reason="left_segment").partner_id, c[0])
        self.assertEqual(self._sent(vip, second(vip)).partner_id, c[0])
        self.assertEqual(self._members(vip, exit_reason="left_segment").partner_id, c[1])
        self.assertEqual(self._sent(cold, second(cold)).partner_id, c[:2], "the option is off")


@tagged("post_install", "-at_install", "clientbase_journeys")
class TestJourneyOnTheCard(JourneyCommon):
    def test_the_card_shows_what_was_sent_and_when(self):
        """The salesperson's card of his client: each journey with the step reached, the
        messages sent and the last one's date, the exit reason; the list of what each step did
        and when. His colleague sees none of it; he pauses the journey from the card."""
        c = self.clients
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(
                steps=[
                    {"name": "First", "kind": "email", "mail_template_id": self.template.id},
                    {"name": "Wait", "kind": "wait", "wait_days": 2},
                    {"name": "Second", "kind": "email", "mail_template_id": self.template.id},
                    {"name": "Wait more", "kind": "wait", "wait_days": 5},
                    {"name": "Third", "kind": "email", "mail_template_id": self.template.id},
                ],
            )
        with freeze_time("2026-03-02 10:00:00"):
            self._history(c[:2])
            self._run(journey)
        with freeze_time("2026-03-04 11:00:00"):
            self._run(journey)
            self._order(c[1], amount=10)
        with freeze_time("2026-03-09 12:00:00"):
            self._run(journey)
        mine = c[0].with_user(self.user_salesman)
        member = mine.client_journey_member_ids
        self.assertEqual(member.journey_id, journey)
        self.assertEqual((member.state, member.sent_count), ("done", 3))
        self.assertEqual(str(member.last_sent_on), "2026-03-09 12:00:00")
        history = mine.client_journey_history_ids.filtered(lambda h: h.result == "queued")
        self.assertEqual(
            sorted((str(h.date), h.step_id.name, h.step_kind) for h in history),
            [
                ("2026-03-02 10:00:00", "First", "email"),
                ("2026-03-04 11:00:00", "Second", "email"),
                ("2026-03-09 12:00:00", "Third", "email"),
            ],
        )
        left = c[1].with_user(self.user_salesman).client_journey_member_ids
        self.assertEqual(
            (left.exit_reason, left.sent_count, left.step_id),
            ("goal", 2, self.env["clientbase.journey.step"]),
        )
        self.env.invalidate_all()  # (the owner's read filled the cache)
        self.assertFalse(c[0].with_user(self.user_salesman_2).client_journey_history_ids)
        self.assertFalse(c[0].with_user(self.user_salesman_2).client_journey_member_ids)
        # the card's form shows both lists to the salesperson
        arch = mine.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("client_journey_history_ids", arch)
        self.assertIn("action_pause", arch)

    def test_pause_from_the_card(self):
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(
                steps=[
                    {"name": "Wait", "kind": "wait", "wait_days": 2},
                    {"name": "Mail", "kind": "email", "mail_template_id": self.template.id},
                ]
            )
        with freeze_time("2026-03-02 10:00:00"):
            self._history(self.clients[0])
            self._run(journey)
            self.clients[0].with_user(self.user_salesman).client_journey_member_ids.action_pause()
        with freeze_time("2026-03-05 10:00:00"):
            self._run(journey)
        self.assertFalse(self._sent(journey), "paused: nothing sent")
        self.assertEqual(
            self.clients[0].with_user(self.user_salesman).client_journey_member_ids.sent_count, 0
        )


@tagged("post_install", "-at_install", "clientbase_journeys")
class TestJourneyResultsEntryRow(JourneyCommon):
    def test_entry_row_is_labelled(self):
        """Grouped by step, the entry rows are "Entered" (not None), and their group still
        selects them; the steps keep their names."""
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey()
        with freeze_time("2026-03-02 10:00:00"):
            self._history(self.clients[:3])
            self._run(journey)
        Result = self.env["clientbase.journey.step.result"]
        groups = Result.read_group(
            [("journey_id", "=", journey.id)], ["entered:sum", "reached:sum"], ["step_id"]
        )
        labels = {g["step_id"] and g["step_id"][1]: (g["entered"], g["reached"]) for g in groups}
        self.assertEqual(labels, {"Entered": (3, 0), "Mail": (0, 3)})
        entry = next(g for g in groups if g["step_id"][0] is False)
        self.assertEqual(Result.search_count(entry["__domain"]), 3)
        self.assertEqual(set(Result.search(entry["__domain"]).mapped("entered")), {1})


@tagged("post_install", "-at_install", "clientbase_journeys")
class TestJourneyGreetingMarksDropped(JourneyCommon):
    def test_the_former_greeting_marks_go(self):
        """A database of an earlier version keeps the former greeting's marks of the day it
        greeted each client: the update drops them (nothing reads them); twice is once."""
        cr = self.env.cr
        for column in OLD_GREETING_COLUMNS:
            self.assertNotIn(column, self.env["res.partner"]._fields)
            cr.execute(f"ALTER TABLE res_partner ADD COLUMN {column} date")
        cr.execute(
            "UPDATE res_partner SET client_birthday_greeted_on = '2025-05-01' WHERE id = %s",
            [self.clients[0].id],
        )
        Journey = self.env["clientbase.journey"]
        Journey._upgrade_hard_wired_rules()
        Journey._upgrade_hard_wired_rules()
        for column in OLD_GREETING_COLUMNS:
            self.assertFalse(sql.column_exists(cr, "res_partner", column))
        self.assertEqual(self.clients[0].read(["name"])[0]["name"], "Journey Client 0")


@tagged("post_install", "-at_install", "clientbase_journeys")
class TestJourneyMailingForMailingUsers(JourneyCommon):
    """A journey's mailing is an ordinary mailing: whoever works in Email Marketing opens it, also
    outside the client base; its recipients still say nothing of the journeys' rows."""

    def _queued(self):
        journey = self._journey()
        with freeze_time(DAY0):
            self._history(self.clients[:3])
            self._run(journey)
        mailing = self._sent(journey).mailing_id
        self.assertEqual(len(mailing), 1)
        return journey, mailing

    def test_a_mailing_user_outside_the_client_base_opens_the_mailing(self):
        """As a user with Email Marketing rights only: the mailing's form loads, every field its
        recipients' filter names is one he may read (the form shows no invalid path), the filter
        counts the clients the mailing was queued for, as mass_mailing sends it; the journey's
        rows stay closed to him, and a salesperson finds no client of a colleague by the field."""
        journey, mailing = self._queued()
        mailer = new_test_user(
            self.env, login="cb_mailer_only", groups="base.group_user,mass_mailing.group_mass_mailing_user"
        )
        self.assertFalse(mailer.has_group("clientbase_crm.group_clientbase_user"))
        env = self.env(user=mailer)
        form = env["mailing.mailing"].get_views([(False, "form")])["views"]["form"]
        self.assertIn("mailing_domain", form["arch"])
        values = (
            env["mailing.mailing"]
            .browse(mailing.id)
            .web_read({"mailing_domain": {}, "mailing_model_real": {}})
        )
        self.assertEqual(values[0]["mailing_model_real"], "res.partner")
        domain = literal_eval(values[0]["mailing_domain"])
        for leaf in domain:
            if not isinstance(leaf, (list, tuple)):
                continue
            model = env["res.partner"]
            for name in leaf[0].split("."):
                self.assertIn(name, model.fields_get([name]), f"{name} of {leaf[0]} is not his to read")
                field = model._fields[name]
                model = env[field.comodel_name] if field.relational else None
        recipients = self.clients[:3]
        self.assertEqual(env["res.partner"].search(domain), recipients.with_env(env))
        self.assertEqual(env["res.partner"].search_count(domain), 3)
        self.assertEqual(sorted(mailing._get_recipients()), sorted(recipients.ids))
        # what the journey did stays the client base's
        for model in ("clientbase.journey.member", "clientbase.journey.history"):
            with self.assertRaises(AccessError):
                env[model].search([("journey_id", "=", journey.id)])
        self.assertFalse(recipients.with_env(env).client_journey_mailing_ids)
        # a colleague's clients: a salesperson (no Email Marketing) finds none of them by the field
        theirs = self.env["res.partner"].with_user(self.user_salesman_2)
        self.assertFalse(theirs.search([("client_journey_mailing_ids", "in", mailing.ids)]))
        # sent: the same clients get it
        mailing.action_send_mail()
        traces = self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])
        self.assertEqual(sorted(traces.mapped("res_id")), sorted(recipients.ids))


@tagged("post_install", "-at_install", "clientbase_journeys")
class TestJourneyHistoryUpdate(JourneyCommon):
    def test_an_earlier_database_is_brought_to_this_form(self):
        """A database of an earlier version: the history kept its member's journey, client and
        company (with their foreign keys), the mailings named their recipients by the card's
        path. The update drops the copies and renames the filter (twice is once); the results,
        the card and the recipients read the same before and after."""
        journey = self._journey()
        with freeze_time(DAY0):
            self._history(self.clients[:2])
            self._run(journey)
        mailing = self._sent(journey).mailing_id
        cr = self.env.cr

        def read_back():
            self.env.invalidate_all()
            results = self.env["clientbase.journey.result"].search_read(
                [("journey_id", "=", journey.id)], ["partner_id", "sent"], order="partner_id"
            )
            card = self.clients[0].with_user(self.user_salesman).client_journey_history_ids
            return (
                [(r["partner_id"][0], r["sent"]) for r in results],
                [(h.journey_id, h.partner_id, h.result) for h in card],
                sorted(mailing._get_recipients()),
            )

        before = read_back()
        self.assertEqual(before[0], [(c.id, 1) for c in self.clients[:2]])
        for column, table in zip(
            OLD_HISTORY_COLUMNS, ("clientbase_journey", "res_partner", "res_company"), strict=True
        ):
            self.assertFalse(sql.column_exists(cr, "clientbase_journey_history", column))
            cr.execute(
                f"ALTER TABLE clientbase_journey_history ADD COLUMN {column} int REFERENCES {table}(id)"
            )
        cr.execute(f"CREATE INDEX {OLD_HISTORY_INDEX} ON clientbase_journey_history (member_id)")
        cr.execute(
            "UPDATE mailing_mailing SET mailing_domain = %s WHERE id = %s",
            (repr([(OLD_RECIPIENTS_PATH, "=", mailing.id)]), mailing.id),
        )
        Journey = self.env["clientbase.journey"]
        Journey._upgrade_hard_wired_rules()
        Journey._upgrade_hard_wired_rules()
        for column in OLD_HISTORY_COLUMNS:
            self.assertFalse(sql.column_exists(cr, "clientbase_journey_history", column))
        self.assertFalse(sql.index_exists(cr, OLD_HISTORY_INDEX))
        self.env.invalidate_all()
        self.assertEqual(mailing.mailing_domain, repr(mailing._clientbase_journey_recipients_domain()))
        self.assertEqual(read_back(), before)
