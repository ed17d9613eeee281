from odoo import http
from odoo.addons.web.controllers.vcard import Partner
from odoo.http import request


class ClientbasePartnerVcard(Partner):
    """*Download (vCard)* is an export of names, addresses, emails and phones: for clients it
    goes through the export guard (right, quota, log) before Odoo builds the cards."""

    @http.route()
    def download_vcard(self, partner_ids=None, partner=None, **kwargs):
        partners = request.env["res.partner"]
        if partner_ids:
            # the ids as Odoo's route reads them
            partners = partners.browse([int(pid) for pid in str(partner_ids).split(",") if pid.isdigit()])
        if partner:
            partners |= partners.browse(partner.ids)
        partners._clientbase_guard_vcard()
        return super().download_vcard(partner_ids=partner_ids, partner=partner, **kwargs)
