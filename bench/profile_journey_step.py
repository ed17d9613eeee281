"""Profile one send step of a journey over ``--entrants`` due members (issue 30), on a bench base.

Run on a database made by ``bench.sh`` (its generated clients; ``bench_journeys._prepare`` gives
them addresses and consents): a journey with one email step, ``--entrants`` members due, the
step done as the scheduled job does it (batches of 5,000, each committed). Prints the time, the
SQL statements and their time by the part of the run that issued them, the slowest statements
and (``--profile``) cProfile's top functions. Everything it wrote is deleted at the end.

    python3 bench/profile_journey_step.py --db jst_bench --addons-path "$ADDONS_PATH" \
        --entrants 5000 [--cap 3] [--profile]
"""

import argparse
import contextlib
import cProfile
import os
import pstats
import sys
import time

import bench_journeys

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import config

PARTS = ("_apply_exits", "_due_members", "_send_eligibility", "_queue_mailing", "_log", "_move")


@contextlib.contextmanager
def statements(cr, parts=PARTS):
    """Every statement ``cr`` runs in the block: ``[(seconds, part, text)]``, the part being the
    innermost of ``parts`` (function names) on the Python stack."""
    log = []
    real = cr.execute

    def execute(query, params=None, log_exceptions=True):
        start = time.time()
        try:
            return real(query, params, log_exceptions)
        finally:
            frame, part = sys._getframe(1), "other"
            while frame:
                if frame.f_code.co_name in parts:
                    part = frame.f_code.co_name
                    break
                frame = frame.f_back
            log.append((time.time() - start, part, str(query)[:300]))

    cr.execute = execute
    try:
        yield log
    finally:
        del cr.execute


def report(log, profiler=None, slowest=8):
    """Print the statements' time by part, the slowest statements and cProfile's top functions."""
    parts = {}
    for seconds, part, _text in log:
        count, total = parts.get(part, (0, 0.0))
        parts[part] = (count + 1, total + seconds)
    for part, (count, total) in sorted(parts.items(), key=lambda item: -item[1][1]):
        print(f"  {part:<20} {count:>6} statements {total:8.2f} s")
    print("slowest statements:")
    for seconds, part, text in sorted(log, reverse=True)[:slowest]:
        print(f"  {seconds:7.3f} s  {part:<18} {' '.join(text.split())[:200]}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--entrants", type=int, default=5000)
    parser.add_argument("--cap", type=int, default=0, help="frequency cap: messages per 7 days (0: none)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    config.parse_config(["-d", args.db, f"--addons-path={args.addons_path}", "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        cr.execute("SELECT id FROM res_partner WHERE name = 'Bench client 0' ORDER BY id DESC LIMIT 1")
        first_partner = cr.fetchone()[0]
        journeys = bench_journeys._prepare(env, cr, first_partner)
        journeys.write({"active": False})
        env["res.company"].search([]).write(
            {"client_mailing_cap_count": args.cap, "client_mailing_cap_days": 7 if args.cap else 0}
        )
        mass = bench_journeys.mass_step_journey(journeys)
        bench_journeys.enrol_due(cr, mass, first_partner, args.entrants)
        cr.commit()
        Journey = env["clientbase.journey"].with_context(clientbase_journey_commit=True)
        profiler = cProfile.Profile() if args.profile else None
        try:
            with statements(cr) as log:
                start = time.time()
                if profiler:
                    profiler.enable()
                Journey._run_steps(mass)
                if profiler:
                    profiler.disable()
                elapsed = time.time() - start
            cr.execute(
                "SELECT count(*) FROM clientbase_journey_history h JOIN clientbase_journey_member m ON m.id = h.member_id"
                " WHERE m.journey_id = %s AND h.result = 'queued'",
                (mass.id,),
            )
            queued = cr.fetchone()[0]
            load = os.getloadavg()[0]
            print(
                f"{args.entrants} entrants, cap {args.cap}: {queued} queued in {elapsed:.2f} s"
                f" ({queued / elapsed if elapsed else 0:,.0f} msg/s), {len(log)} statements,"
                f" load average {load:.1f}"
            )
            report(log, profiler)
        finally:
            cr.rollback()
            bench_journeys._clear(env, cr, mass | journeys)
            (mass | journeys).unlink()
            env["res.company"].search([]).write({"client_mailing_cap_count": 0, "client_mailing_cap_days": 0})
            cr.commit()


if __name__ == "__main__":
    main()
