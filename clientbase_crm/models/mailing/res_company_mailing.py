from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    client_mailing_cap_count = fields.Integer(
        string="Mailing Cap: Messages",
        default=1,
        help="At most this many marketing messages per client within the cap period (0 = no cap).",
    )
    client_mailing_cap_days = fields.Integer(
        string="Mailing Cap: Period (days)",
        default=7,
        help="Length of the period of the per-client mailing frequency cap.",
    )

    @api.constrains("client_mailing_cap_count", "client_mailing_cap_days")
    def _check_client_mailing_cap(self):
        for company in self:
            if company.client_mailing_cap_count < 0 or company.client_mailing_cap_days < 0:
                raise ValidationError(self.env._("The mailing frequency cap cannot be negative."))
