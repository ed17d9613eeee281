from odoo import api, models, tools

from .partner_value_resolver import resolve_partner_field
from .res_partner_strict import strict_user


class Base(models.AbstractModel):
    """Strict mode on every model: the texts a record keeps or shows of a partner (its name, its
    address, its tax id, its email: ``partner_value_resolver``, kind ``"identity"``) are not
    given to a salesperson of a strict company when the partner is a client he may not know of:
    "Hidden client" for a name, nothing for the rest. The fields are found by resolving them,
    not named."""

    _inherit = "base"

    @api.model
    @tools.ormcache()
    def _clientbase_identity_paths(self):
        """{field name: (path to the partner, is the name)} (``partner_value_resolver``)."""
        paths = {}
        for fname in self._fields:
            found = resolve_partner_field(self, fname, "identity")
            if found:
                paths[fname] = found
        return paths

    def _read_format(self, fnames, load="_classic_read"):
        values = super()._read_format(fnames, load)
        if not values or self._name == "res.partner":
            return values
        paths = self._clientbase_identity_paths()
        names = [fname for fname in fnames if fname in paths]
        if not names or not strict_user(self.env):
            return values
        hidden = self._clientbase_identity_hidden(names)
        label = self.env._("Hidden client")
        for row in values:
            for fname in names:
                if fname in row and row.get("id") in hidden[fname]:
                    row[fname] = label if paths[fname][1] else False
        return values

    def _clientbase_identity_hidden(self, names):
        """{field name: ids of the records of ``self`` whose partner behind the field the
        current (strict) user may not know of}."""
        paths = self._clientbase_identity_paths()
        records = self.browse([rid for rid in self._ids if isinstance(rid, int)]).sudo()
        records = records.with_context(active_test=False)
        result = {}
        for path in {paths[fname][0] for fname in names}:
            partner_of = {record.id: record.mapped(path)[:1].id for record in records}
            partners = self.env["res.partner"].browse({pid for pid in partner_of.values() if pid})
            hidden = set(partners._client_strict_hidden().ids)
            ids = {rid for rid, pid in partner_of.items() if pid in hidden}
            for fname in names:
                if paths[fname][0] == path:
                    result[fname] = ids
        return result
