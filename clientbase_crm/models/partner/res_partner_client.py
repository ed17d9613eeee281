from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv.expression import normalize_domain

from ...tools.client_definition import client_domain


class ResPartner(models.Model):
    """Whether a partner is a client (``tools/client_definition.py``), as a field the actions,
    filters and segments search on, so that every screen uses the one definition."""

    _inherit = "res.partner"

    client_is_client = fields.Boolean(
        string="Is a Client",
        compute="_compute_client_is_client",
        search="_search_client_is_client",
        help="A company or a person without a parent company, not a mailing-only contact, not an"
        " employee (the partner of an internal user) and not the company itself.",
    )

    @api.depends("is_company", "parent_id", "client_mailing_only", "partner_share")
    def _compute_client_is_client(self):
        clients = self.filtered_domain(client_domain()) if self.ids else self.browse()
        for partner in self:
            partner.client_is_client = partner in clients

    def _search_client_is_client(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                self.env._(
                    "Operation not supported: Is a Client %(operator)s %(value)s",
                    operator=operator,
                    value=value,
                )
            )
        if (operator == "=") == value:
            return client_domain()
        return ["!", *normalize_domain(client_domain())]
