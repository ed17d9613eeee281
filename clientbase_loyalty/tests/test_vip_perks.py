from odoo.tests import tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install", "clientbase_loyalty")
class TestVipPerks(LoyaltyCommon):
    """Free delivery and a gift on every order while the client is VIP, through Odoo's own
    promotions marked *VIP Clients Only*; the perks go with the status."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gift = cls.env["product.product"].create(
            {"name": "VIP Gift", "list_price": 40.0, "taxes_id": [(5, 0, 0)], "type": "consu"}
        )
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
        rule = {"minimum_qty": 0, "minimum_amount": 0, "reward_point_amount": 1, "reward_point_mode": "order"}
        cls.free_delivery, cls.gift_program = cls.env["loyalty.program"].create(
            [
                {
                    "name": "VIP free delivery",
                    "program_type": "promotion",
                    "trigger": "auto",
                    "applies_on": "current",
                    "clientbase_vip_only": True,
                    "rule_ids": [(0, 0, rule)],
                    "reward_ids": [(0, 0, {"reward_type": "shipping", "required_points": 1})],
                },
                {
                    "name": "VIP gift",
                    "program_type": "promotion",
                    "trigger": "auto",
                    "applies_on": "current",
                    "clientbase_vip_only": True,
                    "rule_ids": [(0, 0, rule)],
                    "reward_ids": [
                        (
                            0,
                            0,
                            {
                                "reward_type": "product",
                                "reward_product_id": cls.gift.id,
                                "required_points": 1,
                            },
                        )
                    ],
                },
            ]
        )

    def _promotions(self, order):
        """Odoo's Promotions: update the programs and claim every reward offered."""
        order._update_programs_and_rewards()
        for coupon, rewards in order._get_claimable_rewards().items():
            for reward in rewards:
                order._apply_program_reward(reward, coupon)

    def _quote_with_delivery(self, client):
        order = self._quotation(client, 1000)
        order.set_delivery_line(self.carrier, 300.0)
        return order

    def _perk_lines(self, order):
        return order.order_line.filtered(lambda line: line.reward_id.program_id.clientbase_vip_only)

    def test_vip_gets_free_delivery_and_the_gift_and_loses_them_with_the_status(self):
        client = self._client("VIP Client")
        client.client_is_vip = True  # VIP by hand (the engine's VIP works alike)
        order = self._quote_with_delivery(client)
        self.assertTrue(order.client_is_vip)
        self.assertEqual(order.client_personal_manager_id, self.user_a)
        self.assertAlmostEqual(order.amount_untaxed, 1300.0)
        self._promotions(order)
        shipping = order.order_line.filtered(lambda line: line.reward_id.reward_type == "shipping")
        gift = order.order_line.filtered(lambda line: line.reward_id.reward_type == "product")
        self.assertAlmostEqual(shipping.price_subtotal, -300.0)
        self.assertEqual(gift.product_id, self.gift)
        self.assertAlmostEqual(gift.price_subtotal, 0.0)
        self.assertAlmostEqual(order.amount_untaxed, 1000.0)  # delivery free, gift free
        # the status goes: the quotation's perks go when the promotions are updated
        client.client_is_vip = False
        order.invalidate_recordset(["client_is_vip"])
        self.assertFalse(order.client_is_vip)
        order._update_programs_and_rewards()
        self.assertFalse(self._perk_lines(order))
        self.assertAlmostEqual(order.amount_untaxed, 1300.0)
        # and a new quotation gets none
        other = self._quote_with_delivery(client)
        self._promotions(other)
        self.assertFalse(self._perk_lines(other))

    def test_the_perks_are_for_vip_clients_only(self):
        regular = self._client("Regular Client")
        order = self._quote_with_delivery(regular)
        self.assertFalse(order.client_is_vip)
        self._promotions(order)
        self.assertFalse(self._perk_lines(order))
        self.assertAlmostEqual(order.amount_untaxed, 1300.0)
        # a program for everyone is not touched
        self.gift_program.clientbase_vip_only = False
        self._promotions(order)
        self.assertEqual(self._perk_lines(order), self.env["sale.order.line"])
        self.assertTrue(
            order.order_line.filtered(lambda line: line.reward_id.program_id == self.gift_program)
        )

    def test_a_vip_order_confirmed_keeps_its_perks(self):
        client = self._client("VIP Buyer")
        client.client_is_vip = True
        order = self._quote_with_delivery(client)
        self._promotions(order)
        order.action_confirm()
        self.assertEqual(len(self._perk_lines(order)), 2)
        self.assertAlmostEqual(order.amount_untaxed, 1000.0)
