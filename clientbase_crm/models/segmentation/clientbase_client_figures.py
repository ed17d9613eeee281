import functools
import logging
import math
import time

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, sql, str2bool

from ...segmentation import changes, engine, members, rules, sources
from ...tools.concurrency import retry_on_concurrency
from .res_company_segment import SEGMENT_THRESHOLD_FIELDS
from .sale_order import ensure_client_discounted_column

_logger = logging.getLogger(__name__)
DEFAULT_BATCH_SIZE = 1000000
# an incremental run over more than this share of the clients costs more than a full one
INCREMENTAL_MAX_SHARE = 0.2
FULL_RUN_PARAM = "clientbase_crm.segment_full_run"
SCOPE_TABLE = "clientbase_segment_scope"
# the rankings in their order, read a few rows at a time by an incremental run to move
# their cuts (segmentation.rankings.shift_cuts): name -> (columns, condition)
RANKING_INDEXES = {
    "clientbase_client_figures_recency_idx": (
        ["company_id", "last_order_date", "partner_id"],
        rules.RANKED_SQL,
    ),
    "clientbase_client_figures_frequency_idx": (
        ["company_id", "window_order_count", "partner_id"],
        rules.RANKED_SQL,
    ),
    "clientbase_client_figures_monetary_idx": (
        ["company_id", "window_revenue", "partner_id"],
        rules.RANKED_SQL,
    ),
    "clientbase_client_figures_abc_idx": (
        ["company_id", "(-window_revenue)", "partner_id"],
        rules.ABC_RANKED_SQL,
    ),
}
# columns the database computes from the row (the rule is written once, in SQL)
GENERATED_COLUMNS = {
    "is_vip": rules.VIP_SQL,
    "current_stage": rules.CURRENT_STAGE_SQL,
    "current_warmth": rules.CURRENT_WARMTH_SQL,
}
# room on each page for the rows a night changes to be rewritten in place (HOT: no index
# entry written): an incremental run rewrites a few percent of the rows; a fuller page keeps
# the table small, which is what the funnels' scans of it cost
FIGURES_FILLFACTOR = 80
ANALYZE_AFTER_ROWS = 50000
FIGURES_UNIQUE = "clientbase_client_figures_client_company_key"
CASCADE_FUNCTION = "clientbase_client_figures_cascade"
CASCADE_TRIGGER = "clientbase_client_figures_cascade_trg"
# tables whose deleted rows take their figures rows along: (table, figures column)
CASCADE_TARGETS = (("res_partner", "partner_id"), ("res_company", "company_id"))

STAGES = [
    ("potential", "Potential"),
    ("new", "New"),
    ("one_time", "One-time"),
    ("active", "Active"),
    ("loyal", "Loyal"),
    ("inactive", "Inactive"),
    ("lost", "Lost"),
]
RFM_SEGMENTS = [
    ("champions", "Champions"),
    ("loyal", "Loyal"),
    ("potential_loyalist", "Potential Loyalist"),
    ("new", "New"),
    ("promising", "Promising"),
    ("need_attention", "Need Attention"),
    ("about_to_sleep", "About to Sleep"),
    ("at_risk", "At Risk"),
    ("cannot_lose", "Cannot Lose Them"),
    ("hibernating", "Hibernating"),
    ("lost", "Lost"),
]
ABC_CLASSES = [("a", "A"), ("b", "B"), ("c", "C")]
WARMTH = [("cold", "Cold"), ("warm", "Warm"), ("hot", "Hot")]
PERSONAS = [
    ("discount_hunter", "Discount Hunter"),
    ("regular", "Regular"),
    ("fan", "Fan"),
    ("specific", "Specific"),
    ("browsing", "Just Browsing"),
]
VIP_MANUAL = [("yes", "VIP"), ("no", "Not VIP")]
SCORES = [(str(i), str(i)) for i in range(1, 6)]
# what users may set on a figures row (the rest is computed from the orders)
MANUAL_COLUMNS = frozenset({"stage_manual", "churn_reason", "vip_manual", "warmth_manual", "persona"})


def _in_table(table, column):
    """Condition: ``column`` is one of the partner ids of the temporary ``table``."""
    return SQL("%s IN (SELECT partner_id FROM %s)", column, table)


class ClientbaseClientFigures(models.Model):
    """Purchase figures and segments of one client (commercial partner) in one company.

    A narrow table on purpose: the segmentation engine rewrites it set-based
    (``INSERT ... ON CONFLICT`` / ``UPDATE ... WHERE changed``) at a fraction of
    the cost of updating the wide ``res_partner`` table. ``res.partner`` exposes
    these values as non-stored, company-dependent fields that are searchable,
    groupable and sortable through correlated subselects (see
    ``res_partner_segment.py``). Columns ending in ``_manual`` hold values set by
    a user: they win over the computed ones and no recompute touches them.

    The table is created by :meth:`init`, not by the ORM (``_auto = False``),
    to leave out the foreign keys the ORM puts on every many2one: it is a
    derived table, rebuilt from the orders at any time, and a foreign key check
    per inserted row was the largest cost of a company's first population (a
    third of it on a million clients). Rows of a deleted client or company are
    deleted by statement triggers instead (one set-based ``DELETE`` per
    statement, as ``ON DELETE CASCADE`` would do row by row).
    """

    _name = "clientbase.client.figures"
    _description = "Client Purchase Figures and Segments"
    _auto = False
    _log_access = False
    _rec_name = "partner_id"

    # no single-column indexes: the unique (partner_id, company_id) index serves lookups by
    # client, and a company matches most rows; fewer indexes make the bulk writes cheaper
    partner_id = fields.Many2one("res.partner", string="Client", required=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    # figures (all confirmed orders)
    first_order_date = fields.Date()
    last_order_date = fields.Date()
    order_count = fields.Integer()
    # amounts are double precision columns (no digits): the engine sums and rounds them to
    # cents as float8, and a numeric column would cost two text conversions per row written
    revenue = fields.Float()
    discounted_order_count = fields.Integer()
    # figures of the RFM/ABC window (last N days)
    window_order_count = fields.Integer()
    window_revenue = fields.Float()
    # warmth signals
    open_opportunity_count = fields.Integer()
    max_opportunity_probability = fields.Float()
    last_engagement_date = fields.Date()
    # how close to the same day of the year the client's orders fall: 1 = always the same
    # day, 0 = spread over the year (the length of the mean of their angles on the year's
    # circle); with two orders or more
    order_season_strength = fields.Float()
    # segments computed by the engine
    stage = fields.Selection(STAGES)
    rfm_recency = fields.Integer()
    rfm_frequency = fields.Integer()
    rfm_monetary = fields.Integer()
    rfm_segment = fields.Selection(RFM_SEGMENTS)
    abc_class = fields.Selection(ABC_CLASSES)
    warmth = fields.Selection(WARMTH)
    persona_suggested = fields.Selection(PERSONAS)
    # values set by users
    stage_manual = fields.Selection(STAGES)
    churn_reason = fields.Text()
    vip_manual = fields.Selection(VIP_MANUAL)
    warmth_manual = fields.Selection(WARMTH)
    persona = fields.Selection(PERSONAS)
    # generated by the database (GENERATED_COLUMNS): what the client is, a value set by hand
    # winning over the computed one; grouped by the funnels, whose planner then knows how few
    # values there are
    is_vip = fields.Boolean(string="VIP", readonly=True)
    current_stage = fields.Selection(STAGES, readonly=True)
    current_warmth = fields.Selection(WARMTH, readonly=True)

    # one row per client and company: a unique constraint created by init() (FIGURES_UNIQUE)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                self._check_manual_columns(set(vals) - {"partner_id", "company_id"})
        records = super().create(vals_list)
        # the database computes these (GENERATED_COLUMNS): read them from it
        records.flush_recordset()
        records.invalidate_recordset(list(GENERATED_COLUMNS))
        return records

    def write(self, vals):
        if not self.env.su:
            self._check_manual_columns(set(vals))
        result = super().write(vals)
        if {"vip_manual", "abc_class", "stage_manual", "warmth_manual"} & set(vals):
            # the database computes these (GENERATED_COLUMNS): read them again
            self.flush_recordset()
            self.invalidate_recordset(list(GENERATED_COLUMNS))
        return result

    @api.model
    def _check_manual_columns(self, names):
        """Users set the values they own (stage, VIP, warmth, persona, churn reason by hand);
        the figures are the engine's. Which clients: the record rules decide."""
        if names - MANUAL_COLUMNS:
            raise AccessError(
                self.env._(
                    "Purchase figures are computed from the orders: only the values set by hand"
                    " (stage, VIP, warmth, persona) can be changed."
                )
            )

    def init(self):
        cr = self.env.cr
        self._init_table()
        ensure_client_discounted_column(self.env)  # the triggers watch it, whichever model is set up first
        changes.install(cr, SEGMENT_THRESHOLD_FIELDS)
        members.install(cr)  # the notes of the user-defined segments' incremental refresh
        # earlier versions read the order lines through this index; the orders' flag replaced it
        cr.execute("DROP INDEX IF EXISTS sale_order_line_clientbase_discount_idx")
        # the engine's exceptions (segmentation.sources.exceptions_query), found without reading
        # every partner: contacts of a company and mailing-only partners are few. The index
        # goes with the mailing-only column when the addon is uninstalled.
        sql.create_index(
            cr,
            "res_partner_clientbase_exception_idx",
            "res_partner",
            ["commercial_partner_id"],
            where=sources.exception_sql(),
        )
        # the partners of internal users, no clients (tools/client_definition.py): few as well
        sql.create_index(
            cr,
            "res_partner_clientbase_internal_idx",
            "res_partner",
            ["commercial_partner_id"],
            where="partner_share IS NOT TRUE",
        )

    def _init_table(self):
        """Create the table, its columns (from the fields), the unique (client, company)
        constraint and the cascading triggers; drop what earlier versions had."""
        cr = self.env.cr
        table = SQL.identifier(self._table)
        cr.execute(
            SQL(
                "CREATE TABLE IF NOT EXISTS %s (id SERIAL PRIMARY KEY) WITH (fillfactor = %s)",
                table,
                FIGURES_FILLFACTOR,
            )
        )
        # a table of an earlier version keeps its pages; new ones are filled this far
        cr.execute(SQL("ALTER TABLE %s SET (fillfactor = %s)", table, FIGURES_FILLFACTOR))
        columns = sql.table_columns(cr, self._table)
        for name, field in self._fields.items():
            if name == "id" or not field.store or not field.column_type or name in GENERATED_COLUMNS:
                continue
            if name in columns and columns[name]["udt_name"] != field.column_type[0]:
                # a type changed since an earlier version (amounts: numeric -> float8)
                sql.convert_column(cr, self._table, name, field.column_type[1])
            cr.execute(
                SQL(
                    "ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s %s",
                    table,
                    SQL.identifier(name),
                    SQL(field.column_type[1]),
                    SQL("NOT NULL" if field.required else ""),
                )
            )
        for name, expression in GENERATED_COLUMNS.items():
            cr.execute(
                SQL(
                    "ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s GENERATED ALWAYS AS (%s) STORED",
                    table,
                    SQL.identifier(name),
                    SQL(self._fields[name].column_type[1]),
                    expression,
                )
            )
        self._create_ranking_indexes()
        if not sql.constraint_definition(cr, self._table, FIGURES_UNIQUE):
            cr.execute(
                SQL(
                    "ALTER TABLE %s ADD CONSTRAINT %s UNIQUE (partner_id, company_id)",
                    table,
                    SQL.identifier(FIGURES_UNIQUE),
                )
            )
        # earlier versions: the ORM's foreign keys, unique constraint and single-column indexes
        cr.execute(
            SQL(
                "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s, DROP CONSTRAINT IF EXISTS %s,"
                " DROP CONSTRAINT IF EXISTS %s",
                table,
                SQL.identifier(f"{self._table}_partner_id_fkey"),
                SQL.identifier(f"{self._table}_company_id_fkey"),
                SQL.identifier(f"{self._table}_partner_company_uniq"),
            )
        )
        cr.execute(
            "DROP INDEX IF EXISTS clientbase_client_figures__partner_id_index,"
            " clientbase_client_figures__company_id_index"
        )
        cr.execute(
            SQL(
                """
                CREATE OR REPLACE FUNCTION %(function)s() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF to_regclass(%(table_name)s) IS NOT NULL THEN
                        IF TG_ARGV[0] = 'partner_id' THEN
                            DELETE FROM %(table)s f USING gone g WHERE f.partner_id = g.id;
                        ELSE
                            DELETE FROM %(table)s f USING gone g WHERE f.company_id = g.id;
                        END IF;
                    END IF;
                    RETURN NULL;
                END
                $$
                """,
                function=SQL.identifier(CASCADE_FUNCTION),
                table_name=SQL(f"'{self._table}'"),
                table=table,
            )
        )
        for target, column in CASCADE_TARGETS:
            changes.create_cascade_trigger(cr, CASCADE_TRIGGER, target, CASCADE_FUNCTION, column)

    @api.model
    def _create_ranking_indexes(self):
        """Create the rankings' indexes that are missing (built in one sorted pass each)."""
        for name, (columns, where) in RANKING_INDEXES.items():
            sql.create_index(self.env.cr, name, self._table, columns, where=where)

    @api.model
    def _drop_ranking_indexes_for_first_population(self):
        """Before the first population of an empty table: its rows are then inserted without
        the rankings' indexes, which are built after it in one sorted pass each (filling them
        row by row, in client order, costs several times more on a million clients). Only an
        empty table: no reader loses anything while they are missing."""
        self.env.cr.execute(SQL("SELECT 1 FROM %s LIMIT 1", SQL.identifier(self._table)))
        if self.env.cr.rowcount:
            return
        for name in RANKING_INDEXES:
            self.env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))

    @api.model
    def _uninstall_cascade(self):
        for target, _column in CASCADE_TARGETS:
            changes.drop_trigger(self.env.cr, CASCADE_TRIGGER, target)
        self.env.cr.execute(SQL("DROP FUNCTION IF EXISTS %s()", SQL.identifier(CASCADE_FUNCTION)))

    # ------------------------------------------------------------------
    # Recompute entry points
    # ------------------------------------------------------------------
    @api.model
    def _get_batch_size(self):
        param = self.env["ir.config_parameter"].sudo().get_param("clientbase_crm.segment_batch_size")
        return int(param) if param and param.isdigit() and int(param) > 0 else DEFAULT_BATCH_SIZE

    @api.model
    def _get_segment_companies(self):
        """Every company (a handful of rows): each has its own figures."""
        return self.env["res.company"].sudo().with_context(active_test=False).search([("id", "!=", False)])

    @api.model
    def _get_active_segments(self):
        return self.env["clientbase.segment"].sudo().search([("active", "=", True)])

    @api.model
    def _flush_sources(self):
        """Pending ORM writes must reach the tables the engine reads."""
        self.env.flush_all()

    @api.model
    def _refresh_clients(self, partners, companies=None):
        """Targeted refresh of the figures, stage and warmth of ``partners``
        (commercial partners), e.g. after an order of theirs was confirmed."""
        partner_ids = list(set(partners.commercial_partner_id.ids))
        if not partner_ids:
            return 0
        self._flush_sources()
        written = 0
        won = []
        for company in companies or self._get_segment_companies():

            def scope(column):
                return SQL("%s = ANY(%s)", column, partner_ids)

            written += engine.refresh_figures(self.env, company, scope)
            won += engine.win_back(self.env, company, scope)
        self._notify_won_back(won)
        return written

    @api.model
    def _notify_won_back(self, partner_ids):
        """The managers of the clients won back get a to-do (the client ordered again); their
        "try to win back" reminders are gone. The ORM forgets what the engine changed."""
        self.invalidate_model()
        if not partner_ids:
            return
        self.env["clientbase.client.card"].invalidate_model(["churn_date", "winback_date"])
        self.env["res.partner"].invalidate_model()
        Activity = self.env["mail.activity"].sudo()
        won = self.env["res.partner"].sudo().browse(sorted(set(partner_ids))).exists()
        Activity.search(
            [("res_model", "=", "res.partner"), ("res_id", "in", won.ids), ("client_rule", "=", "winback")]
        ).unlink()
        existing = Activity.search([("res_model", "=", "res.partner"), ("client_rule", "=", "won_back")])
        todo = self.env.ref("mail.mail_activity_data_todo")
        managed = won.filtered("user_id")
        self.env["res.partner"]._client_sync_rule_activities(
            "won_back",
            existing.mapped("res_id") + managed.ids,
            {
                client.id: {
                    "activity_type_id": todo.id,
                    "summary": self.env._("Won back: the client ordered again"),
                    "user_id": client.user_id.id,
                    "date_deadline": fields.Date.context_today(self),
                }
                for client in managed
            },
        )

    @api.model
    def _recompute_partners(self, partners):
        """Server action: refresh the given clients, then the rankings and the
        user-defined segments; without clients, a full recompute."""
        if not partners:
            return self._recompute_all(full=True)
        self._refresh_clients(partners)
        for company in self._get_segment_companies():
            engine.refresh_rankings(self.env, company)
        self.env["clientbase.segment"]._refresh_all_members()
        self.invalidate_model()
        return True

    @api.model
    def _action_recompute_whole_base(self):
        """Server action: a full run now (every client of every company), then the
        user-defined segments; tells the user how it went."""
        if not self.env.user.has_group("clientbase_crm.group_clientbase_manager"):
            raise AccessError(self.env._("Only client base managers can recompute the whole client base."))
        start = time.time()
        self.sudo()._recompute_all(full=True)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "Figures and segments of every client recomputed in %(seconds)s s.",
                    seconds=round(time.time() - start, 1),
                ),
            },
        }

    @api.model
    def _full_run_required(self):
        """The setting "recompute the whole base every night"."""
        return str2bool(self.env["ir.config_parameter"].sudo().get_param(FULL_RUN_PARAM, "False"))

    @api.model
    def _start_run(self, full=False):
        """Decide what tonight's run does, and prepare it.

        - ``"full"``: every company is marked pending (cursor 1 = first partner id), or a
          pending full run is resumed where it stopped. Asked for (``full``, the setting),
          or needed: a company never completed a run, a change asks for it (the rules'
          settings, a ``TRUNCATE``), the last run is later than today, or the changed
          clients are more than :data:`INCREMENTAL_MAX_SHARE` of the base.
        - ``"incremental"``: the clients whose inputs changed (taken from ``changes`` into
          a temporary table) and those the new day moves (see :meth:`_run_incremental`).
        - ``"none"``: nothing changed since today's complete run: the figures and
          rankings are current.
        """
        companies = self._get_segment_companies()
        if companies.filtered(lambda c: c.client_segment_cursor > 0):
            return "full"
        today = fields.Date.today()
        self._flush_sources()  # pending writes of this transaction are changes too
        changed, full_needed = changes.take_changes(self.env.cr)
        done = companies.mapped("client_segment_done_date")
        if not (full or full_needed or self._full_run_required()) and all(d and d <= today for d in done):
            if not changed and all(d == today for d in done):
                return "none"
            # the planner's estimate of the table's size is enough here, and costs no scan
            self.env.cr.execute("SELECT reltuples FROM pg_class WHERE relname = 'clientbase_client_figures'")
            if changed <= max(self.env.cr.fetchone()[0] * INCREMENTAL_MAX_SHARE, 1000):
                return "incremental"
        self._set_segment_cursor(companies, 1)
        # a company without any figures yet is populated for the first time: no history
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_company c
                   SET client_segment_initial = NOT EXISTS (
                           SELECT 1 FROM clientbase_client_figures f WHERE f.company_id = c.id),
                       client_segment_run_date = %s
                 WHERE c.id = ANY(%s)
                """,
                today,
                companies.ids,
            )
        )
        companies.invalidate_recordset(["client_segment_initial", "client_segment_run_date"])
        return "full"

    @api.model
    def _run_incremental(self):
        """Refresh, per company, the clients taken by :meth:`_start_run` and those the days
        since the company's last complete run move: a stage or warmth that the rules give
        differently today (``rules.date_moves_sql``), an order that left the RFM window;
        then the company's rankings (only the rows whose place changed are written).
        The result is the full run's (a test compares them on a random base).

        :return: rows written
        """
        cr = self.env.cr
        today = fields.Date.today()
        written = 0
        won = []
        for company in self._get_segment_companies():
            start = time.time()
            since = company.client_segment_done_date
            t = rules.thresholds(company)
            scope = SQL.identifier(SCOPE_TABLE)
            cr.execute(SQL("DROP TABLE IF EXISTS %s", scope))
            moved = SQL("SELECT NULL::int4 WHERE FALSE")
            if since < today:
                moved = SQL(
                    """
                    SELECT f.partner_id FROM clientbase_client_figures f
                     WHERE f.company_id = %(company)s AND (%(moves)s)
                     UNION
                    %(leavers)s
                    """,
                    company=company.id,
                    moves=rules.date_moves_sql("f", t, since, today),
                    leavers=changes.window_leavers_sql(
                        company.id, rules.window_after(t, since), rules.window_after(t, today)
                    ),
                )
            cr.execute(
                SQL(
                    "CREATE TEMP TABLE %s AS SELECT partner_id FROM %s UNION %s",
                    scope,
                    SQL.identifier(changes.TAKEN_TABLE),
                    moved,
                )
            )
            clients = cr.rowcount
            rows = 0
            if clients:
                cr.execute(SQL("ANALYZE %s", scope))
                rows = engine.refresh_figures(
                    self.env, company, functools.partial(_in_table, scope), today, scope_table=scope
                )
                won += engine.win_back(self.env, company, functools.partial(_in_table, scope))
                rows += engine.refresh_rankings(
                    self.env, company, changed=_in_table(scope, SQL("f.partner_id"))
                )
            cr.execute(SQL("DROP TABLE %s", scope))
            cr.execute(
                "UPDATE res_company SET client_segment_done_date = %s, client_segment_run_date = %s WHERE id = %s",
                (today, today, company.id),
            )
            company.invalidate_recordset(["client_segment_done_date", "client_segment_run_date"])
            engine.log_duration(
                "Client segments: company %s, incremental run" % company.id,
                start,
                clients=clients,
                rows_written=rows,
            )
            written += rows
        self._notify_won_back(won)
        return written

    @api.model
    def _set_segment_cursor(self, companies, value):
        """The cursor is a technical marker: written in SQL, without the company's
        write() side effects (tracking, cache clearing)."""
        self.env.cr.execute(
            SQL("UPDATE res_company SET client_segment_cursor = %s WHERE id = ANY(%s)", value, companies.ids)
        )
        companies.invalidate_recordset(["client_segment_cursor"])

    @api.model
    def _recompute_step(self, batch_size=None):
        """One bounded unit of the full recompute: one id range of one company
        (plus that company's rankings after its last range).

        :return: estimated number of steps left (0 when the run is complete)
        """
        batch_size = batch_size or self._get_batch_size()
        companies = self.env["res.company"].sudo().with_context(active_test=False)
        company = companies.search([("client_segment_cursor", ">", 0)], order="id", limit=1)
        if not company:
            return 0
        self._flush_sources()
        start = time.time()
        self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM res_partner")
        max_id = self.env.cr.fetchone()[0]
        low = company.client_segment_cursor
        high = low + batch_size - 1
        if max_id - high < batch_size // 2:
            # a short remainder joins this batch: each batch reads every order once
            high = max(high, max_id)
        log_history = not company.client_segment_initial
        # the whole base in one batch: rankings are computed and written with the figures
        single = low <= 1 and high >= max_id
        if low <= 1:
            self._drop_ranking_indexes_for_first_population()

        def in_range(column):
            return SQL("%s BETWEEN %s AND %s", column, low, high)

        written = engine.refresh_figures(
            self.env,
            company,
            in_range,
            today=company.client_segment_run_date or fields.Date.today(),
            log_history=log_history,
            with_rankings=single,
            bulk=True,
        )
        won = engine.win_back(self.env, company, in_range)
        if written > ANALYZE_AFTER_ROWS:
            # fresh statistics for the queries that read the figures next (the user-defined
            # segments, the partner views): autovacuum's analyze comes later, and plans made on
            # the statistics of an empty table are seconds slower on a million clients
            self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(self._table)))
        if high >= max_id:
            self._create_ranking_indexes()
            if not single:
                written += engine.refresh_rankings(self.env, company, log_history=log_history)
            self._set_segment_cursor(company, 0)
            # the date of the complete run: the next incremental run starts from it
            self.env.cr.execute(
                "UPDATE res_company SET client_segment_done_date = client_segment_run_date WHERE id = %s",
                (company.id,),
            )
            company.invalidate_recordset(["client_segment_done_date"])
        else:
            self._set_segment_cursor(company, high + 1)
        engine.log_duration(
            "Client segments: company %s, clients %s-%s" % (company.id, low, high),
            start,
            rows_written=written,
        )
        pending = companies.search([("client_segment_cursor", ">", 0)])
        self._notify_won_back(won)
        return sum(math.ceil(max(max_id - c.client_segment_cursor + 1, 1) / batch_size) for c in pending)

    @api.model
    def _refresh_user_segments(self):
        """Members of the user-defined segments, by every run, even one with nothing to
        recompute: a segment whose conditions read only the client's own fields and the
        figures is compared for the clients whose data changed, any other (its conditions
        may read any field, and "today") over the whole base.

        :return: ``(deleted, inserted)`` membership rows"""
        start = time.time()
        result = self.env["clientbase.segment"]._refresh_all_members()
        engine.log_duration(
            "Client segments: user-defined segments", start, deleted=result[0], inserted=result[1]
        )
        return result

    @api.model
    def _run_engine(self, batch_size=None, full=False):
        """The figures and rankings of every company, in one transaction: incremental
        unless a full run is asked for or needed (see :meth:`_start_run`).

        :return: what ran: ``"none"``, ``"incremental"`` or ``"full"``
        """
        start = time.time()
        mode = self._start_run(full=full)
        if mode == "none":
            engine.log_duration("Client segments: nothing changed since today's run", start)
        elif mode == "incremental":
            self._run_incremental()
            engine.log_duration("Client segments: incremental run", start)
        else:
            steps = 1
            while self._recompute_step(batch_size):
                steps += 1
            # (the rows written are logged by each step)
            engine.log_duration("Client segments: full recompute", start, steps=steps)
        return mode

    @api.model
    def _recompute_all(self, batch_size=None, full=False):
        """The whole nightly run in one transaction (server actions, tests, benchmark):
        the engine, then the user-defined segments."""
        self._run_engine(batch_size=batch_size, full=full)
        self._refresh_user_segments()
        return True

    @api.model
    @retry_on_concurrency
    def _cron_recompute_client_segments(self):
        """Daily job. Run by the cron worker (``cron_id`` in context), a full run does one
        step per call and reports progress: Odoo commits after each call and calls again
        while steps remain, so a crash or timeout loses at most one step and the next run
        resumes from the company cursors. An incremental run is one call. Called directly
        or via "Run Manually", it does the whole run."""
        ir_cron = self.env["ir.cron"]
        if not self.env.context.get("cron_id"):
            self._recompute_all()
            ir_cron._notify_progress(done=1, remaining=0)
            return
        mode = self._start_run()
        remaining = 0
        if mode == "incremental":
            self._run_incremental()
        elif mode == "full":
            remaining = self._recompute_step()
        if not remaining:
            self._refresh_user_segments()
        ir_cron._notify_progress(done=1, remaining=remaining)
