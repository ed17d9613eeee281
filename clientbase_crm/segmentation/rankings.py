"""Where the company-wide rankings cut: the RFM quintile ends and the ABC lines.

A client's RFM scores and ABC class are its place among all the company's
clients, but the places that matter are few: the last client of each of the
four first quintiles of each score, and the last client of classes A and B.
Sorting a million clients four times to number them all (``ntile``, running
sums) costs seconds; these ten clients are found by counting instead:

1. one pass over the ranked rows counts them (and sums their revenue in
   cents) in coarse groups that follow the ranking order (a histogram per
   score, ``GROUPING SETS`` of one scan);
2. the cumulative counts (sums) tell which group holds each wanted rank
   (crossing), and a second pass fetches only the rows of those groups, which
   are sorted here.

A client's scores are then a comparison of its key with these ends, row by
row (:func:`rankings_query`), so that an update touches only the rows whose
place changed, and the nightly run needs no sort of the base. The result is
exactly ``ntile(5)`` and the running sums described in ``rules``; a test
compares them on a random base.
"""

import datetime
import json

from odoo.tools import SQL

from . import rules

# a group holding more rows than this is not fetched: its wanted rows are found by PostgreSQL
BIG_GROUP = 50000
# partner ids are below 2^31: (value, partner id >> 14) packs into one int8 following the order
PID_SHIFT = 14
PID_GROUPS = 2 ** (31 - PID_SHIFT)
# revenues grouped by their logarithm: 256 groups per factor e
MONEY_GROUPS_PER_E = 256

COARSE = {
    # discrete values: (value, a slice of the partner ids), packed
    "rfm_recency": SQL(
        "((last_order_date - DATE '2000-01-01')::int8 * %s + (partner_id >> %s))", PID_GROUPS, PID_SHIFT
    ),
    "rfm_frequency": SQL("(window_order_count::int8 * %s + (partner_id >> %s))", PID_GROUPS, PID_SHIFT),
    # amounts: the logarithm (the partner id does not follow the value's order here)
    "rfm_monetary": SQL(
        "(CASE WHEN window_revenue <= 0 THEN -1 ELSE floor(ln(1 + window_revenue) * %s)::int8 END)",
        MONEY_GROUPS_PER_E,
    ),
}
CENTS = SQL("ROUND(window_revenue * 100)")


def find_cuts(cr, rows, t):
    """The quintile ends of each RFM score and the ABC lines of the clients of ``rows``
    (a relation with the figures' columns, one company's clients).

    :return: ``{score: [(value, partner_id), ...], "abc": {"a": (revenue, partner_id) or None, "b": ...}}``
    """
    cr.execute(
        SQL(
            """
            SELECT %(r)s AS r, %(f)s AS f, %(m)s AS m, COUNT(*), SUM(%(cents)s) FILTER (WHERE window_revenue > 0)
              FROM %(rows)s AS x
             WHERE %(ranked)s
             GROUP BY GROUPING SETS ((1), (2), (3))
            """,
            r=COARSE["rfm_recency"],
            f=COARSE["rfm_frequency"],
            m=COARSE["rfm_monetary"],
            cents=CENTS,
            rows=rows,
            ranked=SQL(rules.RANKED_SQL),
        )
    )
    histograms = {name: [] for name in COARSE}
    money = []
    for r, f, m, count, cents in cr.fetchall():
        if r is not None:
            histograms["rfm_recency"].append((r, count))
        elif f is not None:
            histograms["rfm_frequency"].append((f, count))
        else:
            histograms["rfm_monetary"].append((m, count))
            if m >= 0:
                money.append((m, count, cents or 0.0))
    # wanted: (score, group) -> [(offset in the group (1-based), index of the end)]
    wanted = {}
    for name, histogram in histograms.items():
        histogram.sort()
        total = sum(count for _group, count in histogram)
        ends = rules.tile_ends(total)
        seen, i = 0, 0
        for group, count in histogram:
            while i < len(ends) and ends[i] <= seen + count:
                if ends[i] > 0:
                    wanted.setdefault((name, group), []).append((ends[i] - seen, i))
                i += 1
            seen += count
    # ABC: groups from the highest revenues down; the line is in the last group whose
    # revenue before it is below the share of the total
    money.sort(reverse=True)
    total_cents = sum(cents for _group, _count, cents in money)
    abc_wanted = {}
    for klass, share in (("a", t["a_share"]), ("b", t["b_share"])):
        target = share * total_cents
        before, found = 0.0, None
        for group, _count, cents in money:
            if before < target:
                found = (group, before)
            before += cents
        if found:
            abc_wanted[klass] = (found[0], found[1], target)
    sizes = {name: dict(histogram) for name, histogram in histograms.items()}
    fetched = _fetch_groups(cr, rows, wanted, {g for g, _b, _t in abc_wanted.values()}, sizes)
    cuts = {name: [None] * (rules.TILES - 1) for name in COARSE}
    for (name, group), offsets in wanted.items():
        members = fetched.get((name, group))
        for offset, index in offsets:
            if members is not None:
                cuts[name][index] = members[offset - 1]
            else:
                cuts[name][index] = _nth_of_big_group(cr, rows, name, group, offset)
    for name in COARSE:
        cuts[name] = [end for end in cuts[name] if end is not None]
    cuts["abc"] = {}
    for klass, (group, before, target) in abc_wanted.items():
        members = fetched.get(("abc", group))
        if members is None:
            members = _big_money_group(cr, rows, group)
        last = None
        for value, pid, cents in members:
            if before >= target:
                break
            last = (value, pid)
            before += cents
        cuts["abc"][klass] = last
    return cuts


def _fetch_groups(cr, rows, wanted, abc_groups, sizes):
    """The rows of the wanted groups that are not too big, sorted in each ranking's order:
    ``{(score, group): [(value, partner_id)]}``, ``{("abc", group): [(revenue, partner_id, cents)]}``."""
    conditions = []
    by_score = {}
    for name, group in wanted:
        if sizes[name][group] <= BIG_GROUP:
            by_score.setdefault(name, set()).add(group)
    money_groups = {g for g in abc_groups if sizes["rfm_monetary"][g] <= BIG_GROUP}
    if money_groups:
        by_score.setdefault("rfm_monetary", set()).update(money_groups)
    for name, groups in by_score.items():
        conditions.append(SQL("%s = ANY(%s)", COARSE[name], sorted(groups)))
    if not conditions:
        return {}
    cr.execute(
        SQL(
            """
            SELECT %(r)s, %(f)s, %(m)s, last_order_date, window_order_count, window_revenue, partner_id, %(cents)s
              FROM %(rows)s AS x
             WHERE %(ranked)s AND (%(conditions)s)
            """,
            r=COARSE["rfm_recency"],
            f=COARSE["rfm_frequency"],
            m=COARSE["rfm_monetary"],
            cents=CENTS,
            rows=rows,
            ranked=SQL(rules.RANKED_SQL),
            conditions=SQL(" OR ").join(conditions),
        )
    )
    fetched = {}
    for r, f, m, last_date, window_count, revenue, pid, cents in cr.fetchall():
        for name, group, value in (
            ("rfm_recency", r, last_date),
            ("rfm_frequency", f, window_count),
            ("rfm_monetary", m, revenue),
        ):
            if group in by_score.get(name, ()):
                fetched.setdefault((name, group), []).append((value, pid))
        if m in money_groups:
            fetched.setdefault(("abc", m), []).append((revenue, pid, cents))
    for key, members in fetched.items():
        if key[0] == "abc":
            members.sort(key=lambda row: (-row[0], row[1]))
        else:
            members.sort()
    return fetched


def _nth_of_big_group(cr, rows, name, group, offset):
    value = SQL.identifier(rules.SCORE_VALUES[name])
    cr.execute(
        SQL(
            "SELECT %(value)s, partner_id FROM %(rows)s AS x WHERE %(ranked)s AND %(coarse)s = %(group)s"
            " ORDER BY %(value)s, partner_id OFFSET %(offset)s LIMIT 1",
            value=value,
            rows=rows,
            ranked=SQL(rules.RANKED_SQL),
            coarse=COARSE[name],
            group=group,
            offset=offset - 1,
        )
    )
    return tuple(cr.fetchone())


def _big_money_group(cr, rows, group):
    cr.execute(
        SQL(
            "SELECT window_revenue, partner_id, %(cents)s FROM %(rows)s AS x"
            " WHERE %(ranked)s AND %(coarse)s = %(group)s ORDER BY window_revenue DESC, partner_id",
            cents=CENTS,
            rows=rows,
            ranked=SQL(rules.ABC_RANKED_SQL),
            coarse=COARSE["rfm_monetary"],
            group=group,
        )
    )
    return cr.fetchall()


# the columns of a client's row that its rankings read
RANKED_COLUMNS = (
    "partner_id",
    "last_order_date",
    "order_count",
    "discounted_order_count",
    "window_order_count",
    "window_revenue",
    "stage",
    "stage_manual",
)


def rankings_query(rows, cuts):
    """SELECT of the rows of ``rows`` (a relation with at least :data:`RANKED_COLUMNS`),
    their columns passed through, with the phase 2 values added: the RFM scores and
    segment, the ABC class and the persona suggestion. The scores are computed once per
    row (``OFFSET 0`` keeps the planner from inlining them into each reference)."""
    scores = SQL(", ").join(
        SQL("%s AS %s", rules.score_sql("x", name, cuts[name]), SQL.identifier(name)) for name in rules.SCORE_VALUES
    )
    return SQL(
        """
        SELECT y.*, %(segment)s AS rfm_segment, %(persona)s AS persona_suggested
          FROM (SELECT x.*, %(scores)s, %(abc)s AS abc_class FROM %(rows)s AS x OFFSET 0) y
        """,
        segment=rules.rfm_segment_sql(
            SQL("y.rfm_recency"), SQL("y.rfm_frequency"), SQL("y.rfm_monetary"), SQL("y.order_count")
        ),
        persona=rules.persona_sql("y", SQL("y.rfm_frequency")),
        abc=rules.abc_sql("x", cuts["abc"]),
        rows=rows,
        scores=scores,
    )


def misplaced_sql(alias, cuts):
    """Condition on the figures row ``alias``: its stored scores or class are not those
    the cuts give (a cheap test over the whole table: the scores alone)."""
    return SQL(
        "(%s, %s, %s, %s) IS DISTINCT FROM (%s, %s, %s, %s)",
        *(SQL.identifier(alias, name) for name in (*rules.SCORE_VALUES, "abc_class")),
        *(rules.score_sql(alias, name, cuts[name]) for name in rules.SCORE_VALUES),
        rules.abc_sql(alias, cuts["abc"]),
    )


def dump_cuts(cuts):
    """The cuts as JSON (kept per company: the next incremental run compares with them)."""

    def value(v):
        return v.isoformat() if isinstance(v, datetime.date) else v

    data = {name: [[value(v), pid] for v, pid in cuts[name]] for name in rules.SCORE_VALUES}
    data["abc"] = {klass: [value(line[0]), line[1]] if line else None for klass, line in cuts["abc"].items()}
    return json.dumps(data)


def load_cuts(text):
    """The cuts kept by :func:`dump_cuts`, or None."""
    if not text:
        return None
    data = json.loads(text)
    cuts = {name: [(v, pid) for v, pid in data.get(name, [])] for name in rules.SCORE_VALUES}
    cuts["rfm_recency"] = [(datetime.date.fromisoformat(v), pid) for v, pid in cuts["rfm_recency"]]
    cuts["abc"] = {klass: tuple(line) if line else None for klass, line in data.get("abc", {}).items()}
    return cuts


def moved_sql(alias, old, new):
    """Condition on the figures row ``alias``: its key lies between an old and a new cut,
    so its score or class may differ (the others pass the same number of cuts as before).
    None when the cuts cannot be compared (no old cuts, a score or class appeared or
    vanished): every row is then tested (:func:`misplaced_sql`)."""
    if not old:
        return None
    conditions = []
    for name in rules.SCORE_VALUES:
        if len(old[name]) != len(new[name]):
            return None
        key = SQL("(%s, %s)", SQL.identifier(alias, rules.SCORE_VALUES[name]), SQL.identifier(alias, "partner_id"))
        for before, after in zip(old[name], new[name]):
            if tuple(before) != tuple(after):
                low, high = sorted([tuple(before), tuple(after)])
                conditions.append(SQL("%s BETWEEN (%s, %s) AND (%s, %s)", key, *low, *high))
    key = SQL("(%s, %s)", SQL.identifier(alias, "window_revenue"), SQL.identifier(alias, "partner_id"))
    for klass in ("a", "b"):
        before, after = old["abc"].get(klass), new["abc"].get(klass)
        if bool(before) != bool(after):
            return None
        if before and tuple(before) != tuple(after):
            low, high = sorted([tuple(before), tuple(after)])
            conditions.append(SQL("%s BETWEEN (%s, %s) AND (%s, %s)", key, *low, *high))
    return SQL("(%s)", SQL(" OR ").join(conditions)) if conditions else SQL("FALSE")
