import logging

from odoo import SUPERUSER_ID, api, fields, models

_logger = logging.getLogger(__name__)

EXPORT_DOORS = [
    ("rpc", "RPC (export_data)"),
    ("web_export", "Odoo Export (CSV/Excel)"),
    ("xlsx_report", "Client Base Excel Export"),
    ("privacy", "Personal Data Request"),
    ("vcard", "Contact Cards (vCard)"),
    ("import", "Import (matched a client the user may not see)"),
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
    outcome = fields.Selection(
        [("done", "Exported"), ("refused", "Refused")],
        default="done",
        required=True,
        readonly=True,
        index=True,
        help="Refused: the export was asked for and refused (no right, or over the quota without approval).",
    )

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

    @api.model
    def _log_refusal(self, model, record_count, field_names, door, error):
        """Log a refused export, whatever becomes of the transaction that asked for it.

        The line is written in the current transaction (kept when the caller goes on), and,
        should that transaction be rolled back (as an RPC call or a web export that raised
        is), written again once the rollback is done, in a cursor of its own.
        """
        vals = self._refusal_vals(model, record_count, field_names, door, str(error)[:250])
        self.sudo().create(vals)
        registry = self.env.registry

        def log_after_rollback():
            try:
                with registry.cursor() as cr:
                    api.Environment(cr, SUPERUSER_ID, {})[self._name].create(vals)
            except Exception:  # the refusal reached the user; its log line must not fail louder
                _logger.exception("Could not log a refused export of %s by user %s", model, vals["user_id"])

        self.env.cr.postrollback.add(log_after_rollback)

    @api.model
    def _log_refusal_here(self, model, record_count, field_names, door, note, partner=None):
        """A refused line in the current transaction only (the caller goes on)."""
        return self.sudo().create(
            dict(
                self._refusal_vals(model, record_count, field_names, door, note),
                partner_id=partner.id if partner else False,
            )
        )

    @api.model
    def _refusal_vals(self, model, record_count, field_names, door, note):
        """The values of a refused line of the current user in the current company."""
        return {
            "user_id": self.env.uid,
            "company_id": self.env.company.id,
            "model": model,
            "record_count": record_count,
            "field_names": ", ".join(field_names),
            "door": door,
            "outcome": "refused",
            "note": note,
        }

    @api.model
    def _get_exported_count(self, since):
        """Records the current user exported in the current company since ``since``."""
        rows = self.sudo()._read_group(
            [
                ("user_id", "=", self.env.uid),
                ("company_id", "=", self.env.company.id),
                ("date", ">=", since),
                ("outcome", "=", "done"),
                ("door", "!=", "privacy"),
            ],
            aggregates=["record_count:sum"],
        )
        return rows[0][0] or 0

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
