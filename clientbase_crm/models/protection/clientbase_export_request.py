from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class ClientbaseExportRequest(models.Model):
    """A user's request to export more client records than the company threshold.

    The user asks, a client base manager approves, the user runs the export once.
    """

    _name = "clientbase.export.request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Client Data Export Request"
    _order = "id desc"

    name = fields.Char(string="Purpose", required=True, tracking=True)
    user_id = fields.Many2one(
        "res.users",
        string="Requested By",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.user,
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    model = fields.Char(required=True, default="res.partner")
    record_count = fields.Integer(
        string="Records", required=True, help="Maximum number of records the approved export may hold."
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("requested", "Waiting Approval"),
            ("approved", "Approved"),
            ("used", "Used"),
            ("refused", "Refused"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    approved_by_id = fields.Many2one("res.users", readonly=True)
    log_ids = fields.One2many("clientbase.export.log", "request_id", string="Exports", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        if not self._is_approver():
            for vals in vals_list:
                # a request is created by its requester, as a draft: approval is the approvers'
                if (
                    vals.get("state", "draft") != "draft"
                    or vals.get("approved_by_id")
                    or vals.get("user_id", self.env.uid) != self.env.uid
                ):
                    raise AccessError(
                        self.env._("An export request is created by its requester and approved by a manager.")
                    )
        return super().create(vals_list)

    def write(self, vals):
        if {"state", "approved_by_id", "user_id"}.intersection(vals) and not self._is_approver():
            raise AccessError(self.env._("Only client base managers can approve or refuse export requests."))
        if not self._is_approver() and any(r.state != "draft" for r in self):
            raise AccessError(self.env._("A submitted export request can no longer be changed."))
        return super().write(vals)

    @api.model
    def _get_export_approvers(self, company):
        group = self.env.ref("clientbase_crm.group_clientbase_manager")
        return group.sudo().users.filtered(lambda u: company in u.company_ids and u.active and not u.share)

    @api.model
    def _is_approver(self):
        return self.env.su or self.env.user.has_group("clientbase_crm.group_clientbase_manager")

    def action_submit(self):
        for request in self:
            if request.user_id != self.env.user and not self._is_approver():
                raise AccessError(self.env._("You can only submit your own export requests."))
            if request.record_count < 1:
                raise UserError(self.env._("Say how many records the export will hold."))
            request.sudo().state = "requested"
            approvers = self._get_export_approvers(request.company_id) - request.user_id
            activity_type = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
            for approver in approvers[:1]:
                request.sudo().activity_schedule(
                    activity_type_id=activity_type.id if activity_type else False,
                    summary=self.env._("Approve an export of client data"),
                    user_id=approver.id,
                )
            if approvers:
                request.sudo().message_notify(
                    partner_ids=approvers.partner_id.ids,
                    subject=self.env._("Export request to approve"),
                    body=self.env._(
                        "%(user)s asks to export %(count)s records: %(purpose)s",
                        user=request.user_id.name,
                        count=request.record_count,
                        purpose=request.name,
                    ),
                )

    def _check_approver(self):
        if not self._is_approver():
            raise AccessError(self.env._("Only client base managers can approve or refuse export requests."))

    def action_approve(self):
        self._check_approver()
        for request in self:
            if request.state != "requested":
                raise UserError(self.env._("Only a request waiting for approval can be approved."))
        self.write({"state": "approved", "approved_by_id": self.env.uid})
        self.activity_feedback(["mail.mail_activity_data_todo"])

    def action_refuse(self):
        self._check_approver()
        self.write({"state": "refused"})
        self.activity_unlink(["mail.mail_activity_data_todo"])

    @api.model
    def _check_export_allowed(self, model, record_count):
        """Return the approved request consumed by an export, or None if none is needed.

        The company threshold is a quota per user over a period (``client_export_period_hours``):
        the records a user exported in the period, this export included. Several small exports, or
        the groups of one grouped export, add up. Raise AccessError when the export goes over the
        quota and no approved request of the user covers it.
        """
        if self._is_approver():
            return None
        company = self.env.company
        since = fields.Datetime.now() - timedelta(hours=company.client_export_period_hours)
        exported = self.env["clientbase.export.log"]._get_exported_count(since)
        if exported + record_count <= company.client_export_threshold:
            return None
        request = self.sudo().search(
            [
                ("user_id", "=", self.env.uid),
                ("model", "=", model),
                ("state", "=", "approved"),
                ("record_count", ">=", record_count),
                ("company_id", "=", self.env.company.id),
            ],
            order="record_count, id",
            limit=1,
        )
        if not request:
            raise AccessError(
                self.env._(
                    "Exporting %(count)s more records needs a manager's approval: you exported %(done)s "
                    "in the last %(hours)s hours and the limit is %(limit)s. "
                    "Ask for it in Client base > Export Requests.",
                    count=record_count,
                    done=exported,
                    hours=company.client_export_period_hours,
                    limit=company.client_export_threshold,
                )
            )
        request.sudo().state = "used"
        return request
