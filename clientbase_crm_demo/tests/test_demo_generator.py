from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.addons.clientbase_crm_demo.models.clientbase_demo_generator import DEMO_MANAGERS, DEMO_MARKER
from odoo.addons.clientbase_crm_demo.models.clientbase_demo_setup import DEMO_MARKETER
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
        # the same people entered again, their phone written as 8 9..
        cls.duplicates = Partner.search([("user_id", "in", cls.managers.ids), ("phone", "=like", "89%")])
        cls.clients = Partner.search(
            [
                ("user_id", "in", cls.managers.ids),
                ("parent_id", "=", False),
                ("id", "not in", cls.duplicates.ids),
            ]
        )
        cls.contacts = Partner.search([("parent_id", "in", cls.clients.ids)])
        cls.orders = cls.env["sale.order"].search([("partner_id", "in", cls.clients.ids)])

    def test_managers(self):
        self.assertEqual(len(self.managers), len(DEMO_MANAGERS))
        head = self.managers.filtered(lambda u: u.login == "manager1")
        self.assertTrue(head.has_group("clientbase_crm.group_clientbase_manager"))
        self.assertTrue(head.has_group("mass_mailing.group_mass_mailing_user"), "the head of sales mails")
        self.assertTrue(
            head.has_group("sales_team.group_sale_salesman_all_leads"),
            "the head of sales reads the team's orders",
        )
        for user in self.managers - head:
            self.assertTrue(user.has_group("clientbase_crm.group_clientbase_user"))
            self.assertFalse(user.has_group("clientbase_crm.group_clientbase_manager"))
            self.assertFalse(user.has_group("mass_mailing.group_mass_mailing_user"))
            self.assertFalse(user.has_group("sales_team.group_sale_salesman_all_leads"))
        marketer = self.env["res.users"].search([("login", "=", DEMO_MARKETER[0])])
        self.assertTrue(marketer.has_group("clientbase_crm.group_clientbase_manager"), "sees the whole base")
        self.assertTrue(marketer.has_group("mass_mailing.group_mass_mailing_user"))
        self.assertFalse(self.env["res.partner"].search_count([("user_id", "=", marketer.id)]), "no clients")

    def test_russian_company_and_users(self):
        """Rubles, Russian installed; the demo staff work in Russian, the admin keeps English and
        may switch; each lands on the client base after login."""
        self.assertEqual(self.env.company.currency_id, self.env.ref("base.RUB"))
        self.assertTrue(self.env["res.lang"]._lang_get("ru_RU"), "Russian is installed")
        menu = self.env.ref("clientbase_crm.res_partner_menu_clients").with_context(lang="ru_RU")
        self.assertEqual(menu.name, "Клиенты")
        staff = self.managers | self.env["res.users"].search([("login", "=", DEMO_MARKETER[0])])
        self.assertEqual(set(staff.mapped("lang")), {"ru_RU"})
        admin = self.env.ref("base.user_admin")
        self.assertEqual(admin.lang, "en_US")
        homes = {
            user.login: self.env["ir.actions.act_window"].browse(user.action_id.id) for user in staff | admin
        }
        clients = self.env.ref("clientbase_crm.res_partner_action_clients")
        self.assertEqual(homes["manager1"], self.env.ref("clientbase_crm.clientbase_dashboard_action"))
        self.assertEqual(homes[DEMO_MARKETER[0]], self.env.ref("clientbase_crm.clientbase_segment_action"))
        self.assertEqual(homes["admin"], clients)
        for login, _name, is_head in DEMO_MANAGERS:
            if not is_head:
                self.assertEqual(homes[login], clients, "salespeople land on their clients")
        # what the salespeople's home opens: their own clients
        salesperson = self.managers.filtered(lambda u: u.login == "manager2")
        opened = clients.with_user(salesperson).sudo()._get_action_dict()
        self.assertIn("'search_default_filter_my_clients': 1", opened["context"])
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
        # a Russian base: full names with patronymics, Russian addresses, +7 phones, company forms
        named = persons.filtered(lambda p: "@" not in p.name)
        self.assertTrue(named)
        for person in named:
            self.assertEqual(len(person.name.split(" ")), 3, "surname, first name, patronymic")
            self.assertTrue(person.name.endswith(("вич", "вна", "ична", "чна")), person.name)
        people = (self.clients | self.contacts).filtered("phone")
        self.assertTrue(all(p.phone.startswith("+7 (") for p in people), "+7 phones")
        located = self.clients.filtered("city")
        self.assertTrue(located)
        self.assertEqual(located.country_id, self.env.ref("base.ru"))
        self.assertTrue(all(any("а" <= ch <= "я" for ch in p.city.lower()) for p in located))
        self.assertTrue(all(p.name.startswith(("ООО «", "АО «", "ИП ")) for p in companies))
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
        # calls and meetings; the answers to mailings are logged by the sync of their responses
        logged = self.env["clientbase.interaction"].search(
            [("client_id", "in", buyers.ids), ("mailing_id", "=", False)]
        )
        self.assertTrue(logged)
        self.assertTrue(
            all(i.user_id == i.client_id.user_id for i in logged), "logged by the client's manager"
        )
        pipeline = self.env["crm.lead"].search(
            [("partner_id", "in", buyers.ids), ("name", "=like", "Предложение для %")]
        )
        self.assertEqual(self.summary["opportunities"], len(pipeline))

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
        self.assertEqual(len(lost), self.summary["lost"] - self.summary["won_back"], "some were won back")
        self.assertTrue(lost)
        for client in lost:
            self.assertTrue(client.client_churn_reason_id)
            self.assertGreater(client.client_churn_date, client.client_last_order_date)
        self.assertTrue(self.env["clientbase.channel.cost"].search_count([]) >= 24)
        months = self.env["clientbase.report.monthly"].search([])
        self.assertGreater(len(set(months.mapped("month"))), 12, "two years of months")
        # every mark is counted once as "marked lost" (METRICS.md); the bridge's "lost" counts only
        # those who were active, new or won back in that month
        self.assertEqual(sum(months.mapped("marked_lost")), self.summary["lost"])
        self.assertLessEqual(sum(months.mapped("lost")), self.summary["lost"])
        self.assertTrue(self.env["clientbase.report.cohort"].search_count([]))

    def test_consents_and_mailings_with_their_responses(self):
        """Consents with their sources and a few withdrawals; email and SMS mailings sent to those
        who consented before, with opens, clicks, replies and orders after them in the report."""
        consents = self.env["clientbase.consent"].search([])
        self.assertGreater(len(set(consents.mapped("source"))), 2, "given on forms, on paper, by phone...")
        withdrawn = consents.filtered(lambda c: c.state == "withdrawn")
        self.assertTrue(withdrawn)
        self.assertEqual(set(withdrawn.mapped("source")), {"unsubscribe"})
        for row in withdrawn:
            earlier = consents.filtered(
                lambda c, w=row: (
                    (c.partner_id, c.channel, c.purpose) == (w.partner_id, w.channel, w.purpose)
                    and c.state == "given"
                )
            )
            self.assertTrue(earlier, "a withdrawal follows a consent given")
        mailings = self.env["mailing.mailing"].search([("state", "=", "done")])
        self.assertEqual(set(mailings.mapped("mailing_type")), {"mail", "sms"})
        traces = self.env["mailing.trace"].search([("mass_mailing_id", "in", mailings.ids)])
        channel = {"mail": "email", "sms": "sms"}
        for trace in traces:
            mailing = trace.mass_mailing_id
            given = consents.filtered(
                lambda c, t=trace, m=mailing: (
                    c.partner_id.id == t.res_id
                    and c.channel == channel[m.mailing_type]
                    and c.purpose == m.clientbase_consent_purpose
                    and c.state == "given"
                    and c.date < m.sent_date
                )
            )
            self.assertTrue(given, "mailed only after consenting")
        report = self.env["clientbase.report.mailing"].search([])
        for measure in ("sent", "opened", "clicked", "replied", "ordered"):
            self.assertGreater(sum(report.mapped(measure)), 0, measure)
        self.assertEqual(sum(report.mapped("sent")), len(traces))

    def test_duplicates_in_other_formats(self):
        """The same people entered again with their phone as 8 9.. and their e-mail in other case:
        the client base finds them as likely duplicates."""
        self.assertEqual(len(self.duplicates), self.summary["duplicates"])
        self.assertTrue(self.duplicates)
        found = self.env["clientbase.duplicate"].search([])
        for duplicate in self.duplicates:
            self.assertNotEqual(duplicate.email, duplicate.email.lower(), "e-mail in another case")
            rows = found.filtered(lambda d, p=duplicate: p in d.partner_ids)
            self.assertEqual(set(rows.mapped("kind")), {"email", "phone"})
            original = rows.partner_ids - duplicate
            self.assertTrue(original.phone.startswith("+7 ("))

    def test_leads_by_channel_and_margin(self):
        """Leads with the UTM of their channel fill the acquisition report (leads, conversion, costs);
        products with costs give a gross margin; a lost client ordered again and was won back."""
        leads = self.env["crm.lead"].with_context(active_test=False).search([("source_id", "!=", False)])
        self.assertTrue(leads.filtered(lambda lead: lead.type == "lead" and not lead.partner_id))
        self.assertTrue(leads.filtered("partner_id"))
        channels = self.env["clientbase.channel"].search([])
        for lead in leads:
            self.assertIn(lead.source_id, channels.source_id)
        report = self.env["clientbase.report.channel"].search([])
        self.assertGreater(sum(report.mapped("leads")), 0)
        self.assertTrue(report.filtered(lambda r: r.leads and r.new_clients and r.conversion > 0))
        self.assertGreater(sum(report.mapped("cost")), 0)
        # the catalogue's products (reward lines of loyalty programs, when installed, are not sold)
        products = self.orders.order_line.filtered(
            lambda line: not getattr(line, "is_reward_line", False)
        ).product_id
        self.assertTrue(all(p.standard_price > 0 for p in products))
        figures = self.env["clientbase.client.figures"].search([("margin", "!=", False)])
        self.assertGreater(sum(figures.mapped("margin")), 0)
        self.assertGreaterEqual(self.summary["won_back"], 1)
        won = self.env["clientbase.segment.history"].search(
            [
                ("dimension", "=", "stage"),
                ("old_value", "=", "lost"),
                ("new_value", "not in", ["lost", "inactive"]),
            ]
        )
        self.assertEqual(len(won.partner_id), self.summary["won_back"])
