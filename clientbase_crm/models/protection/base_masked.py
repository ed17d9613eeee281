from contextlib import contextmanager

from odoo import api, models, tools
from odoo.tools import SQL

from ...tools.contact_mask import mask
from .partner_value_resolver import client_link, resolve_partner_field
from .res_partner_masked import masked_user

# the path of a free text's customer on a model whose rows belong to any document (an activity's
# ``res_model`` and ``res_id``): the document's customer
DOCUMENT = "@document"


def document_customers(env, documents):
    """``{key: partner}`` (with superuser rights; empty when none) of ``documents`` (``{key:
    (model, id)}``): the customer of each document (:func:`client_link`), or the document itself
    when it is a partner."""
    by_model = {}
    for key, (model, res_id) in documents.items():
        if model and res_id and model in env:
            by_model.setdefault(model, {}).setdefault(res_id, []).append(key)
    result = {}
    for model, keys in by_model.items():
        link = "" if model == "res.partner" else client_link(env[model])
        if link is None:
            continue
        found = env[model].sudo().with_context(active_test=False).browse(list(keys)).exists()
        for record in found:
            for key in keys[record.id]:
                result[key] = record.mapped(link)[:1] if link else record
    return result


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
        show a partner's email or phone (``partner_value_resolver``, kind ``"contact"``)."""
        paths = {}
        for fname in self._fields:
            found = resolve_partner_field(self, fname, "contact")
            if found:
                paths[fname] = found
        return paths

    @api.model
    @tools.ormcache()
    def _clientbase_copy_fields(self):
        """``((model, field name, path to the partner, kind), ...)``: every stored copy of a
        partner's email or phone that a record linked to him keeps (a lead's ``email_from``,
        ``phone_sanitized``), over the whole registry; where a value written in a text is looked
        up to learn whose it is (``res_partner_masked._client_mask_texts``)."""
        copies = []
        for model_name in sorted(self.env.registry.models):
            Model = self.env[model_name]
            if Model._abstract or Model._transient or not Model._auto or model_name == "res.partner":
                continue
            for fname, (path, kind) in Model._clientbase_masked_paths().items():
                if path and Model._fields[fname].store:
                    copies.append((model_name, fname, path, kind))
        return tuple(copies)

    @api.model
    @tools.ormcache()
    def _clientbase_free_text_fields(self):
        """``(path to the partner or "", field names)`` of the free texts of this model a user
        writes about its customer (a lead's description, a partner's notes: text and html fields
        that show no partner's value), masked whole for a client the user sees masked
        (``res_partner_masked._client_mask_texts``, ``tied``); the path is :data:`DOCUMENT` for
        rows of any document (an activity's note: its document's customer). None on models with
        no customer. Messages have their own (``mail_masked.py``)."""
        if self._name == "mail.message":
            return None
        if self._name == "res.partner":
            path = ""
        elif client_link(self):
            path = client_link(self)
        elif "res_model" in self._fields and "res_id" in self._fields:
            path = DOCUMENT
        else:
            return None
        masked = self._clientbase_masked_paths()
        names = tuple(
            fname
            for fname, field in self._fields.items()
            if field.type in ("text", "html")
            and fname not in masked
            and not field.translate
            and not field.company_dependent
        )
        return (path, names) if names else None

    def _clientbase_tied_ids(self, path):
        """The ids of the records of ``self`` whose partner at ``path`` ("" for the partner
        itself) the current user sees masked."""
        ids = [rid for rid in self._ids if isinstance(rid, int)]
        records = self.browse(ids).sudo().with_context(active_test=False)
        if path == DOCUMENT:
            documents = {record.id: (record.res_model, record.res_id) for record in records}
            partner_of = {rid: partner.id for rid, partner in document_customers(self.env, documents).items()}
        elif path:
            partner_of = {record.id: record.mapped(path)[:1].id for record in records}
        else:
            partner_of = {rid: rid for rid in ids}
        partners = self.env["res.partner"].browse({pid for pid in partner_of.values() if pid})
        masked = set(partners._client_masked().ids)
        return {rid for rid, pid in partner_of.items() if pid in masked}

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

    # --- the SQL: no search, sort or group by a masked copy --------------------------------
    def _fetch_query(self, query, fields):
        # the values put in cache are the real ones (the doors mask what they give out)
        query._clientbase_fetch = True
        return super()._fetch_query(query, fields)

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """A stored copy of a partner's email or phone (a lead's ``email_from``) reads as empty,
        wherever a query of the user uses it, on the records whose partner he sees masked, as
        the partner's own columns do (``res_partner_masked.py``)."""
        sql = super()._field_to_sql(alias, fname, query, flush)
        if query is None or self.env.su or getattr(query, "_clientbase_fetch", False):
            return sql
        found = self._clientbase_masked_paths().get(fname)
        if not found or not found[0] or not self._fields[fname].store or not masked_user(self.env):
            return sql
        condition = self._clientbase_masked_partner_sql(alias, found[0], query)
        return SQL("(CASE WHEN %s THEN NULL ELSE %s END)", condition, sql)

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        """A field that shows a partner's email or phone without being stored here (a follower's
        ``email``, a user's ``phone``: related to the partner's) is searched by Odoo through the
        partner with superuser rights: for a user in masked mode it is searched through the same
        path with his own, where the partner's columns read as empty for masked clients."""
        # (who the user is is asked only of a domain that names such a field: a search of any
        # other model costs no query more)
        related = self._clientbase_masked_related() if domain and not self.env.su else {}
        named = related and any(
            isinstance(leaf, (list, tuple)) and len(leaf) == 3 and leaf[0] in related for leaf in domain
        )
        if named and masked_user(self.env):
            domain = [
                (related[leaf[0]], *leaf[1:])
                if isinstance(leaf, (list, tuple)) and len(leaf) == 3 and leaf[0] in related
                else leaf
                for leaf in domain
            ]
        return super()._search(domain, offset=offset, limit=limit, order=order, **kwargs)

    @api.model
    @tools.ormcache()
    def _clientbase_masked_related(self):
        """{field name: related path} of the fields of this model that show a partner's email
        or phone through a related field not stored here (a follower's ``email``)."""
        return {
            fname: self._fields[fname].related
            for fname, (path, __) in self._clientbase_masked_paths().items()
            if path and not self._fields[fname].store and isinstance(self._fields[fname].related, str)
        }

    @api.model
    def _clientbase_masked_partner_sql(self, alias, path, query):
        """Condition, inside ``query``, that the partner reached from ``alias`` by the many2one
        ``path`` is one the user sees masked (the partners' hops LEFT JOINed once)."""
        model, current = self, alias
        for hop in path.split("."):
            comodel = self.env[model._fields[hop].comodel_name]
            joined = query.make_alias(current, hop)
            query.add_join(
                "LEFT JOIN",
                joined,
                comodel._table,
                SQL("%s = %s", model._field_to_sql(current, hop, query), SQL.identifier(joined, "id")),
            )
            model, current = comodel, joined
        return self.env["res.partner"]._client_masked_sql(current, query)

    def _read_format(self, fnames, load="_classic_read"):
        values = super()._read_format(fnames, load)
        if not values:
            return values
        paths = self._clientbase_masked_paths()
        names = [fname for fname in fnames if fname in paths]
        free = self._clientbase_free_text_fields()
        texts = [fname for fname in fnames if free and fname in free[1]]
        if not (names or texts) or not masked_user(self.env):
            return values
        if names:
            masked = self._clientbase_masked_ids(names)
            for row in values:
                for fname in names:
                    if fname in row and row.get("id") in masked[fname]:
                        row[fname] = mask(row[fname], paths[fname][1])
        if texts:
            tied = self._clientbase_tied_ids(free[0])
            keys = [(row, fname) for row in values for fname in texts if fname in row]
            cleaned = self.env["res.partner"]._client_mask_texts(
                [row[fname] for row, fname in keys], tied=[row.get("id") in tied for row, __ in keys]
            )
            for (row, fname), text in zip(keys, cleaned, strict=True):
                row[fname] = text
        return values

    @contextmanager
    def _clientbase_free_text_cache(self, records, names):
        """Within the block, the free texts ``names`` of ``records`` (see
        :meth:`_clientbase_free_text_fields`) are in the cache as the current user is shown
        them, for an export; read again after the block."""
        free = records._clientbase_free_text_fields()
        names = [fname for fname in names if free and fname in free[1]]
        if not names or not masked_user(records.env):
            yield
            return
        tied = records._clientbase_tied_ids(free[0])
        real = records.sudo().with_context(active_test=False)
        real.flush_recordset([fname for fname in names if records._fields[fname].store])
        keys = [(record, fname) for record in real for fname in names]
        cleaned = records.env["res.partner"]._client_mask_texts(
            [record[fname] for record, fname in keys], tied=[record.id in tied for record, __ in keys]
        )
        cache = records.env.cache
        for (record, fname), text in zip(keys, cleaned, strict=True):
            cache.set(record, records._fields[fname], text)
        try:
            yield
        finally:
            records.invalidate_recordset(names, flush=False)

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        paths = self._clientbase_masked_paths()
        names = {path[0] for path in fields if len(path) == 1 and path[0] in paths}
        free = self._clientbase_free_text_fields()
        texts = {path[0] for path in fields if len(path) == 1 and free and path[0] in free[1]}
        if not (names or texts) or not masked_user(self.env):
            return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)
        with self._clientbase_masked_cache(self, names), self._clientbase_free_text_cache(self, texts):
            return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)
