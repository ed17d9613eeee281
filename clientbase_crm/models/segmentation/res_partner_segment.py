import re
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

from ...tools.client_definition import internal_partner_sql
from ...tools.typed_values import check_condition
from ..protection.clientbase_security import USER_GROUP, sees_all
from ..reports.clientbase_report_ratios import ratio_sql
from .clientbase_client_figures import ABC_CLASSES, PERSONAS, RFM_SEGMENTS, STAGES, WARMTH

# What the stage and the warmth say of a partner that has none a user may read, in the card and
# as a group of the list, rather than blank ("None"); said, never set by hand, never a segment's
# condition (``clientbase_segment.py``):
# - a client another manager handles, to a user who may not read its data;
HIDDEN = "hidden"
HIDDEN_LABEL = "Handled by colleagues"
# - a client nobody handles, to a salesperson of a company that hides the unassigned pool;
UNASSIGNED = "unassigned"
UNASSIGNED_LABEL = "Unassigned"
# - a mailing-only contact, who is no client and is given no stage nor warmth (the "mailing-only
#   base" of the kinds of base, as a subscriber is a lifecycle stage of its own elsewhere).
MAILING_ONLY = "mailing_only"
MAILING_ONLY_LABEL = "Mailing only"
SAID_VALUES = (HIDDEN, UNASSIGNED, MAILING_ONLY)
# the values said of a partner whose data the user may not read (the others are its own)
SAID_OF_FOREIGN = (HIDDEN, UNASSIGNED)

# field name -> (SQL of the value over figures alias "f", or None when computed in python;
#                values the field takes when the client has no figures row)
FIGURE_FIELDS = {
    "client_first_order_date": ("f.first_order_date", [None]),
    "client_last_order_date": ("f.last_order_date", [None]),
    "client_order_count": ("f.order_count", [0]),
    "client_revenue": ("f.revenue", [0]),
    "client_average_order": ("ROUND((f.revenue / NULLIF(f.order_count, 0))::numeric, 2)", [0]),
    "client_days_since_last_order": ("(%(today)s::date - f.last_order_date)", [None]),
    "client_stage": ("f.current_stage", [MAILING_ONLY, "potential"]),
    "client_rfm_recency": ("f.rfm_recency", [None]),
    "client_rfm_frequency": ("f.rfm_frequency", [None]),
    "client_rfm_monetary": ("f.rfm_monetary", [None]),
    "client_rfm_segment": ("f.rfm_segment", [None]),
    "client_abc_class": ("f.abc_class", [None]),
    "client_is_vip": ("f.is_vip", [False]),
    "client_warmth": ("f.current_warmth", [MAILING_ONLY, "cold"]),
    "client_persona": ("f.persona", [None]),
    "client_persona_suggested": ("f.persona_suggested", [None]),
    "client_purchase_interval": ("f.purchase_interval", [None]),
    "client_next_purchase_date": ("f.next_purchase_date", [None]),
    "client_purchase_overdue": (
        "(f.next_purchase_date + f.purchase_interval / 2 < %(today)s::date)",
        [False],
    ),
    "client_expected_revenue": ("f.expected_revenue", [0]),
    "client_margin": ("f.margin", [0]),
}
# fields whose value without figures depends on the partner itself (mailing-only partners have none)
PARTNER_DEFAULT_FIELDS = ("client_stage", "client_warmth")
# every partner field computed from the figures row
FIGURE_PARTNER_FIELDS = (
    *FIGURE_FIELDS,
    "client_churn_reason",
    "client_stage_is_manual",
    "client_vip_is_manual",
    "client_warmth_is_manual",
)
MANUAL_FIELDS = ("client_stage", "client_churn_reason", "client_is_vip", "client_warmth", "client_persona")
# the values "back to automatic" gives back to the figures
RESET_FIELDS = ("client_stage", "client_is_vip", "client_warmth")


def _figure_search(fname):
    """The search method of the figure field ``fname`` (Odoo passes no field name to a search
    method): one generic search, :meth:`ResPartner._search_client_figure`."""

    def search(self, operator, value):
        return self._search_client_figure(fname, operator, value)

    search.__name__ = f"_search_{fname}"
    return search


OPERATORS = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _python_match(candidate, operator, value):
    """Whether a default value satisfies the condition (decides LEFT or INNER join)."""
    if operator in ("in", "not in"):
        values = list(value)
        found = candidate in values or (candidate is None and False in values)
        return found if operator == "in" else not found
    if value is False or value is None:
        return (candidate in (None, False)) == (operator == "=")
    if candidate is None:
        return operator == "!="
    return {
        "=": candidate == value,
        "!=": candidate != value,
        "<": candidate < value,
        "<=": candidate <= value,
        ">": candidate > value,
        ">=": candidate >= value,
    }[operator]


class ResPartner(models.Model):
    """Purchase figures and segments of the client, for the current company.

    Values live in ``clientbase.client.figures`` (one narrow row per commercial
    partner and company); here they are non-stored fields, searchable, and
    groupable/sortable through ``_field_to_sql`` (a correlated subselect).
    A contact shows the figures of its commercial entity.
    """

    _inherit = "res.partner"
    # the fields computed from the figures row (the segments' one pass reads them on that row)
    _client_figure_fields = frozenset(FIGURE_FIELDS)

    client_first_order_date = fields.Date(
        string="First Order",
        compute="_compute_client_figures",
        groups=USER_GROUP,
        search="_search_client_first_order_date",
    )
    client_last_order_date = fields.Date(
        string="Last Order",
        compute="_compute_client_figures",
        groups=USER_GROUP,
        search="_search_client_last_order_date",
    )
    client_order_count = fields.Integer(
        string="Orders",
        compute="_compute_client_figures",
        groups=USER_GROUP,
        search="_search_client_order_count",
        help="Confirmed orders of the client, whoever their salesperson: the Sales button opens them, "
        "with the client's quotations and cancelled orders.",
    )
    client_revenue = fields.Float(
        string="Revenue",
        digits=(16, 2),
        compute="_compute_client_figures",
        groups=USER_GROUP,
        search="_search_client_revenue",
        help="Untaxed amount of confirmed orders, in the company currency.",
    )
    client_average_order = fields.Float(
        string="Average Order",
        digits=(16, 2),
        aggregator="avg",
        compute="_compute_client_figures",
        groups=USER_GROUP,
        search="_search_client_average_order",
    )
    client_days_since_last_order = fields.Integer(
        string="Days Since Last Order",
        aggregator="avg",
        compute="_compute_client_figures",
        groups=USER_GROUP,
        search="_search_client_days_since_last_order",
    )
    client_stage = fields.Selection(
        [*STAGES, (HIDDEN, HIDDEN_LABEL), (UNASSIGNED, UNASSIGNED_LABEL), (MAILING_ONLY, MAILING_ONLY_LABEL)],
        compute="_compute_client_figures",
        groups=USER_GROUP,
        inverse="_inverse_client_stage",
        search="_search_client_stage",
    )
    client_churn_reason = fields.Text(
        string="Churn Reason",
        compute="_compute_client_figures",
        groups=USER_GROUP,
        inverse="_inverse_client_churn_reason",
    )
    client_rfm_recency = fields.Integer(
        string="RFM Recency",
        aggregator="avg",
        compute="_compute_client_figures",
        groups=USER_GROUP,
        search="_search_client_rfm_recency",
    )
    client_rfm_frequency = fields.Integer(
        string="RFM Frequency",
        aggregator="avg",
        compute="_compute_client_figures",
        groups=USER_GROUP,
        search="_search_client_rfm_frequency",
    )
    client_rfm_monetary = fields.Integer(
        string="RFM Monetary",
        aggregator="avg",
        compute="_compute_client_figures",
        groups=USER_GROUP,
        search="_search_client_rfm_monetary",
    )
    client_purchase_interval = fields.Integer(
        string="Purchase Rhythm (days)",
        compute="_compute_client_figures",
        groups=USER_GROUP,
        aggregator="avg",
        search="_search_client_purchase_interval",
        help="The median of the days between the client's consecutive orders (3 orders or more), "
        "else that of its RFM segment's clients.",
    )
    client_next_purchase_date = fields.Date(
        string="Next Purchase Expected",
        compute="_compute_client_figures",
        groups=USER_GROUP,
        search="_search_client_next_purchase_date",
        help="The last order plus the purchase rhythm.",
    )
    client_purchase_overdue = fields.Boolean(
        string="Overdue for the Next Purchase",
        compute="_compute_client_figures",
        groups=USER_GROUP,
        search="_search_client_purchase_overdue",
        help="Today is later than the expected next purchase plus half the rhythm.",
    )
    client_expected_revenue = fields.Float(
        string="Expected Revenue (12 months)",
        digits=(16, 2),
        compute="_compute_client_figures",
        groups=USER_GROUP,
        search="_search_client_expected_revenue",
        help="365 / rhythm orders at the client's average order; nothing for a lost client or one whose "
        "last order is older than twice its rhythm.",
    )
    client_margin = fields.Float(
        string="Gross Margin",
        digits=(16, 2),
        compute="_compute_client_figures",
        groups=USER_GROUP,
        search="_search_client_margin",
        help="The revenue of the client's confirmed order lines whose product has a known cost, minus that "
        "cost (the cost on the order line with Sales Margin installed, else the product's cost); empty when "
        "no product bought has a cost. Refreshed nightly.",
    )
    client_rfm_segment = fields.Selection(
        RFM_SEGMENTS,
        string="RFM Segment",
        compute="_compute_client_figures",
        groups=USER_GROUP,
        search="_search_client_rfm_segment",
    )
    client_abc_class = fields.Selection(
        ABC_CLASSES,
        string="ABC Class",
        compute="_compute_client_figures",
        groups=USER_GROUP,
        search="_search_client_abc_class",
    )
    client_is_vip = fields.Boolean(
        string="VIP",
        compute="_compute_client_figures",
        groups=USER_GROUP,
        inverse="_inverse_client_is_vip",
        search="_search_client_is_vip",
    )
    client_warmth = fields.Selection(
        [*WARMTH, (HIDDEN, HIDDEN_LABEL), (UNASSIGNED, UNASSIGNED_LABEL), (MAILING_ONLY, MAILING_ONLY_LABEL)],
        string="Warmth",
        compute="_compute_client_figures",
        groups=USER_GROUP,
        inverse="_inverse_client_warmth",
        search="_search_client_warmth",
    )
    client_persona = fields.Selection(
        PERSONAS,
        string="Persona",
        compute="_compute_client_figures",
        groups=USER_GROUP,
        inverse="_inverse_client_persona",
        search="_search_client_persona",
    )
    client_persona_suggested = fields.Selection(
        PERSONAS,
        string="Suggested Persona",
        compute="_compute_client_figures",
        groups=USER_GROUP,
        search="_search_client_persona_suggested",
    )
    client_stage_is_manual = fields.Boolean(
        string="Stage Set by Hand", compute="_compute_client_figures", groups=USER_GROUP
    )
    client_vip_is_manual = fields.Boolean(
        string="VIP Set by Hand", compute="_compute_client_figures", groups=USER_GROUP
    )
    client_warmth_is_manual = fields.Boolean(
        string="Warmth Set by Hand", compute="_compute_client_figures", groups=USER_GROUP
    )
    client_segment_member_ids = fields.One2many(
        "clientbase.segment.member",
        "partner_id",
        string="Segment Memberships",
        readonly=True,
        groups=USER_GROUP,
    )
    client_segment_ids = fields.Many2many(
        "clientbase.segment",
        string="Segments",
        compute="_compute_client_segment_ids",
        search="_search_client_segment_ids",
        groups=USER_GROUP,
        help="User-defined segments the client belongs to, refreshed by the segment recompute.",
    )
    client_segment_history_ids = fields.One2many(
        "clientbase.segment.history", "partner_id", string="Segment History", readonly=True
    )

    @api.depends_context("uid")
    def _compute_client_segment_ids(self):
        """Segments of the client, through the memberships the current user may read."""
        segments = self.env["clientbase.segment.member"]._get_visible("partner_id", self._origin._ids)
        for partner in self:
            partner.client_segment_ids = [Command.set(segments.get(partner._origin.id, []))]

    def _search_client_segment_ids(self, operator, value):
        if value is False or value is None or value == []:
            # "no segment": no visible membership
            positive = operator in ("!=", "not in")
            return [("client_segment_member_ids", "any" if positive else "not any", [])]
        if operator in ("!=", "not in"):
            positive = "in" if operator == "not in" else "="
            return [("client_segment_member_ids", "not any", [("segment_id", positive, value)])]
        return [("client_segment_member_ids", "any", [("segment_id", operator, value)])]

    # ------------------------------------------------------------------
    def _get_client_figures(self):
        """Figures rows of the commercial entities of ``self`` in the current company that
        the current user may read (the figures' record rules decide)."""
        Figures = self.env["clientbase.client.figures"]
        # new records (forms being filled in) have no figures yet
        ids = [pid for pid in self.commercial_partner_id._origin._ids if pid]
        if not ids or not Figures.has_access("read"):
            return Figures
        return Figures.search([("partner_id", "in", ids), ("company_id", "=", self.env.company.id)])

    @api.depends("commercial_partner_id", "client_mailing_only")
    @api.depends_context("uid", "company")
    def _compute_client_figures(self):
        rows = {row.partner_id.id: row for row in self._get_client_figures()}
        today = fields.Date.today()
        empty = self.env["clientbase.client.figures"]
        # another manager's client shows nothing, not even the defaults (potential, cold): its
        # stage and warmth say that colleagues handle it, or that nobody does
        foreign = self._get_client_data_foreign()
        said = foreign.sudo()._client_said_of_foreign()
        foreign = set(foreign._ids)
        values = {fname: [] for fname in FIGURE_PARTNER_FIELDS}
        for partner in self:
            if partner._origin.id in foreign:
                for fname, column in values.items():
                    column.append(said[partner._origin.id] if fname in PARTNER_DEFAULT_FIELDS else False)
                continue
            row = rows.get(partner.commercial_partner_id._origin.id, empty)
            count = row.order_count
            default_stage = MAILING_ONLY if partner.client_mailing_only else "potential"
            default_warmth = MAILING_ONLY if partner.client_mailing_only else "cold"
            for fname, value in (
                ("client_first_order_date", row.first_order_date),
                ("client_last_order_date", row.last_order_date),
                ("client_order_count", count),
                ("client_revenue", row.revenue),
                ("client_average_order", round(row.revenue / count, 2) if count else 0.0),
                (
                    "client_days_since_last_order",
                    (today - row.last_order_date).days if row.last_order_date else 0,
                ),
                ("client_stage", row.current_stage or default_stage),
                ("client_churn_reason", row.churn_reason),
                ("client_rfm_recency", row.rfm_recency),
                ("client_rfm_frequency", row.rfm_frequency),
                ("client_rfm_monetary", row.rfm_monetary),
                ("client_rfm_segment", row.rfm_segment),
                ("client_abc_class", row.abc_class),
                ("client_is_vip", row.is_vip),
                ("client_warmth", row.current_warmth or default_warmth),
                ("client_persona", row.persona),
                ("client_persona_suggested", row.persona_suggested),
                ("client_purchase_interval", row.purchase_interval),
                ("client_next_purchase_date", row.next_purchase_date),
                (
                    "client_purchase_overdue",
                    bool(row.next_purchase_date)
                    and today > row.next_purchase_date + timedelta(days=row.purchase_interval // 2),
                ),
                ("client_expected_revenue", row.expected_revenue),
                ("client_margin", row.margin),
                ("client_stage_is_manual", bool(row.stage_manual)),
                ("client_vip_is_manual", bool(row.vip_manual)),
                ("client_warmth_is_manual", bool(row.warmth_manual)),
            ):
                values[fname].append(value)
        # one cache update per field: a list of 80 clients computes 20 fields each
        for fname, column in values.items():
            field = self._fields[fname]
            self.env.cache.update(
                self, field, [field.convert_to_cache(v, self, validate=False) for v in column]
            )

    def _client_said_of_foreign(self):
        """``{partner id: value}``: what the stage and the warmth say of each partner of ``self``
        whose data the current user may not read (read as superuser): "Handled by colleagues"
        when its commercial entity has a manager, "Unassigned" when it has none, nothing for the
        company's side (employees, the company itself), which is nobody's client. The SQL of
        the groupings says the same (:meth:`_client_hidden_case_sql`)."""
        internal = set(
            self.with_context(active_test=False)
            .filtered(lambda p: not p.partner_share or p.ref_company_ids)
            ._ids
        )
        return {
            partner._origin.id: (
                HIDDEN
                if partner.commercial_partner_id.user_id
                else (False if partner._origin.id in internal else UNASSIGNED)
            )
            for partner in self
        }

    def _set_client_manual_values(self, get_vals):
        """Store values set by hand on the figures rows of the commercial entities, as the
        current user: the figures' record rules refuse another manager's client."""
        Figures = self.env["clientbase.client.figures"]
        company = self.env.company.id
        commercials = self.commercial_partner_id
        rows = {
            row.partner_id: row.with_env(self.env)
            for row in Figures.sudo().search(
                [("partner_id", "in", commercials.ids), ("company_id", "=", company)]
            )
        }
        for commercial in commercials:
            partner = self.filtered(lambda p, c=commercial: p.commercial_partner_id == c)[:1]
            vals = get_vals(partner)
            if commercial in rows:
                rows[commercial].write(vals)
            else:
                Figures.create(dict(vals, partner_id=commercial.id, company_id=company))
        Figures.flush_model()

    def _check_client_not_hidden(self, fname):
        """ "Handled by colleagues", "Unassigned" and "Mailing only" are said of a partner,
        never set on one."""
        said = {partner[fname] for partner in self} & set(SAID_VALUES)
        if said:
            field = self._fields[fname]
            raise UserError(
                self.env._(
                    "“%(value)s” is not a value of %(field)s you can set: choose one of the others.",
                    value=dict(field._description_selection(self.env))[said.pop()],
                    field=field._description_string(self.env),
                )
            )

    def _inverse_client_stage(self):
        self._check_client_not_hidden("client_stage")
        self._set_client_manual_values(lambda p: {"stage_manual": p.client_stage or False})

    def _inverse_client_churn_reason(self):
        self._set_client_manual_values(lambda p: {"churn_reason": p.client_churn_reason or False})

    def _inverse_client_is_vip(self):
        self._set_client_manual_values(lambda p: {"vip_manual": "yes" if p.client_is_vip else "no"})

    def _inverse_client_warmth(self):
        self._check_client_not_hidden("client_warmth")
        self._set_client_manual_values(lambda p: {"warmth_manual": p.client_warmth or False})

    def _inverse_client_persona(self):
        self._set_client_manual_values(lambda p: {"persona": p.client_persona or False})

    # ------------------------------------------------------------------
    @api.model
    def _get_client_figure_sql(self, fname, figures_alias="f"):
        """SQL value of a figures field over the figures row aliased ``figures_alias``."""
        code = FIGURE_FIELDS[fname][0]
        if figures_alias != "f":
            code = re.sub(r"\bf\.", f'"{figures_alias}".', code)
        return SQL(code, today=fields.Date.today())

    @api.model
    def _get_client_figure_default_sql(self, fname, partner_alias):
        if fname in PARTNER_DEFAULT_FIELDS:
            default = "potential" if fname == "client_stage" else "cold"
            return SQL(
                "CASE WHEN %s THEN %s ELSE %s END",
                SQL.identifier(partner_alias, "client_mailing_only"),
                MAILING_ONLY,
                default,
            )
        value = FIGURE_FIELDS[fname][1][0]
        return SQL("%s", value) if value is not None else SQL("NULL")

    @api.model
    def _client_figures_visible_sql(self, figures_alias):
        """Condition on the figures row ``figures_alias``: the rows the figures' record
        rules let the current user read, those of the clients the user handles (None when
        they read every row). A correlated test of the row's client, where the rules'
        subquery would hash every owned client's row for one search."""
        if sees_all(self.env):
            return None
        if not self.env["clientbase.client.figures"].has_access("read"):
            return SQL("FALSE")
        return SQL(
            "EXISTS (SELECT 1 FROM res_partner o WHERE o.id = %s AND %s)",
            SQL.identifier(figures_alias, "partner_id"),
            self._client_owner_condition_sql(SQL.identifier("o", "user_id")),
        )

    @api.model
    def _client_own_sql(self, partner_alias):
        """Condition on the partner ``partner_alias``: a client the current user handles."""
        own = self.sudo().with_context(active_test=False)._search(self._get_client_data_own_domain())
        return SQL("%s IN (%s)", SQL.identifier(partner_alias, "commercial_partner_id"), own.subselect())

    def _read_group_select(self, aggregate_spec, query):
        """The average order of a group of clients is its revenue / its orders (``METRICS.md``:
        never an average of the clients' averages)."""
        if aggregate_spec.split(":")[0] == "client_average_order":
            return ratio_sql(self, query, "client_revenue", "client_order_count", 1)
        return super()._read_group_select(aggregate_spec, query)

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """Make the figures fields groupable and sortable: the figures row of the commercial
        entity in the current company, among the rows the figures' record rules show
        (another manager's client: NULL). Within a query, the rows are LEFT JOINed once (the
        planner hashes them for a whole-base group-by), restricted to the clients the user
        handles (the same ownership as the rules); alone, a correlated subselect."""
        if fname not in FIGURE_FIELDS:
            return super()._field_to_sql(alias, fname, query=query, flush=flush)
        self.check_field_access_rights("read", [fname])
        restricted = not sees_all(self.env)
        commercial = SQL.identifier(alias, "commercial_partner_id")
        company = self.env.company.id
        default = self._get_client_figure_default_sql(fname, alias)
        if query is not None:
            figures_alias = query.make_alias(alias, "clientbase_figures")
            join_condition = SQL(
                "%s = %s AND %s = %s",
                SQL.identifier(figures_alias, "partner_id"),
                commercial,
                SQL.identifier(figures_alias, "company_id"),
                company,
            )
            if restricted:
                # the rows the figures' rules show: those of the clients the user handles
                own = self._client_own_condition_sql(alias, query)
                if not self.env["clientbase.client.figures"].has_access("read"):
                    own = SQL("FALSE")
                join_condition = SQL("%s AND %s", join_condition, own)
            query.add_join("LEFT JOIN", figures_alias, "clientbase_client_figures", join_condition)
            value = SQL("COALESCE(%s, %s)", self._get_client_figure_sql(fname, figures_alias), default)
            if restricted:
                value = SQL(
                    "(CASE WHEN %s THEN %s%s END)",
                    own,
                    value,
                    self._client_hidden_case_sql(fname, self._client_commercial_owner_sql(alias), alias),
                )
            return value
        else:
            visible = self._client_figures_visible_sql("f")
            value = SQL(
                "COALESCE((SELECT %(value)s FROM clientbase_client_figures f"
                " WHERE f.partner_id = %(commercial)s AND f.company_id = %(company)s%(visible)s), %(default)s)",
                value=self._get_client_figure_sql(fname),
                commercial=commercial,
                company=company,
                visible=SQL(" AND %s", visible) if visible is not None else SQL(""),
                default=default,
            )
            if restricted:
                # the manager of its commercial entity, from the partner's own row
                manager = self._client_commercial_owner_sql(alias)
                value = SQL(
                    "(CASE WHEN %s THEN %s%s END)",
                    self._client_own_sql(alias),
                    value,
                    self._client_hidden_case_sql(fname, manager, alias),
                )
        return value

    @api.model
    def _client_hidden_case_sql(self, fname, manager, alias):
        """The branches of the CASE of a figure a restricted user may not read that say whose
        the partner ``alias`` is (``manager``: SQL of its commercial entity's manager): for the
        stage and the warmth ``hidden`` (other managers' clients), ``unassigned`` (nobody's,
        but the company's side), as :meth:`_client_said_of_foreign`; nothing for the others."""
        if fname not in PARTNER_DEFAULT_FIELDS:
            return SQL("")
        return SQL(
            " WHEN %s IS NOT NULL THEN %s WHEN NOT %s THEN %s",
            manager,
            HIDDEN,
            SQL("%s%s", internal_partner_sql(alias), SQL("", to_flush=self._fields["partner_share"])),
            UNASSIGNED,
        )

    def _client_figure_condition(self, fname, operator, value, figures_alias="f", partner_alias="p"):
        """SQL condition of ``(fname, operator, value)`` on the figures row ``figures_alias``
        (NULL columns when the client has none) and the partner ``partner_alias``; the one
        source of the figure fields' conditions (the search method, the segments' one pass).

        :return: ``(condition, matches_default)``: whether a client without a figures row
            matches (decides the search's LEFT or INNER join)
        """
        if operator not in OPERATORS and operator not in ("in", "not in"):
            raise UserError(
                self.env._(
                    "Operator %(operator)s is not supported on %(field)s.",
                    operator=operator,
                    field=self._fields[fname].string,
                )
            )
        # a word for a date, a number or a yes/no: a clear error, not PostgreSQL's
        value = check_condition(self.env, self._fields[fname], operator, value)
        expr = SQL(
            "COALESCE(%s, %s)",
            self._get_client_figure_sql(fname, figures_alias),
            self._get_client_figure_default_sql(fname, partner_alias),
        )
        if operator in ("in", "not in"):
            values = [v for v in value if v is not False and v is not None]
            has_null = len(values) != len(value)
            condition = SQL("%s IN %s", expr, tuple(values)) if values else SQL("FALSE")
            if has_null:
                condition = SQL("(%s OR %s IS NULL)", condition, expr)
            if operator == "not in":
                condition = SQL("NOT COALESCE(%s, FALSE)", condition)
        elif value is False or value is None:
            is_bool = self._fields[fname].type == "boolean"
            if is_bool:
                condition = SQL("COALESCE(%s, FALSE) %s FALSE", expr, SQL(OPERATORS[operator]))
            else:
                condition = SQL("%s IS NULL" if operator == "=" else "%s IS NOT NULL", expr)
        elif operator == "!=":
            condition = SQL("%s IS DISTINCT FROM %s", expr, value)
        else:
            condition = SQL("%s %s %s", expr, SQL(OPERATORS[operator]), value)
        defaults = FIGURE_FIELDS[fname][1]
        return condition, any(_python_match(default, operator, value) for default in defaults)

    def _client_figure_row_condition(self, fname, operator, value, figures_alias, partner_alias):
        """The search's result as a two-valued condition on the partner ``partner_alias``
        LEFT JOIN its figures row ``figures_alias`` (of the current company): true exactly for
        the partners :meth:`_search_client_figure` selects, for a user who sees every client.
        The segments' one pass (``segmentation.one_pass``) evaluates many on one row."""
        assert sees_all(self.env), "the figures rows of every client"
        condition, matches_default = self._client_figure_condition(
            fname, operator, value, figures_alias, partner_alias
        )
        condition = SQL("COALESCE(%s, FALSE)", condition)
        if matches_default:
            return condition
        # the search's semi-join (or inner join): only a client with a figures row matches
        return SQL("(%s IS NOT NULL AND %s)", SQL.identifier(figures_alias, "partner_id"), condition)

    def _search_client_figure(self, fname, operator, value):
        values = value if operator in ("in", "not in") and isinstance(value, (list, tuple, set)) else [value]
        if fname in PARTNER_DEFAULT_FIELDS and set(values) & set(SAID_OF_FOREIGN):
            return self._search_client_said(fname, operator, values)
        condition, matches_default = self._client_figure_condition(fname, operator, value)
        # a user who does not see every client: only the rows the figures' record rules
        # show, and the defaults only for the clients the user handles
        visible = self._client_figures_visible_sql("f")
        restricted = visible is not None
        row_condition = SQL("%s AND %s", condition, visible) if restricted else condition
        if not matches_default and fname not in PARTNER_DEFAULT_FIELDS:
            # only clients with a figures row match, and the value is the client's whatever the
            # partner: a semi-join of the partners' commercial entity with the matching rows
            return [
                (
                    "commercial_partner_id",
                    "in",
                    SQL(
                        "(SELECT f.partner_id FROM clientbase_client_figures f WHERE f.company_id = %s AND %s)",
                        self.env.company.id,
                        row_condition,
                    ),
                )
            ]
        if matches_default:
            join = SQL("LEFT JOIN")
            join_condition = SQL(" AND %s", visible) if restricted else SQL("")
            where = SQL("%s AND %s", condition, self._client_own_sql("p")) if restricted else condition
        else:
            join, join_condition, where = SQL("JOIN"), SQL(""), row_condition
        return [
            (
                "id",
                "in",
                SQL(
                    "(SELECT p.id FROM res_partner p %s clientbase_client_figures f"
                    " ON f.partner_id = p.commercial_partner_id AND f.company_id = %s%s WHERE %s)",
                    join,
                    self.env.company.id,
                    join_condition,
                    where,
                ),
            )
        ]

    @api.model
    def _client_said_domain(self, value):
        """Domain of the partners whose stage and warmth say ``value`` (``hidden`` or
        ``unassigned``), as the groupings name them."""
        if value == HIDDEN:
            return [("client_data_hidden", "=", True), ("commercial_partner_id.user_id", "!=", False)]
        internal = [
            "|",
            ("partner_share", "=", False),
            ("id", "in", SQL("(SELECT own.partner_id FROM res_company own)")),
        ]
        return [
            ("client_data_hidden", "=", True),
            ("commercial_partner_id.user_id", "=", False),
            "!",
            *internal,
        ]

    def _search_client_said(self, fname, operator, values):
        """Search the stage or warmth ``hidden`` ("Handled by colleagues") or ``unassigned``:
        the partners whose data the user may not read, as the grouping names them (with the
        other values searched with them)."""
        said = expression.OR([self._client_said_domain(v) for v in values if v in SAID_OF_FOREIGN])
        others = [v for v in values if v not in SAID_OF_FOREIGN]
        if operator in ("=", "in"):
            return expression.OR([said, [(fname, "in", others)]]) if others else said
        if operator in ("!=", "not in"):
            shown = ["!", *expression.normalize_domain(said)]
            return expression.AND([shown, [(fname, "not in", others)]]) if others else shown
        raise UserError(
            self.env._(
                "Operator %(operator)s is not supported on %(field)s.",
                operator=operator,
                field=self._fields[fname].string,
            )
        )

    # the search methods the figure fields name
    _search_client_first_order_date = _figure_search("client_first_order_date")
    _search_client_last_order_date = _figure_search("client_last_order_date")
    _search_client_order_count = _figure_search("client_order_count")
    _search_client_purchase_interval = _figure_search("client_purchase_interval")
    _search_client_next_purchase_date = _figure_search("client_next_purchase_date")
    _search_client_purchase_overdue = _figure_search("client_purchase_overdue")
    _search_client_expected_revenue = _figure_search("client_expected_revenue")
    _search_client_margin = _figure_search("client_margin")
    _search_client_revenue = _figure_search("client_revenue")
    _search_client_average_order = _figure_search("client_average_order")
    _search_client_days_since_last_order = _figure_search("client_days_since_last_order")
    _search_client_stage = _figure_search("client_stage")
    _search_client_rfm_recency = _figure_search("client_rfm_recency")
    _search_client_rfm_frequency = _figure_search("client_rfm_frequency")
    _search_client_rfm_monetary = _figure_search("client_rfm_monetary")
    _search_client_rfm_segment = _figure_search("client_rfm_segment")
    _search_client_abc_class = _figure_search("client_abc_class")
    _search_client_is_vip = _figure_search("client_is_vip")
    _search_client_warmth = _figure_search("client_warmth")
    _search_client_persona = _figure_search("client_persona")
    _search_client_persona_suggested = _figure_search("client_persona_suggested")

    # ------------------------------------------------------------------
    # --- hooks of res.partner's write() ---------------------------------------
    def _client_segment_check_write(self, vals):
        if vals.get("client_stage") == "lost" and not (
            vals.get("client_churn_reason") or vals.get("client_churn_reason_id")
        ):
            if not all(self.mapped("client_churn_reason")):
                raise UserError(self.env._("Record why the client was lost (churn reason) first."))

    def _client_segment_before_write(self, vals):
        """The values set by hand that ``vals`` changes, as they were: ``(tracked, before)``."""
        tracked = {
            "client_stage": "stage",
            "client_is_vip": "vip",
            "client_warmth": "warmth",
            "client_persona": "persona",
        }
        tracked = {fname: dim for fname, dim in tracked.items() if fname in vals}
        before = {}
        if tracked:
            for commercial in self.commercial_partner_id:
                before[commercial] = {fname: commercial[fname] for fname in tracked}
        return tracked, before

    def _client_segment_after_write(self, vals, tracked_before):
        tracked, before = tracked_before
        if any(fname in vals for fname in MANUAL_FIELDS):
            self.invalidate_model(list(FIGURE_FIELDS) + ["client_churn_reason"])
        if tracked:
            self._log_client_manual_changes(tracked, before)
        if "client_stage" in vals:
            self._client_sync_lost(vals["client_stage"] == "lost", before)

    def _client_sync_lost(self, lost, before=None):
        """One "lost", whatever the door (the wizard, the card, the board, RPC): the stage and
        the day on the client card go together. Set to lost: the card gets the day and who
        (when the wizard did not give them). No longer lost (another stage, back to
        automatic): the card forgets the day and the win-back reminder's date, so every rule
        treats the client as worked again."""
        clients = self.commercial_partner_id
        if lost:
            clients.filtered(lambda c: not c.client_churn_date).write(
                {"client_churn_date": fields.Date.context_today(self), "client_churn_user_id": self.env.uid}
            )
            return
        was_lost = clients.filtered(
            lambda c: (before or {}).get(c, {}).get("client_stage") == "lost" or c.client_churn_date
        )
        if was_lost:
            was_lost.write({"client_churn_date": False, "client_winback_date": False})

    def _log_client_manual_changes(self, tracked, before):
        history = []
        self.invalidate_recordset(list(tracked))
        for commercial, old_values in before.items():
            commercial.invalidate_recordset(list(tracked))
            for fname, dimension in tracked.items():
                old, new = old_values[fname], commercial[fname]
                if old != new:
                    history.append(
                        {
                            "partner_id": commercial.id,
                            "company_id": self.env.company.id,
                            "dimension": dimension,
                            "old_value": str(old) if dimension == "vip" else (old or False),
                            "new_value": str(new) if dimension == "vip" else (new or False),
                        }
                    )
        if history:
            self.env["clientbase.segment.history"].sudo().create(history)

    # --- actions ------------------------------------------------------------
    def action_client_reset_segments(self):
        """Back to automatic: forget stage, VIP and warmth set by hand (the values this changes
        are logged like a value set by hand, audit/res_partner_change_log.py)."""
        log_before = self._client_change_log_before_write(dict.fromkeys(RESET_FIELDS))
        self._get_client_figures().write({"stage_manual": False, "vip_manual": False, "warmth_manual": False})
        self._client_sync_lost(False)
        self.env["clientbase.client.figures"].flush_model()
        self.invalidate_recordset()
        self._client_change_log_after_write(log_before)
        return True

    def action_recompute_client_segments(self):
        """Server action: recompute the selected clients (their figures, stage and warmth;
        rankings and user-defined segments of the whole base), or everything without selection."""
        return self.env["clientbase.client.figures"]._recompute_partners(self.commercial_partner_id)
