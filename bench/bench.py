"""Segmentation benchmark: run by bench/bench.sh on a database with clientbase_crm installed.

Generates clients and orders in PostgreSQL (generate_series, skewed distributions), then
measures in one run: our full recompute (first population), the nightly incremental run after
1% of the clients changed (orders added, cancelled and re-priced, interactions logged, a value
set by hand), the run of the next day with nothing else changed, a run with nothing changed,
the refresh of the user-defined segments, a bare-SQL baseline (one aggregate written into a
narrow table), the first full run with ~20 user-defined segments against a bare aggregate into
an unlogged table (``bench_segments``) and a naive ORM loop (per-client search and write; S and M only, timed on a
sample and extrapolated).
Then times the screens of a salesperson (who manages every 10th client) and of a head of sales,
through the web client's own calls: the Clients list, the stage and warmth funnels' columns, a
search and a figure filter, over the whole base and over "my clients".
With clientbase_loyalty installed (bench.sh installs it unless BENCH_LOYALTY=0), also the loyalty
levels in the nightly run, personal promo codes against Odoo's coupon wizard, bonus points granted
for client-base events and the points' expiry by age (bench_loyalty.py).
Prints times, clients/s, ratios, SQL query counts and peak memory; writes bench/results/results-<SIZE>.md.
``--screens-only`` measures the screens alone (after one recompute), on a database of any version;
``--segments-only`` the user-defined segments' measures and the mailing wizard's count alone;
``--install-only`` the install and upgrade of the addon on a base generated without it
(``bench_install.py``: ``<db>_base`` kept, ``<db>`` copied from it).
"""

import argparse
import contextlib
import datetime
import os
import platform
import resource
import statistics
import sys
import time

import bench_install
import bench_loyalty
import psycopg2
from bench_journeys import journeys_section, measure_journeys
from bench_segments import check_incremental, ensure_segments, summary
from bench_segments import measure as measure_segments

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import SQL, config
from odoo.tools.safe_eval import safe_eval
from odoo.tools.sql import column_exists, table_exists

SIZES = {"S": (10_000, 100_000), "M": (100_000, 1_000_000), "L": (1_000_000, 10_000_000)}
NAIVE_SAMPLE = {"S": 1_000, "M": 2_000}
DISCOUNTED_BATCH = 100_000  # orders per statement of the generator's "has a discounted line" flag


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
    contact_data(cr, first_partner)
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
    # the orders' stored "has a discounted line" flag, as the ORM computes it: in batches of
    # orders, each reading its orders' lines by the order index (statistics taken first, so that
    # the planner knows the lines just generated), never one statement over every order; a base
    # generated before the addon is installed (bench_install.py) has no such column: the install
    # fills it
    cr.execute("ANALYZE sale_order; ANALYZE sale_order_line")
    if column_exists(cr, "sale_order", "client_discounted"):
        for start in range(first_order, first_order + orders, DISCOUNTED_BATCH):
            cr.execute(
                "UPDATE sale_order so SET client_discounted = TRUE WHERE so.id >= %s AND so.id < %s"
                " AND EXISTS (SELECT 1 FROM sale_order_line l WHERE l.order_id = so.id AND l.discount > 0)",
                (start, start + DISCOUNTED_BATCH),
            )
    cr.execute("ANALYZE res_partner; ANALYZE sale_order; ANALYZE sale_order_line")
    return first_partner


def contact_data(cr, first_partner):
    """Emails and phones as people have them (a few shared domains, +7 mobile numbers), and a
    marketing email consent for two clients in three: what the searches and the mailing wizard
    read. Fills only the generated clients without an email (a base of an earlier version)."""
    cr.execute(
        """
        UPDATE res_partner
           SET email = 'client' || (id - %(first)s) || '@' || (ARRAY['mail.ru', 'yandex.ru', 'gmail.com'])[1 + id %% 3],
               email_normalized = 'client' || (id - %(first)s) || '@' || (ARRAY['mail.ru', 'yandex.ru', 'gmail.com'])[1 + id %% 3],
               phone = '+7 9' || lpad(((id - %(first)s) * 7919 %% 1000000000)::text, 9, '0'),
               phone_sanitized = '+79' || lpad(((id - %(first)s) * 7919 %% 1000000000)::text, 9, '0')
         WHERE id >= %(first)s AND email IS NULL AND name LIKE 'Bench client %%'
        """,
        {"first": first_partner},
    )
    if not cr.rowcount or not table_exists(cr, "clientbase_consent"):
        return
    cr.execute(
        """
        INSERT INTO clientbase_consent (partner_id, channel, purpose, state, date, source, create_date,
                                        write_date)
        SELECT p.id, 'email', 'marketing', 'given', now() - interval '30 days', 'website', now(), now()
          FROM res_partner p
         WHERE p.id >= %s AND p.id %% 3 <> 0 AND p.name LIKE 'Bench client %%'
           AND NOT EXISTS (SELECT 1 FROM clientbase_consent c WHERE c.partner_id = p.id)
        """,
        (first_partner,),
    )


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
            cur.execute("VACUUM ANALYZE res_partner, sale_order, sale_order_line, clientbase_consent")
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


@contextlib.contextmanager
def captured_selects(cr):
    """Record, while the block runs, every SELECT ``cr`` executes: ``[(seconds, SQL text)]``,
    its parameters in the text, so that the slowest can be explained afterwards. The settings
    the block made for its transaction (``SET LOCAL``, e.g. JIT off) are kept in ``log.settings``,
    to explain the query under them."""

    class Log(list):
        settings = ()

    log = Log()
    log.settings = []
    original = odoo.sql_db.Cursor.execute

    def execute(self, query, params=None, log_exceptions=True):
        start = time.perf_counter()
        try:
            return original(self, query, params, log_exceptions)
        finally:
            if self is cr:
                code, args = (query.code, query.params) if isinstance(query, SQL) else (query, params)
                statement = code.lstrip().upper()
                if statement.startswith(("SELECT", "WITH")):
                    log.append((time.perf_counter() - start, self._obj.mogrify(code, args).decode()))
                elif statement.startswith("SET LOCAL"):
                    log.settings.append(self._obj.mogrify(code, args).decode())

    odoo.sql_db.Cursor.execute = execute
    try:
        yield log
    finally:
        odoo.sql_db.Cursor.execute = original


PLAN_SCANS = ("Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan", "Bitmap Index Scan")


def explain(cr, text, settings=()):
    """EXPLAIN ANALYZE of one SELECT (in a savepoint rolled back), under ``settings``: the JSON plan."""
    cr.execute("SAVEPOINT bench_explain")
    try:
        for setting in settings:
            cr.execute(setting)
        cr.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {text}")
        return cr.fetchone()[0][0]
    finally:
        cr.execute("ROLLBACK TO SAVEPOINT bench_explain")


def plan_nodes(node, depth=0):
    """``[(depth, label)]`` of a JSON plan's nodes: type, relation or index, actual rows and
    time (over all its loops)."""
    label = node["Node Type"]
    if node.get("Join Type") and "Join" in label or label == "Nested Loop":
        label = f"{node.get('Join Type', '')} {label}".strip()
    if node.get("Index Name"):
        label += f" using {node['Index Name']}"
    if node.get("Relation Name"):
        label += f" on {node['Relation Name']}"
    if node.get("Parent Relationship") == "SubPlan" or node.get("Subplan Name"):
        label = f"[{node.get('Subplan Name', 'SubPlan')}] {label}"
    loops = node.get("Actual Loops", 1)
    # PostgreSQL gives a node's rows and time per loop: the totals over its loops
    label += (
        f" ({node.get('Actual Rows', 0) * loops:,} rows, {node.get('Actual Total Time', 0) * loops:.1f} ms"
    )
    label += f", {loops:,} loops)" if loops > 1 else ")"
    nodes = [(depth, label)]
    for child in node.get("Plans", ()):
        nodes.extend(plan_nodes(child, depth + 1))
    return nodes


def plan_summary(plan):
    """One line: execution time and every table or index read, with the rows it gave."""
    scans = []

    def walk(node):
        if node["Node Type"] in PLAN_SCANS:
            target = node.get("Index Name") or node.get("Relation Name") or ""
            rows = node.get("Actual Rows", 0) * node.get("Actual Loops", 1)
            kind = {"Index Only Scan": "index-only", "Bitmap Index Scan": "bitmap"}.get(
                node["Node Type"], node["Node Type"].replace(" Scan", "").lower()
            )
            scans.append(f"{kind} {target} {rows:,}")
        for child in node.get("Plans", ()):
            walk(child)

    walk(plan["Plan"])
    jit = plan.get("JIT", {}).get("Timing", {}).get("Total")
    compiled = f" (JIT {jit:.0f} ms)" if jit else ""
    return f"{plan['Execution Time']:.0f} ms{compiled}: " + "; ".join(scans)


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


def bench_segment(env):
    """A user-defined segment of every client (100,000 at M), for the mailing wizard's count."""
    Segment = env["clientbase.segment"]
    segment = Segment.search([("name", "=", "Bench: every client")], limit=1)
    if not segment:
        segment = Segment.create({"name": "Bench: every client", "domain": "[]"})
    segment._refresh_members()
    return segment


def wizard_screen(env, user, segment):
    """The mailing wizard opened on the segment (Segments > Prepare Mailing) as ``user``: its
    counts (who receives, who is left out and why) and the preview of three recipients.

    :return: ``(label, call)``
    """

    def wizard_counts():
        Wizard = (
            env["clientbase.mailing.wizard"]
            .with_user(user)
            .with_context(active_model="clientbase.segment", active_ids=segment.ids)
        )
        values = Wizard.default_get(["target_domain", "target_description", "name"])
        wizard = Wizard.new(dict(values, subject="Hello {{ object.name }}", body_html="<p>Hello</p>"))
        return wizard.eligible_count, wizard.target_count

    members = env["clientbase.segment.member"].search_count([("segment_id", "=", segment.id)])
    return f"mailing wizard recipient count (segment of {members:,} clients)", wizard_counts


def segments_only(args, env, cr, clients, repeat):
    """``--segments-only``: the user-defined segments' measures of ``bench_segments`` (first full
    run against the bare aggregate, nothing to change, the nightly run with nothing changed), the
    incremental refresh after 1% changed checked against a whole one, and the mailing wizard's
    count for both roles; written to ``args.out`` with the load average beside the times."""
    load_start = os.getloadavg()
    results, stats, changed = {}, {}, {}
    figures = env["clientbase.client.figures"]
    first_partner = generated(cr, clients)
    segments = ensure_segments(env)
    for repetition in range(1, repeat + 1):
        print(f"-- run {repetition} of {repeat}", flush=True)
        timed(cr, "bare-SQL baseline (aggregate + write)", lambda: baseline(cr), results)
        measure_segments(env, cr, results, timed, stats)
        changed = change_one_percent(cr, first_partner, clients, repetition)
        env.invalidate_all()
        timed(
            cr, "nightly run after 1% of clients changed (engine + segments)", figures._recompute_all, results
        )
        stats["wrong"] = stats.get("wrong", 0) + check_incremental(env, cr)
    users = screen_users(env, first_partner)
    segment = bench_segment(env)
    cr.commit()
    for _repetition in range(repeat):
        for role, login in (("salesperson", "bench_salesperson"), ("head of sales", "bench_head_of_sales")):
            label, call = wizard_screen(env, users[login], segment)
            env.invalidate_all()
            timed(cr, f"{role}: {label}", call, results)
    peak = peak_rss_mb()
    lines, ratios = summary(results, stats, clients, peak)
    load_end = os.getloadavg()
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as out:
        out.write(f"# User-defined segments and the mailing wizard's count, size {args.size}\n\n")
        out.write(
            f"{datetime.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, {os.cpu_count()} CPU(s); "
            f"{len(segments)} active segments; 1% change = "
            + ", ".join(f"{count} {what}" for what, count in changed.items())
            + f". Load average at the start {', '.join(f'{v:.1f}' for v in load_start)}, at the end "
            f"{', '.join(f'{v:.1f}' for v in load_end)} (1, 5, 15 min): times under load are only "
            f"relative. Every measure ran {repeat} time(s); the table gives the best time, then every run's.\n\n"
        )
        out.write("| measure | seconds | SQL queries | all runs (s) |\n|---|---:|---:|---|\n")
        for label, res in results.items():
            runs = ", ".join(f"{run:.3f}" for run in res["runs"])
            out.write(f"| {label} | {res['seconds']:.3f} | {res['queries']} | {runs} |\n")
        out.write("\n| ratio | value | target |\n|---|---:|---|\n")
        for name, value, target in ratios:
            out.write(f"| {name} | {value:.2f} | {target} |\n")
        out.write("\n| user-defined segments | value |\n|---|---|\n")
        for name, value in lines:
            out.write(f"| {name} | {value} |\n")
    for name, value in lines:
        print(f"{name:<50} {value}")
    for name, value, target in ratios:
        print(f"{name:<50} {value:9.2f}   ({target})")
    print(f"results written to {args.out}")


def screen_call(env, cr, results, plans, label, call, explain_plan, table="res_partner"):
    """Time ``call`` (the best of the repetitions is kept); with ``explain_plan``, run it again
    untimed, recording its SELECTs, and keep the EXPLAIN ANALYZE of the slowest one that reads
    the screen's ``table`` (else of the slowest one)."""
    env.invalidate_all()
    timed(cr, label, call, results)
    if not explain_plan:
        return
    env.invalidate_all()
    with captured_selects(cr) as log:
        call()
    cr.rollback()
    if not log:
        return
    reading = [entry for entry in log if f'"{table}"' in entry[1] or f" {table} " in entry[1]]
    seconds, text = max(reading or log)
    plan = explain(cr, text, log.settings)
    cr.rollback()
    plans[label] = {
        "selects": len(log),
        "slowest": seconds,
        "summary": plan_summary(plan),
        "tree": plan_nodes(plan["Plan"]),
    }
    print(f"{'':<4}plan: {plans[label]['summary']}", flush=True)


def screens(env, user, cr, results, label, plans=None, segment=None):
    """The calls the web client makes to open the client base's screens, as ``user``; with
    ``plans`` (a dict), the plan of each screen's slowest query is kept there too."""
    explain_plan = plans is not None
    plans = {} if plans is None else plans
    Partner = env["res.partner"].with_user(user)
    spec = {name: {} for name in SCREEN_FIELDS if name in Partner._fields}
    spec["user_id"] = {"fields": {"display_name": {}}}
    # the Clients search view's "Client" field (views/res_partner_views.xml)
    client_search = [
        "|",
        "|",
        "|",
        ("complete_name", "ilike", "4567"),
        ("email", "ilike", "4567"),
        ("phone", "ilike", "4567"),
        ("vat", "ilike", "4567"),
    ]
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
            "search (Client contains '4567': name, email, phone or tax id)": lambda d=domain: (
                Partner.web_search_read(d + client_search, spec, limit=80)
            ),
            "search (email contains 'client4567@')": lambda d=domain: Partner.web_search_read(
                d + [("email", "ilike", "client4567@")], spec, limit=80
            ),
            "search (phone contains '45678')": lambda d=domain: Partner.web_search_read(
                d + [("phone", "ilike", "45678")], spec, limit=80
            ),
            "figure filter (revenue > 1000)": lambda d=domain: Partner.search_count(
                d + [("client_revenue", ">", 1000)]
            ),
        }
        for name, call in calls.items():
            screen_call(env, cr, results, plans, f"{label}, {scope}: {name}", call, explain_plan)
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
            screen_call(env, cr, results, plans, f"{label}, {scope}: {name}", call, explain_plan)
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
    if segment is not None:
        wizard_label, call = wizard_screen(env, user, segment)
        reports[wizard_label] = call
    for name, call in reports.items():
        tables = {
            "Growth": "monthly",
            "Cohorts": "cohort",
            "Acquisition": "channel",
            "Mailing Responses": "mailing",
        }
        table = next(
            (f"clientbase_report_{table}" for prefix, table in tables.items() if name.startswith(prefix)),
            "res_partner",
        )
        screen_call(env, cr, results, plans, f"{label}: {name}", call, explain_plan, table)


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
    parser.add_argument(
        "--segments-only",
        action="store_true",
        help="the user-defined segments' measures and the mailing wizard's count alone",
    )
    parser.add_argument(
        "--journeys-only",
        action="store_true",
        help="the journeys' measures alone (after one full recompute and one 1%% change, the events they"
        " read), on a database generated earlier",
    )
    parser.add_argument(
        "--loyalty-only",
        action="store_true",
        help="the loyalty measures alone (bench_loyalty.py: levels, personal codes, bonus points), after"
        " one full recompute of the generated data; clientbase_loyalty must be installed",
    )
    parser.add_argument(
        "--install-only",
        action="store_true",
        help="time the install and upgrade of the addon on a base generated without it (bench_install.py)",
    )
    args = parser.parse_args()
    if args.install_only:
        bench_install.main(
            ["--db", args.db, "--size", args.size, "--addons-path", args.addons_path, "--out", args.out]
        )
        return
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
            contact_data(cr, first_partner)  # a base generated before the searches had emails
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
        if args.segments_only:
            segments_only(args, env, cr, clients, args.repeat)
            return
        if args.journeys_only:
            journeys_only(args, env, cr, figures, first_partner, clients)
            return
        if args.loyalty_only:
            loyalty_only(args, env, cr, figures, first_partner, clients)
            return
        if args.screens_only:
            figures._recompute_all()
            cr.commit()
            users = screen_users(env, first_partner)
            segment = bench_segment(env)
            cr.commit()
            plans = run_screens(env, cr, users, results, args.repeat, segment)
            write_screens(args, results, plans)
            return

        def run(expected):
            def call():
                mode = figures._run_engine(full=expected == "full")
                assert mode == expected, f"the run was {mode}, not {expected}"

            return call

        loyalty = bench_loyalty.installed(cr)
        if loyalty:
            print(
                "clientbase_loyalty is installed: the levels and personal codes are measured too", flush=True
            )
            bench_loyalty.setup_levels(env)
            cr.commit()
        changed = {}
        segments = ensure_segments(env)
        segment_stats = {}
        for repetition in range(1, args.repeat + 1):
            print(f"-- run {repetition} of {args.repeat}", flush=True)
            cr.execute("TRUNCATE clientbase_client_figures, clientbase_segment_history")
            env.invalidate_all()
            timed(cr, "full recompute (ours)", run("full"), results)
            if loyalty:
                bench_loyalty.reset_levels(cr)
                env.invalidate_all()
                timed(cr, bench_loyalty.LEVELS_FIRST, lambda: bench_loyalty.refresh_levels(env), results)
            # the memberships of that run (not timed here: see "first full run with user segments")
            figures._refresh_user_segments()
            cr.commit()
            env.invalidate_all()
            timed(cr, "re-run, nothing changed", run("none"), results)
            changed = change_one_percent(cr, first_partner, clients, repetition)
            cr.execute("SELECT COALESCE(max(id), 0) FROM clientbase_segment_history")
            before_one_percent = cr.fetchone()[0]
            env.invalidate_all()
            timed(cr, "re-run after 1% of clients changed", run("incremental"), results)
            if loyalty:
                env.invalidate_all()
                timed(
                    cr, bench_loyalty.LEVELS_NIGHTLY, lambda: bench_loyalty.refresh_noted_levels(env), results
                )
            # the last complete run was yesterday: the days' movers, nothing else changed
            cr.execute(
                "UPDATE res_company SET client_segment_done_date = client_segment_done_date - 1,"
                " client_segment_run_date = client_segment_run_date - 1"
            )
            env.invalidate_all()
            timed(cr, "next day, nothing else changed", run("incremental"), results)
            timed(
                cr,
                "user segments refresh, after 1% changed and the next day",
                figures._refresh_user_segments,
                results,
            )
            segment_stats["wrong"] = segment_stats.get("wrong", 0) + check_incremental(env, cr)
            timed(cr, "bare-SQL baseline (aggregate + write)", lambda: baseline(cr), results)
            timed(
                cr,
                "reports refresh (snapshot, growth, churn, cohorts, channels, mailings, forecast)",
                env["clientbase.report.monthly"]._cron_refresh,
                results,
            )
            measure_segments(env, cr, results, timed, segment_stats)
        cr.execute("SELECT COUNT(*) FROM clientbase_client_figures")
        rows = cr.fetchone()[0]
        counts = {}  # measures of another count than the clients: codes, a sample
        codes = None
        if loyalty:
            codes = bench_loyalty.codes(env, cr, timed, results, args.repeat, counts)
            try:
                bench_loyalty.grants(env, cr, timed, results, args.repeat, counts)
            except Exception as exc:  # the other measures still get written
                cr.rollback()
                print(f"bonus points grants not measured: {exc!r}", flush=True)
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
        segment = bench_segment(env)
        cr.commit()
        screen_results = {}
        plans = run_screens(env, cr, users, screen_results, args.repeat, segment)
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
    if loyalty:
        ratios += bench_loyalty.ratios(results, full, codes, counts)
    segment_lines, segment_ratios = summary(results, segment_stats, clients, peak)
    ratios += segment_ratios
    print(f"peak RSS of the Odoo process: {peak:.0f} MB")
    print(f"user-defined segments: {len(segments)} active")
    for name, value in segment_lines:
        print(f"{name:<50} {value}")
    for name, value, target in ratios:
        print(f"{name:<50} {value:9.2f}   ({target})")
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
            "| measure | seconds | clients/s (codes/s) | SQL queries | all runs (s) |\n|---|---:|---:|---:|---|\n"
        )
        for label, res in results.items():
            seconds = res["seconds"]
            count = NAIVE_SAMPLE.get(args.size, clients) if label.startswith("naive") else clients
            count = counts.get(label, count)
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
        out.write(
            f"\n## User-defined segments\n\n{len(segments)} active segments (bench_segments.py and the seeded"
            " ones); the first full run starts from empty figures and memberships.\n\n| measure | value |\n|---|---|\n"
        )
        for name, value in segment_lines:
            out.write(f"| {name} | {value} |\n")
        if journey_facts:
            out.write(journeys_section(results, journey_facts, full, peak))
        out.write(screens_table(screen_results, plans))
    print(f"results written to {args.out}")


def journeys_only(args, env, cr, figures, first_partner, clients):
    """``--journeys-only``: the engine's full run (timed: the journeys' ratios), the run after
    1% changed (its events are the 1% day's), then the journeys' measures; writes their section."""
    results = {}
    cr.execute("TRUNCATE clientbase_client_figures, clientbase_segment_history")
    env.invalidate_all()
    timed(cr, "full recompute (ours)", lambda: figures._run_engine(full=True), results)
    change_one_percent(cr, first_partner, clients, 1)
    cr.execute("SELECT COALESCE(max(id), 0) FROM clientbase_segment_history")
    before_one_percent = cr.fetchone()[0]
    env.invalidate_all()
    timed(cr, "re-run after 1% of clients changed", lambda: figures._run_engine(full=False), results)
    facts = measure_journeys(env, cr, first_partner, clients, before_one_percent, args.repeat, timed, results)
    load = os.getloadavg()
    with open(args.out, "w") as out:
        out.write(f"# Journeys benchmark, size {args.size}\n\n")
        out.write(
            f"{datetime.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, {os.cpu_count()} CPU(s), load average"
            f" {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end. `bench.py --journeys-only`: {clients}"
            f" clients; every measure ran {args.repeat} time(s), the best time given.\n\n"
            "| measure | seconds | SQL queries | all runs (s) |\n|---|---:|---:|---|\n"
        )
        for label, res in results.items():
            runs = ", ".join(f"{run:.2f}" for run in res["runs"])
            out.write(f"| {label} | {res['seconds']:.2f} | {res['queries']} | {runs} |\n")
        out.write(
            journeys_section(results, facts, results["full recompute (ours)"]["seconds"], peak_rss_mb())
        )
    print(f"results written to {args.out}")


def loyalty_only(args, env, cr, figures, first_partner, clients):
    """``--loyalty-only``: the engine's full run once (timed: the levels' ratios), then at each
    repetition the levels' first population, a 1% change with the engine's run after it (not
    timed: it gives the levels their night) and the levels' nightly run; then the personal codes
    (ours against Odoo's wizard) and the bonus points grants. Writes the loyalty report alone."""
    if not bench_loyalty.installed(cr):
        raise SystemExit("--loyalty-only: clientbase_loyalty is not installed in the bench database")
    results, counts = {}, {}
    bench_loyalty.setup_levels(env)
    cr.execute("TRUNCATE clientbase_client_figures, clientbase_segment_history")
    env.invalidate_all()
    timed(cr, "full recompute (ours)", lambda: figures._run_engine(full=True), results)
    for repetition in range(1, args.repeat + 1):
        print(f"-- run {repetition} of {args.repeat}", flush=True)
        bench_loyalty.reset_levels(cr)
        env.invalidate_all()
        timed(cr, bench_loyalty.LEVELS_FIRST, lambda: bench_loyalty.refresh_levels(env), results)
        change_one_percent(cr, first_partner, clients, repetition)
        env.invalidate_all()
        figures._run_engine(full=False)
        cr.commit()
        env.invalidate_all()
        timed(cr, bench_loyalty.LEVELS_NIGHTLY, lambda: bench_loyalty.refresh_noted_levels(env), results)
    codes = bench_loyalty.codes(env, cr, timed, results, args.repeat, counts)
    try:
        bench_loyalty.grants(env, cr, timed, results, args.repeat, counts)
    except Exception as exc:  # the other measures still get written
        cr.rollback()
        print(f"bonus points grants not measured: {exc!r}", flush=True)
    full = results["full recompute (ours)"]["seconds"]
    ratios = bench_loyalty.ratios(results, full, codes, counts)
    load = os.getloadavg()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as out:
        out.write(f"# Loyalty benchmark, size {args.size}\n\n")
        out.write(
            f"{datetime.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, {os.cpu_count()} CPU(s), load average"
            f" {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end. `bench.py --loyalty-only`: {clients}"
            f" clients; every measure ran {args.repeat} time(s), the best time given (the full recompute"
            " once).\n\n| measure | seconds | clients/s (codes/s) | SQL queries | all runs (s) |\n"
            "|---|---:|---:|---:|---|\n"
        )
        for label, res in results.items():
            seconds = res["seconds"]
            count = counts.get(label, clients)
            runs = ", ".join(f"{run:.2f}" for run in res["runs"])
            out.write(
                f"| {label} | {seconds:.2f} | {count / seconds if seconds else 0:,.0f} | {res['queries']}"
                f" | {runs} |\n"
            )
        out.write("\n| ratio | value | target |\n|---|---:|---|\n")
        for name, value, target in ratios:
            out.write(f"| {name} | {value:.2f} | {target} |\n")
        out.write(f"\nPeak RSS of the Odoo process: {peak_rss_mb():.0f} MB.\n")
    for name, value, target in ratios:
        print(f"{name:<50} {value:9.2f}   ({target})")
    print(f"results written to {args.out}")


def run_screens(env, cr, users, results, repeat, segment):
    """Every screen ``repeat`` times for both roles; the plans are taken on the last round."""
    plans = {}
    for repetition in range(repeat):
        last = plans if repetition == repeat - 1 else None
        screens(env, users["bench_salesperson"], cr, results, "salesperson", last, segment)
        screens(env, users["bench_head_of_sales"], cr, results, "head of sales", last, segment)
    return plans


def screens_table(results, plans):
    lines = [
        "\n## Screens\n\nThe web client's calls, best of the runs (a salesperson manages every 10th client).",
        "The plan is the EXPLAIN ANALYZE of the screen's slowest SELECT, run once more after the timed runs:",
        "its execution time, then every table or index it read with the rows that came out of it",
        "(the whole plans follow the table).\n",
        "| screen | seconds | SQL queries | all runs (s) | plan of the slowest query |",
        "|---|---:|---:|---|---|",
    ]
    for label, res in results.items():
        runs = ", ".join(f"{run:.3f}" for run in res["runs"])
        plan = plans.get(label, {}).get("summary", "")
        lines.append(f"| {label} | {res['seconds']:.3f} | {res['queries']} | {runs} | {plan} |")
    lines.append("\n### Plans\n")
    for label, plan in plans.items():
        lines.append(
            f"**{label}** ({plan['selects']} SELECTs, the slowest {plan['slowest'] * 1000:.0f} ms):\n"
        )
        lines.append("```")
        lines.extend("  " * depth + text for depth, text in plan["tree"])
        lines.append("```\n")
    return "\n".join(lines) + "\n"


def write_screens(args, results, plans):
    out_path = args.out.replace(".md", "-screens.md")
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w") as out:
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        out.write(
            f"# Screens benchmark, size {args.size}\n\n{datetime.datetime.now():%Y-%m-%d %H:%M}, "
            f"{os.cpu_count()} CPU(s), load average at the end {load} (1, 5, 15 min)\n"
        )
        out.write(screens_table(results, plans))
    print(f"results written to {out_path}")


if __name__ == "__main__":
    main()
