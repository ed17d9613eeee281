"""PostgreSQL during the load test, sampled every second until SIGTERM (bench/load/load.sh).

Writes JSON lines to ``--out``: a ``stats`` line at start and at the end (pg_stat_database of
the database: deadlocks, conflicts, rollbacks), then one ``sample`` a second: the sessions of
the database waiting on a lock (with what they run and how long they have waited), the active
ones, the machine's CPU use over the last second (all processes: Odoo, PostgreSQL, locust) and
who used it (``cpu_by``: CPU seconds per consumer, see ``ProcessCpu``), and with
``--replica-port`` the streaming replica's lag as the primary sees it (pg_stat_replication)
and its replay delay as the replica sees it.
"""

import argparse
import json
import os
import re
import signal
import subprocess
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

BACKENDS = "SELECT pid, application_name, backend_type, leader_pid FROM pg_stat_activity"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

stopping = False


class ProcessCpu:
    """CPU seconds used by each consumer of the machine between two samples (/proc/<pid>/stat).

    Consumers: the users' side (Odoo's HTTP workers and their PostgreSQL sessions), Odoo's cron
    worker (the mailing's rendering and sending, and its PostgreSQL sessions), the nightly job
    (load_nightly.py and its sessions with their parallel workers), locust, the mail sink and
    PostgreSQL's own processes. Odoo's HTTP and cron workers are told apart by the "Worker
    WorkerCron (pid) alive" lines of Odoo's log; a PostgreSQL session belongs to the process
    at the other end of its Unix socket (``ss -xp``: Odoo's workers inherit the application_name
    of the server that forked them), a parallel worker to its leader's. Processes that ended between two samples (short parallel workers above all) are
    counted from the postmaster's children's time, as "PostgreSQL: ended processes".
    """

    def __init__(self, odoo_log):
        self.odoo_log = odoo_log
        self.log_offset = 0
        self.cron_pids = set()
        self.http_pids = set()
        self.commands = {}
        self.clients = {}  # PostgreSQL session pid -> pid of the process connected to it
        self.last = None

    def _read_clients(self):
        """Map every PostgreSQL session to its client process through the Unix sockets' peers."""
        try:
            listing = subprocess.run(["ss", "-xpn"], capture_output=True, text=True, timeout=5).stdout
        except (OSError, subprocess.SubprocessError):
            return
        owners, sessions = {}, {}
        for line in listing.splitlines()[1:]:
            parts = line.split()
            match = re.search(r"pid=(\d+)", line)
            if len(parts) < 8 or not match:
                continue
            pid = int(match.group(1))
            owners[parts[5]] = pid
            if ".s.PGSQL." in parts[4]:
                sessions[pid] = parts[7]
        self.clients = {pid: owners[peer] for pid, peer in sessions.items() if peer in owners}

    def _read_cron_pids(self):
        if not self.odoo_log or not os.path.exists(self.odoo_log):
            return
        with open(self.odoo_log, errors="replace") as log:
            log.seek(self.log_offset)
            for line in log:
                match = re.search(r"Worker (WorkerCron|WorkerHTTP) \((\d+)\) alive", line)
                if match:
                    pids = self.cron_pids if match.group(1) == "WorkerCron" else self.http_pids
                    pids.add(int(match.group(2)))
            self.log_offset = log.tell()

    def _command(self, pid):
        if pid not in self.commands:
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as cmd:
                    self.commands[pid] = cmd.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                self.commands[pid] = ""
        return self.commands[pid]

    @staticmethod
    def _times():
        """{pid: (own jiffies, ended children's jiffies, parent pid)} of every process."""
        times = {}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat") as stat:
                    data = stat.read()
            except OSError:
                continue
            fields = data[data.rfind(")") + 2 :].split()
            times[int(name)] = (
                int(fields[11]) + int(fields[12]),
                int(fields[13]) + int(fields[14]),
                int(fields[1]),
            )
        return times

    def _odoo_kind(self, pid):
        command = self._command(pid)
        if "load_nightly.py" in command:
            return "nightly job"
        if "odoo-bin" in command:
            if pid in self.cron_pids:
                return "Odoo cron worker (mailing)"
            if pid in self.http_pids:
                return "Odoo HTTP workers (users)"
            return "Odoo server and websocket process"
        return None

    def _kind(self, pid, parent, backends):
        command = self._command(pid)
        if "load-replica" in command or "load-replica" in self._command(parent):
            return "PostgreSQL replica"
        if pid in backends:
            _app, backend_type, leader = backends[pid]
            session = leader if leader and leader in backends else pid
            app = backends[session][0]
            client = self.clients.get(session)
            match = re.fullmatch(r"odoo-(\d+)", app or "")
            if client is None and match:
                client = int(match.group(1))
            owner = client and self._odoo_kind(client)
            if owner:
                return f"PostgreSQL for {owner}"
            if app == "load-pgwatch":
                return "load watch"
            if backend_type == "client backend":
                return "PostgreSQL: other sessions"
            return "PostgreSQL: background (autovacuum, WAL, checkpoints)"
        kind = self._odoo_kind(pid)  # the nightly job, or one of Odoo's processes
        if kind:
            return kind
        if "locust" in command:
            return "locust (the load generator)"
        if "aiosmtpd" in command:
            return "mail sink"
        if command.startswith("postgres") or "/postgresql/" in command:
            return "PostgreSQL: background (autovacuum, WAL, checkpoints)"
        if "load_pgwatch.py" in command:
            return "load watch"
        return "other"

    def sample(self, cur):
        """CPU seconds per consumer since the previous call (None on the first call)."""
        self._read_cron_pids()
        cur.execute(BACKENDS)
        backends = {pid: (app, btype, leader) for pid, app, btype, leader in cur.fetchall()}
        if any(
            btype == "client backend" and pid not in self.clients for pid, (_a, btype, _l) in backends.items()
        ):
            self._read_clients()
        times = self._times()
        last, self.last = self.last, times
        if last is None:
            return None
        used = {}
        for pid, (own, children, parent) in times.items():
            before = last.get(pid)
            if before is None:
                delta_own, delta_children = own, 0  # started since the last sample
            else:
                delta_own, delta_children = own - before[0], children - before[1]
            if delta_own > 0:
                kind = self._kind(pid, parent, backends)
                used[kind] = used.get(kind, 0) + delta_own
            if delta_children > 0 and self._command(pid).startswith("/usr/lib/postgresql"):
                used["PostgreSQL: ended processes"] = (
                    used.get("PostgreSQL: ended processes", 0) + delta_children
                )
        for pid in set(last) - set(times):
            self.commands.pop(pid, None)
        return {kind: jiffies / CLOCK_TICKS for kind, jiffies in used.items()}


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
    parser.add_argument("--odoo-log", help="Odoo's log file: which of its processes is the cron worker")
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
        processes = ProcessCpu(args.odoo_log)
        processes.sample(cur)
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
                    "cpu_by": processes.sample(cur),
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
