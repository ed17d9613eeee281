from odoo import fields, models
from odoo.exceptions import UserError

MEMBER_STATES = [
    ("running", "In Progress"),
    ("holdout", "Held Out"),
    ("done", "Completed"),
    ("exited", "Exited"),
]
EXIT_REASONS = [
    ("goal", "Goal reached"),
    ("condition", "Conditions no longer hold"),
    ("left_segment", "Left the segment"),
    ("no_consent", "Consent withdrawn"),
    ("blacklisted", "Blacklisted or opted out"),
    ("lost", "Marked lost"),
    ("priority", "Entered a journey of higher priority"),
    ("branch", "Left at a branch"),
    ("manual", "By hand"),
]


class ClientbaseJourneyMember(models.Model):
    """One client in one journey, entered on one event (unique: an event is taken once).

    Written set-based by the nightly run; the client's manager may pause or end it by hand.
    """

    _name = "clientbase.journey.member"
    _description = "Client Journey Member"
    _order = "entered_on desc, id desc"
    _rec_name = "partner_id"

    journey_id = fields.Many2one("clientbase.journey", required=True, ondelete="cascade", index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", required=True)
    event_key = fields.Char(required=True, readonly=True, help="The entry event (taken once).")
    state = fields.Selection(MEMBER_STATES, required=True, default="running", readonly=True)
    step_id = fields.Many2one(
        "clientbase.journey.step", string="Next Step", ondelete="set null", readonly=True
    )
    next_run = fields.Datetime(readonly=True, index=True)
    holdout = fields.Boolean(readonly=True)
    entered_on = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    exited_on = fields.Datetime(readonly=True)
    exit_reason = fields.Selection(EXIT_REASONS, readonly=True)
    paused = fields.Boolean(help="A paused member does no step until resumed.")
    history_ids = fields.One2many("clientbase.journey.history", "member_id", string="Steps Done")
    # what the client got, for his card: read through the history's rules (his manager's)
    sent_count = fields.Integer(string="Messages Sent", compute="_compute_sent")
    last_sent_on = fields.Datetime(compute="_compute_sent")

    _sql_constraints = [
        (
            "event_unique",
            "UNIQUE (journey_id, partner_id, event_key)",
            "A client enters a journey once per event.",
        ),
    ]

    def _compute_sent(self):
        """The messages queued for the member (email and SMS steps), and the last one's date."""
        rows = self.env["clientbase.journey.history"]._read_group(
            [("member_id", "in", self.ids), ("result", "=", "queued")],
            ["member_id"],
            ["__count", "date:max"],
        )
        sent = {member: (count, last) for member, count, last in rows}
        for member in self:
            member.sent_count, member.last_sent_on = sent.get(member, (0, False))

    def write(self, vals):
        # a salesperson pauses or resumes his clients' journeys; the rest is the run's or a manager's
        if not self.env.su and not self.env.user.has_group("clientbase_crm.group_clientbase_manager"):
            if set(vals) - {"paused"}:
                raise UserError(self.env._("You may only pause or resume a client's journey."))
        return super().write(vals)

    def action_pause(self):
        self.filtered(lambda m: m.state == "running").write({"paused": True})

    def action_resume(self):
        self.write({"paused": False})

    def action_exit(self):
        running = self.filtered(lambda m: m.state in ("running", "holdout"))
        if not running:
            raise UserError(self.env._("These clients are no longer in the journey."))
        running.check_access("write")
        running.sudo().write(
            {"state": "exited", "exit_reason": "manual", "exited_on": fields.Datetime.now(), "step_id": False}
        )
