from odoo import models

from .res_partner_strict import strict_user


class IrActionsReport(models.Model):
    """Strict mode in printed documents: what a report reads directly of a client the user may
    not know of (``o.partner_id.vat``, ``doc.partner_id.ref``, its email or street, in any report
    of any module) prints "Hidden client" for its names and nothing for the rest, as the address
    block does (``ir_qweb_field_contact.py``). During the printing, the partners' values are read
    again and those of hidden clients are put in cache blank (``ResPartner._fetch_query``);
    the real values are read again after."""

    _inherit = "ir.actions.report"

    def _render_qweb_html(self, report_ref, docids, data=None):
        if not strict_user(self.env):
            return super()._render_qweb_html(report_ref, docids, data)
        Partner = self.env["res.partner"]
        Partner.flush_model()
        Partner.invalidate_model(flush=False)
        try:
            return super(IrActionsReport, self.with_context(clientbase_strict_print=True))._render_qweb_html(
                report_ref, docids, data
            )
        finally:
            Partner.invalidate_model(flush=False)
