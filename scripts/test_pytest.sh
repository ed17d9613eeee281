#!/usr/bin/env bash
# make test-pytest (opt-in, not part of make test): parity of the addon's tests under pytest-odoo.
# A fresh database with clientbase_crm installed (no tests), then pytest-odoo over
# clientbase_crm/tests, browser tours included (--odoo-http). Exits non-zero on any failure, or when
# no test passed, and ends with one summary line of counts.
#   TEST_DB   database name (default clientbase_test; the database is <TEST_DB>_pytest)
#   TEST_PORT first HTTP port to try (default 8169)
#   TEST_OUT  logs and JUnit files (default .test-output)
#   PYTEST_ARGS extra pytest arguments, e.g. "-k birthday"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/testlib.sh"
require_odoo
require_pg

DB="${TEST_DB:-clientbase_test}_pytest"
PORT=$(free_port "${TEST_PORT:-8169}")
test_output_dir

echo "== [1/2] install clientbase_crm into a fresh database '$DB'"
if ! install_db "$DB" "$OUT/pytest-install.log"; then
  echo "installing clientbase_crm failed (see $OUT/pytest-install.log)"
  echo "clientbase_crm: 0 passed, 1 failed"
  exit 1
fi

echo "== [2/2] pytest-odoo on the addon's tests"
conf=$(mktemp --suffix=.conf)
trap 'rm -f "$conf"' EXIT
printf '[options]\naddons_path = %s\ndb_name = %s\nhttp_interface = 127.0.0.1\nhttp_port = %s\nmax_cron_threads = 0\ntest_enable = True\n' \
  "$ADDONS_PATH" "$DB" "$PORT" > "$conf"
cd "$REPO_DIR"
# --odoo-http: browser tours (HttpCase) need Odoo's HTTP server
# shellcheck disable=SC2086
run_pytest pytest-odoo "$OUT/pytest-odoo.xml" --odoo-config="$conf" --odoo-database="$DB" \
  --odoo-log-level=warn --odoo-http ${PYTEST_ARGS:-} clientbase_crm/tests clientbase_crm_demo/tests

echo "clientbase_crm: $passed passed, $failed failed"
exit $status
