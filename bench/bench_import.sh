#!/usr/bin/env bash
# make bench-import ROWS=100000: the client import benchmark.
#   BENCH_DB   database (default clientbase_bench_s: the segmentation benchmark's S base when it
#              exists, else a fresh database with the addon); the import is rolled back.
#   BENCH_PORT HTTP port used while installing or upgrading (default 8279)
#   BENCH_IMPORT_REPEAT  pairs of imports without / with the change log, interleaved (default 2)
#   BENCH_IMPORT_OUT     the report (default bench/results/results-import.md)
#   BENCH_NOTE           a line on the conditions of the run, written into the report
# Results: bench/results/results-import.md (quoted by the README).
source "$(dirname "$0")/../scripts/lib.sh"
require_odoo
require_pg

ROWS=${1:-100000}
DB=${BENCH_DB:-clientbase_bench_s}
PORT=${BENCH_PORT:-8279}
if psql -lqt | cut -d'|' -f1 | grep -qw "$DB"; then
  echo "== upgrading clientbase_crm in '$DB'"
  mode=(-u clientbase_crm)
else
  echo "== installing clientbase_crm into a fresh database '$DB' (no demo data)"
  createdb "$DB"
  mode=(-i clientbase_crm)
fi
odoo_bin -d "$DB" --addons-path="$ADDONS_PATH" "${mode[@]}" --without-demo=all --stop-after-init \
  --log-level=warn --max-cron-threads=0 --http-interface=127.0.0.1 --http-port="$PORT"
$PYTHON "$REPO_DIR/bench/bench_import.py" --db "$DB" --rows "$ROWS" --addons-path "$ADDONS_PATH" \
  --out "${BENCH_IMPORT_OUT:-$REPO_DIR/bench/results/results-import.md}" \
  --change-log-repeat "${BENCH_IMPORT_REPEAT:-2}" --note "${BENCH_NOTE:-}"
