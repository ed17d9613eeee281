"""Which fields of a domain a user may not read.

A domain saved by a user and evaluated later by code (a segment refreshed every night) must
not filter on what its author may not read: its result (who is in, how many) would answer
questions about that data. :func:`unreadable_paths` walks every condition's path, the
sub-domains of ``any`` / ``not any`` and the paths behind related fields, and names each
field whose model the user may not read or whose groups the user is not in.
"""

from odoo.osv import expression

RELATED_DEPTH = 5  # related fields of related fields: deep enough for Odoo's, bounded anyway


def _walk(env, model_name, path, found, depth):
    Model = env[model_name]
    parts = path.split(".")
    for index, part in enumerate(parts):
        if not Model.has_access("read"):
            found.append(Model._name)
            return None
        field = Model._fields.get(part)
        if field is None:
            return None  # not a field: the ORM refuses the domain itself
        if not field.is_accessible(env):
            found.append(f"{Model._name}.{part}")
            return None
        if field.related and depth < RELATED_DEPTH:
            _walk(env, Model._name, field.related, found, depth + 1)
        if not field.relational:
            return None if index < len(parts) - 1 else Model
        Model = env[field.comodel_name]
    if not Model.has_access("read"):
        # the path ends on records the user may not read: whether there are any is their data
        found.append(Model._name)
        return None
    return Model


def unreadable_paths(env, model_name, domain, depth=0):
    """``model.field`` names (or model names) of ``domain`` on ``model_name`` that the user of
    ``env`` may not read; empty when the user may read every field the domain filters on."""
    found = []
    for leaf in expression.normalize_domain(domain):
        if not isinstance(leaf, (list, tuple)) or len(leaf) != 3 or not isinstance(leaf[0], str):
            continue
        path, operator, value = leaf
        target = _walk(env, model_name, path, found, depth)
        if target is not None and operator in ("any", "not any") and isinstance(value, list):
            if not target.has_access("read"):
                found.append(target._name)
            else:
                found.extend(unreadable_paths(env, target._name, value, depth + 1))
    return sorted(set(found))
