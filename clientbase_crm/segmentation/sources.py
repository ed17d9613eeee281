"""The source query of a run: what the engine knows of each client, as named CTE builders.

:func:`source_query` puts the parts together; each part is a small function that
returns an ``odoo.tools.SQL`` value and says which rows it yields:

- **scope** (:func:`scope_sql`, :func:`exceptions_query`, :func:`client_rows_sql`):
  which partners are clients. The one place of the engine's SQL where this is
  decided;
- **orders** (:func:`partner_orders_query`, :func:`contact_orders_query`,
  :func:`orders_query`): the confirmed orders, summed per client;
- **opportunities** (:func:`opportunities_query`) and **engagement**
  (:func:`engagement_query`): the open opportunities and the last reaction to a
  mailing, per client;
- **figures rows** (:func:`figures_rows_query`): the clients that already have one;
- **signals** (:func:`signals_query`): all of the above merged, one row per client;
- **source rows** (:func:`source_rows_query`): the values phase 1 writes, with the
  stage and warmth of the rules (``rules``) added by :func:`source_query`.

A builder reads the relations it is given (SQL identifiers of the CTEs or tables
before it), so the order of the parts is written once, in :func:`source_query`.

Performance notes (see ``bench/results/results-*.md``): the confirmed orders are read in
one pass, aggregated per ordering partner without joining each order with the wide
partner table: only the few partners that are not their own client (contacts of a
company) or are mailing-only are looked up (the exceptions), and the sums of
contacts are added to their company's. A join of every order, or of every client,
with ``res_partner`` costs about as much as the aggregate itself on a million
clients. "Has a discounted line" is the order's stored ``client_discounted`` flag,
so that no order line is read; amounts are summed as ``float8`` and rounded to
cents once per client; counts stay integers.
"""

import datetime

from odoo.tools import SQL

from ..tools import client_definition
from . import rules

# the CTEs of the source query, in the order they are built
EXCEPTIONS = SQL.identifier("exceptions")
PARTNER_ORDERS = SQL.identifier("partner_orders")
CONTACT_ORDERS = SQL.identifier("contact_orders")
ORDERS = SQL.identifier("orders")
OPPORTUNITIES = SQL.identifier("leads")
ENGAGEMENT = SQL.identifier("mail")
FIGURES_ROWS = SQL.identifier("figs")
SIGNALS = SQL.identifier("agg")
SOURCE_ROWS = SQL.identifier("src")


# ---------------------------------------------------------------------------
# Scope: which partners are clients
# ---------------------------------------------------------------------------
def exception_sql(alias=None):
    """Condition on the partner row ``alias`` (none: the table's own columns, as in an
    index): the partner is not a client as it stands (see :func:`exceptions_query`)."""

    def column(name):
        return SQL.identifier(alias, name) if alias else SQL.identifier(name)

    return SQL(
        "(%s <> %s OR %s)", column("id"), column("commercial_partner_id"), column("client_mailing_only")
    )


def exceptions_query(scope):
    """Exceptions: rows ``(id, commercial_partner_id, mailing_only)`` of the partners
    whose client is matched by ``scope`` (a function giving an SQL condition on a
    partner id column) and that are not a client as they stand: contacts of a company
    (their orders count for the company) and mailing-only partners (they keep a
    figures row, with nothing counted). Every other partner id is a client id.

    The rows are few: a partial index of ``res_partner`` holds exactly these
    partners (``res_partner_clientbase_exception_idx``, on :func:`exception_sql`); the
    partners of internal users and of the companies (no clients, by the one definition of
    ``tools/client_definition.py``) are added as not counted, found by an index of their own."""
    return SQL(
        """
        SELECT p.id, p.commercial_partner_id, COALESCE(p.client_mailing_only, FALSE) AS mailing_only
          FROM res_partner p
         WHERE %s AND %s
        UNION %s
        """,
        scope(SQL("p.commercial_partner_id")),
        exception_sql("p"),
        # employees' and the companies' own partners are no clients either: the one
        # definition of a client (tools/client_definition.py), shared with the reports
        client_definition.internal_entities_query(scope),
    )


def scope_sql(scope, exceptions, whole_base=False, scope_table=None):
    """Scope of a run: an SQL condition on ``so.partner_id``, true for the ordering
    partners whose confirmed orders count for the clients matched by ``scope``.

    This is where the engine's SQL decides which partners are clients, with the
    exceptions it is given (:func:`exceptions_query`) and the rows it keeps
    (:func:`client_rows_sql`): a client is a partner that is its own commercial
    partner; its contacts' orders count for it; a mailing-only partner counts
    nothing. A new rule of who is a client goes into these functions (the partners
    it excludes as exceptions, :func:`exception_sql`, whose partial index follows), and
    nowhere else in the engine.

    ``whole_base``: ``scope`` matches every partner (a full run in one batch), so
    the orders need no filter by client. ``scope_table``: a (temporary, analysed)
    table of the partner ids ``scope`` matches, when there is one: the orders are
    then reached from it, by index. Otherwise the orders of a few clients (the
    instant update) are reached through the index on ``partner_id``.
    """
    if whole_base:
        return SQL("TRUE")
    # the orders of the clients themselves and of their contacts (the exceptions): found
    # by partner id, where "commercial partner in scope" would read every partner
    clients = SQL("SELECT p.id FROM res_partner p WHERE %s", scope(SQL("p.id")))
    if scope_table is not None:
        # from the few ids to the partners, an index lookup each (OFFSET 0: the planner, which
        # cannot estimate "id = commercial_partner_id", would read every partner instead)
        clients = SQL(
            "SELECT p.id FROM %s s CROSS JOIN LATERAL (SELECT p.id, p.commercial_partner_id FROM res_partner p"
            " WHERE p.id = s.partner_id OFFSET 0) p WHERE TRUE",
            scope_table,
        )
    return SQL(
        "so.partner_id IN (%s AND p.id = p.commercial_partner_id UNION ALL SELECT x.id FROM %s x)",
        clients,
        exceptions,
    )


def client_rows_sql(exception):
    """Condition on a row of the signals joined (left) with its exception row
    ``exception`` (an alias): the row is a client's. A contact of a company has no
    row of its own (its figures row, should it have one, is left as it is)."""
    return SQL(
        "%(x)s.id IS NULL OR %(x)s.id = %(x)s.commercial_partner_id",
        x=SQL.identifier(exception),
    )


# ---------------------------------------------------------------------------
# Orders
# ---------------------------------------------------------------------------
def order_amount_sql(company):
    """The untaxed amount of the order ``so`` in the company's currency, as ``float8``
    (cheaper to add and compare than numeric; rounded to cents once per client)."""
    return SQL(
        "CASE WHEN so.currency_id = %(cur)s OR COALESCE(so.currency_rate, 0) = 0"
        " THEN so.amount_untaxed::float8 ELSE so.amount_untaxed::float8 / so.currency_rate END",
        cur=company.currency_id.id,
    )


def partner_orders_query(env, company, order_scope, today):
    """Orders per ordering partner: one row per partner with a confirmed order of
    ``company`` matched by ``order_scope`` (see :func:`scope_sql`), columns ``pid``,
    ``order_count``, ``first_order``, ``last_order`` (timestamps), ``revenue``,
    ``discounted_order_count``, ``window_order_count``, ``window_revenue`` (orders in
    the RFM window of ``today``), ``season_cos``, ``season_sin`` (see
    ``rules.season_sums_sql``). One pass over the orders, no join per order.

    A run as of an earlier day (``clientbase_as_of`` in the context: the demo's replay
    of the past months) reads the orders up to that day only; a nightly run reads every
    order."""
    amount = order_amount_sql(company)
    until = SQL("TRUE")
    if env.context.get("clientbase_as_of"):
        until = SQL("so.date_order < %s", today + datetime.timedelta(days=1))
    season_cos, season_sin = rules.season_sums_sql(SQL("so.date_order"))
    return SQL(
        """
        SELECT so.partner_id AS pid,
               COUNT(*) AS order_count,
               MIN(so.date_order) AS first_order,
               MAX(so.date_order) AS last_order,
               SUM(%(amount)s) AS revenue,
               COUNT(*) FILTER (WHERE so.client_discounted) AS discounted_order_count,
               COUNT(*) FILTER (WHERE so.date_order >= %(window_after)s) AS window_order_count,
               COALESCE(SUM(%(amount)s) FILTER (WHERE so.date_order >= %(window_after)s), 0)
                   AS window_revenue,
               SUM(%(season_cos)s) AS season_cos, SUM(%(season_sin)s) AS season_sin
          FROM sale_order so
         WHERE so.state = 'sale' AND so.company_id = %(company)s AND %(order_scope)s AND %(until)s
         GROUP BY so.partner_id
        """,
        amount=amount,
        company=company.id,
        # "ordered after the window start" on the timestamp itself (no cast per order)
        window_after=rules.window_after(rules.thresholds(company), today),
        order_scope=order_scope,
        until=until,
        season_cos=season_cos,
        season_sin=season_sin,
    )


def contact_orders_query(partner_orders, exceptions):
    """Orders of contacts, per company: the rows of ``partner_orders`` of the contacts
    of a company (``exceptions``) summed under the company, one row per company
    (``pid``: the company), same columns as :func:`partner_orders_query`."""
    # sums of counts cast back to integers: numeric is slow to add, compare and sort
    return SQL(
        """
        SELECT x.commercial_partner_id AS pid, SUM(o.order_count)::int8 AS order_count,
               MIN(o.first_order) AS first_order, MAX(o.last_order) AS last_order,
               SUM(o.revenue) AS revenue, SUM(o.discounted_order_count)::int8 AS discounted_order_count,
               SUM(o.window_order_count)::int8 AS window_order_count, SUM(o.window_revenue) AS window_revenue,
               SUM(o.season_cos) AS season_cos, SUM(o.season_sin) AS season_sin
          FROM %(partner_orders)s o
          JOIN %(exceptions)s x ON x.id = o.pid AND x.id <> x.commercial_partner_id
         GROUP BY 1
        """,
        partner_orders=partner_orders,
        exceptions=exceptions,
    )


def orders_query(partner_orders, contact_orders, exceptions):
    """Orders per client: one row per client with a confirmed order (``pid``), its own
    orders and its contacts' added up; the dates as dates (``first_order_date``,
    ``last_order_date``), missing sums as zero."""
    return SQL(
        """
        SELECT COALESCE(o.pid, c.pid) AS pid,
               COALESCE(o.order_count, 0) + COALESCE(c.order_count, 0) AS order_count,
               LEAST(o.first_order, c.first_order)::date AS first_order_date,
               GREATEST(o.last_order, c.last_order)::date AS last_order_date,
               COALESCE(o.revenue, 0) + COALESCE(c.revenue, 0) AS revenue,
               COALESCE(o.discounted_order_count, 0) + COALESCE(c.discounted_order_count, 0)
                   AS discounted_order_count,
               COALESCE(o.window_order_count, 0) + COALESCE(c.window_order_count, 0) AS window_order_count,
               COALESCE(o.window_revenue, 0) + COALESCE(c.window_revenue, 0) AS window_revenue,
               COALESCE(o.season_cos, 0) + COALESCE(c.season_cos, 0) AS season_cos,
               COALESCE(o.season_sin, 0) + COALESCE(c.season_sin, 0) AS season_sin
          FROM (SELECT * FROM %(partner_orders)s po
                 WHERE NOT EXISTS (SELECT 1 FROM %(exceptions)s x
                                    WHERE x.id = po.pid AND x.id <> x.commercial_partner_id)) o
          FULL JOIN %(contact_orders)s c ON c.pid = o.pid
        """,
        partner_orders=partner_orders,
        contact_orders=contact_orders,
        exceptions=exceptions,
    )


# ---------------------------------------------------------------------------
# Opportunities, engagement, figures rows
# ---------------------------------------------------------------------------
def opportunities_query(company, scope):
    """Open opportunities per client: one row per client matched by ``scope`` with an
    open opportunity (active, not won) of ``company`` or of no company; ``pid``, ``n``
    (how many), ``probability`` (the highest)."""
    return SQL(
        """
        SELECT p.commercial_partner_id AS pid, COUNT(*) AS n, MAX(COALESCE(l.probability, 0)) AS probability
          FROM crm_lead l
          JOIN res_partner p ON p.id = l.partner_id
         WHERE %(scope)s AND l.active AND l.type = 'opportunity' AND COALESCE(l.probability, 0) < 100
           AND (l.company_id = %(company)s OR l.company_id IS NULL)
         GROUP BY 1
        """,
        scope=scope(SQL("p.commercial_partner_id")),
        company=company.id,
    )


def engagement_query(scope):
    """Engagement per client: one row per client matched by ``scope`` whose partners
    opened, clicked or replied to a mailing; ``pid``, ``last_date`` (the day of the last
    reaction, see ``rules.engagement_sql``)."""
    engagement = rules.engagement_sql("t")
    return SQL(
        """
        SELECT p.commercial_partner_id AS pid, MAX(%(engagement)s)::date AS last_date
          FROM mailing_trace t
          JOIN res_partner p ON p.id = t.res_id
         WHERE %(scope)s AND t.model = 'res.partner' AND %(engagement)s IS NOT NULL
         GROUP BY 1
        """,
        engagement=engagement,
        scope=scope(SQL("p.commercial_partner_id")),
    )


def figures_rows_query(company, scope):
    """Figures rows: one row per client matched by ``scope`` that has a figures row of
    ``company``; ``pid``, ``id`` (the figures row)."""
    return SQL(
        """
        SELECT f.partner_id AS pid, f.id
          FROM clientbase_client_figures f
         WHERE f.company_id = %(company)s AND %(scope)s
        """,
        company=company.id,
        scope=scope(SQL("f.partner_id")),
    )


# ---------------------------------------------------------------------------
# Signals and source rows
# ---------------------------------------------------------------------------
def signals_query(orders, figures_rows, opportunities, engagement):
    """Signals per client: one row per client with orders, an opportunity, a mailing
    reaction or a figures row (``pid``, ``figures_id``: its figures row if any), the
    columns of the four relations merged by full joins on the client id."""
    return SQL(
        """
        SELECT COALESCE(o.pid, g.pid, l.pid, m.pid) AS pid, g.id AS figures_id,
               o.order_count, o.first_order_date, o.last_order_date, o.revenue,
               o.discounted_order_count, o.window_order_count, o.window_revenue, o.season_cos, o.season_sin,
               COALESCE(l.n, 0) AS open_opportunity_count, l.probability AS max_opportunity_probability,
               m.last_date AS last_engagement_date
          FROM %(orders)s o
          FULL JOIN %(figures_rows)s g ON g.pid = o.pid
          FULL JOIN %(opportunities)s l ON l.pid = COALESCE(o.pid, g.pid)
          FULL JOIN %(engagement)s m ON m.pid = COALESCE(o.pid, g.pid, l.pid)
        """,
        orders=orders,
        figures_rows=figures_rows,
        opportunities=opportunities,
        engagement=engagement,
    )


def source_rows_query(signals, exceptions):
    """Source rows: one row per client of ``signals`` (see :func:`client_rows_sql`), with
    the figures phase 1 writes (``partner_id``, ``figures_id`` and the figures columns
    but stage and warmth): amounts rounded to cents, missing counts as zero. A
    mailing-only partner keeps its figures row, with no purchase nor signal counted,
    and gets none when it has none."""
    return SQL(
        """
        SELECT a.pid AS partner_id, a.figures_id,
               CASE WHEN NOT a.mailing_only THEN a.first_order_date END AS first_order_date,
               CASE WHEN NOT a.mailing_only THEN a.last_order_date END AS last_order_date,
               CASE WHEN NOT a.mailing_only THEN COALESCE(a.order_count, 0) ELSE 0 END AS order_count,
               CASE WHEN NOT a.mailing_only THEN COALESCE(ROUND(a.revenue * 100) / 100, 0) ELSE 0 END
                   AS revenue,
               CASE WHEN NOT a.mailing_only THEN COALESCE(a.discounted_order_count, 0) ELSE 0 END
                   AS discounted_order_count,
               CASE WHEN NOT a.mailing_only THEN COALESCE(a.window_order_count, 0) ELSE 0 END
                   AS window_order_count,
               CASE WHEN NOT a.mailing_only THEN COALESCE(ROUND(a.window_revenue * 100) / 100, 0) ELSE 0 END
                   AS window_revenue,
               CASE WHEN NOT a.mailing_only THEN a.open_opportunity_count ELSE 0 END AS open_opportunity_count,
               CASE WHEN NOT a.mailing_only THEN COALESCE(a.max_opportunity_probability, 0) ELSE 0 END::float8
                   AS max_opportunity_probability,
               CASE WHEN NOT a.mailing_only THEN a.last_engagement_date END AS last_engagement_date,
               -- rounded: the same however the sums were added up (parallel or not)
               CASE WHEN NOT a.mailing_only
                    THEN ROUND((%(season)s)::numeric, 4)::float8 END AS order_season_strength
          FROM (SELECT agg.*, COALESCE(x.mailing_only, FALSE) AS mailing_only
                  FROM %(signals)s agg
                  LEFT JOIN %(exceptions)s x ON x.id = agg.pid
                 WHERE %(client_rows)s) a
         WHERE NOT a.mailing_only OR a.figures_id IS NOT NULL
        """,
        season=rules.season_strength_sql(SQL("a.season_cos"), SQL("a.season_sin"), SQL("a.order_count")),
        signals=signals,
        exceptions=exceptions,
        client_rows=client_rows_sql("x"),
    )


def source_query(env, company, scope, today, whole_base=False, exceptions=None, scope_table=None):
    """SELECT of phase 1 values for the clients matched by ``scope``: the source rows
    (:func:`source_rows_query`) with the ``stage`` and ``warmth`` the rules give on
    ``today``. One row per client that has a signal or already a figures row.

    ``scope(column)`` returns an SQL condition on a partner id column.
    ``exceptions``: a relation holding :func:`exceptions_query` (a bulk run
    materialises it, so that the planner knows how few rows it has); by default a
    CTE. ``whole_base`` and ``scope_table``: see :func:`scope_sql`.
    """
    t = rules.thresholds(company)
    ctes = []
    if exceptions is None:
        ctes.append((EXCEPTIONS, exceptions_query(scope)))
        exceptions = EXCEPTIONS
    order_scope = scope_sql(scope, exceptions, whole_base=whole_base, scope_table=scope_table)
    ctes += [
        # one pass over the confirmed orders, per ordering partner (no join per order)
        (PARTNER_ORDERS, partner_orders_query(env, company, order_scope, today)),
        (CONTACT_ORDERS, contact_orders_query(PARTNER_ORDERS, exceptions)),
        (ORDERS, orders_query(PARTNER_ORDERS, CONTACT_ORDERS, exceptions)),
        (OPPORTUNITIES, opportunities_query(company, scope)),
        (ENGAGEMENT, engagement_query(scope)),
        (FIGURES_ROWS, figures_rows_query(company, scope)),
        (SIGNALS, signals_query(ORDERS, FIGURES_ROWS, OPPORTUNITIES, ENGAGEMENT)),
        (SOURCE_ROWS, source_rows_query(SIGNALS, exceptions)),
    ]
    return SQL(
        "WITH %s SELECT %s.*, %s AS stage, %s AS warmth FROM %s",
        SQL(",\n").join(SQL("%s AS (%s)", name, query) for name, query in ctes),
        SOURCE_ROWS,
        rules.stage_sql("src", t, today),
        rules.warmth_sql("src", t, today),
        SOURCE_ROWS,
    )
