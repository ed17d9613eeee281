"""The journeys' loyalty steps on a frozen clock: points granted once, a personal code with a
deadline that the next message shows and Odoo refuses after it, nothing for the held out, each
salesperson seeing his own clients' codes and points only."""

from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.addons.clientbase_crm.tests import test_journeys
from odoo.addons.clientbase_loyalty.tests.common import coupon_program
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

DAY0 = test_journeys.DAY0  # 2026-03-02 10:00 UTC, a Monday, inside the send window


@tagged("post_install", "-at_install", "clientbase_loyalty", "clientbase_journeys")
class TestJourneyLoyaltySteps(test_journeys.JourneyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.points_program = cls.env["loyalty.program"].create(
            {
                "name": "Journey Points",
                "program_type": "loyalty",
                "trigger": "auto",
                "applies_on": "both",
                "rule_ids": [(5, 0, 0)],
                "reward_ids": [(0, 0, {"reward_type": "discount", "discount": 1, "required_points": 1000})],
            }
        )
        cls.coupon_program = coupon_program(cls.env, "Journey 10%")
        cls.code_template = cls.env["mail.template"].create(
            {
                "name": "Journey code test",
                "model_id": cls.env["ir.model"]._get_id("res.partner"),
                "subject": "Your code, {{ object.name }}",
                "body_html": "<p>Code <t t-out='object.client_promo_code'/> until "
                "<t t-out='format_date(object.client_promo_code_expiration)'/>.</p>",
            }
        )

    def _points_step(self, points=50.0, **values):
        return dict(
            {"name": "Points", "kind": "loyalty_points", "loyalty_program_id": self.points_program.id},
            loyalty_points=points,
            **values,
        )

    def _code_step(self, days=14):
        return {
            "name": "Code",
            "kind": "promo_code",
            "loyalty_program_id": self.coupon_program.id,
            "promo_validity_days": days,
        }

    def _cards(self, program, partners=None):
        domain = [("program_id", "=", program.id)]
        if partners is not None:
            domain.append(("partner_id", "in", partners.ids))
        return self.env["loyalty.card"].search(domain)

    def _send(self, mailing):
        """The mails mass_mailing renders for ``mailing`` (kept: not sent out)."""
        with patch.object(type(self.env["mail.mail"]), "send", lambda mails, *args, **kwargs: True):
            mailing.action_send_mail()
        return self.env["mail.mail"].sudo().search([("mailing_id", "=", mailing.id)])

    def _grants(self, journey):
        return self.env["clientbase.loyalty.grant"].search([("journey_step_id", "in", journey.step_ids.ids)])

    def test_points_step_grants_once_even_when_run_twice_or_killed(self):
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(goal="none", steps=[self._points_step()])
        step = journey.step_ids
        with freeze_time(DAY0):
            self._history(self.clients[:6])
            journey._run_enrolment(journey)
            # killed in the second batch of two: the first stays whole, the second leaves no trace
            Grant = type(self.env["clientbase.loyalty.grant"])
            self._run_steps_killed_in_second_batch(journey, Grant, "_post_grants")
            self.assertEqual(len(self._grants(journey)), 2, "the first batch is whole")
            self.assertEqual(sum(self._cards(self.points_program).mapped("points")), 100)
            journey.with_context(clientbase_journey_batch=2)._run_steps(journey)
            self._run(journey)  # and once more: nobody is due
            self.env.invalidate_all()
        grants = self._grants(journey)
        self.assertEqual(sorted(grants.partner_id.ids), sorted(self.clients[:6].ids))
        self.assertEqual(len(grants), 6, "once each")
        self.assertTrue(all(grants.mapped("posted")))
        cards = self._cards(self.points_program, self.clients)
        self.assertEqual(cards.partner_id, self.clients[:6])
        self.assertEqual(set(cards.mapped("points")), {50.0})
        self.assertEqual(set(cards.history_ids.mapped("description")), {"Test journey: Points"})
        self.assertEqual(set(cards.history_ids.mapped("issued")), {50.0})
        self.assertEqual(set(self._members(journey).mapped("state")), {"done"})
        # the step done again for the same entries (a run that did not move them on): nothing more
        members = self._members(journey)
        step._execute(members.ids, members.partner_id.ids)
        self.env.invalidate_all()
        self.assertEqual(len(self._grants(journey)), 6)
        self.assertEqual(set(self._cards(self.points_program, self.clients).mapped("points")), {50.0})

    def test_code_step_the_message_shows_it_and_it_is_refused_after_its_deadline(self):
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(
                steps=[
                    self._code_step(days=14),
                    {"name": "Mail", "kind": "email", "mail_template_id": self.code_template.id},
                ]
            )
        code_step = journey.step_ids.sorted("sequence")[0]
        clients = self.clients[:3]
        with freeze_time(DAY0):
            self._history(clients)
            self._run(journey)
            self._run(journey)
            cards = self._cards(self.coupon_program)
            self.assertEqual(len(cards), 3, "one code each, a rerun issues none")
            self.assertEqual(cards.partner_id, clients)
            self.assertEqual(set(cards.mapped("expiration_date")), {date(2026, 3, 16)})
            self.assertEqual(set(cards.mapped("points")), {1.0})
            self.assertEqual(len(set(cards.mapped("code"))), 3)
            self.assertTrue(all(len(code) == 16 for code in cards.mapped("code")))
            self.assertEqual(cards.clientbase_journey_step_id, code_step)
            self.assertEqual(cards.clientbase_journey_member_id, self._members(journey))
            # the following email: each client's own code and its deadline
            mailing = self._sent(journey).mailing_id
            self.assertEqual(len(mailing), 1)
            mails = self._send(mailing)
            self.assertEqual(len(mails), 3)
            for card in cards:
                (mail,) = mails.filtered(
                    lambda m, c=card: m.model == "res.partner" and m.res_id == c.partner_id.id
                )
                self.assertIn(f"Code {card.code} until 03/16/2026.", mail.body_html)
            # the same entries done again: no second code
            members = self._members(journey)
            code_step._execute(members.ids, members.partner_id.ids)
            self.assertEqual(len(self._cards(self.coupon_program)), 3)
        client, late_client = clients[0], clients[1]
        code = cards.filtered(lambda c: c.partner_id == client).code
        with freeze_time("2026-03-16 18:00:00"):  # the deadline, still valid
            quotation = self._order(client, amount=2000, state="draft")
            result = quotation._try_apply_code(code)
            self.assertNotIn("error", result)
            for coupon, rewards in result.items():
                quotation._apply_program_reward(rewards[:1], coupon)
            self.assertAlmostEqual(quotation.amount_untaxed, 1800.0)
            quotation.action_confirm()
        with freeze_time("2026-03-17 08:00:00"):  # the day after: refused, and no longer in messages
            late_code = cards.filtered(lambda c: c.partner_id == late_client).code
            late = self._order(late_client, amount=2000, state="draft")
            self.assertEqual(late._try_apply_code(late_code), {"error": "This coupon is expired."})
            self.assertAlmostEqual(late.amount_untaxed, 2000.0)
            late_client.invalidate_recordset()
            self.assertFalse(late_client.client_promo_code)
        code_step.invalidate_recordset()
        self.assertEqual((code_step.promo_code_count, code_step.promo_redeemed_count), (3, 1))
        # the journey's results and the Promo Campaigns report say the same
        self.env.flush_all()
        by_step = self.env["clientbase.journey.step.result"]._read_group(
            [("journey_id", "=", journey.id)], ["step_id"], ["codes_issued:sum", "codes_redeemed:sum"]
        )
        self.assertEqual({step: (i, r) for step, i, r in by_step if i or r}, {code_step: (3, 1)})
        by_member = self.env["clientbase.journey.result"]._read_group(
            [("journey_id", "=", journey.id)], [], ["codes_issued:sum", "codes_redeemed:sum"]
        )
        self.assertEqual(by_member, [(3, 1)], "the steps add up to the journey")
        Report = self.env["clientbase.loyalty.campaign.report"]
        (row,) = Report.read_group(
            [("journey_id", "=", journey.id)],
            ["code_count:sum", "redeemed_count:sum", "revenue:sum", "discount:sum"],
            ["journey_step_id"],
        )
        self.assertEqual(
            (row["journey_step_id"][0], row["code_count"], row["redeemed_count"]), (code_step.id, 3, 1)
        )
        self.assertAlmostEqual(row["revenue"], 1800.0)
        self.assertAlmostEqual(row["discount"], 200.0)
        (group,) = Report.read_group([("journey_id", "=", journey.id)], ["code_count:sum"], ["campaign_id"])
        self.assertEqual(group["campaign_id"], (False, "Issued by Journeys"))
        self.assertEqual(Report.search_count(group["__domain"]), 3)

    def test_holdout_gets_nothing(self):
        """Half the entrants held out (as the enrolment writes them: kept out of every step):
        the run grants them no points and issues them no code, and counts them."""
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(goal="none", steps=[self._points_step(), self._code_step()])
            first = journey.step_ids.sorted("sequence")[0]
            Member = self.env["clientbase.journey.member"]
            for i, client in enumerate(self.clients):
                held = i % 2 == 1
                Member.create(
                    {
                        "journey_id": journey.id,
                        "partner_id": client.id,
                        "company_id": self.company.id,
                        "event_key": "test",
                        "holdout": held,
                        "state": "holdout" if held else "running",
                        "step_id": False if held else first.id,
                        "next_run": "2026-03-01 10:00:00",
                        "paused": False,
                    }
                )
        with freeze_time(DAY0):
            self._run(journey)
        members = self._members(journey)
        held = members.filtered("holdout")
        treated = members - held
        self.assertEqual(len(held), 4)
        self.assertEqual(set(treated.mapped("state")), {"done"})
        self.assertEqual(self._grants(journey).partner_id, treated.partner_id)
        self.assertEqual(self._cards(self.points_program, self.clients).partner_id, treated.partner_id)
        self.assertEqual(self._cards(self.coupon_program).partner_id, treated.partner_id)
        self.assertFalse(self._cards(self.points_program, held.partner_id))
        self.assertFalse(self._cards(self.coupon_program, held.partner_id))
        self.assertFalse(self.env["clientbase.journey.history"].search([("member_id", "in", held.ids)]))
        journey.invalidate_recordset()
        self.assertEqual((journey.result_treated, journey.result_holdout), (4, 4), "the held out are counted")

    def test_a_salesperson_sees_only_his_clients_codes_and_points(self):
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
            journey = self._journey(goal="none", steps=[self._points_step(), self._code_step()])
        with freeze_time(DAY0):
            self._history(self.clients[0] | theirs)
            self._run(journey)
            for user, client, other in (
                (self.user_salesman, self.clients[0], theirs),
                (self.user_salesman_2, theirs, self.clients[0]),
            ):
                env = self.env(user=user)
                codes = env["loyalty.card"].search(
                    [("clientbase_journey_step_id", "in", journey.step_ids.ids)]
                )
                self.assertEqual(codes.partner_id, client, user.login)
                points = env["loyalty.card"].search([("program_id", "=", self.points_program.id)])
                self.assertEqual(points.partner_id, client, user.login)
                grants = env["clientbase.loyalty.grant"].search(
                    [("journey_step_id", "in", journey.step_ids.ids)]
                )
                self.assertEqual(grants.partner_id, client, user.login)
                self.assertTrue(client.with_user(user).client_promo_code)
                self.assertFalse(other.with_user(user).client_promo_code)
                other_code = self._cards(self.coupon_program, other)
                with self.assertRaises(AccessError):
                    other_code.with_user(user).read(["code"])

    def test_bad_steps_are_refused_with_a_message(self):
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(steps=[])
        Step = self.env["clientbase.journey.step"].with_user(self.marketer)
        base = {"journey_id": journey.id, "name": "Bad"}
        for values in (
            {"kind": "loyalty_points", "loyalty_points": 10},  # no program
            {"kind": "loyalty_points", "loyalty_program_id": self.coupon_program.id, "loyalty_points": 10},
            {"kind": "loyalty_points", "loyalty_program_id": self.points_program.id, "loyalty_points": 0},
            {"kind": "promo_code", "loyalty_program_id": self.points_program.id},
            {"kind": "promo_code", "loyalty_program_id": self.coupon_program.id, "promo_validity_days": 0},
        ):
            with self.assertRaises(ValidationError, msg=str(values)):
                Step.create(dict(base, **values))
        # an archived program: the step is skipped, the member goes on
        with freeze_time("2026-03-01 10:00:00"):
            journey = self._journey(goal="none", steps=[self._code_step()])
        self.coupon_program.active = False
        with freeze_time(DAY0):
            self._history(self.clients[0])
            self._run(journey)
        self.assertFalse(self._cards(self.coupon_program.with_context(active_test=False)))
        history = self.env["clientbase.journey.history"].search([("journey_id", "=", journey.id)])
        self.assertEqual(history.result, "skipped")
        self.assertEqual(self._members(journey).state, "done")

    def test_the_ready_winback_journey_issues_a_code_its_message_shows(self):
        winback = self.env.ref("clientbase_crm.journey_winback")
        steps = winback.step_ids.sorted(lambda s: (s.sequence, s.id))
        self.assertEqual(steps[0], self.env.ref("clientbase_loyalty.journey_winback_step_code"))
        self.assertEqual(steps[0].kind, "promo_code")
        self.assertEqual(
            steps[1].mail_template_id, self.env.ref("clientbase_loyalty.mail_template_journey_winback_code")
        )
        self.assertFalse(winback.active, "shipped archived")
        program = steps[0].loyalty_program_id
        with freeze_time("2026-03-01 10:00:00"):
            winback.write({"active": True, "user_id": self.marketer.id, "holdout_percent": 0})
        with freeze_time(DAY0):
            self._history(self.clients[0])
            self._run(winback)
            card = self._cards(program, self.clients[0])
            self.assertEqual(card.expiration_date, date(2026, 3, 16))
            mailing = self._sent(winback).mailing_id
            mail = self._send(mailing)
            self.assertIn(card.code, mail.body_html)
            self.assertIn("03/16/2026", mail.body_html)
        # the stock message comes back when the addon leaves (its uninstall hook)
        self.env["clientbase.journey.step"]._loyalty_setup_winback(restore=True)
        self.assertEqual(
            steps[1].mail_template_id, self.env.ref("clientbase_crm.mail_template_journey_winback")
        )
