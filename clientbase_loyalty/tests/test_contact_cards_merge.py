from unittest.mock import patch

from odoo.tests import tagged

from .common import LoyaltyCommon, bonus_program


@tagged("post_install", "-at_install")
class TestContactCardsMerge(LoyaltyCommon):
    """The one-off merge (migration 18.0.1.2.0) of the contacts' own cards of the company's bonus
    program, made before the contacts earned on their company's card: known answers on orders
    confirmed the old way (Odoo's card of the order's partner)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 0.1 point per unit spent: 100 points for an order of 1,000
        cls.program = bonus_program(cls.env, reward_point_mode="money", reward_point_amount=0.1)
        cls.company.client_bonus_program_id = cls.program
        cls.other = bonus_program(
            cls.env, name="Coffee Stamps", reward_point_mode="order", reward_point_amount=1
        )
        cls.acme = cls._client("Acme")
        cls.ivan = cls.env["res.partner"].create({"name": "Ivan of Acme", "parent_id": cls.acme.id})
        cls.petr = cls.env["res.partner"].create({"name": "Petr of Acme", "parent_id": cls.acme.id})
        cls.beta = cls._client("Beta")
        cls.olga = cls.env["res.partner"].create({"name": "Olga of Beta", "parent_id": cls.beta.id})
        cls.own = cls._order(cls.acme, 1000)  # 100 on Acme's card (and a stamp on its Coffee card)
        # before the change, a contact's order earned on a card of the contact's own
        SaleOrder = type(cls.env["sale.order"])
        with patch.object(SaleOrder, "_move_clientbase_bonus_points", lambda self: None):
            cls.ivan_order = cls._order(cls.ivan, 2000)  # 200 on Ivan's card
            cls.ivan_second = cls._order(cls.ivan, 300)  # 30 more
            cls.olga_order = cls._order(cls.olga, 500)  # 50 on Olga's card, Beta has no card
        # an empty contact's card (made for a quotation, never used)
        cls.env["loyalty.card"].create({"program_id": cls.program.id, "partner_id": cls.petr.id, "points": 0})

    def _cards(self, partner, program=None):
        return self.env["loyalty.card"].search(
            [("program_id", "=", (program or self.program).id), ("partner_id", "=", partner.id)]
        )

    def _bonus_entries(self, order):
        return order.coupon_point_ids.filtered(lambda e: e.coupon_id.program_id == self.program)

    def _state(self):
        """{partner: [(points, {order: (issued, used)})]} of the bonus program's cards."""
        self.env.invalidate_all()
        return {
            partner: [
                (card.points, {line.order_id: (line.issued, line.used) for line in card.history_ids})
                for card in self._cards(partner)
            ]
            for partner in (self.acme, self.ivan, self.petr, self.beta, self.olga)
        }

    def test_contacts_cards_merged_into_the_clients(self):
        self.assertEqual(
            self._state(),
            {
                self.acme: [(100, {self.own.id: (100, 0)})],
                self.ivan: [(230, {self.ivan_order.id: (200, 0), self.ivan_second.id: (30, 0)})],
                self.petr: [(0, {})],
                self.beta: [],
                self.olga: [(50, {self.olga_order.id: (50, 0)})],
            },
            "the state before the change: contacts' cards with points",
        )
        stamps = [
            (card.partner_id, card.points)
            for card in self.env["loyalty.card"].search([("program_id", "=", self.other.id)], order="id")
        ]
        merged = self.env["loyalty.card"]._clientbase_merge_contact_cards()
        self.assertEqual(merged, 3)
        after = {
            self.acme: [
                (
                    330,
                    {self.own.id: (100, 0), self.ivan_order.id: (200, 0), self.ivan_second.id: (30, 0)},
                )
            ],
            self.ivan: [],
            self.petr: [],
            self.beta: [(50, {self.olga_order.id: (50, 0)})],
            self.olga: [],
        }
        self.assertEqual(self._state(), after)
        acme_card = self._cards(self.acme)
        self.assertEqual(self._bonus_entries(self.ivan_order).coupon_id, acme_card)
        # other programs' cards stay per customer
        self.assertEqual(
            [
                (card.partner_id, card.points)
                for card in self.env["loyalty.card"].search([("program_id", "=", self.other.id)], order="id")
            ],
            stamps,
        )
        self.assertIn(self.ivan, [partner for partner, _points in stamps])
        # run twice: the same result
        self.assertEqual(self.env["loyalty.card"]._clientbase_merge_contact_cards(), 0)
        self.assertEqual(self._state(), after)
        # a merged order cancelled takes its points back from the client's card
        self.ivan_order._action_cancel()
        self.env.invalidate_all()
        self.assertEqual(acme_card.points, 130)
        self.assertNotIn(self.ivan_order.id, acme_card.history_ids.mapped("order_id"))

    def test_a_client_with_several_contacts_cards_on_one_order(self):
        """Two cards of one order (two contacts' cards applied to it) make one entry on the client's
        card: the points added up."""
        ivan_card = self._cards(self.ivan)
        entry = self._bonus_entries(self.ivan_order)
        self.assertEqual(entry.coupon_id, ivan_card)
        ivan_points = entry.points
        self.assertEqual(ivan_points, 200)
        petr_card = self._cards(self.petr)
        self.env["sale.order.coupon.points"].create(
            {"order_id": self.ivan_order.id, "coupon_id": petr_card.id, "points": 5}
        )
        petr_card.points = 5
        self.env["loyalty.card"]._clientbase_merge_contact_cards()
        self.env.invalidate_all()
        acme_card = self._cards(self.acme)
        self.assertEqual(acme_card.points, 100 + 230 + 5)
        entries = self._bonus_entries(self.ivan_order)
        self.assertEqual([(e.coupon_id, e.points) for e in entries], [(acme_card, ivan_points + 5)])
