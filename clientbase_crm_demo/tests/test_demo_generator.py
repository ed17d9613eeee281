from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.addons.clientbase_crm_demo.models.clientbase_demo_generator import DEMO_MANAGERS, DEMO_MARKER
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install", "clientbase_demo")
@freeze_time("2026-03-10 10:00:00")
class TestDemoGenerator(TransactionCase):
    """The demo base of ``make run``, generated small: its shape, and that it is made once
    (on a fixed day: birthdays and two years of orders are spread around today)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(DEMO_MARKER, False)
        cls.summary = cls.env["clientbase.demo.generator"]._generate_demo_base(clients=40, seed=7)
        cls.managers = cls.env["res.users"].search([("login", "in", [m[0] for m in DEMO_MANAGERS])])
        Partner = cls.env["res.partner"]
        cls.clients = Partner.search([("user_id", "in", cls.managers.ids), ("parent_id", "=", False)])
        cls.contacts = Partner.search([("parent_id", "in", cls.clients.ids)])
        cls.orders = cls.env["sale.order"].search([("partner_id", "in", cls.clients.ids)])

    def test_managers(self):
        self.assertEqual(len(self.managers), len(DEMO_MANAGERS))
        head = self.managers.filtered(lambda u: u.login == "manager1")
        self.assertTrue(head.has_group("clientbase_crm.group_clientbase_manager"))
        for user in self.managers - head:
            self.assertTrue(user.has_group("clientbase_crm.group_clientbase_user"))
            self.assertFalse(user.has_group("clientbase_crm.group_clientbase_manager"))
        # the work is shared among the managers
        self.assertGreater(len(self.clients.user_id), 1)

    def test_clients_shape(self):
        self.assertEqual(self.summary["clients"], 40)
        self.assertEqual(len(self.clients), 40, "every client has one of the demo managers")
        companies = self.clients.filtered("is_company")
        persons = self.clients - companies
        self.assertTrue(companies, "B2B clients")
        self.assertTrue(persons.filtered(lambda p: not p.client_mailing_only), "B2C clients")
        mailing = self.clients.filtered("client_mailing_only")
        self.assertTrue(mailing, "mailing-only contacts")
        self.assertTrue(all(p.email for p in mailing))
        self.assertFalse(mailing.filtered("phone"), "mailing-only contacts keep minimal data")
        # Russian and English names
        self.assertTrue(persons.filtered(lambda p: any("а" <= ch <= "я" for ch in p.name.lower())))
        self.assertTrue(persons.filtered(lambda p: p.name.isascii() and "@" not in p.name))
        self.assertTrue(self.clients.filtered("client_qualification"))
        self.assertTrue(self.clients.filtered("client_interest_ids"))
        self.assertTrue(persons.filtered("client_family_status"))
        self.assertTrue(all(p.client_channel_id for p in self.clients))

    def test_key_employees_follow_their_company(self):
        companies = self.clients.filtered("is_company")
        for company in companies:
            employees = company.child_ids
            self.assertTrue(employees, f"{company.name} has key employees")
            self.assertTrue(all(e.function for e in employees), "key employees have job positions")
            deciders = employees.filtered("client_is_decision_maker")
            self.assertEqual(len(deciders), 1)
            self.assertEqual(company.client_decision_maker_id, deciders)
            self.assertEqual(employees.user_id, company.user_id, "contacts follow the company's manager")

    def test_birthdays_and_referrals(self):
        people = self.clients | self.contacts
        self.assertTrue(
            people.filtered(
                lambda p: p.client_birthday and (p.client_birthday.month, p.client_birthday.day) == (2, 29)
            )
        )
        soon = self.env["res.partner"].search(
            [("id", "in", people.ids), ("client_days_to_birthday", "<=", 12)]
        )
        self.assertTrue(soon, "some birthdays come in the next days")
        self.assertFalse(
            people.filtered(lambda p: p.client_birthday and p.client_birthday > fields.Date.today())
        )
        referred = self.clients.filtered("client_referrer_id")
        self.assertTrue(referred)
        self.assertTrue(all(p.client_channel_id.is_referral for p in referred))
        self.assertTrue(all(p.client_source_id for p in self.clients), "UTM source filled from the channel")

    def test_orders_history(self):
        self.assertEqual(self.summary["orders"], len(self.orders))
        states = set(self.orders.mapped("state"))
        self.assertIn("sale", states)
        self.assertIn("cancel", states)
        now = datetime.combine(fields.Date.today(), datetime.max.time()) + timedelta(days=1)
        dates = self.orders.mapped("date_order")
        self.assertGreaterEqual(min(dates), now - timedelta(days=731))
        self.assertLessEqual(max(dates), now)
        # spread over both years, not stamped with the confirmation time
        self.assertTrue([d for d in dates if d < now - timedelta(days=365)])
        self.assertTrue([d for d in dates if d > now - timedelta(days=365)])
        confirmed = self.orders.filtered(lambda o: o.state == "sale")
        self.assertGreater(len(set(confirmed.mapped("date_order"))), len(confirmed) // 2)
        self.assertTrue(all(1 <= len(o.order_line) <= 3 for o in self.orders))
        self.assertTrue(all(o.user_id == o.partner_id.user_id for o in self.orders))
        # skewed: some buy often, some once, some never
        per_client = dict.fromkeys(self.clients.filtered(lambda p: not p.client_mailing_only), 0)
        for order in self.orders:
            per_client[order.partner_id] += 1
        counts = list(per_client.values())
        self.assertIn(0, counts)
        self.assertIn(1, counts)
        self.assertGreaterEqual(max(counts), 5)
        self.assertFalse(self.orders.filtered(lambda o: o.partner_id.client_mailing_only))

    def test_figures_are_computed_for_the_generated_orders(self):
        """Orders are loaded without per-order refreshes; one recompute at the end fills figures."""
        confirmed = self.orders.filtered(lambda o: o.state == "sale")
        buyer = confirmed[0].partner_id
        own = confirmed.filtered(lambda o: o.partner_id == buyer)
        self.assertEqual(buyer.client_order_count, len(own))
        self.assertEqual(buyer.client_last_order_date, max(own.mapped("date_order")).date())
        self.assertNotEqual(buyer.client_stage, "potential")
        never = self.clients.filtered(
            lambda p: not p.client_mailing_only and p not in self.orders.partner_id
        )[:1]
        self.assertEqual(never.client_stage, "potential")

    def test_past_months_replayed(self):
        """Snapshots of the past months, each as the engine saw that month's end from the orders
        up to it: a client's stage a year ago follows from its orders then."""
        Snapshot = self.env["clientbase.segment.snapshot"]
        company = self.env.company
        months = set(Snapshot.search([]).mapped("month_from"))
        self.assertEqual(len(months), 25, "clients changed in each of the 24 replayed months and this one")
        year_ago = fields.Date.from_string("2025-03-01")
        matrix = Snapshot._matrix(company, "stage", year_ago, fields.Date.from_string("2026-03-01"))
        moved = [(a, b) for a, b, _count in matrix if a != b]
        self.assertTrue(moved, "clients moved between stages over the year")
        confirmed = self.orders.filtered(lambda o: o.state == "sale")
        first = {}
        for order in confirmed:
            first[order.partner_id] = min(first.get(order.partner_id, order.date_order), order.date_order)
        late = [p for p, day in first.items() if day.date() >= fields.Date.from_string("2025-03-01")]
        early = [p for p, day in first.items() if day.date() < fields.Date.from_string("2025-02-01")]
        at_year_ago = dict(
            Snapshot.search(
                [
                    ("month_from", "<=", "2025-02-01"),
                    "|",
                    ("month_to", "=", False),
                    ("month_to", ">", "2025-02-01"),
                ]
            ).mapped(lambda s: (s.partner_id, s.stage))
        )
        for partner in late:
            self.assertIn(at_year_ago.get(partner), (None, "potential"), "no orders yet in February 2025")
        self.assertTrue(
            any(at_year_ago.get(p) not in (None, "potential") for p in early), "a buyer of then has a stage"
        )
        history = self.env["clientbase.segment.history"].search([])
        self.assertLess(min(history.mapped("date")), datetime(2025, 6, 1), "the history is dated by month")

    def test_interactions(self):
        buyers = self.clients.filtered(lambda p: not p.client_mailing_only)
        logged = self.env["clientbase.interaction"].search([("client_id", "in", buyers.ids)])
        self.assertTrue(logged)
        self.assertTrue(
            all(i.user_id == i.client_id.user_id for i in logged), "logged by the client's manager"
        )
        self.assertEqual(
            self.summary["opportunities"],
            self.env["crm.lead"].search_count([("partner_id", "in", buyers.ids)]),
        )

    def test_second_call_creates_nothing(self):
        counts = (
            self.env["res.partner"].search_count([]),
            self.env["sale.order"].search_count([]),
            self.env["res.users"].search_count([]),
        )
        self.assertFalse(self.env["clientbase.demo.generator"]._generate_demo_base(clients=40, seed=7))
        self.assertEqual(
            counts,
            (
                self.env["res.partner"].search_count([]),
                self.env["sale.order"].search_count([]),
                self.env["res.users"].search_count([]),
            ),
        )

    def test_a_living_base_for_the_reports(self):
        """Lost clients with their reason and a day after their last order, channel costs, and
        the reports built: the demo's reports have data."""
        lost = self.clients.filtered("client_churn_date")
        self.assertEqual(len(lost), self.summary["lost"])
        self.assertTrue(lost)
        for client in lost:
            self.assertTrue(client.client_churn_reason_id)
            self.assertGreater(client.client_churn_date, client.client_last_order_date)
        self.assertTrue(self.env["clientbase.channel.cost"].search_count([]) >= 24)
        months = self.env["clientbase.report.monthly"].search([])
        self.assertGreater(len(set(months.mapped("month"))), 12, "two years of months")
        # every mark is counted once as "marked lost" (METRICS.md); the bridge's "lost" counts only
        # those who were active, new or won back in that month
        self.assertEqual(sum(months.mapped("marked_lost")), len(lost))
        self.assertLessEqual(sum(months.mapped("lost")), len(lost))
        self.assertTrue(self.env["clientbase.report.cohort"].search_count([]))
