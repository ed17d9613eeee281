from odoo.tests import tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install", "clientbase_loyalty")
class TestVipPerksOutOfTheBox(LoyaltyCommon):
    """The VIP perks that ship with the addon (free delivery, a gift with every order) are archived
    until a company switches them on; then they follow the VIP status."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.free_delivery = cls.env.ref("clientbase_loyalty.loyalty_program_vip_free_delivery")
        cls.gift_program = cls.env.ref("clientbase_loyalty.loyalty_program_vip_gift")
        cls.gift = cls.env.ref("clientbase_loyalty.product_vip_gift")
        delivery_product = cls.env["product.product"].create(
            {"name": "Courier", "list_price": 300.0, "taxes_id": [(5, 0, 0)], "type": "service"}
        )
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "Courier",
                "product_id": delivery_product.id,
                "delivery_type": "fixed",
                "fixed_price": 300.0,
            }
        )

    def _quotation_with_perks(self, client):
        order = self._quotation(client, 1000)
        order.set_delivery_line(self.carrier, 300.0)
        order._update_programs_and_rewards()
        for coupon, rewards in order._get_claimable_rewards().items():
            for reward in rewards:
                order._apply_program_reward(reward, coupon)
        return order

    def _perks(self, order):
        return order.order_line.filtered(
            lambda line: line.reward_id.program_id in self.free_delivery | self.gift_program
        )

    def test_shipped_archived_and_vip_only(self):
        for program, reward_type in ((self.free_delivery, "shipping"), (self.gift_program, "product")):
            self.assertFalse(program.active)
            self.assertTrue(program.clientbase_vip_only)
            self.assertEqual(program.reward_ids.mapped("reward_type"), [reward_type])
        self.assertEqual(self.gift_program.reward_ids.reward_product_id, self.gift)
        # archived: a VIP client's quotation gets nothing
        client = self._client("VIP Before")
        client.client_is_vip = True
        self.assertFalse(self._perks(self._quotation_with_perks(client)))

    def test_switched_on_the_perks_follow_the_status(self):
        (self.free_delivery | self.gift_program).action_unarchive()
        client = self._client("VIP Client")
        client.client_is_vip = True
        order = self._quotation_with_perks(client)
        perks = self._perks(order)
        self.assertEqual(sorted(perks.mapped("reward_id.reward_type")), ["product", "shipping"])
        self.assertEqual(
            perks.filtered(lambda line: line.reward_id.reward_type == "product").product_id, self.gift
        )
        self.assertAlmostEqual(order.amount_untaxed, 1000.0)  # free delivery, free gift
        client.client_is_vip = False
        order.invalidate_recordset(["client_is_vip"])
        order._update_programs_and_rewards()
        self.assertFalse(self._perks(order))
        self.assertAlmostEqual(order.amount_untaxed, 1300.0)
        regular = self._client("Regular Client")
        self.assertFalse(self._perks(self._quotation_with_perks(regular)))
