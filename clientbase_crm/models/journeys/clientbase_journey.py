from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, sql
from odoo.tools.safe_eval import safe_eval

from ...tools.domain_access import unreadable_paths
from ..segmentation.clientbase_client_figures import STAGES
from ..segmentation.clientbase_segment_history import DIMENSIONS

TRIGGERS = [
    ("segment", "Enters a segment value"),
    ("user_segment", "Enters a user-defined segment"),
    ("first_order", "First order"),
    ("no_second_order", "Days after the first order without a second"),
    ("won_back", "Won back"),
    ("lost", "Marked lost"),
    ("birthday", "Birthday in N days"),
    ("consent", "Consent given"),
    ("date_field", "A date field reached"),
]
# the table whose row ids a trigger's id watermark counts (the others count dates)
EVENT_TABLES = {"consent": "clientbase_consent", "user_segment": "clientbase_segment_member"}
HISTORY_TABLE = "clientbase_segment_history"
GOALS = [("none", "None"), ("order", "Ordered since entry"), ("stage", "Moved to a stage")]


class ClientbaseJourney(models.Model):
    """A triggered campaign: clients enter on an event, walk its steps, leave on a goal or an exit.

    Enrolment and step advancement are set-based (``clientbase_journey_enrolment.py`` and
    ``clientbase_journey_run.py``); the definition itself holds no client data.
    """

    _name = "clientbase.journey"
    _description = "Client Journey"
    _order = "priority desc, sequence, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        required=True,
        default=lambda self: self.env.user,
        help="The entry conditions are evaluated with this user's access rights, never as superuser: "
        "a client this user may not read never enters. The journey's mailings are sent in this user's name.",
    )
    description = fields.Text()
    trigger = fields.Selection(TRIGGERS, required=True, default="segment")
    trigger_dimension = fields.Selection(DIMENSIONS, string="Segment")
    trigger_value = fields.Char(
        string="Segment Value",
        help="Technical value of the segment entered, e.g. inactive, true (VIP), champions.",
    )
    trigger_segment_id = fields.Many2one(
        "clientbase.segment",
        string="User-Defined Segment",
        ondelete="restrict",
        domain="[('company_id', '=', company_id)]",
        help="A client enters when the segment's refresh adds him (each real entry once: a client who "
        "left the segment and comes back enters again only as the re-entry rule allows).",
    )
    trigger_days = fields.Integer(
        string="Days", default=0, help="Days after the first order, or days before the birthday."
    )
    trigger_churn_reason_id = fields.Many2one(
        "clientbase.churn.reason",
        string="Lost For",
        help="Only clients marked lost for this reason (empty: any).",
    )
    trigger_date_field_id = fields.Many2one(
        "ir.model.fields",
        string="Date Field",
        domain=[("model", "=", "res.partner"), ("ttype", "in", ("date", "datetime"))],
        ondelete="cascade",
    )
    trigger_from_activation = fields.Boolean(
        string="Only Dates From the Day Switched On",
        default=True,
        help="Only the clients whose date is reached from the day the journey is switched on enter it "
        "(a date already past then does not). Off: switching the journey on takes at once every client "
        "whose date is already past.",
    )
    activated_on = fields.Date(
        string="Switched On",
        readonly=True,
        copy=False,
        help="The day the journey was last switched on (or its trigger changed): with only dates from "
        "that day, the dates before it do not enter.",
    )
    entry_domain = fields.Char(
        string="Entry Conditions", default="[]", help="Only clients matching these conditions enter."
    )
    exit_on_condition_lost = fields.Boolean(
        string="Exit When Conditions No Longer Hold",
        default=True,
        help="A member who no longer matches the entry conditions leaves before the next step.",
    )
    goal = fields.Selection(GOALS, default="order", required=True)
    goal_stage = fields.Selection(STAGES)
    horizon_days = fields.Integer(
        string="Conversion Horizon (Days)",
        default=30,
        help="An entrant converts when he orders within this many days of entering.",
    )
    reentry = fields.Selection(
        [("never", "Never"), ("after", "After N days")], string="Re-entry", default="never", required=True
    )
    reentry_days = fields.Integer(string="Re-entry After (Days)", default=365)
    priority = fields.Integer(
        default=10,
        help="A client in two journeys at once stays in the one of higher priority: he does not enter "
        "a journey of lower or equal priority while in another, and entering a higher one ends a lower one.",
    )
    exclusive = fields.Boolean(
        default=True,
        help="A client is in one exclusive journey at a time, the one of higher priority. A journey that "
        "is not exclusive (a birthday greeting, a reminder for the manager) runs beside the others: it "
        "neither waits for them nor ends them.",
    )
    holdout_percent = fields.Integer(
        string="Holdout (%)",
        default=10,
        help="A stable random share of the entrants kept out of every step, to measure the uplift.",
    )
    step_ids = fields.One2many("clientbase.journey.step", "journey_id", string="Steps", copy=True)
    member_ids = fields.One2many("clientbase.journey.member", "journey_id", string="Members")
    member_count = fields.Integer(compute="_compute_member_count")
    # high-water marks: events after them are new; a missed day is caught up, a rerun finds nothing
    watermark_id = fields.Integer(readonly=True, copy=False, help="Last event row taken (history, consent).")
    watermark_date = fields.Date(readonly=True, copy=False, help="Last day whose date events were taken.")
    last_run = fields.Datetime(readonly=True, copy=False)

    _sql_constraints = [
        (
            "holdout_range",
            "CHECK (holdout_percent >= 0 AND holdout_percent <= 90)",
            "The holdout is 0 to 90%.",
        ),
    ]

    @api.constrains(
        "trigger",
        "trigger_dimension",
        "trigger_value",
        "trigger_date_field_id",
        "trigger_segment_id",
        "goal",
        "goal_stage",
    )
    def _check_trigger(self):
        for journey in self:
            if journey.trigger == "segment" and not (journey.trigger_dimension and journey.trigger_value):
                raise ValidationError(
                    self.env._(
                        "Journey %(name)s: choose the segment and the value entered.", name=journey.name
                    )
                )
            if journey.trigger == "user_segment" and (
                not journey.trigger_segment_id or journey.trigger_segment_id.company_id != journey.company_id
            ):
                raise ValidationError(
                    self.env._(
                        "Journey %(name)s: choose a user-defined segment of the journey's company.",
                        name=journey.name,
                    )
                )
            if journey.trigger == "date_field" and not journey.trigger_date_field_id:
                raise ValidationError(
                    self.env._("Journey %(name)s: choose the date field.", name=journey.name)
                )
            if journey.trigger == "date_field":
                # the run reads the date of every client in one query: a field it cannot read
                # there is refused now rather than a journey that stops at night
                try:
                    self.env["res.partner"].sudo()._field_to_sql(
                        "res_partner", journey.sudo().trigger_date_field_id.name
                    )
                except ValueError as error:
                    raise ValidationError(
                        self.env._(
                            "Journey %(name)s: the date field %(field)s is not kept in the database;"
                            " choose another date field.",
                            name=journey.name,
                            field=journey.sudo().trigger_date_field_id.field_description,
                        )
                    ) from error
            if journey.goal == "stage" and not journey.goal_stage:
                raise ValidationError(
                    self.env._("Journey %(name)s: choose the stage that is the goal.", name=journey.name)
                )

    @api.constrains("entry_domain", "user_id")
    def _check_entry_domain(self):
        for journey in self:
            try:
                domain = journey._get_entry_domain()
                self.env["res.partner"].with_user(journey.user_id)._search(domain)
            except Exception as error:  # any bad domain is the user's to fix
                raise ValidationError(
                    self.env._(
                        "Journey %(name)s: the entry conditions are invalid: %(error)s",
                        name=journey.name,
                        error=error,
                    )
                ) from error
            # the conditions are evaluated with the responsible user's rights: refused now rather
            # than a journey nobody ever enters
            unreadable = unreadable_paths(self.env(user=journey.user_id, su=False), "res.partner", domain)
            if unreadable:
                raise ValidationError(
                    self.env._(
                        "Journey %(name)s: its responsible user %(user)s may not read %(fields)s, used in"
                        " the entry conditions. Choose another responsible user or other conditions.",
                        name=journey.name,
                        user=journey.user_id.name,
                        fields=", ".join(unreadable),
                    )
                )

    def _get_entry_domain(self):
        self.ensure_one()
        return safe_eval(self.entry_domain or "[]")

    @api.depends("member_ids")
    def _compute_member_count(self):
        counts = dict(
            self.env["clientbase.journey.member"]._read_group(
                [("journey_id", "in", self.ids)], ["journey_id"], ["__count"]
            )
        )
        for journey in self:
            journey.member_count = counts.get(journey, 0)

    @api.model_create_multi
    def create(self, vals_list):
        journeys = super().create(vals_list)
        journeys.filtered("active")._reset_watermarks()
        return journeys

    def write(self, vals):
        restart = self.browse()
        if vals.get("active"):
            restart = self.filtered(lambda j: not j.active)
        if "trigger" in vals:
            restart |= self.filtered(lambda j: j.trigger != vals["trigger"])
        if "trigger_segment_id" in vals:
            restart |= self.filtered(lambda j: j.trigger_segment_id.id != vals["trigger_segment_id"])
        res = super().write(vals)
        # a journey switched on takes the events from now on, not the ones it missed while off
        restart.filtered("active")._reset_watermarks()
        return res

    def _event_table(self):
        """The table whose row ids the journey's id watermark counts (history, consents or the
        memberships of user-defined segments)."""
        return EVENT_TABLES.get(self.trigger, HISTORY_TABLE)

    @api.model
    def _event_last_ids(self):
        """``{table: its last row id}`` of every event table, flushed first."""
        for model in ("clientbase.segment.history", "clientbase.consent", "clientbase.segment.member"):
            self.env[model].flush_model()
        last_ids = {}
        for table in (HISTORY_TABLE, *EVENT_TABLES.values()):
            query = SQL("SELECT COALESCE(max(id), 0) FROM %s", SQL.identifier(table))
            last_ids[table] = self.env.execute_query(query)[0][0]
        return last_ids

    def _reset_watermarks(self):
        """The journey takes the events from today on (switched on, or its trigger changed)."""
        last_ids = self._event_last_ids()
        today = fields.Date.context_today(self)
        for journey in self:
            self.env.cr.execute(
                SQL(
                    "UPDATE clientbase_journey SET watermark_id = %s, watermark_date = %s, activated_on = %s"
                    " WHERE id = %s",
                    last_ids[journey._event_table()],
                    fields.Date.subtract(today, days=1),
                    today,
                    journey.id,
                )
            )
        self.invalidate_recordset(["watermark_id", "watermark_date", "activated_on"])

    def _auto_init(self):
        # journeys of earlier versions took every date already past when switched on: they keep
        # doing so (only the new ones take the dates from the day they are switched on)
        cr = self.env.cr
        upgrading = sql.table_exists(cr, self._table) and not sql.column_exists(
            cr, self._table, "trigger_from_activation"
        )
        res = super()._auto_init()
        if upgrading:
            cr.execute(SQL("UPDATE %s SET trigger_from_activation = FALSE", SQL.identifier(self._table)))
        return res

    def action_open_members(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Members of %s", self.name),
            "res_model": "clientbase.journey.member",
            "view_mode": "list,form",
            "domain": [("journey_id", "=", self.id)],
            "context": {"default_journey_id": self.id},
        }
