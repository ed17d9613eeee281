"""Planner settings of the engine's statements, always restored.

- ``jit = off`` always: the cost estimates of whole-base aggregates are large, so
  PostgreSQL would JIT-compile them, which costs seconds per statement (measured: 7 s
  of JIT for a 1.5 s aggregate over 100k clients) and never pays back for statements
  that run once.
- For a bulk run (an id range of the base, :data:`BULK`): ``enable_nestloop = off``,
  as the planner cannot estimate ``id = commercial_partner_id`` (it assumes 0.5% of
  the partners match, the base has ~100%) and would probe the figures index once per
  client; ``enable_mergejoin = off`` likewise, as it cannot estimate how few partners
  are contacts of a company and would read every order through the ``partner_id``
  index to merge-join them; ``work_mem`` of 256 MB, so that the hash aggregate and
  joins of a million clients stay in memory (one backend, once a night).
- For the source of a bulk run (:data:`BULK_AGGREGATE`): the orders' aggregate by
  client runs in parallel workers, each sorting and summing its share before the
  leader merges the sorted partial sums. Measured at 1M clients on 2 cores: 6 s,
  against 8.5 s for the serial hash aggregate the planner prefers. Only when the
  server allows parallel workers (see :func:`parallel_query_enabled`).

Settings are set ``LOCAL`` to the transaction: should a statement fail, the rollback
(of the transaction or of the savepoint) restores them, and :func:`settings` does not
touch the aborted transaction.
"""

import contextlib

from psycopg2.extensions import TRANSACTION_STATUS_INERROR

from odoo.tools import SQL

from ..tools.sql_planning import NO_JIT
from .changes import BULK_SETTING

BASE = dict(NO_JIT)
BULK = {"enable_nestloop": "off", "enable_mergejoin": "off", "work_mem": "256MB"}
# writing a few thousand rows found in a temporary table: by their id, one index lookup
# each (the planner would hash the whole figures table, three times, for 30,000 rows)
FEW_ROWS = {"enable_hashjoin": "off", "enable_mergejoin": "off"}
BULK_AGGREGATE = {"enable_hashagg": "off", "parallel_setup_cost": "100", "parallel_tuple_cost": "0.01"}


def _apply(cr, values):
    previous = {}
    for name, value in values.items():
        cr.execute(SQL("SELECT current_setting(%s, TRUE), set_config(%s, %s, TRUE)", name, name, value or ""))
        previous[name] = cr.fetchone()[0]
    return previous


@contextlib.contextmanager
def settings(cr, values):
    """Apply the planner ``values`` (name -> value) within the block, then restore the
    previous ones."""
    previous = _apply(cr, values)
    try:
        yield
    finally:
        if cr._cnx.get_transaction_status() != TRANSACTION_STATUS_INERROR:
            _apply(cr, previous)


def engine_settings(bulk):
    """The settings of the engine's statements; a bulk run also tells the figures' triggers
    (``changes.BULK_SETTING``) that it cuts the rankings again anyway."""
    return {**BASE, **BULK, BULK_SETTING: "1"} if bulk else dict(BASE)


def parallel_query_enabled(cr):
    """Whether the server may give a statement parallel workers (without them, the serial
    hash aggregate the planner prefers is faster than a sort-based one)."""
    cr.execute("SELECT current_setting('max_parallel_workers_per_gather')::int > 0")
    return cr.fetchone()[0]
