from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ClientbaseSalesCommon


@tagged("post_install", "-at_install", "clientbase_segment")
class TestSegmentRecompute(ClientbaseSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clients = [cls._client(f"Batch {i}") for i in range(12)]
        for i, client in enumerate(cls.clients):
            for n in range(i % 4 + 1):
                cls._order(client, 50.0 * (i + 1), days_ago=15 * i + 20 * n, discount=10 if i % 3 == 0 else 0)
        cls.env["clientbase.segment"].create(
            {"name": "Hot ones", "domain": "[('client_warmth', '=', 'hot')]"}
        )
        cls.env.flush_all()
        cls.env.cr.execute("DELETE FROM clientbase_client_figures")
        cls.env.cr.execute("DELETE FROM clientbase_segment_member")

    def _reset(self):
        self.env.cr.execute("DELETE FROM clientbase_client_figures")
        self.env.cr.execute("DELETE FROM clientbase_segment_member")
        # no complete run on record: the next run is a full one
        self.env["res.company"].search([]).write(
            {"client_segment_cursor": 0, "client_segment_done_date": False}
        )
        self.env.invalidate_all()

    def test_interrupted_run_resumes_to_same_result(self):
        self._recompute()
        one_run = self._snapshot()
        self.assertTrue(one_run[0] and one_run[1])
        self._reset()
        batch = max(c.id for c in self.clients) // 3 + 1
        self.assertEqual(self.figures._start_run(full=True), "full")
        remaining = self.figures._recompute_step(batch_size=batch)
        self.assertGreater(remaining, 0)
        self.assertGreater(self.company.client_segment_cursor, 1)
        # "crash" here; the next run resumes at the cursor
        self._recompute(batch_size=batch)
        self.assertEqual(self._snapshot(), one_run)
        self.assertEqual(self.company.client_segment_cursor, 0)

    def test_same_result_on_a_server_without_parallel_workers(self):
        self._recompute(full=True)
        one_run = self._snapshot()
        self._reset()
        self.env.cr.execute("SET max_parallel_workers_per_gather = 0")
        try:
            self._recompute(full=True)
            self.assertEqual(self._snapshot(), one_run)
        finally:
            self.env.cr.execute("RESET max_parallel_workers_per_gather")

    def test_rerun_with_nothing_changed_writes_nothing(self):
        self._recompute()
        self.env.flush_all()
        self.assertEqual(
            self.figures._refresh_clients(self.env["res.partner"].browse([c.id for c in self.clients])), 0
        )

    def test_cron_direct_and_manual_trigger(self):
        cron = self.env.ref("clientbase_crm.ir_cron_recompute_client_segments")
        self.figures._cron_recompute_client_segments()
        self.env.invalidate_all()
        expected = self._snapshot()
        self.assertTrue(expected[0])
        self._reset()
        cron.method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(self._snapshot(), expected)

    def test_cron_worker_does_one_step_per_call(self):
        self._recompute()
        expected = self._snapshot()
        self._reset()
        cron = self.env.ref("clientbase_crm.ir_cron_recompute_client_segments")
        self.env["ir.config_parameter"].sudo().set_param(
            "clientbase_crm.segment_batch_size", max(c.id for c in self.clients) // 2 + 1
        )
        calls = 0
        while True:
            calls += 1
            cron_in_worker, progress = cron.with_context(cron_id=cron.id)._add_progress()
            self.figures.with_context(**cron_in_worker.env.context)._cron_recompute_client_segments()
            if not progress.remaining:
                break
            self.assertLess(calls, 10)
        self.assertGreaterEqual(calls, 2)
        self.assertEqual(progress.done, 1)
        self.env.invalidate_all()
        self.assertEqual(self._snapshot(), expected)

    def test_server_action_on_selected_clients(self):
        action = self.env.ref("clientbase_crm.action_server_recompute_client_segments")
        client = self.clients[5]
        action.with_context(active_model="res.partner", active_ids=client.ids, active_id=client.id).run()
        self.env.invalidate_all()
        self.assertEqual(client.client_order_count, 2)
        self.assertTrue(client.client_rfm_segment)
        self.assertEqual(self.clients[6].client_order_count, 0, "only the selected clients are refreshed")

    # ------------------------------------------------------------------
    # a re-run refreshes only the clients whose inputs changed
    # ------------------------------------------------------------------
    def _plant_stale_figure(self, client):
        """Falsify a figure as the engine itself would write it (not an input, so the
        watch does not see it): it stays until a run really recomputes that client."""
        self.env.cr.execute(
            "UPDATE clientbase_client_figures SET order_count = 99 WHERE partner_id = %s", [client.id]
        )
        self.env.invalidate_all()
        self.assertEqual(client.client_order_count, 99)

    def test_rerun_without_change_refreshes_only_user_segments(self):
        # a segment reading other records (the tags: whole base every night), one reading the
        # figures only (the last contact, a column of the client's row, is noted since 2026-12)
        dated = self.env["clientbase.segment"].create(
            {"name": "Without tags", "domain": "[('category_id', '=', False)]"}
        )
        self._recompute()
        client = self.clients[3]
        self._plant_stale_figure(client)
        segment = self.env["clientbase.segment"].search([("name", "=", "Hot ones")])
        members, dated_members = segment.partner_ids, dated.partner_ids
        self.assertTrue(members and dated_members)
        self.env.cr.execute(
            "DELETE FROM clientbase_segment_member WHERE segment_id = ANY(%s)", [(segment | dated).ids]
        )
        self._recompute()
        self.assertEqual(client.client_order_count, 99, "nothing changed: the figures were not recomputed")
        self.assertEqual(
            dated.partner_ids, dated_members, "a segment reading other records is refreshed by every run"
        )
        self.assertFalse(
            segment.partner_ids, "one reading the figures compares only the changed clients: none"
        )
        segment.action_refresh()
        self.assertEqual(segment.partner_ids, members, "Refresh Members compares the whole base")

    def test_any_change_of_an_input_refreshes_its_client(self):
        client = self.clients[7]  # four orders, none discounted
        order = self.env["sale.order"].search(
            [("partner_id", "=", client.id), ("client_discounted", "=", False)], limit=1
        )
        self.assertTrue(order, "the fixture gives the client an order without a discount")
        lead_vals = {"name": "Deal", "partner_id": client.id, "type": "opportunity"}
        changes = {
            "order changed by SQL": lambda: self.env.cr.execute(
                "UPDATE sale_order SET amount_untaxed = amount_untaxed + 1 WHERE id = %s", order.ids
            ),
            "a discount on a line of an order without one": lambda: order.order_line.write({"discount": 5}),
            "new opportunity": lambda: self.env["crm.lead"].create(lead_vals),
            "company threshold (every client)": lambda: self.company.write({"client_new_days": 31}),
            "manual stage": lambda: client.write({"client_stage": "loyal"}),
            "figures deleted": lambda: self.env.cr.execute("DELETE FROM clientbase_client_figures"),
        }
        for label, change in changes.items():
            with self.subTest(change=label):
                self._recompute()
                self._plant_stale_figure(client)
                self._plant_stale_figure(self.clients[8])
                change()
                self.env.flush_all()
                self._recompute()
                self.assertEqual(client.client_order_count, 4, label)
                if label not in ("company threshold (every client)", "figures deleted"):
                    self.assertEqual(
                        self.clients[8].client_order_count, 99, f"{label}: the others are not read"
                    )
                self.clients[8].write({"client_stage": False})  # an input: the next run refreshes it

    def test_new_day_refreshes_only_the_clients_it_moves(self):
        self._recompute()
        client = self.clients[3]
        self._plant_stale_figure(client)
        with freeze_time(self.today + timedelta(days=1)):
            self.assertEqual(self.figures._run_engine(), "incremental")
            self.env.invalidate_all()
            self.assertEqual(
                client.client_order_count, 99, "no input of this client changed, no date moved it"
            )
            self.assertEqual(self.company.client_segment_done_date, self.today + timedelta(days=1))
            self.assertEqual(self.figures._run_engine(), "none")
