from odoo import Command
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.protection.res_partner_commercial_owner import owner_sql
from .common import ClientbaseSalesCommon

# what the funnels, the Clients Analysis pivot and the dashboard's RFM pie read
AGGREGATES = ["__count", "client_revenue:sum", "client_order_count:sum", "client_average_order:avg"]
GROUPBYS = ("client_stage", "client_warmth", "client_rfm_segment")


@tagged("post_install", "-at_install", "clientbase_report")
class TestScreenGroupings(ClientbaseSalesCommon):
    """The funnels' and reports' groupings by a figure are the clients' own figures under the
    rules, however the SQL reads them (``models/segmentation/res_partner_grouping.py``,
    ``_client_own_condition_sql``): for a salesperson (with the unassigned pool
    shown or not), a head of sales and in strict mode, after the nightly run and after each
    instant update, every group's count and amounts are what the clients' cards show partner by
    partner, its count what ``search_count`` finds with the group's condition, the average order
    the group's revenue over its orders, and the groups add up to every partner of the screen."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        own, colleague = cls.user_salesman, cls.user_salesman_2
        cls.regular = cls._client("Regular Buyer", user_id=own.id)
        cls.lapsed = cls._client("Lapsed Buyer", user_id=own.id)
        cls.mailing_only = cls.env["res.partner"].create(
            {"name": "Newsletter Reader", "client_mailing_only": True, "user_id": own.id}
        )
        cls.colleague_client = cls._client("Colleague's Client", user_id=colleague.id)
        cls.colleague_potential = cls._client("Colleague's Potential", user_id=colleague.id)
        cls.pool_client = cls._client("Unassigned Buyer")
        cls.pool_potential = cls._client("Unassigned Potential")
        # contacts: grouped by their company's figures, handled by their company's manager
        cls.colleague_company = cls._client("Colleague's Company", user_id=colleague.id)
        cls.colleague_contact = cls.env["res.partner"].create(
            {"name": "Colleague's Contact", "parent_id": cls.colleague_company.id}
        )
        cls.pool_company = cls._client("Unassigned Company")
        cls.pool_contact = cls.env["res.partner"].create(
            {"name": "Unassigned Contact", "parent_id": cls.pool_company.id}
        )
        for days_ago in (5, 40, 80, 120):
            cls._order(cls.regular, amount=300, days_ago=days_ago)
        cls._order(cls.lapsed, amount=1000, days_ago=500)
        cls._order(cls.client_company, amount=700, days_ago=10)
        cls._order(cls.colleague_client, amount=450, days_ago=20)
        cls._order(cls.colleague_client, amount=50, days_ago=200)
        cls._order(cls.pool_client, amount=90, days_ago=3)
        cls._order(cls.colleague_company, amount=620, days_ago=15)
        cls._order(cls.pool_company, amount=75, days_ago=60)

    # --- the property ------------------------------------------------------------------
    def _modes(self):
        """(label, user, company settings) of every way the rules read the figures."""
        return (
            ("salesperson (the unassigned pool shown, the default)", self.user_salesman, {}),
            ("salesperson, pool hidden", self.user_salesman, {"client_pool_visible": False}),
            ("head of sales", self.user_manager, {}),
            ("salesperson, strict mode", self.user_salesman, {"client_strict_visibility": True}),
        )

    def _assert_groupings_reconcile(self, moment):
        self._assert_commercial_owner_column(moment)
        for label, user, settings in self._modes():
            before = {fname: self.company[fname] for fname in settings}
            self.company.write(settings)
            self.env.invalidate_all()
            with self.subTest(moment=moment, mode=label):
                self._assert_user_groupings(user)
            self.company.write(before)

    def _assert_commercial_owner_column(self, moment):
        """The manager every partner's row says it has for the groupings (its own ``user_id``,
        or the column the triggers keep where its commercial entity's differs) is its commercial
        entity's, whatever changed it; and the column is empty where they agree."""
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """SELECT p.name, %s, c.user_id FROM res_partner p
                     LEFT JOIN res_partner c ON c.id = p.commercial_partner_id
                    WHERE %s IS DISTINCT FROM c.user_id""",
                owner_sql("p"),
                owner_sql("p"),
            )
        )
        self.assertEqual(
            rows, [], f"{moment}: partners saying another manager than their commercial entity's"
        )
        needless = self.env.execute_query(
            SQL(
                """SELECT p.name FROM res_partner p LEFT JOIN res_partner c ON c.id = p.commercial_partner_id
                    WHERE p.clientbase_commercial_user_id IS NOT NULL AND p.user_id IS NOT DISTINCT FROM c.user_id"""
            )
        )
        self.assertEqual(needless, [], f"{moment}: a partner of its commercial entity's manager carries it")

    def _assert_user_groupings(self, user):
        Partner = self.env["res.partner"].with_user(user)
        scopes = {
            "whole base": [],
            "my clients": [("user_id", "=", user.id)],
            "clients (the actions' domain)": [("client_is_client", "=", True)],
        }
        for scope, domain in scopes.items():
            partners = Partner.search(domain)
            for fname in GROUPBYS:
                self.env.invalidate_all()
                groups = Partner._read_group(domain, [fname], AGGREGATES)
                message = f"{scope}, grouped by {fname}"
                # what the cards show, partner by partner (hidden: no value)
                expected = {}
                for partner in partners:
                    count, revenue, orders = expected.get(partner[fname], (0, 0.0, 0))
                    expected[partner[fname]] = (
                        count + 1,
                        revenue + partner.client_revenue,
                        orders + partner.client_order_count,
                    )
                self.assertEqual(
                    {
                        value: (count, round(revenue or 0.0, 2), orders or 0)
                        for value, count, revenue, orders, _a in groups
                    },
                    {
                        value: (count, round(revenue, 2), orders)
                        for value, (count, revenue, orders) in expected.items()
                    },
                    message,
                )
                for value, count, revenue, orders, average in groups:
                    self.assertAlmostEqual(
                        average or 0.0, (revenue or 0.0) / orders if orders else 0.0, 2, message
                    )
                    if not value:
                        # the "None" group: no such figure, or a partner of the pool hidden
                        continue
                    self.assertEqual(
                        count, Partner.search_count(domain + [(fname, "=", value)]), f"{message}: {value}"
                    )

    # --- the moments -------------------------------------------------------------------
    def test_groupings_after_the_nightly_run(self):
        self._recompute()
        stages = dict(
            self.env["res.partner"]
            .with_user(self.user_salesman)
            ._read_group([("user_id", "=", self.user_salesman.id)], ["client_stage"], ["__count"])
        )
        self.assertGreaterEqual(len(stages), 3, "the fixture spreads the clients over several stages")
        self._assert_groupings_reconcile("after the nightly run")

    def test_groupings_after_instant_updates(self):
        self._recompute()
        # an order confirmed: the client's figures follow at once
        self._order(self.client_person, amount=250, days_ago=1)
        self._assert_groupings_reconcile("an order confirmed")
        # a stage set by hand on the board
        self.client_company.with_user(self.user_salesman).client_stage = "loyal"
        self._assert_groupings_reconcile("a stage set by hand")
        # a client handed over to a colleague
        self.env["clientbase.handover.wizard"].with_user(self.user_manager).create(
            {
                "partner_ids": [Command.set(self.regular.ids)],
                "to_user_id": self.user_salesman_2.id,
                "reason": "Territory change",
            }
        ).action_handover()
        self._assert_groupings_reconcile("a client handed over")
        # a company handed over: its contact moves with it, at once
        employee = self.client_employee.with_user(self.user_salesman)
        self.assertEqual(
            employee.client_stage, self.client_company.with_user(self.user_salesman).client_stage
        )
        self.env["clientbase.handover.wizard"].with_user(self.user_manager).create(
            {
                "partner_ids": [Command.set(self.client_company.ids)],
                "to_user_id": self.user_salesman_2.id,
                "reason": "Key account",
            }
        ).action_handover()
        self.env.invalidate_all()
        self.assertTrue(self.client_employee.with_user(self.user_salesman).client_data_hidden)
        self._assert_groupings_reconcile("a company handed over with its contact")
        # handed over by another module's SQL (no ORM): the contact's row follows too
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET user_id = %s WHERE id = %s",
            (self.user_salesman.id, self.colleague_company.id),
        )
        self.env.invalidate_all()
        self.assertFalse(self.colleague_contact.with_user(self.user_salesman).client_data_hidden)
        self._assert_groupings_reconcile("a company handed over through SQL")
        # a contact moved to another company, then made a person of its own
        self.pool_contact.parent_id = self.colleague_client
        self._assert_groupings_reconcile("a contact moved to a colleague's client")
        self.pool_contact.parent_id = False
        self._assert_groupings_reconcile("a contact become its own client")

    def test_web_read_group_of_a_salesperson_over_the_whole_base(self):
        """The funnel as the kanban loads it: every stage column; the partners of other
        managers in the column that says colleagues handle them; those nobody handles (the pool
        hidden) in the column that says so, his mailing-only contacts in theirs; only the
        company's side (employees, the company itself), nobody's client, without a stage."""
        self._recompute()
        self.company.client_pool_visible = False
        Partner = self.env["res.partner"].with_user(self.user_salesman)
        result = Partner.web_read_group([], ["client_revenue:sum"], ["client_stage"])
        columns = {group["client_stage"]: group for group in result["groups"]}
        self.assertIn("lost", columns, "empty stage columns show too")
        everyone = Partner.search_count([])
        mine = [("commercial_partner_id.user_id", "=", self.user_salesman.id)]
        others = everyone - Partner.search_count(mine)
        colleagues = Partner.search_count(
            [
                ("commercial_partner_id.user_id", "!=", False),
                ("commercial_partner_id.user_id", "!=", self.user_salesman.id),
            ]
        )
        company_side = Partner.search_count(
            [
                ("commercial_partner_id.user_id", "=", False),
                "|",
                ("partner_share", "=", False),
                (
                    "id",
                    "in",
                    self.env["res.company"].sudo().with_context(active_test=False).search([]).partner_id.ids,
                ),
            ]
        )
        self.assertTrue(colleagues)
        self.assertTrue(company_side)
        self.assertEqual(columns["hidden"]["client_stage_count"], colleagues)
        self.assertEqual(columns["unassigned"]["client_stage_count"], others - colleagues - company_side)
        self.assertGreaterEqual(
            columns["unassigned"]["client_stage_count"], 4, "the pool's clients and contacts"
        )
        self.assertEqual(
            columns["mailing_only"]["client_stage_count"],
            Partner.search_count([*mine, ("client_mailing_only", "=", True)]),
        )
        self.assertEqual(columns[False]["client_stage_count"], company_side)
        self.assertEqual(Partner.search_count([*mine, ("client_stage", "=", False)]), 0)
        self.assertEqual(sum(group["client_stage_count"] for group in result["groups"]), everyone)
