"""Creating many records of a model at once, set-based (the import of a client file).

``create`` costs about a millisecond per partner (defaults, precomputations, cache, then the
recomputation of every stored computed field, record by record in Python); an import of
100,000 rows spends minutes there. :func:`bulk_insert` writes the rows with multi-row
``INSERT`` statements, then hands the stored computed fields it was not given to the ORM's own
batched recomputation and checks the model's constraints: the records are what ``create``
would have stored. What ``create`` *overrides* do beyond values (followers, chatter, ...) is the
caller's business: the import disables them anyway (``tracking_disable``,
``mail_create_nolog``, ``mail_create_nosubscribe``).
"""

from psycopg2.extras import execute_values

PAGE = 1000  # rows per INSERT statement


def bulk_insert(model, vals_list, self_referencing=()):
    """Insert ``vals_list`` (stored values of ``model``'s columns, as ``write`` takes them) and
    return the new records, in order. Stored computed fields the rows carry are not recomputed;
    ``self_referencing``: many2one fields set to the new record itself (a partner's commercial
    entity), before the others are computed. The caller checks access rights first."""
    if not vals_list:
        return model.browse()
    env = model.env
    columns = {
        name: field
        for name, field in model._fields.items()
        if field.store and field.column_type and name != "id"
    }
    defaults = model.default_get([name for name, field in columns.items() if not field.company_dependent])
    now = env.cr.now()
    common = {
        **{name: value for name, value in defaults.items() if name in columns},
        "create_uid": env.uid,
        "write_uid": env.uid,
        "create_date": now,
        "write_date": now,
    }
    given = {name for vals in vals_list for name in vals if name in columns}
    names = sorted(set(common) | given)
    rows = []
    for vals in vals_list:
        full = {**common, **vals}
        rows.append(
            tuple(columns[name].convert_to_column_insert(full.get(name), model, full) for name in names)
        )
    model.flush_model()
    query = 'INSERT INTO "{}" ({}) VALUES %s RETURNING id'.format(
        model._table, ", ".join(f'"{name}"' for name in names)
    )
    ids = [row[0] for row in execute_values(env.cr._obj, query, rows, page_size=PAGE, fetch=True)]
    records = model.browse(ids)
    if self_referencing:
        env.cr.execute(
            'UPDATE "{}" SET {} WHERE id = ANY(%s)'.format(
                model._table, ", ".join(f'"{name}" = id' for name in self_referencing)
            ),
            (ids,),
        )
        given |= set(self_referencing)
    for name, field in columns.items():
        if field.compute and name not in given:
            env.add_to_compute(field, records)
    records.flush_recordset()
    records._validate_fields(names)
    return records
