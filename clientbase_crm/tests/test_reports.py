import json
from datetime import date, datetime
from unittest.mock import patch

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL

from .common import USER_GROUPS, ClientbaseSalesCommon

TODAY = date(2026, 6, 15)


@tagged("post_install", "-at_install", "clientbase_report")
@freeze_time("2026-06-15 10:00:00")
class TestReports(ClientbaseSalesCommon):
    """Known answers of the growth, churn and cohort reports on a small hand-computed base
    (inactivity threshold 90 days; the definitions of ``METRICS.md``):

    - C4 orders 2025-12-20 (40) and 2026-01-05 (60): new in December, inactive from 2026-04-06;
    - C1 orders 2026-01-10 (100), 2026-02-10 (50), then 2026-06-01 (30): new in January,
      inactive from 2026-05-12, won back in June;
    - C2 orders 2026-03-05 (200): new in March, inactive from 2026-06-04;
    - C3 orders 2026-05-20 (80), marked lost on 2026-06-10: new in May, lost in June while
      active at its start.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.client_inactive_days = 90
        cls.manager = cls._user("rep_manager", name="Report Manager")
        cls.other = cls._user("rep_other", name="Other Manager")
        cls.clients = {}
        for name, orders in {
            "C4": [(date(2025, 12, 20), 40), (date(2026, 1, 5), 60)],
            "C1": [(date(2026, 1, 10), 100), (date(2026, 2, 10), 50), (date(2026, 6, 1), 30)],
            "C2": [(date(2026, 3, 5), 200)],
            "C3": [(date(2026, 5, 20), 80)],
        }.items():
            client = cls._client(f"Report {name}", user_id=cls.manager.id)
            cls.clients[name] = client
            for day, amount in orders:
                cls._order(client, amount, days_ago=(TODAY - day).days)
        cls.foreign = cls._client("Report Foreign", user_id=cls.other.id)
        cls._order(cls.foreign, 500, days_ago=20)
        cls.figures._recompute_all(full=True)
        with freeze_time("2026-06-10 12:00:00"):
            cls.env["clientbase.churn.wizard"].with_context(
                active_model="res.partner", active_ids=cls.clients["C3"].ids
            ).create(
                {"reason_id": cls.env.ref("clientbase_crm.clientbase_churn_reason_price").id}
            ).action_mark_lost()
        # the manager's work: a call logged in June, a contact due today, a call-back overdue
        cls.env["clientbase.interaction"].create(
            {
                "client_id": cls.clients["C1"].id,
                "user_id": cls.manager.id,
                "date": datetime(2026, 6, 2, 9),
                "result": "reached",
            }
        )
        model_id = cls.env["ir.model"]._get_id("res.partner")
        for client, rule, deadline in (("C4", "contact_due", TODAY), ("C2", "call_back", date(2026, 6, 14))):
            cls.env["mail.activity"].create(
                {
                    "res_model_id": model_id,
                    "res_id": cls.clients[client].id,
                    "user_id": cls.manager.id,
                    "client_rule": rule,
                    "date_deadline": deadline,
                    "summary": rule,
                }  # fmt: skip
            )
        cls.env["clientbase.report.monthly"]._cron_refresh()

    def _monthly(self, user=None):
        rows = self.env["clientbase.report.monthly"].with_user(user or self.manager).search([])
        return {row.month: row for row in rows if row.user_id == self.manager}

    def test_growth_and_churn_per_month(self):
        rows = self._monthly()
        fields_ = ("active_start", "new_clients", "won_back", "became_inactive", "lost", "churned", "net_growth",
                   "order_count", "revenue")  # fmt: skip
        expected = {
            date(2025, 12, 1): (0, 1, 0, 0, 0, 0, 1, 1, 40),
            date(2026, 1, 1): (1, 1, 0, 0, 0, 0, 1, 2, 160),
            date(2026, 2, 1): (2, 0, 0, 0, 0, 0, 0, 1, 50),
            date(2026, 3, 1): (2, 1, 0, 0, 0, 0, 1, 1, 200),
            date(2026, 4, 1): (3, 0, 0, 1, 0, 1, -1, 0, 0),
            date(2026, 5, 1): (2, 1, 0, 1, 0, 1, 0, 1, 80),
            date(2026, 6, 1): (2, 0, 1, 1, 1, 2, -1, 1, 30),
        }
        self.assertEqual(sorted(rows), sorted(expected))
        for month, values in expected.items():
            self.assertEqual(tuple(rows[month][name] for name in fields_), values, month)
        self.assertAlmostEqual(rows[date(2026, 4, 1)].churn_rate, 100 / 3, places=1)
        self.assertEqual(rows[date(2026, 6, 1)].churn_rate, 100)
        self.assertEqual(rows[date(2026, 1, 1)].average_check, 80)
        june = rows[date(2026, 6, 1)]
        self.assertEqual(
            (june.contacts_logged, june.clients_owned, june.past_cadence, june.overdue_reminders),
            (1, 4, 1, 1),
        )
        self.assertEqual(rows[date(2026, 5, 1)].clients_owned, 0, "owned: at the last refresh only")

    def test_the_clients_behind_a_row(self):
        rows = self._monthly()
        Partner = self.env["res.partner"].with_user(self.manager)
        may, june = rows[date(2026, 5, 1)], rows[date(2026, 6, 1)]
        self.assertEqual(Partner.search(may.action_open_new_clients()["domain"]), self.clients["C3"])
        self.assertEqual(Partner.search(june.action_open_lost_clients()["domain"]), self.clients["C3"])
        cohort = (
            self.env["clientbase.report.cohort"]
            .with_user(self.manager)
            .search([("cohort", "=", date(2026, 1, 1)), ("months_since", "=", 0)])
        )
        self.assertEqual(Partner.search(cohort.action_open_cohort_clients()["domain"]), self.clients["C1"])

    def test_composition_by_sales_team(self):
        """The clients group by the sales team of their manager."""
        team = self.env["crm.team"].create({"name": "Report Team", "member_ids": [(6, 0, self.manager.ids)]})
        self.env.flush_all()
        self.assertEqual(self.clients["C1"].client_team_id, team)
        groups = self.Partner.read_group(
            [("id", "in", [c.id for c in self.clients.values()])], ["client_revenue:sum"], ["client_team_id"]
        )
        self.assertEqual([(g["client_team_id"][0], g["client_revenue"]) for g in groups], [(team.id, 560)])
        self.assertEqual(self.Partner.search([("client_team_id", "=", team.id)]), self.Partner.browse(
            [c.id for c in self.clients.values()]))  # fmt: skip

    def test_ratios_of_a_group_are_ratios_of_its_sums(self):
        """Over a period, every ratio is computed over the period (``METRICS.md``): the churn of
        the second quarter is the clients active on April 1st who left in one of its months
        (C4 in April, C1 in May, C2 in June: 3 of 3; C3 came and left within it), not the sum of
        the months' churned over the sum of their starts (4 / 7); the first quarter's repeat
        rate counts C1's two orders as one client with 2 orders (1 of C4, C1, C2), not as two
        one-order months; the average check is revenue / orders."""
        Report = self.env["clientbase.report.monthly"].with_user(self.manager)
        measures = ["churn_rate:avg", "churned:sum", "active_start:sum", "average_check:avg",
                    "purchase_frequency:avg", "repeat_rate:avg", "ordering_clients:sum", "repeat_clients:sum"]  # fmt: skip
        mine = [("user_id", "=", self.manager.id)]

        def period(first, last):
            [group] = Report.read_group([*mine, ("month", ">=", first), ("month", "<=", last)], measures, [])
            return group

        q2 = period(date(2026, 4, 1), date(2026, 6, 1))
        self.assertEqual((q2["active_start"], q2["churned"]), (3, 3))
        self.assertAlmostEqual(q2["churn_rate"], 100)
        q1 = period(date(2026, 1, 1), date(2026, 3, 1))
        self.assertEqual((q1["ordering_clients"], q1["repeat_clients"]), (3, 1))
        self.assertAlmostEqual(q1["purchase_frequency"], 4 / 3)
        self.assertAlmostEqual(q1["repeat_rate"], 100 / 3)
        self.assertAlmostEqual(q1["average_check"], 410 / 4)
        # grouped by quarter, the pivot's own grouping gives the same
        quarters = {
            g["month:quarter"]: g for g in Report.read_group(mine, measures, ["month:quarter"], lazy=False)
        }
        self.assertAlmostEqual(quarters["Q2 2026"]["churn_rate"], 100)
        self.assertAlmostEqual(quarters["Q1 2026"]["repeat_rate"], 100 / 3)
        [group] = Report.read_group(mine, ["average_check:avg"], [])
        self.assertAlmostEqual(group["average_check"], 560 / 7)
        # the Clients Analysis pivot: the average order of a manager's clients
        [clients] = self.Partner.with_user(self.manager).read_group(
            [("user_id", "=", self.manager.id)],
            ["client_average_order:avg", "client_revenue:sum"],
            ["user_id"],
        )
        self.assertAlmostEqual(clients["client_revenue"], 560)
        self.assertAlmostEqual(clients["client_average_order"], 80)

    def test_cohorts_retention_and_ltv(self):
        rows = self.env["clientbase.report.cohort"].with_user(self.manager).search([])
        cell = {(row.cohort, row.months_since): row for row in rows}
        jan = date(2026, 1, 1)
        self.assertEqual([cell[jan, k].retained for k in range(6)], [1, 1, 0, 0, 0, 1])
        self.assertEqual([cell[jan, k].cumulative_revenue for k in range(6)], [100, 150, 150, 150, 150, 180])
        self.assertEqual(max(k for cohort, k in cell if cohort == date(2025, 12, 1)), 6)
        self.assertEqual(cell[date(2025, 12, 1), 1].cohort_ltv, 100)
        Report = self.env["clientbase.report.cohort"].with_user(self.manager)
        groups = {
            group["months_since"]: group
            for group in Report.read_group([], ["retention:avg", "cohort_ltv:avg"], ["months_since"])
        }
        self.assertEqual(groups[0]["retention"], 100)
        self.assertEqual(groups[1]["retention"], 50, "December and January retained, March and May not")
        self.assertAlmostEqual(groups[1]["cohort_ltv"], (100 + 150 + 200 + 80) / 4)

    def test_salespeople_see_their_own_clients_only(self):
        own = self.env["clientbase.report.monthly"].with_user(self.manager).search([])
        self.assertTrue(own)
        self.assertEqual(own.user_id, self.manager)
        other = self.env["clientbase.report.monthly"].with_user(self.other).search([])
        self.assertEqual(other.user_id, self.other)
        self.assertEqual(sum(other.mapped("revenue")), 500)
        cohorts = self.env["clientbase.report.cohort"].with_user(self.other).search([])
        self.assertEqual(set(cohorts.mapped("cohort_size")), {1})
        self.assertEqual(len(self.env["clientbase.report.cohort"].with_user(self.user_manager).search([])
                             .mapped("user_id")), 2, "a client base manager sees every manager")  # fmt: skip

    def test_refresh_is_repeatable(self):
        Report = self.env["clientbase.report.monthly"]
        before = Report.search_read(
            [], ["month", "user_id", "active_start", "churned", "revenue"], order="month, user_id"
        )
        Report._cron_refresh()
        after = Report.search_read(
            [], ["month", "user_id", "active_start", "churned", "revenue"], order="month, user_id"
        )
        self.assertEqual([{k: v for k, v in row.items() if k != "id"} for row in before],
                         [{k: v for k, v in row.items() if k != "id"} for row in after])  # fmt: skip

    def test_rows_say_when_they_were_built(self):
        """Every report row carries the time of the rebuild it comes from: how fresh a report
        read from a replica, or the morning after a failed night, is."""
        with freeze_time("2026-06-16 02:30:00"):
            self.env["clientbase.report.monthly"]._cron_refresh()
        for model in (
            "clientbase.report.monthly",
            "clientbase.report.cohort",
            "clientbase.report.channel",
        ):
            rows = self.env[model].search([])
            self.assertTrue(rows, model)
            self.assertEqual(set(rows.mapped("refreshed_at")), {datetime(2026, 6, 16, 2, 30)}, model)


@tagged("post_install", "-at_install", "clientbase_report")
class TestMovement(ClientbaseSalesCommon):
    """Monthly snapshots stored as changes, the from -> to matrix of two months, the VIP
    movements of the month and the manager's to-do when a VIP client slips."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._user("mov_manager", name="Movement Manager")
        cls.other = cls._user("mov_other", name="Other Movement Manager")
        cls.Snapshot = cls.env["clientbase.segment.snapshot"]

    def _vip(self, client, value):
        """Set by hand on the card, as a manager does (the history records it)."""
        client.write({"client_is_vip": value == "yes"})
        self.env.invalidate_all()

    def _matrix(self, user, month_a, month_b):
        wizard = (
            self.env["clientbase.movement.wizard"]
            .with_user(user)
            .create({"dimension": "is_vip", "month_a": month_a, "month_b": month_b})
        )
        action = wizard.action_show()
        lines = self.env["clientbase.movement.line"].with_user(user).search(action["domain"])
        return {(line.from_value, line.to_value): line.client_count for line in lines}

    def test_snapshots_matrix_and_vip_moves(self):
        with freeze_time("2026-04-15 10:00:00"):
            a, b, c = (self._client(f"Mov {name}", user_id=self.manager.id) for name in "ABC")
            foreign = self._client("Mov Foreign", user_id=self.other.id)
            for client in (a, b, c, foreign):
                self._order(client, 100, days_ago=10)
            self.figures._recompute_all(full=True)
            self._vip(a, "yes")
            self._vip(b, "no")
            self._vip(c, "no")
            self.env["clientbase.report.monthly"]._cron_refresh()
            april_rows = self.Snapshot.search_count([])
            self.env["clientbase.report.monthly"]._cron_refresh()
            self.assertEqual(self.Snapshot.search_count([]), april_rows, "nothing changed: nothing written")
        with freeze_time("2026-05-20 10:00:00"):
            d = self._client("Mov D", user_id=self.manager.id)
            self._order(d, 100, days_ago=1)
            self.figures._run_engine()
            self._vip(a, "no")
            self._vip(b, "yes")
            self._vip(d, "no")
            self.env["clientbase.report.monthly"]._cron_refresh()
            matrix = self._matrix(self.manager, date(2026, 4, 1), date(2026, 5, 1))
            self.assertEqual(
                matrix,
                {("VIP", "Not VIP"): 1, ("Not VIP", "VIP"): 1, ("Not VIP", "Not VIP"): 1, ("None (not a client)", "Not VIP"): 1},
                "A dropped out, B became VIP, C stayed, D is new; the other manager's client is not shown",
            )  # fmt: skip
            self.assertEqual(sum(self._matrix(self.other, date(2026, 4, 1), date(2026, 5, 1)).values()), 1)
            report = self.env["clientbase.report.monthly"].with_user(self.manager)
            may = report.search([("month", "=", date(2026, 5, 1)), ("user_id", "=", self.manager.id)])
            self.assertEqual((may.became_vip, may.dropped_vip), (1, 1))
            slipped = self.env["mail.activity"].search(
                [("res_model", "=", "res.partner"), ("client_rule", "=", "vip_slipped")]
            )
            self.assertEqual((slipped.res_id, slipped.user_id), (a.id, self.manager))
            # a change undone within the month: the month's row takes the last values
            self._vip(b, "no")
            self.env["clientbase.report.monthly"]._cron_refresh()
            matrix = self._matrix(self.manager, date(2026, 4, 1), date(2026, 5, 1))
            self.assertEqual(matrix[("Not VIP", "Not VIP")], 2)
            # B was VIP in May's snapshot and is no more: it slipped too; one to-do per client
            self.env["clientbase.report.monthly"]._cron_refresh()
            slipped = self.env["mail.activity"].search([("client_rule", "=", "vip_slipped")])
            self.assertEqual(sorted(slipped.mapped("res_id")), sorted([a.id, b.id]))

    def test_the_matrix_holds_the_whole_base(self):
        """Every client of the base is in the matrix (a potential without figures too, a client
        created after the first month in the "none" row); an employee who buys is in none."""
        head = new_test_user(
            self.env, login="mov_head", groups="base.group_user,clientbase_crm.group_clientbase_manager"
        )
        with freeze_time("2026-04-15 10:00:00"):
            buyer = self._client("Mov Buyer", user_id=self.manager.id)
            self._order(buyer, 100, days_ago=3)
            self._client("Mov Potential", user_id=self.manager.id)
            employee = new_test_user(self.env, login="mov_employee", name="Mov Employee").partner_id
            self._order(employee, 100, days_ago=3)
            self.figures._recompute_all(full=True)
            self.env["clientbase.report.monthly"]._cron_refresh()
        with freeze_time("2026-05-20 10:00:00"):
            late = self._client("Mov Late", user_id=self.manager.id)
            self.env["clientbase.report.monthly"]._cron_refresh()
            # the database stamps the creation with its own clock: when they were created
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE res_partner SET create_date = CASE WHEN id = %s THEN '2026-05-20'::timestamp ELSE '2026-04-15'::timestamp END"
                " WHERE create_date >= '2026-06-01'",
                [late.id],
            )
            self.env.invalidate_all()
            base = self.Partner.search_count(
                [("client_is_client", "=", True), ("company_id", "in", [self.company.id, False])]
            )
            for dimension in ("stage", "rfm_segment", "is_vip"):
                wizard = (
                    self.env["clientbase.movement.wizard"]
                    .with_user(head)
                    .create(
                        {"dimension": dimension, "month_a": date(2026, 4, 1), "month_b": date(2026, 5, 1)}
                    )
                )
                lines = self.env["clientbase.movement.line"].search(wizard.action_show()["domain"])
                self.assertEqual(sum(lines.mapped("client_count")), base, dimension)
            stage = self.env["clientbase.segment.snapshot"]._matrix(
                self.company, "stage", date(2026, 4, 1), date(2026, 5, 1),
                lambda column: SQL("%s IN %s", column, tuple((buyer | late | employee).ids)),
            )  # fmt: skip
            self.assertIn((None, "potential", 1), stage, "the late client was none in April")
            self.assertEqual(
                sum(count for _a, _b, count in stage), 2, "the buyer and the late client, no employee"
            )


@tagged("post_install", "-at_install", "clientbase_report")
@freeze_time("2026-06-15 10:00:00")
class TestChannelReport(ClientbaseSalesCommon):
    """Known answers of the channel report: the channel filled from the first lead or order,
    leads, conversion, cost per client, LTV and ROI per channel and month."""

    def test_channels_per_month(self):
        manager = self._user("ch_manager")
        utm = self.env["utm.source"]
        fair, ads = utm.create({"name": "Fair"}), utm.create({"name": "Ads network"})
        cpc, banner = (
            self.env["utm.medium"].create({"name": "CPC"}),
            self.env["utm.medium"].create({"name": "Banner"}),
        )
        Channel = self.env["clientbase.channel"]
        exhibition = Channel.create({"name": "Exhibition 2026", "source_id": fair.id})
        paid = Channel.create({"name": "Paid ads", "source_id": ads.id, "medium_id": cpc.id})
        k1 = self._client("Channel K1", user_id=manager.id)
        k2 = self._client("Channel K2", user_id=manager.id)
        k3 = self._client("Channel K3", user_id=manager.id, client_channel_id=paid.id)
        Lead = self.env["crm.lead"]
        leads = Lead.create(
            [{"name": f"Fair lead {i}", "source_id": fair.id, "user_id": manager.id} for i in range(2)]
            + [{"name": "K1 at the fair", "source_id": fair.id, "partner_id": k1.id, "user_id": manager.id},
               {"name": "K3 at the fair", "source_id": fair.id, "partner_id": k3.id, "user_id": manager.id},
               {"name": "Ads lead", "source_id": ads.id, "medium_id": cpc.id, "user_id": manager.id},
               {"name": "Banner lead", "source_id": ads.id, "medium_id": banner.id, "user_id": manager.id}]
        )  # fmt: skip
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = '2026-05-10 09:00' WHERE id = ANY(%s)", [leads.ids]
        )
        self._order(k1, 100, days_ago=(TODAY - date(2026, 5, 12)).days)
        self._order(k1, 50, days_ago=(TODAY - date(2026, 6, 1)).days)
        self._order(k2, 80, days_ago=(TODAY - date(2026, 5, 20)).days).write(
            {"source_id": ads.id, "medium_id": cpc.id}
        )
        self._order(k3, 200, days_ago=(TODAY - date(2026, 6, 3)).days)
        Cost = self.env["clientbase.channel.cost"]
        Cost.create([
            {"channel_id": exhibition.id, "month": "2026-05-17", "amount": 300},
            {"channel_id": paid.id, "month": "2026-05-01", "amount": 100},
            {"channel_id": paid.id, "month": "2026-06-01", "amount": 50},
        ])  # fmt: skip
        self.env["clientbase.report.channel"]._refresh(self.env.company)
        self.assertEqual(
            (k1.client_channel_id, k1.client_source_id), (exhibition, fair), "from the first lead"
        )
        self.assertEqual(k2.client_channel_id, paid, "from the first order (source and medium)")
        self.assertEqual(k3.client_channel_id, paid, "set by hand: kept")
        Report = self.env["clientbase.report.channel"].with_user(self.user_manager)
        cells = {
            (group["channel_id"][0], group["month:month"]): group
            for group in Report.read_group(
                [],
                ["leads:sum", "new_clients:sum", "revenue:sum", "cost:sum", "conversion:avg", "cac:avg", "ltv:avg",
                 "roi:avg"],
                ["channel_id", "month:month"], lazy=False,
            )
        }  # fmt: skip
        may_fair = cells[exhibition.id, "May 2026"]
        self.assertEqual(
            (may_fair["leads"], may_fair["new_clients"], may_fair["revenue"], may_fair["cost"]),
            (4, 1, 100, 300),
        )
        self.assertAlmostEqual(may_fair["conversion"], 25)
        self.assertAlmostEqual(may_fair["cac"], 300)
        self.assertAlmostEqual(may_fair["ltv"], 150)
        self.assertAlmostEqual(may_fair["roi"], -50)
        may_paid = cells[paid.id, "May 2026"]
        self.assertEqual((may_paid["leads"], may_paid["new_clients"], may_paid["revenue"]), (1, 1, 80))
        self.assertAlmostEqual(may_paid["roi"], -20)
        june_paid = cells[paid.id, "June 2026"]
        self.assertEqual((june_paid["new_clients"], june_paid["cost"]), (1, 50))
        self.assertAlmostEqual(june_paid["cac"], 50)
        self.assertAlmostEqual(june_paid["roi"], 300)
        self.assertEqual(cells[exhibition.id, "June 2026"]["revenue"], 50)
        # a second salesperson wins a client of the paid channel in June: the month's cost is shared
        # by the new clients, so that each salesperson's cost per client is the company's
        other = new_test_user(self.env, login="ch_other", groups=USER_GROUPS)
        k4 = self._client("Channel K4", user_id=other.id, client_channel_id=paid.id)
        self._order(k4, 40, days_ago=(TODAY - date(2026, 6, 5)).days)
        self.env["clientbase.report.channel"]._refresh(self.env.company)

        def june_paid_as(user):
            [group] = (
                self.env["clientbase.report.channel"]
                .with_user(user)
                .read_group(
                    [("channel_id", "=", paid.id), ("month", "=", date(2026, 6, 1))],
                    ["new_clients:sum", "cost:sum", "cac:avg", "roi:avg"],
                    [],
                )
            )
            return group

        company, mine, theirs = june_paid_as(self.user_manager), june_paid_as(manager), june_paid_as(other)
        self.assertEqual((company["new_clients"], company["cost"]), (2, 50))
        self.assertAlmostEqual(company["cac"], 25)
        self.assertEqual((mine["new_clients"], mine["cost"], theirs["cost"]), (1, 25, 25))
        self.assertAlmostEqual(mine["cac"], company["cac"])
        self.assertAlmostEqual(mine["roi"], 100 * (200 - 25) / 25)
        self.assertAlmostEqual(theirs["roi"], 100 * (40 - 25) / 25)


@tagged("post_install", "-at_install", "clientbase_report")
@freeze_time("2026-06-15 10:00:00")
class TestForecast(ClientbaseSalesCommon):
    """Known answers of the rhythm of orders, the expected next purchase, the overdue filter and
    the expected revenue; the method checked against what happened (backtest)."""

    def _clients(self, orders):
        clients = {}
        for name, (_segment, dates, amount) in orders.items():
            client = self._client(f"Rhythm {name}")
            clients[name] = client
            for day in dates:
                self._order(client, amount, days_ago=(TODAY - day).days)
        self.figures._recompute_all(full=True)
        self.env.flush_all()
        for name, (segment, _dates, _amount) in orders.items():
            self.env.cr.execute(
                "UPDATE clientbase_client_figures SET rfm_segment = %s WHERE partner_id = %s",
                [segment, clients[name].id],
            )
        self.figures._refresh_forecast(self.env.company)
        self.env.invalidate_all()
        return clients

    def test_rhythm_next_purchase_and_expected_revenue(self):
        c = self._clients(
            {
                "P1": ("loyal", [date(2026, 4, 2), date(2026, 5, 2), date(2026, 6, 1)], 100),
                "P3": ("loyal", [date(2026, 1, 15), date(2026, 3, 6), date(2026, 4, 25)], 200),
                "P2": ("loyal", [date(2026, 5, 1), date(2026, 5, 11)], 50),
                "P4": ("at_risk", [date(2026, 1, 10), date(2026, 1, 20), date(2026, 1, 30)], 80),
            }
        )
        self.assertEqual(c["P1"].client_purchase_interval, 30)
        self.assertEqual(c["P1"].client_next_purchase_date, date(2026, 7, 1))
        self.assertAlmostEqual(c["P1"].client_expected_revenue, round(365 / 30 * 100, 2))
        self.assertEqual(c["P3"].client_purchase_interval, 50)
        self.assertAlmostEqual(c["P3"].client_expected_revenue, round(365 / 50 * 200, 2))
        self.assertEqual(
            c["P2"].client_purchase_interval, 40, "two orders: the median of its segment (30, 50)"
        )
        self.assertEqual(c["P2"].client_next_purchase_date, date(2026, 6, 20))
        self.assertEqual(c["P4"].client_purchase_interval, 10)
        self.assertEqual(c["P4"].client_expected_revenue, 0, "lapsed: last order older than twice its rhythm")
        overdue = self.Partner.search(
            [("client_purchase_overdue", "=", True), ("id", "in", [p.id for p in c.values()])]
        )
        self.assertEqual(overdue, c["P4"])
        self.assertEqual([p.client_purchase_overdue for p in (c["P1"], c["P2"], c["P3"])], [False] * 3)

    def test_backtest_against_what_happened(self):
        """A client ordering 100 every 30 days: over the 3 months after 2026-03-01 the method
        expects 365 / 30 * 100 / 4 = 304.17 and 300 was ordered (error +1.4%)."""
        start = date(2025, 6, 20)
        self._clients({"R": ("loyal", [start + relativedelta(days=30 * k) for k in range(13)], 100)})
        expected, actual, error = self.figures._forecast_backtest(
            self.env.company, date(2026, 3, 1), months=3
        )
        self.assertAlmostEqual(expected, 365 / 30 * 100 * 3 / 12, places=2)
        self.assertEqual(actual, 300)
        self.assertAlmostEqual(error, 100 * (365 / 30 * 100 / 4 - 300) / 300, places=2)

    def test_calibration_is_kept_for_a_month(self):
        """The nightly forecast measures its factors again only every 30 days."""
        self._clients({"K": ("loyal", [date(2026, 4, 2), date(2026, 5, 2), date(2026, 6, 1)], 100)})
        company = self.env.company.sudo()
        self.assertEqual(company.client_forecast_calibrated_on, TODAY)
        with patch.object(
            type(self.figures), "_forecast_calibration", side_effect=AssertionError("measured")
        ):
            self.figures._refresh_forecast(self.env.company, today=TODAY + relativedelta(days=29))
        self.figures._refresh_forecast(self.env.company, today=TODAY + relativedelta(days=30))
        self.assertEqual(company.client_forecast_calibrated_on, TODAY + relativedelta(days=30))
        self.assertEqual(
            json.loads(company.client_forecast_factors), {"1": 1.0, "2": 1.0, "3": 0.0, "4": 0.0}
        )

    def test_calibrated_on_what_the_base_did(self):
        """The factor of a recency bucket is what its clients ordered over the same horizon just
        before, against what their rhythm promised: R promised 304.17 over December-February and
        ordered 300 (3 orders), so from March on the method expects 304.17 x 300 / 304.17 = 300.
        Buckets with no clients keep their defaults (lapsed clients: nothing)."""
        start = date(2025, 6, 20)
        self._clients({"R": ("loyal", [start + relativedelta(days=30 * k) for k in range(13)], 100)})
        with patch.object(type(self.figures), "_forecast_min_calibration_clients", 1):
            factors = self.figures._forecast_calibration(self.env.company, date(2026, 3, 1), 3)
            expected, actual, error = self.figures._forecast_backtest(
                self.env.company, date(2026, 3, 1), months=3
            )
        self.assertAlmostEqual(factors[1], 300 / (365 / 30 * 100 * 3 / 12), places=6)
        self.assertEqual((factors[2], factors[3], factors[4]), (1.0, 0.0, 0.0))
        self.assertAlmostEqual(expected, 300, places=2)
        self.assertAlmostEqual(error, 0, places=2)


@tagged("post_install", "-at_install", "clientbase_report")
@freeze_time("2026-06-15 10:00:00")
class TestMailingReport(ClientbaseSalesCommon):
    def test_responses_per_segment(self):
        """Three clients mailed on June 1st: one opened, one clicked and replied, one ordered
        with the mailing's source 5 days later; another order a year later does not count."""
        source = self.env["utm.source"].create({"name": "June offer"})
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "June offer",
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                "source_id": source.id,
                "body_html": "<p>Hi</p>",
            }  # fmt: skip
        )
        a, b, c = (self._client(f"Mailed {name}") for name in "ABC")
        self._order(c, 100, days_ago=200)
        self.figures._recompute_all(full=True)
        sent_at = datetime(2026, 6, 1, 9)
        self.env["mailing.trace"].create(
            [
                {"model": "res.partner", "res_id": a.id, "mass_mailing_id": mailing.id, "trace_status": "open",
                 "sent_datetime": sent_at, "open_datetime": sent_at},
                {"model": "res.partner", "res_id": b.id, "mass_mailing_id": mailing.id, "trace_status": "reply",
                 "sent_datetime": sent_at, "reply_datetime": sent_at, "links_click_datetime": sent_at},
                {"model": "res.partner", "res_id": c.id, "mass_mailing_id": mailing.id, "trace_status": "sent",
                 "sent_datetime": sent_at},
            ]
        )  # fmt: skip
        self._order(c, 60, days_ago=(TODAY - date(2026, 6, 6)).days).source_id = source
        with freeze_time("2026-06-16 02:30:00"):
            self.env["clientbase.report.mailing"]._refresh(self.env.company)
        Report = self.env["clientbase.report.mailing"]
        self.assertEqual(set(Report.search([]).mapped("refreshed_at")), {datetime(2026, 6, 16, 2, 30)})
        [total] = Report.read_group(
            [("mailing_id", "=", mailing.id)],
            [
                "sent:sum",
                "opened:sum",
                "clicked:sum",
                "replied:sum",
                "ordered:sum",
                "open_rate:avg",
                "order_rate:avg",
            ],
            [],
        )
        self.assertEqual(
            (total["sent"], total["opened"], total["clicked"], total["replied"], total["ordered"]),
            (3, 2, 1, 1, 1),
        )
        self.assertAlmostEqual(total["open_rate"], 200 / 3)
        self.assertAlmostEqual(total["order_rate"], 100 / 3)
        by_segment = Report.read_group([("mailing_id", "=", mailing.id)], ["sent:sum"], ["rfm_segment"])
        self.assertEqual(sum(group["sent"] for group in by_segment), 3)


@tagged("post_install", "-at_install", "clientbase_report", "clientbase_tour")
class TestDashboardTour(HttpCase):
    def test_dashboard_drills_to_the_clients(self):
        head = new_test_user(
            self.env, login="dash_head", groups="base.group_user,clientbase_crm.group_clientbase_manager"
        )
        client = self.env["res.partner"].create(
            {"name": "Dashboard Client LLC", "is_company": True, "user_id": head.id}
        )
        product = self.env["product.product"].create({"name": "Dashboard product", "list_price": 10})
        order = self.env["sale.order"].create(
            {"partner_id": client.id, "order_line": [(0, 0, {"product_id": product.id, "price_unit": 10})]}
        )
        order.action_confirm()
        self.env["clientbase.client.figures"]._recompute_all()
        self.env["clientbase.report.monthly"]._cron_refresh()
        action = self.env.ref("clientbase_crm.clientbase_dashboard_action")
        self.start_tour(f"/odoo/action-{action.id}", "clientbase_dashboard_tour", login=head.login)


@tagged("post_install", "-at_install", "clientbase_report")
class TestMargin(ClientbaseSalesCommon):
    """Known answers of the historic gross margin: untaxed amount minus quantity x unit cost over
    the confirmed order lines whose product has a cost, the quantity converted to the product's
    unit; no margin at all for a client whose products have no cost."""

    def _sell(self, partner, lines, confirm=True):
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create(
                        dict(
                            {
                                "product_id": product.id,
                                "product_uom_qty": qty,
                                "price_unit": price,
                                "tax_id": [],
                            },
                            **({"product_uom": uom.id} if uom else {}),
                        )
                    )
                    for product, qty, price, uom in lines
                ],
            }
        )
        if confirm:
            order.action_confirm()
        return order

    def test_margin_of_the_products_with_a_cost(self):
        costed = self.env["product.product"].create(
            {"name": "Costed", "standard_price": 60.0, "type": "consu"}
        )
        by_unit = self.env["product.product"].create(
            {"name": "Per unit", "standard_price": 5.0, "type": "consu"}
        )
        free = self.env["product.product"].create({"name": "No cost", "type": "service"})
        dozen = self.env.ref("uom.product_uom_dozen")
        known, unknown = self._client("Margin known"), self._client("Margin unknown")
        self._sell(known, [(costed, 2, 100.0, None), (free, 1, 500.0, None), (by_unit, 1, 100.0, dozen)])
        self._sell(known, [(costed, 10, 100.0, None)], confirm=False)  # a quotation counts for nothing
        self._sell(unknown, [(free, 3, 70.0, None)])
        self.figures._recompute_all(full=True)
        self.figures._refresh_margin(self.env.company)
        self.env.invalidate_all()
        # 2 x (100 - 60) + 1 dozen at 100 costing 12 x 5: 80 + 40; the costless line is left out
        self.assertEqual(known.client_margin, 120.0)
        self.assertEqual(known.client_revenue, 800.0)
        self.assertFalse(unknown.client_margin)
        self.assertEqual(
            self.Partner.search([("client_margin", ">", 0), ("id", "in", [known.id, unknown.id])]), known
        )
        costed.standard_price = 90.0
        self.figures._refresh_margin(self.env.company)
        self.env.invalidate_all()
        self.assertEqual(known.client_margin, 60.0, "the product's current cost: 2 x (100 - 90) + 40")
