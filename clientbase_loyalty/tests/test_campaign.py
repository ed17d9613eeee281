from datetime import date

from odoo.addons.clientbase_crm.wizards.clientbase_mailing_wizard import body_to_qweb
from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import LoyaltyCommon, coupon_program


@tagged("post_install", "-at_install", "clientbase_loyalty")
class TestPromoCampaign(LoyaltyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program = coupon_program(cls.env, "Win-back 10%")
        cls.clients = cls.env["res.partner"]
        for index in range(3):
            cls.clients |= cls._client(f"Segment Client {index}")
        cls.outsider = cls._client("Outsider")
        cls.segment = cls.env["clientbase.segment"].create(
            {"name": "Win-back test", "domain": str([("id", "in", cls.clients.ids)])}
        )
        cls.segment._refresh_members()

    def _campaign(self, **vals):
        return self.env["clientbase.loyalty.campaign"].create(
            dict(
                {
                    "name": "Come back",
                    "segment_id": self.segment.id,
                    "program_id": self.program.id,
                    "expiration_date": date(2031, 3, 31),
                },
                **vals,
            )
        )

    @freeze_time("2031-03-01")
    def test_one_personal_code_per_client_once(self):
        campaign = self._campaign()
        campaign.action_generate_codes()
        cards = campaign.card_ids
        self.assertEqual(cards.partner_id, self.clients)
        self.assertEqual(len(cards), 3)
        self.assertEqual(len(set(cards.mapped("code"))), 3)
        self.assertTrue(all(len(code) == 16 for code in cards.mapped("code")))
        self.assertEqual(set(cards.mapped("expiration_date")), {date(2031, 3, 31)})
        self.assertEqual(cards.program_id, self.program)
        self.assertEqual(set(cards.mapped("points")), {1.0})
        # twice: nothing more; a client who joined the segment since gets its own code
        campaign.action_generate_codes()
        self.assertEqual(len(campaign.card_ids), 3)
        newcomer = self._client("Newcomer")
        self.segment.domain = str([("id", "in", (self.clients | newcomer).ids)])
        self.segment._refresh_members()
        campaign.action_generate_codes()
        self.assertEqual(campaign.card_ids.partner_id, self.clients | newcomer)
        self.assertEqual(campaign.code_count, 4)
        # another campaign gives the same clients codes of its own
        other = self._campaign(name="Second wave")
        other.action_generate_codes()
        self.assertEqual(len(other.card_ids), 4)
        self.assertFalse(set(other.card_ids.mapped("code")) & set(campaign.card_ids.mapped("code")))

    @freeze_time("2031-03-01")
    def test_stage_audience_and_bad_input(self):
        buyer = self._client("One-time buyer")
        self._order(buyer, 500)
        Figures = self.env["clientbase.client.figures"]
        stage = Figures.search(
            [("partner_id", "=", buyer.id), ("company_id", "=", self.company.id)]
        ).current_stage
        campaign = self._campaign(segment_id=False, stage=stage)
        campaign.action_generate_codes()
        expected = Figures.search(
            [("company_id", "=", self.company.id), ("current_stage", "=", stage)]
        ).partner_id.filtered(lambda p: p.active and p == p.commercial_partner_id)
        self.assertIn(buyer, campaign.card_ids.partner_id)
        self.assertEqual(campaign.card_ids.partner_id, expected)
        with self.assertRaises(ValidationError):
            self._campaign(segment_id=False)
        promotion = self.silver.program_id
        with self.assertRaises(ValidationError):
            self._campaign(program_id=promotion.id)
        late = self._campaign(expiration_date=date(2031, 2, 1))
        with self.assertRaises(UserError):
            late.action_generate_codes()

    def test_the_mailing_carries_each_clients_own_code_and_its_deadline(self):
        with freeze_time("2031-03-01"):
            campaign = self._campaign()
            campaign.action_generate_codes()
            wizard = self.env["clientbase.mailing.wizard"].create({"target_domain": "[]"})
            self.assertIn("object.client_promo_code", wizard.placeholder_help)
            body = body_to_qweb(
                "<p>{{ object.client_promo_code }} until {{ format_date(object.client_promo_code_expiration) }}</p>"
            )
            bodies = self.env["mail.render.mixin"]._render_template(
                body, "res.partner", (self.clients | self.outsider).ids, engine="qweb"
            )
            for client in self.clients:
                code = campaign.card_ids.filtered(lambda c, p=client: c.partner_id == p).code
                self.assertIn(f"{code} until 03/31/2031", bodies[client.id])
            self.assertNotIn("until 03", bodies[self.outsider.id])
            # a salesperson renders its own clients' codes only
            self.clients[0].user_id = self.user_b
            self.assertFalse(self.clients[0].with_user(self.user_a).client_promo_code)
            self.assertTrue(self.clients[0].with_user(self.user_b).client_promo_code)
        with freeze_time("2031-04-01"):  # expired: no code to send
            self.clients.invalidate_recordset()
            self.assertFalse(self.clients[1].client_promo_code)

    def test_code_works_until_its_deadline_and_is_refused_after(self):
        with freeze_time("2031-03-01"):
            campaign = self._campaign()
            campaign.action_generate_codes()
        client = self.clients[0]
        code = campaign.card_ids.filtered(lambda c: c.partner_id == client).code
        with freeze_time("2031-03-31"):
            quotation = self._quotation(client, 2000)
            result = quotation._try_apply_code(code)
            self.assertNotIn("error", result)
            for coupon, rewards in result.items():
                quotation._apply_program_reward(rewards[:1], coupon)
            self.assertAlmostEqual(quotation.amount_untaxed, 1800.0)
            quotation.action_confirm()
        with freeze_time("2031-04-01"):
            other = self.clients[1]
            other_code = campaign.card_ids.filtered(lambda c: c.partner_id == other).code
            late = self._quotation(other, 2000)
            self.assertEqual(late._try_apply_code(other_code), {"error": "This coupon is expired."})
            self.assertAlmostEqual(late.amount_untaxed, 2000.0)
        # the campaign's results: 3 codes sent, 1 redeemed on an order of 1,800 with 200 off
        campaign.invalidate_recordset()
        self.assertEqual(campaign.code_count, 3)
        self.assertEqual(campaign.redeemed_count, 1)
        self.assertAlmostEqual(campaign.redemption_rate, round(100.0 / 3, 1))
        self.assertAlmostEqual(campaign.redeemed_revenue, 1800.0)
        self.assertAlmostEqual(campaign.discount_cost, 200.0)
        # the campaigns' pivot says the same
        self.env.flush_all()
        (row,) = self.env["clientbase.loyalty.campaign.report"].read_group(
            [("campaign_id", "=", campaign.id)],
            ["code_count:sum", "redeemed_count:sum", "redemption_rate", "revenue:sum", "discount:sum"],
            ["campaign_id"],
        )
        self.assertEqual((row["code_count"], row["redeemed_count"]), (3, 1))
        self.assertAlmostEqual(row["redemption_rate"], 100.0 / 3)
        self.assertAlmostEqual(row["revenue"], 1800.0)
        self.assertAlmostEqual(row["discount"], 200.0)
