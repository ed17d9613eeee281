import ast
import random
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .common import ClientbaseSalesCommon

# every value the engine writes, to compare an incremental run with a full one
FIGURES_COLUMNS = (
    "partner_id, company_id, first_order_date, last_order_date, order_count, revenue, discounted_order_count,"
    " window_order_count, window_revenue, open_opportunity_count, max_opportunity_probability,"
    " last_engagement_date, stage, warmth, rfm_recency, rfm_frequency, rfm_monetary, rfm_segment, abc_class,"
    " persona_suggested, stage_manual, vip_manual, warmth_manual, is_vip"
)


@tagged("post_install", "-at_install", "clientbase_segment")
class TestSegmentIncremental(ClientbaseSalesCommon):
    """The nightly run refreshes only what can have changed, and its result is the full run's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mailing = cls.env["mailing.mailing"].create(
            {
                "subject": "Segment news",
                "mailing_model_id": cls.env["ir.model"]._get_id("res.partner"),
                "body_html": "<p>News</p>",
            }
        )

    def _figures(self):
        self.env.flush_all()
        self.env.cr.execute(
            f"SELECT {FIGURES_COLUMNS} FROM clientbase_client_figures ORDER BY partner_id, company_id"
        )
        return self.env.cr.fetchall()

    def _reports(self):
        """What the reports show after the nightly job: the Clients Analysis by each segment
        (count, revenue, orders) and the month's snapshots the movement matrix reads."""
        self.env["clientbase.report.monthly"]._cron_refresh()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "clientbase_crm.res_partner_action_clientbase_analysis"
        )
        Partner = self.env["res.partner"]
        analysis = {
            groupby: sorted(
                (str(g[groupby]), g["__count"], round(g["client_revenue"] or 0, 2), g["client_order_count"])
                for g in Partner.read_group(
                    ast.literal_eval(action["domain"]),
                    ["client_revenue:sum", "client_order_count:sum"],
                    [groupby],
                    lazy=False,
                )
            )
            for groupby in ("client_stage", "client_rfm_segment", "client_abc_class", "client_warmth")
        }
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT partner_id, month_from, month_to, stage, rfm_segment, abc_class, warmth, persona"
            " FROM clientbase_segment_snapshot ORDER BY partner_id, month_from"
        )
        return analysis, self.env.cr.fetchall()

    def _history(self):
        self.env.cr.execute(
            "SELECT partner_id, dimension, old_value, new_value FROM clientbase_segment_history"
            " ORDER BY partner_id, dimension, id"
        )
        return self.env.cr.fetchall()

    def _trace(self, partner, days_ago):
        opened = fields.Datetime.now() - timedelta(days=days_ago)
        return self.env["mailing.trace"].create(
            {
                "model": "res.partner",
                "res_id": partner.id,
                "email": "x@example.com",
                "mass_mailing_id": self.mailing.id,
                "trace_status": "open",
                "open_datetime": opened,
            }
        )

    def _random_change(self, rng, clients, contacts):
        """One change of an input, by one of the doors users and other modules use."""
        cr = self.env.cr
        client = rng.choice(clients)
        orders = self.env["sale.order"].search(
            [("partner_id", "child_of", client.id), ("state", "=", "sale")]
        )
        kind = rng.choice(
            [
                "order",
                "order",
                "cancel",
                "reprice_sql",
                "redate_sql",
                "move_order",
                "delete_sql",
                "lead",
                "lead_won",
                "trace",
                "manual",
                "manual_reset",
                "contact_moves",
                "mailing_only",
            ]
        )
        if kind == "order":
            self._order(
                rng.choice(clients + contacts),
                rng.randint(1, 50) * 10.0,
                days_ago=rng.randint(0, 500),
                discount=rng.choice([0, 0, 15]),
            )
        elif kind == "cancel" and orders:
            rng.choice(orders)._action_cancel()
        elif kind == "reprice_sql" and orders:
            cr.execute(
                "UPDATE sale_order SET amount_untaxed = amount_untaxed * 1.5 WHERE id = %s",
                [rng.choice(orders).id],
            )
        elif kind == "redate_sql" and orders:
            cr.execute(
                "UPDATE sale_order SET date_order = date_order - interval '40 days' WHERE id = %s",
                [rng.choice(orders).id],
            )
        elif kind == "move_order" and orders:
            rng.choice(orders).partner_id = rng.choice(clients)
        elif kind == "delete_sql" and orders:
            order = rng.choice(orders)
            cr.execute("DELETE FROM sale_order_line WHERE order_id = %s", order.ids)
            cr.execute("DELETE FROM sale_order WHERE id = %s", order.ids)
        elif kind == "lead":
            self.env["crm.lead"].create(
                {
                    "name": "Deal",
                    "type": "opportunity",
                    "partner_id": client.id,
                    "probability": rng.choice([10, 80]),
                }
            )
        elif kind == "lead_won":
            leads = self.env["crm.lead"].search([("partner_id", "=", client.id)])
            if leads:
                rng.choice(leads).write({"probability": 100})
        elif kind == "trace":
            self._trace(rng.choice([client, *client.child_ids]), rng.randint(0, 120))
        elif kind == "manual":
            client.write(
                rng.choice([{"client_stage": "loyal"}, {"client_is_vip": True}, {"client_warmth": "hot"}])
            )
        elif kind == "manual_reset":
            client.action_client_reset_segments()
        elif kind == "contact_moves":
            rng.choice(contacts).parent_id = rng.choice(clients)
        elif kind == "mailing_only":
            contact = rng.choice(contacts)
            contact.client_mailing_only = not contact.client_mailing_only
        self.env.flush_all()
        self.env.invalidate_all()
        return kind

    def test_incremental_result_equals_a_full_run(self):
        rng = random.Random(20261129)
        clients = [self._client(f"Inc {i}") for i in range(40)]
        contacts = [
            self.Partner.create({"name": f"Contact {i}", "parent_id": clients[i].id}) for i in range(6)
        ]
        for client in clients + contacts:
            for _n in range(rng.randint(0, 5)):
                self._order(
                    client,
                    rng.randint(1, 40) * 25.0,
                    days_ago=rng.randint(0, 420),
                    discount=rng.choice([0, 0, 10]),
                )
        self._trace(clients[1], 20)
        self._recompute(full=True)
        day = fields.Date.today()
        kinds = set()
        moved = 0
        for _round in range(12):
            day += timedelta(days=rng.choice([0, 1, 1, 3, 30]))
            with freeze_time(datetime.combine(day, datetime.min.time()) + timedelta(hours=12)):
                for _change in range(rng.randint(1, 5)):
                    kinds.add(self._random_change(rng, clients, contacts))
                self.env.cr.execute("DELETE FROM clientbase_segment_history")
                with self.assertLogs("odoo.addons.clientbase_crm.segmentation.engine", "DEBUG") as logs:
                    self.assertIn(self.figures._run_engine(), ("incremental", "none"))
                moved += sum("cuts moved" in line for line in logs.output)
                incremental, history = self._figures(), self._history()
                # every fourth round, the reports built on the incremental run too
                reports = self._reports() if _round % 4 == 3 else None
                self.assertEqual(self.figures._run_engine(full=True), "full")
                self.assertEqual(self._figures(), incremental, f"round {_round}: the full run differs")
                self.assertEqual(self._history(), history, "a full run after it finds nothing to record")
                if reports:
                    self.assertEqual(self._reports(), reports, f"round {_round}: the reports differ")
        self.assertGreaterEqual(len(kinds), 10, "the random sequence covers most kinds of change")
        self.assertGreaterEqual(moved, 4, "most incremental runs move the cuts instead of counting again")

    def test_change_tracking_notes_only_the_clients_concerned(self):
        a, b, c = self._client("Track A"), self._client("Track B"), self._client("Track C")
        contact = self.Partner.create({"name": "Track contact", "parent_id": a.id})
        order = self._order(contact, 100.0, days_ago=3)
        draft = self._order(c, 100.0, days_ago=3, state="draft")
        self._recompute(full=True)
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM clientbase_segment_change")
        # a draft order and an unrelated write are no input of the figures
        draft.write({"note": "<p>call first</p>"})
        c.write({"comment": "<p>note</p>"})
        self.env["mailing.trace"].create(
            {
                "model": "res.partner",
                "res_id": c.id,
                "email": "c@example.com",
                "mass_mailing_id": self.mailing.id,
            }
        )
        self.env.flush_all()
        self.env.cr.execute("SELECT COUNT(*) FROM clientbase_segment_change")
        self.assertEqual(
            self.env.cr.fetchone()[0], 0, "sent but not opened, drafts, notes: nothing to recompute"
        )
        # the contact moves to another company: both companies are refreshed
        contact.parent_id = b
        self.env.flush_all()
        self.env.cr.execute("SELECT DISTINCT partner_id FROM clientbase_segment_change")
        self.assertEqual({r[0] for r in self.env.cr.fetchall()}, {contact.id, a.id, b.id})
        self.assertEqual(self.figures._run_engine(), "incremental")
        self.env.invalidate_all()
        self.assertEqual((a.client_order_count, b.client_order_count), (0, 1))
        self.assertEqual(order.partner_id.commercial_partner_id, b)

    def test_merged_clients_are_refreshed(self):
        """Odoo's merge re-points the orders and mailing traces by SQL and deletes the merged
        partner: the next incremental run gives the kept client everything."""
        kept, merged = self._client("Merge kept"), self._client("Merge gone")
        self._order(kept, 100.0, days_ago=10)
        self._order(merged, 250.0, days_ago=5)
        self._order(merged, 50.0, days_ago=400)
        self._recompute(full=True)
        self.env["base.partner.merge.automatic.wizard"]._merge((kept | merged).ids, kept)
        self.env.flush_all()
        self.assertEqual(self.figures._run_engine(), "incremental")
        self.env.invalidate_all()
        self.assertEqual((kept.client_order_count, kept.client_revenue), (3, 400.0))
        self.assertFalse(merged.exists())
        self.assertFalse(self.figures.search([("partner_id", "=", merged.id)]))
        incremental = self._figures()
        self.assertEqual(self.figures._run_engine(full=True), "full")
        self.assertEqual(self._figures(), incremental)

    def test_settings_and_truncate_ask_for_a_full_run(self):
        self._recompute(full=True)
        self.company.write({"client_inactive_days": 200})
        self.assertEqual(self.figures._run_engine(), "full")
        self.assertEqual(self.figures._run_engine(), "none")
        self.env.cr.execute("TRUNCATE clientbase_segment_history, mailing_trace CASCADE")
        self.assertEqual(self.figures._run_engine(), "full")

    def test_upgrade_from_the_statement_watch_runs_full(self):
        """An earlier version noted changes without naming clients: after the upgrade, the
        first run is a full one and the former table is gone."""
        self._recompute(full=True)
        self.env.cr.execute("CREATE TABLE clientbase_source_change (xact bigint PRIMARY KEY, source varchar)")
        self.env["clientbase.client.figures"].init()
        self.env.cr.execute("SELECT to_regclass('clientbase_source_change')")
        self.assertIsNone(self.env.cr.fetchone()[0])
        self.assertEqual(self.figures._run_engine(), "full")

    def test_full_run_setting(self):
        self._recompute(full=True)
        settings = self.env["res.config.settings"].create({"client_segment_full_run": True})
        settings.execute()
        self.assertEqual(self.figures._run_engine(), "full")
        self.assertEqual(self.figures._run_engine(), "full", "every night, even with nothing changed")

    def test_first_population_builds_the_rankings_indexes_after_the_rows(self):
        self._order(self._client("First"), 100.0, days_ago=3)
        self.env.cr.execute("DELETE FROM clientbase_client_figures")
        self._recompute(full=True)
        self.env.cr.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'clientbase_client_figures' AND indexname LIKE %s",
            ["clientbase_client_figures_%_idx"],
        )
        self.assertEqual(
            {row[0] for row in self.env.cr.fetchall()},
            {
                "clientbase_client_figures_recency_idx",
                "clientbase_client_figures_frequency_idx",
                "clientbase_client_figures_monetary_idx",
                "clientbase_client_figures_abc_idx",
            },
        )

    def test_full_run_server_action(self):
        client = self._client("Whole base")
        self._order(client, 100.0, days_ago=3)
        self._recompute(full=True)
        self.env.cr.execute(
            "UPDATE clientbase_client_figures SET order_count = 99 WHERE partner_id = %s", client.ids
        )
        action = self.env.ref("clientbase_crm.action_server_recompute_client_segments_full")
        result = action.with_user(self.user_manager).run()
        self.assertEqual(result["params"]["type"], "success")
        self.env.invalidate_all()
        self.assertEqual(client.client_order_count, 1, "a full run reads every client again")

    def test_the_day_a_client_becomes_inactive(self):
        """Inactive when the last order is more than the threshold old: a run the next day
        moves the client although none of its inputs changed."""
        days = self.company.client_inactive_days
        client = self._client("Sleeper")
        self._order(client, 100.0, days_ago=days + 400)
        self._order(client, 100.0, days_ago=days)
        self._recompute(full=True)
        self.assertEqual(client.client_stage, "active")
        with freeze_time(fields.Date.today() + timedelta(days=1)):
            self.assertEqual(self.figures._run_engine(), "incremental")
            self.env.invalidate_all()
            self.assertEqual(client.client_stage, "inactive")
            self.env.cr.execute(
                "SELECT old_value, new_value FROM clientbase_segment_history"
                " WHERE partner_id = %s AND dimension = 'stage'",
                client.ids,
            )
            self.assertEqual(self.env.cr.fetchall()[-1], ("active", "inactive"))

    def test_the_day_a_client_turns_cold(self):
        """Warm while the last order is within the warmth window (more than the new-client
        period ago, no opportunity, no mailing reaction), cold the day after it leaves it."""
        days = self.company.client_warmth_days
        client = self._client("Cooling")
        self._order(client, 100.0, days_ago=days - 1)
        self._recompute(full=True)
        self.assertEqual(client.client_warmth, "warm")
        with freeze_time(fields.Date.today() + timedelta(days=1)):
            self.assertEqual(self.figures._run_engine(), "incremental")
            self.env.invalidate_all()
            self.assertEqual(client.client_warmth, "cold")

    def test_a_client_without_orders_turns_cold_when_its_reaction_leaves_the_window(self):
        """Warmth by a reaction to a mailing alone (no order): the day the reaction is older than
        the warmth window, the incremental run makes the client cold."""
        days = self.company.client_warmth_days
        client = self._client("Reader")
        self._trace(client, days - 1)
        self._recompute(full=True)
        self.assertEqual(client.client_warmth, "warm")
        with freeze_time(fields.Date.today() + timedelta(days=2)):
            self.assertEqual(self.figures._run_engine(), "incremental")
            self.env.invalidate_all()
            self.assertEqual(client.client_warmth, "cold")

    def test_an_order_leaving_the_rfm_window(self):
        days = self.company.client_rfm_days
        client = self._client("Window")
        self._order(client, 100.0, days_ago=days - 1)
        self._order(client, 300.0, days_ago=2)
        self._recompute(full=True)
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT window_order_count, window_revenue FROM clientbase_client_figures WHERE partner_id = %s",
            client.ids,
        )
        self.assertEqual(self.env.cr.fetchone(), (2, 400.0))
        with freeze_time(fields.Date.today() + timedelta(days=1)):
            self.assertEqual(self.figures._run_engine(), "incremental")
            self.env.cr.execute(
                "SELECT window_order_count, window_revenue FROM clientbase_client_figures WHERE partner_id = %s",
                client.ids,
            )
            self.assertEqual(self.env.cr.fetchone(), (1, 300.0))

    def test_scores_are_ntile_and_running_sums(self):
        """The cuts found by counting give what ntile(5) and the running sums of the rules give,
        on a base with ties of every value."""
        rng = random.Random(7)
        clients = [self._client(f"Rank {i}") for i in range(53)]
        for client in clients:
            for _n in range(rng.randint(1, 3)):
                self._order(
                    client,
                    rng.choice([50.0, 100.0, 100.0, 250.0, 999.99]),
                    days_ago=rng.choice([1, 5, 5, 90]),
                )
        self._recompute(full=True)
        t = {"a": self.company.client_abc_a_percent / 100, "b": self.company.client_abc_b_percent / 100}
        self.env.cr.execute(
            """
            SELECT partner_id, rfm_recency, rfm_frequency, rfm_monetary, abc_class,
                   NTILE(5) OVER (ORDER BY last_order_date, partner_id),
                   NTILE(5) OVER (ORDER BY window_order_count, partner_id),
                   NTILE(5) OVER (ORDER BY window_revenue, partner_id),
                   SUM(ROUND(window_revenue * 100)) OVER (ORDER BY window_revenue DESC, partner_id
                                                          ROWS UNBOUNDED PRECEDING) - ROUND(window_revenue * 100),
                   SUM(ROUND(window_revenue * 100)) OVER ()
              FROM clientbase_client_figures
             WHERE company_id = %s AND window_order_count > 0 AND window_revenue > 0
            """,
            [self.company.id],
        )
        rows = self.env.cr.fetchall()
        self.assertGreater(len(rows), 50)
        for pid, r, f, m, abc, nr, nf, nm, before, total in rows:
            expected_abc = "a" if before < t["a"] * total else "b" if before < t["b"] * total else "c"
            self.assertEqual((r, f, m, abc), (nr, nf, nm, expected_abc), f"client {pid}")
