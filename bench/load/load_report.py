"""Writes bench/results/load-<SIZE>.md from one load test's output directory (bench/load/load.sh).

Reads: meta.json (the run's settings), requests.csv (one line per request, from the
locustfile), nightly.jsonl (the nightly job's runs alone and under load), pgwatch.jsonl
(lock waits, replication lag, pg_stat_database at start and end), odoo.log, pg.log (the
PostgreSQL log lines written during the run) and, in replica mode, replica.json
(pg_stat_statements of the replica).
"""

import argparse
import csv
import json
import os
import re
import statistics
from collections import Counter, defaultdict

ODOO_PATTERNS = {
    "could not serialize": r"could not serialize",
    "deadlock detected": r"deadlock detected",
    "lock timeout / lock not available": r"lock timeout|LockNotAvailable|lock not available",
    "retried a read-only request on the primary": r"retrying with a read/write cursor",
    "ERROR lines": r"^\S+ \S+ \d+ ERROR ",
    "WARNING lines": r"^\S+ \S+ \d+ WARNING ",
    "worker killed (limits)": r"virtual real time limit|CPU time limit|virtual memory limit|killing",
}
PG_PATTERNS = {
    "lock waits logged (log_lock_waits: waited > deadlock_timeout)": r"still waiting for",
    "deadlocks": r"deadlock detected",
    "serialization failures": r"could not serialize",
    "statement timeouts": r"canceling statement due to",
}


def percentile(values, pct):
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100.0 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def read_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path) as lines:
        return [json.loads(line) for line in lines if line.strip()]


def action_table(rows, seconds):
    by_action = defaultdict(list)
    for row in rows:
        by_action[row["action"]].append(row)
    lines = [
        "| action | requests | failures | p50 ms | p95 ms | p99 ms | max ms | req/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    total = []
    for action in sorted(by_action, key=lambda a: -len(by_action[a])):
        reqs = by_action[action]
        total.extend(reqs)
        lines.append(_row(action, reqs, seconds))
    if total:
        lines.append(_row("**all**", total, seconds))
    return "\n".join(lines) + "\n"


def _row(name, reqs, seconds):
    times = [r["ms"] for r in reqs]
    fails = sum(1 for r in reqs if r["error"])
    rate = len(reqs) / seconds if seconds else 0
    return (
        f"| {name} | {len(reqs)} | {fails} | {percentile(times, 50):.0f} | {percentile(times, 95):.0f}"
        f" | {percentile(times, 99):.0f} | {max(times):.0f} | {rate:.2f} |"
    )


def grep_counts(path, patterns):
    counts = Counter()
    samples = defaultdict(list)
    if not os.path.exists(path):
        return counts, samples
    compiled = {name: re.compile(pattern) for name, pattern in patterns.items()}
    with open(path, errors="replace") as log:
        for line in log:
            for name, regex in compiled.items():
                if regex.search(line):
                    counts[name] += 1
                    if len(samples[name]) < 5:
                        samples[name].append(line.rstrip()[:400])
    return counts, samples


def tracebacks(path, limit=3):
    """The first distinct tracebacks of the Odoo log (their last line and a few frames)."""
    if not os.path.exists(path):
        return []
    found, current = [], None
    with open(path, errors="replace") as log:
        for line in log:
            if line.startswith("Traceback"):
                current = [line.rstrip()]
            elif current is not None:
                if line.startswith((" ", "\t")) or not re.match(r"^\d{4}-\d\d-\d\d ", line):
                    current.append(line.rstrip())
                else:
                    found.append(current)
                    current = None
    if current:
        found.append(current)
    distinct = {}
    for tb in found:
        key = tb[-1]
        distinct.setdefault(key, tb)
    return [tb[:1] + tb[-12:] for tb in list(distinct.values())[:limit]]


def cpu_consumers_table(samples, window):
    """Who used the machine's CPU: cores in use per consumer (pgwatch's ``cpu_by``), while the
    nightly job ran and the rest of the run."""
    parts = {
        "job": [s for s in samples if window and window[0] <= s["time"] <= window[1] and s.get("cpu_by")],
        "quiet": [
            s for s in samples if not (window and window[0] <= s["time"] <= window[1]) and s.get("cpu_by")
        ],
    }
    if not any(parts.values()):
        return ""
    cores = {}
    for name, part in parts.items():
        # samples are a second apart: CPU seconds summed over the part / its seconds = cores in use
        seconds = max(len(part), 1)
        totals = Counter()
        for sample in part:
            totals.update(sample["cpu_by"])
        cores[name] = {kind: used / seconds for kind, used in totals.items()}
    kinds = sorted(set(cores["job"]) | set(cores["quiet"]), key=lambda k: -cores["job"].get(k, 0))
    lines = [
        "\nWho used the CPU (cores in use, averaged; /proc/<pid>/stat every second, PostgreSQL sessions"
        " given to the process that opened them, parallel workers to their leader):\n\n"
        "| consumer | while the nightly job ran | the rest of the run |\n|---|---:|---:|\n"
    ]
    for kind in kinds:
        job, quiet = cores["job"].get(kind, 0), cores["quiet"].get(kind, 0)
        if job >= 0.005 or quiet >= 0.005:
            lines.append(f"| {kind} | {job:.2f} | {quiet:.2f} |\n")
    lines.append(f"| **all** | {sum(cores['job'].values()):.2f} | {sum(cores['quiet'].values()):.2f} |\n")
    return "".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    d = args.dir
    with open(os.path.join(d, "meta.json")) as f:
        meta = json.load(f)
    rows = []
    with open(os.path.join(d, "requests.csv"), newline="") as f:
        for r in csv.DictReader(f):
            rows.append(
                {
                    "time": float(r["time"]),
                    "action": r["action"],
                    "role": r["role"],
                    "ms": float(r["ms"]),
                    "error": r["error"],
                }
            )
    nightly = read_jsonl(os.path.join(d, "nightly.jsonl"))
    watch = read_jsonl(os.path.join(d, "pgwatch.jsonl"))

    start = min((r["time"] for r in rows), default=0)
    end = max((r["time"] for r in rows), default=0)
    load_runs = [n for n in nightly if n["label"] == "load"]
    window = (min(n["start"] for n in load_runs), max(n["end"] for n in load_runs)) if load_runs else None
    during = [r for r in rows if window and window[0] <= r["time"] <= window[1]]
    quiet = [r for r in rows if not (window and window[0] <= r["time"] <= window[1])]
    # the first seconds, while the users log in (the password hash is slow by design), apart
    # from the steady state: until the last user's session had its first page
    ramp_end = max((r["time"] for r in rows if r["action"] == "log in: my clients"), default=start)
    ramp = [r for r in quiet if r["time"] <= ramp_end]
    steady = [r for r in quiet if r["time"] > ramp_end]

    out = []
    out.append(f"# Load test, size {meta['size']}\n")
    out.append(
        f"{meta['date']}, {meta['host']}, {meta['cpus']} CPU(s), {meta['mem_gb']} GB RAM. Database `{meta['db']}`"
        f" ({meta['clients']} clients). {meta['users']} simulated users (~80% salespeople, ~20% heads of"
        f" sales, each logged in with its own login), spawned at {meta['rate']}/s, for {meta['minutes']} minute(s);"
        f" think time 3-8 s between actions. Salespeople open the Clients page and the funnels on *My Clients*,"
        f" as the actions open for them, and remove the filter in one visit of five (*filter removed*: the whole"
        f" base, the heavier path); heads of sales work on the whole base. Odoo: `--workers {meta['workers']} --max-cron-threads {meta['cron']}`"
        f" on 127.0.0.1; replica: {'yes (port %s)' % meta['replica_port'] if meta.get('replica') else 'no'}."
        + (
            f" PostgreSQL {meta['postgresql']} (the server's setting; the addon's jobs and mailing"
            " classification run without JIT)."
            if meta.get("postgresql")
            else ""
        )
        + f" Command: `{meta['command']}`.\n"
    )
    out.append(
        "Times are measured by locust (Python, same machine: the client's own CPU use is included) from"
        " the per-request log; percentiles are exact. The nightly job (the engine's full recompute with the"
        " user-defined segments, then the reports refresh) ran in its own Odoo process against the same"
        " database, once alone before the users came and then under load"
        + (f", starting {meta['nightly_delay']} s into the run" if load_runs else "")
        + ".\n"
    )

    out.append("\n## Per action, whole run\n")
    out.append(action_table(rows, end - start))
    if window:
        job_seconds = window[1] - window[0]
        ramp_seconds = max(ramp_end - start, 1)
        steady_seconds = max(end - start - job_seconds - ramp_seconds, 1)
        out.append(
            f"\n## While the nightly job ran ({job_seconds:.0f} s), once every user was in ({steady_seconds:.0f} s),"
            f" while the users logged in ({ramp_seconds:.0f} s)\n\n"
            "The run in three parts: the nightly job's window; the rest of the run once the last user had"
            " logged in and opened their first page (the steady state); and the first seconds, while the"
            f" {meta['users']} users logged in (Odoo's password hash is slow by design, and the requests of the"
            " users already in wait behind it).\n\n"
            "### While the nightly job ran\n"
        )
        out.append(action_table(during, job_seconds))
        out.append("\n### Once every user was in, without the job\n")
        out.append(action_table(steady, steady_seconds))
        out.append("\n### While the users logged in\n")
        out.append(action_table(ramp, ramp_seconds))

    out.append("\n## Nightly job: alone vs under load\n")
    if nightly:
        has_after = any(n["label"] == "after" for n in nightly)
        header = "| step | alone before: runs | median s | under load: runs | median s | ratio |"
        rule = "|---|---:|---:|---:|---:|---:|"
        if has_after:
            header += " alone after: runs | median s | ratio |"
            rule += "---:|---:|---:|"
        out.append(header + " errors |\n" + rule + "---|\n")
        steps = list(dict.fromkeys(n["step"] for n in nightly))
        totals = Counter()
        for step in steps:
            medians = {}
            cells = []
            for label in ("alone", "load", "after"):
                runs = [n["seconds"] for n in nightly if n["step"] == step and n["label"] == label]
                medians[label] = statistics.median(runs) if runs else 0
                totals[label] += medians[label]
                if label != "after" or has_after:
                    cells.append(f"{len(runs)} | {medians[label]:.2f}")
                    if label != "alone":
                        base = medians["alone" if label == "load" else "after"]
                        cells.append(f"{medians['load'] / base if base else 0:.2f}")
            errors = sorted({n["error"] for n in nightly if n["step"] == step and n["error"]})
            out.append(f"| {step} | {' | '.join(cells)} | {'; '.join(errors)[:300]} |\n")
        whole = [f"| **whole job** | | {totals['alone']:.2f} | | {totals['load']:.2f}"]
        whole.append(f"{totals['load'] / totals['alone'] if totals['alone'] else 0:.2f}")
        if has_after:
            whole.append(f" | {totals['after']:.2f}")
            whole.append(f"{totals['load'] / totals['after'] if totals['after'] else 0:.2f}")
        out.append(" | ".join(whole) + " | |\n")
        out.append(
            "\nEach run of the job was repeated back to back until the window lasted at least"
            f" {meta['nightly_min_seconds']} s (at S one run takes well under a second); ratios are of the"
            " medians, under load against alone."
            + (
                " The run changes what the job works on (the calls logged, the mailing's traces, which the"
                " responses' sync reads): the job is timed alone before the users come and again after the"
                " server is stopped, on the data as the run left it.\n"
                if has_after
                else "\n"
            )
        )
    else:
        out.append("The nightly job did not run.\n")

    mailing_path = os.path.join(d, "mailing.json")
    if os.path.exists(mailing_path) and os.path.getsize(mailing_path):
        with open(mailing_path) as f:
            mailing = json.load(f)
        with open(os.path.join(d, "mailing-queued.json")) as f:
            queued = json.load(f)["queued"]
        traces = mailing.get("traces") or {}
        mails = mailing.get("mails") or {}
        sent = traces.get("sent", 0) + traces.get("open", 0) + traces.get("reply", 0)
        out.append("\n## Mailing sent meanwhile\n")
        out.append(
            f"A marketing mailing to every generated client ({mailing['recipients']} recipients) was queued"
            f" {queued - start:.0f} s into the run, as the Send button does; Odoo's cron worker of the server"
            " under load rendered and sent it to a local SMTP sink, the addon re-checking each recipient's"
            f" consent and frequency cap. At the end of the run its state was *{mailing['state']}*: traces"
            f" {json.dumps(traces, sort_keys=True)}, mails still queued {json.dumps(mails, sort_keys=True)}."
        )
        if mailing.get("first_sent") and mailing.get("last_sent") and sent:
            span = max(mailing["last_sent"] - mailing["first_sent"], 1)
            out.append(
                f" {sent} delivered to the sink from {mailing['first_sent'] - start:.0f} s to"
                f" {mailing['last_sent'] - start:.0f} s into the run ({sent / span:.0f} per second).\n"
            )
        else:
            out.append(" None was delivered during the run.\n")

    out.append("\n## Errors\n")
    errors = Counter((r["action"], r["error"]) for r in rows if r["error"])
    if errors:
        out.append("| action | count | error |\n|---|---:|---|\n")
        for (action, error), count in errors.most_common(20):
            out.append(f"| {action} | {count} | {error.replace('|', '/')[:250]} |\n")
    else:
        out.append("No request failed.\n")

    out.append("\n## PostgreSQL\n")
    stats = {s["at"]: s for s in watch if s["kind"] == "stats"}
    samples = [s for s in watch if s["kind"] == "sample"]
    if "start" in stats and "end" in stats:
        delta = {
            k: stats["end"][k] - stats["start"][k]
            for k in ("deadlocks", "conflicts", "xact_commit", "xact_rollback", "temp_files")
        }
        out.append(
            f"pg_stat_database of `{meta['db']}` over the run: deadlocks +{delta['deadlocks']}, recovery conflicts"
            f" +{delta['conflicts']}, commits +{delta['xact_commit']}, rollbacks +{delta['xact_rollback']},"
            f" temp files +{delta['temp_files']}.\n\n"
        )
    waits = [len(s["waiting"]) for s in samples]
    waited = [w for s in samples for w in s["waiting"]]
    active = [s["active"] for s in samples]
    if samples:
        out.append(
            f"Sessions waiting on a lock (pg_stat_activity, sampled every second, {len(samples)} samples):"
            f" seen in {sum(1 for w in waits if w)} samples, at most {max(waits)} at once, longest wait seen"
            f" {max((w['waited'] for w in waited), default=0):.1f} s. Active sessions: median"
            f" {statistics.median(active):.0f}, max {max(active)}.\n"
        )
        cpu = {
            name: [s["cpu_busy"] for s in part if "cpu_busy" in s]
            for name, part in (
                (
                    "while the nightly job ran",
                    [s for s in samples if window and window[0] <= s["time"] <= window[1]],
                ),
                ("quiet", [s for s in samples if not (window and window[0] <= s["time"] <= window[1])]),
            )
        }
        if any(cpu.values()):
            out.append(
                "\nCPU of the machine in use (all processes: Odoo's workers, PostgreSQL, locust; /proc/stat every"
                " second): "
                + "; ".join(
                    f"{name}: median {100 * statistics.median(values):.0f}%, max {100 * max(values):.0f}%"
                    for name, values in cpu.items()
                    if values
                )
                + ".\n"
            )
        out.append(cpu_consumers_table(samples, window))
        queries = Counter(re.sub(r"\s+", " ", w["query"])[:160] for w in waited)
        if queries:
            out.append("\n| samples | waiting statement |\n|---:|---|\n")
            for query, count in queries.most_common(8):
                out.append(f"| {count} | `{query.replace('|', '/')}` |\n")
    pg_counts, pg_samples = grep_counts(os.path.join(d, "pg.log"), PG_PATTERNS)
    out.append(
        "\nPostgreSQL log during the run (log_lock_waits on for the run): "
        + ", ".join(f"{name}: {pg_counts.get(name, 0)}" for name in PG_PATTERNS)
        + ".\n"
    )
    for name, lines in pg_samples.items():
        out.append(f"\n{name}, first lines:\n\n```\n" + "\n".join(lines) + "\n```\n")

    out.append("\n## Odoo log\n")
    odoo_counts, odoo_samples = grep_counts(os.path.join(d, "odoo.log"), ODOO_PATTERNS)
    out.append(", ".join(f"{name}: {odoo_counts.get(name, 0)}" for name in ODOO_PATTERNS) + ".\n")
    for name in (
        "ERROR lines",
        "could not serialize",
        "deadlock detected",
        "lock timeout / lock not available",
    ):
        if odoo_samples.get(name):
            out.append(f"\n{name}, first lines:\n\n```\n" + "\n".join(odoo_samples[name]) + "\n```\n")
    for tb in tracebacks(os.path.join(d, "odoo.log")):
        out.append("\nTraceback (first and last lines):\n\n```\n" + "\n".join(tb) + "\n```\n")

    replica_path = os.path.join(d, "replica.json")
    if meta.get("replica"):
        out.append("\n## Streaming replica\n")
        lags = [r for s in samples for r in s.get("replication", [])]
        delays = [s["replica_delay"] for s in samples if s.get("replica_delay") is not None]
        replay = [r["replay"] for r in lags if r["replay"] is not None]
        behind = [r["bytes"] for r in lags if r["bytes"] is not None]
        if lags:
            out.append(
                f"Lag (pg_stat_replication on the primary, every second): replay_lag median"
                f" {statistics.median(replay) * 1000 if replay else 0:.1f} ms, max {max(replay, default=0) * 1000:.1f} ms;"
                f" bytes behind max {max(behind, default=0)}; replica's own replay delay max {max(delays, default=0):.2f} s"
                f" (state: {', '.join(sorted({r['state'] for r in lags}))}).\n"
            )
        else:
            out.append("No pg_stat_replication row was seen: the replica was not streaming.\n")
        if os.path.exists(replica_path):
            with open(replica_path) as f:
                rep = json.load(f)
            out.append(
                f"\npg_stat_statements on the replica (reset before the run; the standby is in recovery:"
                f" `pg_is_in_recovery()` = {rep.get('in_recovery')}, `transaction_read_only` = {rep.get('read_only')}):"
                f" {rep.get('calls', 0)} calls of {rep.get('statements', 0)} statements;"
                f" INSERT/UPDATE/DELETE among them: {rep.get('writes', 0)} statements"
                f" (a hot standby refuses any write, these would be errors). Odoo retried"
                f" {odoo_counts.get('retried a read-only request on the primary', 0)} read-only requests on the"
                " primary after a write attempt on the replica.\n\n"
            )
            out.append("| calls | mean ms | statement |\n|---:|---:|---|\n")
            for q in rep.get("top", []):
                text = re.sub(r"\s+", " ", q["query"])[:180].replace("|", "/")
                out.append(f"| {q['calls']} | {q['mean_ms']:.2f} | `{text}` |\n")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("".join(out))
    print(f"report written to {args.out}")


if __name__ == "__main__":
    main()
