"""Trigram indexes for the "contains" searches of the Clients list.

The Clients search view's *Client* field searches ``complete_name``, ``email``, ``phone`` and
``vat`` with ``ilike`` (``%…%``), its *Phone* field ``phone`` and ``mobile``: on a million partners
each is a scan of the whole table unless every column of the OR has a trigram (GIN
``gin_trgm_ops``) index, which PostgreSQL then combines (``BitmapOr``). Odoo's own
``index='trigram'`` is not used for them: base declares ``complete_name`` with a B-tree index of the
same name, and Odoo creates trigram indexes only when ``pg_trgm`` already exists (a database made
by ``createdb`` has none). So the addon creates ``pg_trgm`` (a trusted extension since PostgreSQL 13:
the database's owner may create it, no superuser needed) and its own indexes, each once, in one
statement over the table: at install on a small base, by the deferred job of
res_partner_big_base.py on a big one (tens of seconds per index on a million partners); where the
extension cannot be created, the install goes on without them (searches stay correct, only
slower) and says so in the log.
"""

import logging

import psycopg2

from odoo import models
from odoo.modules.db import FunctionStatus
from odoo.tools import sql

from .odoo_trigram_index import build_memory
from .res_partner_big_base import is_big_base

_logger = logging.getLogger(__name__)

# the columns of res_partner searched with "contains" by the Clients search view
TRIGRAM_COLUMNS = ("complete_name", "email", "phone", "mobile", "vat")


def trigram_index_name(column):
    return f"res_partner_clientbase_{column}_trgm_idx"


def ensure_trigram(cr):
    """Whether ``pg_trgm`` is there, creating it when missing and allowed."""
    cr.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    if cr.rowcount:
        return True
    try:
        with cr.savepoint(flush=False):
            cr.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except psycopg2.Error as exc:
        _logger.warning(
            "The PostgreSQL extension pg_trgm cannot be created (%s): the Clients' 'contains' searches "
            "work without their trigram indexes, by reading the whole table. A superuser can run "
            "CREATE EXTENSION pg_trgm in this database, then update the module to build them.",
            str(exc).strip(),
        )
        return False
    return True


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    def init(self):
        res = super().init()
        missing = self._clientbase_missing_trigram_indexes()
        if missing and is_big_base(self.env.cr):
            _logger.info(
                "A big base: the search indexes on %s are built by the job 'Client Base: prepare a big"
                " base' after the install, not during it (searches work meanwhile, reading the table)",
                ", ".join(missing),
            )
        elif missing:
            self._clientbase_create_trigram_indexes(missing)
        return res

    def _clientbase_missing_trigram_indexes(self):
        """The columns whose trigram index is missing (none when pg_trgm cannot be had)."""
        cr = self.env.cr
        missing = [
            column for column in TRIGRAM_COLUMNS if not sql.index_exists(cr, trigram_index_name(column))
        ]
        return missing if missing and ensure_trigram(cr) else []

    def _clientbase_create_trigram_indexes(self, columns=TRIGRAM_COLUMNS):
        """Create the trigram indexes of ``columns`` that are missing, one statement each."""
        cr = self.env.cr
        missing = [column for column in columns if not sql.index_exists(cr, trigram_index_name(column))]
        if not missing or not ensure_trigram(cr):
            return
        # the expression Odoo's "ilike" compares (models.BaseModel._condition_to_sql): with
        # unaccent when the database has an indexable one, as Odoo's own trigram indexes
        accents = self.env.registry.has_unaccent == FunctionStatus.INDEXABLE
        with build_memory(cr):
            for column in missing:
                expression = f'"{column}"'
                if accents:
                    expression = f"unaccent({expression})"
                sql.create_index(
                    cr, trigram_index_name(column), self._table, [f"{expression} gin_trgm_ops"], "gin"
                )

    def _clientbase_drop_trigram_indexes(self):
        """Uninstall: the indexes go (the extension stays, other modules may use it)."""
        for column in TRIGRAM_COLUMNS:
            sql.drop_index(self.env.cr, trigram_index_name(column), self._table)
