"""The manager of a partner's commercial entity, readable from the partner's own row.

Who handles a partner is the manager (``user_id``) of its commercial entity
(``clientbase_security.owner_ids``, the record rules' ``commercial_partner_id.user_id``). The
funnels, the Clients Analysis pivot and the dashboard group every partner of the base by a
protected figure and test, row by row, whether the user handles it
(``res_partner_access._client_own_condition_sql``). Read through a second ``res_partner`` joined
on the commercial entity, that test hashed the whole table once more: about 0.4 s of a
salesperson's 1.03 s funnel at a million clients.

So each row says it itself. For nearly every partner the manager of its commercial entity is its
own ``user_id`` (a person or a company is its own commercial entity; the contacts of a company
follow its manager, ``res_partner.py``). The rows where it is not carry it in a column of their
own, ``clientbase_commercial_user_id``: the commercial entity's manager, ``0`` when it has none,
NULL when it is the row's own ``user_id``. :func:`owner_sql` reads the two columns, no join and
no other column: PostgreSQL, which knows how few values both take, still expects a few groups and
hashes them (an expression naming the partner's id would make it expect one group per partner and
sort the whole base). Since the column is NULL on nearly every row, adding it to a big base writes
only the exceptions.

The column is no field of the ORM (nothing reads it but that SQL) and PostgreSQL keeps it exact
through every door (the ORM, imports, SQL of other modules, the partner merge):

- before a row is inserted, or its commercial entity or manager changes, the row compares its
  manager with its commercial entity's;
- after a commercial entity's manager changes (a client handed over), its contacts compare theirs
  with the new one, in the same statement (row triggers, only for a manager that really changed).

``init`` (install and every upgrade) adds what is missing and corrects every row whose column is
wrong, in one statement: an upgrade with nothing to correct writes nothing.
"""

from odoo import models
from odoo.tools import SQL

from ...segmentation.changes import drop_trigger

OWNER_COLUMN = "clientbase_commercial_user_id"
SET_FUNCTION = "clientbase_commercial_owner_set"
FOLLOW_FUNCTION = "clientbase_commercial_owner_follow"
SET_TRIGGER = "clientbase_commercial_owner_set_trg"
FOLLOW_TRIGGER = "clientbase_commercial_owner_follow_trg"
# what PostgreSQL knows of the columns a salesperson's grouping reads on the partner: how few
# combinations they take (a column all NULL, as the carried one and the mailing-only flag are on
# most bases, otherwise counts as 200 values each: 240,000 groups expected, no parallel plan)
OWNER_STATISTICS = "res_partner_clientbase_owner_stat"
OWNER_STATISTICS_COLUMNS = ("user_id", OWNER_COLUMN, "client_mailing_only")


def owner_sql(alias):
    """SQL of the manager of the commercial entity of the partner ``alias`` (NULL: nobody's)."""
    user, carried = SQL.identifier(alias, "user_id"), SQL.identifier(alias, OWNER_COLUMN)
    return SQL("(CASE WHEN %s IS NULL THEN %s ELSE NULLIF(%s, 0) END)", carried, user, carried)


def _carried_sql(commercial_manager, user):
    """SQL of the column's value for a row of manager ``user`` whose commercial entity's
    manager is ``commercial_manager``."""
    return SQL(
        "(CASE WHEN %s IS NOT DISTINCT FROM %s THEN NULL ELSE COALESCE(%s, 0) END)",
        commercial_manager,
        user,
        commercial_manager,
    )


def install(cr):
    """Add the column, its functions and triggers (idempotent), and correct the rows."""
    cr.execute(SQL(f"ALTER TABLE res_partner ADD COLUMN IF NOT EXISTS {OWNER_COLUMN} int4"))
    # A row without a commercial entity yet (a bulk insert, Odoo's create before its flush) is
    # nobody's until the entity is set, which fires the trigger again: no lookup for it. The
    # lookup and the contacts' update run with sequential scans off: PL/pgSQL keeps the plan it
    # made on its first calls, and made on a small table (a fresh database, a first import) that
    # plan reads the whole table for every row, a quadratic insert (100,000 partners: minutes).
    cr.execute(
        SQL(
            f"""
            CREATE OR REPLACE FUNCTION {SET_FUNCTION}() RETURNS trigger LANGUAGE plpgsql
            SET enable_seqscan = off AS $$
            DECLARE
                commercial_manager int4;
            BEGIN
                IF NEW.commercial_partner_id = NEW.id THEN
                    commercial_manager := NEW.user_id;
                ELSIF NEW.commercial_partner_id IS NOT NULL THEN
                    SELECT c.user_id INTO commercial_manager FROM res_partner c
                     WHERE c.id = NEW.commercial_partner_id;
                END IF;
                NEW.{OWNER_COLUMN} := %s;
                RETURN NEW;
            END
            $$
            """,
            _carried_sql(SQL("commercial_manager"), SQL("NEW.user_id")),
        )
    )
    cr.execute(
        SQL(
            f"""
            CREATE OR REPLACE FUNCTION {FOLLOW_FUNCTION}() RETURNS trigger LANGUAGE plpgsql
            SET enable_seqscan = off AS $$
            BEGIN
                UPDATE res_partner p
                   SET {OWNER_COLUMN} = %(carried)s
                 WHERE p.commercial_partner_id = NEW.id AND p.id <> NEW.id
                   AND p.{OWNER_COLUMN} IS DISTINCT FROM %(carried)s;
                RETURN NULL;
            END
            $$
            """,
            carried=_carried_sql(SQL("NEW.user_id"), SQL("p.user_id")),
        )
    )
    drop_trigger(cr, SET_TRIGGER, "res_partner")
    drop_trigger(cr, FOLLOW_TRIGGER, "res_partner")
    # a row of its own commercial entity with nothing carried calls no function (bulk inserts)
    cr.execute(
        SQL(
            f"""
            CREATE TRIGGER {SET_TRIGGER}
            BEFORE INSERT OR UPDATE OF commercial_partner_id, user_id ON res_partner FOR EACH ROW
              WHEN (NEW.commercial_partner_id IS DISTINCT FROM NEW.id OR NEW.{OWNER_COLUMN} IS NOT NULL)
              EXECUTE FUNCTION {SET_FUNCTION}()
            """
        )
    )
    cr.execute(
        SQL(
            f"""
            CREATE TRIGGER {FOLLOW_TRIGGER} AFTER UPDATE OF user_id ON res_partner FOR EACH ROW
              WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id AND NEW.commercial_partner_id = NEW.id)
              EXECUTE FUNCTION {FOLLOW_FUNCTION}()
            """
        )
    )
    cr.execute(SQL("SELECT 1 FROM pg_statistic_ext WHERE stxname = %s", OWNER_STATISTICS))
    if not cr.rowcount:
        columns = SQL(", ").join(SQL.identifier(column) for column in OWNER_STATISTICS_COLUMNS)
        cr.execute(
            SQL(
                "CREATE STATISTICS %s (ndistinct) ON %s FROM res_partner",
                SQL.identifier(OWNER_STATISTICS),
                columns,
            )
        )
        # a sample of the table (30,000 rows at most), not a scan of it
        cr.execute(SQL("ANALYZE res_partner (%s)", columns))
    # the rows of an older database (or changed while the triggers were away): only those that
    # are not their own commercial entity, or carry something, can be wrong
    cr.execute(
        SQL(
            f"""
            UPDATE res_partner p
               SET {OWNER_COLUMN} = x.carried
              FROM (SELECT p.id, %s AS carried
                      FROM res_partner p
                      LEFT JOIN res_partner c ON c.id = p.commercial_partner_id
                     WHERE p.commercial_partner_id IS DISTINCT FROM p.id OR p.{OWNER_COLUMN} IS NOT NULL) x
             WHERE x.id = p.id AND p.{OWNER_COLUMN} IS DISTINCT FROM x.carried
            """,
            _carried_sql(
                SQL("(CASE WHEN p.commercial_partner_id = p.id THEN p.user_id ELSE c.user_id END)"),
                SQL("p.user_id"),
            ),
        )
    )


def uninstall(cr):
    """The triggers first (a trigger left without its function would fail every write)."""
    drop_trigger(cr, SET_TRIGGER, "res_partner")
    drop_trigger(cr, FOLLOW_TRIGGER, "res_partner")
    cr.execute(SQL("DROP STATISTICS IF EXISTS %s", SQL.identifier(OWNER_STATISTICS)))
    for function in (SET_FUNCTION, FOLLOW_FUNCTION):
        cr.execute(SQL("DROP FUNCTION IF EXISTS %s()", SQL.identifier(function)))
    cr.execute(SQL(f"ALTER TABLE res_partner DROP COLUMN IF EXISTS {OWNER_COLUMN}"))


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    def init(self):
        res = super().init()
        install(self.env.cr)
        return res

    def _client_commercial_owner_sql(self, alias):
        """SQL of the manager of the commercial entity of the partner ``alias`` (:func:`owner_sql`),
        with the columns the triggers read flushed first (pending changes of the ORM)."""
        flush = [SQL("", to_flush=self._fields[fname]) for fname in ("user_id", "commercial_partner_id")]
        return SQL("%s%s%s", owner_sql(alias), *flush)
