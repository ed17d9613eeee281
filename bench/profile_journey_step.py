"""Profile one send step of a journey over ``--entrants`` due members (issue 30), on a bench base.

Run on a database made by ``bench.sh`` (its generated clients; ``bench_journeys._prepare`` gives
them addresses and consents): a journey with one email step, ``--entrants`` members due, the
step done as the scheduled job does it (batches of 5,000, each committed). Prints the time, the
SQL statements and their time by the part of the run that issued them, the slowest statements
and (``--profile``) cProfile's top functions. Everything it wrote is deleted at the end.

    python3 bench/profile_journey_step.py --db jst_bench --addons-path "$ADDONS_PATH" \
        --entrants 5000 [--cap 3] [--profile]
"""

import os

import bench_journeys
from journey_profile import opened, profiled, report

PARTS = ("_apply_exits", "_due_members", "_send_eligibility", "_queue_mailing", "_log", "_move")


def _arguments(parser):
    parser.add_argument("--entrants", type=int, default=5000)
    parser.add_argument("--cap", type=int, default=0, help="frequency cap: messages per 7 days (0: none)")


def main():
    with opened(__doc__.splitlines()[0], _arguments) as bench:
        args, env, cr, journeys = bench.args, bench.env, bench.cr, bench.journeys
        journeys.write({"active": False})
        env["res.company"].search([]).write(
            {"client_mailing_cap_count": args.cap, "client_mailing_cap_days": 7 if args.cap else 0}
        )
        mass = bench_journeys.mass_step_journey(journeys)
        bench_journeys.enrol_due(cr, mass, bench.first_partner, args.entrants)
        cr.commit()
        Journey = env["clientbase.journey"].with_context(clientbase_journey_commit=True)
        try:
            run = profiled(cr, PARTS, args.profile, Journey._run_steps, mass)
            cr.execute(
                "SELECT count(*) FROM clientbase_journey_history h JOIN clientbase_journey_member m ON m.id = h.member_id"
                " WHERE m.journey_id = %s AND h.result = 'queued'",
                (mass.id,),
            )
            queued = cr.fetchone()[0]
            elapsed = run.elapsed
            print(
                f"{args.entrants} entrants, cap {args.cap}: {queued} queued in {elapsed:.2f} s"
                f" ({queued / elapsed if elapsed else 0:,.0f} msg/s), {len(run.log)} statements,"
                f" load average {os.getloadavg()[0]:.1f}"
            )
            report(run.log, run.profiler)
        finally:
            cr.rollback()
            bench_journeys._clear(env, cr, mass | journeys)
            (mass | journeys).unlink()
            env["res.company"].search([]).write({"client_mailing_cap_count": 0, "client_mailing_cap_days": 0})
            cr.commit()


if __name__ == "__main__":
    main()
