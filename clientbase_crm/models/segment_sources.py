"""Which inputs of the segmentation engine changed since its last run.

A full recompute reads every confirmed order of the base. When none of its
inputs changed since the last complete run of the same day, that work would
only confirm what is stored: the run then skips the figures and refreshes the
user-defined segments only.

The inputs are watched by statement-level triggers (one cheap row per writing
transaction, whatever the number of rows it touches) on the tables and columns
the figures are made of. They also see changes made by SQL, imports and other
modules, which ORM overrides would miss. A run takes (deletes) the change rows
visible to its snapshot when it starts: rows of transactions still in flight
are not visible, stay, and make the next run a full one. The engine's own
writes are not changes (they run with ``clientbase.engine_write`` set locally).

Erring is always on the safe side: an unrelated write to a watched column, a
rolled back transaction or a new day only costs a full run.
"""

from odoo.tools import SQL

from .res_company_segment import SEGMENT_THRESHOLD_FIELDS

CHANGE_TABLE = "clientbase_source_change"
TRIGGER_FUNCTION = "clientbase_note_source_change"
TRIGGER_NAME = "clientbase_source_change_trg"
ENGINE_WRITE_SETTING = "clientbase.engine_write"

# table -> (watched columns of UPDATE, also INSERT)
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
        True,
    ),
    "res_partner": (["commercial_partner_id", "client_mailing_only"], False),
    "crm_lead": (["active", "type", "probability", "partner_id", "company_id"], True),
    "mailing_trace": (["model", "res_id", "open_datetime", "reply_datetime", "links_click_datetime"], True),
    "res_company": (["currency_id", *SEGMENT_THRESHOLD_FIELDS], False),
    # values set by users that the engine reads (the "fan" suggestion, history of manual values)
    "clientbase_client_figures": (["stage_manual", "vip_manual", "warmth_manual"], True),
}


# tables earlier versions watched: their triggers are dropped
FORMERLY_WATCHED = ("sale_order_line",)


def drop_trigger(cr, trigger, table):
    """Drop ``trigger`` from ``table`` if both exist (a table of an uninstalled module may not)."""
    cr.execute(
        SQL(
            "DO $$ BEGIN DROP TRIGGER IF EXISTS %s ON %s; EXCEPTION WHEN undefined_table THEN NULL; END $$",
            SQL.identifier(trigger),
            SQL.identifier(table),
        )
    )


def install(cr):
    """Create (or re-create) the change table, the trigger function and the triggers."""
    for table in FORMERLY_WATCHED:
        drop_trigger(cr, TRIGGER_NAME, table)
    cr.execute(
        SQL(
            """
            CREATE TABLE IF NOT EXISTS %(table)s (
                xact bigint PRIMARY KEY,
                source varchar NOT NULL,
                noted_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
            )
            """,
            table=SQL.identifier(CHANGE_TABLE),
        )
    )
    cr.execute(
        SQL(
            """
            CREATE OR REPLACE FUNCTION %(function)s() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                -- the guard keeps the watched tables writable should the addon's table be
                -- dropped without its uninstall hook (e.g. the addon removed from disk)
                IF current_setting(%(setting)s, TRUE) IS DISTINCT FROM '1'
                   AND to_regclass(%(table_name)s) IS NOT NULL THEN
                    INSERT INTO %(table)s (xact, source)
                    VALUES (txid_current(), TG_TABLE_NAME)
                    ON CONFLICT (xact) DO NOTHING;
                END IF;
                RETURN NULL;
            END
            $$
            """,
            function=SQL.identifier(TRIGGER_FUNCTION),
            setting=SQL(f"'{ENGINE_WRITE_SETTING}'"),
            table_name=SQL(f"'{CHANGE_TABLE}'"),
            table=SQL.identifier(CHANGE_TABLE),
        )
    )
    for table, (columns, on_insert) in WATCHED.items():
        events = ["DELETE", "TRUNCATE", "UPDATE OF " + ", ".join(f'"{c}"' for c in columns)]
        if on_insert:
            events.insert(0, "INSERT")
        drop_trigger(cr, TRIGGER_NAME, table)
        cr.execute(
            SQL(
                "CREATE TRIGGER %s AFTER %s ON %s FOR EACH STATEMENT EXECUTE FUNCTION %s()",
                SQL.identifier(TRIGGER_NAME),
                SQL(" OR ".join(events)),
                SQL.identifier(table),
                SQL.identifier(TRIGGER_FUNCTION),
            )
        )


def uninstall(cr):
    """Drop the triggers first: a trigger left behind would make every write to its table fail."""
    for table in (*WATCHED, *FORMERLY_WATCHED):
        drop_trigger(cr, TRIGGER_NAME, table)
    cr.execute(SQL("DROP FUNCTION IF EXISTS %s()", SQL.identifier(TRIGGER_FUNCTION)))
    cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(CHANGE_TABLE)))


def take_changes(cr):
    """Delete the change rows visible now; return how many there were."""
    cr.execute(SQL("DELETE FROM %s", SQL.identifier(CHANGE_TABLE)))
    return cr.rowcount
