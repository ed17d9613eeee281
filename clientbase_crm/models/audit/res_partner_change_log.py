from odoo import api, fields, models

from ..protection.clientbase_security import USER_GROUP
from .clientbase_change_log import DOOR_KEY, LOGGED_FIELDS, to_raw

# context key of a write whose changes are not logged: a consequence of a logged change
# (the contacts following their company's manager), or the log's own bookkeeping
SKIP_KEY = "clientbase_change_log_skip"


class ResPartner(models.Model):
    """The partner's side of the change log: the hooks of its one ``write``/``create``
    (``models/partner/res_partner.py``) and the card's *History* tab."""

    _inherit = "res.partner"

    client_change_log_ids = fields.One2many(
        "clientbase.change.log", "partner_id", string="History", readonly=True, groups=USER_GROUP
    )

    def web_save(self, vals, specification, next_id=None):
        """The web client saves a form with ``web_save``: its changes come by the door "form";
        a bare ``write`` over RPC by the door "rpc"."""
        if DOOR_KEY not in self.env.context:
            self = self.with_context(**{DOOR_KEY: "form"})
        return super().web_save(vals, specification, next_id=next_id)

    # --- hooks of res.partner's create() and write() ---------------------------------
    @api.model
    def _client_change_log_fields(self, vals):
        return [fname for fname in LOGGED_FIELDS if fname in vals and fname in self._fields]

    def _client_change_log_values(self, fnames):
        """{(partner id, field): raw value} of ``self`` as the database holds them (read as
        the superuser: the log keeps what was there, the rules decide who reads it)."""
        partners = self.sudo().with_context(active_test=False).filtered("id")
        partners.invalidate_recordset(fnames)
        values = {}
        for fname in fnames:
            field = partners._fields[fname]
            for partner in partners:
                values[partner.id, fname] = to_raw(field, partner[fname])
        return values

    def _client_change_log_before_write(self, vals):
        """The logged fields ``vals`` changes, with their values before the write."""
        if self.env.context.get(SKIP_KEY):
            return None
        fnames = self._client_change_log_fields(vals)
        if not fnames or not self.ids:
            return None
        return fnames, self._client_change_log_values(fnames)

    def _client_change_log_after_write(self, before):
        """Log the values that changed, one multi-row insert for the whole write."""
        if not before:
            return
        fnames, old = before
        new = self._client_change_log_values(fnames)
        rows = [
            (pid, fname, old_value, new.get((pid, fname)))
            for (pid, fname), old_value in old.items()
            if new.get((pid, fname)) != old_value
        ]
        self.env["clientbase.change.log"].sudo()._log_rows(rows)

    @api.model
    def _client_change_log_before_create(self, vals_list):
        """The logged fields each new partner is given (a card value is taken out of the
        values before the partner is created: they are noted first)."""
        if self.env.context.get(SKIP_KEY):
            return None
        return [self._client_change_log_fields(vals) for vals in vals_list]

    def _client_change_log_after_create(self, fnames_list):
        """Log the values the new partners were given (old value: none)."""
        if not fnames_list:
            return
        fnames = sorted({fname for names in fnames_list for fname in names})
        if not fnames:
            return
        new = self._client_change_log_values(fnames)
        empty = {fname: to_raw(self._fields[fname], self.browse()[fname]) for fname in fnames}
        rows = [
            (partner.id, fname, None, new[partner.id, fname])
            for partner, names in zip(self, fnames_list, strict=True)
            for fname in names
            if new[partner.id, fname] not in (None, empty[fname])
        ]
        self.env["clientbase.change.log"].sudo()._log_rows(rows)
