import contextlib
import re
from unittest.mock import patch

import psycopg2

from odoo.tests import tagged
from odoo.tools import sql

from ..models.partner import res_partner_search_index
from ..models.partner.res_partner_search_index import TRIGRAM_COLUMNS, ensure_trigram, trigram_index_name
from .common import ClientbaseCommon


@tagged("post_install", "-at_install", "clientbase_card")
class TestSearchIndexes(ClientbaseCommon):
    """The Clients list's "contains" searches (name, email, phone, tax id) can read trigram
    indexes: they exist after the install, and the condition the ORM writes for ``ilike`` is
    the indexes' expression (an index of another expression would never be used)."""

    def test_trigram_indexes_exist(self):
        self.assertTrue(ensure_trigram(self.env.cr), "pg_trgm is there (or created by the install)")
        for column in TRIGRAM_COLUMNS:
            self.assertTrue(sql.index_exists(self.env.cr, trigram_index_name(column)), column)

    def test_the_indexes_are_on_what_the_search_compares(self):
        """Each index is on the expression the ORM's ``ilike`` compares (with ``unaccent`` exactly
        when the ORM adds it): an index on another expression would never be read. (Whether the
        planner reads them is measured by the benchmark, whose plans show them: right after an
        install PostgreSQL may wait for older transactions to end before it uses a new index.)"""
        Partner = self.env["res.partner"].with_user(self.user_salesman)
        for column in TRIGRAM_COLUMNS:
            where = Partner._search([(column, "ilike", "romashka")]).where_clause.code
            compared = re.search(r"(unaccent\()?\"res_partner\"\.\"%s\"" % column, where)
            self.assertTrue(compared, f"{column} is compared: {where}")
            self.env.cr.execute("SELECT pg_get_indexdef(%s::regclass)", [trigram_index_name(column)])
            definition = self.env.cr.fetchone()[0]
            self.assertIn("USING gin", definition)
            self.assertIn("gin_trgm_ops", definition)
            self.assertEqual("unaccent(" in definition, bool(compared.group(1)), definition)
            self.assertRegex(definition, rf"\(\(?{column}\b", definition)
        # and the Clients search finds what it should through them
        term = "romashka"
        client = [
            "|", "|", "|",
            ("complete_name", "ilike", term), ("email", "ilike", term),
            ("phone", "ilike", term), ("vat", "ilike", term),
        ]  # fmt: skip
        self.assertIn(self.client_company, Partner.search(client))

    def test_install_goes_on_without_the_right_to_create_pg_trgm(self):
        """A database user who may not create extensions (PostgreSQL before 13, or no CREATE
        right on the database): a warning, no index, and the install goes on."""

        class RefusingCursor:
            rowcount = 0

            def execute(self, query, params=None):
                if "CREATE EXTENSION" in str(query):
                    raise psycopg2.errors.InsufficientPrivilege("permission denied to create extension")

            def savepoint(self, flush=True):
                return contextlib.nullcontext()

        with self.assertLogs(res_partner_search_index.__name__, "WARNING") as logs:
            self.assertFalse(ensure_trigram(RefusingCursor()))
        self.assertIn("pg_trgm", logs.output[0])
        name = trigram_index_name("email")
        sql.drop_index(self.env.cr, name, "res_partner")
        with patch.object(res_partner_search_index, "ensure_trigram", return_value=False):
            self.env["res.partner"]._clientbase_create_trigram_indexes()
        self.assertFalse(sql.index_exists(self.env.cr, name), "no index without the extension")
        self.env["res.partner"]._clientbase_create_trigram_indexes()
        self.assertTrue(sql.index_exists(self.env.cr, name), "the next update builds it")
