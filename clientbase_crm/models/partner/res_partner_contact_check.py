import logging

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

from ...tools.contact_data import contact_is_invalid
from .res_partner_big_base import is_big_base, set_contact_check_from

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
        """A base that already holds partners gets the column empty, then filled in batches
        below (not computed record by record by the ORM): at once on a small base, by the
        deferred preparation job on a big one (res_partner_big_base.py)."""
        if not column_exists(self.env.cr, "res_partner", "client_contact_invalid"):
            create_column(self.env.cr, "res_partner", "client_contact_invalid", "boolean")
            if is_big_base(self.env.cr):
                set_contact_check_from(self.env, 0)
                _logger.info(
                    "A big base: the contact data of the existing partners is checked by the job"
                    " 'Client Base: prepare a big base' after the install, not during it"
                )
            else:
                self._client_fill_contact_invalid()
        return super()._auto_init()

    @api.model
    def _client_fill_contact_invalid(self):
        """Check every partner's stored email and numbers, in batches of ids, logging progress;
        only the invalid ones are written. Safe to run again."""
        next_id = 0
        while next_id is not None:
            next_id = self._client_fill_contact_invalid_batch(next_id)

    @api.model
    def _client_fill_contact_invalid_batch(self, from_id):
        """Check the stored email and numbers of the next ``FILL_BATCH`` partners with any, of
        ids above ``from_id``; only the invalid ones are written (safe to run again). Returns the
        last id checked, or None when none was left."""
        cr = self.env.cr
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
                from_id,
                FILL_BATCH,
            )
        )
        rows = cr.fetchall()
        if not rows:
            return None
        bad = [row[0] for row in rows if contact_is_invalid(*row[1:])]
        if bad:
            cr.execute(SQL("UPDATE res_partner SET client_contact_invalid = TRUE WHERE id = ANY(%s)", bad))
        cr.execute("SELECT MAX(id) FROM res_partner")
        _logger.info(
            "Checked the contact data of %s partners, ids up to %s of %s: %s to verify",
            len(rows),
            rows[-1][0],
            cr.fetchone()[0],
            len(bad),
        )
        return rows[-1][0]
