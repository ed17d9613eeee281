from datetime import date

from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import LoyaltyCommon, bonus_program


@tagged("post_install", "-at_install", "clientbase_loyalty")
class TestBonusPoints(LoyaltyCommon):
    """Points of the company's loyalty program: earned on confirmed orders as Odoo gives them, and
    granted once per client-base event (birthday, questionnaire, subscription, referral) on the
    same card, each grant a line of the card's history."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program = bonus_program(cls.env, reward_point_mode="money", reward_point_amount=0.1)
        cls.company.write(
            {
                "client_bonus_program_id": cls.program.id,
                "client_bonus_birthday": 100,
                "client_bonus_questionnaire": 50,
                "client_bonus_subscription": 30,
                "client_bonus_referrer": 200,
                "client_bonus_referred": 70,
            }
        )
        cls.Grant = cls.env["clientbase.loyalty.grant"]
        cls.interest = cls.env["clientbase.interest"].create({"name": "Loyalty Test Kayaking"})

    def _card(self, partner):
        return self.env["loyalty.card"].search(
            [("program_id", "=", self.program.id), ("partner_id", "=", partner.id)]
        )

    def _run_twice(self):
        first = self.Grant._grant_events()
        second = self.Grant._grant_events()
        self.env.invalidate_all()
        return first, second

    @freeze_time("2031-03-10")
    def test_each_event_grants_once_even_when_the_job_runs_twice(self):
        birthday = self._client("Birthday Client", is_company=False, client_birthday=date(1990, 3, 10))
        not_yet = self._client("Birthday Tomorrow", is_company=False, client_birthday=date(1990, 3, 11))
        complete = self._client(
            "Questionnaire Client",
            is_company=False,
            client_birthday=date(1985, 7, 1),
            client_gender="female",
            client_family_status="married",
            client_interest_ids=[(6, 0, self.interest.ids)],
        )
        incomplete = self._client(
            "Half a Questionnaire", is_company=False, client_birthday=date(1985, 7, 2), client_gender="male"
        )
        subscriber = self._client("Subscriber")
        self.env["clientbase.consent"].create(
            {"partner_id": subscriber.id, "channel": "email", "purpose": "newsletter", "state": "given"}
        )
        marketing_only = self._client("Marketing Only")
        self.env["clientbase.consent"].create(
            {"partner_id": marketing_only.id, "channel": "email", "purpose": "marketing", "state": "given"}
        )
        first, second = self._run_twice()
        self.assertEqual((first, second), (3, 0))
        self.assertEqual(self._card(birthday).points, 100)
        self.assertEqual(self._card(birthday).history_ids.mapped("description"), ["Birthday 2031"])
        self.assertEqual(self._card(birthday).history_ids.issued, 100)
        self.assertEqual(self._card(complete).points, 50)
        self.assertEqual(self._card(complete).history_ids.description, "Questionnaire Completed")
        self.assertEqual(self._card(subscriber).points, 30)
        for nothing in (not_yet, incomplete, marketing_only):
            self.assertFalse(self._card(nothing), nothing.name)
        # the questionnaire completed later grants then, once
        incomplete.write(
            {"client_family_status": "single", "client_interest_ids": [(6, 0, self.interest.ids)]}
        )
        self.assertEqual(self._run_twice(), (1, 0))
        self.assertEqual(self._card(incomplete).points, 50)
        # a subscription withdrawn and given again is the same subscription: no new points
        for state in ("withdrawn", "given"):
            self.env["clientbase.consent"].create(
                {"partner_id": subscriber.id, "channel": "sms", "purpose": "newsletter", "state": state}
            )
        self.assertEqual(self._run_twice(), (0, 0))
        # the next birthday is a new occasion; the questionnaire is not
        with freeze_time("2032-03-12"):  # late (the job did not run on the days): 10 and 11 March
            self.assertEqual(self._run_twice(), (2, 0))
        self.assertEqual(self._card(not_yet).points, 100)
        self.assertEqual(self._card(birthday).points, 200)
        self.assertEqual(
            sorted(self._card(birthday).history_ids.mapped("description")), ["Birthday 2031", "Birthday 2032"]
        )
        self.assertEqual(self._card(complete).points, 50)  # its birthday of 1 July is not due

    @freeze_time("2031-03-10")
    def test_order_points_and_grants_share_the_clients_card(self):
        client = self._client("Buyer", is_company=False, client_birthday=date(1990, 3, 9))
        order = self._quotation(client, 1000)
        order.action_confirm()  # Odoo's loyalty: 0.1 point per unit spent, on confirmation
        self.assertEqual(self._card(client).points, 100)
        self.assertEqual(self._run_twice(), (1, 0))
        card = self._card(client)
        self.assertEqual(len(card), 1)
        self.assertEqual(card.points, 200)
        self.assertEqual(sorted(card.history_ids.mapped("issued")), [100, 100])

    def test_an_event_worth_no_points_grants_nothing(self):
        self.company.client_bonus_subscription = 0
        client = self._client("Subscriber Without Points")
        self.env["clientbase.consent"].create(
            {"partner_id": client.id, "channel": "email", "purpose": "newsletter", "state": "given"}
        )
        self.assertEqual(self._run_twice(), (0, 0))
        self.assertFalse(self._card(client))
        with self.assertRaises(ValidationError):
            self.company.client_bonus_birthday = -1

    def test_a_referred_friends_first_order_rewards_both_once(self):
        referrer = self._client("Referrer")
        referrer.action_client_referral_code()
        code = referrer.client_referral_code
        self.assertTrue(code)
        referrer.action_client_referral_code()  # a client keeps its code
        self.assertEqual(referrer.client_referral_code, code)
        friend = self._client("New Friend")
        order = self._quotation(friend, 1000)
        order.clientbase_referral_code = code.lower()
        self.assertEqual(order.clientbase_referrer_id, referrer)
        order.action_confirm()
        self.env.invalidate_all()
        self.assertEqual(self._card(referrer).points, 200)
        self.assertEqual(self._card(referrer).history_ids.description, "Referred a Friend")
        self.assertEqual(self._card(friend).points, 100 + 70)  # the order's points and the welcome
        grant = self.Grant.search([("partner_id", "=", referrer.id)])
        self.assertEqual(grant.friend_id, friend)
        self.assertEqual(self._run_twice(), (0, 0))
        # only a new client's first order
        second = self._quotation(friend, 1000)
        second.clientbase_referral_code = code
        with self.assertRaises(UserError):
            second.action_confirm()
        with self.assertRaises(ValidationError):
            self._quotation(referrer).clientbase_referral_code = code
        with self.assertRaises(ValidationError):
            self._quotation(friend).clientbase_referral_code = "NOSUCHCODE"
        self.assertEqual(
            self.env["clientbase.loyalty.referral"].search([("partner_id", "=", referrer.id)]).friend_count, 1
        )

    def test_grants_posted_in_batches(self):
        """Posted in batches of two, five grants of three clients (one with a card already, two of
        them twice) end on one card each, a history line per grant, nothing posted twice."""
        first, second, third = (self._client(f"Batch Client {n}") for n in (1, 2, 3))
        self.env["loyalty.card"].create({"program_id": self.program.id, "partner_id": second.id, "points": 5})
        for partner, occasion, points in (
            (first, "a", 10),
            (second, "a", 20),
            (third, "a", 30),
            (first, "b", 1),
            (second, "b", 2),
        ):
            self.Grant.create(
                {
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "program_id": self.program.id,
                    "event": "journey",
                    "occasion": occasion,
                    "points": points,
                }
            )
        self.env.flush_all()
        self.assertEqual(self.Grant._post_grants(self.company, batch=2), 5)
        self.assertEqual(self.Grant._post_grants(self.company, batch=2), 0)
        self.env.invalidate_all()
        self.assertEqual(
            [
                (len(self._card(p)), self._card(p).points, len(self._card(p).history_ids))
                for p in (first, second, third)
            ],
            [(1, 11, 2), (1, 27, 2), (1, 30, 1)],
        )
        self.assertFalse(
            self.Grant.search([("partner_id", "in", (first | second | third).ids), ("posted", "=", False)])
        )
