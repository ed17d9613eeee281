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
