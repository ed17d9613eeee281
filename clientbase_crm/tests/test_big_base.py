import re
from unittest.mock import patch

import psycopg2

import odoo
from odoo.tests import tagged
from odoo.tools import SQL, sql
from odoo.tools.safe_eval import safe_eval

from ..models.partner import odoo_trigram_index, res_partner_big_base, res_partner_contact_check
from ..models.partner.res_partner_big_base import (
    CONTACT_CHECK_PARAM,
    CRON_XMLID,
    DISCOUNT_FLAG_PARAM,
    set_contact_check_from,
    set_progress,
)
from ..models.partner.res_partner_grouping_index import (
    GROUPING_COLUMNS,
    GROUPING_INDEX,
    GROUPING_KEY,
    GROUPING_WHERE,
)
from ..models.partner.res_partner_search_index import TRIGRAM_COLUMNS, trigram_index_name
from ..models.segmentation import sale_order
from .common import ClientbaseCommon


@tagged("post_install", "-at_install", "clientbase_card")
class TestBigBaseInstall(ClientbaseCommon):
    """An install on a big base leaves the search indexes and the contact check of the existing
    partners to the job "Client Base: prepare a big base": the job does them once (one step per
    call under the scheduler), can be run again and again, resumes where it stopped, and the
    searches find the same partners before and after the indexes exist."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cron = cls.env.ref(CRON_XMLID)
        Partner = cls.env["res.partner"]
        # partners whose data only a search by part of it finds
        cls.found = Partner.create(
            [
                {"name": "Zvezda Trade", "email": "orders@zvezda-trade.example.com", "phone": "+79165551234"},
                {"name": "Ivan Zvezdin", "email": "ivan@example.org", "mobile": "+79035559876"},
                {"name": "Olga", "email": "olga@zvezda.example.net", "vat": "RU7707083893"},
            ]
        )  # fmt: skip
        cls.searches = [
            [("complete_name", "ilike", "zvezd")],
            [("email", "ilike", "zvezda")],
            [("phone", "ilike", "9165551")],
            [("mobile", "ilike", "9035559")],
            [("vat", "ilike", "7707083")],
            # the Clients search view's "Client" field: name, email, phone or tax id
            ["|", "|", "|", ("complete_name", "ilike", "zvezd"), ("email", "ilike", "zvezd"),
             ("phone", "ilike", "zvezd"), ("vat", "ilike", "zvezd")],
        ]  # fmt: skip

    def _results(self):
        Partner = self.env["res.partner"].with_user(self.user_manager)
        self.env.invalidate_all()
        return [set(Partner.search(domain).ids) for domain in self.searches]

    def _drop(self, columns):
        for column in columns:
            sql.drop_index(self.env.cr, trigram_index_name(column), "res_partner")

    def _index_oids(self):
        self.env.cr.execute(
            "SELECT relname, oid FROM pg_class WHERE relname = ANY(%s)",
            [[trigram_index_name(column) for column in TRIGRAM_COLUMNS]],
        )
        return dict(self.env.cr.fetchall())

    def _run_as_scheduler(self):
        """One call of the job as the cron worker makes it: its progress record."""
        _cron, progress = self.cron._add_progress()
        Partner = self.env["res.partner"].with_context(cron_id=self.cron.id, ir_cron_progress_id=progress.id)
        Partner._cron_clientbase_prepare_base()
        return progress

    def test_small_base_has_everything_after_install(self):
        """This base is small: the install built the indexes and checked the contacts itself,
        and left the job off with nothing to do."""
        self.assertEqual(self.env["res.partner"]._clientbase_prepare_base_steps(), [])
        self.assertFalse(self.cron.active)
        self.assertEqual(set(self._index_oids()), {trigram_index_name(column) for column in TRIGRAM_COLUMNS})

    def test_big_base_install_defers_the_indexes_to_the_job(self):
        Partner = self.env["res.partner"]
        expected = self._results()
        self.assertTrue(all(expected), "every search finds someone")
        self.assertIn(self.found[0].id, expected[-1])
        self._drop(("complete_name", "email", "phone"))
        with patch.object(res_partner_big_base, "DEFER_FROM", 0):
            Partner.init()  # what an update of the addon runs
            self.assertFalse(
                sql.index_exists(self.env.cr, trigram_index_name("email")), "not built at install"
            )
            Partner._clientbase_schedule_prepare_base()  # the data file of the install
        self.assertTrue(self.cron.active, "the job is switched on")
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]), "to run at once"
        )
        self.assertEqual(
            Partner._clientbase_prepare_base_steps(),
            [("index", "complete_name"), ("index", "email"), ("index", "phone")],
        )
        self.assertEqual(self._results(), expected, "the searches work without the indexes")

        # under the scheduler: one index per call, each call telling what is left
        progress = self._run_as_scheduler()
        self.assertEqual((progress.done, progress.remaining, progress.deactivate), (1, 2, False))
        self.assertTrue(sql.index_exists(self.env.cr, trigram_index_name("complete_name")))
        self.assertFalse(sql.index_exists(self.env.cr, trigram_index_name("email")))
        self._run_as_scheduler()
        progress = self._run_as_scheduler()
        self.assertEqual((progress.remaining, progress.deactivate), (0, True), "then it switches off")
        built = self._index_oids()
        self.assertEqual(len(built), len(TRIGRAM_COLUMNS))
        self.assertEqual(self._results(), expected, "the same partners found through the indexes")

        # run again (by the scheduler or by hand): nothing rebuilt, nothing left
        progress = self._run_as_scheduler()
        self.assertEqual((progress.remaining, progress.deactivate), (0, True))
        Partner._cron_clientbase_prepare_base()
        self.assertEqual(self._index_oids(), built, "no index built twice")
        self.assertEqual(Partner._clientbase_prepare_base_steps(), [])
        Partner._clientbase_schedule_prepare_base()
        self.assertFalse(self.cron.active, "an update with nothing left leaves the job off")

    def test_run_by_hand_does_every_step(self):
        Partner = self.env["res.partner"]
        expected = self._results()
        self._drop(("email", "vat"))
        Partner._clientbase_schedule_prepare_base()
        Partner._cron_clientbase_prepare_base()
        self.assertEqual(Partner._clientbase_prepare_base_steps(), [])
        self.assertFalse(self.cron.active)
        self.assertEqual(self._results(), expected)

    def test_a_build_that_waits_on_writers_gives_up_until_the_next_run(self):
        """A long transaction writing partners: the build gives up after its lock wait (rather
        than making every writer queue behind it), the job stays on for its next run."""
        Partner = self.env["res.partner"]
        self._drop(("email",))
        Partner._clientbase_schedule_prepare_base()
        with (
            patch.object(
                type(Partner),
                "_clientbase_create_trigram_indexes",
                side_effect=psycopg2.errors.LockNotAvailable("canceling statement due to lock timeout"),
            ),
            self.assertLogs(res_partner_big_base.__name__, "WARNING"),
        ):
            progress = self._run_as_scheduler()
        self.assertEqual((progress.done, progress.remaining, progress.deactivate), (0, 0, False))
        self.assertEqual(Partner._clientbase_prepare_base_steps(), [("index", "email")])
        self.assertTrue(self.cron.active)
        progress = self._run_as_scheduler()
        self.assertTrue(sql.index_exists(self.env.cr, trigram_index_name("email")))
        self.assertTrue(progress.deactivate)

    def _definitions(self, names):
        self.env.cr.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)", [list(names)]
        )
        return dict(self.env.cr.fetchall())

    def _oids(self, names):
        self.env.cr.execute("SELECT relname, oid FROM pg_class WHERE relname = ANY(%s)", [list(names)])
        return dict(self.env.cr.fetchall())

    def test_odoo_trigram_indexes_built_before_the_update(self):
        """The creation of pg_trgm leaves Odoo's own trigram indexes (an order's reference, the
        digits of a partner's phone...) to the next update, which would build them in its
        transaction: on a big table the job builds each, as Odoo defines it, so that the update
        finds it and builds nothing; on a small table the install or update builds it at once."""
        Partner = self.env["res.partner"]
        cr = self.env.cr
        names = [sql.make_index_name("sale_order", "name"), "res_partner_phone_partial_gin_idx"]
        self.assertLessEqual(set(names), set(odoo_trigram_index.expected_odoo_trigram_indexes(self.env)))
        odoo_definitions = self._definitions(names)
        self.assertEqual(len(odoo_definitions), 2, "built by Odoo on this base (pg_trgm is there)")
        for name, table in zip(names, ("sale_order", "res_partner"), strict=True):
            sql.drop_index(cr, name, table)  # a base where pg_trgm was created after Odoo's install

        with patch.object(res_partner_big_base, "DEFER_FROM", 0):
            Partner._clientbase_schedule_prepare_base()  # the data file of the install or update
            self.assertEqual(self._definitions(names), {}, "big tables: left to the job")
            self.assertEqual(
                Partner._clientbase_prepare_base_steps(),
                [("odoo_index", "res_partner_phone_partial_gin_idx"), ("odoo_index", names[0])],
            )
            self.assertTrue(self.cron.active)
            progress = self._run_as_scheduler()
            self.assertEqual((progress.done, progress.remaining, progress.deactivate), (1, 1, False))
            progress = self._run_as_scheduler()
        self.assertEqual((progress.remaining, progress.deactivate), (0, True))
        self.assertEqual(self._definitions(names), odoo_definitions, "the indexes Odoo would have built")
        built = self._oids(names)

        # what the update runs (the registry's check of the indexes, the partners' init with the
        # phone search's): nothing built; the job again: nothing either
        Partner.init()
        self.env.registry.check_indexes(cr, ["sale.order", "res.partner"])
        Partner._cron_clientbase_prepare_base()
        self.assertEqual(self._oids(names), built, "not built twice")
        self.assertEqual(Partner._clientbase_prepare_base_steps(), [])

        # small tables: built at once by the install or update, nothing left to the job
        for name, table in zip(names, ("sale_order", "res_partner"), strict=True):
            sql.drop_index(cr, name, table)
        Partner._clientbase_schedule_prepare_base()
        self.assertEqual(self._definitions(names), odoo_definitions)
        self.assertEqual(Partner._clientbase_prepare_base_steps(), [])
        self.assertFalse(self.cron.active)

    def test_deferred_contact_check_resumes_and_finds_the_invalid(self):
        """The contact check of a big base's partners, batch by batch: each batch remembers
        where it got to, so that a job killed between two batches goes on from there; run
        again, it changes nothing."""
        Partner = self.env["res.partner"]
        bad = self.found[0] | self.client_person
        self.env.flush_all()
        # data from before the addon: written by SQL, never checked
        self.env.cr.execute(
            "UPDATE res_partner SET client_contact_invalid = NULL WHERE client_contact_invalid IS NOT FALSE"
        )
        self.env.cr.execute(
            "UPDATE res_partner SET email = 'anna smirnova@bk.ru' WHERE id = %s", [self.client_person.id]
        )
        self.env.cr.execute("UPDATE res_partner SET phone = '+7 12' WHERE id = %s", [self.found[0].id])
        Partner.invalidate_model(["email", "phone", "client_contact_invalid"])
        self.assertFalse(Partner.search([("client_contact_invalid", "=", True), ("id", "in", bad.ids)]))
        set_contact_check_from(self.env, 0)  # what the install of a big base does
        Partner._clientbase_schedule_prepare_base()
        self.assertTrue(self.cron.active)
        self.env.cr.execute(
            "SELECT COUNT(*) FROM res_partner WHERE email IS NOT NULL OR phone IS NOT NULL OR mobile IS NOT NULL"
        )
        with_data = self.env.cr.fetchone()[0]
        batch = max(1, with_data // 3)
        calls = 0
        with patch.object(res_partner_contact_check, "FILL_BATCH", batch):
            while True:
                progress = self._run_as_scheduler()
                calls += 1
                after = self.env["ir.config_parameter"].get_param(CONTACT_CHECK_PARAM)
                if calls == 1:
                    self.assertTrue(after, "where the check got to is kept between calls")
                    self.assertEqual(Partner._clientbase_prepare_base_steps(), [("contacts", int(after))])
                if progress.deactivate:
                    break
                self.assertLess(calls, with_data // batch + 3, "the job ends")
        self.assertGreaterEqual(calls, 3, "one batch per call")
        self.assertFalse(self.env["ir.config_parameter"].get_param(CONTACT_CHECK_PARAM))
        Partner.invalidate_model(["client_contact_invalid"])
        flagged = Partner.search([("client_contact_invalid", "=", True)])
        self.assertEqual(flagged & (bad | self.found | self.client_company), bad)
        # run again, from the start: the same partners flagged, nothing else
        set_contact_check_from(self.env, 0)
        Partner._cron_clientbase_prepare_base()
        Partner.invalidate_model(["client_contact_invalid"])
        self.assertEqual(Partner.search([("client_contact_invalid", "=", True)]), flagged)
        self.assertFalse(self.cron.active)

    def test_deferred_discount_flag_in_batches_of_orders(self):
        """The orders' discount flag of a big base, filled by the job in ranges of order ids:
        the discounted orders flagged, the others not, the same when run again."""
        discounted = self._order(self.client_company, amount=90, discount=10)
        plain = self._order(self.client_person, amount=50)
        self.assertTrue(discounted.client_discounted)
        self.env.flush_all()
        self.env.cr.execute("UPDATE sale_order SET client_discounted = NULL")  # a base before the addon
        self.env["sale.order"].invalidate_model(["client_discounted"])
        set_progress(self.env, DISCOUNT_FLAG_PARAM, 0)
        Partner = self.env["res.partner"]
        self.assertEqual(Partner._clientbase_prepare_base_steps(), [("discounts", 0)])
        self.env.cr.execute("SELECT MAX(id) FROM sale_order")
        batch = max(1, self.env.cr.fetchone()[0] // 3)
        calls = 0
        with patch.object(sale_order, "FLAG_BATCH", batch):
            while not self._run_as_scheduler().deactivate:
                calls += 1
                self.assertLess(calls, 10, "the job ends")
        self.assertGreaterEqual(calls, 2, "one range of orders per call")
        self.env["sale.order"].invalidate_model(["client_discounted"])
        self.assertTrue(discounted.client_discounted)
        self.assertFalse(plain.client_discounted)
        self.env.cr.execute("SELECT COUNT(*) FROM sale_order WHERE client_discounted")
        flagged = self.env.cr.fetchone()[0]
        set_progress(self.env, DISCOUNT_FLAG_PARAM, 0)
        Partner._cron_clientbase_prepare_base()
        self.env.cr.execute("SELECT COUNT(*) FROM sale_order WHERE client_discounted")
        self.assertEqual(self.env.cr.fetchone()[0], flagged, "run again: the same orders")
        self.assertFalse(self.env["ir.config_parameter"].get_param(DISCOUNT_FLAG_PARAM))

    def test_groupings_read_only_what_the_covering_index_holds(self):
        """The funnels, the Clients Analysis pivot and the dashboard's pie, as a salesperson and a
        head of sales, over the whole base and their own clients: every partner column their
        grouped SELECT reads is in the covering index (so that PostgreSQL may read the index
        alone, not the wide rows of a million partners)."""
        self.env.cr.execute("SELECT pg_get_indexdef(%s::regclass)", [GROUPING_INDEX])
        definition = self.env.cr.fetchone()[0]
        for column in (GROUPING_KEY, *GROUPING_COLUMNS):
            self.assertIn(column, definition)
        held = {GROUPING_KEY, *GROUPING_COLUMNS, GROUPING_WHERE}
        analysis = safe_eval(self.env.ref("clientbase_crm.res_partner_action_clientbase_analysis").domain)
        grouped = []
        original = odoo.sql_db.Cursor.execute

        def execute(cursor, query, params=None, log_exceptions=True):
            code = query.code if isinstance(query, SQL) else str(query)
            if "GROUP BY" in code and '"res_partner"' in code:
                grouped.append(code)
            return original(cursor, query, params, log_exceptions)

        for user in (self.user_salesman, self.user_manager):
            Partner = self.env["res.partner"].with_user(user)
            for scope in ([], [("user_id", "=", user.id)]):
                calls = (
                    (scope, ["client_revenue:sum"], ["client_stage"]),
                    (scope, ["client_revenue:sum"], ["client_warmth"]),
                    (analysis + scope, ["client_revenue:sum", "client_order_count:sum"], ["client_stage"]),
                    (analysis + scope, ["__count"], ["client_rfm_segment"]),
                )
                for domain, aggregates, groupby in calls:
                    self.env.invalidate_all()
                    with patch.object(odoo.sql_db.Cursor, "execute", execute):
                        Partner.web_read_group(domain, aggregates, groupby)
        self.assertGreaterEqual(len(grouped), 16, "every grouping seen")
        for code in grouped:
            read = set(re.findall(r'"res_partner"\."(\w+)"', code))
            self.assertTrue(read)
            self.assertLessEqual(read, held, f"read by a grouping, not in {GROUPING_INDEX}: {code}")
