from odoo.tests import tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install", "clientbase_loyalty")
class TestLevelDiscount(LoyaltyCommon):
    def _level_lines(self, order):
        return order.order_line.filtered(lambda line: line.reward_id.program_id.clientbase_level_id)

    def test_crossing_a_threshold_puts_the_discount_on_the_next_quotation(self):
        client = self._client("Crossing Client")
        self._order(client, 149000)
        before = self._quotation(client, 1000)
        self.assertEqual(before.client_loyalty_level_label, "Silver: 3%")
        self._order(client, 2000)  # confirmed during the day: Gold at once
        quotation = self._quotation(client, 1000)
        self.assertEqual(quotation.client_loyalty_level_label, "Gold: 5%")
        quotation.action_open_reward_wizard()  # Odoo's Promotions button
        lines = self._level_lines(quotation)
        self.assertEqual(len(lines), 1)
        self.assertIn("Gold: 5%", lines.name)
        self.assertAlmostEqual(lines.price_subtotal, -50.0)
        self.assertAlmostEqual(quotation.amount_untaxed, 950.0)
        # the discount stays when the quotation is confirmed
        quotation.action_confirm()
        self.assertAlmostEqual(quotation.amount_untaxed, 950.0)

    def test_the_level_discount_is_for_the_levels_clients_only(self):
        silver_client = self._client("Silver Client")
        self._order(silver_client, 60000)
        nobody = self._client("Nobody")
        silver_quote = self._quotation(silver_client, 1000)
        silver_quote.action_open_reward_wizard()
        self.assertEqual(self._level_lines(silver_quote).reward_id.program_id, self.silver.program_id)
        self.assertAlmostEqual(silver_quote.amount_untaxed, 970.0)
        other_quote = self._quotation(nobody, 1000)
        other_quote.action_open_reward_wizard()
        self.assertFalse(self._level_lines(other_quote))
        self.assertFalse(other_quote.client_loyalty_level_label)
        self.assertAlmostEqual(other_quote.amount_untaxed, 1000.0)

    def test_a_stronger_promotion_wins_by_odoos_rules(self):
        """One global discount per order (Odoo's precedence): a 10% promotion for everyone
        replaces the Gold 5%, which would have replaced a weaker one."""
        client = self._client("Promo Client")
        self._order(client, 200000)
        self.env["loyalty.program"].create(
            {
                "name": "Spring sale",
                "program_type": "promotion",
                "trigger": "auto",
                "applies_on": "current",
                "rule_ids": [(0, 0, {"minimum_qty": 0, "minimum_amount": 0, "reward_point_amount": 1})],
                "reward_ids": [
                    (
                        0,
                        0,
                        {
                            "reward_type": "discount",
                            "discount": 10,
                            "discount_mode": "percent",
                            "discount_applicability": "order",
                            "required_points": 1,
                        },
                    )
                ],
            }
        )
        quotation = self._quotation(client, 1000)
        quotation._update_programs_and_rewards()
        claimable = quotation._get_claimable_rewards()
        for coupon, rewards in claimable.items():
            for reward in rewards:
                quotation._apply_program_reward(reward, coupon)
        quotation._update_programs_and_rewards()
        self.assertAlmostEqual(quotation.amount_untaxed, 900.0)
        self.assertFalse(self._level_lines(quotation))

    def test_a_level_losing_its_client_drops_the_discount_from_the_quotation(self):
        client = self._client("Dropping Client")
        self._order(client, 60000)
        quotation = self._quotation(client, 1000)
        quotation.action_open_reward_wizard()
        self.assertTrue(self._level_lines(quotation))
        self.silver.active = False
        quotation._update_programs_and_rewards()
        self.assertFalse(self._level_lines(quotation))
        self.assertAlmostEqual(quotation.amount_untaxed, 1000.0)

    def test_the_level_keeps_its_program_in_step(self):
        self.gold.write({"discount": 6, "name": "Golden"})
        program = self.gold.program_id
        self.assertEqual(program.name, "Golden")
        self.assertEqual(program.reward_ids.discount, 6)
        self.assertEqual(program.reward_ids.description, "Golden: 6%")
        self.assertEqual((program.program_type, program.trigger), ("promotion", "auto"))
        self.gold.active = False
        self.assertFalse(program.active)
