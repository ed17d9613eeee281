"""Set-based SQL of the segmentation engine.

Plain functions over an environment, no ORM records: each one is a handful of
statements over a bounded set of clients, so that the same code serves the
instant refresh after an order is confirmed or cancelled, the nightly run
(incremental: the clients whose inputs changed, see ``sources``; or full: the
whole base in id ranges) and the benchmark. The rules themselves are in
``rules``; the rankings' cuts in ``rankings``.

Two phases per company:

1. :func:`refresh_figures` (for an id range of the base, or for given clients):
   aggregates confirmed orders, open opportunities and mailing reactions per
   commercial partner and writes figures, ``stage`` and ``warmth`` into
   ``clientbase_client_figures`` (only rows that change).
2. :func:`refresh_rankings` (once per company, over the narrow table only):
   RFM scores and segment, ABC class and the persona suggestion, from the cuts
   of the rankings (``rankings.find_cuts``): a comparison per row, no sort of
   the base; only the rows whose values changed are written.

When one batch covers the whole company (a full run; the default batch size
covers 1,000,000 client ids), phase 2 is computed from the same source and
written by the same statements: each figures row is written once per run, and
only when a value changed (``IS DISTINCT FROM``). The first population of a
company (no figures rows when the run starts) records no history: there is no
earlier state to compare with.

Performance notes (see ``bench/results-*.md``): the confirmed orders are read
in one pass, aggregated per client without joining each order with the wide
partner table (see :func:`get_source_query`); "has a discounted line" is the
order's stored ``client_discounted`` flag, so that no order line is read;
amounts are summed as ``float8``, rounded to cents once per client and stored
as ``float8``; counts stay integers. The exceptions (contacts of a company,
mailing-only partners) and the source are materialised in temporary tables
that the writes read; a bulk run inserts new rows in client order without
``ON CONFLICT``. Planner settings: see ``planner``.

Rows being edited by a user at the same moment are skipped
(``FOR UPDATE SKIP LOCKED``) and caught up by the next run, so the engine
never blocks users nor makes their transaction fail. Changes of stage,
warmth, ABC class and VIP are appended to ``clientbase_segment_history`` by
the same statements.
"""

import datetime
import logging
import time

from odoo import fields
from odoo.tools import SQL

from ..tools import client_definition
from . import planner, rankings, rules, sources

_logger = logging.getLogger(__name__)

# temporary tables of a run (dropped at its end, and with the session anyway)
EXCEPTIONS_TABLE = "clientbase_segment_exc"
SOURCE_TABLE = "clientbase_segment_src"
CANDIDATES_TABLE = "clientbase_segment_candidates"

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
    "order_season_strength",
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
HISTORY_DIMENSIONS = ("stage", "warmth", "abc", "vip", "persona", "rfm")


def _columns(names, alias=None):
    if alias:
        return SQL(", ").join(SQL.identifier(alias, name) for name in names)
    return SQL(", ").join(SQL.identifier(name) for name in names)


def _history_values(alias, prefix):
    """``<value of the figures row alias> AS <prefix>_<dimension>`` for each dimension of the history."""
    values = {
        "stage": rules.effective_stage_sql(alias),
        "warmth": rules.effective_warmth_sql(alias),
        "abc": SQL.identifier(alias, "abc_class"),
        "rfm": SQL.identifier(alias, "rfm_segment"),
        "persona": SQL(
            "COALESCE(%s, %s)", SQL.identifier(alias, "persona"), SQL.identifier(alias, "persona_suggested")
        ),
        # as Python writes a boolean (the history's filters and labels read 'True' / 'False')
        "vip": SQL("CASE WHEN %s THEN 'True' ELSE 'False' END", SQL.identifier(alias, "is_vip")),
    }
    return SQL(", ").join(
        SQL("%s AS %s", values[dimension], SQL.identifier(f"{prefix}_{dimension}"))
        for dimension in HISTORY_DIMENSIONS
    )


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


def _update_changed(cr, source, columns, log_history):
    """Write ``columns`` of the new values ``s`` into the figures rows ``f`` where a value
    differs, skipping rows locked by users (noted as changed, for the next run); with ``log_history``, append the changes of
    stage, warmth, ABC class and VIP to the history. Returns the number of rows written.

    ``source``: FROM items and conditions following ``FROM clientbase_client_figures f``
    that give the new values as ``s`` (e.g. ``JOIN (...) s ON s.figures_id = f.id``)."""
    history = SQL(", hist AS (%s)", _history_insert("upd", fields.Datetime.now())) if log_history else SQL()
    cr.execute(
        SQL(
            """
            WITH differs AS MATERIALIZED (
                SELECT f.id, f.partner_id, %(s_cols)s, %(old)s
                  FROM clientbase_client_figures f %(source)s
                   AND (%(f_cols)s) IS DISTINCT FROM (%(s_cols)s)
            ),
            changed AS (
                SELECT d.* FROM differs d JOIN clientbase_client_figures f ON f.id = d.id
                   FOR UPDATE OF f SKIP LOCKED
            ),
            upd AS (
                UPDATE clientbase_client_figures f
                   SET (%(cols)s) = ROW(%(c_cols)s)
                  FROM changed c
                 WHERE f.id = c.id
             RETURNING f.partner_id, f.company_id, c.old_stage, c.old_warmth, c.old_abc, c.old_vip, c.old_persona,
                       c.old_rfm, %(new)s
            ),
            skipped AS (
                -- rows a user is writing now: noted, so that the next run refreshes them
                INSERT INTO clientbase_segment_change (partner_id)
                SELECT partner_id FROM differs WHERE id NOT IN (SELECT id FROM changed)
            )%(history)s
            SELECT COUNT(*) FROM upd
            """,
            source=source,
            f_cols=_columns(columns, "f"),
            s_cols=_columns(columns, "s"),
            c_cols=_columns(columns, "c"),
            cols=_columns(columns),
            old=_history_values("f", "old"),
            new=_history_values("f", "new"),
            history=history,
        )
    )
    return cr.fetchone()[0]


def get_exceptions_query(scope):
    """The few partners matched by ``scope`` (a condition on the client id) that are not
    their own client (contacts of a company) or are no client (``mailing_only``: mailing-only,
    or on the company's side): every other partner id is a client id as it stands."""
    return SQL(
        """
        SELECT p.id, p.commercial_partner_id, COALESCE(p.client_mailing_only, FALSE) AS mailing_only
          FROM res_partner p
         WHERE %s AND (p.id <> p.commercial_partner_id OR p.client_mailing_only)
        -- [client definition] employees' and the companies' own partners are no clients
        -- (tools/client_definition.py, one definition for the engine and the reports)
        UNION %s
        """,
        scope(SQL("p.commercial_partner_id")),
        client_definition.internal_entities_query(scope),
    )


def get_source_query(env, company, scope, today, whole_base=False, exceptions=None, scope_table=None):
    """SELECT of phase 1 values for the commercial partners matched by ``scope``.

    ``scope(column)`` returns an SQL condition on a partner id column. One row
    per commercial partner that has a signal or already a figures row.
    ``whole_base``: ``scope`` matches every partner (a full run in one batch), so
    the orders need no filter by client. ``exceptions``: a relation holding
    :func:`get_exceptions_query` (a bulk run materialises it, so that the planner
    knows how few rows it has); by default a CTE. ``scope_table``: a (temporary, analysed)
    table of the partner ids ``scope`` matches, when there is one: the orders are then
    reached from it, by index.

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
    t = rules.thresholds(company)
    # summed as float8 (cheaper to add and compare than numeric), rounded to cents once per client
    amount = SQL(
        "CASE WHEN so.currency_id = %(cur)s OR COALESCE(so.currency_rate, 0) = 0"
        " THEN so.amount_untaxed::float8 ELSE so.amount_untaxed::float8 / so.currency_rate END",
        cur=company.currency_id.id,
    )
    engagement = rules.engagement_sql("t")
    # a run as of an earlier day (``clientbase_as_of`` in the context: the demo's replay of the
    # past months) reads the orders up to that day only; a nightly run reads every order
    until = SQL("TRUE")
    if env.context.get("clientbase_as_of"):
        until = SQL("so.date_order < %s", today + datetime.timedelta(days=1))
    exceptions_cte = SQL()
    if exceptions is None:
        exceptions_cte = SQL("exceptions AS (%s),", get_exceptions_query(scope))
        exceptions = SQL.identifier("exceptions")
    order_scope = SQL("TRUE")
    if not whole_base:
        # the orders of the clients themselves and of their contacts (the exceptions): found
        # by partner id, where "commercial partner in scope" would read every partner
        clients = SQL("SELECT p.id FROM res_partner p WHERE %s", scope(SQL("p.id")))
        if scope_table is not None:
            # from the few ids to the partners, an index lookup each (OFFSET 0: the planner, which
            # cannot estimate "id = commercial_partner_id", would read every partner instead)
            clients = SQL(
                "SELECT p.id FROM %s s CROSS JOIN LATERAL (SELECT p.id, p.commercial_partner_id FROM res_partner p"
                " WHERE p.id = s.partner_id OFFSET 0) p WHERE TRUE",
                scope_table,
            )
        order_scope = SQL(
            "so.partner_id IN (%s AND p.id = p.commercial_partner_id UNION ALL SELECT x.id FROM %s x)",
            clients,
            exceptions,
        )
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
                       AS window_revenue,
                   SUM(%(season_cos)s) AS season_cos, SUM(%(season_sin)s) AS season_sin
              FROM sale_order so
             WHERE so.state = 'sale' AND so.company_id = %(company)s AND %(order_scope)s AND %(until)s
             GROUP BY so.partner_id
        ),
        contact_orders AS (
            -- orders of a company's contacts, summed under the company
            -- (sums of counts cast back to integers: numeric is slow to add, compare and sort)
            SELECT x.commercial_partner_id AS pid, SUM(o.order_count)::int8 AS order_count,
                   MIN(o.first_order) AS first_order, MAX(o.last_order) AS last_order,
                   SUM(o.revenue) AS revenue, SUM(o.discounted_order_count)::int8 AS discounted_order_count,
                   SUM(o.window_order_count)::int8 AS window_order_count, SUM(o.window_revenue) AS window_revenue,
                   SUM(o.season_cos) AS season_cos, SUM(o.season_sin) AS season_sin
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
                   COALESCE(o.window_revenue, 0) + COALESCE(c.window_revenue, 0) AS window_revenue,
                   COALESCE(o.season_cos, 0) + COALESCE(c.season_cos, 0) AS season_cos,
                   COALESCE(o.season_sin, 0) + COALESCE(c.season_sin, 0) AS season_sin
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
             WHERE %(scope_c)s AND t.model = 'res.partner' AND %(engagement)s IS NOT NULL
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
                   o.discounted_order_count, o.window_order_count, o.window_revenue, o.season_cos, o.season_sin,
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
                   CASE WHEN NOT a.mailing_only THEN a.last_engagement_date END AS last_engagement_date,
                   -- rounded: the same however the sums were added up (parallel or not)
                   CASE WHEN NOT a.mailing_only
                        THEN ROUND((%(season)s)::numeric, 4)::float8 END AS order_season_strength
              FROM (SELECT agg.*, COALESCE(x.mailing_only, FALSE) AS mailing_only
                      FROM agg
                      LEFT JOIN %(exceptions)s x ON x.id = agg.pid
                     WHERE x.id IS NULL OR x.id = x.commercial_partner_id) a
             WHERE NOT a.mailing_only OR a.figures_id IS NOT NULL
        )
        SELECT src.*, %(stage)s AS stage, %(warmth)s AS warmth
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
        window_after=rules.window_after(t, today),
        until=until,
        engagement=engagement,
        season_cos=rules.season_sums_sql(SQL("so.date_order"))[0],
        season_sin=rules.season_sums_sql(SQL("so.date_order"))[1],
        season=rules.season_strength_sql(SQL("a.season_cos"), SQL("a.season_sin"), SQL("a.order_count")),
        stage=rules.stage_sql("src", t, today),
        warmth=rules.warmth_sql("src", t, today),
    )


def _create_temp(cr, name, query, analyze=False):
    """(Re)create the temporary table ``name`` holding ``query``; return its identifier."""
    table = SQL.identifier(name)
    cr.execute(SQL("DROP TABLE IF EXISTS %s", table))
    cr.execute(SQL("CREATE TEMP TABLE %s AS %s", table, query))
    if analyze:
        cr.execute(SQL("ANALYZE %s", table))
    return table


def refresh_figures(
    env, company, scope, today=None, log_history=True, with_rankings=False, bulk=False, scope_table=None
):
    """Phase 1 for the clients matched by ``scope``; returns the number of rows written.

    Without ``log_history`` (first population of a company) no history is written:
    there is no earlier state to compare with. With ``with_rankings`` (``scope``
    covers every client of the company: a full run in a single batch)
    phase 2 is computed from the same source and written by the same
    statements, so each row is written once. ``bulk`` (``scope`` is an id range of the
    base, not a few clients) tunes the planner for whole-base statements and
    materialises the exceptions (analysed: a handful of rows, where the planner would
    otherwise assume most of the base and hash the wrong side of every join).
    """
    today = today or fields.Date.today()
    cr = env.cr
    temps = []
    with planner.settings(cr, planner.engine_settings(bulk)):
        exceptions = None
        if bulk:
            exceptions = _create_temp(cr, EXCEPTIONS_TABLE, get_exceptions_query(scope), analyze=True)
            temps.append(exceptions)
        # no ANALYZE of the source: its sampling costs more than it saves (the joins below are
        # by id, hash joins either way; the planner estimates the row count from the table size)
        aggregate = planner.BULK_AGGREGATE if bulk and planner.parallel_query_enabled(cr) else {}
        with planner.settings(cr, aggregate):
            src = _create_temp(
                cr,
                SOURCE_TABLE,
                get_source_query(
                    env,
                    company,
                    scope,
                    today,
                    whole_base=with_rankings,
                    exceptions=exceptions,
                    scope_table=scope_table,
                ),
            )
        temps.append(src)
        columns = PHASE1_COLUMNS
        rows = src
        if with_rankings:
            columns = PHASE1_COLUMNS + PHASE2_COLUMNS
            cuts = rankings.find_cuts(cr, src, rules.thresholds(company))
            # the source's columns pass through, with the phase 2 values added
            rows = SQL(
                "(%s)",
                rankings.rankings_query(
                    SQL(
                        "(SELECT s.*, g.stage_manual FROM %s s"
                        " LEFT JOIN clientbase_client_figures g ON g.id = s.figures_id)",
                        src,
                    ),
                    cuts,
                ),
            )
            _keep_cuts(cr, company, cuts)
        cr.execute(SQL("SELECT 1 FROM %s WHERE figures_id IS NOT NULL LIMIT 1", src))
        updated = 0
        if cr.rowcount:  # else a first population: nothing to update
            updated = _update_changed(
                cr, SQL("JOIN %s s ON s.figures_id = f.id WHERE TRUE", rows), columns, log_history
            )
        inserted = _insert_new(cr, company, rows, columns, log_history, bulk)
        for table in temps:
            cr.execute(SQL("DROP TABLE %s", table))
    return updated + inserted


def _insert_new(cr, company, rows, columns, log_history, bulk):
    """Insert the figures rows of the clients of ``rows`` that have none yet."""
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
        return cr.rowcount
    cr.execute(
        SQL(
            """
            WITH ins AS (
                %(insert)s
                RETURNING partner_id, company_id, 'potential' AS old_stage, 'cold' AS old_warmth,
                          NULL::varchar AS old_abc, 'False' AS old_vip, NULL::varchar AS old_persona,
                          NULL::varchar AS old_rfm, %(new)s
            ),
            hist AS (%(history)s)
            SELECT COUNT(*) FROM ins
            """,
            insert=insert,
            new=_history_values("clientbase_client_figures", "new"),
            history=_history_insert("ins", fields.Datetime.now()),
        )
    )
    return cr.fetchone()[0]


def refresh_rankings(env, company, log_history=True, changed=None):
    """Phase 2 for one company, over its figures rows: the cuts of the rankings, then
    the rows whose values differ from what the cuts give are written (history as in
    phase 1). Returns the number of rows written.

    ``changed``: SQL condition on ``f.partner_id``, the clients whose inputs (figures,
    values set by hand) changed since the last rankings; the others keep their
    segment and persona unless their scores or class move, which a cheap test of every
    row finds. By default every row is recomputed."""
    cr = env.cr
    # a whole company: hash joins; a few candidates: index lookups
    with planner.settings(cr, planner.engine_settings(bulk=changed is None)):
        t = rules.thresholds(company)
        cuts = None
        old = _kept_cuts(cr, company) if changed is not None else None
        if old:
            # the clients whose keys changed since the last cut: as they were, as they are
            cr.execute(
                SQL(
                    "SELECT partner_id, last_order_date, window_order_count, window_revenue,"
                    " ROUND(window_revenue * 100) FROM %s WHERE company_id = %s AND window_order_count > 0",
                    SQL.identifier(sources.RANK_BASE_TABLE),
                    company.id,
                )
            )
            removed = cr.fetchall()
            added = rankings.ranking_keys(
                cr,
                company.id,
                SQL(
                    "(SELECT partner_id FROM %s WHERE company_id = %s)",
                    SQL.identifier(sources.RANK_BASE_TABLE),
                    company.id,
                ),
            )
            cuts = rankings.shift_cuts(cr, company.id, old, removed, added, t)
            if cuts is not None:
                _logger.info(
                    "Client segments: company %s, rankings' cuts moved by %s client(s)",
                    company.id,
                    len(added),
                )
        if cuts is None:
            company_rows = SQL("(SELECT * FROM clientbase_client_figures WHERE company_id = %s)", company.id)
            cuts = rankings.find_cuts(cr, company_rows, t)
            _logger.info("Client segments: company %s, rankings' cuts found by counting", company.id)
        columns = SQL(", ").join(SQL.identifier("f", column) for column in rankings.RANKED_COLUMNS)
        rows = SQL(
            "(SELECT f.id AS figures_id, %s FROM clientbase_client_figures f WHERE f.company_id = %s)",
            columns,
            company.id,
        )
        if changed is not None:
            # the few candidates, materialised (the planner cannot tell how few rows match): the
            # clients that changed, and those between an old and a new cut (an index range each)
            moved = rankings.moved_conditions("f", old, cuts)
            if moved is None:
                moved = [rankings.misplaced_sql("f", cuts)]
            rows = _create_temp(
                cr,
                CANDIDATES_TABLE,
                SQL(" UNION ").join(
                    SQL(
                        "SELECT f.id AS figures_id, %s FROM clientbase_client_figures f WHERE f.company_id = %s AND %s",
                        columns,
                        company.id,
                        condition,
                    )
                    for condition in [changed, *moved]
                ),
                analyze=True,
            )
        source = SQL("JOIN (%s) s ON s.figures_id = f.id WHERE TRUE", rankings.rankings_query(rows, cuts))
        with planner.settings(cr, planner.FEW_ROWS if changed is not None else {}):
            written = _update_changed(cr, source, PHASE2_COLUMNS, log_history)
        if changed is not None:
            cr.execute(SQL("DROP TABLE %s", rows))
        _keep_cuts(cr, company, cuts)
        return written


def _kept_cuts(cr, company):
    cr.execute("SELECT client_segment_cuts FROM res_company WHERE id = %s", [company.id])
    return rankings.load_cuts(cr.fetchone()[0])


def _keep_cuts(cr, company, cuts):
    """The cuts every stored score and class of the company follows, for the next run; the
    keys noted since the last cut are history then."""
    cr.execute(
        "UPDATE res_company SET client_segment_cuts = %s WHERE id = %s",
        [rankings.dump_cuts(cuts), company.id],
    )
    company.invalidate_recordset(["client_segment_cuts"], flush=False)
    cr.execute(
        SQL("DELETE FROM %s WHERE company_id = %s", SQL.identifier(sources.RANK_BASE_TABLE), company.id)
    )


def win_back(env, company, scope):
    """Lost clients of ``company`` matched by ``scope`` (a condition on ``f.partner_id``)
    who ordered after the day they were lost are won back: their stage returns to the one
    the rules give (no value set by hand), their card forgets the day they were lost and
    the win-back reminder's date, and the history records lost -> that stage. "Lost" is a
    stage set with the day on the client card (``churn_date``), whatever the door.

    :return: ids of the clients won back
    """
    env.cr.execute(
        SQL(
            """
            WITH won AS (
                UPDATE clientbase_client_figures f SET stage_manual = NULL
                  FROM clientbase_client_card c
                 WHERE c.partner_id = f.partner_id AND f.company_id = %(company)s AND f.stage_manual = 'lost'
                   AND c.churn_date IS NOT NULL AND f.last_order_date > c.churn_date AND %(scope)s
             RETURNING f.partner_id, f.company_id, COALESCE(f.current_stage, 'potential') AS new_stage
            ),
            card AS (
                UPDATE clientbase_client_card c SET churn_date = NULL, winback_date = NULL
                  FROM won WHERE c.partner_id = won.partner_id
            ),
            hist AS (
                INSERT INTO clientbase_segment_history (partner_id, company_id, dimension, old_value, new_value, date)
                SELECT partner_id, company_id, 'stage', 'lost', new_stage, %(now)s FROM won
            )
            SELECT partner_id FROM won
            """,
            company=company.id,
            scope=scope(SQL("f.partner_id")),
            now=fields.Datetime.now(),
        )
    )
    return [row[0] for row in env.cr.fetchall()]


def log_duration(message, start, **counts):
    _logger.info(
        "%s in %.2fs (%s)", message, time.time() - start, ", ".join(f"{k}={v}" for k, v in counts.items())
    )
