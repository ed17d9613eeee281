"""Install benchmark (issue 32): installing and upgrading clientbase_crm on a base that already
holds the clients, and which of its statements grow with the base.

``BENCH_ARGS=--install-only bash bench/bench.sh S|M|L``, ``bench.py --install-only`` or this file
directly (``--db``, ``--size``, ``--addons-path``, ``--out``):

1. a *base without the addon*, ``<db>_base``, made once and kept: the addon's dependencies
   installed (no demo data), then the benchmark's generated clients and orders
   (``bench.generate``: S 10k clients / 100k order lines, M 100k / 1M, L 1M / 10M), vacuumed;
2. ``<db>`` copied from it (``createdb -T``), then ``-i clientbase_crm`` timed in its own Odoo
   process, every SQL statement of the install timed too;
3. the addon's deferred *big base preparation* job (``ir_cron_clientbase_prepare_base``: the
   search indexes, the stored contact check), run as the scheduler runs it, timed;
4. ``-u clientbase_crm`` (an upgrade to the same version: what every upgrade pays), timed.

The report lists each step's time and its slowest statements, and the statements that read or
write the base's big tables (partners, orders, lines): those grow with the base, the rest is the
fixed cost of loading the addon. ``install at 1M, extrapolated`` is the fixed part plus the
proportional part times (1,000,000 / clients): an extrapolation, said so in the report.
"""

import argparse
import ast
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SIZES = {"S": (10_000, 100_000), "M": (100_000, 1_000_000), "L": (1_000_000, 10_000_000)}
ADDON = "clientbase_crm"
# statements at least this slow are listed one by one
SLOW = 0.05
# tables that grow with the base: a statement on them is proportional to its size
BIG_TABLES = ("res_partner", "sale_order", "sale_order_line", "mailing_trace", "mail_message")
BIG_RE = re.compile(r"\b(%s)\b" % "|".join(BIG_TABLES))


def run(cmd, **kwargs):
    print("$", " ".join(cmd), flush=True)
    return subprocess.run(cmd, check=True, **kwargs)


def db_exists(name):
    out = subprocess.run(
        ["psql", "-d", "postgres", "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() == "1"


def dependencies():
    with open(os.path.join(REPO, ADDON, "__manifest__.py")) as manifest:
        return ast.literal_eval(manifest.read())["depends"]


def odoo_cmd(db, addons_path, port, *args):
    return [
        sys.executable, "-m", "odoo", "-d", db, f"--addons-path={addons_path}", "--stop-after-init",
        "--without-demo=all", "--max-cron-threads=0", "--http-interface=127.0.0.1", f"--http-port={port}",
        "--log-level=warn", *args,
    ]  # fmt: skip


def prepare_base(base, size, addons_path, port, template=None):
    """The base without the addon: dependencies installed (or copied from ``template``, a
    database with them and nothing else), clients and orders generated."""
    marker = f"{size} generated"
    if db_exists(base):
        out = subprocess.run(
            ["psql", "-d", base, "-Atc", "SELECT obj_description('res_partner'::regclass)"],
            capture_output=True,
            text=True,
        )
        if out.stdout.strip() == marker:
            print(f"== reusing the base without the addon '{base}'", flush=True)
            return
        run(["dropdb", "--if-exists", base])
    if template:
        run(["createdb", "-T", template, base])
    else:
        run(["createdb", base])
        start = time.time()
        run(odoo_cmd(base, addons_path, port, "-i", ",".join(dependencies())))
        print(f"dependencies installed in {time.time() - start:.0f} s", flush=True)
    run([sys.executable, __file__, "--generate", "--db", base, "--size", size, "--addons-path", addons_path])
    run(["psql", "-d", base, "-qc", f"COMMENT ON TABLE res_partner IS '{marker}'"])


def generate(db, size, addons_path):
    """In its own process: the benchmark's generator on a base without the addon."""
    sys.path.insert(0, HERE)
    import bench  # noqa: PLC0415 - the generator of bench.py, imported where it runs
    import odoo  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(["-d", db, f"--addons-path={addons_path}", "--log-level=warn"])
    clients, lines = SIZES[size]
    start = time.time()
    with odoo.sql_db.db_connect(db).cursor() as cr:
        bench.generate(cr, clients, lines)
        cr.commit()
    conn = odoo.sql_db.db_connect(db).cursor()
    conn._cnx.autocommit = True
    conn.execute("VACUUM ANALYZE res_partner, sale_order, sale_order_line")
    conn.close()
    print(f"generated {clients} clients, {lines} order lines in {time.time() - start:.0f} s", flush=True)


def profiled(db, addons_path, port, out, mode):
    """In its own process: install (``-i``), upgrade (``-u``) or run the preparation job
    (``job``), every statement timed; writes ``{seconds, sql_seconds, statements, slow}``."""
    import odoo  # noqa: PLC0415
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415
    from odoo.tools import SQL, config  # noqa: PLC0415

    args = ["-d", db, f"--addons-path={addons_path}", "--log-level=warn", "--without-demo=all"]
    args += ["--max-cron-threads=0", "--stop-after-init", f"--http-port={port}"]
    if mode == "install":
        args += ["-i", ADDON]
    elif mode == "upgrade":
        args += ["-u", ADDON]
    config.parse_config(args)
    stats = {"sql_seconds": 0.0, "statements": 0, "slow": []}
    original = odoo.sql_db.Cursor.execute

    def execute(self, query, params=None, log_exceptions=True):
        start = time.perf_counter()
        try:
            return original(self, query, params, log_exceptions)
        finally:
            elapsed = time.perf_counter() - start
            stats["sql_seconds"] += elapsed
            stats["statements"] += 1
            if elapsed >= SLOW:
                code = query.code if isinstance(query, SQL) else str(query)
                stats["slow"].append((elapsed, " ".join(code.split())[:240]))

    odoo.sql_db.Cursor.execute = execute
    start = time.time()
    if mode == "job":
        registry = odoo.modules.registry.Registry(db)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            # as the scheduler runs it: its server action, the job committing its own steps
            cron = env.ref(f"{ADDON}.ir_cron_clientbase_prepare_base", raise_if_not_found=False)
            if not cron:  # an addon of before the job: nothing deferred
                stats["absent"] = True
            else:
                cron.method_direct_trigger()
    else:
        odoo.modules.registry.Registry.new(db, update_module=True)
    stats["seconds"] = time.time() - start
    with open(out, "w") as handle:
        json.dump(stats, handle)


def measure(db, addons_path, port, mode):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        path = handle.name
    run(
        [
            sys.executable, __file__, "--profiled", mode, "--db", db, "--addons-path", addons_path,
            "--port", str(port), "--stats", path,
        ]
    )  # fmt: skip
    with open(path) as handle:
        stats = json.load(handle)
    os.unlink(path)
    proportional = sum(seconds for seconds, text in stats["slow"] if BIG_RE.search(text))
    stats["proportional"] = proportional
    print(
        f"{mode:<8} {stats['seconds']:8.1f} s  (SQL {stats['sql_seconds']:.1f} s in {stats['statements']}"
        f" statements; on the big tables {proportional:.1f} s)",
        flush=True,
    )
    return stats


def base_counts(db):
    query = (
        "SELECT (SELECT COUNT(*) FROM res_partner), (SELECT COUNT(*) FROM sale_order),"
        " (SELECT COUNT(*) FROM sale_order_line)"
    )
    out = subprocess.run(["psql", "-d", db, "-Atc", query], check=True, capture_output=True, text=True)
    return [int(value) for value in out.stdout.strip().split("|")]


def report(args, counts, results, load_start, load_end):
    clients = SIZES[args.size][0]
    factor = 1_000_000 / clients
    lines = [
        f"# Install benchmark, size {args.size}\n",
        f"{datetime.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, {os.cpu_count()} CPU(s), Python"
        f" {sys.version.split()[0]}. The base without the addon: {counts[0]:,} partners, {counts[1]:,} orders,"
        f" {counts[2]:,} order lines (`bench.generate`, emails and phones filled). Load average at the start"
        f" {', '.join(f'{v:.1f}' for v in load_start)}, at the end {', '.join(f'{v:.1f}' for v in load_end)}"
        " (1, 5, 15 min): on a shared machine the times are only relative; the statements' list says where"
        " the time goes.\n",
        "| step | seconds | SQL seconds | statements | on the big tables (s) |",
        "|---|---:|---:|---:|---:|",
    ]
    names = {
        "install": f"install (`-i {ADDON}`)",
        "job": "big base preparation job (deferred: search indexes, contact check)",
        "upgrade": f"upgrade (`-u {ADDON}`)",
    }
    for mode, stats in results.items():
        lines.append(
            f"| {names[mode]} | {stats['seconds']:.1f} | {stats['sql_seconds']:.1f} | {stats['statements']:,}"
            f" | {stats['proportional']:.1f} |"
        )
    lines.append("")
    for mode in ("install", "upgrade"):
        if mode not in results:
            continue
        stats = results[mode]
        fixed = stats["seconds"] - stats["proportional"]
        lines.append(
            f"- **{mode} at 1M clients, extrapolated**: {fixed:.1f} s fixed + {stats['proportional']:.1f} s on the"
            f" big tables x {factor:g} = **{fixed + stats['proportional'] * factor:.0f} s** (an extrapolation:"
            f" the statements on {', '.join(BIG_TABLES)} scaled linearly with the base, the rest as measured)."
        )
    lines.append("")
    for mode, stats in results.items():
        lines.append(f"\n## {names[mode]}: statements of {SLOW * 1000:.0f} ms or more\n")
        lines.append("| seconds | big table | statement |\n|---:|---|---|")
        for seconds, text in sorted(stats["slow"], reverse=True)[:30]:
            big = "yes" if BIG_RE.search(text) else ""
            lines.append(f"| {seconds:.2f} | {big} | `{text.replace('|', '/')}` |")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as out:
        out.write("\n".join(lines) + "\n")
    print(f"results written to {args.out}")


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--size", choices=SIZES, default="S")
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--out")
    parser.add_argument("--port", type=int, default=8279)
    parser.add_argument("--no-upgrade", action="store_true", help="leave the upgrade out")
    parser.add_argument(
        "--template", help="a database with the addon's dependencies installed and nothing else, copied"
    )
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profiled", choices=("install", "upgrade", "job"), help=argparse.SUPPRESS)
    parser.add_argument("--stats", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate:
        generate(args.db, args.size, args.addons_path)
        return
    if args.profiled:
        profiled(args.db, args.addons_path, args.port, args.stats, args.profiled)
        return
    args.out = args.out or os.path.join(HERE, "results", f"results-install-{args.size}.md")
    base = f"{args.db}_base"
    prepare_base(base, args.size, args.addons_path, args.port, args.template)
    run(["dropdb", "--if-exists", args.db])
    run(["createdb", "-T", base, args.db])
    counts = base_counts(args.db)
    load_start = os.getloadavg()
    results = {"install": measure(args.db, args.addons_path, args.port, "install")}
    job = measure(args.db, args.addons_path, args.port, "job")
    if not job.get("absent"):
        results["job"] = job
    if not args.no_upgrade:
        results["upgrade"] = measure(args.db, args.addons_path, args.port, "upgrade")
    report(args, counts, results, load_start, os.getloadavg())


if __name__ == "__main__":
    main()
