import random
from unittest.mock import patch

from freezegun import freeze_time

from odoo.osv.expression import AND
from odoo.tests import tagged
from odoo.tools import SQL

from ..segmentation import members, one_pass
from ..tools.client_definition import audience_domain
from .common import ClientbaseSalesCommon

# segments of the kinds marketers make: each reads the figures and the client's own fields only
INCREMENTAL_DOMAINS = {
    "Active or loyal": "[('client_stage', 'in', ['active', 'loyal'])]",
    "Hot": "[('client_warmth', '=', 'hot')]",
    "Warm or hot": "[('client_warmth', 'in', ['warm', 'hot'])]",
    "Champions and loyal": "[('client_rfm_segment', 'in', ['champions', 'loyal'])]",
    "At risk": "[('client_rfm_segment', 'in', ['at_risk', 'cannot_lose', 'about_to_sleep'])]",
    "Two to four orders": "[('client_order_count', '>=', 2), ('client_order_count', '<=', 4)]",
    "Revenue over 500": "[('client_revenue', '>', 500)]",
    "VIP": "[('client_is_vip', '=', True)]",
    "Class A or B": "[('client_abc_class', 'in', ['a', 'b'])]",
    "Never bought": "[('client_order_count', '=', 0), ('client_mailing_only', '=', False)]",
    "Unassigned companies": "[('user_id', '=', False), ('is_company', '=', True)]",
    "Moscow, average over 100": "['|', ('city', 'ilike', 'moscow'), ('client_average_order', '>', 100)]",
}

# every kind of segment the one pass computes (own columns and figures, combined by "|", "!"...)
ONE_PASS_DOMAINS = {
    "stage": "[('client_stage', '=', 'new')]",
    "stage not lost": "['!', ('client_stage', 'in', ['lost', 'inactive'])]",
    "potential (no figures row)": "[('client_stage', '=', 'potential')]",
    "warmth": "[('client_warmth', 'in', ['warm', 'hot'])]",
    "cold or no warmth": "['|', ('client_warmth', '=', 'cold'), ('client_warmth', '=', False)]",
    "RFM": "[('client_rfm_segment', 'in', ['champions', 'loyal', 'at_risk'])]",
    "RFM scores": "[('client_rfm_recency', '>=', 3), ('client_rfm_monetary', '!=', 1)]",
    "order-count band": "[('client_order_count', '>=', 2), ('client_order_count', '<=', 4)]",
    "revenue band": "[('client_revenue', '>=', 100), ('client_revenue', '<', 1000)]",
    "average order": "[('client_average_order', '>', 200)]",
    "VIP": "[('client_is_vip', '=', True)]",
    "not VIP": "[('client_is_vip', '!=', True)]",
    "ABC": "[('client_abc_class', 'in', ['a', False])]",
    "bought this month (today)": "[('client_days_since_last_order', '<=', 30)]",
    "last order set": "[('client_last_order_date', '!=', False)]",
    "or and not": "['|', ('city', 'ilike', 'moscow'), '!', '&', ('client_revenue', '>', 300), ('is_company', '=', True)]",
    "not a pattern": "['!', ('email', '=ilike', '%@one.example.com')]",
    "manager": "[('user_id', 'in', [False])]",
    "mailing-only": "[('client_mailing_only', '=', True)]",
    "every client": "[]",
}
# conditions on other models or rows: the general path, one query per segment
GENERAL_DOMAINS = {
    "manager's name": "[('user_id.name', '=', 'Sales Person')]",
    "manager by name": "[('user_id', '=', 'Sales Person')]",
    "contacts": "[('child_ids', '!=', False), ('client_revenue', '>', 0)]",
    "last contact": "[('client_last_contact_date', '=', False)]",
    "archived too": "[('active', 'in', [True, False]), ('client_order_count', '=', 0)]",
}


@tagged("post_install", "-at_install", "clientbase_segment")
@freeze_time("2026-03-10 10:00:00")
class TestSegmentMembers(ClientbaseSalesCommon):
    """The nightly refresh of the user-defined segments compares only the clients whose data
    changed when a segment's conditions read only their own fields and figures, and its result
    is a whole refresh's; it writes only real changes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Segment = cls.env["clientbase.segment"]
        cls.segments = cls.Segment.create(
            [{"name": name, "domain": domain} for name, domain in INCREMENTAL_DOMAINS.items()]
        )
        # one that reads today's date (other than by the days since the last order): compared
        # over the whole base by every refresh
        cls.whole_segment = cls.Segment.create(
            {"name": "Overdue", "domain": "[('client_purchase_overdue', '=', True)]"}
        )

    def _members(self, segments=None):
        """(segment, client, membership row id) of every stored membership."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT segment_id, partner_id, id FROM clientbase_segment_member"
            " WHERE segment_id = ANY(%s) ORDER BY 1, 2",
            [(segments or self._active()).ids],
        )
        return self.env.cr.fetchall()

    def _active(self):
        return self.Segment.search([("active", "=", True)])

    def _expected(self, segments=None):
        """The members the ORM finds for each segment's conditions (the oracle)."""
        expected = []
        for segment in segments or self._active():
            partners = self.env["res.partner"].with_company(segment.company_id)
            found = partners.search(AND([audience_domain(), segment._get_domain()]))
            expected += [(segment.id, partner_id) for partner_id in found.ids]
        return sorted(expected)

    def _history(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id, partner_id, dimension, old_value, new_value FROM clientbase_segment_history"
        )
        return sorted(self.env.cr.fetchall())

    def test_which_segments_compare_only_the_changed_clients(self):
        self.assertEqual(set(self.segments.mapped("refresh_scope")), {"changed"})
        self.assertEqual(self.whole_segment.refresh_scope, "whole")
        for domain in (
            "[('user_id.name', '=', 'Sales Person')]",  # another model
            "[('user_id', '=', 'Sales Person')]",  # a name searched on the users
            "[('category_id', 'in', [1])]",  # tags: another table
            "[('child_ids', '!=', False)]",  # contacts: other rows
            "[('client_segment_ids', 'in', [1])]",  # other segments
            "[('client_purchase_overdue', '=', True)]",  # today's date
            "[('client_next_purchase_date', '<', '2026-04-01')]",  # the forecast's job
            "[('client_interaction_ids.kind', '=', 'meeting')]",  # the interactions themselves
            "[('parent_id', 'child_of', 1)]",
        ):
            segment = self.Segment.new({"name": "Probe", "domain": domain})
            self.assertEqual(segment.refresh_scope, "whole", domain)
        for domain in (
            "[('user_id', '=', %d)]" % self.user_salesman.id,
            "[('user_id', 'in', [%d, False])]" % self.user_salesman.id,
            "['!', ('is_company', '=', True), ('client_stage', '=', 'new')]",
            "[('id', '>', 10), ('name', 'ilike', 'LLC')]",
            # the days since the last order: the clients whose days crossed 30 are compared too
            "[('client_days_since_last_order', '<=', 30)]",
            "[('client_days_since_last_order', 'in', [7, 14]), ('client_stage', '=', 'new')]",
            # the day of the last contact: a column of the client's row the interactions keep
            "[('client_last_contact_date', '=', False)]",
            "['|', ('client_days_since_last_contact', '>', 90), ('client_last_contact_date', '=', False)]",
        ):
            segment = self.Segment.new({"name": "Probe", "domain": domain})
            self.assertEqual(segment.refresh_scope, "changed", domain)

    def test_incremental_refresh_equals_a_whole_one(self):
        rng = random.Random(20261207)
        clients = [
            self._client(f"Member {i}", city=rng.choice(["Moscow", "Kazan", False])) for i in range(30)
        ]
        contacts = [
            self.Partner.create({"name": f"Reader {i}", "parent_id": clients[i].id}) for i in range(4)
        ]
        for client in clients:
            for _n in range(rng.randint(0, 5)):
                self._order(client, rng.randint(1, 40) * 25.0, days_ago=rng.randint(0, 400))
        self._recompute(full=True)
        self.assertEqual([m[:2] for m in self._members()], self._expected())
        kinds = set()
        scoped_rounds = 0
        for _round in range(8):
            for _change in range(rng.randint(1, 4)):
                kinds.add(self._random_change(rng, clients, contacts))
            history = self._history()
            with patch.object(members, "refresh", wraps=members.refresh) as refresh:
                self._recompute()
            whole = {sid for c in refresh.call_args_list if not c.kwargs.get("scoped") for sid in c.args[1]}
            self.assertFalse(
                whole & set(self.segments.ids), f"round {_round}: only the changed clients compared"
            )
            scoped_rounds += any(c.kwargs.get("scoped") for c in refresh.call_args_list)
            incremental = self._members()
            self.assertEqual(
                [m[:2] for m in incremental], self._expected(), f"round {_round}: the ORM finds others"
            )
            # a whole refresh of every segment finds nothing to write
            self.assertEqual(
                self._active()._refresh_members(), (0, 0), f"round {_round}: a whole refresh differs"
            )
            self.assertEqual(self._members(), incremental, "no membership rewritten")
            # the same night again: nothing to compare, nothing written, no history
            history = self._history()
            with patch.object(members, "refresh", wraps=members.refresh) as refresh:
                self._recompute()
            self.assertFalse([c for c in refresh.call_args_list if c.kwargs.get("scoped")])
            self.assertEqual(self._members(), incremental, "a run twice changes nothing")
            self.assertEqual(self._history(), history, "no history without a change")
        self.assertGreaterEqual(len(kinds), 5, "the random sequence covers most kinds of change")
        self.assertGreaterEqual(scoped_rounds, 5, "most rounds changed something")

    def _random_change(self, rng, clients, contacts):
        """One change by one of the doors users use: an order confirmed or cancelled, a stage,
        VIP or warmth set by hand, the client handed over, moved, a new client, a contact
        turned mailing-only."""
        client = rng.choice(clients)
        kind = rng.choice(
            ["order", "order", "cancel", "stage", "vip", "warmth", "handover", "city", "new", "mailing"]
        )
        if kind == "order":
            self._order(client, rng.randint(1, 40) * 25.0, days_ago=rng.randint(0, 30))
        elif kind == "cancel":
            orders = self.env["sale.order"].search([("partner_id", "=", client.id), ("state", "=", "sale")])
            if orders:
                rng.choice(orders)._action_cancel()
        elif kind == "stage":
            client.client_stage = rng.choice(["loyal", "inactive", False])
        elif kind == "vip":
            client.client_is_vip = not client.client_is_vip
        elif kind == "warmth":
            client.client_warmth = rng.choice(["hot", "cold"])
        elif kind == "handover":
            client.user_id = rng.choice([self.user_salesman, self.user_salesman_2, self.env["res.users"]])
        elif kind == "city":
            client.city = rng.choice(["Moscow", "Tver"])
        elif kind == "new":
            clients.append(self._client(f"Newcomer {len(clients)}"))
        elif kind == "mailing":
            contact = rng.choice(contacts)
            contact.client_mailing_only = not contact.client_mailing_only
        self.env.flush_all()
        self.env.invalidate_all()
        return kind

    def test_real_changes_only(self):
        """A stage set by hand and an order: one history row each, the memberships they move
        and nothing else; a second night writes nothing."""
        a, b = self._client("Stage A"), self._client("Stage B")
        self._order(a, 100.0, days_ago=5)
        self._order(b, 700.0, days_ago=5)
        self._recompute(full=True)
        before = self._members()
        history = self._history()
        a.client_stage = "loyal"
        self._order(b, 50.0, days_ago=1)
        self._recompute()
        after = self._members()
        active_or_loyal = self.segments.filtered(lambda s: s.name == "Active or loyal")
        two_to_four = self.segments.filtered(lambda s: s.name == "Two to four orders")
        self.assertIn((active_or_loyal.id, a.id), [m[:2] for m in after])
        self.assertIn((two_to_four.id, b.id), [m[:2] for m in after])
        unchanged = [m for m in before if m[1] not in (a.id, b.id)]
        self.assertEqual(
            [m for m in after if m[1] not in (a.id, b.id)], unchanged, "the other memberships' rows are kept"
        )
        new_history = [h for h in self._history() if h not in history]
        self.assertIn((a.id, "stage", "new", "loyal"), [h[1:] for h in new_history])
        self.assertFalse(
            [h for h in new_history if h[1] not in (a.id, b.id)], "history of the changed clients only"
        )
        # the second night
        history = self._history()
        self.assertEqual(self.figures._refresh_user_segments(), (0, 0))
        self.assertEqual(self._history(), history)
        self.assertEqual(self._members(), after)

    def _refreshed_segments(self):
        """The ids of the segments the user segments' refresh compares, and its result."""
        with patch.object(members, "refresh", wraps=members.refresh) as refresh:
            result = self.figures._refresh_user_segments()
        return {segment_id for call in refresh.call_args_list for segment_id in call.args[1]}, result

    def test_nothing_noted_costs_no_statement_per_segment(self):
        never_contacted = self.Segment.create(
            {"name": "Never contacted", "domain": "[('client_last_contact_date', '=', False)]"}
        )
        self._order(self._client("Quiet"), 100.0, days_ago=5)
        self._recompute(full=True)
        refreshed, result = self._refreshed_segments()
        self.assertEqual(result, (0, 0))
        self.assertFalse(refreshed & set(self.segments.ids), "the incremental segments are current")
        self.assertIn(self.whole_segment.id, refreshed, "the others are compared over the whole base")
        self.assertNotIn(never_contacted.id, refreshed, "the last contact is noted with the client's row")
        # the overdue move every day: their members follow
        with freeze_time("2026-04-20 10:00:00"):
            refreshed, _result = self._refreshed_segments()
            self.assertFalse(refreshed & set(self.segments.ids))
            self.assertIn(self.whole_segment.id, refreshed)
            self.assertEqual([m[:2] for m in self._members()], self._expected(), "40 days later")

    def test_days_since_the_last_order_compare_the_clients_whose_days_crossed(self):
        """A segment on the days since the last order is refreshed for the changed clients and
        for those whose days crossed its numbers since its last refresh, never over the whole
        base; its members are the ORM's every day, across several days skipped."""
        recent = self.Segment.create(
            {"name": "Bought this month", "domain": "[('client_days_since_last_order', '<=', 30)]"}
        )
        sleeping = self.Segment.create(
            {
                "name": "Sleeping",
                "domain": "[('client_days_since_last_order', '>', 60), ('client_order_count', '>', 0)]",
            }
        )
        dated = recent | sleeping
        self.assertEqual(set(dated.mapped("refresh_scope")), {"changed"})
        for days_ago in (1, 5, 25, 29, 31, 45, 58, 61, 70, 200):
            self._order(self._client(f"Dated {days_ago}"), 100.0, days_ago=days_ago)
        self._recompute(full=True)
        self.assertEqual([m[:2] for m in self._members(dated)], self._expected(dated))
        moved = 0
        for day in ("2026-03-11", "2026-03-12", "2026-03-15", "2026-03-16", "2026-04-02", "2026-05-30"):
            before = self._members(dated)
            with freeze_time(f"{day} 02:00:00"):
                with patch.object(members, "refresh", wraps=members.refresh) as refresh:
                    self.figures._refresh_user_segments()
                whole = {
                    sid for c in refresh.call_args_list if not c.kwargs.get("scoped") for sid in c.args[1]
                }
                self.assertFalse(whole & set(dated.ids), f"{day}: never over the whole base")
                self.assertEqual([m[:2] for m in self._members(dated)], self._expected(dated), day)
            moved += before != self._members(dated)
        self.assertGreaterEqual(moved, 4, "the days moved clients in and out on most of those days")

    def test_days_since_the_last_contact_compare_the_changed_and_crossed_clients(self):
        """A segment on the last contact (kept in the client's row by the interactions) is
        refreshed for the clients whose contact was logged and for those whose days since it
        crossed its numbers, never over the whole base; its members are the ORM's every day."""
        forgotten = self.Segment.create(
            {
                "name": "No contact for 3 months",
                "domain": "['|', ('client_days_since_last_contact', '>', 90),"
                " ('client_last_contact_date', '=', False)]",
            }
        )
        recent = self.Segment.create(
            {"name": "Contacted this week", "domain": "[('client_days_since_last_contact', '<=', 7)]"}
        )
        contacted = forgotten | recent
        self.assertEqual(set(contacted.mapped("refresh_scope")), {"changed"})
        clients = {}
        for days_ago in (1, 6, 8, 60, 89, 91, 120):
            clients[days_ago] = self._client(f"Contacted {days_ago}")
            self._log_interaction(clients[days_ago], days_ago=days_ago)
        silent = self._client("Never contacted")
        self._recompute(full=True)
        self.assertEqual([m[:2] for m in self._members(contacted)], self._expected(contacted))
        moved = 0
        for day in ("2026-03-11", "2026-03-13", "2026-03-20", "2026-04-10", "2026-06-15"):
            before = self._members(contacted)
            with freeze_time(f"{day} 02:00:00"):
                if day == "2026-03-20":
                    # a contact logged: noted with the client's row, compared the next night
                    self._log_interaction(silent)
                    self._log_interaction(clients[89])
                with patch.object(members, "refresh", wraps=members.refresh) as refresh:
                    self.figures._refresh_user_segments()
                whole = {
                    sid for c in refresh.call_args_list if not c.kwargs.get("scoped") for sid in c.args[1]
                }
                self.assertFalse(whole & set(contacted.ids), f"{day}: never over the whole base")
                self.assertEqual([m[:2] for m in self._members(contacted)], self._expected(contacted), day)
            moved += before != self._members(contacted)
        self.assertGreaterEqual(moved, 4, "the days and the contacts moved clients on most of those days")

    def test_new_conditions_and_a_full_run_compare_the_whole_base(self):
        big = self._client("Big")
        self._order(big, 900.0, days_ago=5)
        self._recompute(full=True)
        segment = self.segments.filtered(lambda s: s.name == "Revenue over 500")
        self.assertIn(big, segment.partner_ids)
        segment.domain = "[('client_revenue', '>', 1000)]"
        self.assertFalse(segment.last_refresh, "the members are the former conditions'")
        self._recompute()
        self.assertNotIn(big, segment.partner_ids)
        # a membership lost by SQL comes back with the next full run (its bulk writes note it)
        self.env.cr.execute("DELETE FROM clientbase_segment_member WHERE partner_id = %s", big.ids)
        self._recompute(full=True)
        self.assertEqual([m[:2] for m in self._members()], self._expected())

    def _estimated_rows(self):
        self.env.cr.execute(
            "SELECT reltuples FROM pg_class WHERE oid = 'clientbase_segment_member'::regclass"
        )
        return self.env.cr.fetchone()[0]

    def test_a_refresh_that_moved_a_share_of_the_table_refreshes_its_statistics(self):
        """The queries reading the members next (the mailing wizard's count) are planned on the
        table's real size after a fill, not on the size before it."""
        for name in ("First", "Second", "Third", "Fourth", "Fifth", "Sixth"):
            self._order(self._client(name), 150.0, days_ago=3)
        self._recompute(full=True)
        self.env.cr.execute("SELECT count(*) FROM clientbase_segment_member")
        total = self.env.cr.fetchone()[0]
        self.assertGreater(total, 1)
        self.env.cr.execute("ANALYZE clientbase_segment_member")
        with patch.object(members, "ANALYZE_MIN_ROWS", 1):
            # one row of a table analyzed just now: its statistics are left to autovacuum
            self.assertFalse(members.analyze_if_moved(self.env.cr, 1))
            # the table emptied, then filled by a whole refresh: analyzed, it knows its size
            self.env.cr.execute("DELETE FROM clientbase_segment_member")
            self.env.cr.execute("ANALYZE clientbase_segment_member")
            self.assertEqual(self._estimated_rows(), 0)
            self._active()._refresh_member_rows()
            self.assertEqual(self._estimated_rows(), total)
        # below the minimum of rows, a small table is not analyzed after every change
        self.assertFalse(members.analyze_if_moved(self.env.cr, members.ANALYZE_MIN_ROWS - 1))

    def test_one_pass_equals_each_segments_query(self):
        """The segments reading only the client's own columns and figures are computed in one
        pass over the partners; its rows are each segment's own query's (Odoo's ``_search`` of
        its conditions), over the whole base and for some clients; the others take the general
        path and every segment's members are what the ORM finds."""
        rng = random.Random(32)
        clients = [
            self._client(
                f"Pass {i}",
                city=rng.choice(["Moscow", "Kazan", False]),
                email=rng.choice([f"p{i}@one.example.com", f"p{i}@two.example.com", False]),
                user_id=rng.choice([self.user_salesman.id, False]),
            )
            for i in range(24)
        ]
        person = self.Partner.create({"name": "Pass person", "email": "person@one.example.com"})
        contact = self.Partner.create({"name": "Pass contact", "parent_id": clients[0].id})
        self.Partner.create(
            {
                "name": "Pass reader",
                "parent_id": clients[1].id,
                "client_mailing_only": True,
                "email": "r@x.example.com",
            }
        )
        for client in [*clients, person]:
            for _n in range(rng.randint(0, 4)):
                self._order(client, rng.randint(1, 40) * 25.0, days_ago=rng.randint(0, 400))
        self._order(contact, 80.0, days_ago=3)
        self._recompute(full=True)
        clients[2].write({"client_stage": "lost", "client_churn_reason": "Moved away"})
        clients[3].client_is_vip = True
        clients[4].client_warmth = "hot"
        clients[5].active = False
        self.env.flush_all()
        segments = self.Segment.create(
            [
                {"name": name, "domain": domain}
                for name, domain in {**ONE_PASS_DOMAINS, **GENERAL_DOMAINS}.items()
            ]
        )
        conditions, general = segments._get_one_pass_conditions()
        self.assertEqual(sorted(general.mapped("name")), sorted(GENERAL_DOMAINS))
        self.assertEqual(list(conditions), [self.env.company])
        self.assertEqual(len(conditions[self.env.company]), len(ONE_PASS_DOMAINS))
        partners = self.env["res.partner"].sudo()
        some = [c.id for c in clients[::3]] + [person.id, contact.id]
        for scope, domain in ((None, []), (SQL("(SELECT unnest(%s::int[]))", some), [("id", "in", some)])):
            rows = self.env.execute_query(
                one_pass.members_select(partners, conditions[self.env.company], scope)
            )
            expected = []
            for segment in segments - general:
                ids = self.env.execute_query(
                    SQL("SELECT id FROM (%s) q(id)", segment._get_member_query(domain))
                )
                expected += [(segment.id, row[0]) for row in ids]
            self.assertEqual(rows, sorted(expected), "in (segment, client) order, each segment's members")
        # most kinds have members and non-members on this base: the comparison says something
        rows = self.env.execute_query(one_pass.members_select(partners, conditions[self.env.company]))
        audience = len(self._expected(self.Segment.new({"name": "All", "domain": "[]"})))
        counts = [len([r for r in rows if r[0] == segment.id]) for segment in segments - general]
        self.assertGreaterEqual(len([n for n in counts if 0 < n < audience]), len(ONE_PASS_DOMAINS) // 2)
        # through the refresh (one statement for the one-pass segments): the ORM's members
        with patch.object(members, "refresh", wraps=members.refresh) as refresh:
            segments._refresh_members()
        batches = [set(call.args[1]) for call in refresh.call_args_list]
        self.assertIn(set((segments - general).ids), batches, "one statement for the one-pass segments")
        self.assertEqual([m[:2] for m in self._members(segments)], self._expected(segments))
        # a second refresh writes nothing
        self.assertEqual(segments._refresh_members(), (0, 0))
