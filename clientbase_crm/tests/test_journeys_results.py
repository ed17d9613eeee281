"""Journeys' results by step (issue 30): known answers on a frozen clock for what each step
sent, what mass_mailing traced of it, who unsubscribed, where members are or left and whose
conversion follows which step; and the property that a journey's steps add up to the journey."""

from freezegun import freeze_time

from odoo.addons.clientbase_crm.models.journeys.clientbase_journey_result import uplift
from odoo.tests import TransactionCase, tagged

from .test_journeys import DAY0, JourneyCommon

# the figures both result views carry: the steps of a journey add up to the journey's
SUMMED = (
    "entered",
    "in_progress",
    "exited",
    "sent",
    "delivered",
    "opened",
    "clicked",
    "replied",
    "bounced",
    "unsubscribed",
    "converted",
    "revenue",
)
STEP_FIGURES = ("entered", "reached", "in_progress", "held_out", "completed", "exited", *SUMMED[3:])


class JourneyResultsMixin:
    def _by_step(self, journey):
        """{step (or empty for the entry): {figure: sum}} of the journey's results by step."""
        self.env.flush_all()
        rows = self.env["clientbase.journey.step.result"]._read_group(
            [("journey_id", "=", journey.id)], ["step_id"], [f"{f}:sum" for f in STEP_FIGURES]
        )
        return {step: dict(zip(STEP_FIGURES, sums, strict=True)) for step, *sums in rows}

    def assertStepsAddUp(self, journey):
        """Every figure of the journey is the sum of its steps'; every member's state is on one
        row of his; each step's reached and sent are its members and messages in the history."""
        self.env.flush_all()
        Result = self.env["clientbase.journey.result"]
        [journey_sums] = Result._read_group(
            [("journey_id", "=", journey.id)], [], [f"{f}:sum" for f in SUMMED]
        )
        by_step = self._by_step(journey)
        for figure, total in zip(SUMMED, journey_sums, strict=True):
            self.assertAlmostEqual(
                sum(figures[figure] for figures in by_step.values()), total or 0, msg=figure
            )
        members = self.env["clientbase.journey.member"].search([("journey_id", "=", journey.id)])
        self.assertEqual(sum(f["entered"] for f in by_step.values()), len(members))
        states = self.env["clientbase.journey.step.result"]._read_group(
            [("journey_id", "=", journey.id)],
            ["member_id"],
            ["in_progress:sum", "held_out:sum", "completed:sum", "exited:sum"],
        )
        self.assertEqual(len(states), len(members))
        for member, *counts in states:
            self.assertEqual(sum(counts), 1, f"{member.partner_id.name} is in one state, on one row")
        History = self.env["clientbase.journey.history"]
        for step in journey.step_ids:
            figures = by_step.get(step, {"reached": 0, "sent": 0})
            done = History.search([("step_id", "=", step.id), ("result", "!=", "postponed")])
            self.assertEqual(figures["reached"], len(done.member_id), step.name)
            self.assertEqual(figures["sent"], len(done.filtered(lambda h: h.result == "queued")), step.name)


@tagged("post_install", "-at_install", "clientbase_journeys")
class TestJourneyResultsByStep(JourneyResultsMixin, JourneyCommon):
    def _traces(self, journey, step):
        mailing = self._sent(journey, step).mailing_id
        self.assertEqual(len(mailing), 1)
        mailing.action_send_mail()
        traces = self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])
        traces.set_sent()
        return {trace.res_id: trace for trace in traces}

    def test_each_step_known_answers_and_the_steps_add_up(self):
        """8 clients: a mail, a wait, a branch on "opened", a second mail, a last wait.
        c0 opens and clicks, then orders 200 after the second mail; c1 opens and replies, gets the
        second mail and unsubscribes; c2 bounces; c3 unsubscribes after the first mail; c4 orders
        100 before the branch (goal); c5 leaves at the branch, then orders 50."""
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(
                horizon_days=30,
                steps=[
                    {"name": "Mail 1", "kind": "email", "mail_template_id": self.template.id},
                    {"name": "Wait 1", "kind": "wait", "wait_days": 2},
                    {"name": "Opened?", "kind": "branch", "branch_condition": "opened"},
                    {"name": "Mail 2", "kind": "email", "mail_template_id": self.template.id},
                    {"name": "Wait 2", "kind": "wait", "wait_days": 10},
                ],
            )
        mail1, wait1, branch, mail2, wait2 = journey.step_ids.sorted("sequence")
        c = self.clients
        with freeze_time(DAY0):
            self._history(c)
            self._run(journey)
            traces = self._traces(journey, mail1)
            traces[c[0].id].set_opened()
            traces[c[0].id].set_clicked()
            traces[c[1].id].set_opened()
            traces[c[1].id].set_replied()
            traces[c[2].id].set_bounced()
        with freeze_time("2026-03-03 10:00:00"):
            self.env["mail.blacklist"].sudo()._add(c[3].email)  # the mail's unsubscribe link
            self._order(c[4], amount=100)
        with freeze_time("2026-03-04 10:00:00"):
            self._run(journey)
            self.assertEqual(self._sent(journey, mail2).partner_id, c[:2])
            self._traces(journey, mail2)
        with freeze_time("2026-03-05 10:00:00"):
            self.env["mail.blacklist"].sudo()._add(c[1].email)  # after the second mail: its own
            self._order(c[0], amount=200)
            self._order(c[5], amount=50)
        with freeze_time("2026-03-06 10:00:00"):
            self._run(journey)
        by_step = self._by_step(journey)
        zero = dict.fromkeys(STEP_FIGURES, 0)
        expected = {
            self.env["clientbase.journey.step"]: dict(zero, entered=8),
            mail1: dict(
                zero,
                reached=8,
                sent=8,
                delivered=7,
                opened=2,
                clicked=1,
                replied=1,
                bounced=1,
                unsubscribed=1,
            ),
            wait1: dict(zero, reached=8, exited=1, converted=1, revenue=100.0),
            branch: dict(zero, reached=7, exited=5, converted=1, revenue=50.0),
            mail2: dict(zero, reached=2, sent=2, delivered=2, unsubscribed=1),
            wait2: dict(zero, reached=2, in_progress=1, exited=1, converted=1, revenue=200.0),
        }
        self.assertEqual(by_step, expected)
        # where they left, and why
        exits = self.env["clientbase.journey.step.result"]._read_group(
            [("journey_id", "=", journey.id), ("exit_reason", "!=", False)],
            ["step_id", "exit_reason"],
            ["__count"],
        )
        self.assertEqual(
            sorted((step.name, reason, n) for step, reason, n in exits),
            [("Opened?", "branch", 5), ("Wait 1", "goal", 1), ("Wait 2", "goal", 1)],
        )
        # the journey's own figures, per member
        rows = self.env["clientbase.journey.result"].search([("journey_id", "=", journey.id)])
        self.assertEqual(rows.filtered("unsubscribed").partner_id, c[1] | c[3])
        self.assertEqual(rows.filtered("converted").partner_id, c[0] | c[4] | c[5])
        self.assertStepsAddUp(journey)

    def test_an_unsubscribe_long_after_counts_for_no_message(self):
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(horizon_days=7, goal="none")
        with freeze_time(DAY0):
            self._history(self.clients[:2])
            self._run(journey)
        with freeze_time("2026-03-08 09:00:00"):  # within 7 days of the message
            self.env["mail.blacklist"].sudo()._add(self.clients[0].email)
        with freeze_time("2026-03-09 11:00:00"):  # past them: another mailing's doing
            self.env["mail.blacklist"].sudo()._add(self.clients[1].email)
        self.env.flush_all()
        rows = self.env["clientbase.journey.result"].search([("journey_id", "=", journey.id)])
        self.assertEqual(rows.filtered("unsubscribed").partner_id, self.clients[0])
        self.assertEqual(sum(rows.mapped("unsubscribed")), 1)
        self.assertStepsAddUp(journey)

    def test_holdout_counts_on_the_entry_row(self):
        """Held-out members reach no step: their state and conversion are the entry row's."""
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(holdout_percent=50, horizon_days=30)
            self._split_clients_in_two(journey)
        with freeze_time(DAY0):
            self._history(self.clients)
            self._run(journey)
        held = self._members(journey, holdout=True)
        self.assertTrue(held and len(held) < 8, "this journey's split has both sides")
        with freeze_time("2026-03-03 10:00:00"):
            for member in held:
                self._order(member.partner_id, amount=40)
        by_step = self._by_step(journey)
        entry = by_step[self.env["clientbase.journey.step"]]
        self.assertEqual((entry["entered"], entry["held_out"]), (8, len(held)))
        self.assertEqual((entry["converted"], entry["revenue"]), (len(held), 40.0 * len(held)))
        self.assertEqual(by_step[journey.step_ids]["in_progress"], 0, "the treated are done after the mail")
        self.assertEqual(by_step[journey.step_ids]["completed"], 8 - len(held))
        self.assertStepsAddUp(journey)


@tagged("post_install", "-at_install", "clientbase_journeys")
class TestUpliftFigures(TransactionCase):
    def test_small_groups(self):
        """No held out: no uplift. A group of one: the conversion's interval (its formula holds),
        none for the revenue (a sample of one has no spread)."""
        none = uplift(n_t=5, n_h=0, conv_t=2, conv_h=0, rev_t=50.0, rev_h=0.0, sq_t=1250.0, sq_h=0.0)
        self.assertEqual((none["uplift"], none["uplift_margin"], none["revenue_uplift"]), (0.0, 0.0, 0.0))
        self.assertAlmostEqual(none["treated_rate"], 40.0)
        one = uplift(n_t=2, n_h=1, conv_t=1, conv_h=1, rev_t=10.0, rev_h=30.0, sq_t=100.0, sq_h=900.0)
        self.assertAlmostEqual(one["uplift"], -50.0)
        self.assertAlmostEqual(one["uplift_margin"], 100 * 1.96 * (0.25 / 2) ** 0.5)
        self.assertAlmostEqual(one["revenue_uplift"], -25.0)
        self.assertEqual(one["revenue_margin"], 0.0)
