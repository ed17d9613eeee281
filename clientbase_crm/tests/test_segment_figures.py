from datetime import timedelta

from odoo.tests import Form, tagged

from .common import ClientbaseSalesCommon


@tagged("post_install", "-at_install", "clientbase_segment")
class TestSegmentFigures(ClientbaseSalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client = cls._client("Figures Client")
        cls.contact = cls.Partner.create({"name": "Figures Contact", "parent_id": cls.client.id})

    def test_figures_count_only_confirmed_orders(self):
        self._order(self.contact, 100.0, days_ago=40)
        self._order(self.client, 300.0, days_ago=10)
        self._order(self.client, 1000.0, days_ago=5, state="draft")
        self._order(self.client, 2000.0, days_ago=5, state="cancel")
        self._recompute()
        for partner in (self.client, self.contact):
            self.assertEqual(partner.client_order_count, 2)
            self.assertAlmostEqual(partner.client_revenue, 400.0)
            self.assertAlmostEqual(partner.client_average_order, 200.0)
            self.assertEqual(partner.client_first_order_date, self.today - self._days(40))
            self.assertEqual(partner.client_last_order_date, self.today - self._days(10))
            self.assertEqual(partner.client_days_since_last_order, 10)
        self.assertEqual(
            self.Partner.search(
                [("client_revenue", "=", 400.0), ("id", "in", (self.client | self.contact).ids)]
            ),
            self.client | self.contact,
        )
        self.assertIn(self.client, self.Partner.search([("client_days_since_last_order", "<=", 10)]))
        self.assertNotIn(self.client, self.Partner.search([("client_days_since_last_order", ">", 10)]))

    def _days(self, days):
        return timedelta(days=days)

    def test_client_without_orders_is_potential(self):
        self._recompute()
        self.assertEqual(self.client.client_order_count, 0)
        self.assertEqual(self.client.client_stage, "potential")
        self.assertEqual(self.client.client_warmth, "cold")
        self.assertFalse(self.client.client_is_vip)
        self.assertIn(self.client, self.Partner.search([("client_stage", "=", "potential")]))
        self.assertIn(self.client, self.Partner.search([("client_order_count", "=", 0)]))

    def test_mailing_only_contact_has_no_figures(self):
        subscriber = self._client("Subscriber", client_mailing_only=True)
        self._order(subscriber, 500.0, days_ago=3)
        self._recompute()
        self.assertEqual(subscriber.client_order_count, 0)
        # shown as a mailing-only contact (its own group in the funnels' groupings), never as a
        # stage its orders would give a client
        self.assertEqual(subscriber.client_stage, "mailing_only")
        self.assertNotIn(subscriber, self.Partner.search([("client_stage", "in", ["new", "active"])]))
        self.assertFalse(self.figures.search([("partner_id", "=", subscriber.id)]).order_count)

    def test_figures_of_a_deleted_client_are_deleted(self):
        """The figures table has no foreign keys (see the model): triggers cascade deletions."""
        gone = self._client("Gone Client")
        gone.client_stage = "active"  # a figures row with a manual value
        also_gone = self._client("Gone By SQL")
        also_gone.client_stage = "active"
        self.env.flush_all()
        self.assertEqual(self.figures.search_count([("partner_id", "in", (gone | also_gone).ids)]), 2)
        gone.unlink()
        self.env.cr.execute("DELETE FROM res_partner WHERE id = %s", also_gone.ids)
        self.env.invalidate_all()
        self.env.cr.execute(
            "SELECT COUNT(*) FROM clientbase_client_figures WHERE partner_id = ANY(%s)",
            [(gone | also_gone).ids],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def test_instant_update_on_confirm_and_cancel(self):
        order = self._order(self.client, 250.0, state="draft")
        self.assertEqual(self.client.client_stage, "potential")
        order.action_confirm()
        self.env.invalidate_all()
        self.assertEqual(self.client.client_stage, "new")
        self.assertEqual(self.client.client_order_count, 1)
        self.assertAlmostEqual(self.client.client_revenue, 250.0)
        order._action_cancel()
        self.env.invalidate_all()
        self.assertEqual(self.client.client_stage, "potential")
        self.assertEqual(self.client.client_order_count, 0)
        history = self.env["clientbase.segment.history"].search(
            [("partner_id", "=", self.client.id), ("dimension", "=", "stage")], order="id"
        )
        self.assertEqual(history.mapped("new_value"), ["new", "potential"])

    def test_multi_company_isolation(self):
        company_b = self.env["res.company"].create({"name": "Segment Company B"})
        self.env.user.company_ids |= company_b
        self._order(self.client, 100.0, days_ago=3)
        self._order(self.client, 700.0, days_ago=50, company=company_b)
        self._order(self.client, 800.0, days_ago=60, company=company_b)
        self._recompute()
        client_a = self.client.with_company(self.company)
        client_b = self.client.with_company(company_b)
        self.assertEqual((client_a.client_order_count, client_a.client_revenue), (1, 100.0))
        self.assertEqual((client_b.client_order_count, client_b.client_revenue), (2, 1500.0))
        self.assertEqual(client_a.client_stage, "new")
        self.assertEqual(client_b.client_stage, "active")
        partners_b = self.Partner.with_company(company_b)
        self.assertIn(self.client, partners_b.search([("client_stage", "=", "active")]))
        self.assertNotIn(
            self.client, self.Partner.with_company(self.company).search([("client_stage", "=", "active")])
        )
        # a manual value in one company does not leak into the other
        client_b.client_warmth = "hot"
        self.env.invalidate_all()
        self.assertEqual(self.client.with_company(company_b).client_warmth, "hot")
        self.assertTrue(self.client.with_company(company_b).client_warmth_is_manual)
        self.assertFalse(self.client.with_company(self.company).client_warmth_is_manual)

    def test_order_in_foreign_currency_is_converted(self):
        currency = self.env["res.currency"].create(
            {"name": "SGX", "symbol": "S", "rate_ids": [(0, 0, {"name": "2000-01-01", "rate": 2.0})]}
        )
        pricelist = self.env["product.pricelist"].create({"name": "SGX list", "currency_id": currency.id})
        order = self.env["sale.order"].create(
            {
                "partner_id": self.client.id,
                "pricelist_id": pricelist.id,
                "order_line": [
                    (0, 0, {"product_id": self.product.id, "price_unit": 400.0, "tax_id": [(5, 0, 0)]})
                ],
            }
        )
        order.action_confirm()
        self.assertEqual(order.currency_id, currency)
        self._recompute()
        self.assertAlmostEqual(self.client.client_revenue, 400.0 / order.currency_rate)

    def test_groupable_and_sortable(self):
        big = self._client("Big Spender")
        self._order(big, 5000.0, days_ago=2)
        self._order(self.client, 10.0, days_ago=400)
        self._recompute()
        fields_info = self.Partner.fields_get(
            ["client_stage", "client_revenue", "client_is_vip"], ["groupable", "sortable"]
        )
        for info in fields_info.values():
            self.assertTrue(info["groupable"] and info["sortable"])
        domain = [("id", "in", (big | self.client | self.contact).ids)]
        groups = self.Partner.read_group(domain, ["__count"], ["client_stage"])
        counts = {
            group["client_stage"]: group["client_stage_count"]
            for group in groups
            if group["client_stage_count"]
        }
        self.assertEqual(counts, {"new": 1, "inactive": 2})
        web_groups = self.Partner.web_read_group(domain, [], ["client_stage"])
        self.assertEqual(
            {g["client_stage"] for g in web_groups["groups"] if g["client_stage_count"]}, {"new", "inactive"}
        )
        ordered = self.Partner.search(domain, order="client_revenue desc, id")
        self.assertEqual(ordered[0], big)
        ordered = self.Partner.search(domain, order="client_revenue asc, id")
        self.assertEqual(ordered[-1], big)

    def test_new_client_form_shows_empty_figures(self):
        form = Form(self.env["res.partner"])
        form.name = "Walk-in"
        self.assertEqual(form.client_stage, "potential")
        self.assertEqual(form.client_order_count, 0)
        partner = form.save()
        self.assertEqual(partner.client_stage, "potential")

    def test_every_door_counts_the_same_clients(self):
        """Which partners are clients is decided in one place of the engine's SQL (the scope
        of ``segmentation.sources``), whichever door runs it: the instant refresh (a list of
        clients), a full run in one batch (the whole base), a full run in id ranges and the
        incremental run (a table of clients) give the same figures: a contact's orders count
        for its company, a mailing-only partner's count for nobody."""
        subscriber = self._client("Door Subscriber", client_mailing_only=True)
        lapsed = self._client("Door Lapsed")
        self._order(self.contact, 100.0, days_ago=40)
        self._order(self.client, 300.0, days_ago=10, discount=15)
        self._order(subscriber, 500.0, days_ago=3)
        self._order(lapsed, 50.0, days_ago=400)
        self.env["crm.lead"].create(
            {"name": "Door deal", "type": "opportunity", "partner_id": self.contact.id, "probability": 70}
        )
        partners = self.client | self.contact | subscriber | lapsed
        self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM res_partner")
        max_id = self.env.cr.fetchone()[0]

        def figures_after(door):
            self.env.flush_all()
            self.env.cr.execute(
                "DELETE FROM clientbase_client_figures WHERE partner_id = ANY(%s)", [partners.ids]
            )
            self.env.invalidate_all()
            door()
            self.env.flush_all()
            self.env.cr.execute(
                "SELECT partner_id, first_order_date, last_order_date, order_count, revenue, discounted_order_count,"
                " window_order_count, window_revenue, open_opportunity_count, max_opportunity_probability,"
                " last_engagement_date, order_season_strength, stage, warmth"
                " FROM clientbase_client_figures WHERE partner_id = ANY(%s) ORDER BY partner_id",
                [partners.ids],
            )
            return self.env.cr.fetchall()

        whole_base = figures_after(lambda: self.figures._run_engine(full=True))
        self.assertEqual(
            [row[:5] for row in whole_base],
            [
                (self.client.id, self.today - timedelta(days=40), self.today - timedelta(days=10), 2, 400.0),
                (lapsed.id, self.today - timedelta(days=400), self.today - timedelta(days=400), 1, 50.0),
            ],
        )
        self.assertEqual(whole_base[0][8:10], (1, 70.0), "the contact's opportunity is its company's")
        doors = {
            "id ranges": lambda: self.figures._run_engine(full=True, batch_size=max(max_id // 3, 1)),
            "instant refresh": lambda: self.figures._refresh_clients(partners),
            "incremental run": lambda: self.assertEqual(self.figures._run_engine(), "incremental"),
        }
        for door, run in doors.items():
            with self.subTest(door=door):
                self.assertEqual(figures_after(run), whole_base)
