#!/usr/bin/env bash
# make bench SIZE=S|M|L: segmentation benchmark on a dedicated database.
#   S: 10k clients / 100k order lines, M: 100k / 1M, L: 1M / 10M.
#   BENCH_DB     database name (default clientbase_bench_<size>); it is dropped and re-created
#   BENCH_PORT   HTTP port used while installing (default 8279)
#   BENCH_REPEAT runs of every measure, the best time of each is reported (default 3)
#   BENCH_REUSE=1 keep the database and its generated data when it exists (the addon is
#                upgraded instead of installed): re-measuring at L without regenerating
#   BENCH_LOYALTY=0 leave clientbase_loyalty out (default 1: installed, its levels and personal
#                codes are measured too, see bench_loyalty.py)
#   BENCH_OUT    the report (default bench/results/results-<SIZE>.md, quoted by the README)
#   BENCH_ARGS   more options of bench.py, e.g. "--segments-only"; "--install-only" times the
#                install and upgrade on a base generated without the addon (bench_install.py,
#                report results-install-<SIZE>.md); "--loyalty-only" one full recompute, then only
#                the loyalty measures of bench_loyalty.py (levels, personal codes, bonus points)
source "$(dirname "$0")/../scripts/lib.sh"
require_odoo
require_pg

SIZE=${1:-S}
case "$SIZE" in S|M|L) ;; *) die "SIZE must be S, M or L (got '$SIZE')";; esac
size_lc=$(echo "$SIZE" | tr '[:upper:]' '[:lower:]')
DB=${BENCH_DB:-clientbase_bench_$size_lc}
PORT=${BENCH_PORT:-8279}

if [[ " ${BENCH_ARGS:-} " == *" --install-only "* ]]; then
  # the base is generated without the addon, then the install timed (bench_install.py)
  echo "== install benchmark size $SIZE on '$DB' (the base without the addon: '${DB}_base')"
  exec $PYTHON "$REPO_DIR/bench/bench_install.py" --db "$DB" --size "$SIZE" --addons-path "$ADDONS_PATH" \
    --port "$PORT" --out "${BENCH_OUT:-$REPO_DIR/bench/results/results-install-$SIZE.md}"
fi
modules=clientbase_crm
[ "${BENCH_LOYALTY:-1}" = 1 ] && modules=clientbase_crm,clientbase_loyalty
if [ "${BENCH_REUSE:-0}" = 1 ] && psql -lqt | cut -d'|' -f1 | grep -qw "$DB"; then
  echo "== reusing database '$DB' (upgrading $modules; installing those missing)"
  mode=(-i "$modules" -u "$modules")
else
  echo "== installing $modules into a fresh database '$DB' (no demo data)"
  drop_db "$DB"
  createdb "$DB"
  mode=(-i "$modules")
fi
odoo_bin -d "$DB" --addons-path="$ADDONS_PATH" "${mode[@]}" --without-demo=all --stop-after-init \
  --log-level=warn --max-cron-threads=0 --http-interface=127.0.0.1 --http-port="$PORT"

echo "== benchmark size $SIZE"
$PYTHON "$REPO_DIR/bench/bench.py" --db "$DB" --size "$SIZE" --addons-path "$ADDONS_PATH" \
  --out "${BENCH_OUT:-$REPO_DIR/bench/results/results-$SIZE.md}" --repeat "${BENCH_REPEAT:-3}" ${BENCH_ARGS:-}
