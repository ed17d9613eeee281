from odoo import api, fields, models

EXPORT_DOORS = [
    ("rpc", "RPC (export_data)"),
    ("web_export", "Odoo Export (CSV/Excel)"),
    ("xlsx_report", "Client Base Excel Export"),
    ("privacy", "Personal Data Request"),
]


class ClientbaseExportLog(models.Model):
    """One line per export of client data: who, when, what, how many, through which door.

    Lines are written with sudo by the export code paths only; nobody edits them.
    """

    _name = "clientbase.export.log"
    _inherit = ["mail.thread"]
    _description = "Client Data Export Log"
    _order = "date desc, id desc"
    _rec_name = "model"

    user_id = fields.Many2one("res.users", required=True, index=True, readonly=True)
    date = fields.Datetime(default=fields.Datetime.now, required=True, index=True, readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda self: self.env.company
    )
    model = fields.Char(required=True, readonly=True)
    record_count = fields.Integer(string="Records", readonly=True)
    field_names = fields.Text(string="Fields", readonly=True)
    door = fields.Selection(EXPORT_DOORS, required=True, readonly=True)
    is_unusual = fields.Boolean(
        string="Unusual", readonly=True, help="More records than the company's approval threshold."
    )
    request_id = fields.Many2one(
        "clientbase.export.request", string="Approved Request", readonly=True, ondelete="set null"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        readonly=True,
        ondelete="set null",
        help="For personal data requests and forgetting: the client concerned.",
    )
    note = fields.Char(readonly=True)

    @api.model
    def _log_export(self, model, record_count, field_names, door, request=None, partner=None, note=None):
        """Write a log line (sudo) and warn managers when the export is unusual."""
        company = self.env.company
        unusual = record_count > company.client_export_threshold
        log = self.sudo().create(
            {
                "user_id": self.env.uid,
                "company_id": company.id,
                "model": model,
                "record_count": record_count,
                "field_names": ", ".join(field_names),
                "door": door,
                "is_unusual": unusual,
                "request_id": request.id if request else False,
                "partner_id": partner.id if partner else False,
                "note": note,
            }
        )
        if unusual:
            log._notify_managers()
        return log

    def _notify_managers(self):
        managers = self.env["clientbase.export.request"]._get_export_approvers(self.company_id)
        if not managers:
            return
        for log in self:
            log.message_notify(
                partner_ids=managers.partner_id.ids,
                subject=self.env._("Unusual export of client data"),
                body=self.env._(
                    "%(user)s exported %(count)s records of %(model)s (%(door)s).",
                    user=log.user_id.name,
                    count=log.record_count,
                    model=log.model,
                    door=dict(log._fields["door"]._description_selection(log.env))[log.door],
                ),
            )
