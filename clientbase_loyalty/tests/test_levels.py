from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install", "clientbase_loyalty")
class TestLoyaltyLevels(LoyaltyCommon):
    def test_nightly_run_gives_the_level_reached(self):
        client = self._client("Nightly Client")
        self._order(client, 30000, days_ago=40, instant=False)
        self._order(client, 25000, days_ago=10, instant=False)
        self.assertFalse(client.client_loyalty_level_id, "the figures wait for the nightly run")
        self._nightly()
        self.assertEqual(client.client_loyalty_level_id, self.silver)
        self.assertEqual(client.client_loyalty_receipts, 55000)
        self.assertEqual(client.client_loyalty_next_level_id, self.gold)
        self.assertEqual(client.client_loyalty_to_next, 95000)
        self.assertIn("Gold", client.client_loyalty_progress)
        self.assertIn("95,000", client.client_loyalty_progress)
        history = self._level_history(client)
        self.assertEqual(len(history), 1)
        self.assertEqual((history.old_label, history.new_label), ("", "Silver"))

    def test_order_confirmed_during_the_day_moves_the_level_at_once(self):
        client = self._client("Day Client")
        self._order(client, 140000)
        self.assertEqual(client.client_loyalty_level_id, self.silver)
        self._order(client, 12000)
        self.assertEqual(client.client_loyalty_level_id, self.gold, "no nightly run needed")
        self.assertFalse(client.client_loyalty_progress, "Gold is the top level")
        self.assertEqual(self._level_history(client).mapped("new_label"), ["Silver", "Gold"])
        self.assertEqual(self._level_history(client)[-1].old_label, "Silver")

    def test_threshold_is_reached_at_the_amount_itself(self):
        """Property: each client holds the level with the highest threshold not above its
        receipts, on both sides of every threshold."""
        amounts = [49999.99, 50000, 50000.01, 149999.99, 150000, 400000, 0.01]
        clients = [self._client(f"Edge {amount}") for amount in amounts]
        for client, amount in zip(clients, amounts, strict=True):
            self._order(client, amount, instant=False)
        self._nightly()
        levels = self.env["clientbase.loyalty.level"].search([("company_id", "=", self.company.id)])
        for client, amount in zip(clients, amounts, strict=True):
            expected = levels.filtered(lambda lv, a=amount: lv.threshold <= a).sorted("threshold")[-1:]
            self.assertEqual(client.client_loyalty_level_id, expected, amount)

    def test_runs_twice_write_history_once(self):
        client = self._client("Twice Client")
        self._order(client, 60000, instant=False)
        self._nightly()
        self._nightly()
        cron = self.env.ref("clientbase_crm.ir_cron_recompute_client_segments")
        cron.method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(len(self._level_history(client)), 1)
        self.assertEqual(self.Status.search_count([("partner_id", "=", client.id)]), 1)

    def test_cancelled_order_takes_the_level_back(self):
        client = self._client("Cancel Client")
        self._order(client, 40000)
        big = self._order(client, 20000)
        self.assertEqual(client.client_loyalty_level_id, self.silver)
        big._action_cancel()
        self.env.invalidate_all()
        self.assertFalse(client.client_loyalty_level_id)
        self.assertEqual(self._level_history(client).mapped("new_label"), ["Silver", ""])

    def test_level_set_by_hand_wins_with_its_reason(self):
        client = self._client("Manual Client")
        self._order(client, 60000)
        as_manager = client.with_user(self.manager)
        with self.assertRaises(ValidationError):
            as_manager.write({"client_loyalty_level_manual_id": self.gold.id})
        as_manager.write(
            {"client_loyalty_level_manual_id": self.gold.id, "client_loyalty_level_reason": "Key account"}
        )
        self.assertEqual(client.client_loyalty_level_id, self.gold)
        self._order(client, 10000)
        self._nightly()
        self.assertEqual(client.client_loyalty_level_id, self.gold, "the engine keeps a level set by hand")
        self.assertEqual(self._status(client).computed_level_id, self.silver)
        as_manager.write({"client_loyalty_level_manual_id": False})
        self.assertEqual(client.client_loyalty_level_id, self.silver)
        self.assertEqual(self._level_history(client).mapped("new_label"), ["Silver", "Gold", "Silver"])

    def test_level_by_hand_for_a_client_without_orders(self):
        client = self._client("New VIP")
        client.with_user(self.manager).write(
            {
                "client_loyalty_level_manual_id": self.silver.id,
                "client_loyalty_level_reason": "Partner's friend",
            }
        )
        self.assertEqual(client.client_loyalty_level_id, self.silver)
        self.assertEqual(client.client_loyalty_progress.split(" more to ")[1], "Gold")

    def test_rolling_window_counts_the_last_months_only(self):
        client = self._client("Window Client")
        self._order(client, 45000, days_ago=500)
        self._order(client, 10000, days_ago=30)
        self.assertEqual(client.client_loyalty_level_id, self.silver)
        self.company.client_loyalty_window_months = 12
        self._nightly()
        self.assertFalse(client.client_loyalty_level_id)
        self.assertEqual(client.client_loyalty_receipts, 10000)
        self.assertEqual(client.client_loyalty_to_next, 40000)

    def test_a_contacts_orders_count_for_its_company(self):
        client = self._client("Parent Co")
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": client.id})
        self._order(contact, 70000)
        self.assertEqual(client.client_loyalty_level_id, self.silver)
        self.assertEqual(contact.client_loyalty_level_id, self.silver)

    def test_changing_the_table_moves_the_clients(self):
        client = self._client("Table Client")
        self._order(client, 60000)
        self.silver.threshold = 65000
        self.env.invalidate_all()
        self.assertFalse(client.client_loyalty_level_id)
        self.silver.threshold = 55000
        self.env.invalidate_all()
        self.assertEqual(client.client_loyalty_level_id, self.silver)
        with self.assertRaises(ValidationError):
            self.env["clientbase.loyalty.level"].create({"name": "Twin", "threshold": 150000, "discount": 1})

    def test_nightly_run_leaves_nothing_for_a_full_refresh(self):
        """Property: the nightly run refreshes the levels of the clients whose figures it
        changed, whatever changed the orders (here SQL and orders left to the night, no
        instant update): afterwards a refresh of every client has nothing to write, and every
        client holds the level of its receipts."""
        amounts = (10000, 60000, 140000, 160000, 390000, 500000)
        clients = [self._client(f"Noted {amount}") for amount in amounts]
        orders = [
            self._order(client, amount, instant=False)
            for client, amount in zip(clients, amounts, strict=True)
        ]
        self._nightly()
        self.assertEqual(self.Status._refresh_levels(), 0)
        self._order(clients[0], 45000, instant=False)  # to Silver, at night
        self.env.flush_all()
        self.env.cr.execute(  # another module's SQL: 160,000 to 40,000, 500,000 to 125,000
            "UPDATE sale_order SET amount_untaxed = amount_untaxed / 4, amount_total = amount_total / 4"
            " WHERE id IN %s",
            (tuple((orders[3] | orders[5]).ids),),
        )
        self.env.cr.execute("UPDATE sale_order SET state = 'cancel' WHERE id = %s", (orders[1].id,))
        self.env.invalidate_all()
        self._nightly()
        self.assertEqual(self.Status._refresh_levels(), 0, "the night left a client behind")
        levels = self.env["clientbase.loyalty.level"].search([("company_id", "=", self.company.id)])
        for client in clients:
            receipts = sum(
                self.env["sale.order"]
                .search([("partner_id", "=", client.id), ("state", "=", "sale")])
                .mapped("amount_untaxed")
            )
            expected = levels.filtered(lambda lv, r=receipts: lv.threshold <= r).sorted("threshold")[-1:]
            self.assertEqual(client.client_loyalty_level_id, expected, client.name)
            self.assertEqual(client.client_loyalty_receipts, receipts, client.name)
        self.assertEqual(
            [c.client_loyalty_level_id for c in clients],
            [self.silver, levels.browse(), self.silver, levels.browse(), self.gold, self.silver],
        )

    def test_changing_the_window_moves_the_clients_at_once(self):
        client = self._client("Window Setting Client")
        self._order(client, 45000, days_ago=500)
        self._order(client, 10000, days_ago=30)
        self.assertEqual(client.client_loyalty_level_id, self.silver)
        self.company.client_loyalty_window_months = 12
        self.env.invalidate_all()
        self.assertFalse(client.client_loyalty_level_id, "no nightly run needed")
        self.assertEqual(client.client_loyalty_receipts, 10000)
        self.company.client_loyalty_window_months = 0
        self.env.invalidate_all()
        self.assertEqual(client.client_loyalty_level_id, self.silver)
        self.assertEqual(client.client_loyalty_receipts, 55000)
