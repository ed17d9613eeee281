from odoo import api, fields, models

from ..protection.clientbase_security import CARD_FIELDS, USER_GROUP
from .clientbase_change_log import DOOR_KEY, LOGGED_FIELDS, raw_from_vals, to_raw

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
        """{(partner id, field): raw value} of ``self`` (read as the superuser: the log keeps
        what was there, the rules decide who reads it)."""
        partners = self.sudo().with_context(active_test=False).filtered("id")
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
        # the card's and the figures' values are read again through their tables
        self.invalidate_recordset([fname for fname in fnames if not self._fields[fname].store])
        new = self._client_change_log_values(fnames)
        rows = [
            (pid, fname, old_value, new.get((pid, fname)))
            for (pid, fname), old_value in old.items()
            if new.get((pid, fname)) != old_value
        ]
        self.env["clientbase.change.log"].sudo()._log_rows(rows)

    @api.model
    def _client_change_log_before_create(self, vals_list, card_vals_list):
        """The logged values each new partner is given (``vals_list``, and the card's values
        ``card_vals_list`` taken out of them), as the log stores them; an empty value is no change."""
        if self.env.context.get(SKIP_KEY):
            return None
        by_card = {cname: pname for pname, cname in CARD_FIELDS.items()}
        new_list = []
        for vals, card_vals in zip(vals_list, card_vals_list, strict=True):
            given = dict(vals, **{by_card[cname]: value for cname, value in card_vals.items()})
            new = {}
            for fname in self._client_change_log_fields(given):
                raw = raw_from_vals(self._fields[fname], given[fname])
                if raw not in (None, "0"):
                    new[fname] = raw
            new_list.append(new)
        return new_list

    def _client_change_log_after_create(self, new_list):
        """Log the values the new partners were given (old value: none), in one insert."""
        if not new_list:
            return
        rows = [
            (partner.id, fname, None, raw)
            for partner, new in zip(self, new_list, strict=True)
            for fname, raw in new.items()
        ]
        self.env["clientbase.change.log"].sudo()._log_rows(rows)
