from odoo import api, models, tools

from .base_masked import MAX_RELATED_DEPTH, client_link
from .res_partner_strict import HIDDEN_NAME_FIELDS, strict_user

TEXT_TYPES = ("char", "text", "html")


def _partner_path(model, dependency):
    """The path (through many2one fields) from a row of ``model`` to the partner whose text field
    ``dependency`` (a dotted path of a compute's dependencies or of a related field) ends on,
    with that field's name: ``("partner_id", "vat")``; None when it ends on no partner's text."""
    hops = dependency.split(".")
    comodel = model
    for hop in hops[:-1]:
        field = comodel._fields.get(hop)
        if field is None or field.type != "many2one":
            return None
        comodel = model.env[field.comodel_name]
    last = comodel._fields.get(hops[-1])
    if comodel._name != "res.partner" or last is None or last.type not in TEXT_TYPES or not hops[:-1]:
        return None
    return ".".join(hops[:-1]), hops[-1]


def resolve_identity_copy(model, fname, depth=0):
    """``(path, name)`` when the text field ``fname`` of ``model`` (not a partner) shows what a
    partner's record holds: ``path`` leads to the partner, ``name`` is True when it is the
    partner's name. A field shows it when it is related to a partner's text field, computed from
    one (an invoice's ``invoice_partner_display_name`` from its customer's display name, a lead's
    email from its customer's), a copy of another such field of the same record, or an optional
    text the model computes from its customer link itself (a lead's ``partner_name``, street or
    mobile from its ``partner_id``; not a required one, such as a lead's title, which the user
    writes)."""
    field = model._fields.get(fname)
    if (
        field is None
        or model._name == "res.partner"
        or field.type not in TEXT_TYPES
        or depth > MAX_RELATED_DEPTH
    ):
        return None
    if isinstance(field.related, str):
        dependencies = [field.related]
    elif field.compute:
        dependencies = list(model.pool.field_depends.get(field, ()))
    else:
        return None
    link = client_link(model)
    copies = []
    for dependency in dependencies:
        found = _partner_path(model, dependency)
        if found:
            copies.append((found[0], found[1] in HIDDEN_NAME_FIELDS))
        elif field.type != "html" and link and dependency == link and field.store and not field.required:
            copies.append((link, False))
        elif "." not in dependency and dependency != fname:
            found = resolve_identity_copy(model, dependency, depth + 1)
            if found:
                copies.append(found)
    # a copy of the partner's name first (shown as "Hidden client")
    return max(copies, key=lambda copy: copy[1]) if copies else None


class Base(models.AbstractModel):
    """Strict mode on every model: the texts a record keeps or shows of a partner (its name, its
    address, its tax id, its email: :func:`resolve_identity_copy`) are not given to a salesperson
    of a strict company when the partner is a client he may not know of: "Hidden client" for a
    name, nothing for the rest. The fields are found by resolving them, not named."""

    _inherit = "base"

    @api.model
    @tools.ormcache()
    def _clientbase_identity_paths(self):
        """{field name: (path to the partner, is the name)} (:func:`resolve_identity_copy`)."""
        paths = {}
        for fname in self._fields:
            found = resolve_identity_copy(self, fname)
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
