from odoo import fields, models

HISTORY_RESULTS = [
    ("queued", "Queued"),
    ("done", "Done"),
    ("skipped", "Skipped"),
    ("postponed", "Postponed"),
]


class ClientbaseJourneyHistory(models.Model):
    """What one step did for one member: the message queued (its mailing), the activity, the tag.

    Inserted set-based in the same transaction that queues the mailing and moves the member
    on, so that an interrupted run done again sends nothing twice. A row keeps what the step
    did and nothing its member already says: the journey, the client and the company are the
    member's (read through ``member_id``), so that writing a batch's rows checks one foreign
    key of a client's, not four, and updates four indexes, not seven (issue 30: the checks
    were two thirds of the insert).
    """

    _name = "clientbase.journey.history"
    _description = "Client Journey Step History"
    _order = "date desc, id desc"
    _log_access = False
    _rec_name = "step_id"

    # (no index of its own: the unique index of (member, step, result) below starts with it)
    member_id = fields.Many2one("clientbase.journey.member", required=True, ondelete="cascade")
    journey_id = fields.Many2one(related="member_id.journey_id")
    step_id = fields.Many2one("clientbase.journey.step", ondelete="set null", index=True)
    step_kind = fields.Selection(related="step_id.kind", string="Step Type")
    partner_id = fields.Many2one(related="member_id.partner_id", string="Client")
    company_id = fields.Many2one(related="member_id.company_id")
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    result = fields.Selection(HISTORY_RESULTS, required=True)
    mailing_id = fields.Many2one("mailing.mailing", ondelete="set null", index="btree_not_null")
    note = fields.Char()

    _sql_constraints = [
        # a step is done once per member (a branch back to an earlier step is not supported twice)
        ("step_once", "UNIQUE (member_id, step_id, result)", "A step is done once per member."),
    ]
