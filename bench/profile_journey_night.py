"""Profile the journeys' first night (issue 30) on a bench base: where its time goes.

The night of ``bench_journeys`` (seven active journeys switched on over a base whose every
client has just got its segment values, as events: the whole base enrolled, then the night's
due steps), run as the scheduled job runs it (batches committed). Prints the time, the SQL
statements and their time by the part of the run that issued them, the slowest statements and
(``--profile``) cProfile's top functions. Needs a base where ``bench.py`` ran the engine (the
figures); everything it wrote is deleted at the end.

    python3 bench/profile_journey_night.py --db jou_bench --addons-path "$ADDONS_PATH" [--profile]
"""

import os

import bench_journeys
from journey_profile import opened, profiled, report

PARTS = (
    "_candidates_query",
    "_enrol",
    "_supersede",
    "_event_last_ids",
    "_apply_exits",
    "_due_members",
    "_send_eligibility",
    "_queue_mailing",
    "_log",
    "_move",
    "_execute_tag",
    "flush_model",
)


def main():
    with opened(__doc__.splitlines()[0]) as bench:
        env, cr, journeys = bench.env, bench.cr, bench.journeys
        bench_journeys._clear(env, cr, journeys)
        bench_journeys._watermarks(env, cr, journeys, 0)
        events_from = bench_journeys._whole_base_events(cr)
        cr.commit()
        Journey = env["clientbase.journey"].with_context(clientbase_journey_commit=True)
        try:
            run = profiled(cr, PARTS, bench.args.profile, Journey._run, journeys)
            cr.execute(
                "SELECT count(*) FROM clientbase_journey_history h JOIN clientbase_journey_member m"
                " ON m.id = h.member_id WHERE m.journey_id = ANY(%s) AND h.result = 'queued'",
                (journeys.ids,),
            )
            queued = cr.fetchone()[0]
            print(
                f"first night: {sum(run.result.values())} entered, {queued} queued in {run.elapsed:.2f} s,"
                f" {len(run.log)} statements ({sum(s for s, _p, _t in run.log):.2f} s in SQL),"
                f" load average {os.getloadavg()[0]:.1f}"
            )
            report(run.log, run.profiler, slowest=15)
        finally:
            cr.rollback()
            cr.execute("DELETE FROM clientbase_segment_history WHERE id > %s", (events_from,))
            bench_journeys._clear(env, cr, journeys)
            journeys.unlink()
            cr.commit()


if __name__ == "__main__":
    main()
