from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import safe_eval

from ..mailing.clientbase_consent import CONSENT_PURPOSES
from ..segmentation.clientbase_client_figures import PERSONAS, STAGES, VIP_MANUAL, WARMTH
from ..work.mail_activity import CLIENT_RULES

STEP_KINDS = [
    ("wait", "Wait"),
    ("email", "Send an email"),
    ("sms", "Send an SMS"),
    ("activity", "Activity for the manager"),
    ("tag", "Set a tag"),
    ("field", "Set a segment value by hand"),
    ("list_add", "Add to a mailing list"),
    ("list_remove", "Remove from a mailing list"),
    ("branch", "Branch on a condition"),
]
BRANCH_CONDITIONS = [
    ("opened", "Opened the previous message"),
    ("ordered", "Ordered since entry"),
    ("domain", "Matches conditions now"),
]
SEND_KINDS = ("email", "sms")
# the segment values a step sets as a hand override (the figures' column set by hand); lost is
# the churn wizard's, with its reason
SET_DIMENSIONS = [("stage", "Stage"), ("vip", "VIP"), ("warmth", "Warmth"), ("persona", "Persona")]
SET_VALUES = {
    "stage": [code for code, _label in STAGES if code != "lost"],
    "vip": [code for code, _label in VIP_MANUAL],
    "warmth": [code for code, _label in WARMTH],
    "persona": [code for code, _label in PERSONAS],
}


class ClientbaseJourneyStep(models.Model):
    """One step of a journey, done for every due member at once (``clientbase_journey_run.py``)."""

    _name = "clientbase.journey.step"
    _description = "Client Journey Step"
    _order = "journey_id, sequence, id"

    journey_id = fields.Many2one("clientbase.journey", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="journey_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    kind = fields.Selection(STEP_KINDS, required=True, default="email")
    wait_days = fields.Integer(string="Wait (Days)", default=1)
    window_from = fields.Float(
        string="Send From",
        default=9.0,
        help="Hour of the day (company time zone) from which messages are sent.",
    )
    window_to = fields.Float(
        string="Send Until",
        default=21.0,
        help="Hour of the day (company time zone) until which messages are sent.",
    )
    mail_template_id = fields.Many2one(
        "mail.template", string="Email Template", domain=[("model", "=", "res.partner")]
    )
    sms_template_id = fields.Many2one(
        "sms.template", string="SMS Template", domain=[("model", "=", "res.partner")]
    )
    consent_purpose = fields.Selection(CONSENT_PURPOSES, default="marketing")
    leave_if_refused = fields.Boolean(
        string="Leave When Not Allowed",
        default=True,
        help="A client who may not receive this message (no consent for its channel and purpose, "
        "blacklisted or opted out) leaves the journey, as soon as nothing but a wait stands before the "
        "message. Unticked: he goes on to the next step without it (e.g. a greeting by email, then by SMS).",
    )
    activity_type_id = fields.Many2one("mail.activity.type")
    activity_summary = fields.Char(translate=True)
    activity_days = fields.Integer(string="Due In (Days)", default=1)
    activity_rule = fields.Selection(
        CLIENT_RULES,
        string="Work Rule",
        help="The activity belongs to this rule of the client base and goes away with its reason "
        "(a win-back reminder: when the client is back).",
    )
    field_dimension = fields.Selection(SET_DIMENSIONS, string="Segment to Set")
    field_value = fields.Char(
        string="Value to Set",
        help="Technical value set by hand, as a manager would on the card: stage potential, new, one_time, "
        "active, loyal, inactive; VIP yes or no; warmth cold, warm, hot; a persona. The value set by hand "
        "wins over the computed one until the card's Back to automatic.",
    )
    tag_id = fields.Many2one("res.partner.category")
    mailing_list_id = fields.Many2one("mailing.list")
    branch_condition = fields.Selection(BRANCH_CONDITIONS)
    branch_domain = fields.Char(string="Branch Conditions", default="[]")
    else_step_id = fields.Many2one(
        "clientbase.journey.step",
        string="Otherwise Go To",
        domain="[('journey_id', '=', journey_id)]",
        help="Where a member goes when the condition does not hold; empty: he leaves the journey.",
    )
    history_count = fields.Integer(compute="_compute_history_count", string="Done")

    @api.constrains(
        "kind",
        "mail_template_id",
        "sms_template_id",
        "tag_id",
        "mailing_list_id",
        "branch_condition",
        "field_dimension",
        "field_value",
    )
    def _check_kind(self):
        required = {
            "email": ("mail_template_id", self.env._("an email template")),
            "sms": ("sms_template_id", self.env._("an SMS template")),
            "tag": ("tag_id", self.env._("a tag")),
            "field": ("field_dimension", self.env._("a segment to set")),
            "list_add": ("mailing_list_id", self.env._("a mailing list")),
            "list_remove": ("mailing_list_id", self.env._("a mailing list")),
            "branch": ("branch_condition", self.env._("a condition")),
        }
        for step in self:
            if step.kind in required and not step[required[step.kind][0]]:
                raise ValidationError(
                    self.env._("Step %(step)s needs %(what)s.", step=step.name, what=required[step.kind][1])
                )
            if step.kind == "field" and step.field_value not in SET_VALUES[step.field_dimension]:
                raise ValidationError(
                    self.env._(
                        "Step %(step)s: the value to set is one of %(values)s.",
                        step=step.name,
                        values=", ".join(SET_VALUES[step.field_dimension]),
                    )
                )

    @api.constrains("window_from", "window_to", "wait_days")
    def _check_window(self):
        for step in self:
            if not (0 <= step.window_from < step.window_to <= 24):
                raise ValidationError(
                    self.env._(
                        "Step %(step)s: the send window must be hours from 0 to 24, start before end.",
                        step=step.name,
                    )
                )
            if step.wait_days < 0:
                raise ValidationError(self.env._("Step %(step)s: a wait cannot be negative.", step=step.name))

    @api.constrains("else_step_id")
    def _check_else_step(self):
        for step in self:
            if step.else_step_id and step.else_step_id.journey_id != step.journey_id:
                raise ValidationError(self.env._("A branch goes to a step of the same journey."))

    def _get_branch_domain(self):
        self.ensure_one()
        return safe_eval(self.branch_domain or "[]")

    def _compute_history_count(self):
        counts = dict(
            self.env["clientbase.journey.history"]._read_group(
                [("step_id", "in", self.ids)], ["step_id"], ["__count"]
            )
        )
        for step in self:
            step.history_count = counts.get(step, 0)

    def action_send_to_me(self):
        """Open the dialog that renders this step for a chosen client to the user's own address."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send to Me"),
            "res_model": "clientbase.journey.test.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_step_id": self.id},
        }
