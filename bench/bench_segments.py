"""The first nightly run with user-defined segments, for bench.py (issue 32).

About twenty segments of the kinds marketers make (stages, warmth, RFM groups, order-count
and revenue bands, VIP, ABC), several memberships per client; measured in the same run as a
bare aggregate of the per-client figures into an unlogged table and the "aggregate + write"
baseline of bench.py:

- the first full run (engine + segments) on empty figures and memberships, with the
  segments' share and the membership rows written per second;
- the segments' refresh with nothing to change, and the whole nightly run with nothing changed;
- after bench.py's 1% change and next-day runs: the incremental refresh compared with a whole
  one (the memberships it would write: 0 when right).
"""

import time

from odoo.tools import SQL

PREFIX = "Bench: "
SEGMENTS = {
    "stage new": "[('client_stage', '=', 'new')]",
    "stage one-time": "[('client_stage', '=', 'one_time')]",
    "stage active": "[('client_stage', '=', 'active')]",
    "stage loyal": "[('client_stage', '=', 'loyal')]",
    "stage inactive or lost": "[('client_stage', 'in', ['inactive', 'lost'])]",
    "warmth cold": "[('client_warmth', '=', 'cold')]",
    "warmth warm": "[('client_warmth', '=', 'warm')]",
    "warmth hot": "[('client_warmth', '=', 'hot')]",
    "RFM champions and loyal": "[('client_rfm_segment', 'in', ['champions', 'loyal'])]",
    "RFM promising and new": "[('client_rfm_segment', 'in', ['potential_loyalist', 'new', 'promising'])]",
    "RFM at risk": "[('client_rfm_segment', 'in', ['need_attention', 'about_to_sleep', 'at_risk', 'cannot_lose'])]",
    "RFM hibernating and lost": "[('client_rfm_segment', 'in', ['hibernating', 'lost'])]",
    "orders: one": "[('client_order_count', '=', 1)]",
    "orders: 2 to 4": "[('client_order_count', '>=', 2), ('client_order_count', '<=', 4)]",
    "orders: 5 or more": "[('client_order_count', '>=', 5)]",
    "revenue under 1,000": "[('client_order_count', '>', 0), ('client_revenue', '<', 1000)]",
    "revenue 1,000 to 10,000": "[('client_revenue', '>=', 1000), ('client_revenue', '<', 10000)]",
    "revenue 10,000 or more": "[('client_revenue', '>=', 10000)]",
    "VIP": "[('client_is_vip', '=', True)]",
    "ABC class A or B": "[('client_abc_class', 'in', ['a', 'b'])]",
}


def ensure_segments(env):
    """The benchmark's segments (created once; the seeded ones stay, as on any base)."""
    Segment = env["clientbase.segment"].with_context(active_test=False)
    existing = set(Segment.search([("name", "=like", PREFIX + "%")]).mapped("name"))
    Segment.create(
        [
            {"name": PREFIX + name, "domain": domain}
            for name, domain in SEGMENTS.items()
            if PREFIX + name not in existing
        ]
    )
    env.cr.commit()
    return Segment.search([("active", "=", True)])


def bare_aggregate(cr):
    """The same per-client figures, bare: one CREATE UNLOGGED TABLE ... AS SELECT of count,
    sum, min and max of the confirmed orders per commercial entity."""
    cr.execute("DROP TABLE IF EXISTS bench_bare_aggregate")
    cr.execute(
        """
        CREATE UNLOGGED TABLE bench_bare_aggregate AS
        SELECT p.commercial_partner_id AS partner_id, COUNT(*) AS order_count, SUM(so.amount_untaxed) AS revenue,
               MIN(so.date_order) AS first_order, MAX(so.date_order) AS last_order
          FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
         WHERE so.state = 'sale'
         GROUP BY p.commercial_partner_id
        """
    )


def measure(env, cr, results, timed, stats):
    """One repetition of the measures (``timed`` of bench.py); ``stats`` gathers the
    memberships written and the segments' part of the first run."""
    figures = env["clientbase.client.figures"]
    cr.execute("TRUNCATE clientbase_client_figures, clientbase_segment_history, clientbase_segment_member")
    cr.execute("UPDATE clientbase_segment SET last_refresh = NULL")
    env.invalidate_all()

    def first_run():
        mode = figures._run_engine(full=True)
        assert mode == "full", mode
        start = time.time()
        deleted, inserted = figures._refresh_user_segments()
        stats.setdefault("segments seconds", []).append(time.time() - start)
        stats["memberships"] = inserted
        assert not deleted, deleted

    timed(cr, "first full run with user segments", first_run, results)
    start = time.time()
    computed = compute_only(env, cr)
    stats.setdefault("compute seconds", []).append(time.time() - start)
    assert computed == stats["memberships"], (computed, stats["memberships"])
    timed(cr, "bare aggregate into an unlogged table", lambda: bare_aggregate(cr), results)
    env.invalidate_all()

    def nothing_to_change():
        deleted, inserted = figures._refresh_user_segments()
        assert not (deleted or inserted), (deleted, inserted)

    timed(cr, "segments refresh, nothing to change", nothing_to_change, results)
    env.invalidate_all()
    timed(cr, "nightly run, nothing changed (engine + segments)", figures._recompute_all, results)


def compute_only(env, cr):
    """The first run's memberships computed as its refresh computes them (the same statements:
    the one pass per company in (segment, client) order, a query per other segment) and
    counted, not written: what writing adds is the rest of the segments' part.

    :return: the number of memberships"""
    from odoo.addons.clientbase_crm.segmentation import one_pass, planner  # noqa: PLC0415 (the addons path is set by then)

    segments = env["clientbase.segment"].search([("active", "=", True)])
    conditions, general = segments._get_one_pass_conditions()
    statements = [
        one_pass.members_select(env["res.partner"].sudo().with_company(company), by_segment)
        for company, by_segment in conditions.items()
    ]
    statements += [segment._get_member_query() for segment in general]
    total = 0
    with planner.settings(cr, {**planner.BASE, **planner.BULK}):
        for statement in statements:
            cr.execute(SQL("SELECT COUNT(*) FROM (%s) r", statement))
            total += cr.fetchone()[0]
    return total


def check_incremental(env, cr):
    """After an incremental refresh: what a whole refresh of every segment would still write
    (0 when the incremental one was right). Rolled back."""
    segments = env["clientbase.segment"].search([("active", "=", True)])
    deleted, inserted = segments._refresh_members()
    cr.rollback()
    env.invalidate_all()
    return deleted + inserted


def summary(results, stats, clients, peak):
    """Lines and ratios of the report: (measure rows, ratio rows)."""
    first = results["first full run with user segments"]["seconds"]
    bare = results["bare aggregate into an unlogged table"]["seconds"]
    write = results["bare-SQL baseline (aggregate + write)"]["seconds"]
    segments = min(stats["segments seconds"])
    rows = stats["memberships"]
    rows_per_second = rows / segments if segments else 0
    nothing = results["segments refresh, nothing to change"]["seconds"]
    # the same repetition's computing alone (the best first run's, when there are several)
    best = stats["segments seconds"].index(segments)
    computing = stats["compute seconds"][best] if len(stats.get("compute seconds", [])) > best else 0
    writing = max(segments - computing, 1e-9)
    lines = [
        ("memberships written by the first run", f"{rows:,} ({rows / clients:.1f} per client)"),
        ("segments' part of the first run (best)", f"{segments:.2f} s"),
        ("membership rows/s (first run)", f"{rows_per_second:,.0f} (target >= 300,000)"),
        (
            "of which computing them alone, same run",
            f"{computing:.2f} s; writing adds {writing:.2f} s ({rows / writing:,.0f} rows/s;"
            f" written / computed {segments / computing if computing else 0:.2f}x)",
        ),
        ("segments refresh with nothing to change", f"{nothing:.3f} s (target < 0.2 s at M, < 2 s at L)"),
        ("wrong memberships after the incremental refresh", str(stats.get("wrong", "n/a"))),
        ("peak RSS", f"{peak:.0f} MB (target <= 300 MB)"),
    ]
    ratios = [
        (
            "first run with user segments / bare aggregate",
            first / bare if bare else 0,
            "target <= 8 at M, <= 3 at L",
        ),
        ("first run with user segments / aggregate + write", first / write if write else 0, "target <= 1.5"),
    ]
    return lines, ratios
