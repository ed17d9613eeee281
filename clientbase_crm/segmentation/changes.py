"""Which clients' inputs changed since the engine's last run.

The figures of a client are made of its confirmed orders, its open
opportunities, its reactions to mailings, the partner rows that say whose
client a contact is, the values users set by hand and the company's settings.
Row triggers on those tables note the client ids whose inputs changed in
``clientbase_segment_change`` (a plain table, no index, no constraint: a
writing transaction never waits on another one's note). A ``WHEN`` clause
keeps the trigger silent unless a watched column really changed on a row that
counts (a confirmed order, an opportunity, a mailing reaction), so the writes
the figures do not depend on (a draft order, a mailing sent but not opened,
the engine's own writes) cost nothing. Triggers see every door: the ORM, SQL of
other modules, imports, merges (which re-point orders and traces), deletions
and company changes; ``TRUNCATE`` and a change of the company's settings note
``NULL``, which asks for a full run.

A run takes (deletes) the notes visible to its snapshot when it starts: notes
of transactions still in flight are not visible, stay, and are taken by the
next run. Erring is on the safe side: a note only costs a refresh of that
client.
"""

from odoo.tools import SQL

from .rules import ENGAGEMENT_COLUMNS

CHANGE_TABLE = "clientbase_segment_change"
# the ranking keys of the clients as they were when the rankings were last cut (see below)
RANK_BASE_TABLE = "clientbase_segment_rank_base"
RANK_BASE_FUNCTION = "clientbase_note_rank_base"
RANK_KEYS = ("last_order_date", "window_order_count", "window_revenue")
# set (locally) by the engine's bulk statements: a full run cuts the rankings again anyway
BULK_SETTING = "clientbase.bulk_run"
TAKEN_TABLE = "clientbase_segment_taken"
TRIGGER_PREFIX = "clientbase_change"
# earlier versions: one statement trigger per table noting the transaction only
FORMER_TABLE = "clientbase_source_change"
FORMER_FUNCTION = "clientbase_note_source_change"
FORMER_TRIGGER = "clientbase_source_change_trg"
FORMERLY_WATCHED = (
    "sale_order",
    "sale_order_line",
    "res_partner",
    "crm_lead",
    "mailing_trace",
    "res_company",
    "clientbase_client_figures",
)

# table -> (columns whose change matters, condition for a row to count ({r} = OLD or NEW),
#           partner id columns noted, events); DELETE_CONDITIONS overrides the condition of a deletion
WATCHED = {
    "sale_order": (
        [
            "state",
            "partner_id",
            "company_id",
            "date_order",
            "amount_untaxed",
            "currency_id",
            "currency_rate",
            "client_discounted",
        ],
        "{r}.state = 'sale'",
        ["partner_id"],
        ("INSERT", "UPDATE", "DELETE"),
    ),
    "crm_lead": (
        ["active", "type", "probability", "partner_id", "company_id"],
        "{r}.type = 'opportunity'",
        ["partner_id"],
        ("INSERT", "UPDATE", "DELETE"),
    ),
    "mailing_trace": (
        ["model", "res_id", *ENGAGEMENT_COLUMNS],
        "{r}.model = 'res.partner' AND GREATEST(%s) IS NOT NULL"
        % ", ".join(f"{{r}}.{c}" for c in ENGAGEMENT_COLUMNS),
        ["res_id"],
        ("INSERT", "UPDATE", "DELETE"),
    ),
    # whose client a contact is, and whether a partner counts at all
    "res_partner": (
        # partner_share: an internal user's partner is no client (tools/client_definition.py)
        ["commercial_partner_id", "client_mailing_only", "partner_share"],
        "TRUE",
        ["id", "commercial_partner_id"],
        ("UPDATE", "DELETE"),
    ),
    # values set by users (the "fan" suggestion, the effective stage and warmth of the history);
    # the engine never writes these columns, nor inserts them
    "clientbase_client_figures": (
        ["stage_manual", "vip_manual", "warmth_manual"],
        "({r}.stage_manual IS NOT NULL OR {r}.vip_manual IS NOT NULL OR {r}.warmth_manual IS NOT NULL)",
        ["partner_id"],
        ("INSERT", "UPDATE", "DELETE"),
    ),
}
# a figures row deleted (by hand, or with its client) is rebuilt by the next run
DELETE_CONDITIONS = {"clientbase_client_figures": "TRUE"}
# columns of res_company whose change asks for a full run (every client), with the rules'
# settings that install() is given
COMPANY_FULL_RUN_COLUMNS = ["currency_id"]


def drop_trigger(cr, trigger, table):
    """Drop ``trigger`` from ``table`` if both exist (a table of an uninstalled module may not)."""
    cr.execute(
        SQL(
            "DO $$ BEGIN DROP TRIGGER IF EXISTS %s ON %s; EXCEPTION WHEN undefined_table THEN NULL; END $$",
            SQL.identifier(trigger),
            SQL.identifier(table),
        )
    )


def create_cascade_trigger(cr, trigger, table, function, column):
    """(Re)create ``trigger`` on ``table``: after a statement deleting rows of ``table``,
    ``function(column)`` deletes what pointed at them (the tables kept without foreign keys:
    the figures, the segment memberships)."""
    drop_trigger(cr, trigger, table)
    cr.execute(
        SQL(
            "CREATE TRIGGER %s AFTER DELETE ON %s REFERENCING OLD TABLE AS gone"
            " FOR EACH STATEMENT EXECUTE FUNCTION %s(%s)",
            SQL.identifier(trigger),
            SQL.identifier(table),
            SQL.identifier(function),
            SQL(f"'{column}'"),
        )
    )


def _table_exists(cr, table):
    cr.execute(SQL("SELECT to_regclass(%s) IS NOT NULL", table))
    return cr.fetchone()[0]


def _function(table):
    return f"{TRIGGER_PREFIX}_{table}"


def _note_function_sql(table, partner_columns):
    """A row trigger function noting the partner ids of the old and the new row."""
    old = ", ".join(f"(OLD.{column})" for column in partner_columns)
    new = ", ".join(f"(NEW.{column})" for column in partner_columns)
    note = f"INSERT INTO {CHANGE_TABLE} (partner_id) SELECT DISTINCT v.id FROM (VALUES {{}}) v(id) WHERE v.id IS NOT NULL;"
    return SQL(
        f"""
        CREATE OR REPLACE FUNCTION {_function(table)}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- the guard keeps the watched table writable should the change table be dropped
            -- without the addon's uninstall hook (e.g. the addon removed from disk)
            IF to_regclass('{CHANGE_TABLE}') IS NOT NULL THEN
                IF TG_OP = 'INSERT' THEN
                    {note.format(new)}
                ELSIF TG_OP = 'DELETE' THEN
                    {note.format(old)}
                ELSE
                    {note.format(old + ", " + new)}
                END IF;
            END IF;
            RETURN NULL;
        END
        $$
        """
    )


def _full_function_sql():
    return SQL(
        f"""
        CREATE OR REPLACE FUNCTION {TRIGGER_PREFIX}_full() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF to_regclass('{CHANGE_TABLE}') IS NOT NULL THEN
                INSERT INTO {CHANGE_TABLE} (partner_id) VALUES (NULL);
            END IF;
            RETURN NULL;
        END
        $$
        """
    )


def _install_rank_base(cr):
    """The ranking keys a client had when the rankings were last cut, noted by a row
    trigger on the figures the first time they change (an order confirmed, a run, a
    deletion) and cleared when the rankings are cut again: an incremental run moves the
    cuts by these clients only (``rankings.shift_cuts``). A row inserted since is noted
    without keys (it was not ranked). Bulk statements (a full run) note nothing."""
    cr.execute(
        SQL(
            f"""
            CREATE TABLE IF NOT EXISTS {RANK_BASE_TABLE} (
                company_id int4 NOT NULL,
                partner_id int4 NOT NULL,
                last_order_date date,
                window_order_count int4,
                window_revenue float8,
                PRIMARY KEY (company_id, partner_id)
            )
            """
        )
    )
    keys = ", ".join(RANK_KEYS)
    cr.execute(
        SQL(
            f"""
            CREATE OR REPLACE FUNCTION {RANK_BASE_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF to_regclass('{RANK_BASE_TABLE}') IS NOT NULL THEN
                    IF TG_OP = 'INSERT' THEN
                        INSERT INTO {RANK_BASE_TABLE} (company_id, partner_id)
                        VALUES (NEW.company_id, NEW.partner_id) ON CONFLICT DO NOTHING;
                    ELSE
                        INSERT INTO {RANK_BASE_TABLE} (company_id, partner_id, {keys})
                        VALUES (OLD.company_id, OLD.partner_id, {", ".join(f"OLD.{k}" for k in RANK_KEYS)})
                        ON CONFLICT DO NOTHING;
                    END IF;
                END IF;
                RETURN NULL;
            END
            $$
            """
        )
    )
    not_bulk = f"current_setting('{BULK_SETTING}', TRUE) IS DISTINCT FROM '1'"
    olds = ", ".join(f"OLD.{k}" for k in RANK_KEYS)
    news = ", ".join(f"NEW.{k}" for k in RANK_KEYS)
    for event, spec, when in (
        ("insert", "INSERT", not_bulk),
        ("update", f"UPDATE OF {keys}", f"{not_bulk} AND ROW({olds}) IS DISTINCT FROM ROW({news})"),
        ("delete", "DELETE", not_bulk),
    ):
        trigger = f"clientbase_rank_base_{event}_trg"
        drop_trigger(cr, trigger, "clientbase_client_figures")
        cr.execute(
            SQL(
                f"CREATE TRIGGER {trigger} AFTER {spec} ON clientbase_client_figures FOR EACH ROW"
                f" WHEN ({when}) EXECUTE FUNCTION {RANK_BASE_FUNCTION}()"
            )
        )


def install(cr, full_run_columns=()):
    """Create (or re-create) the change table, the trigger functions and the triggers.
    ``full_run_columns``: columns of ``res_company`` (the rules' settings) whose change asks
    for a full run."""
    cr.execute(
        SQL(
            "CREATE TABLE IF NOT EXISTS %s (partner_id int4, noted_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'))",
            SQL.identifier(CHANGE_TABLE),
        )
    )
    _drop_former(cr)
    _install_rank_base(cr)
    cr.execute(_full_function_sql())
    for table, (columns, condition, partner_columns, events) in WATCHED.items():
        cr.execute(_note_function_sql(table, partner_columns))
        for event in ("INSERT", "UPDATE", "DELETE"):
            trigger = f"{TRIGGER_PREFIX}_{event.lower()}_trg"
            drop_trigger(cr, trigger, table)
            if event not in events:
                continue
            if event == "INSERT":
                when = condition.format(r="NEW")
                spec = "INSERT"
            elif event == "DELETE":
                when = DELETE_CONDITIONS.get(table, condition).format(r="OLD")
                spec = "DELETE"
            else:
                olds = ", ".join(f"OLD.{c}" for c in columns)
                news = ", ".join(f"NEW.{c}" for c in columns)
                when = (
                    f"(({condition.format(r='OLD')}) OR ({condition.format(r='NEW')}))"
                    f" AND ROW({olds}) IS DISTINCT FROM ROW({news})"
                )
                spec = "UPDATE OF " + ", ".join(columns)
            cr.execute(
                SQL(
                    f"CREATE TRIGGER {trigger} AFTER {spec} ON {table} FOR EACH ROW WHEN ({when})"
                    f" EXECUTE FUNCTION {_function(table)}()"
                )
            )
        trigger = f"{TRIGGER_PREFIX}_truncate_trg"
        drop_trigger(cr, trigger, table)
        cr.execute(
            SQL(
                f"CREATE TRIGGER {trigger} AFTER TRUNCATE ON {table} FOR EACH STATEMENT"
                f" EXECUTE FUNCTION {TRIGGER_PREFIX}_full()"
            )
        )
    columns = [*COMPANY_FULL_RUN_COLUMNS, *full_run_columns]
    trigger = f"{TRIGGER_PREFIX}_update_trg"
    drop_trigger(cr, trigger, "res_company")
    olds = ", ".join(f"OLD.{c}" for c in columns)
    news = ", ".join(f"NEW.{c}" for c in columns)
    cr.execute(
        SQL(
            f"CREATE TRIGGER {trigger} AFTER UPDATE OF {', '.join(columns)} ON res_company FOR EACH ROW"
            f" WHEN (ROW({olds}) IS DISTINCT FROM ROW({news})) EXECUTE FUNCTION {TRIGGER_PREFIX}_full()"
        )
    )


def _drop_former(cr):
    """Drop what earlier versions watched with. Their notes named no client: coming from
    such a version, the next run is a full one (a ``NULL`` note)."""
    if _table_exists(cr, FORMER_TABLE) and _table_exists(cr, CHANGE_TABLE):
        cr.execute(SQL("INSERT INTO %s (partner_id) VALUES (NULL)", SQL.identifier(CHANGE_TABLE)))
    for table in FORMERLY_WATCHED:
        drop_trigger(cr, FORMER_TRIGGER, table)
    cr.execute(SQL("DROP FUNCTION IF EXISTS %s()", SQL.identifier(FORMER_FUNCTION)))
    cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(FORMER_TABLE)))


def uninstall(cr):
    """Drop the triggers first: a trigger left behind would make every write to its table fail."""
    _drop_former(cr)
    for table in (*WATCHED, "res_company"):
        for event in ("insert", "update", "delete", "truncate"):
            drop_trigger(cr, f"{TRIGGER_PREFIX}_{event}_trg", table)
    for table in WATCHED:
        cr.execute(SQL(f"DROP FUNCTION IF EXISTS {_function(table)}()"))
    cr.execute(SQL(f"DROP FUNCTION IF EXISTS {TRIGGER_PREFIX}_full()"))
    for event in ("insert", "update", "delete"):
        drop_trigger(cr, f"clientbase_rank_base_{event}_trg", "clientbase_client_figures")
    cr.execute(SQL(f"DROP FUNCTION IF EXISTS {RANK_BASE_FUNCTION}()"))
    cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(CHANGE_TABLE)))
    cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(RANK_BASE_TABLE)))


def take_changes(cr):
    """Delete the notes visible now into the temporary table ``TAKEN_TABLE`` (partner_id:
    the commercial partners concerned, each once, and the noted ids themselves, which
    may be gone or no client any more).

    :return: ``(number of clients, full)``; ``full``: a change asks for a full run.
    """
    cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(TAKEN_TABLE)))
    cr.execute(SQL("CREATE TEMP TABLE %s (partner_id int4)", SQL.identifier(TAKEN_TABLE)))
    cr.execute(
        SQL(
            """
            WITH taken AS (DELETE FROM %(changes)s RETURNING partner_id),
            full_run AS (SELECT 1 FROM taken WHERE partner_id IS NULL LIMIT 1),
            noted AS (SELECT DISTINCT partner_id FROM taken WHERE partner_id IS NOT NULL)
            INSERT INTO %(taken)s (partner_id)
            SELECT n.partner_id FROM noted n
             UNION
            SELECT p.commercial_partner_id FROM noted n JOIN res_partner p ON p.id = n.partner_id
             UNION
            SELECT -1 FROM full_run
            """,
            changes=SQL.identifier(CHANGE_TABLE),
            taken=SQL.identifier(TAKEN_TABLE),
        )
    )
    cr.execute(SQL("DELETE FROM %s WHERE partner_id = -1", SQL.identifier(TAKEN_TABLE)))
    full = bool(cr.rowcount)
    cr.execute(SQL("ANALYZE %s", SQL.identifier(TAKEN_TABLE)))
    cr.execute(SQL("SELECT COUNT(*) FROM %s", SQL.identifier(TAKEN_TABLE)))
    return cr.fetchone()[0], full


def window_leavers_sql(company_id, left_after, left_before):
    """SELECT of the clients with a confirmed order that was in the RFM window of the last
    run and is not in today's (ordered at or after ``left_after``, before ``left_before``)."""
    return SQL(
        """
        SELECT DISTINCT p.commercial_partner_id
          FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
         WHERE so.state = 'sale' AND so.company_id = %s AND so.date_order >= %s AND so.date_order < %s
        """,
        company_id,
        left_after,
        left_before,
    )
