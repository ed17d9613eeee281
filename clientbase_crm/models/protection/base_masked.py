from contextlib import contextmanager

from odoo import api, models, tools

from ...tools.contact_mask import mask
from .clientbase_security import MASKED_CONTACT_FIELDS
from .res_partner_masked import masked_user

# how deep a related field may point through other related fields
MAX_RELATED_DEPTH = 6


def _resolve_masked(model, fname, depth=0):
    """``(path, kind)`` when the field ``fname`` of ``model`` shows a partner's email or phone:
    ``path`` leads (through many2one fields) from a row to that partner, empty for the partner
    itself; ``kind`` is the mask. None for any other field."""
    field = model._fields.get(fname)
    if field is None or depth > MAX_RELATED_DEPTH:
        return None
    if model._name == "res.partner" and fname in MASKED_CONTACT_FIELDS:
        return "", MASKED_CONTACT_FIELDS[fname]
    if not isinstance(field.related, str):
        return None
    hops = field.related.split(".")
    comodel = model
    for hop in hops[:-1]:
        hop_field = comodel._fields.get(hop)
        if hop_field is None or hop_field.type != "many2one":
            return None
        comodel = model.env[hop_field.comodel_name]
    found = _resolve_masked(comodel, hops[-1], depth + 1)
    if found is None:
        return None
    rest, kind = found
    return ".".join(hops[:-1] + ([rest] if rest else [])), kind


class Base(models.AbstractModel):
    """Masked-contacts mode on every model (``res_partner_masked.py``): the values of the fields
    that show a partner's email or phone are masked in what reads and exports give a user who
    sees that partner masked. The fields are found by resolving them (the partner's own, and every
    related or inherited field that ends on one of them: a follower's email, a user's phone), so
    that a new module's related field is masked without being named."""

    _inherit = "base"

    @api.model
    @tools.ormcache()
    def _clientbase_masked_paths(self):
        """{field name: (path to the partner, kind of mask)} of the fields of this model that
        show a partner's email or phone (see :func:`_resolve_masked`)."""
        paths = {}
        for fname in self._fields:
            found = _resolve_masked(self, fname)
            if found:
                paths[fname] = found
        return paths

    def _clientbase_masked_ids(self, names):
        """{field name: ids of the records of ``self`` whose value of the field the current user
        sees masked}, for the ``names`` among :meth:`_clientbase_masked_paths`."""
        paths = self._clientbase_masked_paths()
        ids = [rid for rid in self._ids if isinstance(rid, int)]
        result = {}
        by_path = {}
        for fname in names:
            by_path.setdefault(paths[fname][0], []).append(fname)
        records = self.browse(ids).sudo().with_context(active_test=False)
        for path, fnames in by_path.items():
            if path:
                partner_of = {record.id: record.mapped(path)[:1].id for record in records}
            else:
                partner_of = {rid: rid for rid in ids}
            partners = self.env["res.partner"].browse({pid for pid in partner_of.values() if pid})
            masked = set(partners._client_masked().ids)
            hidden = {rid for rid, pid in partner_of.items() if pid in masked}
            for fname in fnames:
                result[fname] = hidden
        return result

    @contextmanager
    def _clientbase_masked_cache(self, records, names):
        """Within the block, the values of ``names`` of ``records`` are their masked forms in the
        cache wherever the current user sees them masked, for code that reads the records
        directly (an export, a contact card, a template being rendered); the real values are
        read again after the block."""
        paths = records._clientbase_masked_paths()
        names = [fname for fname in names if fname in paths]
        masked = records._clientbase_masked_ids(names) if names and masked_user(records.env) else {}
        touched = records.browse(sorted(set().union(*masked.values()))) if masked else records.browse()
        if not touched:
            yield
            return
        touched.flush_recordset([fname for fname in names if records._fields[fname].store])
        cache = records.env.cache
        for fname in names:
            field = records._fields[fname]
            for record in records.browse(sorted(masked[fname])):
                cache.set(record, field, mask(record.sudo()[fname], paths[fname][1]))
        try:
            yield
        finally:
            touched.invalidate_recordset(names, flush=False)

    def _read_format(self, fnames, load="_classic_read"):
        values = super()._read_format(fnames, load)
        paths = self._clientbase_masked_paths()
        names = [fname for fname in fnames if fname in paths]
        if not names or not values or not masked_user(self.env):
            return values
        masked = self._clientbase_masked_ids(names)
        for row in values:
            for fname in names:
                if fname in row and row.get("id") in masked[fname]:
                    row[fname] = mask(row[fname], paths[fname][1])
        return values

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        paths = self._clientbase_masked_paths()
        names = {path[0] for path in fields if len(path) == 1 and path[0] in paths}
        if not names or not masked_user(self.env):
            return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)
        with self._clientbase_masked_cache(self, names):
            return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)
