# Two real transactions must commit to see each other: this test commits on its own cursors
# (never the test framework's) and removes what it committed.
# pylint: disable=invalid-commit
import time
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install", "clientbase_segment")
class TestConcurrentRecompute(BaseCase):
    """A user's write and the nightly recompute on the same client, in two real transactions:
    neither waits for the other (the engine skips the row the user holds and notes it), and the
    next run leaves the figures right. Committed data, removed at the end."""

    def setUp(self):
        super().setUp()
        self.dbname = get_db_name()
        self.registry = Registry(self.dbname)
        self.ids = {}
        self.addCleanup(self._cleanup)

    def _cursor(self):
        return db_connect(self.dbname).cursor()

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})

    def _order(self, env, partner, amount):
        order = env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    (0, 0, {"product_id": self.ids["product"], "price_unit": amount, "tax_id": False})
                ],
            }
        )
        order.action_confirm()
        self.ids.setdefault("orders", []).append(order.id)
        return order

    def _committed_client(self, name):
        """A client with one order of 100 and its figures, committed."""
        with self._cursor() as cr:
            env = self._env(cr)
            self.ids["product"] = (
                env["product.product"].create({"name": f"{name} product", "list_price": 10}).id
            )
            partner = env["res.partner"].create({"name": name, "is_company": True})
            self.ids["partner"] = partner.id
            self._order(env, partner, 100)
            env["clientbase.client.figures"]._run_engine()
            cr.commit()

    def _cleanup(self):
        with self._cursor() as cr:
            cr.execute("DELETE FROM sale_order WHERE id = ANY(%s)", [self.ids.get("orders", [])])
            if self.ids.get("partner"):
                cr.execute("DELETE FROM res_partner WHERE id = %s", [self.ids["partner"]])
            if self.ids.get("product"):
                cr.execute(
                    "DELETE FROM product_template WHERE id IN (SELECT product_tmpl_id FROM product_product WHERE id = %s)",
                    [self.ids["product"]],
                )
            cr.commit()

    def test_a_user_write_and_the_recompute_do_not_wait_for_each_other(self):
        self._committed_client("Concurrency Client LLC")

        user_cr = self._cursor()
        try:
            # the user marks the client VIP and has not saved yet: the figures row is locked
            user_env = self._env(user_cr)
            user_env["res.partner"].browse(self.ids["partner"]).write({"client_is_vip": True})
            user_env.flush_all()
            # meanwhile a new order arrives, and the nightly recompute runs
            with self._cursor() as cr:
                env = self._env(cr)
                self._order(env, env["res.partner"].browse(self.ids["partner"]), 50)
                cr.commit()
            with self._cursor() as cr:
                cr.execute("SET LOCAL lock_timeout = '10s'")  # a wait would fail here, not hang
                start = time.time()
                self._env(cr)["clientbase.client.figures"]._run_engine()
                cr.commit()
                self.assertLess(time.time() - start, 10, "the recompute did not wait for the user")
            user_cr.commit()
        finally:
            user_cr.close()

        # the next run catches the client it skipped: both writes are there
        with self._cursor() as cr:
            env = self._env(cr)
            env["clientbase.client.figures"]._run_engine()
            cr.commit()
            cr.execute(
                "SELECT order_count, revenue, vip_manual, is_vip FROM clientbase_client_figures WHERE partner_id = %s",
                [self.ids["partner"]],
            )
            self.assertEqual(cr.fetchall(), [(2, 150.0, "yes", True)])

    def test_the_nightly_job_retries_a_step_a_user_raced(self):
        """The job read the base, then a salesperson saved the same client: PostgreSQL refuses the
        job's write (a serialization failure under Odoo's REPEATABLE READ). In the cron worker
        the step is rolled back and run again on a fresh snapshot; both changes are kept."""
        self._committed_client("Race Client LLC")
        with self._cursor() as cr:
            env = self._env(cr)
            self._order(env, env["res.partner"].browse(self.ids["partner"]), 70)
            cr.commit()
        with self._cursor() as job_cr:
            job_env = api.Environment(job_cr, SUPERUSER_ID, {"cron_id": 1, "tracking_disable": True})
            # the job's snapshot is taken by its first query
            job_cr.execute("SELECT COUNT(*) FROM clientbase_client_figures")
            with self._cursor() as cr:
                self._env(cr)["res.partner"].browse(self.ids["partner"]).write({"client_is_vip": True})
                cr.commit()
            # the refused statement is logged by the cursor as a bad query: expected here
            with (
                patch("odoo.addons.clientbase_crm.tools.concurrency.time.sleep") as paused,
                mute_logger("odoo.sql_db"),
            ):
                job_env["clientbase.client.figures"]._cron_recompute_client_segments()
            job_cr.commit()
        self.assertEqual(paused.call_count, 1, "the step failed once, then ran again")
        with self._cursor() as cr:
            cr.execute(
                "SELECT order_count, revenue, vip_manual FROM clientbase_client_figures WHERE partner_id = %s",
                [self.ids["partner"]],
            )
            self.assertEqual(cr.fetchall(), [(2, 170.0, "yes")])
