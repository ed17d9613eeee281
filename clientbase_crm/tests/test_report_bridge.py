import ast
import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.tests import new_test_user, tagged

from .common import ClientbaseSalesCommon

USER_GROUPS = "base.group_user,clientbase_crm.group_clientbase_user"
DAYS = 60  # the inactivity threshold of these tests
TODAY = date(2026, 6, 15)


def month_start(day):
    return day.replace(day=1)


class BridgeOracle:
    """``METRICS.md``'s definitions computed directly, client by client, from the orders and the
    lost marks a test made: what the report must show."""

    def __init__(self, orders, marks, managers, today, days=DAYS):
        self.orders = orders  # client -> [(day, amount)]
        self.marks = marks  # client -> [day]
        self.managers = managers  # client -> user id or None
        self.today = today
        self.days = days

    def lost(self, client, at):
        days = [day for day, _amount in self.orders.get(client, [])]
        return any(
            mark < at and not any(mark < day < at for day in days) for mark in self.marks.get(client, [])
        )

    def active(self, client, at):
        days = [day for day, _amount in self.orders.get(client, [])]
        return any(at - timedelta(days=self.days) <= day < at for day in days) and not self.lost(client, at)

    def end_of(self, month):
        return min(month + relativedelta(months=1), self.today + timedelta(days=1))

    def lines(self, month):
        """kind -> {clients} of the month's bridge."""
        start, end = month, self.end_of(month)
        result = defaultdict(set)
        for client in set(self.orders) | set(self.marks):
            days = sorted(day for day, _amount in self.orders.get(client, []))
            if any(start <= mark < end for mark in self.marks.get(client, [])):
                result["is_marked_lost"].add(client)
            if not days:
                continue
            active_start = self.active(client, start)
            ordered = any(start <= day < end for day in days)
            new = start <= days[0] < end
            won_back = days[0] < start and not active_start and ordered
            if active_start:
                result["active_start"].add(client)
            if new:
                result["is_new"].add(client)
            if won_back:
                result["is_won_back"].add(client)
            if active_start or new or won_back:
                if self.lost(client, end):
                    result["is_lost"].add(client)
                elif not self.active(client, end):
                    result["is_became_inactive"].add(client)
                if active_start and not self.active(client, end):
                    result["is_churned"].add(client)
        return result

    def period(self, months, clients):
        """The measures of a period (several months) over ``clients``."""
        first, last = months[0], self.end_of(months[-1])
        per_client = {
            client: [amount for day, amount in self.orders.get(client, []) if first <= day < last]
            for client in clients
        }
        buying = {client: amounts for client, amounts in per_client.items() if amounts}
        orders = sum(len(amounts) for amounts in buying.values())
        start = {client for client in clients if self.active(client, first)}
        left = {
            client for client in start if any(client in self.lines(month)["is_churned"] for month in months)
        }
        return {
            "ordering_clients": len(buying),
            "repeat_clients": sum(1 for amounts in buying.values() if len(amounts) > 1),
            "order_count": orders,
            "revenue": sum(sum(amounts) for amounts in buying.values()),
            "active_start": len(start),
            "churned": len(left),
        }


# the clients behind a row's numbers: (the row's action, its number, the oracle's line)
DRILL_DOWNS = (
    ("action_open_new_clients", "new_clients", "is_new"),
    ("action_open_won_back_clients", "won_back", "is_won_back"),
    ("action_open_inactive_clients", "became_inactive", "is_became_inactive"),
    ("action_open_lost_clients", "lost", "is_lost"),
    ("action_open_marked_lost_clients", "marked_lost", "is_marked_lost"),
)


class BridgeCommon(ClientbaseSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.client_inactive_days = DAYS
        cls.reason = cls.env.ref("clientbase_crm.clientbase_churn_reason_price")
        cls.orders = defaultdict(list)
        cls.marks = defaultdict(list)

    @classmethod
    def _order_on(cls, client, day, amount, buyer=None, cancel=False):
        """An order of ``client`` (or its contact ``buyer``) made and confirmed on ``day``."""
        with freeze_time(datetime.combine(day, time(11, 0))):
            cls._order(buyer or client, amount, state="cancel" if cancel else "sale")
        if not cancel:
            cls.orders[client.id].append((day, amount))

    @classmethod
    def _mark_lost(cls, client, day):
        with freeze_time(datetime.combine(day, time(15, 0))):
            cls.env["clientbase.churn.wizard"].with_context(
                active_model="res.partner", active_ids=client.ids
            ).create({"reason_id": cls.reason.id}).action_mark_lost()
        cls.marks[client.id].append(day)

    @classmethod
    def _refresh(cls):
        with freeze_time(datetime.combine(TODAY, time(20, 0))):
            cls.env["clientbase.report.monthly"]._cron_refresh()

    def _rows(self):
        rows = self.env["clientbase.report.monthly"].search([("company_id", "=", self.company.id)])
        return {(row.user_id.id or None, row.month): row for row in rows}

    def _lines(self, row, flag):
        Lines = self.env["clientbase.report.monthly.client"]
        return set(Lines.search([("report_id", "=", row.id), (flag, "=", True)]).partner_id.ids)


@tagged("post_install", "-at_install", "clientbase_report")
class TestBridgeKnownAnswers(BridgeCommon):
    """The cases of issue 27, one client each (threshold 60 days), by manager ``rep``:

    - EDGE orders 2026-01-30, the threshold before the last day of March: became inactive in
      March (not April), so April starts without it;
    - LAPSE_LOST orders 2026-01-10, lapses on 2026-03-12 and is marked lost on 2026-03-20: lost
      in March, not also became inactive;
    - RETURN orders 2026-01-05 and 2026-03-20, lapsing on 2026-03-07 and ordering again in March:
      in no line of March (it becomes inactive in May);
    - MARKED orders 2026-02-20, marked lost on 2026-03-02 with its order still in the window: lost
      in March, not active at the start of April;
    - CANCEL orders 2026-01-02, an order of 2026-04-10 cancelled: became inactive in March, won
      back in no month.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rep = new_test_user(cls.env, login="bridge_rep", name="Bridge Rep", groups=USER_GROUPS)
        cls.c = {
            name: cls._client(f"Bridge {name}", user_id=cls.rep.id)
            for name in ("EDGE", "LAPSE_LOST", "RETURN", "MARKED", "CANCEL")
        }
        cls._order_on(cls.c["EDGE"], date(2026, 1, 30), 10)
        cls._order_on(cls.c["LAPSE_LOST"], date(2026, 1, 10), 10)
        cls._mark_lost(cls.c["LAPSE_LOST"], date(2026, 3, 20))
        cls._order_on(cls.c["RETURN"], date(2026, 1, 5), 10)
        cls._order_on(cls.c["RETURN"], date(2026, 3, 20), 10)
        cls._order_on(cls.c["MARKED"], date(2026, 2, 20), 10)
        cls._mark_lost(cls.c["MARKED"], date(2026, 3, 2))
        cls._order_on(cls.c["CANCEL"], date(2026, 1, 2), 10)
        cls._order_on(cls.c["CANCEL"], date(2026, 4, 10), 10, cancel=True)
        cls._refresh()

    def test_each_case_once_in_its_month(self):
        rows = {month: row for (user, month), row in self._rows().items() if user == self.rep.id}
        march, april = rows[date(2026, 3, 1)], rows[date(2026, 4, 1)]
        ids = {name: client.id for name, client in self.c.items()}
        self.assertEqual(
            self._lines(march, "is_became_inactive"),
            {ids["EDGE"], ids["CANCEL"]},
            "EDGE in March, CANCEL too",
        )
        self.assertEqual(self._lines(march, "is_lost"), {ids["LAPSE_LOST"], ids["MARKED"]})
        self.assertEqual(self._lines(march, "is_marked_lost"), {ids["LAPSE_LOST"], ids["MARKED"]})
        self.assertEqual(
            (march.active_start, march.became_inactive, march.lost, march.won_back), (5, 2, 2, 0)
        )
        self.assertEqual(march.net_growth, -4)
        self.assertAlmostEqual(march.churn_rate, 100 * 4 / 5)
        self.assertEqual(april.active_start, 1, "only RETURN is active on April 1st")
        self.assertFalse(april.became_inactive or april.won_back or april.lost)
        # RETURN never left in March (it leaves in May, 60 days after its March order); CANCEL's
        # cancelled order wins nothing back
        self.assertEqual(
            [month for month, row in rows.items() if ids["RETURN"] in self._lines(row, "is_became_inactive")],
            [date(2026, 5, 1)],
        )
        for row in rows.values():
            self.assertFalse(self._lines(row, "is_won_back") & {ids["CANCEL"], ids["RETURN"]})

    def test_drill_downs_list_the_counted_clients(self):
        Partner = self.env["res.partner"].with_user(self.rep)
        for row in self.env["clientbase.report.monthly"].with_user(self.rep).search([]):
            for action, field, _flag in DRILL_DOWNS:
                self.assertEqual(
                    len(Partner.search(getattr(row, action)()["domain"])), row[field], (row.month, field)
                )


@tagged("post_install", "-at_install", "clientbase_report")
class TestBridgeProperties(BridgeCommon):
    """A randomized base lived day by day on a frozen clock over 18 months: clients of three
    salespeople and of nobody, ordering at random rhythms, some through a contact of their
    company, some orders cancelled, some clients marked lost (and some of those ordering again),
    and employees who buy. Every number of the Growth and Churn report is checked against a direct
    computation of ``METRICS.md``'s definitions (:class:`BridgeOracle`)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rnd = random.Random(27)
        reps = [
            new_test_user(cls.env, login=f"bridge_prop_{i}", name=f"Bridge Prop {i}", groups=USER_GROUPS)
            for i in range(3)
        ]
        cls.reps = reps[0] | reps[1] | reps[2]
        start = date(2025, 1, 1)
        span = (TODAY - start).days
        events = []  # (day, kind, payload)
        cls.clients = cls.env["res.partner"]
        cls.managers = {}
        for i in range(200):
            manager = rnd.choice([*reps, None])
            client = cls._client(f"Bridge Prop Client {i}", user_id=manager.id if manager else False)
            buyer = None
            if i % 7 == 0:
                buyer = cls.env["res.partner"].create({"name": f"Contact {i}", "parent_id": client.id})
            cls.clients |= client
            cls.managers[client.id] = manager.id if manager else None
            day = start + timedelta(days=rnd.randrange(span))
            rhythm = rnd.choice([10, 25, 45, 70, 120])
            for _n in range(rnd.randint(0, 4)):
                if day > TODAY:
                    break
                events.append((day, "order", (client, buyer, rnd.choice([50, 100, 250]), rnd.random() < 0.1)))
                day += timedelta(days=max(1, int(rnd.gauss(rhythm, rhythm / 3))))
            if rnd.random() < 0.15:
                mark = start + timedelta(days=rnd.randrange(span))
                events.append((mark, "lost", client))
        cls.employees = cls.env["res.partner"]
        for i in range(3):
            employee = new_test_user(cls.env, login=f"bridge_employee_{i}", name=f"Bridge Employee {i}")
            employee.partner_id.user_id = reps[0]
            cls.employees |= employee.partner_id
            for k in range(4):
                events.append(
                    (start + timedelta(days=30 * i + 45 * k), "order", (employee.partner_id, None, 80, False))
                )
        for day, kind, payload in sorted(events, key=lambda e: (e[0], e[1], str(e[2]))):
            if kind == "order":
                client, buyer, amount, cancel = payload
                cls._order_on(client, day, amount, buyer=buyer, cancel=cancel)
            else:
                payload.invalidate_recordset(["client_stage"])
                if payload.client_stage != "lost":
                    cls._mark_lost(payload, day)
        for employee in cls.employees:
            cls.orders.pop(employee.id, None)  # no client: the reports must not count them
        with freeze_time(datetime.combine(TODAY, time(19, 0))):
            cls.figures._recompute_all(full=True)
        cls._refresh()
        cls.oracle = BridgeOracle(cls.orders, cls.marks, cls.managers, TODAY)

    def _months(self):
        first = month_start(TODAY) - relativedelta(months=17)
        return [first + relativedelta(months=k) for k in range(18)]

    def test_every_number_is_its_definition(self):
        rows = self._rows()
        for month in self._months():
            lines = self.oracle.lines(month)
            for manager in [*self.reps.ids, None]:
                mine = {client for client, owner in self.managers.items() if owner == manager}
                row = rows.get((manager, month))
                for flag, field in (
                    ("active_start", "active_start"),
                    ("is_new", "new_clients"),
                    ("is_won_back", "won_back"),
                    ("is_became_inactive", "became_inactive"),
                    ("is_lost", "lost"),
                    ("is_marked_lost", "marked_lost"),
                    ("is_churned", "churned"),
                ):
                    expected = lines[flag] & mine
                    self.assertEqual(row[field] if row else 0, len(expected), (month, manager, field))
                    if row and flag != "active_start":
                        self.assertEqual(self._lines(row, flag), expected, (month, manager, flag))

    def test_the_bridge_reconciles_for_every_manager_and_month(self):
        rows = self._rows()
        months = self._months()
        for manager in [*self.reps.ids, None]:
            for month in months:
                row = rows.get((manager, month))
                values = [row[f] if row else 0 for f in ("active_start", "new_clients", "won_back",
                                                         "became_inactive", "lost")]  # fmt: skip
                start, new, won, inactive, lost = values
                if month == months[-1]:
                    mine = [c for c, owner in self.managers.items() if owner == manager]
                    after = sum(1 for c in mine if self.oracle.active(c, TODAY + timedelta(days=1)))
                else:
                    following = rows.get((manager, month + relativedelta(months=1)))
                    after = following.active_start if following else 0
                self.assertEqual(after, start + new + won - inactive - lost, (manager, month))
                self.assertEqual(row.net_growth if row else 0, new + won - inactive - lost)

    def test_drill_downs_equal_counts(self):
        """Every number of every row opens exactly the clients it counts, for the head of sales
        and for each salesperson (his own rows)."""
        head = new_test_user(
            self.env,
            login="bridge_prop_head",
            groups="base.group_user,clientbase_crm.group_clientbase_manager",
        )
        lines = {}
        for user in head | self.reps:
            rows = self.env["clientbase.report.monthly"].with_user(user).search([])
            self.assertTrue(rows)
            Partner = self.env["res.partner"].with_user(user)
            for row in rows:
                for action, field, flag in DRILL_DOWNS:
                    shown = Partner.search(getattr(row, action)()["domain"])
                    self.assertEqual(len(shown), row[field], (user.login, row.month, field))
                    if row.user_id:
                        if row.month not in lines:
                            lines[row.month] = self.oracle.lines(row.month)
                        expected = lines[row.month][flag]
                        expected = {c for c in expected if self.managers.get(c) == row.user_id.id}
                        self.assertEqual(set(shown.ids), expected, (user.login, row.month, field))

    def test_cohort_drill_downs_are_the_cohorts(self):
        """A cohort's *Clients* button opens exactly its clients, as many as its size: those of
        its manager whose first order falls in its month (never a company's contact, which shows
        its company's first order)."""
        rows = self.env["clientbase.report.cohort"].search(
            [("company_id", "=", self.company.id), ("months_since", "=", 0)]
        )
        self.assertTrue(rows)
        for row in rows:
            shown = self.Partner.search(row.action_open_cohort_clients()["domain"])
            expected = {
                client
                for client, orders in self.orders.items()
                if orders
                and month_start(min(orders)[0]) == row.cohort
                and self.managers.get(client) == (row.user_id.id or None)
            }
            self.assertEqual(set(shown.ids), expected, (row.cohort, row.user_id.login))
            self.assertEqual(len(shown), row.cohort_size, (row.cohort, row.user_id.login))

    def test_each_event_once(self):
        Lines = self.env["clientbase.report.monthly.client"]
        counts = defaultdict(int)
        for line in Lines.search([("company_id", "=", self.company.id)]):
            self.assertLessEqual(line.is_new + line.is_won_back, 1, "one entry line a month")
            self.assertLessEqual(line.is_became_inactive + line.is_lost, 1, "one exit line a month")
            counts[line.partner_id.id] += line.is_new
        self.assertTrue(all(n <= 1 for n in counts.values()), "new once in a lifetime")

    def test_quarters_and_years_are_computed_over_the_period(self):
        Report = self.env["clientbase.report.monthly"]
        measures = ["active_start:sum", "churned:sum", "ordering_clients:sum", "repeat_clients:sum",
                    "order_count:sum", "revenue:sum", "churn_rate:avg", "purchase_frequency:avg",
                    "repeat_rate:avg", "average_check:avg"]  # fmt: skip
        months = self._months()
        for granularity, size in (("quarter", 3), ("year", 12)):
            groups = Report.read_group(
                [("company_id", "=", self.company.id)],
                measures,
                [f"month:{granularity}", "user_id"],
                lazy=False,
            )
            self.assertTrue(groups)
            for group in groups:
                manager = group["user_id"][0] if group["user_id"] else None
                bounds = group["__range"][f"month:{granularity}"]
                first_of = date.fromisoformat(bounds["from"])
                span = [first_of + relativedelta(months=k) for k in range(size)]
                span = [m for m in span if m <= months[-1]]
                mine = {c for c, owner in self.managers.items() if owner == manager}
                expected = self.oracle.period(span, mine)
                for name in ("ordering_clients", "repeat_clients", "order_count", "churned"):
                    self.assertEqual(
                        group[name], expected[name], (granularity, group[f"month:{granularity}"], name)
                    )
                self.assertAlmostEqual(group["revenue"], expected["revenue"], places=2)
                self.assertEqual(group["active_start"], expected["active_start"])
                if expected["ordering_clients"]:
                    self.assertAlmostEqual(
                        group["purchase_frequency"], expected["order_count"] / expected["ordering_clients"]
                    )
                    self.assertAlmostEqual(
                        group["repeat_rate"], 100 * expected["repeat_clients"] / expected["ordering_clients"]
                    )
                    self.assertAlmostEqual(
                        group["average_check"], expected["revenue"] / expected["order_count"]
                    )

    def test_employees_are_no_clients(self):
        employees = set(self.employees.ids)
        Lines = self.env["clientbase.report.monthly.client"]
        self.assertFalse(Lines.search([("partner_id", "in", list(employees))]))
        self.assertFalse(
            self.env["clientbase.segment.snapshot"].search([("partner_id", "in", list(employees))])
        )
        self.assertFalse(
            self.env["clientbase.segment.member"].search([("partner_id", "in", list(employees))])
        )
        for xmlid in ("res_partner_action_clientbase_analysis", "res_partner_action_clients"):
            action = self.env["ir.actions.act_window"]._for_xml_id(f"clientbase_crm.{xmlid}")
            self.assertFalse(
                self.Partner.search([*ast.literal_eval(action["domain"]), ("id", "in", list(employees))]),
                xmlid,
            )
        self.assertFalse(
            self.env["clientbase.client.figures"].search(
                [("partner_id", "in", list(employees)), ("order_count", ">", 0)]
            ),
            "the engine counts no order of theirs",
        )
        cohorts = self.env["clientbase.report.cohort"].search([("months_since", "=", 0)])
        self.assertEqual(
            sum(cohorts.mapped("cohort_size")),
            sum(
                1
                for c, orders in self.orders.items()
                if orders and min(orders)[0] >= month_start(TODAY) - relativedelta(months=24)
            ),
        )
