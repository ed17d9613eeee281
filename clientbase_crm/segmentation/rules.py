"""The segmentation rules, each written once.

Every rule is one SQL expression over a row holding a client's figures (a
``clientbase_client_figures`` row or the engine's source row, same column
names), built by a function of this module. The engine writes with them, the
incremental run compares them at two dates to find the clients a new day
moves, and the partner's searches, groupings and forms read what they
produced (VIP is a generated column of the figures table, so that Python and
SQL read the one expression below).

**Stage** (the first rule that matches; thresholds per company):

- ``potential``: no confirmed order;
- ``new``: first order within the new-client period (``client_new_days``);
- ``inactive``: last order older than the inactivity threshold
  (``client_inactive_days``): the day a client becomes inactive is the day the
  last order is *more* than that many days old;
- ``one_time``: exactly one order;
- ``loyal``: at least ``client_loyal_orders`` orders and the first order at
  least ``client_loyal_days`` ago;
- ``active``: otherwise.

``lost`` is only ever set by a user and wins, like any value set by hand.

**Warmth**: ``hot`` with an open opportunity at least as likely as the "hot"
probability, or an order within the new-client period; ``warm`` with any open
opportunity, an order within the warmth window, or a mailing opened, clicked
or replied to within the warmth window; ``cold`` otherwise.

**RFM** (over the clients with an order in the RFM window): each score is the
quintile (1-5, 5 best) of the client in the ascending order of its value, the
order of PostgreSQL's ``ntile(5)``: with N clients, the first ``N mod 5``
quintiles hold one client more. Recency ranks the last order date, frequency
the number of orders in the window, monetary the revenue in the window; equal
values are ordered by partner id (the lower id scores lower). The segment
reads R and FM = round((F + M) / 2):

=====  ==========  ==================
R      FM          segment
=====  ==========  ==================
5      4-5         champions
3-4    4-5         loyal
4-5    2-3         potential_loyalist
5      1           new
4      1           promising
3      3           need_attention
3      1-2         about_to_sleep
1-2    5           cannot_lose
1-2    3-4         at_risk
2      1-2         hibernating
1      1-2         lost
=====  ==========  ==================

Clients who bought before but not within the window are ``lost`` without
scores; clients who never bought have no RFM segment.

**ABC**: the clients with a positive revenue in the window, in descending
order of revenue (equal revenues: the lower partner id first). A client is A
when the revenue of the clients before it is below the A share of the total
(so the client crossing the line is A), B likewise up to the B share, C
otherwise. Revenues are counted in whole cents, so the sums are exact.

**VIP**: set by a user (yes or no), else class A.

**Persona suggestion** (the first that matches; a user's choice wins):

- ``browsing`` ("just looking"): no order, but an open opportunity or a reaction to a
  mailing;
- ``discount_hunter``: more than half of the orders have a discounted line (buys only
  when it is cheaper);
- ``fan``: loyal (by hand or computed) with frequency score 5 (truly loyal);
- ``specific`` ("we know exactly when they buy"): at least two orders over at least
  300 days, falling on about the same time of the year (season strength at least
  0.9: the orders' days of the year, as angles on the year's circle, average to a
  vector at least 0.9 long; about within six weeks of one date);
- ``regular`` (an ordinary client: likes us, but would leave): any other client with
  two orders or more.

A one-time buyer has no persona yet.
"""

import datetime

from odoo import fields
from odoo.tools import SQL

TILES = 5
# the expressions of the figures table's generated columns (see clientbase.client.figures):
# what a client is, the value a user set winning over the computed one
VIP_SQL = SQL("COALESCE(vip_manual = 'yes', abc_class = 'a', FALSE)")
CURRENT_STAGE_SQL = SQL("COALESCE(stage_manual, stage)")
CURRENT_WARMTH_SQL = SQL("COALESCE(warmth_manual, warmth)")
# the last time a client reacted to a mailing: the latest of these columns of its traces
ENGAGEMENT_COLUMNS = ("open_datetime", "reply_datetime", "links_click_datetime")


def engagement_sql(alias):
    """When the mailing trace ``alias`` was last opened, clicked or replied to."""
    return SQL("GREATEST(%s)", SQL(", ").join(SQL.identifier(alias, c) for c in ENGAGEMENT_COLUMNS))


def thresholds(company):
    """The company's settings of the rules, with their defaults."""
    return {
        "new_days": company.client_new_days or 30,
        "inactive_days": company.client_inactive_days or 180,
        "loyal_orders": company.client_loyal_orders or 5,
        "loyal_days": company.client_loyal_days or 365,
        "rfm_days": company.client_rfm_days or 365,
        "a_share": (company.client_abc_a_percent or 80.0) / 100.0,
        "b_share": (company.client_abc_b_percent or 95.0) / 100.0,
        "warmth_days": company.client_warmth_days or 90,
        "hot_probability": company.client_hot_probability or 50.0,
    }


def window_after(t, today):
    """Orders at or after this instant are in the RFM window of ``today``."""
    return fields.Datetime.to_datetime(today - datetime.timedelta(days=t["rfm_days"] - 1))


def _col(alias, name):
    return SQL.identifier(alias, name) if alias else SQL.identifier(name)


def effective_stage_sql(alias):
    """The stage of the figures row ``alias`` (its generated ``current_stage``), potential
    before any run."""
    return SQL("COALESCE(%s, 'potential')", _col(alias, "current_stage"))


def effective_warmth_sql(alias):
    """The warmth of the figures row ``alias`` (its generated ``current_warmth``), cold
    before any run."""
    return SQL("COALESCE(%s, 'cold')", _col(alias, "current_warmth"))


def stage_sql(alias, t, today):
    """The computed stage of the row ``alias`` on ``today``."""
    return SQL(
        """CASE WHEN %(count)s = 0 THEN 'potential'
                WHEN %(first)s >= %(new_start)s THEN 'new'
                WHEN %(last)s < %(inactive_start)s THEN 'inactive'
                WHEN %(count)s = 1 THEN 'one_time'
                WHEN %(count)s >= %(loyal_orders)s AND %(first)s <= %(loyal_start)s THEN 'loyal'
                ELSE 'active' END""",
        count=_col(alias, "order_count"),
        first=_col(alias, "first_order_date"),
        last=_col(alias, "last_order_date"),
        new_start=today - datetime.timedelta(days=t["new_days"]),
        inactive_start=today - datetime.timedelta(days=t["inactive_days"]),
        loyal_orders=t["loyal_orders"],
        loyal_start=today - datetime.timedelta(days=t["loyal_days"]),
    )


def warmth_sql(alias, t, today):
    """The computed warmth of the row ``alias`` on ``today``."""
    warmth_start = today - datetime.timedelta(days=t["warmth_days"])
    return SQL(
        """CASE WHEN (%(opportunities)s > 0 AND %(probability)s >= %(hot_probability)s)
                     OR %(last)s >= %(new_start)s THEN 'hot'
                WHEN %(opportunities)s > 0 OR %(last)s > %(warmth_start)s
                     OR %(engagement)s > %(warmth_start)s THEN 'warm'
                ELSE 'cold' END""",
        opportunities=_col(alias, "open_opportunity_count"),
        probability=_col(alias, "max_opportunity_probability"),
        last=_col(alias, "last_order_date"),
        engagement=_col(alias, "last_engagement_date"),
        hot_probability=t["hot_probability"],
        new_start=today - datetime.timedelta(days=t["new_days"]),
        warmth_start=warmth_start,
    )


# the dates the stage and warmth rules above compare with "today minus a threshold"
DATE_THRESHOLDS = (
    ("first_order_date", "new_days"),
    ("first_order_date", "loyal_days"),
    ("last_order_date", "new_days"),
    ("last_order_date", "inactive_days"),
    ("last_order_date", "warmth_days"),
    ("last_engagement_date", "warmth_days"),
)


def date_moves_sql(alias, t, since, today):
    """Condition on the row ``alias``: its stage or warmth computed on ``since`` and on
    ``today`` differ. Only these clients (and those with an order leaving the RFM window,
    see ``changes.window_leavers_sql``) are moved by the days from ``since`` to ``today``.

    A rule's answer can only change when one of its dates lies between the two
    thresholds (:data:`DATE_THRESHOLDS`): that cheap test runs first."""
    near = SQL(" OR ").join(
        SQL(
            "%s BETWEEN %s AND %s",
            _col(alias, column),
            since - datetime.timedelta(days=t[days]),
            today - datetime.timedelta(days=t[days]),
        )
        for column, days in DATE_THRESHOLDS
    )
    return SQL(
        "(%s) AND ((%s) IS DISTINCT FROM (%s) OR (%s) IS DISTINCT FROM (%s))",
        near,
        stage_sql(alias, t, since),
        stage_sql(alias, t, today),
        warmth_sql(alias, t, since),
        warmth_sql(alias, t, today),
    )


# --- rankings (the RFM scores and ABC are a client's place among the company's clients) ---
# the value ranked by each score (ascending; equal values by partner id)
SCORE_VALUES = {
    "rfm_recency": "last_order_date",
    "rfm_frequency": "window_order_count",
    "rfm_monetary": "window_revenue",
}
# a client ranked by the RFM scores: an order in the RFM window; by ABC: a positive revenue too
RANKED_SQL = SQL("window_order_count > 0")
ABC_RANKED_SQL = SQL("window_order_count > 0 AND window_revenue > 0")


def tile_ends(count, tiles=TILES):
    """Last rank (1-based) of each tile but the last, as ``ntile(tiles)`` cuts ``count``
    rows: the first ``count % tiles`` tiles hold one row more."""
    size, bigger = divmod(count, tiles)
    return [j * size + min(j, bigger) for j in range(1, tiles)]


def score_sql(alias, name, ends):
    """The score ``name`` of the row ``alias``: the first tile whose end (key
    ``(value, partner_id)`` of its last client) its key does not pass."""
    if not ends:
        return SQL("NULL::int")
    key = SQL("(%s, %s)", _col(alias, SCORE_VALUES[name]), _col(alias, "partner_id"))
    whens = SQL(" ").join(
        SQL("WHEN %s <= (%s, %s) THEN %s", key, value, pid, tile) for tile, (value, pid) in enumerate(ends, 1)
    )
    return SQL(
        "CASE WHEN %s > 0 THEN CASE %s ELSE %s END END",
        _col(alias, "window_order_count"),
        whens,
        len(ends) + 1,
    )


def abc_sql(alias, lines):
    """The ABC class of the row ``alias``: ``lines`` maps 'a' and 'b' to the key
    ``(revenue, partner_id)`` of the last client of the class (None: the class is empty)."""
    revenue, pid = _col(alias, "window_revenue"), _col(alias, "partner_id")
    whens = []
    for klass in ("a", "b"):
        if lines.get(klass):
            value, last_pid = lines[klass]
            whens.append(
                SQL(
                    "WHEN %s > %s OR (%s = %s AND %s <= %s) THEN %s",
                    revenue,
                    value,
                    revenue,
                    value,
                    pid,
                    last_pid,
                    klass,
                )
            )
    return SQL(
        "CASE WHEN NOT (%s > 0 AND %s > 0) THEN NULL %s ELSE 'c' END",
        _col(alias, "window_order_count"),
        revenue,
        SQL(" ").join(whens),
    )


def rfm_segment_sql(r, f, m, order_count):
    """The RFM segment from the scores (SQL values ``r``, ``f``, ``m``) and the number of orders."""
    fm = SQL("((%s + %s + 1) / 2)", f, m)  # round((F + M) / 2), halves up, in integers
    return SQL(
        """CASE WHEN %(r)s IS NULL THEN CASE WHEN %(count)s > 0 THEN 'lost' END
                WHEN %(r)s = 5 AND %(fm)s >= 4 THEN 'champions'
                WHEN %(r)s >= 3 AND %(fm)s >= 4 THEN 'loyal'
                WHEN %(r)s >= 4 AND %(fm)s >= 2 THEN 'potential_loyalist'
                WHEN %(r)s = 5 THEN 'new'
                WHEN %(r)s = 4 THEN 'promising'
                WHEN %(r)s = 3 AND %(fm)s = 3 THEN 'need_attention'
                WHEN %(r)s = 3 THEN 'about_to_sleep'
                WHEN %(fm)s = 5 THEN 'cannot_lose'
                WHEN %(fm)s >= 3 THEN 'at_risk'
                WHEN %(r)s = 2 THEN 'hibernating'
                ELSE 'lost' END""",
        r=r,
        fm=fm,
        count=order_count,
    )


SPECIFIC_MIN_DAYS = 300
SPECIFIC_MIN_SEASON = 0.9


def season_sums_sql(order_date):
    """The two sums a client's season strength is made of: the cosine and the sine of each
    order's day of the year, as an angle on the year's circle."""
    # date_part: a float8 (extract gives a numeric, several times slower on millions of orders)
    angle = SQL("(2 * pi() * date_part('doy', %s) / 365.25)", order_date)
    return SQL("cos(%s)", angle), SQL("sin(%s)", angle)


def season_strength_sql(cos_sum, sin_sum, count):
    """The season strength from the sums of :func:`season_sums_sql` over ``count`` orders."""
    return SQL(
        "CASE WHEN %(n)s >= 2 THEN sqrt(%(c)s * %(c)s + %(s)s * %(s)s) / %(n)s END",
        c=cos_sum,
        s=sin_sum,
        n=count,
    )


def persona_sql(alias, f):
    """The persona suggested for the row ``alias`` (``f``: its frequency score)."""
    return SQL(
        """CASE WHEN %(count)s = 0 THEN
                     CASE WHEN %(opportunities)s > 0 OR %(engagement)s IS NOT NULL THEN 'browsing' END
                WHEN %(discounted)s * 2 > %(count)s THEN 'discount_hunter'
                WHEN COALESCE(%(manual)s, %(stage)s) = 'loyal' AND %(f)s = 5 THEN 'fan'
                WHEN %(count)s >= 2 AND %(last)s - %(first)s >= %(min_days)s
                     AND %(season)s >= %(min_season)s THEN 'specific'
                WHEN %(count)s >= 2 THEN 'regular' END""",
        count=_col(alias, "order_count"),
        discounted=_col(alias, "discounted_order_count"),
        manual=_col(alias, "stage_manual"),
        stage=_col(alias, "stage"),
        opportunities=_col(alias, "open_opportunity_count"),
        engagement=_col(alias, "last_engagement_date"),
        first=_col(alias, "first_order_date"),
        last=_col(alias, "last_order_date"),
        season=_col(alias, "order_season_strength"),
        min_days=SPECIFIC_MIN_DAYS,
        min_season=SPECIFIC_MIN_SEASON,
        f=f,
    )
