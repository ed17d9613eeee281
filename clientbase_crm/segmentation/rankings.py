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
# what the two passes over the ranked rows read: their groups, their cents, which rows
GROUP_COLUMNS = {
    "r": COARSE["rfm_recency"],
    "f": COARSE["rfm_frequency"],
    "m": COARSE["rfm_monetary"],
    "cents": CENTS,
    "ranked": rules.RANKED_SQL,
}


def find_cuts(cr, rows, t):
    """The quintile ends of each RFM score and the ABC lines of the clients of ``rows``
    (a relation with the figures' columns, one company's clients).

    :return: ``{score: [(value, partner_id), ...], "abc": {"a": (revenue, partner_id) or None, "b": ...},
        "counts": {score: clients ranked}, "abc_total": revenue in cents, "abc_before": {"a": cents
        before the line, ...}}``
    """
    cr.execute(
        SQL(
            """
            SELECT %(r)s AS r, %(f)s AS f, %(m)s AS m, COUNT(*), SUM(%(cents)s) FILTER (WHERE window_revenue > 0)
              FROM %(rows)s AS x
             WHERE %(ranked)s
             GROUP BY GROUPING SETS ((1), (2), (3))
            """,
            rows=rows,
            **GROUP_COLUMNS,
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
    cuts["abc_before"] = {}
    for klass, (group, before, target) in abc_wanted.items():
        members = fetched.get(("abc", group))
        if members is None:
            members = _big_money_group(cr, rows, group)
        last = last_before = None
        for value, pid, cents in members:
            if before >= target:
                break
            last, last_before = (value, pid), before
            before += cents
        cuts["abc"][klass] = last
        cuts["abc_before"][klass] = last_before
    # what the next incremental run shifts the cuts from (see shift_cuts)
    cuts["counts"] = {name: sum(count for _group, count in histograms[name]) for name in COARSE}
    cuts["abc_total"] = total_cents
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
            rows=rows,
            conditions=SQL(" OR ").join(conditions),
            **GROUP_COLUMNS,
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
            ranked=rules.RANKED_SQL,
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
            ranked=rules.ABC_RANKED_SQL,
            coarse=COARSE["rfm_monetary"],
            group=group,
        )
    )
    return cr.fetchall()


# the columns of a client's row that its rankings read
RANKED_COLUMNS = (
    "partner_id",
    "first_order_date",
    "last_order_date",
    "order_count",
    "discounted_order_count",
    "window_order_count",
    "window_revenue",
    "open_opportunity_count",
    "last_engagement_date",
    "order_season_strength",
    "stage",
    "stage_manual",
)


def rankings_query(rows, cuts):
    """SELECT of the rows of ``rows`` (a relation with at least :data:`RANKED_COLUMNS`),
    their columns passed through, with the phase 2 values added: the RFM scores and
    segment, the ABC class and the persona suggestion. The scores are computed once per
    row (``OFFSET 0`` keeps the planner from inlining them into each reference)."""
    scores = SQL(", ").join(
        SQL("%s AS %s", rules.score_sql("x", name, cuts[name]), SQL.identifier(name))
        for name in rules.SCORE_VALUES
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
    data["counts"] = cuts["counts"]
    data["abc_total"] = cuts["abc_total"]
    data["abc_before"] = cuts["abc_before"]
    return json.dumps(data)


def load_cuts(text):
    """The cuts kept by :func:`dump_cuts`, or None."""
    if not text:
        return None
    data = json.loads(text)
    cuts = {name: [(v, pid) for v, pid in data.get(name, [])] for name in rules.SCORE_VALUES}
    cuts["rfm_recency"] = [(datetime.date.fromisoformat(v), pid) for v, pid in cuts["rfm_recency"]]
    cuts["abc"] = {klass: tuple(line) if line else None for klass, line in data.get("abc", {}).items()}
    if "counts" not in data:
        return None  # kept by an earlier version
    cuts["counts"] = data["counts"]
    cuts["abc_total"] = data["abc_total"]
    cuts["abc_before"] = data["abc_before"]
    return cuts


def moved_conditions(alias, old, new):
    """Conditions on the figures row ``alias``, one per cut that moved: its key lies
    between the old and the new cut, so its score or class may differ (the others pass
    the same number of cuts as before). Each is a range of one ranking's index. None when
    the cuts cannot be compared (no old cuts, a score or class appeared or vanished):
    every row is then tested (:func:`misplaced_sql`)."""
    if not old:
        return None
    conditions = []
    ranked = SQL("%s > 0", SQL.identifier(alias, "window_order_count"))
    for name in rules.SCORE_VALUES:
        if len(old[name]) != len(new[name]):
            return None
        key = SQL(
            "(%s, %s)", SQL.identifier(alias, rules.SCORE_VALUES[name]), SQL.identifier(alias, "partner_id")
        )
        for before, after in zip(old[name], new[name], strict=True):
            if tuple(before) != tuple(after):
                low, high = sorted([tuple(before), tuple(after)])
                conditions.append(SQL("%s AND %s BETWEEN (%s, %s) AND (%s, %s)", ranked, key, *low, *high))
    key = SQL("(-%s, %s)", SQL.identifier(alias, "window_revenue"), SQL.identifier(alias, "partner_id"))
    for klass in ("a", "b"):
        before, after = old["abc"].get(klass), new["abc"].get(klass)
        if bool(before) != bool(after):
            return None
        if before and tuple(before) != tuple(after):
            low, high = sorted([(-before[0], before[1]), (-after[0], after[1])])
            conditions.append(
                SQL(
                    "%s AND %s > 0 AND %s BETWEEN (%s, %s) AND (%s, %s)",
                    ranked,
                    SQL.identifier(alias, "window_revenue"),
                    key,
                    *low,
                    *high,
                )
            )
    return conditions


# --- shifting the cuts: an incremental run moves them by the few clients that changed ---
# the columns of a client's keys, as ranking_keys() returns them
KEY_COLUMNS = ("partner_id", "last_order_date", "window_order_count", "window_revenue")
KEY_INDEX = {"rfm_recency": 1, "rfm_frequency": 2, "rfm_monetary": 3}
# an ABC line further than this from where it was is found by counting again
MAX_WALK = 20000
WALK_BATCH = 1000


def ranking_keys(cr, company_id, partners):
    """The keys ``(partner_id, last_order_date, window_order_count, window_revenue, cents)``
    of the ranked clients of the company among ``partners`` (a relation with partner_id)."""
    cr.execute(
        SQL(
            "SELECT f.partner_id, f.last_order_date, f.window_order_count, f.window_revenue,"
            " ROUND(f.window_revenue * 100) FROM %s b JOIN clientbase_client_figures f"
            " ON f.partner_id = b.partner_id AND f.company_id = %s WHERE f.window_order_count > 0",
            partners,
            company_id,
        )
    )
    return cr.fetchall()


def _key(row, name):
    return (row[KEY_INDEX[name]], row[0])


def _abc_before(row, line):
    """Whether the client ``row`` comes before the key ``line`` in the ABC order
    (revenue descending, partner id ascending)."""
    return row[3] > line[0] or (row[3] == line[0] and row[0] < line[1])


def shift_cuts(cr, company_id, old, removed, added, t):
    """The cuts of the company after the clients ``removed`` (their keys before the run)
    were replaced by ``added`` (their keys now), from the ``old`` cuts: a rank is known
    at each old cut (its position then, minus the changed clients before it, plus the
    new ones), so the new cut is a few steps away, read through the rankings' indexes.
    Returns None when the cuts must be found by counting (:func:`find_cuts`)."""
    if not old:
        return None
    cuts = {"abc": {}, "abc_before": {}, "counts": {}}
    for name in rules.SCORE_VALUES:
        count_old = old["counts"].get(name, 0)
        count = count_old - len(removed) + len(added)
        if count_old < rules.TILES or count < rules.TILES or len(old[name]) != rules.TILES - 1:
            return None
        ends_old, ends = rules.tile_ends(count_old), rules.tile_ends(count)
        cuts["counts"][name] = count
        cuts[name] = []
        for j, end in enumerate(old[name]):
            end = tuple(end)
            rank = (
                ends_old[j]
                - sum(1 for row in removed if _key(row, name) <= end)
                + sum(1 for row in added if _key(row, name) <= end)
            )
            new_end = _step(cr, company_id, name, end, ends[j] - rank)
            if new_end is None:
                return None
            cuts[name].append(new_end)
    removed_abc = [row for row in removed if row[3] > 0]
    added_abc = [row for row in added if row[3] > 0]
    total = old["abc_total"] - sum(row[4] for row in removed_abc) + sum(row[4] for row in added_abc)
    cuts["abc_total"] = total
    for klass, share in (("a", t["a_share"]), ("b", t["b_share"])):
        line, before = old["abc"].get(klass), old["abc_before"].get(klass)
        if not line or before is None:
            return None
        line = tuple(line)
        before = (
            before
            - sum(row[4] for row in removed_abc if _abc_before(row, line))
            + sum(row[4] for row in added_abc if _abc_before(row, line))
        )
        found = _walk_abc(cr, company_id, line, before, share * total)
        if found is None:
            return None
        cuts["abc"][klass], cuts["abc_before"][klass] = found
    return cuts


def _step(cr, company_id, name, end, steps):
    """The key ``steps`` clients after the key ``end`` in the ranking ``name`` (0: the last
    key at or before ``end``; negative: before it), through the ranking's index."""
    value = SQL.identifier(rules.SCORE_VALUES[name])
    if steps > 0:
        condition, order, offset = SQL(">"), SQL("ASC"), steps - 1
    else:
        condition, order, offset = SQL("<="), SQL("DESC"), -steps
    cr.execute(
        SQL(
            "SELECT %(value)s, partner_id FROM clientbase_client_figures"
            " WHERE company_id = %(company)s AND window_order_count > 0"
            " AND (%(value)s, partner_id) %(condition)s (%(end_value)s, %(end_pid)s)"
            " ORDER BY company_id, %(value)s %(order)s, partner_id %(order)s OFFSET %(offset)s LIMIT 1",
            value=value,
            company=company_id,
            condition=condition,
            end_value=end[0],
            end_pid=end[1],
            order=order,
            offset=offset,
        )
    )
    row = cr.fetchone()
    return tuple(row) if row else None


def _walk_abc(cr, company_id, line, before, target):
    """The new ABC line from the old one (``line``; ``before``: the revenue now before that
    key): the last client, in descending revenue, whose revenue before it is below
    ``target``. Returns ``(line, revenue before it)`` or None (too far: count again)."""
    walked = 0
    if before < target:
        # forward, from the key on: each client still below the target is the line so far
        # the client just before the key is the line unless one after it is
        previous = _abc_rows(cr, company_id, line, backward=True, limit=1)
        found = (previous[0][:2], before - previous[0][2]) if previous else None
        last = line
        first = True
        while walked < MAX_WALK:
            rows = _abc_rows(cr, company_id, last, inclusive=first)
            first = False
            for revenue, pid, cents in rows:
                if before >= target:
                    return found
                found = ((revenue, pid), before)
                before += cents
                last = (revenue, pid)
            walked += len(rows)
            if len(rows) < WALK_BATCH:
                return found
        return None
    # backward: the first client before the key whose revenue before it is below the target
    last = line
    while walked < MAX_WALK:
        rows = _abc_rows(cr, company_id, last, backward=True)
        for revenue, pid, cents in rows:
            before -= cents
            if before < target:
                return ((revenue, pid), before)
            last = (revenue, pid)
        walked += len(rows)
        if len(rows) < WALK_BATCH:
            return None
    return None


# the ABC order as one ascending key, which the ABC index holds: (-revenue, partner id)
ABC_KEY = SQL("(-window_revenue, partner_id)")


def _abc_rows(cr, company_id, key, inclusive=False, backward=False, limit=WALK_BATCH):
    """Up to ``limit`` clients after ``key`` in the ABC order (before it: ``backward``)."""
    # as row comparisons on the index's key, so that the walk starts where the key is
    if backward:
        position = SQL("%s < (%s, %s)", ABC_KEY, -key[0], key[1])
        order = SQL("-window_revenue DESC, partner_id DESC")
    else:
        position = SQL("%s %s (%s, %s)", ABC_KEY, SQL(">=" if inclusive else ">"), -key[0], key[1])
        order = SQL("-window_revenue ASC, partner_id ASC")
    cr.execute(
        SQL(
            "SELECT window_revenue, partner_id, ROUND(window_revenue * 100) FROM clientbase_client_figures"
            " WHERE company_id = %s AND window_order_count > 0 AND window_revenue > 0 AND %s"
            " ORDER BY %s LIMIT %s",
            company_id,
            position,
            order,
            limit,
        )
    )
    return cr.fetchall()
