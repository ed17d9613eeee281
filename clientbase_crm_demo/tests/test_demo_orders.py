import random
from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import TransactionCase, tagged

# what two orders of the same plan may differ in: who and when the rows were written, their
# number and the token of their portal link
UNCOMPARED = {
    "id",
    "name",
    "create_uid",
    "create_date",
    "write_uid",
    "write_date",
    "access_token",
    "order_id",
}


@tagged("post_install", "-at_install", "clientbase_demo")
@freeze_time("2026-03-10 10:00:00")
class TestDemoOrders(TransactionCase):
    """The demo's orders are inserted set-based (``clientbase_demo_orders.py``): each is the
    order the ORM makes of the same plan (created, confirmed, cancelled, dated back), field by
    field, lines, taxes and followers included, so Odoo's reports and the client base's figures
    read them alike."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.generator = cls.env["clientbase.demo.generator"]._demo_quiet()
        cls.generator._demo_setup_company()
        cls.products = cls.generator._demo_get_products()
        manager, colleague = cls.generator._demo_get_managers()[:2]
        Partner = cls.env["res.partner"]
        cls.person = Partner.create({"name": "Смирнова Анна", "user_id": manager.id, "customer_rank": 1})
        cls.company_client = Partner.create(
            {
                "name": "ООО «Ромашка»",
                "is_company": True,
                "user_id": colleague.id,
                "customer_rank": 1,
                "child_ids": [
                    Command.create({"name": "Петров Иван", "type": "contact"}),
                    Command.create({"name": "Склад", "type": "delivery", "city": "Тверь"}),
                ],
            }
        )
        cls.plan = [
            (cls.person, datetime(2025, 4, 2, 11, 30), "sale"),
            (cls.company_client, datetime(2025, 9, 15, 9, 0), "cancel"),
            (cls.person, datetime(2026, 3, 1, 16, 45), "draft"),
            (cls.company_client, datetime(2026, 1, 20, 14, 5), "sale"),
        ]

    def _draw(self, rng):
        """The lines the generator draws for each order of the plan, in the same order."""
        drawn = []
        for __ in self.plan:
            lines = []
            for product in rng.sample(list(self.products), rng.randint(1, 3)):
                qty = rng.randint(1, 3) if product.type == "service" else rng.randint(1, 20)
                lines.append((product, qty))
            drawn.append(lines)
        return drawn

    def _orm_orders(self, seed):
        """The same plan through the ORM: create, confirm, cancel, then dated back."""
        orders = self.env["sale.order"]
        for (partner, when, state), lines in zip(self.plan, self._draw(random.Random(seed)), strict=True):
            order = self.generator.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "user_id": partner.user_id.id,
                    "date_order": when,
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": qty, "analytic_distribution": False}
                        )
                        for product, qty in lines
                    ],
                }
            )
            if state != "draft":
                order.action_confirm()
            if state == "cancel":
                order.with_context(disable_cancel_warning=True).action_cancel()
            order.date_order = when
            orders |= order
        return orders

    def _values(self, records):
        """Every stored value of ``records`` but those of :data:`UNCOMPARED`."""
        names = [
            name
            for name, field in records._fields.items()
            if field.store
            and field.column_type
            and name not in UNCOMPARED
            and not name.startswith("message_")
        ]
        if "tax_id" in records._fields:
            names.append("tax_id")
        return [{name: record[name] for name in names} for record in records]

    def test_set_based_orders_are_the_orm_orders(self):
        placed = self.generator._demo_place_orders(random.Random(3), self.plan)
        made = self._orm_orders(3)
        self.assertEqual(placed.mapped("state"), [state for __, __, state in self.plan])
        self.assertEqual(self._values(placed), self._values(made))
        for ours, theirs in zip(placed, made, strict=True):
            self.assertEqual(self._values(ours.order_line), self._values(theirs.order_line), ours.name)
            self.assertEqual(
                [(f.partner_id, f.subtype_ids) for f in ours.message_follower_ids],
                [(f.partner_id, f.subtype_ids) for f in theirs.message_follower_ids],
                ours.name,
            )
            self.assertTrue(ours.name.startswith(theirs.name[:1]), "numbered by the orders' sequence")
        self.assertEqual(len(set(placed.mapped("name"))), len(placed))
        # the amounts are the lines', the salesperson the client's manager, the date the plan's
        for order, (partner, when, __) in zip(placed, self.plan, strict=True):
            self.assertEqual(order.user_id, partner.user_id)
            self.assertEqual(order.date_order, when)
            self.assertAlmostEqual(order.amount_untaxed, sum(order.order_line.mapped("price_subtotal")), 2)
            self.assertGreater(order.amount_total, 0)
        # the delivery address of the company client is its delivery contact, as Odoo picks it
        self.assertEqual(placed[1].partner_shipping_id.type, "delivery")
