"""PostgreSQL's JIT compiler and the addon's set-based statements.

A statement over the whole base (the nightly jobs' steps, the mailing's eligibility of every
recipient) is planned as costly, so PostgreSQL (``jit = on`` by default since version 12)
compiles it to machine code before running it. On these statements the compiling costs more CPU
than it saves: measured on the benchmark base M (100,000 clients), the working rules' crons ran in
0.8 s instead of 1.7 s without it, and the mailing wizard's classification of 98,000 recipients
in 0.5 s instead of 1.1 s, 0.6 s of which was compiling. On a busy server that CPU is taken from
the users. The addon turns JIT off for its own transactions only (every cron step, through
:func:`..concurrency.retry_on_concurrency`, and the classification of a mailing's recipients;
the segmentation engine's statements within its planner settings, ``segmentation.planner``);
the server's setting is left as it is for everything else.

:func:`analyze_if_stale`: fresh statistics of a table filled in bulk just before a set-based
statement joins it.
"""

from odoo.tools import SQL

# the planner setting, for code that applies settings by name (segmentation.planner)
NO_JIT = {"jit": "off"}


def without_jit(cr):
    """Plan the rest of the current transaction without JIT compilation.

    ``SET LOCAL``: the setting ends with the transaction (commit, rollback, or the rollback to
    a savepoint taken before), so nothing leaks into the next request served by the same
    connection. Allowed in read-only transactions and on a hot standby (a read replica).
    """
    cr.execute(SQL("SET LOCAL jit = off"))


def analyze_if_stale(cr, tables, written=None, share=0.2, rows=1000):
    """``ANALYZE`` those of ``tables`` whose statistics are stale: never analyzed, or with more
    rows inserted, updated or deleted since the last analyze than ``share`` of the rows it
    counted plus ``rows``. For a set-based statement about to join a table that was just filled
    in bulk (before autovacuum's analyze, which comes a minute or more later): planned on the
    statistics of an empty table, a join of 10,000 rows by a nested loop without an index took
    170 s instead of 3 s. PostgreSQL counts the rows written by a transaction when it ends: those
    the current one wrote are given as ``written`` ({table: rows}; its analyze samples them).
    Costs one catalogue query when the statistics are fresh.

    :return: the tables analyzed
    """
    written = written or {}
    cr.execute(
        SQL(
            """SELECT c.relname FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid
                 JOIN unnest(%s::text[], %s::bigint[]) w (name, rows) ON w.name = c.relname
                WHERE c.reltuples < 0
                   OR s.n_mod_since_analyze + w.rows > %s * GREATEST(c.reltuples, 0) + %s""",
            list(tables),
            [written.get(table, 0) for table in tables],
            share,
            rows,
        )
    )
    stale = [name for (name,) in cr.fetchall()]
    for name in stale:
        cr.execute(SQL("ANALYZE %s", SQL.identifier(name)))
    return stale
