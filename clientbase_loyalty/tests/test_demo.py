from odoo import fields
from odoo.tests import tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install", "clientbase_loyalty")
class TestLoyaltyDemo(LoyaltyCommon):
    """The demo's loyalty (make run): levels on, cards with points, VIP perks, a past campaign with
    redemptions; once per database."""

    def test_demo_loyalty_on_a_small_base(self):
        (self.silver | self.gold).active = False  # the demo turns the example levels on
        self.env["product.product"].create({"name": "Demo Kettle", "list_price": 2000.0, "type": "consu"})
        big = self._client("Big Buyer")
        self._order(big, 200000)
        big.client_is_vip = True
        lapsed = self._client("Lapsed Buyer")
        self._order(lapsed, 5000, days_ago=400, instant=False)
        self._nightly()
        summary = self.env["clientbase.loyalty.demo"]._generate_demo()
        self.assertTrue(summary)
        self.env.invalidate_all()
        self.assertEqual(
            big.client_loyalty_level_id, self.env.ref("clientbase_loyalty.clientbase_loyalty_level_gold")
        )
        program = self.company.client_bonus_program_id
        card = self.env["loyalty.card"].search([("program_id", "=", program.id), ("partner_id", "=", big.id)])
        self.assertEqual(card.points, 2000)
        self.assertEqual(card.history_ids.issued, 2000)
        perks = self.env["loyalty.program"].search([("clientbase_vip_only", "=", True)])
        self.assertEqual(len(perks), 2)  # the perks shipped archived, switched on
        self.assertIn(self.env.ref("clientbase_loyalty.loyalty_program_vip_gift"), perks)
        quotation = self.env["sale.order"].search([("name", "=", summary["VIP quotation with perks"])])
        self.assertTrue(quotation.client_is_vip)
        self.assertIn(
            self.env.ref("clientbase_loyalty.product_vip_gift"),
            quotation.order_line.filtered(lambda line: line.reward_id.program_id in perks).product_id,
        )
        campaign = self.env["clientbase.loyalty.campaign"].search([("program_id.name", "=", "Win-back 10%")])
        self.assertIn(lapsed, campaign.card_ids.partner_id)
        self.assertGreaterEqual(campaign.redeemed_count, 1)
        self.assertLess(campaign.expiration_date, fields.Date.today())
        self.assertFalse(self.env["clientbase.loyalty.demo"]._generate_demo())
