from odoo.tests import tagged

from .common import LoyaltyCommon, bonus_program


@tagged("post_install", "-at_install", "clientbase_loyalty")
class TestContactBonusPoints(LoyaltyCommon):
    """The orders of a company client's contacts earn and spend the company's bonus points: the
    points Odoo gives on their orders go to the company's card (the commercial entity's, where the
    client-base grants go too), one history line per order, and a cancelled order takes them back
    from there. The contacts keep no card of their own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 0.1 point per unit spent: 100 points for an order of 1,000; 1% off for 1,000 points
        cls.program = bonus_program(cls.env, reward_point_mode="money", reward_point_amount=0.1)
        cls.company.client_bonus_program_id = cls.program
        cls.acme = cls._client("Acme")
        cls.ivan = cls.env["res.partner"].create({"name": "Ivan of Acme", "parent_id": cls.acme.id})
        cls.petr = cls.env["res.partner"].create({"name": "Petr of Acme", "parent_id": cls.acme.id})

    def _cards(self, partner):
        return self.env["loyalty.card"].search(
            [("program_id", "=", self.program.id), ("partner_id", "=", partner.id)]
        )

    def _history(self, card):
        """{order: (issued, used)} of the card's history lines."""
        self.env.invalidate_all()
        return {
            self.env["sale.order"].browse(line.order_id): (line.issued, line.used)
            for line in card.history_ids
        }

    def test_contacts_orders_earn_on_the_companys_card(self):
        own = self._order(self.acme, 1000)
        first = self._order(self.ivan, 2000)
        second = self._order(self.petr, 500)
        card = self._cards(self.acme)
        self.assertEqual(len(card), 1)
        self.assertEqual(card.points, 100 + 200 + 50)
        self.assertEqual(self._history(card), {own: (100, 0), first: (200, 0), second: (50, 0)})
        self.assertIn(f"Order {first.name}", card.history_ids.mapped("description"))
        self.assertFalse(self._cards(self.ivan) | self._cards(self.petr))
        self.assertEqual(first.coupon_point_ids.coupon_id, card)
        # a cancelled order of a contact takes its points back from the company's card
        first._action_cancel()
        self.env.invalidate_all()
        self.assertEqual(card.points, 100 + 50)
        self.assertEqual(self._history(card), {own: (100, 0), second: (50, 0)})

    def test_a_contact_spends_the_companys_points(self):
        self._order(self.acme, 10000)  # 1,000 points on the company's card
        card = self._cards(self.acme)
        self.assertEqual(card.points, 1000)
        quotation = self._quotation(self.ivan, 2000)
        quotation._update_programs_and_rewards()
        self.assertIn(card, quotation.applied_coupon_ids)
        rewards = quotation._get_claimable_rewards()
        self.assertEqual(rewards.get(card), self.program.reward_ids)
        self.assertNotIn("error", quotation._apply_program_reward(self.program.reward_ids, card))
        self.assertEqual(quotation.amount_untaxed, 2000 - 20)  # 1% off
        quotation.action_confirm()
        self.env.invalidate_all()
        # 1,000 spent, 200 earned (0.1 per unit of the 2,000 before the points' own discount)
        self.assertEqual(card.points, 1000 - 1000 + 200)
        self.assertEqual(self._history(card)[quotation], (200, 1000))
        self.assertFalse(self._cards(self.ivan))

    def test_other_programs_stay_the_contacts(self):
        """A loyalty program that is not the company's bonus program keeps Odoo's card of the order's
        partner."""
        other = bonus_program(
            self.env, name="Coffee Stamps", reward_point_mode="order", reward_point_amount=1
        )
        self._order(self.ivan, 2000)
        self.assertEqual(
            self.env["loyalty.card"]
            .search([("program_id", "=", other.id)])
            .mapped(lambda c: (c.partner_id, c.points)),
            [(self.ivan, 1)],
        )
        self.assertEqual(self._cards(self.acme).points, 200)
