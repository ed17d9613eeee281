from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, new_test_user


def coupon_program(env, name, **reward):
    """A coupon program giving 10% off the order for a code (the shape of a win-back campaign's),
    ``reward`` overriding the reward's values."""
    return env["loyalty.program"].create(
        {
            "name": name,
            "program_type": "coupons",
            "trigger": "with_code",
            "applies_on": "current",
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
                        **reward,
                    },
                )
            ],
        }
    )


def bonus_program(env, name="Bonus Points", **rule):
    """A loyalty cards program of bonus points, automatic, on the current and future orders (1% off
    the order for 1,000 points); ``rule`` the values of its rule giving points on orders (e.g.
    ``reward_point_mode="money", reward_point_amount=0.1``: 100 points for an order of 1,000),
    Odoo's default rule of a loyalty program without."""
    vals = {
        "name": name,
        "program_type": "loyalty",
        "trigger": "auto",
        "applies_on": "both",
        "reward_ids": [(0, 0, {"reward_type": "discount", "discount": 1, "required_points": 1000})],
    }
    if rule:
        vals["rule_ids"] = [(0, 0, dict({"minimum_amount": 0}, **rule))]
    return env["loyalty.program"].create(vals)


class LoyaltyCommon(TransactionCase):
    """Two levels of the company (Silver 3% from 50,000, Gold 5% from 150,000; the example
    levels archived), salespeople A and B, a client base manager, a product without taxes,
    and helpers that make confirmed orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.company.client_loyalty_window_months = 0
        cls.figures = cls.env["clientbase.client.figures"]
        cls.Status = cls.env["clientbase.loyalty.status"]
        Level = cls.env["clientbase.loyalty.level"]
        Level.search([("company_id", "=", cls.company.id)]).active = False
        cls.silver = Level.create({"name": "Silver", "threshold": 50000, "discount": 3})
        cls.gold = Level.create({"name": "Gold", "threshold": 150000, "discount": 5})
        cls.user_a = new_test_user(
            cls.env, login="loy_sales_a", name="Sales A", groups="clientbase_crm.group_clientbase_user"
        )
        cls.user_b = new_test_user(
            cls.env, login="loy_sales_b", name="Sales B", groups="clientbase_crm.group_clientbase_user"
        )
        cls.manager = new_test_user(
            cls.env,
            login="loy_manager",
            name="Client Base Manager",
            groups="clientbase_crm.group_clientbase_manager,sales_team.group_sale_manager",
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Loyalty Widget", "list_price": 100.0, "taxes_id": [(5, 0, 0)], "type": "service"}
        )

    @classmethod
    def _client(cls, name, user=None, **vals):
        return cls.env["res.partner"].create(
            dict({"name": name, "is_company": True, "user_id": (user or cls.user_a).id}, **vals)
        )

    @classmethod
    def _quotation(cls, partner, amount=100.0, env=None):
        return (env or cls.env)["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": cls.product.id,
                            "product_uom_qty": 1,
                            "price_unit": amount,
                            "tax_id": [(5, 0, 0)],
                        },
                    )
                ],
            }
        )

    @classmethod
    def _order(cls, partner, amount, days_ago=0, instant=True):
        """A confirmed order of ``amount`` (untaxed) dated ``days_ago`` back. Without ``instant``,
        the figures are left to the nightly run (as for orders imported in bulk)."""
        env = (
            cls.env
            if instant
            else cls.env(context=dict(cls.env.context, clientbase_skip_figures_refresh=True))
        )
        order = cls._quotation(partner, amount, env=env)
        order.action_confirm()
        if days_ago:
            order.date_order = fields.Datetime.now() - timedelta(days=days_ago)
        return order

    def _nightly(self):
        self.figures._recompute_all()
        self.env.invalidate_all()

    def _status(self, partner):
        return self.Status.search([("partner_id", "=", partner.id), ("company_id", "=", self.company.id)])

    def _level_history(self, partner):
        return self.env["clientbase.segment.history"].search(
            [("partner_id", "=", partner.id), ("dimension", "=", "level")], order="id"
        )
