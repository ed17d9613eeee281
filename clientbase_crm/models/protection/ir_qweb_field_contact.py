from markupsafe import escape

from odoo import api, models


class IrQwebFieldContact(models.AbstractModel):
    """The address block of printed documents (quotations, orders, invoices, delivery slips: the
    QWeb *contact* widget) follows the modes like every other door: a client strict mode hides from
    the user is printed as "Hidden client" without address, phone or email; in masked-contacts mode
    another manager's client's phone and email are printed masked."""

    _inherit = "ir.qweb.field.contact"

    @api.model
    def value_to_html(self, value, options):
        if not value or value._name != "res.partner":
            return super().value_to_html(value, options)
        if value._client_strict_hidden():
            return escape(self.env._("Hidden client"))
        with self.env["base"]._clientbase_masked_cache(value, ("email", "phone", "mobile")):
            return super().value_to_html(value, options)
