from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

# the documents a company must keep with the buyer's identity (posted invoices, refunds, receipts)
RETAINED_MOVE_TYPES = ("out_invoice", "out_refund", "out_receipt", "in_invoice", "in_refund", "in_receipt")


class AccountMove(models.Model):
    """The statutory retention of posted invoices when a client is forgotten.

    A posted invoice still in its company's retention period (``client_invoice_retention_years``,
    counted from the invoice date) keeps the buyer's legal identity and address as they were when
    the client was forgotten: its name, address and tax id, in ``client_retained_buyer``, and the
    buyer's name it shows. When the period ends a daily job erases them; the invoice then shows the
    anonymous client, like every other record of it. Invoices past the period lose the identity
    at once.
    """

    _inherit = "account.move"

    client_retained_buyer = fields.Text(
        string="Retained Buyer Identity",
        readonly=True,
        copy=False,
        help="The client was forgotten: the buyer's legal identity and address are kept on this posted "
        "invoice for the company's statutory retention period only.",
    )
    client_retained_until = fields.Date(string="Retained Until", readonly=True, copy=False)

    @api.model
    def _client_retain_buyers(self, partners):
        """Before ``partners`` are forgotten: keep the buyer's identity on their posted invoices
        still within the retention period. Returns those invoices."""
        moves = self.sudo().search(
            [
                ("commercial_partner_id", "in", partners.commercial_partner_id.ids),
                ("state", "=", "posted"),
                ("move_type", "in", RETAINED_MOVE_TYPES),
            ]
        )
        today = fields.Date.context_today(self)
        retained = self.browse()
        for move in moves:
            years = move.company_id.client_invoice_retention_years
            until = (move.invoice_date or move.date) + relativedelta(years=years)
            if years <= 0 or until < today:
                continue
            buyer = move.commercial_partner_id
            identity = [buyer.name, buyer._display_address(without_company=True)]
            if buyer.vat:
                identity.append(self.env._("Tax ID: %s", buyer.vat))
            move.write(
                {
                    "client_retained_buyer": "\n".join(part for part in identity if part),
                    "client_retained_until": until,
                }
            )
            retained |= move
        return retained

    def _client_restore_retained_names(self):
        """After the forget: the retained invoices show the buyer's retained name again."""
        self.flush_recordset()
        for move in self.sudo():
            self.env.cr.execute(
                SQL(
                    "UPDATE account_move SET invoice_partner_display_name = %s WHERE id = %s",
                    move.client_retained_buyer.split("\n", 1)[0],
                    move.id,
                )
            )
        self.invalidate_recordset(["invoice_partner_display_name"])

    @api.model
    def _cron_client_retention_expired(self):
        """Erase the retained buyers whose retention period is over (idempotent)."""
        moves = self.sudo().search(
            [
                ("client_retained_buyer", "!=", False),
                ("client_retained_until", "<", fields.Date.context_today(self)),
            ]
        )
        moves.write({"client_retained_buyer": False, "client_retained_until": False})
        moves._compute_invoice_partner_display_info()
        moves.flush_recordset()
        return len(moves)
