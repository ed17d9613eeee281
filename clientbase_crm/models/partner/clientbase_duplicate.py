from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ...tools.contact_data import phone_match_key_sql

DUPLICATE_KINDS = [("email", "Email"), ("phone", "Phone"), ("vat", "Tax ID")]


class ClientbaseDuplicate(models.Model):
    """Likely duplicates: active partners sharing a normalised email, phone or tax id.

    A read-only SQL view, one row per shared key; the merge button opens Odoo's
    own partner merge wizard on the partners of the row.
    """

    _name = "clientbase.duplicate"
    _description = "Likely Duplicate Clients"
    _auto = False
    _order = "partner_count desc, key"
    _rec_name = "key"

    kind = fields.Selection(DUPLICATE_KINDS, readonly=True)
    key = fields.Char(string="Shared Value", readonly=True)
    partner_count = fields.Integer(readonly=True)
    partner_ids = fields.Many2many("res.partner", string="Partners", compute="_compute_partner_ids")

    @property
    def _table_query(self):
        # the view reads res_partner: pending partner writes are flushed before any query on it
        partner_fields = self.env["res.partner"]._fields
        flush = SQL(
            "%s%s%s%s",
            *[
                SQL("", to_flush=partner_fields[fname])
                for fname in ("active", "email_normalized", "phone", "vat")
            ],
        )
        phone_key = phone_match_key_sql(SQL("phone"))
        return SQL(
            """%s
            SELECT ROW_NUMBER() OVER (ORDER BY kind, key) AS id, kind, key, partner_count, partner_ids
              FROM (
                    SELECT kind, key, COUNT(*) AS partner_count, ARRAY_AGG(id ORDER BY id) AS partner_ids
                      FROM (
                            SELECT id, 'email' AS kind, LOWER(TRIM(email_normalized)) AS key
                              FROM res_partner WHERE active AND email_normalized IS NOT NULL
                            UNION ALL
                            SELECT id, 'phone', %s
                              FROM res_partner
                             WHERE active AND %s IS NOT NULL
                            UNION ALL
                            SELECT id, 'vat', UPPER(REGEXP_REPLACE(vat, '[^[:alnum:]]', '', 'g'))
                              FROM res_partner WHERE active AND NULLIF(TRIM(vat), '') IS NOT NULL
                           ) keys
                     GROUP BY kind, key
                    HAVING COUNT(*) > 1
                   ) groups
            """,
            flush,
            phone_key,
            phone_key,
        )

    def _compute_partner_ids(self):
        if not self.ids:
            self.partner_ids = False
            return
        rows = dict(
            self.env.execute_query(
                SQL("SELECT id, partner_ids FROM (%s) dup WHERE id IN %s", self._table_query, tuple(self.ids))
            )
        )
        for duplicate in self:
            duplicate.partner_ids = self.env["res.partner"].browse(rows.get(duplicate.id) or [])

    def action_merge(self):
        """Open Odoo's merge wizard on the partners of this row."""
        self.ensure_one()
        partners = self.partner_ids.exists()
        if len(partners) < 2:
            raise UserError(self.env._("These partners are no longer duplicates."))
        action = self.env["ir.actions.act_window"]._for_xml_id("base.action_partner_merge")
        action["context"] = {
            "active_model": "res.partner",
            "active_ids": partners.ids,
            "active_id": partners[0].id,
        }
        return action
