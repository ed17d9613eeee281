import logging

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

from ...tools.contact_data import contact_is_invalid

_logger = logging.getLogger(__name__)
FILL_BATCH = 50_000


class ResPartner(models.Model):
    """Whether a client's email or phone numbers fail the checks of ``contact_data``, whatever
    door wrote them (card, RPC, import of another module, data from before the addon): such
    clients go to the manager's "verify data" queue (``_cron_client_data_freshness``)."""

    _inherit = "res.partner"

    client_contact_invalid = fields.Boolean(
        string="Contact Data to Check",
        compute="_compute_client_contact_invalid",
        store=True,
        help="The email is not a valid address, or a phone number is not a valid number for the "
        "client's country (else the company's).",
    )

    @api.depends("email", "phone", "mobile", "country_id")
    def _compute_client_contact_invalid(self):
        company_code = self.env.company.country_id.code
        for partner in self:
            code = partner.country_id.code or partner.company_id.country_id.code or company_code
            partner.client_contact_invalid = contact_is_invalid(
                partner.email, partner.phone, partner.mobile, code
            )

    def _auto_init(self):
        """A base that already holds a million partners gets the column empty, then filled in
        batches below (not computed record by record by the ORM)."""
        if not column_exists(self.env.cr, "res_partner", "client_contact_invalid"):
            create_column(self.env.cr, "res_partner", "client_contact_invalid", "boolean")
            self._client_fill_contact_invalid()
        return super()._auto_init()

    @api.model
    def _client_fill_contact_invalid(self):
        """Check every partner's stored email and numbers, in batches of ids, logging progress;
        only the invalid ones are written. Safe to run again."""
        cr = self.env.cr
        cr.execute(
            "SELECT COUNT(*) FROM res_partner WHERE email IS NOT NULL OR phone IS NOT NULL OR mobile IS NOT NULL"
        )
        total, done, invalid, last_id = cr.fetchone()[0], 0, 0, 0
        while True:
            cr.execute(
                SQL(
                    """
                SELECT p.id, p.email, p.phone, p.mobile,
                       COALESCE(pc.code, cc.code, (SELECT c.code FROM res_company co
                                                     JOIN res_partner cp ON cp.id = co.partner_id
                                                     JOIN res_country c ON c.id = cp.country_id
                                                    ORDER BY co.id LIMIT 1))
                  FROM res_partner p
                  LEFT JOIN res_country pc ON pc.id = p.country_id
                  LEFT JOIN res_company co ON co.id = p.company_id
                  LEFT JOIN res_partner cp ON cp.id = co.partner_id
                  LEFT JOIN res_country cc ON cc.id = cp.country_id
                 WHERE p.id > %s AND (p.email IS NOT NULL OR p.phone IS NOT NULL OR p.mobile IS NOT NULL)
                 ORDER BY p.id
                 LIMIT %s""",
                    last_id,
                    FILL_BATCH,
                )
            )
            rows = cr.fetchall()
            if not rows:
                break
            bad = [row[0] for row in rows if contact_is_invalid(*row[1:])]
            if bad:
                cr.execute(
                    SQL("UPDATE res_partner SET client_contact_invalid = TRUE WHERE id = ANY(%s)", bad)
                )
            done, invalid, last_id = done + len(rows), invalid + len(bad), rows[-1][0]
            _logger.info("Checked the contact data of %s/%s partners: %s to verify", done, total, invalid)
