"""Segmentation benchmark: run by bench/bench.sh on a database with clientbase_crm installed.

Generates clients and orders in PostgreSQL (generate_series, skewed distributions), then
measures in one run: our full recompute (first population), the nightly incremental run after
1% of the clients changed (orders added, cancelled and re-priced, interactions logged, a value
set by hand), the run of the next day with nothing else changed, a run with nothing changed,
the refresh of the user-defined segments, a bare-SQL baseline (one aggregate written into a
narrow table) and a naive ORM loop (per-client search and write; S and M only, timed on a
sample and extrapolated).
Then times the screens of a salesperson (who manages every 10th client) and of a head of sales,
through the web client's own calls: the Clients list, the stage and warmth funnels' columns, a
search and a figure filter, over the whole base and over "my clients".
Prints times, clients/s, ratios, SQL query counts and peak memory; writes bench/results/results-<SIZE>.md.
``--screens-only`` measures the screens alone (after one recompute), on a database of any version.
"""

import argparse
import datetime
import os
import platform
import resource
import statistics
import sys
import time

import psycopg2
from bench_journeys import journeys_section, measure_journeys

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import config
from odoo.tools.safe_eval import safe_eval

SIZES = {"S": (10_000, 100_000), "M": (100_000, 1_000_000), "L": (1_000_000, 10_000_000)}
NAIVE_SAMPLE = {"S": 1_000, "M": 2_000}


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def next_ids(cr, table, count):
    """Reserve ``count`` ids of ``table``: returns the first one, the sequence moves past them."""
    cr.execute(f"SELECT GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), nextval('{table}_id_seq')) + 1")
    first = cr.fetchone()[0]
    cr.execute(f"SELECT setval('{table}_id_seq', %s)", (first + count,))
    return first


def generate(cr, clients, lines):
    """Clients (half companies), ~lines/3 orders skewed towards a few heavy buyers
    (client = N * u^2), dates skewed to recent years, log-normal-ish amounts,
    85% confirmed / 10% cancelled / 5% quotations, 3 lines per order, 20% discounted."""
    orders = lines // 3
    first_partner = next_ids(cr, "res_partner", clients)
    cr.execute(
        """
        INSERT INTO res_partner (id, name, complete_name, active, is_company, type, autopost_bills,
                                 partner_share, create_date, write_date)
        SELECT %s + g, 'Bench client ' || g, 'Bench client ' || g, TRUE, g %% 2 = 0, 'contact', 'ask',
               TRUE, now(), now()
          FROM generate_series(0, %s - 1) g
        """,
        (first_partner, clients),
    )
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE id >= %s", (first_partner,))
    cr.execute("SELECT id FROM res_company ORDER BY id LIMIT 1")
    company = cr.fetchone()[0]
    cr.execute("SELECT currency_id FROM res_company WHERE id = %s", (company,))
    currency = cr.fetchone()[0]
    first_order = next_ids(cr, "sale_order", orders)
    cr.execute(
        """
        INSERT INTO sale_order (id, name, partner_id, partner_invoice_id, partner_shipping_id, company_id,
                                currency_id, currency_rate, date_order, state, amount_untaxed, amount_tax,
                                amount_total, create_date, write_date)
        SELECT %(first_order)s + g - 1, 'BENCH/' || g, pid, pid, pid, %(company)s, %(currency)s, 1.0,
               now() - interval '1 day' * (power(random(), 1.6) * 1500),
               CASE WHEN r < 0.85 THEN 'sale' WHEN r < 0.95 THEN 'cancel' ELSE 'draft' END,
               amt, 0, amt, now(), now()
          FROM (
              SELECT g, %(first)s + floor(%(clients)s * power(random(), 2))::int AS pid, random() AS r,
                     round((exp(random() * 5) * 10)::numeric, 2) AS amt
                FROM generate_series(1, %(orders)s) g
          ) s
        """,
        {
            "company": company,
            "currency": currency,
            "first": first_partner,
            "clients": clients,
            "orders": orders,
            "first_order": first_order,
        },
    )
    cr.execute(
        """
        INSERT INTO sale_order_line (order_id, name, product_uom_qty, price_unit, customer_lead, discount,
                                     company_id, currency_id, create_date, write_date)
        SELECT %(first)s + (g %% %(orders)s), 'Bench line', 1, 10, 0,
               CASE WHEN random() < 0.2 THEN 10 ELSE 0 END, %(company)s, %(currency)s, now(), now()
          FROM generate_series(0, %(lines)s - 1) g
        """,
        {"first": first_order, "orders": orders, "lines": lines, "company": company, "currency": currency},
    )
    # the orders' stored "has a discounted line" flag, as the ORM computes it
    cr.execute(
        "UPDATE sale_order SET client_discounted = TRUE WHERE id IN ("
        " SELECT order_id FROM sale_order_line WHERE discount > 0 AND order_id >= %s)",
        (first_order,),
    )
    cr.execute("ANALYZE res_partner; ANALYZE sale_order; ANALYZE sale_order_line")
    return first_partner


def generated(cr, clients):
    """First id of the clients generated by an earlier run of this size, or None."""
    cr.execute(
        "SELECT MIN(id), COUNT(*) FROM res_partner WHERE name LIKE 'Bench client %%' AND id >= ("
        " SELECT id FROM res_partner WHERE name = 'Bench client 0' ORDER BY id DESC LIMIT 1)"
    )
    first, count = cr.fetchone()
    return first if count == clients else None


def vacuum(db):
    """VACUUM ANALYZE the generated tables (outside a transaction), so that no measure pays
    for setting the hint bits and visibility map of the freshly generated rows: without
    it, whichever measure reads the orders first (our full recompute) rewrites every page."""
    _name, params = odoo.sql_db.connection_info_for(db)
    conn = psycopg2.connect(**params)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE res_partner, sale_order, sale_order_line")
    finally:
        conn.close()


def timed(cr, label, func, results):
    """Run ``func`` in its own transaction; keep the best time of the repetitions."""
    cr.commit()
    queries = cr.sql_log_count
    start = time.time()
    func()
    cr.commit()
    elapsed = time.time() - start
    result = results.setdefault(
        label, {"seconds": elapsed, "queries": cr.sql_log_count - queries, "runs": []}
    )
    result["runs"].append(elapsed)
    result["seconds"] = min(result["runs"])
    print(f"{label:<40} {elapsed:9.2f} s  {cr.sql_log_count - queries:>7} queries", flush=True)
    return elapsed


def baseline(cr):
    cr.execute(
        """
        CREATE TABLE IF NOT EXISTS bench_baseline (
            partner_id int PRIMARY KEY, order_count int, first_order date, last_order date, revenue numeric)
        """
    )
    cr.execute("TRUNCATE bench_baseline")
    cr.execute(
        """
        INSERT INTO bench_baseline
        SELECT p.commercial_partner_id, COUNT(*), MIN(so.date_order)::date, MAX(so.date_order)::date,
               SUM(so.amount_untaxed)
          FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
         WHERE so.state = 'sale'
         GROUP BY p.commercial_partner_id
        """
    )


def change_one_percent(cr, first_partner, clients, repetition):
    """Change 1% of the clients by SQL (the change tracking sees every door), a different
    1% at each repetition: 40% get a new confirmed order, 20% an order cancelled, 20% an
    order re-priced, 10% an interaction logged (no input of the figures: it must cost
    nothing), 10% a stage set by hand."""
    step = 100
    offset = repetition % step
    # every statement takes parameters, so that "%%" is the modulo operator in all of them
    picked = f"p.id >= {first_partner} AND (p.id - {first_partner}) %% {step} = {offset}"
    company = "(SELECT id FROM res_company ORDER BY id LIMIT 1)"
    counts = {}
    cr.execute(
        f"""
        INSERT INTO sale_order (name, partner_id, partner_invoice_id, partner_shipping_id, company_id, currency_id,
                                currency_rate, date_order, state, amount_untaxed, amount_tax, amount_total,
                                create_date, write_date)
        SELECT 'BENCH/new', p.id, p.id, p.id, c.id, c.currency_id, 1.0, now(), 'sale', 120, 0, 120, now(), now()
          FROM res_partner p, (SELECT id, currency_id FROM res_company ORDER BY id LIMIT 1) c
         WHERE {picked} AND (p.id / {step}) %% 10 < %s
        """,
        (4,),
    )
    counts["orders added"] = cr.rowcount
    for label, bucket, change in (
        ("orders cancelled", (4, 5), "state = 'cancel'"),
        ("orders re-priced", (6, 7), "amount_untaxed = amount_untaxed * 1.1"),
    ):
        cr.execute(
            f"""
            UPDATE sale_order SET {change} WHERE id IN (
                SELECT DISTINCT ON (so.partner_id) so.id FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                 WHERE {picked} AND (p.id / {step}) %% 10 IN %s AND so.state = 'sale'
                 ORDER BY so.partner_id, so.id)
            """,
            (bucket,),
        )
        counts[label] = cr.rowcount
    cr.execute(
        f"""
        INSERT INTO clientbase_interaction (client_id, kind, date, note, user_id, company_id, create_date,
                                            write_date)
        SELECT p.id, 'outgoing_call', now(), 'Bench call', 1, {company}, now(), now()
          FROM res_partner p WHERE {picked} AND (p.id / {step}) %% 10 = %s
        """,
        (8,),
    )
    counts["interactions logged"] = cr.rowcount
    cr.execute(
        f"""
        UPDATE clientbase_client_figures SET stage_manual = CASE WHEN stage_manual IS NULL THEN 'loyal' END
         WHERE partner_id IN (SELECT p.id FROM res_partner p WHERE {picked} AND (p.id / {step}) %% 10 = %s)
        """,
        (9,),
    )
    counts["stages set by hand"] = cr.rowcount
    cr.commit()
    return counts


def naive_loop(env, partner_ids):
    """What a straightforward ORM implementation does: per client, search its orders and write."""
    figures = env["clientbase.client.figures"]
    for partner in env["res.partner"].browse(partner_ids):
        orders = env["sale.order"].search([("partner_id", "child_of", partner.id), ("state", "=", "sale")])
        vals = {
            "order_count": len(orders),
            "revenue": sum(orders.mapped("amount_untaxed")),
            "first_order_date": min(orders.mapped("date_order")).date() if orders else False,
            "last_order_date": max(orders.mapped("date_order")).date() if orders else False,
        }
        row = figures.search([("partner_id", "=", partner.id), ("company_id", "=", env.company.id)])
        if row:
            row.write(vals)
        else:
            figures.create(dict(vals, partner_id=partner.id, company_id=env.company.id))
        env.flush_all()
        env.invalidate_all()


SCREEN_FIELDS = (
    "display_name",
    "email",
    "phone",
    "user_id",
    "client_stage",
    "client_warmth",
    "client_revenue",
    "client_is_vip",
    "client_birthday",
)


def screen_users(env, first_partner):
    """A salesperson managing every 10th generated client, and a head of sales."""
    Users = env["res.users"].with_context(no_reset_password=True)
    users = {}
    for login, group in (
        ("bench_salesperson", "clientbase_crm.group_clientbase_user"),
        ("bench_head_of_sales", "clientbase_crm.group_clientbase_manager"),
    ):
        user = Users.search([("login", "=", login)])
        if not user:
            user = Users.create(
                {
                    "name": login,
                    "login": login,
                    "groups_id": [(6, 0, [env.ref("base.group_user").id, env.ref(group).id])],
                }
            )
        users[login] = user
    env.cr.execute(
        "UPDATE res_partner SET user_id = %s WHERE id >= %s AND id %% 10 = 0 AND user_id IS NULL",
        (users["bench_salesperson"].id, first_partner),
    )
    env.cr.execute("ANALYZE res_partner")
    return users


def screens(env, user, cr, results, label):
    """The calls the web client makes to open the client base's screens, as ``user``."""
    Partner = env["res.partner"].with_user(user)
    spec = {name: {} for name in SCREEN_FIELDS if name in Partner._fields}
    spec["user_id"] = {"fields": {"display_name": {}}}
    for scope, domain in (("whole base", []), ("my clients", [("user_id", "=", user.id)])):
        calls = {
            "Clients list (80 rows + count)": lambda d=domain: Partner.web_search_read(
                d, spec, limit=80, order="name"
            ),
            "stage funnel columns": lambda d=domain: Partner.web_read_group(
                d, ["client_revenue:sum"], ["client_stage"]
            ),
            "warmth funnel columns": lambda d=domain: Partner.web_read_group(
                d, ["client_revenue:sum"], ["client_warmth"]
            ),
            "search (name contains '12')": lambda d=domain: Partner.web_search_read(
                d + [("name", "ilike", "12")], spec, limit=80
            ),
            "figure filter (revenue > 1000)": lambda d=domain: Partner.search_count(
                d + [("client_revenue", ">", 1000)]
            ),
        }
        for name, call in calls.items():
            env.invalidate_all()
            timed(cr, f"{label}, {scope}: {name}", call, results)
    # the Clients Analysis action (and the dashboard's charts over the clients) opens on the
    # action's domain, and on My Clients for a salesperson (ir.actions.act_window._get_action_dict)
    action = env.ref("clientbase_crm.res_partner_action_clientbase_analysis")
    analysis = safe_eval(action.domain or "[]")
    scopes = {"whole base": analysis}
    if not user.has_group("clientbase_crm.group_clientbase_manager"):
        scopes = {"as it opens (My Clients)": analysis + [("user_id", "=", user.id)], **scopes}
    for scope, domain in scopes.items():
        client_reports = {
            "Clients Analysis pivot (stage x revenue, orders, average order)": lambda d=domain: (
                Partner.web_read_group(
                    d,
                    ["client_revenue:sum", "client_order_count:sum", "client_average_order:avg"],
                    ["client_stage"],
                )
            ),
            "Clients by RFM segment (dashboard pie)": lambda d=domain: Partner.web_read_group(
                d, ["__count"], ["client_rfm_segment"]
            ),
        }
        for name, call in client_reports.items():
            env.invalidate_all()
            timed(cr, f"{label}, {scope}: {name}", call, results)
    reports = {
        "Growth and Churn pivot (month x measures)": lambda: (
            env["clientbase.report.monthly"]
            .with_user(user)
            .web_read_group(
                [],
                ["new_clients:sum", "won_back:sum", "became_inactive:sum", "lost:sum", "churn_rate:avg"],
                ["month:month"],
            )
        ),
        "Cohorts pivot (cohort x months since, retention)": lambda: (
            env["clientbase.report.cohort"]
            .with_user(user)
            .read_group([], ["retention:avg"], ["cohort:month", "months_since"], lazy=False)
        ),
        "Acquisition Channels pivot (channel x measures)": lambda: (
            env["clientbase.report.channel"]
            .with_user(user)
            .web_read_group(
                [], ["leads:sum", "new_clients:sum", "conversion:avg", "cac:avg", "roi:avg"], ["channel_id"]
            )
        ),
        "Mailing Responses pivot (segment x warmth)": lambda: (
            env["clientbase.report.mailing"]
            .with_user(user)
            .read_group(
                [], ["sent:sum", "open_rate:avg", "order_rate:avg"], ["rfm_segment", "warmth"], lazy=False
            )
        ),
    }
    for name, call in reports.items():
        env.invalidate_all()
        timed(cr, f"{label}: {name}", call, results)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--size", choices=SIZES, default="S")
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of every measure; the best time of each is reported"
    )
    parser.add_argument("--screens-only", action="store_true", help="measure the screens alone")
    parser.add_argument("--no-journeys", action="store_true", help="leave the journeys' measures out")
    args = parser.parse_args()
    config.parse_config(["-d", args.db, f"--addons-path={args.addons_path}", "--log-level=warn"])
    clients, lines = SIZES[args.size]
    registry = odoo.modules.registry.Registry(args.db)
    results = {}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        first_partner = generated(cr, clients)
        if first_partner:
            generation = 0.0
            print(f"Reusing the {clients} clients generated earlier", flush=True)
            # as the ORM stores it for a partner without a user (generated by earlier versions without)
            cr.execute(
                "UPDATE res_partner SET partner_share = TRUE WHERE partner_share IS NULL AND id >= %s",
                (first_partner,),
            )
            cr.commit()
            vacuum(args.db)  # the dead rows of earlier runs' changes
        else:
            print(f"Generating {clients} clients and {lines} order lines ...", flush=True)
            start = time.time()
            first_partner = generate(cr, clients, lines)
            cr.commit()
            vacuum(args.db)
            generation = time.time() - start
            print(f"generated in {generation:.1f} s", flush=True)
        cr.execute("SELECT COUNT(*) FROM sale_order WHERE state = 'sale'")
        confirmed = cr.fetchone()[0]
        figures = env["clientbase.client.figures"]
        if args.screens_only:
            figures._recompute_all()
            cr.commit()
            users = screen_users(env, first_partner)
            cr.commit()
            for _repetition in range(args.repeat):
                screens(env, users["bench_salesperson"], cr, results, "salesperson")
                screens(env, users["bench_head_of_sales"], cr, results, "head of sales")
            write_screens(args, results)
            return

        def run(expected):
            def call():
                mode = figures._run_engine(full=expected == "full")
                assert mode == expected, f"the run was {mode}, not {expected}"

            return call

        changed = {}
        for repetition in range(1, args.repeat + 1):
            print(f"-- run {repetition} of {args.repeat}", flush=True)
            cr.execute("TRUNCATE clientbase_client_figures, clientbase_segment_history")
            env.invalidate_all()
            timed(cr, "full recompute (ours)", run("full"), results)
            env.invalidate_all()
            timed(cr, "re-run, nothing changed", run("none"), results)
            changed = change_one_percent(cr, first_partner, clients, repetition)
            cr.execute("SELECT COALESCE(max(id), 0) FROM clientbase_segment_history")
            before_one_percent = cr.fetchone()[0]
            env.invalidate_all()
            timed(cr, "re-run after 1% of clients changed", run("incremental"), results)
            # the last complete run was yesterday: the days' movers, nothing else changed
            cr.execute(
                "UPDATE res_company SET client_segment_done_date = client_segment_done_date - 1,"
                " client_segment_run_date = client_segment_run_date - 1"
            )
            env.invalidate_all()
            timed(cr, "next day, nothing else changed", run("incremental"), results)
            timed(cr, "user-defined segments refresh", figures._refresh_user_segments, results)
            timed(cr, "bare-SQL baseline (aggregate + write)", lambda: baseline(cr), results)
            timed(
                cr,
                "reports refresh (snapshot, growth, churn, cohorts, channels, mailings, forecast)",
                env["clientbase.report.monthly"]._cron_refresh,
                results,
            )
        cr.execute("SELECT COUNT(*) FROM clientbase_client_figures")
        rows = cr.fetchone()[0]
        journey_facts = {}
        if not args.no_journeys:
            journey_facts = measure_journeys(
                env, cr, first_partner, clients, before_one_percent, args.repeat, timed, results
            )
        naive = None
        if args.size in NAIVE_SAMPLE:
            sample = NAIVE_SAMPLE[args.size]
            cr.execute(
                "SELECT id FROM res_partner WHERE id >= %s ORDER BY id LIMIT %s", (first_partner, sample)
            )
            ids = [r[0] for r in cr.fetchall()]
            elapsed = timed(
                cr, f"naive ORM loop ({sample} client sample)", lambda: naive_loop(env, ids), results
            )
            naive = elapsed * clients / sample
            print(f"{'naive ORM loop, extrapolated':<40} {naive:9.2f} s", flush=True)
        users = screen_users(env, first_partner)
        cr.commit()
        screen_results = {}
        for _repetition in range(args.repeat):
            screens(env, users["bench_salesperson"], cr, screen_results, "salesperson")
            screens(env, users["bench_head_of_sales"], cr, screen_results, "head of sales")
        peak = peak_rss_mb()
    full = results["full recompute (ours)"]["seconds"]
    base = results["bare-SQL baseline (aggregate + write)"]["seconds"]
    full_median = statistics.median(results["full recompute (ours)"]["runs"])
    base_median = statistics.median(results["bare-SQL baseline (aggregate + write)"]["runs"])

    def share(label):
        return results[label]["seconds"] / full if full else 0

    ratios = [
        ("full / bare-SQL baseline", full / base if base else 0, "target <= 2"),
        (
            "same, medians of the runs",
            full_median / base_median if base_median else 0,
            "for the noise: best times above",
        ),
        ("after 1% changed / full", share("re-run after 1% of clients changed"), "target <= 0.25"),
        ("next day, no change / full", share("next day, nothing else changed"), "target <= 0.1"),
        ("nothing changed / full", share("re-run, nothing changed"), "target <= 0.05"),
    ]
    if naive:
        ratios.append(("naive ORM (extrapolated) / full", naive / full if full else 0, "target > 50"))
    print(f"peak RSS of the Odoo process: {peak:.0f} MB")
    for name, value, target in ratios:
        print(f"{name:<40} {value:9.2f}   ({target})")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as out:
        out.write(f"# Segmentation benchmark, size {args.size}\n\n")
        out.write(
            f"{datetime.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, {os.cpu_count()} CPU(s), "
            f"Python {sys.version.split()[0]}. {clients} clients, {lines} order lines "
            f"({confirmed} confirmed orders), {rows} figures rows; "
            + (
                f"data generated in {generation:.1f} s; "
                if generation
                else "data generated by an earlier run; "
            )
            + "1% change = "
            + ", ".join(f"{count} {what}" for what, count in changed.items())
            + f". Every measure ran {args.repeat} time(s)"
            " in the same session; the table gives the best time, then every run's.\n\n"
        )
        out.write(
            "| measure | seconds | clients/s | SQL queries | all runs (s) |\n|---|---:|---:|---:|---|\n"
        )
        for label, res in results.items():
            seconds = res["seconds"]
            count = NAIVE_SAMPLE.get(args.size, clients) if label.startswith("naive") else clients
            runs = ", ".join(f"{run:.2f}" for run in res["runs"])
            out.write(
                f"| {label} | {seconds:.2f} | {count / seconds if seconds else 0:,.0f} | {res['queries']}"
                f" | {runs} |\n"
            )
        if naive:
            out.write(
                f"| naive ORM loop, extrapolated to {clients} clients | {naive:.1f} | "
                f"{clients / naive:,.0f} | | |\n"
            )
        out.write("\n| ratio | value | target |\n|---|---:|---|\n")
        for name, value, target in ratios:
            out.write(f"| {name} | {value:.2f} | {target} |\n")
        out.write(f"\nPeak RSS of the Odoo process: {peak:.0f} MB.\n")
        if journey_facts:
            out.write(journeys_section(results, journey_facts, full, peak))
        out.write(screens_table(screen_results))
    print(f"results written to {args.out}")


def screens_table(results):
    lines = [
        "\n## Screens\n\nThe web client's calls, best of the runs (a salesperson manages every 10th client).\n",
        "| screen | seconds | SQL queries | all runs (s) |",
        "|---|---:|---:|---|",
    ]
    for label, res in results.items():
        runs = ", ".join(f"{run:.3f}" for run in res["runs"])
        lines.append(f"| {label} | {res['seconds']:.3f} | {res['queries']} | {runs} |")
    return "\n".join(lines) + "\n"


def write_screens(args, results):
    out_path = args.out.replace(".md", "-screens.md")
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w") as out:
        out.write(f"# Screens benchmark, size {args.size}\n\n{datetime.datetime.now():%Y-%m-%d %H:%M}\n")
        out.write(screens_table(results))
    print(f"results written to {out_path}")


if __name__ == "__main__":
    main()
