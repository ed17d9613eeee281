"""Odoo's own trigram indexes, built ahead of the update that would build them (issue 32: an
upgrade on a million clients within a minute).

Odoo creates the index of a field declared ``index='trigram'`` (an order's reference, a lead's
name and email, an invoice's number...) at a module update, and the phone search's indexes of
the digits of the partners' and leads' numbers at each update of a module extending them, only
when the database has ``pg_trgm``. A database made by ``createdb`` has none; the addon creates it for its own search
indexes (res_partner_search_index.py). So the first update after the install would build every
such index Odoo skipped until then, in the update's one transaction: on three million orders,
two minutes and more during which the update holds the tables. Instead, where the extension is
there and such an index is missing:

- on a table of fewer than ``DEFER_FROM`` rows it is built at once, at install or update (the
  data file's call of ``_clientbase_schedule_prepare_base``): a second at most;
- on a bigger table it is a step of the job *Client Base: prepare a big base*
  (res_partner_big_base.py), one index per step, with its lock wait like the addon's own.

Each index has the name and the expression Odoo looks for (``<table>__<column>_index``, a GIN
``gin_trgm_ops`` over the column, through ``unaccent`` when the database has an indexable one,
over the values of every language for a translated field; ``<table>_<column>_partial_gin_idx``
over a number's digits), so the update finds it present and
builds nothing; a step finds it present too and builds nothing (idempotent).
"""

from contextlib import contextmanager

from odoo.addons.phone_validation.models.mail_thread_phone import PHONE_REGEX_PATTERN
from odoo.modules.db import FunctionStatus, has_trigram
from odoo.tools import SQL, sql

# at least this much memory for the GIN builds of a big base (PostgreSQL's default of 64 MB
# spills to disk on a million names); a server that gives more keeps its setting
BUILD_MEMORY = "256MB"


@contextmanager
def build_memory(cr):
    """At least ``BUILD_MEMORY`` for the index builds inside (the transaction's setting)."""
    cr.execute(
        SQL("SELECT pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes(%s)", BUILD_MEMORY)
    )
    more_memory = cr.fetchone()[0]
    if more_memory:
        cr.execute(SQL("SET LOCAL maintenance_work_mem = %s", BUILD_MEMORY))
    yield
    if more_memory:
        cr.execute("RESET maintenance_work_mem")


def expected_odoo_trigram_indexes(env):
    """``{index name: (table, indexed expression, WHERE condition or "")}`` of the trigram
    indexes Odoo builds once ``pg_trgm`` exists: those of the stored fields declared
    ``index='trigram'`` (the registry's check of the indexes) and those of the phone search
    (``mail.thread.phone``'s ``init``: the digits of each stored number field)."""
    registry = env.registry
    accents = registry.has_unaccent == FunctionStatus.INDEXABLE
    expected = {}
    for Model in registry.values():
        if not Model._auto or Model._abstract:
            continue
        for field in Model._fields.values():
            if not (field.store and field.column_type and field.index == "trigram"):
                continue
            column = f'"{field.name}"'
            if field.translate:
                # the text of every language at once, as Odoo's "ilike" on a translated field
                column = f"(jsonb_path_query_array({column}, '$.*')::text)"
            if accents:
                column = f"unaccent({column})"
            expected[sql.make_index_name(Model._table, field.name)] = (
                Model._table,
                f"{column} gin_trgm_ops",
                "",
            )
        if "phone_sanitized" in Model._fields and hasattr(Model, "_phone_get_number_fields"):
            for name in env[Model._name]._phone_get_number_fields():
                field = Model._fields.get(name)
                if field is None or not field.store:
                    continue
                digits = (
                    rf"regexp_replace(({name}::text), '{PHONE_REGEX_PATTERN}'::text, ''::text, 'g'::text)"
                )
                expected[f"{Model._table}_{name}_partial_gin_idx"] = (
                    Model._table,
                    f"{digits} gin_trgm_ops",
                    f"{name} IS NOT NULL",
                )
    return expected


def missing_odoo_trigram_indexes(env):
    """``[(index name, table, expression, condition)]`` of the expected ones not in the database (none
    without ``pg_trgm``: Odoo builds none then either), by table then name."""
    cr = env.cr
    if not has_trigram(cr):
        return []
    expected = expected_odoo_trigram_indexes(env)
    if not expected:
        return []
    cr.execute(SQL("SELECT indexname FROM pg_indexes WHERE indexname IN %s", tuple(expected)))
    present = {name for (name,) in cr.fetchall()}
    return sorted(
        ((name, *index) for name, index in expected.items() if name not in present),
        key=lambda index: (index[1], index[0]),
    )


def create_odoo_trigram_index(env, name):
    """Build the expected index ``name`` unless present; whether it was built."""
    cr = env.cr
    for index, table, expression, where in missing_odoo_trigram_indexes(env):
        if index == name:
            with build_memory(cr):
                sql.create_index(cr, index, table, [expression], "gin", where)
            return True
    return False
