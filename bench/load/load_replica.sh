#!/usr/bin/env bash
# Streaming replica for the load test (make load ... REPLICA=1): a second PostgreSQL 15 cluster
# on this machine, a physical hot standby of the main one (port 5432), with pg_stat_statements.
#   bash bench/load/load_replica.sh start DB   base backup (the whole cluster) and start, port 5433
#   bash bench/load/load_replica.sh stats DB   JSON of the replica's pg_stat_statements for DB
#   bash bench/load/load_replica.sh reset DB   reset them (before the run)
#   bash bench/load/load_replica.sh stop       stop it, drop its replication slot, remove its directory
# LOAD_REPLICA_PORT (5433), LOAD_REPLICA_DIR (/var/lib/postgresql/15/load-replica),
# LOAD_REPLICA_KEEP=1: 'stop' keeps the directory (the next 'start' then only restarts it).
source "$(dirname "$0")/../../scripts/lib.sh"

RPORT=${LOAD_REPLICA_PORT:-5433}
RDIR=${LOAD_REPLICA_DIR:-/var/lib/postgresql/15/load-replica}
SLOT=clientbase_load_replica
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
as_pg() { runuser -u postgres -- "$@"; }
rpsql() { psql -h "$PGHOST" -p "$RPORT" "$@"; }

start() {
  local db=$1
  require_pg
  # the extension must exist in the database (created on the primary, replicated); the
  # replica alone loads its library
  psql -q -d "$db" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
  if pg_isready -q -h "$PGHOST" -p "$RPORT"; then
    echo "== replica already running on port $RPORT"
    return
  fi
  if [ ! -f "$RDIR/standby.signal" ]; then
    local need avail
    need=$(psql -Atd postgres -c "SELECT (sum(pg_database_size(datname)) / 1024)::bigint FROM pg_database")
    avail=$(df -Pk "$(dirname "$RDIR")" | awk 'NR == 2 {print $4}')
    [ "$avail" -gt $((need * 12 / 10 + 2 * 1024 * 1024)) ] \
      || die "not enough space for the replica: the cluster is $((need / 1024)) MB, $((avail / 1024)) MB free"
    echo "== base backup of the cluster ($((need / 1024)) MB) into $RDIR"
    rm -rf "$RDIR"
    psql -q -d postgres -c "SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT'" >/dev/null
    as_pg "$PGBIN/pg_basebackup" -h "$PGHOST" -p 5432 -D "$RDIR" -R -X stream -C -S "$SLOT" -c fast
    local settings
    settings=$(psql -Atd postgres -c "SELECT string_agg(name || ' = ' || setting, E'\n') FROM pg_settings WHERE name IN
      ('max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions',
       'max_locks_per_transaction')")
    as_pg tee "$RDIR/postgresql.conf" >/dev/null <<EOF
# load test replica (bench/load/load_replica.sh)
port = $RPORT
unix_socket_directories = '$PGHOST'
listen_addresses = ''
hba_file = '/etc/postgresql/15/main/pg_hba.conf'
ident_file = '/etc/postgresql/15/main/pg_ident.conf'
hot_standby = on
hot_standby_feedback = on
shared_buffers = 256MB
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
$settings
EOF
  fi
  as_pg "$PGBIN/pg_ctl" -D "$RDIR" -l "$RDIR.log" -w -t 120 start >/dev/null
  for _ in $(seq 60); do
    [ "$(psql -Atd postgres -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" -gt 0 ] && break
    sleep 1
  done
  echo "== replica streaming on port $RPORT: $(rpsql -Atd postgres -c 'SELECT pg_is_in_recovery()') in recovery"
}

stats() {
  local db=$1
  rpsql -Atd "$db" <<'SQL'
SELECT json_build_object(
  'in_recovery', pg_is_in_recovery(),
  'read_only', current_setting('transaction_read_only'),
  'statements', (SELECT count(*) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                  WHERE d.datname = current_database()),
  'calls', (SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
             WHERE d.datname = current_database()),
  'writes', (SELECT count(*) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
              WHERE d.datname = current_database()
                AND ltrim(query) ~* '^(with\s.*\s)?(insert|update|delete|merge)\s'),
  'top', (SELECT coalesce(json_agg(t), '[]') FROM (
            SELECT calls, round(mean_exec_time::numeric, 2) AS mean_ms, left(query, 400) AS query
              FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
             WHERE d.datname = current_database()
             ORDER BY total_exec_time DESC LIMIT 12) t))
SQL
}

reset() { rpsql -Atqd "$1" -c "SELECT pg_stat_statements_reset()" >/dev/null; }

stop() {
  if [ -f "$RDIR/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$RDIR" -m fast -w stop >/dev/null || true
  fi
  if [ "${LOAD_REPLICA_KEEP:-0}" != 1 ]; then
    psql -q -d postgres -c "SELECT pg_drop_replication_slot('$SLOT') FROM pg_replication_slots WHERE slot_name = '$SLOT'" >/dev/null || true
    rm -rf "$RDIR" "$RDIR.log"
    echo "== replica stopped and removed"
  else
    echo "== replica stopped, kept in $RDIR (its slot $SLOT keeps WAL on the primary)"
  fi
}

case "${1:-}" in
  start) start "${2:?database}" ;;
  stats) stats "${2:?database}" ;;
  reset) reset "${2:?database}" ;;
  stop) stop ;;
  *) die "usage: $0 start DB | stats DB | reset DB | stop" ;;
esac
