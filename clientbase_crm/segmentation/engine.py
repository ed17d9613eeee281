"""Set-based SQL of the segmentation engine.

Plain functions over an environment, no ORM records: each one is a handful of
statements over a bounded set of clients, so that the same code serves the
instant refresh after an order is confirmed or cancelled, the nightly run
(incremental: the clients whose inputs changed, see ``changes``; or full: the
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

The source of phase 1 (what the engine knows of each client: its orders,
opportunities, mailing reactions, figures row) is built by ``sources``, one named
CTE builder per part; this module runs it into a temporary table and writes from
it. Performance notes (see ``bench/results/results-*.md``): the exceptions (contacts of a
company, mailing-only partners) and the source are materialised in temporary
tables that the writes read; a bulk run inserts new rows in client order without
``ON CONFLICT``. Planner settings: see ``planner``.

Rows being edited by a user at the same moment are skipped
(``FOR UPDATE SKIP LOCKED``) and caught up by the next run, so the engine
never blocks users nor makes their transaction fail. Changes of stage,
warmth, ABC class and VIP are appended to ``clientbase_segment_history`` by
the same statements.
"""

import logging
import time

from odoo import fields
from odoo.tools import SQL

from . import changes, planner, rankings, rules, sources

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
            exceptions = _create_temp(cr, EXCEPTIONS_TABLE, sources.exceptions_query(scope), analyze=True)
            temps.append(exceptions)
        # no ANALYZE of the source: its sampling costs more than it saves (the joins below are
        # by id, hash joins either way; the planner estimates the row count from the table size)
        aggregate = planner.BULK_AGGREGATE if bulk and planner.parallel_query_enabled(cr) else {}
        with planner.settings(cr, aggregate):
            src = _create_temp(
                cr,
                SOURCE_TABLE,
                sources.source_query(
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
                    SQL.identifier(changes.RANK_BASE_TABLE),
                    company.id,
                )
            )
            removed = cr.fetchall()
            added = rankings.ranking_keys(
                cr,
                company.id,
                SQL(
                    "(SELECT partner_id FROM %s WHERE company_id = %s)",
                    SQL.identifier(changes.RANK_BASE_TABLE),
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
        SQL("DELETE FROM %s WHERE company_id = %s", SQL.identifier(changes.RANK_BASE_TABLE), company.id)
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
