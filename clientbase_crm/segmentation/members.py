"""Membership of the user-defined segments, refreshed as set-based differences.

A segment's members are the partners its domain matches (``clientbase.segment``). A
refresh computes the new members of a batch of segments into one temporary table (one
``CREATE TEMP TABLE ... AS SELECT`` over the segments' queries), then writes only the
difference: one ``DELETE`` of the members that left, one ``INSERT ... SELECT`` of those that
joined (anti-joins with the stored rows); unchanged memberships are not touched.

**Incremental refresh.** A segment whose domain reads only the partner's own columns and the
figures the engine writes (:func:`reads_only_noted`) can change only for the partners whose
row or figures row changed, and, for a condition on the days since a date of the figures
(:data:`DATED_FIELDS`), for those whose days crossed the condition's numbers
(:func:`take_dated`). Triggers note the changed partners in :data:`NOTE_TABLE`, whatever the
door (the ORM, SQL, imports, the engine):

- ``res_partner``: every inserted, updated or deleted row (statement triggers reading the
  transition tables: a bulk import notes its rows in one ``INSERT ... SELECT``);
- ``clientbase_client_figures``: a row inserted, deleted, or whose engine figures or values
  set by hand (:data:`FIGURES_COLUMNS`) changed. The bulk statements of a full run
  (``changes.BULK_SETTING``) and a ``TRUNCATE`` note ``NULL`` once instead: every segment is
  then refreshed whole.

The nightly refresh takes (deletes) the notes visible to its snapshot, as the engine takes
its own (``changes.take_changes``), and refreshes the incremental segments for those partners
only: with nothing noted (and no date crossing a segment's number of days), it costs no query
per segment. Every other segment (a condition on another model, on today's date otherwise, on
the forecast...) is refreshed whole, as is a segment
never refreshed since its conditions were set.

**Storage without foreign keys.** ``clientbase_segment_member`` has no foreign key: checking
two of them for every row written (a lookup and a row lock in ``res_partner`` and in
``clientbase_segment`` per membership) cost more than writing the rows. Integrity is kept by
statement triggers instead (:func:`install_cascade`): the rows of deleted partners (deleted
by the ORM, a merge, SQL) and of deleted segments are deleted by the statement that deletes
them, in one set-based ``DELETE``. A segment with no rows yet is filled by one plain
``INSERT ... SELECT`` in (segment, client) order, without ``ON CONFLICT``: its rows are locked
first, so a concurrent fill of the same segment waits, then fails as a concurrent update and is
retried. A partner deleted by another transaction while a refresh computes its memberships is
also noted (:data:`NOTE_TABLE`): the next refresh removes any row written for it.
"""

from contextlib import contextmanager

import psycopg2

from odoo.osv import expression
from odoo.tools import SQL

from ..tools import sql_planning
from . import planner
from .changes import BULK_SETTING, create_cascade_trigger, drop_trigger

NOTE_TABLE = "clientbase_segment_member_change"
TAKEN_TABLE = "clientbase_segment_member_taken"
NEW_TABLE = "clientbase_segment_member_new"
NOTE_ROW_FUNCTION = "clientbase_member_note_row"
NOTE_FULL_FUNCTION = "clientbase_member_note_full"
NOTE_NEW_ROWS_FUNCTION = "clientbase_member_note_new_rows"
TRIGGER_PREFIX = "clientbase_member"
MEMBER_TABLE = "clientbase_segment_member"
CASCADE_FUNCTION = "clientbase_member_cascade"
CASCADE_TRIGGER = "clientbase_member_cascade_trg"
# a first fill (no membership row at all) on a base of at least this many partners drops the
# table's secondary indexes, writes, then builds them again (:func:`bulk_fill`)
BULK_FILL_FROM = 5_000
# how long the first fill waits for the readers of the memberships before it fills with its
# indexes in place
BULK_FILL_LOCK_WAIT = "2s"
# a refresh that wrote more than a tenth of the table plus this many rows analyzes it
ANALYZE_MIN_ROWS = 1000
ANALYZE_SHARE = 0.1
# tables whose deleted rows take their membership rows along: (table, membership column)
CASCADE_TARGETS = (("res_partner", "partner_id"), ("clientbase_segment", "segment_id"))
# the figures columns the incremental segments read, through the partner's figure fields
FIGURES_COLUMNS = (
    "first_order_date",
    "last_order_date",
    "order_count",
    "revenue",
    "stage",
    "stage_manual",
    "rfm_recency",
    "rfm_frequency",
    "rfm_monetary",
    "rfm_segment",
    "abc_class",
    "vip_manual",
    "warmth",
    "warmth_manual",
    "persona",
    "persona_suggested",
)
# the partner's figure fields computed from those columns only (not from today's date, nor
# from the forecast and margin, written by other jobs)
NOTED_FIGURE_FIELDS = frozenset(
    {
        "client_first_order_date",
        "client_last_order_date",
        "client_order_count",
        "client_revenue",
        "client_average_order",
        "client_stage",
        "client_rfm_recency",
        "client_rfm_frequency",
        "client_rfm_monetary",
        "client_rfm_segment",
        "client_abc_class",
        "client_is_vip",
        "client_warmth",
        "client_persona",
        "client_persona_suggested",
    }
)
# the partner's fields without a stored field of their own that read a column of its row kept
# by SQL (the interactions keep the day of the last contact): a change is an UPDATE of the
# partner's row, noted by its trigger like any other
NOTED_PARTNER_FIELDS = frozenset({"client_last_contact_date"})
# operators that read other rows than the partner's own
OTHER_ROWS_OPERATORS = frozenset({"child_of", "parent_of", "any", "not any"})
# fields that move with the date: {field: the date column it counts the days from, in the
# figures or, for those of PARTNER_DATED_COLUMNS, in the partner's row}. A condition comparing
# one with numbers of days changes, for a client whose date did not change, only when the days
# cross one of those numbers: between two refreshes, for the clients whose date lies in a
# window of those days (:func:`take_dated`).
DATED_FIELDS = {
    "client_days_since_last_order": "last_order_date",
    "client_days_since_last_contact": "client_last_contact_date",
}
PARTNER_DATED_COLUMNS = frozenset({"client_last_contact_date"})
DATED_OPERATORS = frozenset({"=", "!=", "<", "<=", ">", ">=", "in", "not in"})


# --- which segments can be refreshed for the noted partners only ----------------------------
def reads_only_noted(partner_model, domain):
    """Whether ``domain`` (on ``res.partner``) reads only what the triggers note: the partner's
    own stored columns (no path to another model, no many2one compared by name, no
    company-dependent field), those of :data:`NOTED_PARTNER_FIELDS`, the figure fields of
    :data:`NOTED_FIGURE_FIELDS` and the days since a date of :data:`DATED_FIELDS`."""
    for leaf in expression.normalize_domain(domain):
        if not expression.is_leaf(leaf) or leaf in (expression.TRUE_LEAF, expression.FALSE_LEAF):
            continue
        path, operator, value = leaf
        if not isinstance(path, str) or "." in path or operator in OTHER_ROWS_OPERATORS:
            return False
        field = partner_model._fields.get(path)
        if field is None:
            return False
        if path in NOTED_FIGURE_FIELDS or path in NOTED_PARTNER_FIELDS:
            continue
        if path in DATED_FIELDS:
            if operator in DATED_OPERATORS and _numbers_only(value):
                continue
            return False
        if not (field.store and field.column_type) or field.type in ("one2many", "many2many"):
            return False
        if field.company_dependent:
            # its default for the companies without a value lives in another table
            return False
        if field.type == "many2one" and not _ids_only(value):
            # a name searched on the other model
            return False
    return True


def dated_thresholds(domain):
    """``{figures date column: the numbers of days the conditions of ``domain`` compare it
    with}`` (conditions on :data:`DATED_FIELDS`; ``domain`` read by :func:`reads_only_noted`)."""
    thresholds = {}
    for leaf in expression.normalize_domain(domain):
        if not expression.is_leaf(leaf) or leaf[0] not in DATED_FIELDS:
            continue
        values = leaf[2] if isinstance(leaf[2], (list, tuple)) else [leaf[2]]
        thresholds.setdefault(DATED_FIELDS[leaf[0]], set()).update(v for v in values if _is_number(v))
    return thresholds


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _numbers_only(value):
    values = value if isinstance(value, (list, tuple)) else [value]
    return all(v is False or v is None or _is_number(v) for v in values)


def _ids_only(value):
    values = value if isinstance(value, (list, tuple)) else [value]
    return all(v is False or v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in values)


# --- the triggers that note the changed partners ---------------------------------------------
def install(cr):
    """Create (or re-create) the note table, the trigger functions and the triggers."""
    cr.execute(SQL("CREATE TABLE IF NOT EXISTS %s (partner_id int4)", SQL.identifier(NOTE_TABLE)))
    guard = f"IF to_regclass('{NOTE_TABLE}') IS NOT NULL THEN"
    cr.execute(
        SQL(
            f"""
            CREATE OR REPLACE FUNCTION {NOTE_ROW_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {guard}
                    IF TG_OP = 'DELETE' THEN
                        INSERT INTO {NOTE_TABLE} (partner_id) VALUES (OLD.partner_id);
                    ELSE
                        INSERT INTO {NOTE_TABLE} (partner_id) VALUES (NEW.partner_id);
                    END IF;
                END IF;
                RETURN NULL;
            END
            $$
            """
        )
    )
    cr.execute(
        SQL(
            f"""
            CREATE OR REPLACE FUNCTION {NOTE_FULL_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {guard}
                    INSERT INTO {NOTE_TABLE} (partner_id) VALUES (NULL);
                END IF;
                RETURN NULL;
            END
            $$
            """
        )
    )
    cr.execute(
        SQL(
            f"""
            CREATE OR REPLACE FUNCTION {NOTE_NEW_ROWS_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {guard}
                    INSERT INTO {NOTE_TABLE} (partner_id) SELECT id FROM clientbase_new_rows;
                END IF;
                RETURN NULL;
            END
            $$
            """
        )
    )
    figures = "clientbase_client_figures"
    not_bulk = f"current_setting('{BULK_SETTING}', TRUE) IS DISTINCT FROM '1'"
    olds = ", ".join(f"OLD.{c}" for c in FIGURES_COLUMNS)
    news = ", ".join(f"NEW.{c}" for c in FIGURES_COLUMNS)
    triggers = [
        (figures, "ins", f"AFTER INSERT ON {figures} FOR EACH ROW WHEN ({not_bulk})", NOTE_ROW_FUNCTION),
        (
            figures,
            "upd",
            f"AFTER UPDATE OF {', '.join(FIGURES_COLUMNS)} ON {figures} FOR EACH ROW"
            f" WHEN ({not_bulk} AND ROW({olds}) IS DISTINCT FROM ROW({news}))",
            NOTE_ROW_FUNCTION,
        ),
        (figures, "del", f"AFTER DELETE ON {figures} FOR EACH ROW WHEN ({not_bulk})", NOTE_ROW_FUNCTION),
        (
            figures,
            "bulk",
            f"AFTER INSERT OR UPDATE OR DELETE ON {figures} FOR EACH STATEMENT"
            f" WHEN (current_setting('{BULK_SETTING}', TRUE) = '1')",
            NOTE_FULL_FUNCTION,
        ),
        (figures, "truncate", f"AFTER TRUNCATE ON {figures} FOR EACH STATEMENT", NOTE_FULL_FUNCTION),
        (
            "res_partner",
            "ins",
            "AFTER INSERT ON res_partner REFERENCING NEW TABLE AS clientbase_new_rows FOR EACH STATEMENT",
            NOTE_NEW_ROWS_FUNCTION,
        ),
        (
            "res_partner",
            "upd",
            "AFTER UPDATE ON res_partner REFERENCING NEW TABLE AS clientbase_new_rows FOR EACH STATEMENT",
            NOTE_NEW_ROWS_FUNCTION,
        ),
        ("res_partner", "truncate", "AFTER TRUNCATE ON res_partner FOR EACH STATEMENT", NOTE_FULL_FUNCTION),
    ]
    for table, event, spec, function in triggers:
        trigger = f"{TRIGGER_PREFIX}_{event}_trg"
        drop_trigger(cr, trigger, table)
        cr.execute(SQL(f"CREATE TRIGGER {trigger} {spec} EXECUTE FUNCTION {function}()"))


def install_cascade(cr):
    """The statement triggers that delete the membership rows of deleted partners and segments
    (the foreign keys' ``ON DELETE CASCADE``, set-based: one ``DELETE`` per statement). A
    deleted partner is also noted for the next refresh: a refresh running in another
    transaction may have computed it as a member before it was deleted."""
    cr.execute(
        SQL(
            f"""
            CREATE OR REPLACE FUNCTION {CASCADE_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF to_regclass('{MEMBER_TABLE}') IS NOT NULL THEN
                    IF TG_ARGV[0] = 'partner_id' THEN
                        DELETE FROM {MEMBER_TABLE} m USING gone g WHERE m.partner_id = g.id;
                        IF to_regclass('{NOTE_TABLE}') IS NOT NULL THEN
                            INSERT INTO {NOTE_TABLE} (partner_id) SELECT id FROM gone;
                        END IF;
                    ELSE
                        DELETE FROM {MEMBER_TABLE} m USING gone g WHERE m.segment_id = g.id;
                    END IF;
                END IF;
                RETURN NULL;
            END
            $$
            """
        )
    )
    for target, column in CASCADE_TARGETS:
        create_cascade_trigger(cr, CASCADE_TRIGGER, target, CASCADE_FUNCTION, column)


def drop_foreign_keys(cr):
    """Drop the foreign keys of earlier versions (the ORM put one on each many2one) and their
    reflection, whose removal at uninstall would look for them."""
    names = [f"{MEMBER_TABLE}_{column}_fkey" for _target, column in CASCADE_TARGETS]
    for name in names:
        cr.execute(
            SQL(
                "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s",
                SQL.identifier(MEMBER_TABLE),
                SQL.identifier(name),
            )
        )
    cr.execute(SQL("DELETE FROM ir_model_constraint WHERE type = 'f' AND name = ANY(%s)", names))


def uninstall(cr):
    """Drop the triggers first: a trigger left behind would make every write to its table fail."""
    for table in ("clientbase_client_figures", "res_partner"):
        for event in ("ins", "upd", "del", "bulk", "truncate"):
            drop_trigger(cr, f"{TRIGGER_PREFIX}_{event}_trg", table)
    for target, _column in CASCADE_TARGETS:
        drop_trigger(cr, CASCADE_TRIGGER, target)
    cr.execute(SQL("DROP FUNCTION IF EXISTS %s()", SQL.identifier(CASCADE_FUNCTION)))
    for function in (NOTE_ROW_FUNCTION, NOTE_FULL_FUNCTION, NOTE_NEW_ROWS_FUNCTION):
        cr.execute(SQL("DROP FUNCTION IF EXISTS %s()", SQL.identifier(function)))
    cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(NOTE_TABLE)))


def take_notes(cr):
    """Delete the notes visible now into the temporary table :data:`TAKEN_TABLE` (partner_id:
    the partners noted and the mailing-only contacts of those, whose figures are their
    company's). Notes of transactions still in flight stay for the next refresh.

    :return: ``(number of partners, whole)``; ``whole``: every segment must be refreshed whole
    """
    taken = SQL.identifier(TAKEN_TABLE)
    cr.execute(SQL("DROP TABLE IF EXISTS %s", taken))
    cr.execute(SQL("CREATE TEMP TABLE %s (partner_id int4)", taken))
    cr.execute(
        SQL(
            """
            WITH notes AS (DELETE FROM %(notes)s RETURNING partner_id),
            whole AS (SELECT 1 FROM notes WHERE partner_id IS NULL LIMIT 1),
            noted AS (SELECT DISTINCT partner_id FROM notes WHERE partner_id IS NOT NULL)
            INSERT INTO %(taken)s (partner_id)
            SELECT partner_id FROM noted
             UNION
            SELECT p.id FROM noted n JOIN res_partner p ON p.commercial_partner_id = n.partner_id
             WHERE p.id <> p.commercial_partner_id AND p.client_mailing_only
             UNION
            SELECT -1 FROM whole
            """,
            notes=SQL.identifier(NOTE_TABLE),
            taken=taken,
        )
    )
    cr.execute(SQL("DELETE FROM %s WHERE partner_id = -1", taken))
    whole = bool(cr.rowcount)
    cr.execute(SQL("ANALYZE %s", taken))
    cr.execute(SQL("SELECT COUNT(*) FROM %s", taken))
    return cr.fetchone()[0], whole


def take_dated(cr, windows):
    """Add to the partners taken by :func:`take_notes` those whose date column lies in one of
    ``windows`` (``[(column, first day, last day)]``, column one of :data:`DATED_FIELDS`'
    values: the figures' or, for :data:`PARTNER_DATED_COLUMNS`, the partner's own), with their
    mailing-only contacts: the clients whose days since that date crossed a segment's number of
    days since its last refresh.

    :return: the number of partners added
    """
    if not windows:
        return 0
    known = set(DATED_FIELDS.values())

    def between(alias, columns):
        conditions = [
            SQL("%s BETWEEN %s AND %s", SQL.identifier(alias, column), first, last)
            for column, first, last in windows
            if column in columns and column in known
        ]
        return SQL(" OR ").join(conditions) if conditions else SQL("FALSE")

    cr.execute(
        SQL(
            """
            WITH dated AS (SELECT f.partner_id FROM clientbase_client_figures f WHERE %(figures)s
                            UNION
                           SELECT p.id FROM res_partner p WHERE %(partners)s)
            INSERT INTO %(taken)s (partner_id)
            SELECT partner_id FROM dated
             UNION
            SELECT p.id FROM dated d JOIN res_partner p ON p.commercial_partner_id = d.partner_id
             WHERE p.id <> p.commercial_partner_id AND p.client_mailing_only
            """,
            figures=between("f", known - PARTNER_DATED_COLUMNS),
            partners=between("p", PARTNER_DATED_COLUMNS),
            taken=SQL.identifier(TAKEN_TABLE),
        )
    )
    added = cr.rowcount
    cr.execute(SQL("ANALYZE %s", SQL.identifier(TAKEN_TABLE)))
    return added


def in_taken():
    """SQL of the partner ids taken by :func:`take_notes` (a value for an ``in`` condition)."""
    return SQL("(SELECT partner_id FROM %s)", SQL.identifier(TAKEN_TABLE))


# --- the refresh -------------------------------------------------------------------------------
@contextmanager
def bulk_fill(cr):
    """A first fill of every segment on a big base: the membership table has no row and the
    base at least :data:`BULK_FILL_FROM` partners. Writing millions of rows into its two
    secondary indexes (``(segment, client)`` unique, ``client``) costs about three times writing
    the rows (at S: 0.75 s of 0.95 s for 74,000 rows): within the block they are dropped, after
    it built again from their saved definitions (one sorted build each). The table is locked
    (``ACCESS EXCLUSIVE``) until the transaction ends: readers of the memberships wait for the
    first night's refresh, as they would for its rows. When the lock does not come within
    :data:`BULK_FILL_LOCK_WAIT` (a long reader), the fill writes with its indexes.

    Yields whether the block fills an empty table without indexes (every segment is empty:
    :func:`refresh` then skips its check of which ones)."""
    member = SQL.identifier(MEMBER_TABLE)
    cr.execute(SQL("SELECT EXISTS (SELECT 1 FROM %s)", member))
    if cr.fetchone()[0]:
        yield False
        return
    cr.execute("SELECT reltuples FROM pg_class WHERE relname = 'res_partner'")
    if cr.fetchone()[0] < BULK_FILL_FROM:
        yield False
        return
    try:
        with cr.savepoint(flush=False):
            cr.execute(SQL("SET LOCAL lock_timeout = %s", BULK_FILL_LOCK_WAIT))
            cr.execute(SQL("LOCK TABLE %s IN ACCESS EXCLUSIVE MODE", member))
    except psycopg2.errors.LockNotAvailable:
        yield False
        return
    finally:
        cr.execute("RESET lock_timeout")
    cr.execute(SQL("SELECT EXISTS (SELECT 1 FROM %s)", member))
    if cr.fetchone()[0]:
        yield False
        return
    # the secondary indexes (not the primary key: ids grow, appended at its right end), and
    # whether each backs a constraint (the unique one: Odoo checks it by name)
    cr.execute(
        SQL(
            """
            SELECT i.relname, pg_get_indexdef(i.oid), c.conname, pg_get_constraintdef(c.oid)
              FROM pg_index x
              JOIN pg_class i ON i.oid = x.indexrelid
              LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
             WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
             ORDER BY i.relname
            """,
            MEMBER_TABLE,
        )
    )
    indexes = cr.fetchall()
    for index, _definition, constraint, _constraint_definition in indexes:
        if constraint:
            cr.execute(SQL("ALTER TABLE %s DROP CONSTRAINT %s", member, SQL.identifier(constraint)))
        else:
            cr.execute(SQL("DROP INDEX %s", SQL.identifier(index)))
    yield True
    cr.execute(
        SQL(
            "SELECT set_config('maintenance_work_mem', %s, true)"
            " WHERE pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes(%s)",
            "256MB",
            "256MB",
        )
    )
    for _index, definition, constraint, constraint_definition in indexes:
        if constraint:
            cr.execute(
                SQL(
                    "ALTER TABLE %s ADD CONSTRAINT %s %s",
                    member,
                    SQL.identifier(constraint),
                    SQL(constraint_definition),
                )
            )
        else:
            cr.execute(SQL(definition))
    cr.execute("RESET maintenance_work_mem")


def refresh(cr, queries, scoped=False, rows=None, all_empty=False):
    """See :func:`_refresh`. A whole refresh joins by hashing (the planner, misled by the
    statistics of tables just filled, would otherwise nest loops over the whole base)."""
    with planner.settings(cr, dict(planner.BASE) if scoped else {**planner.BASE, **planner.BULK}):
        return _refresh(cr, queries, scoped=scoped, rows=rows, all_empty=all_empty)


def _refresh(cr, queries, scoped=False, rows=None, all_empty=False):
    """Refresh the members of a batch of segments: ``queries`` maps a segment id to the
    subquery of its members' ids, or ``rows(ordered, segment_ids)`` gives the SQL of the
    ``(segment_id, partner_id)`` rows of those segments, in (segment, client) order when
    ``ordered`` (the one pass of ``one_pass.members_select``). With ``scoped``, the queries are
    restricted to the taken partners (:func:`take_notes`), and so is the difference: the other
    members stay.

    A segment without rows (a first refresh, new conditions) is filled by one plain
    ``INSERT ... SELECT``; the others get the difference. ``all_empty``: every segment is known
    to have no row (within :func:`bulk_fill`).

    :return: ``(deleted, inserted)``, the membership rows written
    """
    if not queries:
        return 0, 0
    new = SQL.identifier(NEW_TABLE)
    segment_ids = list(queries)
    if rows is None:

        def rows(ordered, ids):
            union = SQL(" UNION ALL ").join(
                SQL(
                    "SELECT %s::int4 AS segment_id, m.id AS partner_id FROM (%s) m(id)",
                    segment_id,
                    queries[segment_id],
                )
                for segment_id in ids
            )
            return SQL("SELECT * FROM (%s) u ORDER BY segment_id, partner_id", union) if ordered else union

    inserted = 0
    if not scoped:
        empty = _fill_empty(cr, segment_ids, rows, all_empty=all_empty)
        inserted = empty[1]
        segment_ids = [segment_id for segment_id in segment_ids if segment_id not in empty[0]]
        if not segment_ids:
            return 0, inserted
    cr.execute(SQL("DROP TABLE IF EXISTS %s", new))
    # one statement computes the batch's members (PostgreSQL may run it in parallel workers)
    cr.execute(SQL("CREATE TEMP TABLE %s AS %s", new, rows(False, segment_ids)))
    cr.execute(SQL("ANALYZE %s", new))
    scope = SQL(" AND r.partner_id IN %s", in_taken()) if scoped else SQL()
    cr.execute(
        SQL(
            """
            DELETE FROM clientbase_segment_member r
             WHERE r.segment_id = ANY(%(segments)s)%(scope)s
               AND NOT EXISTS (SELECT 1 FROM %(new)s n WHERE n.segment_id = r.segment_id
                                                         AND n.partner_id = r.partner_id)
            """,
            segments=segment_ids,
            scope=scope,
            new=new,
        )
    )
    deleted = cr.rowcount
    # in (segment, client) order: the unique index is filled from left to right; a concurrent
    # refresh of the same segment may have inserted some (ON CONFLICT: the few rows of a change)
    cr.execute(
        SQL(
            """
            INSERT INTO clientbase_segment_member (segment_id, partner_id, date)
            SELECT n.segment_id, n.partner_id, now() AT TIME ZONE 'UTC' FROM %(new)s n
             WHERE NOT EXISTS (SELECT 1 FROM clientbase_segment_member r
                                WHERE r.segment_id = n.segment_id AND r.partner_id = n.partner_id)
             ORDER BY n.segment_id, n.partner_id
            ON CONFLICT DO NOTHING
            """,
            new=new,
        )
    )
    inserted += cr.rowcount
    cr.execute(SQL("DROP TABLE %s", new))
    return deleted, inserted


def analyze_if_moved(cr, written):
    """Fresh statistics of the membership table after a refresh that wrote a good share of it
    (a first fill, a new segment of the whole base): autovacuum's analyze comes later, and the
    queries that read the members next (the mailing wizard's count, the journeys' entries) are
    planned on the old row counts meanwhile: at S, the wizard's count of a 10,000-member segment
    took 7-12 s instead of 0.1 s until the table was analyzed.

    :return: whether the table was analyzed
    """
    return bool(
        sql_planning.analyze_if_stale(
            cr, [MEMBER_TABLE], written={MEMBER_TABLE: written}, share=ANALYZE_SHARE, rows=ANALYZE_MIN_ROWS
        )
    )


def _fill_empty(cr, segment_ids, rows, all_empty=False):
    """Fill the segments of ``segment_ids`` that have no row yet: one plain ``INSERT ...
    SELECT`` in (segment, client) order, every member being new (no difference to compute, no
    ``ON CONFLICT`` per row: a segment's rows are unique by its query).

    The segments are locked first: a concurrent fill of the same segment waits for this one
    and then fails as a concurrent update (the refresh marks its segments), to be retried,
    instead of inserting the rows twice; a concurrent deletion of the segment waits as well.

    ``all_empty``: none of them has rows (no index to look that up with, see :func:`bulk_fill`).

    :return: ``(ids of the segments filled, rows inserted)``
    """
    if all_empty:
        empty = sorted(segment_ids)
    else:
        # one probe of the (segment, client) index per segment (an anti-join, under the whole
        # refresh's hash joins, would read the whole table)
        cr.execute(
            SQL(
                "SELECT s.id FROM unnest(%s::int4[]) AS s(id)"
                " LEFT JOIN LATERAL (SELECT 1 AS found FROM clientbase_segment_member m"
                "                     WHERE m.segment_id = s.id LIMIT 1) m ON TRUE"
                " WHERE m.found IS NULL",
                segment_ids,
            )
        )
        empty = sorted(row[0] for row in cr.fetchall())
    if not empty:
        return set(), 0
    cr.execute(
        SQL("SELECT id FROM clientbase_segment WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE", empty)
    )
    cr.execute(
        SQL(
            "INSERT INTO clientbase_segment_member (segment_id, partner_id, date)"
            " SELECT r.segment_id, r.partner_id, now() AT TIME ZONE 'UTC' FROM (%s) r",
            rows(True, empty),
        )
    )
    return set(empty), cr.rowcount
