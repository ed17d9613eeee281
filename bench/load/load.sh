#!/usr/bin/env bash
# make load SIZE=S|M USERS=50 MINUTES=5 [REPLICA=1]: load test of the web client on this machine.
# Starts Odoo (odoo-bin: its workers re-run it; multi-process, loopback only) on the benchmark database clientbase_bench_<size>,
# creates the load users (bench/load/load_setup.py), times the nightly job alone, then runs locust
# (bench/load/locustfile.py) headless while the nightly job runs again a minute in, samples
# PostgreSQL every second, stops everything and writes bench/results/load-<SIZE>.md.
#   USERS (50), MINUTES (5), RATE users started per second (USERS/10, at least 1)
#   LOAD_REPORT                       the report's path (bench/results/load-<SIZE>[-replica].md)
#   LOAD_WORKERS (4), LOAD_CRON (2)   Odoo's --workers and --max-cron-threads (2, Odoo's default:
#                                     one thread renders the mailing while the other sends it)
#   LOAD_PORT (8289)                  HTTP port on 127.0.0.1 (the gevent port is the next one)
#   LOAD_UPGRADE=0                    do not upgrade clientbase_crm in the database first
#   LOAD_NIGHTLY_DELAY (60)           seconds into the run when the nightly job starts
#   LOAD_NIGHTLY_SECONDS (60)         the job's run is repeated until its window lasts this long
#                                     (about 5 runs at M: medians steadier than of 3)
#   LOAD_SALES (40), LOAD_HEADS (10)  load users created
#   LOAD_VENV                         where locust lives (its own virtualenv: locust needs newer
#                                     gevent, greenlet and Werkzeug than Odoo 18 pins)
#   REPLICA=1                         read-only requests go to a streaming replica (bench/load/load_replica.sh)
#   LOAD_MAILING=0                    no mailing (by default, with the nightly job a marketing mailing to
#                                     every generated client is queued and sent by Odoo's cron worker to a
#                                     local SMTP sink, aiosmtpd in locust's virtualenv, port LOAD_SMTP_PORT 2526)
# The output of the run (per-request log, Odoo and PostgreSQL logs) is kept in .bench-output/load-<SIZE>/.
source "$(dirname "$0")/../../scripts/lib.sh"
require_odoo
require_pg

SIZE=${1:-S}
case "$SIZE" in S|M) ;; L) die "the load test runs at S or M (L is for the segmentation benchmark)";; *) die "SIZE must be S or M (got '$SIZE')";; esac
size_lc=$(echo "$SIZE" | tr '[:upper:]' '[:lower:]')
DB=${LOAD_DB:-clientbase_bench_$size_lc}
USERS=${USERS:-50}
MINUTES=${MINUTES:-5}
RATE_GIVEN=${RATE:+1}
RATE=${RATE:-$(( USERS / 10 > 0 ? USERS / 10 : 1 ))}
PORT=${LOAD_PORT:-8289}
WORKERS=${LOAD_WORKERS:-4}
CRON=${LOAD_CRON:-2}
REPLICA=${REPLICA:-0}
REPLICA_PORT=${LOAD_REPLICA_PORT:-5433}
NIGHTLY_DELAY=${LOAD_NIGHTLY_DELAY:-60}
NIGHTLY_SECONDS=${LOAD_NIGHTLY_SECONDS:-60}
VENV=${LOAD_VENV:-$HOME/.cache/clientbase-load-venv}
MAILING=${LOAD_MAILING:-1}
SMTP_PORT=${LOAD_SMTP_PORT:-2526}
AIOSMTPD_VERSION=1.4.6
LOCUST_VERSION=$(sed -n 's/^[# ]*locust==\([0-9.]*\).*/\1/p' "$REPO_DIR/requirements.txt" | head -1)
LOCUST_VERSION=${LOCUST_VERSION:-2.32.0}
OUT="$REPO_DIR/.bench-output/load-$SIZE"
REPORT="$REPO_DIR/bench/results/load-$SIZE.md"
[ "${REPLICA:-0}" != 1 ] || REPORT="$REPO_DIR/bench/results/load-$SIZE-replica.md"
REPORT=${LOAD_REPORT:-$REPORT}
PGLOG=${LOAD_PGLOG:-/var/log/postgresql/postgresql-15-main.log}
# the nightly job must start while the users are at work, even in a short run
if [ $((NIGHTLY_DELAY * 3)) -gt $((MINUTES * 60 * 2)) ]; then NIGHTLY_DELAY=$((MINUTES * 60 / 3)); fi

if ! psql -lqt | cut -d'|' -f1 | grep -qw "$DB"; then
  echo "== database '$DB' is missing: creating it with the segmentation benchmark (make bench SIZE=$SIZE)"
  BENCH_REUSE=1 bash "$REPO_DIR/bench/bench.sh" "$SIZE"
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  die "port $PORT is in use: set LOAD_PORT"
fi

if [ ! -x "$VENV/bin/locust" ] || ! "$VENV/bin/locust" --version 2>/dev/null | grep -q "$LOCUST_VERSION"; then
  echo "== installing locust $LOCUST_VERSION into its own virtualenv $VENV"
  $PYTHON -m venv "$VENV"
  "$VENV/bin/pip" install -q "locust==$LOCUST_VERSION"
fi
if [ "$MAILING" = 1 ] && ! "$VENV/bin/python" -c "import aiosmtpd" 2>/dev/null; then
  echo "== installing aiosmtpd $AIOSMTPD_VERSION (the mail sink) into $VENV"
  "$VENV/bin/pip" install -q "aiosmtpd==$AIOSMTPD_VERSION"
fi

rm -rf "$OUT"
mkdir -p "$OUT"
PIDS=()
LOCK_WAITS_SET=0
REPLICA_STARTED=0
ODOO_PID=
stop_odoo() {
  # Odoo stops gracefully: its cron worker would first finish the mailing it renders. A second
  # TERM is Odoo's hard stop; what is left of this server after 20 s is killed, and its
  # PostgreSQL sessions with it, so that what runs next runs on a quiet database.
  [ -n "$ODOO_PID" ] || return 0
  kill -TERM "$ODOO_PID" 2>/dev/null || true
  sleep 2
  kill -TERM "$ODOO_PID" 2>/dev/null || true
  for _ in $(seq 20); do
    pgrep -f -- "--logfile=$OUT/odoo.log" >/dev/null || break
    sleep 1
  done
  pkill -KILL -f -- "--logfile=$OUT/odoo.log" 2>/dev/null || true
  wait "$ODOO_PID" 2>/dev/null || true
  ODOO_PID=
  psql -qAtd postgres -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
    WHERE datname = '$DB' AND pid <> pg_backend_pid()" >/dev/null 2>&1 || true
}
cleanup() {
  local pid
  stop_odoo
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ "$LOCK_WAITS_SET" = 1 ]; then
    psql -qd postgres -c "ALTER SYSTEM RESET log_lock_waits" -c "SELECT pg_reload_conf()" >/dev/null || true
  fi
  if [ "$REPLICA_STARTED" = 1 ]; then
    bash "$REPO_DIR/bench/load/load_replica.sh" stop || true
  fi
}
trap cleanup EXIT

if [ "${LOAD_UPGRADE:-1}" = 1 ]; then
  echo "== upgrading clientbase_crm in '$DB' (LOAD_UPGRADE=0 to skip)"
  odoo_bin -d "$DB" --addons-path="$ADDONS_PATH" -u clientbase_crm --stop-after-init --log-level=warn \
    --max-cron-threads=0 --http-interface=127.0.0.1 --http-port="$PORT" >"$OUT/upgrade.log" 2>&1 \
    || { tail -30 "$OUT/upgrade.log"; die "the upgrade of clientbase_crm failed (log: $OUT/upgrade.log)"; }
fi

echo "== load users"
mailing_setup=()
mailing_args=()
if [ "$MAILING" = 1 ]; then
  mailing_setup=(--smtp-port "$SMTP_PORT")
  mailing_args=(--mailing-out "$OUT/mailing-queued.json")
  if (exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null; then die "port $SMTP_PORT is in use: set LOAD_SMTP_PORT"; fi
  "$VENV/bin/python" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Sink >"$OUT/smtp.log" 2>&1 &
  PIDS+=($!)
fi
$PYTHON "$REPO_DIR/bench/load/load_setup.py" --db "$DB" --addons-path "$ADDONS_PATH" \
  --sales "${LOAD_SALES:-40}" --heads "${LOAD_HEADS:-10}" --out "$OUT/users.csv" "${mailing_setup[@]}"

replica_args=()
watch_args=()
if [ "$REPLICA" = 1 ]; then
  REPLICA_STARTED=1
  bash "$REPO_DIR/bench/load/load_replica.sh" start "$DB"
  replica_args=(--db_replica_host="$PGHOST" --db_replica_port="$REPLICA_PORT")
  watch_args=(--replica-port "$REPLICA_PORT")
fi

if [ "$(psql -Atd postgres -c 'SHOW log_lock_waits')" = off ]; then
  psql -qd postgres -c "ALTER SYSTEM SET log_lock_waits = on" -c "SELECT pg_reload_conf()" >/dev/null
  LOCK_WAITS_SET=1
fi
pglog_offset=$(stat -c %s "$PGLOG" 2>/dev/null || echo 0)

# In workers mode Odoo re-runs itself as the gevent (websocket) server, whose gevent loads its
# plugins through pkg_resources; setuptools 65 there does not find zope.interface/zope.event
# installed with normalised names (zope_interface-*.dist-info) and the process crash-loops.
# Without changing the installed packages: aliases of their metadata for the server only.
server_pythonpath=$($PYTHON - "$OUT/pyshim" <<'EOF'
import importlib.metadata as md
import os
import sys

import pkg_resources

try:
    pkg_resources.require("gevent")
except Exception:
    os.makedirs(sys.argv[1], exist_ok=True)
    for name in ("zope.interface", "zope.event"):
        dist = md.distribution(name)
        os.symlink(str(dist._path), os.path.join(sys.argv[1], f"{name}-{dist.version}.dist-info"))
    print(sys.argv[1])
EOF
)

echo "== Odoo on 127.0.0.1:$PORT, $WORKERS workers, $CRON cron thread(s)${replica_args:+, replica on port $REPLICA_PORT}"
PYTHONPATH="$server_pythonpath${PYTHONPATH:+:$PYTHONPATH}" $PYTHON "$ODOO_ROOT/odoo-bin" -d "$DB" --addons-path="$ADDONS_PATH" --db-filter="^$DB\$" --no-database-list \
  --workers="$WORKERS" --max-cron-threads="$CRON" --http-interface=127.0.0.1 --http-port="$PORT" \
  --gevent-port=$((PORT + 1)) --limit-time-real=600 --limit-time-cpu=600 \
  --limit-memory-soft=$((2 * 1024 * 1024 * 1024)) --limit-memory-hard=$((4 * 1024 * 1024 * 1024)) \
  --logfile="$OUT/odoo.log" "${replica_args[@]}" &
ODOO_PID=$!
for _ in $(seq 120); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/web/login" && break
  kill -0 "$ODOO_PID" 2>/dev/null || die "Odoo stopped: see $OUT/odoo.log"
  sleep 1
done
curl -sf -o /dev/null "http://127.0.0.1:$PORT/web/login" || die "Odoo does not answer on port $PORT"

echo "== the nightly job alone (no users)"
$PYTHON "$REPO_DIR/bench/load/load_nightly.py" --db "$DB" --addons-path "$ADDONS_PATH" --label alone \
  --min-seconds "$NIGHTLY_SECONDS" --out "$OUT/nightly.jsonl"

if [ "$REPLICA" = 1 ]; then bash "$REPO_DIR/bench/load/load_replica.sh" reset "$DB"; fi
$PYTHON "$REPO_DIR/bench/load/load_pgwatch.py" --db "$DB" --out "$OUT/pgwatch.jsonl" --odoo-log "$OUT/odoo.log" "${watch_args[@]}" &
PIDS+=($!)
watch_pid=$!
$PYTHON "$REPO_DIR/bench/load/load_nightly.py" --db "$DB" --addons-path "$ADDONS_PATH" --label load \
  --delay "$NIGHTLY_DELAY" --min-seconds "$NIGHTLY_SECONDS" --out "$OUT/nightly.jsonl" "${mailing_args[@]}" &
PIDS+=($!)
nightly_pid=$!

echo "== locust: $USERS users (+$RATE/s) for $MINUTES minute(s); the nightly job starts at ${NIGHTLY_DELAY}s"
locust_rc=0
LOAD_DB="$DB" LOAD_USERS_FILE="$OUT/users.csv" LOAD_REQUEST_LOG="$OUT/requests.csv" \
  "$VENV/bin/locust" -f "$REPO_DIR/bench/load/locustfile.py" --headless -u "$USERS" -r "$RATE" \
  -t "${MINUTES}m" --stop-timeout 10 --host "http://127.0.0.1:$PORT" --csv "$OUT/locust" \
  --only-summary --loglevel WARNING >"$OUT/locust.log" 2>&1 || locust_rc=$?
tail -n 40 "$OUT/locust.log"
[ -s "$OUT/requests.csv" ] || die "locust made no request (exit $locust_rc): see $OUT/locust.log"

wait "$nightly_pid" || echo "WARNING: the nightly job under load exited with an error"
kill -TERM "$watch_pid" 2>/dev/null || true
wait "$watch_pid" || true
if [ "$REPLICA" = 1 ]; then bash "$REPO_DIR/bench/load/load_replica.sh" stats "$DB" >"$OUT/replica.json"; fi
tail -c +$((pglog_offset + 1)) "$PGLOG" >"$OUT/pg.log" 2>/dev/null || true
if [ -s "$OUT/mailing-queued.json" ]; then
  # how far Odoo's cron worker got with the mailing while the users worked
  mailing_id=$($PYTHON -c "import json, sys; print(json.load(open(sys.argv[1]))['id'])" "$OUT/mailing-queued.json")
  psql -Atd "$DB" -v id="$mailing_id" -f "$REPO_DIR/bench/load/load_mailing_stats.sql" >"$OUT/mailing.json"
fi

# The run changed what the job works on (calls logged, the mailing's traces): it is timed alone
# again once the server is stopped, so that the ratio is also taken against the same data.
echo "== the nightly job alone again, the server stopped"
stop_odoo
$PYTHON "$REPO_DIR/bench/load/load_nightly.py" --db "$DB" --addons-path "$ADDONS_PATH" --label after \
  --min-seconds "$NIGHTLY_SECONDS" --out "$OUT/nightly.jsonl"

clients=$(psql -Atd "$DB" -c "SELECT count(*) FROM res_partner WHERE name LIKE 'Bench client %'")
pg_server=$(psql -Atd "$DB" -c "SELECT current_setting('server_version') || ', jit ' || current_setting('jit')")
SIZE=$SIZE DB=$DB USERS=$USERS MINUTES=$MINUTES RATE=$RATE RATE_GIVEN=$RATE_GIVEN WORKERS=$WORKERS CRON=$CRON REPLICA=$REPLICA \
  REPLICA_PORT=$REPLICA_PORT CLIENTS=$clients PG_SERVER="$pg_server" NIGHTLY_DELAY=$NIGHTLY_DELAY NIGHTLY_SECONDS=$NIGHTLY_SECONDS \
  $PYTHON - "$OUT/meta.json" <<'EOF'
import datetime, json, os, platform, sys

e = os.environ
mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
command = f"make load SIZE={e['SIZE']} USERS={e['USERS']} MINUTES={e['MINUTES']}" + (" REPLICA=1" if e["REPLICA"] == "1" else "")
command = (f"RATE={e['RATE']} " if e.get("RATE_GIVEN") else "") + command
meta = {
    "date": f"{datetime.datetime.now():%Y-%m-%d %H:%M}", "host": platform.node(), "cpus": os.cpu_count(),
    "mem_gb": round(mem, 1), "size": e["SIZE"], "db": e["DB"], "clients": int(e["CLIENTS"]),
    "users": int(e["USERS"]), "minutes": int(e["MINUTES"]), "rate": int(e["RATE"]),
    "workers": int(e["WORKERS"]), "cron": int(e["CRON"]), "replica": e["REPLICA"] == "1",
    "replica_port": int(e["REPLICA_PORT"]), "command": command,
    "postgresql": e["PG_SERVER"], "nightly_delay": int(e["NIGHTLY_DELAY"]), "nightly_min_seconds": int(e["NIGHTLY_SECONDS"]),
}
json.dump(meta, open(sys.argv[1], "w"), indent=1)
EOF
$PYTHON "$REPO_DIR/bench/load/load_report.py" --dir "$OUT" --out "$REPORT"
echo "== done (locust exit code $locust_rc; output in $OUT)"
