#!/usr/bin/env bash
# make forecast-check: the next-purchase forecast against what happened (held-out months).
#   FORECAST_DB  database with order history (default clientbase_demo: the 'make run' base)
# Results: bench/results/forecast-<db>.md (quoted by the README). Read-only.
source "$(dirname "$0")/../scripts/lib.sh"
require_odoo
require_pg

DB=${FORECAST_DB:-clientbase_demo}
psql -lqt | cut -d'|' -f1 | grep -qw "$DB" || die "database '$DB' does not exist: run 'make run' first (it builds the demo base)"
$PYTHON "$REPO_DIR/bench/forecast_check.py" --db "$DB" --addons-path "$ADDONS_PATH" \
  --out "$REPO_DIR/bench/results/forecast-$DB.md"
