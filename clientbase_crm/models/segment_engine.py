"""Set-based SQL of the segmentation engine.

Plain functions over an environment, no ORM records: each one is a handful of
statements over a bounded set of clients, so that the same code serves the
targeted refresh after an order is confirmed or cancelled, one batch of the
nightly recompute and the benchmark.

Two phases per company:

1. :func:`refresh_figures` (batchable by client id range, or for given
   clients): aggregates confirmed orders, open opportunities and mailing
   engagement per commercial partner and writes figures, ``stage`` and
   ``warmth`` into ``clientbase_client_figures`` (only rows that change).
2. :func:`refresh_rankings` (once per company, over the narrow table only):
   RFM quintiles and segment, ABC class and the persona suggestion.

When one batch covers the whole company (the default batch size covers
1,000,000 client ids), phase 2 is computed from the same source and written by
the same statements: each figures row is written once per run, and only when
a value changed (``IS DISTINCT FROM``), so a run with nothing changed writes
nothing. The first population of a company (no figures rows when the run
starts) records no history: there is no earlier state to compare with.

Performance notes (see ``bench/results-*.md``): the confirmed orders are read
in one pass, aggregated per client without joining each order with the wide
partner table (see :func:`get_source_query`); "has a discounted line" is the
order's stored ``client_discounted`` flag, so that no order line is read;
amounts are summed as ``float8``, rounded to cents once per client and stored
as ``float8``; counts stay integers. The exceptions (contacts of a company,
mailing-only partners), the source and the RFM/ABC scores are materialised in
temporary tables that the writes read; the score sorts use single ``int8``
keys (:func:`get_scores_query`); a bulk run inserts new rows in client order
without ``ON CONFLICT``. The statements run without JIT and, for a whole-base
run, without nested loops, with a larger ``work_mem`` and a parallel
sort-based order aggregate (see :func:`_set_planner`). A run
started when none of the inputs changed since today's complete run skips all
this (see ``segment_sources``). Orders confirmed or cancelled while a long run
is under way are not lost: the instant update on confirmation/cancellation
refreshes those clients in their own transaction, and the next run sees them
anyway.

Rows being edited by a user at the same moment are skipped
(``FOR UPDATE SKIP LOCKED``) and caught up by the next run, so the engine
never blocks users nor makes their transaction fail. Changes of stage,
warmth, ABC class and VIP are appended to ``clientbase_segment_history`` by
the same statements.

**Stage** (first rule that matches, thresholds per company):
``potential`` no confirmed order; ``new`` first order within the new-client
period; ``inactive`` last order older than the inactivity threshold;
``one_time`` exactly one order; ``loyal`` at least N orders and first order at
least the loyalty period ago; ``active`` otherwise. ``lost`` is only ever set by
a user and wins, like any manual value.

**Warmth**: ``hot`` with an open opportunity at least as likely as the "hot"
probability, or an order within the new-client period; ``warm`` with any open
opportunity, an order within the warmth window, or a mailing opened, clicked
or replied to within the warmth window (traces of mailings sent to the
partner itself); ``cold`` otherwise.

**RFM**: over the clients with orders in the RFM window, ``ntile(5)`` of the
last order date (recency), of the number of orders (frequency) and of the
revenue in the window (monetary); 5 is best and ties are broken by partner id
(lower id scores lower). The segment uses R and FM = round((F + M) / 2):

=====  ==========  ==================
R      FM          segment
=====  ==========  ==================
5      4-5         champions
3-4    4-5         loyal
4-5    2-3         potential_loyalist
5      1           new
4      1           promising
3      3           need_attention
3      1-2         about_to_sleep
1-2    5           cannot_lose
1-2    3-4         at_risk
2      1-2         hibernating
1      1-2         lost
=====  ==========  ==================

Clients who bought before but not within the window are ``lost`` without
scores; clients who never bought have no RFM segment.

**ABC / VIP**: clients ranked by revenue in the window (descending, ties by
partner id ascending); A is the smallest top set whose revenue reaches the A
share (the client crossing the line is A), B the next up to the B share, C the
rest with revenue; VIP = A unless a user decided otherwise.

**Persona suggestion**: ``discount_hunter`` when more than half of the orders
have a discounted line; else ``fan`` when the client is loyal with frequency 5.
"""

import logging
import time

from odoo import fields
from odoo.tools import SQL

from .segment_sources import ENGINE_WRITE_SETTING

_logger = logging.getLogger(__name__)

BULK_WORK_MEM = "256MB"
# temporary tables of a run (dropped at its end, and with the session anyway)
EXCEPTIONS_TABLE = "clientbase_segment_exc"
SOURCE_TABLE = "clientbase_segment_src"
SCORES_TABLE = "clientbase_segment_scores"

# figures columns written by phase 1 (all must exist in the source query)
PHASE1_COLUMNS = [
    "first_order_date",
    "last_order_date",
    "order_count",
    "revenue",
    "discounted_order_count",
    "window_order_count",
    "window_revenue",
    "open_opportunity_count",
    "max_opportunity_probability",
    "last_engagement_date",
    "stage",
    "warmth",
]
PHASE2_COLUMNS = [
    "rfm_recency",
    "rfm_frequency",
    "rfm_monetary",
    "rfm_segment",
    "abc_class",
    "persona_suggested",
]


def _columns(names, alias=None):
    if alias:
        return SQL(", ").join(SQL.identifier(alias, name) for name in names)
    return SQL(", ").join(SQL.identifier(name) for name in names)


# a client is VIP when a user said so, else when in class A (alias ``f`` = figures row)
VIP = SQL("COALESCE(f.vip_manual = 'yes', f.abc_class = 'a', FALSE)")
HISTORY_DIMENSIONS = ("stage", "warmth", "abc", "vip")


def _history_insert(written, now):
    """INSERT of one ``clientbase_segment_history`` row per dimension that changed in the
    CTE ``written`` (columns partner_id, company_id, old_<dimension>, new_<dimension>)."""
    selects = [
        SQL(
            "SELECT partner_id, company_id, %(dimension)s, %(old)s, %(new)s, %(now)s FROM %(written)s"
            " WHERE %(old)s IS DISTINCT FROM %(new)s",
            dimension=dimension,
            old=SQL.identifier(f"old_{dimension}"),
            new=SQL.identifier(f"new_{dimension}"),
            now=now,
            written=SQL.identifier(written),
        )
        for dimension in HISTORY_DIMENSIONS
    ]
    return SQL(
        "INSERT INTO clientbase_segment_history (partner_id, company_id, dimension, old_value, new_value, date) %s",
        SQL(" UNION ALL ").join(selects),
    )


def _update_changed(cr, source, key, columns, log_history):
    """Write ``columns`` from ``source`` (a relation; ``key`` = the figures row id) into the
    figures rows where a value differs, skipping rows locked by users; with
    ``log_history``, append the changes of stage, warmth, ABC class and VIP to the
    history. Returns the number of rows written."""
    history = SQL(", hist AS (%s)", _history_insert("upd", fields.Datetime.now())) if log_history else SQL()
    cr.execute(
        SQL(
            """
            WITH changed AS (
                SELECT f.id, %(s_cols)s,
                       COALESCE(f.stage_manual, f.stage, 'potential') AS old_stage,
                       COALESCE(f.warmth_manual, f.warmth, 'cold') AS old_warmth,
                       f.abc_class AS old_abc, %(vip)s::text AS old_vip
                  FROM clientbase_client_figures f
                  JOIN %(source)s s ON s.%(key)s = f.id
                 WHERE (%(f_cols)s) IS DISTINCT FROM (%(s_cols)s)
                   FOR UPDATE OF f SKIP LOCKED
            ),
            upd AS (
                UPDATE clientbase_client_figures f
                   SET (%(cols)s) = ROW(%(c_cols)s)
                  FROM changed c
                 WHERE f.id = c.id
             RETURNING f.partner_id, f.company_id, c.old_stage, c.old_warmth, c.old_abc, c.old_vip,
                       COALESCE(f.stage_manual, f.stage, 'potential') AS new_stage,
                       COALESCE(f.warmth_manual, f.warmth, 'cold') AS new_warmth,
                       f.abc_class AS new_abc, %(vip)s::text AS new_vip
            )%(history)s
            SELECT COUNT(*) FROM upd
            """,
            source=source,
            key=SQL.identifier(key),
            f_cols=_columns(columns, "f"),
            s_cols=_columns(columns, "s"),
            c_cols=_columns(columns, "c"),
            cols=_columns(columns),
            vip=VIP,
            history=history,
        )
    )
    return cr.fetchone()[0]


def _set_planner(cr, settings):
    """Apply planner ``settings`` (name -> value) for the engine's statements; return the previous ones.

    - ``jit = off`` always: the cost estimates of whole-base aggregates are large, so
      PostgreSQL would JIT-compile them, which costs seconds per statement (measured: 7 s
      of JIT for a 1.5 s aggregate over 100k clients) and never pays back for statements
      that run once.
    - ``enable_nestloop = off`` for a bulk run (an id range of the base): the planner
      cannot estimate ``id = commercial_partner_id`` (it assumes 0.5% of the partners
      match, the base has ~100%) and would probe the figures index once per client;
      hash joins are right for ranges. Targeted refreshes keep nested loops.
      ``enable_mergejoin = off`` likewise: the planner cannot estimate how few partners
      are contacts of a company (``id <> commercial_partner_id``), takes them for the
      whole table and would read every order through the ``partner_id`` index to
      merge-join them.
    - ``work_mem`` of 256 MB for a bulk run: the hash aggregate and joins of a million
      clients then stay in memory instead of spilling to disk in batches (one backend,
      once a night; the default stays for everything else).

    - For the source of a bulk run only (:data:`BULK_AGGREGATE_SETTINGS`): the orders'
      aggregate by client runs in parallel workers, each sorting and summing its share of
      the orders before the leader merges the sorted partial sums. Measured at 1M
      clients on 2 cores: 6 s, against 8.5 s for the hash aggregate the planner prefers
      (one process; a parallel hash aggregate gains little, each worker then hashing
      most clients). Not when the server allows no parallel workers; should none be free
      at that moment, the leader does it all (slower, still correct).

    Also marks the engine's writes as its own (see ``segment_sources``): they are
    results, not changes of its inputs.

    Set with ``is_local``: a rollback restores them too.
    """
    previous = {}
    for name, value in settings.items():
        value = value or ""  # a custom setting not defined before reads as NULL
        cr.execute(SQL("SELECT current_setting(%s, TRUE), set_config(%s, %s, TRUE)", name, name, value))
        previous[name] = cr.fetchone()[0]
    return previous


BULK_AGGREGATE_SETTINGS = {
    "enable_hashagg": "off",
    "parallel_setup_cost": "100",
    "parallel_tuple_cost": "0.01",
}


def _parallel_query_enabled(cr):
    """Whether the server may give a statement parallel workers (without them, the serial
    hash aggregate the planner prefers is faster than a sort-based one)."""
    cr.execute("SELECT current_setting('max_parallel_workers_per_gather')::int > 0")
    return cr.fetchone()[0]


def _planner_settings(bulk):
    settings = {"jit": "off", ENGINE_WRITE_SETTING: "1"}
    if bulk:
        settings["enable_nestloop"] = "off"
        settings["enable_mergejoin"] = "off"
        settings["work_mem"] = BULK_WORK_MEM
    return settings


def thresholds(company):
    return {
        "new_days": company.client_new_days or 30,
        "inactive_days": company.client_inactive_days or 180,
        "loyal_orders": company.client_loyal_orders or 5,
        "loyal_days": company.client_loyal_days or 365,
        "rfm_days": company.client_rfm_days or 365,
        "a_share": (company.client_abc_a_percent or 80.0) / 100.0,
        "b_share": (company.client_abc_b_percent or 95.0) / 100.0,
        "warmth_days": company.client_warmth_days or 90,
        "hot_probability": company.client_hot_probability or 50.0,
    }


def get_exceptions_query(scope):
    """The few partners matched by ``scope`` (a condition on the client id) that are not
    their own client (contacts of a company) or are mailing-only: every other partner id
    is a client id as it stands."""
    return SQL(
        """
        SELECT p.id, p.commercial_partner_id, COALESCE(p.client_mailing_only, FALSE) AS mailing_only
          FROM res_partner p
         WHERE %s AND (p.id <> p.commercial_partner_id OR p.client_mailing_only)
        """,
        scope(SQL("p.commercial_partner_id")),
    )


def get_source_query(env, company, scope, today, whole_base=False, exceptions=None):
    """SELECT of phase 1 values for the commercial partners matched by ``scope``.

    ``scope(column)`` returns an SQL condition on a partner id column. One row
    per commercial partner that has a signal or already a figures row.
    ``whole_base``: ``scope`` matches every partner (a full run in one batch), so
    the orders need no filter by client. ``exceptions``: a relation holding
    :func:`get_exceptions_query` (a bulk run materialises it, so that the planner
    knows how few rows it has); by default a CTE.

    The confirmed orders are aggregated in one pass straight from ``sale_order``,
    per ordering partner; only the few partners that are not their own client
    (contacts of a company) or are mailing-only are looked up (``exceptions``),
    and the sums of contacts are added to their company's: a join of every
    order, or of every client, with the wide ``res_partner`` table costs about as
    much as the aggregate itself on a million clients.
    Opportunities, mailing responses and existing figures rows are merged in by
    full joins on the client id. For a few clients (the instant update), the
    orders are reached through the indexes on ``commercial_partner_id`` and
    ``partner_id``.
    """
    t = thresholds(company)
    # summed as float8 (cheaper to add and compare than numeric), rounded to cents once per client
    amount = SQL(
        "CASE WHEN so.currency_id = %(cur)s OR COALESCE(so.currency_rate, 0) = 0"
        " THEN so.amount_untaxed::float8 ELSE so.amount_untaxed::float8 / so.currency_rate END",
        cur=company.currency_id.id,
    )
    window_start = fields.Date.subtract(today, days=t["rfm_days"])
    warmth_start = fields.Date.subtract(today, days=t["warmth_days"])
    new_start = fields.Date.subtract(today, days=t["new_days"])
    engagement = SQL("GREATEST(t.open_datetime, t.reply_datetime, t.links_click_datetime)")
    order_scope = SQL("TRUE")
    if not whole_base:
        order_scope = SQL(
            "so.partner_id IN (SELECT p.id FROM res_partner p WHERE %s)",
            scope(SQL("p.commercial_partner_id")),
        )
    exceptions_cte = SQL()
    if exceptions is None:
        exceptions_cte = SQL("exceptions AS (%s),", get_exceptions_query(scope))
        exceptions = SQL.identifier("exceptions")
    return SQL(
        """
        WITH %(exceptions_cte)s
        partner_orders AS (
            -- one pass over the confirmed orders, per ordering partner (no join per order)
            SELECT so.partner_id AS pid,
                   COUNT(*) AS order_count,
                   MIN(so.date_order) AS first_order,
                   MAX(so.date_order) AS last_order,
                   SUM(%(amount)s) AS revenue,
                   COUNT(*) FILTER (WHERE so.client_discounted) AS discounted_order_count,
                   COUNT(*) FILTER (WHERE so.date_order >= %(window_after)s) AS window_order_count,
                   COALESCE(SUM(%(amount)s) FILTER (WHERE so.date_order >= %(window_after)s), 0)
                       AS window_revenue
              FROM sale_order so
             WHERE so.state = 'sale' AND so.company_id = %(company)s AND %(order_scope)s
             GROUP BY so.partner_id
        ),
        contact_orders AS (
            -- orders of a company's contacts, summed under the company
            -- (sums of counts cast back to integers: numeric is slow to add, compare and sort)
            SELECT x.commercial_partner_id AS pid, SUM(o.order_count)::int8 AS order_count,
                   MIN(o.first_order) AS first_order, MAX(o.last_order) AS last_order,
                   SUM(o.revenue) AS revenue, SUM(o.discounted_order_count)::int8 AS discounted_order_count,
                   SUM(o.window_order_count)::int8 AS window_order_count, SUM(o.window_revenue) AS window_revenue
              FROM partner_orders o
              JOIN %(exceptions)s x ON x.id = o.pid AND x.id <> x.commercial_partner_id
             GROUP BY 1
        ),
        orders AS (
            SELECT COALESCE(o.pid, c.pid) AS pid,
                   COALESCE(o.order_count, 0) + COALESCE(c.order_count, 0) AS order_count,
                   LEAST(o.first_order, c.first_order)::date AS first_order_date,
                   GREATEST(o.last_order, c.last_order)::date AS last_order_date,
                   COALESCE(o.revenue, 0) + COALESCE(c.revenue, 0) AS revenue,
                   COALESCE(o.discounted_order_count, 0) + COALESCE(c.discounted_order_count, 0)
                       AS discounted_order_count,
                   COALESCE(o.window_order_count, 0) + COALESCE(c.window_order_count, 0) AS window_order_count,
                   COALESCE(o.window_revenue, 0) + COALESCE(c.window_revenue, 0) AS window_revenue
              FROM (SELECT * FROM partner_orders po
                     WHERE NOT EXISTS (SELECT 1 FROM %(exceptions)s x
                                        WHERE x.id = po.pid AND x.id <> x.commercial_partner_id)) o
              FULL JOIN contact_orders c ON c.pid = o.pid
        ),
        leads AS (
            SELECT p.commercial_partner_id AS pid, COUNT(*) AS n, MAX(COALESCE(l.probability, 0)) AS probability
              FROM crm_lead l
              JOIN res_partner p ON p.id = l.partner_id
             WHERE %(scope_c)s AND l.active AND l.type = 'opportunity' AND COALESCE(l.probability, 0) < 100
               AND (l.company_id = %(company)s OR l.company_id IS NULL)
             GROUP BY 1
        ),
        mail AS (
            SELECT p.commercial_partner_id AS pid, MAX(%(engagement)s)::date AS last_date
              FROM mailing_trace t
              JOIN res_partner p ON p.id = t.res_id
             WHERE %(scope_c)s AND t.model = 'res.partner' AND %(engagement)s::date > %(warmth_start)s
             GROUP BY 1
        ),
        figs AS (
            SELECT f.partner_id AS pid, f.id
              FROM clientbase_client_figures f
             WHERE f.company_id = %(company)s AND %(scope_f)s
        ),
        agg AS (
            -- every client with orders, an opportunity, a mailing response or a figures row
            SELECT COALESCE(o.pid, g.pid, l.pid, m.pid) AS pid, g.id AS figures_id,
                   o.order_count, o.first_order_date, o.last_order_date, o.revenue,
                   o.discounted_order_count, o.window_order_count, o.window_revenue,
                   COALESCE(l.n, 0) AS open_opportunity_count, l.probability AS max_opportunity_probability,
                   m.last_date AS last_engagement_date
              FROM orders o
              FULL JOIN figs g ON g.pid = o.pid
              FULL JOIN leads l ON l.pid = COALESCE(o.pid, g.pid)
              FULL JOIN mail m ON m.pid = COALESCE(o.pid, g.pid, l.pid)
        ),
        src AS (
            -- a mailing-only contact keeps its figures row, with no purchase nor signal counted
            SELECT a.pid AS partner_id, a.figures_id,
                   CASE WHEN NOT a.mailing_only THEN a.first_order_date END AS first_order_date,
                   CASE WHEN NOT a.mailing_only THEN a.last_order_date END AS last_order_date,
                   CASE WHEN NOT a.mailing_only THEN COALESCE(a.order_count, 0) ELSE 0 END AS order_count,
                   CASE WHEN NOT a.mailing_only THEN COALESCE(ROUND(a.revenue * 100) / 100, 0) ELSE 0 END
                       AS revenue,
                   CASE WHEN NOT a.mailing_only THEN COALESCE(a.discounted_order_count, 0) ELSE 0 END
                       AS discounted_order_count,
                   CASE WHEN NOT a.mailing_only THEN COALESCE(a.window_order_count, 0) ELSE 0 END
                       AS window_order_count,
                   CASE WHEN NOT a.mailing_only THEN COALESCE(ROUND(a.window_revenue * 100) / 100, 0) ELSE 0 END
                       AS window_revenue,
                   CASE WHEN NOT a.mailing_only THEN a.open_opportunity_count ELSE 0 END AS open_opportunity_count,
                   CASE WHEN NOT a.mailing_only THEN COALESCE(a.max_opportunity_probability, 0) ELSE 0 END::float8
                       AS max_opportunity_probability,
                   CASE WHEN NOT a.mailing_only THEN a.last_engagement_date END AS last_engagement_date
              FROM (SELECT agg.*, COALESCE(x.mailing_only, FALSE) AS mailing_only
                      FROM agg
                      LEFT JOIN %(exceptions)s x ON x.id = agg.pid
                     WHERE x.id IS NULL OR x.id = x.commercial_partner_id) a
             WHERE NOT a.mailing_only OR a.figures_id IS NOT NULL
        )
        SELECT src.*,
               CASE WHEN src.order_count = 0 THEN 'potential'
                    WHEN src.first_order_date >= %(new_start)s THEN 'new'
                    WHEN src.last_order_date < %(inactive_start)s THEN 'inactive'
                    WHEN src.order_count = 1 THEN 'one_time'
                    WHEN src.order_count >= %(loyal_orders)s AND src.first_order_date <= %(loyal_start)s
                         THEN 'loyal'
                    ELSE 'active' END AS stage,
               CASE WHEN (src.open_opportunity_count > 0
                          AND src.max_opportunity_probability >= %(hot_probability)s)
                         OR src.last_order_date >= %(new_start)s THEN 'hot'
                    WHEN src.open_opportunity_count > 0 OR src.last_order_date > %(warmth_start)s
                         OR src.last_engagement_date IS NOT NULL THEN 'warm'
                    ELSE 'cold' END AS warmth
          FROM src
        """,
        exceptions_cte=exceptions_cte,
        exceptions=exceptions,
        scope_f=scope(SQL("f.partner_id")),
        scope_c=scope(SQL("p.commercial_partner_id")),
        order_scope=order_scope,
        amount=amount,
        company=company.id,
        # "ordered after the window start" on the timestamp itself (no cast per order)
        window_after=fields.Datetime.to_datetime(fields.Date.add(window_start, days=1)),
        warmth_start=warmth_start,
        engagement=engagement,
        new_start=new_start,
        inactive_start=fields.Date.subtract(today, days=t["inactive_days"]),
        loyal_orders=t["loyal_orders"],
        loyal_start=fields.Date.subtract(today, days=t["loyal_days"]),
        hot_probability=t["hot_probability"],
    )


def _create_temp(cr, name, query, analyze=False):
    """(Re)create the temporary table ``name`` holding ``query``; return its identifier."""
    table = SQL.identifier(name)
    cr.execute(SQL("DROP TABLE IF EXISTS %s", table))
    cr.execute(SQL("CREATE TEMP TABLE %s AS %s", table, query))
    if analyze:
        cr.execute(SQL("ANALYZE %s", table))
    return table


def refresh_figures(env, company, scope, today=None, log_history=True, with_rankings=False, bulk=False):
    """Phase 1 for the clients matched by ``scope``; returns the number of rows written.

    Without ``log_history`` (first population of a company) no history is written:
    there is no earlier state to compare with. With ``with_rankings`` (``scope``
    covers every client of the company: a full recompute in a single batch)
    phase 2 is computed from the same source and written by the same
    statements, so each row is written once. ``bulk`` (``scope`` is an id range of the
    base, not a few clients) tunes the planner for whole-base statements and
    materialises the exceptions (analysed: a handful of rows, where the planner would
    otherwise assume most of the base and hash the wrong side of every join).
    """
    today = today or fields.Date.today()
    cr = env.cr
    previous = _set_planner(cr, _planner_settings(bulk))
    temps = []
    exceptions = None
    if bulk:
        exceptions = _create_temp(cr, EXCEPTIONS_TABLE, get_exceptions_query(scope), analyze=True)
        temps.append(exceptions)
    # no ANALYZE of the source: its sampling costs more than it saves (the joins below are
    # by id, hash joins either way; the planner estimates the row count from the table size)
    aggregate_previous = {}
    if bulk and _parallel_query_enabled(cr):
        aggregate_previous = _set_planner(cr, BULK_AGGREGATE_SETTINGS)
    src = _create_temp(
        cr,
        SOURCE_TABLE,
        get_source_query(env, company, scope, today, whole_base=with_rankings, exceptions=exceptions),
    )
    _set_planner(cr, aggregate_previous)
    temps.append(src)
    columns = PHASE1_COLUMNS
    rows = src
    if with_rankings:
        columns = PHASE1_COLUMNS + PHASE2_COLUMNS
        scores = _create_temp(cr, SCORES_TABLE, get_scores_query(src, "partner_id"))
        temps.append(scores)
        # the source's columns pass through, with the phase 2 values added
        rows = SQL(
            "(%s)",
            get_rankings_query(
                company,
                rows=SQL(
                    "(SELECT s.*, g.stage_manual FROM %s s"
                    " LEFT JOIN clientbase_client_figures g ON g.id = s.figures_id)",
                    src,
                ),
                key="partner_id",
                scores=scores,
                keep=SQL("f.*,"),
            ),
        )
    cr.execute(SQL("SELECT 1 FROM %s WHERE figures_id IS NOT NULL LIMIT 1", src))
    updated = 0
    if cr.rowcount:  # else a first population: nothing to update
        updated = _update_changed(cr, rows, "figures_id", columns, log_history)
    insert = SQL(
        """
        INSERT INTO clientbase_client_figures (partner_id, company_id, %(cols)s)
        SELECT s.partner_id, %(company)s, %(s_cols)s
          FROM %(rows)s s
         WHERE s.figures_id IS NULL
         ORDER BY s.partner_id
        %(on_conflict)s
        """,
        rows=rows,
        cols=_columns(columns),
        s_cols=_columns(columns, "s"),
        company=company.id,
        # A row another transaction added since this one began conflicts either way (under
        # Odoo's repeatable read, ON CONFLICT then raises a serialization failure, which Odoo
        # retries for a user's request); a bulk run spares the speculative insertion it costs
        # per row (a third of the insert), and a conflict makes the step fail and run again.
        # In client order, the unique (client, company) index is filled from left to right:
        # inserted in hash order, its random page accesses cost more than the whole sort.
        on_conflict=SQL() if bulk else SQL("ON CONFLICT (partner_id, company_id) DO NOTHING"),
    )
    if not log_history:
        # a first population: no history, so nothing to return
        cr.execute(insert)
        inserted = cr.rowcount
    else:
        cr.execute(
            SQL(
                """
                WITH ins AS (
                    %(insert)s
                    RETURNING partner_id, company_id, 'potential' AS old_stage, stage AS new_stage,
                              'cold' AS old_warmth, warmth AS new_warmth,
                              NULL::varchar AS old_abc, abc_class AS new_abc,
                              'False' AS old_vip, CASE WHEN abc_class = 'a' THEN 'True' ELSE 'False' END AS new_vip
                ),
                hist AS (%(history)s)
                SELECT COUNT(*) FROM ins
                """,
                insert=insert,
                history=_history_insert("ins", fields.Datetime.now()),
            )
        )
        inserted = cr.fetchone()[0]
    for table in temps:
        cr.execute(SQL("DROP TABLE %s", table))
    _set_planner(cr, previous)
    return updated + inserted


def get_scores_query(rows, key):
    """SELECT of the RFM scores and the ABC running sums of the clients of ``rows`` with
    orders in the RFM window (columns ``key``, partner_id, last_order_date,
    window_order_count, window_revenue); one row per such client, keyed by ``key``.

    Where the value ranked is an integer (days, orders), the sort key packs the value
    and the partner id into one ``int8`` (value * 2^32 + partner id; ids are below
    2^31): the same order as ``(value, partner_id)``, and a single-key sort is several
    times faster than a two-key one on a million rows.
    """
    return SQL(
        """
        SELECT %(key)s AS key,
               NTILE(5) OVER (ORDER BY (last_order_date - DATE '2000-01-01')::int8 * 4294967296 + partner_id) AS r,
               NTILE(5) OVER (ORDER BY window_order_count::int8 * 4294967296 + partner_id) AS f,
               NTILE(5) OVER (ORDER BY window_revenue, partner_id) AS m,
               window_revenue,
               SUM(window_revenue) OVER (ORDER BY window_revenue DESC, partner_id
                                         ROWS UNBOUNDED PRECEDING) - window_revenue AS before,
               SUM(window_revenue) OVER () AS total
          FROM %(rows)s AS r
         WHERE window_order_count > 0
        """,
        key=SQL.identifier(key),
        rows=rows,
    )


def get_rankings_query(company, rows=None, key="id", scores=None, keep=None):
    """SELECT of phase 2 values (RFM, ABC, persona) keyed by ``id``.

    ``rows`` is the relation ranked (every client of the company; columns ``key``,
    partner_id, last_order_date, order_count, discounted_order_count,
    window_order_count, window_revenue, stage, stage_manual); by default the
    figures rows of ``company``. ``scores``: a relation holding
    :func:`get_scores_query` of ``rows``, computed here by default.
    """
    t = thresholds(company)
    if rows is None:
        rows = SQL(
            "(SELECT id, partner_id, last_order_date, order_count, discounted_order_count, window_order_count,"
            " window_revenue, stage, stage_manual FROM clientbase_client_figures WHERE company_id = %s)",
            company.id,
        )
    if scores is None:
        scores = SQL("(%s)", get_scores_query(rows, key))
    # FM = round((F + M) / 2), halves up, in integers
    fm = SQL("((s.f + s.m + 1) / 2)")
    return SQL(
        """
        SELECT f.%(key)s AS id, %(keep)s
               s.r AS rfm_recency, s.f AS rfm_frequency, s.m AS rfm_monetary,
               CASE WHEN s.key IS NULL THEN CASE WHEN f.order_count > 0 THEN 'lost' END
                    WHEN s.r = 5 AND %(fm)s >= 4 THEN 'champions'
                    WHEN s.r >= 3 AND %(fm)s >= 4 THEN 'loyal'
                    WHEN s.r >= 4 AND %(fm)s >= 2 THEN 'potential_loyalist'
                    WHEN s.r = 5 THEN 'new'
                    WHEN s.r = 4 THEN 'promising'
                    WHEN s.r = 3 AND %(fm)s = 3 THEN 'need_attention'
                    WHEN s.r = 3 THEN 'about_to_sleep'
                    WHEN %(fm)s = 5 THEN 'cannot_lose'
                    WHEN %(fm)s >= 3 THEN 'at_risk'
                    WHEN s.r = 2 THEN 'hibernating'
                    ELSE 'lost' END AS rfm_segment,
               CASE WHEN s.window_revenue IS NULL OR s.window_revenue <= 0 THEN NULL
                    WHEN s.before < %(a_share)s * s.total THEN 'a'
                    WHEN s.before < %(b_share)s * s.total THEN 'b'
                    ELSE 'c' END AS abc_class,
               CASE WHEN f.order_count > 0 AND f.discounted_order_count * 2 > f.order_count
                         THEN 'discount_hunter'
                    WHEN COALESCE(f.stage_manual, f.stage) = 'loyal' AND s.f = 5 THEN 'fan'
               END AS persona_suggested
          FROM %(rows)s AS f
          LEFT JOIN %(scores)s s ON s.key = f.%(key)s
        """,
        rows=rows,
        key=SQL.identifier(key),
        scores=scores,
        keep=keep or SQL(),
        fm=fm,
        a_share=t["a_share"],
        b_share=t["b_share"],
    )


def refresh_rankings(env, company, log_history=True):
    """Phase 2 for one company; returns the number of rows written (history as in phase 1)."""
    cr = env.cr
    previous = _set_planner(cr, _planner_settings(bulk=True))
    written = _update_changed(cr, SQL("(%s)", get_rankings_query(company)), "id", PHASE2_COLUMNS, log_history)
    _set_planner(cr, previous)
    return written


def log_duration(message, start, **counts):
    _logger.info(
        "%s in %.2fs (%s)", message, time.time() - start, ", ".join(f"{k}={v}" for k, v in counts.items())
    )
