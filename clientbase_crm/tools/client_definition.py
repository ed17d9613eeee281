"""Who is a client: the one definition (``METRICS.md``, *Who counts*) used by the menus and
actions, the segmentation engine, the reports, the segments, the mailings and the exports.

A **client** is a commercial entity (a company, or a person without a parent company), not a
mailing-only contact, not an internal user's partner (an employee: ``partner_share`` is false
for the partner of an internal user) and not a company's own partner. Its contacts' orders count
for it.

The definition is given twice, as an ORM domain (:func:`client_domain`) and as an SQL condition on
a ``res_partner`` alias (:func:`client_sql`); a test checks that both select the same partners
on a varied base. Change both together, here only.
"""

from odoo.tools import SQL


def client_domain():
    """ORM domain of the clients on ``res.partner``."""
    return [
        "|",
        ("is_company", "=", True),
        ("parent_id", "=", False),
        ("client_mailing_only", "=", False),
        ("partner_share", "=", True),
        ("ref_company_ids", "=", False),
    ]


def internal_partner_sql(alias):
    """SQL condition on a ``res_partner`` alias: true for the company's side (an internal user's
    partner, a company's own partner), which is never a client nor in the audience of a mailing
    report."""
    p = SQL.identifier(alias)
    return SQL(
        "(%(p)s.partner_share IS NOT TRUE OR EXISTS (SELECT 1 FROM res_company own WHERE own.partner_id = %(p)s.id))",
        p=p,
    )


def not_client_entity_sql(alias):
    """SQL condition on the commercial entity ``alias`` (a ``res_partner`` alias whose
    ``id = commercial_partner_id``): true when it is no client (mailing-only, an internal user's
    partner, a company's own partner)."""
    return SQL("(%s.client_mailing_only IS TRUE OR %s)", SQL.identifier(alias), internal_partner_sql(alias))


def client_sql(alias):
    """SQL condition on a ``res_partner`` alias: true when the partner is a client (the SQL of
    :func:`client_domain`)."""
    p = SQL.identifier(alias)
    return SQL(
        "(%(p)s.id = %(p)s.commercial_partner_id AND NOT %(not_client)s)",
        p=p,
        not_client=not_client_entity_sql(alias),
    )


def client_circle_sql(alias):
    """SQL condition on a ``res_partner`` alias: true for a partner of a client's circle, the
    client itself or one of its contacts (its commercial entity is a client), never an internal
    user's partner. The reminders about people (birthdays) are for this circle."""
    p = SQL.identifier(alias)
    return SQL(
        "(NOT %(internal)s AND EXISTS (SELECT 1 FROM res_partner circle_cp"
        " WHERE circle_cp.id = %(p)s.commercial_partner_id AND %(is_client)s))",
        p=p,
        internal=internal_partner_sql(alias),
        is_client=client_sql("circle_cp"),
    )


def handled_sql(partner, entity):
    """SQL condition on a ``res_partner`` alias ``partner`` and the alias ``entity`` of its
    commercial entity: true when the client base handles the partner, so that only the client's
    circle changes it (the write guard): a mailing-only contact, or a client (:func:`client_sql`)
    that has a manager or data of the client base (a client card, purchase figures). Other
    partners (vendors, carriers, employees, addresses nobody manages) are Odoo's ordinary ones."""
    p, e = SQL.identifier(partner), SQL.identifier(entity)
    return SQL(
        """(%(e)s.client_mailing_only IS TRUE
            OR (%(client)s
                AND (%(e)s.user_id IS NOT NULL
                     OR EXISTS (SELECT 1 FROM clientbase_client_card card WHERE card.partner_id IN (%(p)s.id, %(e)s.id))
                     OR EXISTS (SELECT 1 FROM clientbase_client_figures fig WHERE fig.partner_id = %(e)s.id))))""",
        p=p,
        e=e,
        client=client_sql(entity),
    )


def audience_domain():
    """ORM domain of the client base's audience: the clients and the mailing-only contacts (the
    Clients list, the segments and the mailings; mailing-only contacts have no figures and are in
    no growth report)."""
    return ["|", ("client_is_client", "=", True), ("client_mailing_only", "=", True)]


def audience_sql(alias):
    """SQL condition on a ``res_partner`` alias: the SQL of :func:`audience_domain` (the mailing
    eligibility decides with it at preparation and again at send time)."""
    return SQL("(%s OR %s.client_mailing_only IS TRUE)", client_sql(alias), SQL.identifier(alias))


def internal_entities_query(scope):
    """SELECT (id, commercial_partner_id, TRUE) of the commercial entities matched by ``scope``
    (``scope(column)``: an SQL condition on a partner id) that are on the company's side: the
    partners of internal users and the companies' own partners. Found through a partial index
    (``res_partner_clientbase_internal_idx``) and the companies: a handful of rows."""
    return SQL(
        """
        SELECT p.id, p.commercial_partner_id, TRUE
          FROM res_partner p
         WHERE %(scope)s AND p.id = p.commercial_partner_id AND p.partner_share IS NOT TRUE
        UNION
        SELECT p.id, p.commercial_partner_id, TRUE
          FROM res_company own JOIN res_partner p ON p.id = own.partner_id
         WHERE %(scope)s AND p.id = p.commercial_partner_id
        """,
        scope=scope(SQL("p.id")),
    )
