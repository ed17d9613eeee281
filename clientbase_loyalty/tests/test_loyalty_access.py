from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install", "clientbase_loyalty")
class TestLoyaltyAccess(LoyaltyCommon):
    """Salesperson B reads nothing of salesperson A's client's loyalty: not its level, its
    history, its receipts, its cards and codes, nor its rows of the report."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_a = cls._client("A's client", user=cls.user_a)
        cls.client_b = cls._client("B's client", user=cls.user_b)
        cls._order(cls.client_a, 160000)
        cls._order(cls.client_b, 60000)
        program = cls.env["loyalty.program"].create(
            {
                "name": "Personal 10%",
                "program_type": "coupons",
                "reward_ids": [(0, 0, {"reward_type": "discount", "discount": 10, "required_points": 1})],
            }
        )
        segment = cls.env["clientbase.segment"].create(
            {"name": "Both", "domain": str([("id", "in", (cls.client_a | cls.client_b).ids)])}
        )
        segment._refresh_members()
        with freeze_time("2031-01-01"):
            cls.campaign = cls.env["clientbase.loyalty.campaign"].create(
                {
                    "name": "Both",
                    "segment_id": segment.id,
                    "program_id": program.id,
                    "expiration_date": date(2031, 12, 31),
                }
            )
            cls.campaign.action_generate_codes()
        cls.card_a = cls.campaign.card_ids.filtered(lambda c: c.partner_id == cls.client_a)
        cls.card_a.points = 5  # a loyalty history row of the client's card
        cls.env["loyalty.history"].create({"card_id": cls.card_a.id, "description": "Granted", "issued": 4})

    def test_a_colleague_reads_nothing_of_the_clients_loyalty(self):
        env_b = self.env(user=self.user_b)
        # the level, its history and the report rows
        self.assertFalse(env_b["clientbase.loyalty.status"].search([("partner_id", "=", self.client_a.id)]))
        with self.assertRaises(AccessError):
            self._status(self.client_a).with_user(self.user_b).read(["level_id"])
        history = self._level_history(self.client_a)
        self.assertTrue(history)
        self.assertFalse(env_b["clientbase.segment.history"].search([("id", "in", history.ids)]))
        self.assertFalse(env_b["clientbase.loyalty.report"].search([("partner_id", "=", self.client_a.id)]))
        groups = env_b["clientbase.loyalty.report"].read_group([], ["revenue:sum"], ["level_id"])
        self.assertEqual(sum(g["revenue"] for g in groups), 60000)
        # the card: blank fields, no search by level
        values = self.client_a.with_user(self.user_b).read(
            [
                "client_loyalty_level_id",
                "client_loyalty_receipts",
                "client_loyalty_progress",
                "client_loyalty_level_date",
            ]
        )[0]
        self.assertFalse(any(values[f] for f in values if f != "id"), values)
        self.assertNotIn(
            self.client_a, env_b["res.partner"].search([("client_loyalty_level_id", "=", self.gold.id)])
        )
        # the codes and points: no card, by search, by code, by read, nor through Odoo's coupon entry
        Card = env_b["loyalty.card"]
        self.assertFalse(Card.search([("partner_id", "=", self.client_a.id)]))
        self.assertFalse(Card.search([("code", "=", self.card_a.code)]))
        with self.assertRaises(AccessError):
            self.card_a.with_user(self.user_b).read(["code"])
        self.assertFalse(env_b["loyalty.history"].search([("card_id", "=", self.card_a.id)]))
        quotation = self._quotation(self.client_b, 100, env=env_b)
        with freeze_time("2031-02-01"):
            self.assertTrue(quotation._try_apply_code(self.card_a.code).get("not_found"))
        # the campaign counts the codes without showing them
        self.assertEqual(self.campaign.with_user(self.user_b).code_count, 2)

    def test_the_owner_and_the_manager_read_it(self):
        env_a = self.env(user=self.user_a)
        self.assertEqual(self.client_a.with_user(self.user_a).client_loyalty_level_id, self.gold)
        self.assertEqual(env_a["loyalty.card"].search([("code", "=", self.card_a.code)]), self.card_a)
        self.assertTrue(env_a["loyalty.history"].search([("card_id", "=", self.card_a.id)]))
        env_m = self.env(user=self.manager)
        self.assertEqual(
            env_m["clientbase.loyalty.status"]
            .search([("partner_id", "in", (self.client_a | self.client_b).ids)])
            .level_id,
            self.gold | self.silver,
        )
        self.assertEqual(
            len(env_m["loyalty.card"].search([("clientbase_campaign_id", "=", self.campaign.id)])), 2
        )

    def test_only_managers_set_a_level_by_hand(self):
        with self.assertRaises(AccessError):
            self.client_a.with_user(self.user_a).write(
                {"client_loyalty_level_manual_id": self.silver.id, "client_loyalty_level_reason": "Mine"}
            )

    def test_forgetting_the_client_forgets_its_cards(self):
        self.client_a.with_user(self.manager).write(
            {
                "client_loyalty_level_manual_id": self.silver.id,
                "client_loyalty_level_reason": "Asked by phone",
            }
        )
        code = self.card_a.code
        self.client_a._client_forget(reason="Privacy request")
        Card = self.env["loyalty.card"].with_context(active_test=False)
        self.assertFalse(Card.search([("partner_id", "=", self.client_a.id)]))
        self.assertFalse(self.card_a.partner_id)
        self.assertFalse(self.card_a.active)
        self.assertFalse(self.env["loyalty.history"].search([("card_id", "=", self.card_a.id)]))
        status = self._status(self.client_a)
        self.assertFalse(status.manual_reason)
        self.assertEqual(status.level_id, self.gold, "the level by receipts stays, as the figures do")
        quotation = self._quotation(self.client_b, 100)
        with freeze_time("2031-02-01"):
            self.assertIn("error", quotation._try_apply_code(code))

    def _grant_and_refer(self):
        """Bonus points for both clients' subscriptions, and a referral code each."""
        program = self.env["loyalty.program"].create({"name": "Points", "program_type": "loyalty"})
        self.company.write({"client_bonus_program_id": program.id, "client_bonus_subscription": 10})
        for client in self.client_a | self.client_b:
            self.env["clientbase.consent"].create(
                {"partner_id": client.id, "channel": "email", "purpose": "newsletter", "state": "given"}
            )
        self.env["clientbase.loyalty.grant"]._grant_events()
        (self.client_a | self.client_b).action_client_referral_code()
        return self.env["clientbase.loyalty.grant"].search(
            [("partner_id", "in", (self.client_a | self.client_b).ids)]
        )

    def test_a_colleague_reads_no_grant_nor_referral_code_of_the_client(self):
        grants = self._grant_and_refer()
        self.assertEqual(len(grants), 2)
        env_b = self.env(user=self.user_b)
        self.assertEqual(
            env_b["clientbase.loyalty.grant"].search([("id", "in", grants.ids)]).partner_id, self.client_b
        )
        referrals = env_b["clientbase.loyalty.referral"].search([])
        self.assertEqual(referrals.partner_id & (self.client_a | self.client_b), self.client_b)
        self.assertFalse(self.client_a.with_user(self.user_b).client_referral_code)
        self.assertTrue(self.client_b.with_user(self.user_b).client_referral_code)
        with self.assertRaises(AccessError):
            self.client_a.with_user(self.user_b).action_client_referral_code()

    def test_forgetting_the_client_forgets_its_grants_and_referral_code(self):
        self._grant_and_refer()
        self.client_a._client_forget(reason="Privacy request")
        self.assertFalse(self.env["clientbase.loyalty.grant"].search([("partner_id", "=", self.client_a.id)]))
        self.assertFalse(
            self.env["clientbase.loyalty.referral"].search([("partner_id", "=", self.client_a.id)])
        )
        self.assertTrue(self.env["clientbase.loyalty.grant"].search([("partner_id", "=", self.client_b.id)]))
