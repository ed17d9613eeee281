"""Which field of a model shows a value of a partner's record, and through which path.

The masked-contacts mode (``base_masked.py``: a partner's email and phone) and strict mode
(``base_strict.py``: any text a partner's record holds) both ask it of every field of every
model, so that a new module's field is protected without being named. One resolver answers both,
:func:`resolve_partner_field`, with the kind of value asked:

* ``"contact"``: ``(path, mask kind)`` when the field shows a partner's email or phone
  (``MASKED_CONTACT_FIELDS``): the partner's own, a field related to one of them, or a copy of
  one kept on a record linked to the partner (a lead's email and phones);
* ``"identity"``: ``(path, is the name)`` when the text field shows what a partner's record
  holds (an invoice's ``invoice_partner_display_name``, a lead's ``partner_name``).

Copies a model writes in code, which no resolving finds, are named in ``WRITTEN_COPIES`` (a
payment's ``partner_email``); the resolver answers for them from there.

``path`` leads (through many2one fields) from a row to the partner, empty for the partner
itself. Both walk the same way: a field's sources (its related path, or its compute's
dependencies, :func:`value_sources`) are dotted paths whose hops but the last are many2one
fields (:func:`walk`).
"""

from .clientbase_security import MASKED_CONTACT_FIELDS, WRITTEN_COPIES
from .res_partner_strict import HIDDEN_NAME_FIELDS

# how deep a related field may point through other related fields
MAX_RELATED_DEPTH = 6
TEXT_TYPES = ("char", "text", "html")
KINDS = ("contact", "identity")


def walk(model, dotted):
    """``(hops, comodel, last)`` of the dotted path ``dotted`` from ``model``: the many2one
    ``hops`` before the last name, the model they lead to and the field ``last`` of it there
    (None when it has none); None when a hop before the last is missing or no many2one."""
    hops = dotted.split(".")
    comodel = model
    for hop in hops[:-1]:
        field = comodel._fields.get(hop)
        if field is None or field.type != "many2one":
            return None
        comodel = model.env[field.comodel_name]
    return hops[:-1], comodel, comodel._fields.get(hops[-1])


def join_path(hops, rest=""):
    """The dotted path of the many2one ``hops`` followed by the path ``rest``."""
    return ".".join(hops + ([rest] if rest else []))


def value_sources(model, field):
    """The dotted paths the value of ``field`` is taken from: its related path, or its
    compute's dependencies; None for a value of its own (typed, or written by code)."""
    if isinstance(field.related, str):
        return [field.related]
    if field.compute:
        return list(model.pool.field_depends.get(field, ()))
    return None


def client_link(model):
    """The many2one to partners a record of ``model`` takes its customer from, as Odoo's mails
    do (``_mail_get_partner_fields``: a lead's, an order's ``partner_id``), or as the copies it
    writes say (``WRITTEN_COPIES``: a payment's ``partner_id``), or None."""
    if model._name in WRITTEN_COPIES:
        return WRITTEN_COPIES[model._name][0]
    getter = getattr(model, "_mail_get_partner_fields", None)
    for fname in getter() if getter else ():
        field = model._fields.get(fname)
        if (
            field is not None
            and field.type == "many2one"
            and field.comodel_name == "res.partner"
            and field.store
        ):
            return fname
    return None


def declared_contacts(model):
    """{field name: kind} of the fields ``model`` declares as its own email and numbers to Odoo's
    mail and SMS mixins (``_primary_email``, ``_phone_get_number_fields``)."""
    declared = {
        fname: kind
        for fname, kind in WRITTEN_COPIES.get(model._name, (None, {}))[1].items()
        if kind in ("email", "phone")
    }
    getter = getattr(model, "_phone_get_number_fields", None)
    for fname in getter() if getter else ():
        declared[fname] = "phone"
    getter = getattr(model, "_mail_get_primary_email_field", None)
    fname = getter() if getter else None
    if fname:
        declared[fname] = "email"
    return declared


def resolve_partner_field(model, fname, kind, depth=0):
    """Whether the field ``fname`` of ``model`` shows a partner's value of ``kind`` (see the
    module's description), and through which path: the answer of that kind, or None."""
    field = model._fields.get(fname)
    if field is None or depth > MAX_RELATED_DEPTH:
        return None
    if kind == "contact":
        return _resolve_contact(model, field, depth)
    if kind == "identity":
        return _resolve_identity(model, field, depth)
    raise ValueError(kind)


def _resolve_contact(model, field, depth):
    """``(path, mask kind)``: the partner's own email or phone field, a field related to one of
    them, or a copy of one (:func:`_resolve_contact_copy`)."""
    if model._name == "res.partner":
        return ("", MASKED_CONTACT_FIELDS[field.name]) if field.name in MASKED_CONTACT_FIELDS else None
    if not isinstance(field.related, str):
        return _resolve_contact_copy(model, field, depth)
    hops, comodel, __ = walk(model, field.related) or (None, None, None)
    if comodel is None:
        return None
    found = resolve_partner_field(comodel, field.related.split(".")[-1], "contact", depth + 1)
    if found is None:
        return None
    rest, mask_kind = found
    return join_path(hops, rest), mask_kind


def _resolve_contact_copy(model, field, depth):
    """``(path, mask kind)`` when ``field`` (not related) keeps a copy of the email or phone of
    the partner at ``path``: a field the model declares as its email or number
    (:func:`declared_contacts`) on a model linked to its customer (:func:`client_link`), or a
    field computed only from such values (every text it depends on resolves to the same partner
    and kind: a lead's normalised email, its sanitised number, an order's copy of its customer's
    email)."""
    if field.type not in ("char", "text"):
        return None
    declared = declared_contacts(model).get(field.name)
    if declared:
        link = client_link(model)
        return (link, declared) if link else None
    if not field.compute:
        return None
    found = set()
    for dependency in value_sources(model, field):
        walked = walk(model, dependency)
        if walked is None:
            return None
        hops, comodel, last = walked
        if last is None or last.type not in TEXT_TYPES or last is field:
            continue
        source = resolve_partner_field(comodel, last.name, "contact", depth + 1)
        if source is None:
            return None
        rest, mask_kind = source
        found.add((join_path(hops, rest), mask_kind))
    return found.pop() if len(found) == 1 else None


def _partner_text(model, dependency):
    """``(path, field name)``: the partner's text field a dotted ``dependency`` of ``model``
    ends on (``("partner_id", "vat")``), through at least one many2one; None otherwise."""
    walked = walk(model, dependency)
    if walked is None:
        return None
    hops, comodel, last = walked
    if comodel._name != "res.partner" or last is None or last.type not in TEXT_TYPES or not hops:
        return None
    return join_path(hops), last.name


def _resolve_identity(model, field, depth):
    """``(path, is the name)`` when the text field (not a partner's) shows what a partner's
    record holds: related to a partner's text field, computed from one (an invoice's
    ``invoice_partner_display_name`` from its customer's display name, a lead's email from its
    customer's), a copy of another such field of the same record, or an optional text the model
    computes from its customer link itself (a lead's ``partner_name``, street or mobile from its
    ``partner_id``; not a required one, such as a lead's title, which the user writes). A copy
    of the partner's name wins (shown as "Hidden client")."""
    if model._name == "res.partner" or field.type not in TEXT_TYPES:
        return None
    link, written = WRITTEN_COPIES.get(model._name, (None, {}))
    if field.name in written:
        return link, written[field.name] == "name"
    dependencies = value_sources(model, field)
    if dependencies is None:
        return None
    link = client_link(model)
    copies = []
    for dependency in dependencies:
        found = _partner_text(model, dependency)
        if found:
            copies.append((found[0], found[1] in HIDDEN_NAME_FIELDS))
        elif field.type != "html" and link and dependency == link and field.store and not field.required:
            copies.append((link, False))
        elif "." not in dependency and dependency != field.name:
            found = resolve_partner_field(model, dependency, "identity", depth + 1)
            if found:
                copies.append(found)
    return max(copies, key=lambda copy: copy[1]) if copies else None
