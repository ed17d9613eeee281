"""PostgreSQL during the load test, sampled every second until SIGTERM (scripts/load.sh).

Writes JSON lines to ``--out``: a ``stats`` line at start and at the end (pg_stat_database of
the database: deadlocks, conflicts, rollbacks), then one ``sample`` a second: the sessions of
the database waiting on a lock (with what they run and how long they have waited), the active
ones, the machine's CPU use over the last second (all processes: Odoo, PostgreSQL, locust), and with ``--replica-port`` the streaming replica's lag as the primary sees it
(pg_stat_replication) and its replay delay as the replica sees it.
"""

import argparse
import json
import signal
import time

import psycopg2

STATS = """
SELECT deadlocks, conflicts, xact_commit, xact_rollback, temp_files, blks_read, blks_hit
  FROM pg_stat_database WHERE datname = %s
"""
WAITING = """
SELECT pid, wait_event, EXTRACT(EPOCH FROM now() - state_change)::float, left(query, 300)
  FROM pg_stat_activity
 WHERE datname = %s AND wait_event_type = 'Lock'
"""
ACTIVE = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = %s AND state = 'active' AND pid <> pg_backend_pid()"
LAG = """
SELECT application_name, state, EXTRACT(EPOCH FROM write_lag)::float, EXTRACT(EPOCH FROM flush_lag)::float,
       EXTRACT(EPOCH FROM replay_lag)::float, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint
  FROM pg_stat_replication
"""
REPLAY_DELAY = """
SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float END
"""

stopping = False


def cpu_times():
    """(busy, total) jiffies of the whole machine (/proc/stat): how much CPU is left."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def stop(_signum, _frame):
    global stopping
    stopping = True


def stats(cur, db):
    cur.execute(STATS, (db,))
    names = [col.name for col in cur.description]
    return dict(zip(names, cur.fetchone(), strict=True))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--host", default="/var/run/postgresql")
    parser.add_argument("--replica-port", type=int)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    conn = psycopg2.connect(dbname=args.db, host=args.host, application_name="load-pgwatch")
    conn.autocommit = True
    replica = None
    if args.replica_port:
        replica = psycopg2.connect(
            dbname=args.db, host=args.host, port=args.replica_port, application_name="load-pgwatch"
        )
        replica.autocommit = True
    with open(args.out, "w") as out, conn.cursor() as cur:

        def write(row):
            out.write(json.dumps(row) + "\n")
            out.flush()

        write({"kind": "stats", "at": "start", "time": time.time(), **stats(cur, args.db)})
        last_cpu = cpu_times()
        while not stopping:
            now = time.time()
            cpu = cpu_times()
            busy = (cpu[0] - last_cpu[0]) / max(cpu[1] - last_cpu[1], 1)
            last_cpu = cpu
            try:
                cur.execute(WAITING, (args.db,))
                waiting = [
                    {"pid": pid, "event": event, "waited": waited, "query": query}
                    for pid, event, waited, query in cur.fetchall()
                ]
                cur.execute(ACTIVE, (args.db,))
                row = {
                    "kind": "sample",
                    "time": now,
                    "active": cur.fetchone()[0],
                    "waiting": waiting,
                    "cpu_busy": busy,
                }
                if replica is not None:
                    cur.execute(LAG)
                    row["replication"] = [
                        dict(zip(("name", "state", "write", "flush", "replay", "bytes"), r, strict=True))
                        for r in cur.fetchall()
                    ]
                    with replica.cursor() as rcur:
                        rcur.execute(REPLAY_DELAY)
                        row["replica_delay"] = rcur.fetchone()[0]
                write(row)
            except psycopg2.Error as exc:
                write({"kind": "error", "time": now, "error": str(exc)})
            time.sleep(max(0.0, 1.0 - (time.time() - now)))
        write({"kind": "stats", "at": "end", "time": time.time(), **stats(cur, args.db)})


if __name__ == "__main__":
    main()
