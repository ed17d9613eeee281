#!/usr/bin/env bash
# make test: the gate. A fresh database, clientbase_crm, its demo addon and clientbase_loyalty
# installed with Odoo's test runner running all of their tests (post_install, browser tours as a
# salesperson), then, against a server on that database, the end-to-end tests in tests/ that only
# an outside client can run (XML-RPC, a login through the web client's form) and the uninstall
# test; last, the base alone (a company without loyalty): clientbase_crm and its demo addon into
# another fresh database, with their tests. Exits non-zero on any failure or error, or when a step
# ran no test, and ends with one summary line of counts.
#   TEST_DB   database name (default clientbase_test; the base alone: <TEST_DB>_base)
#   TEST_TAGS Odoo --test-tags (default /clientbase_crm,/clientbase_crm_demo,/clientbase_loyalty)
#   BASE_TAGS Odoo --test-tags of the base alone (default /clientbase_crm,/clientbase_crm_demo)
#   TEST_PORT first HTTP port to try (default 8169)
#   TEST_OUT  logs and JUnit files (default .test-output)
#   SKIP_E2E=1 to skip the outside-client step, SKIP_BASE=1 to skip the base alone
# Opt-in, not part of the gate: make test-pytest (the same tests under pytest-odoo),
# make screenshots (the README's pictures).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/testlib.sh"
require_odoo
require_pg

DB=${TEST_DB:-clientbase_test}
TAGS=${TEST_TAGS:-/clientbase_crm,/clientbase_crm_demo,/clientbase_loyalty}
BASE_TAGS=${BASE_TAGS:-/clientbase_crm,/clientbase_crm_demo}
PORT=$(free_port "${TEST_PORT:-8169}")
test_output_dir
steps=3; [ "${SKIP_E2E:-0}" = 1 ] && steps=$((steps - 1)); [ "${SKIP_BASE:-0}" = 1 ] && steps=$((steps - 1))
step=1

# odoo_runner DB MODULES TAGS LOG: a fresh database DB, MODULES installed by Odoo's test runner
# running the tests TAGS; adds its counts to $passed / $failed
odoo_runner() {
  local db=$1 modules=$2 tags=$3 log=$4 rc counts ran f e errors
  drop_db "$db"
  set +e
  odoo_bin -d "$db" --addons-path="$ADDONS_PATH" -i "$modules" --test-tags "$tags" \
    --stop-after-init --http-interface=127.0.0.1 --http-port="$PORT" --log-level=test \
    --max-cron-threads=0 --without-demo=False 2>&1 | tee "$log" \
    | grep -E "(ERROR|CRITICAL|WARNING|FAIL|tests when loading|post-tests in|at-install|Ran |running tests)" | grep -v "^$"
  rc=${PIPESTATUS[0]}
  set -e
  counts=$(grep -oE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$log" | tail -1 || true)
  if [ -z "$counts" ]; then
    # Odoo prints no count line when every test passed; count the tests it ran (of our addons)
    ran=$(grep -cE "odoo\.addons\.clientbase_(crm(_demo)?|loyalty)\.tests\.[a-z_]+: Starting " "$log" || true)
    f=0; e=0
  else
    read -r f e ran <<<"$(echo "$counts" | sed -E 's/([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests/\1 \2 \3/')"
  fi
  errors=$(grep -cE " (ERROR|CRITICAL) " "$log" || true)
  if [ "$rc" -ne 0 ] || [ "$errors" -gt 0 ] || [ "$((f + e))" -gt 0 ]; then
    echo "Odoo runner: exit $rc, $f failed, $e error(s), $errors ERROR log line(s) (see $log)"
    status=1
  fi
  [ "${ran:-0}" -gt 0 ] || { echo "Odoo runner ran no test"; status=1; }
  passed=$((passed + ${ran:-0} - f - e)); failed=$((failed + f + e))
  echo "Odoo runner: ${ran:-0} tests, $f failed, $e error(s)"
}

echo "== [$step/$steps] Odoo test runner: install clientbase_crm, clientbase_crm_demo and clientbase_loyalty into a fresh database '$DB', --test-tags $TAGS"
odoo_runner "$DB" clientbase_crm,clientbase_crm_demo,clientbase_loyalty "$TAGS" "$OUT/odoo-tests.log"
step=$((step + 1))

if [ "${SKIP_E2E:-0}" != 1 ]; then
  # the runner's database: its tests rolled back, it holds the installed addons and Odoo's demo data
  echo "== [$step/$steps] end-to-end tests (XML-RPC, a login through the web client) against a server on '$DB'"
  if start_server "$DB" "$PORT" "$OUT/e2e-server.log"; then
    CLIENTBASE_URL="http://127.0.0.1:$PORT" CLIENTBASE_DB="$DB" \
      run_pytest e2e "$OUT/e2e.xml" "$REPO_DIR/tests"
    # last, on the same throw-away database: uninstalling leaves it clean
    CLIENTBASE_URL="http://127.0.0.1:$PORT" CLIENTBASE_DB="$DB" CLIENTBASE_ALLOW_UNINSTALL=1 \
      run_pytest uninstall "$OUT/uninstall.xml" "$REPO_DIR/tests/test_uninstall.py"
  else
    status=1; failed=$((failed + 1))
  fi
  stop_server
  step=$((step + 1))
fi

if [ "${SKIP_BASE:-0}" != 1 ]; then
  # a company without loyalty installs the base alone: it installs and passes without the loyalty addon
  echo "== [$step/$steps] the base alone: install clientbase_crm and clientbase_crm_demo into a fresh database '${DB}_base', --test-tags $BASE_TAGS"
  odoo_runner "${DB}_base" clientbase_crm,clientbase_crm_demo "$BASE_TAGS" "$OUT/odoo-tests-base.log"
  drop_db "${DB}_base"
fi

echo "clientbase_crm: $passed passed, $failed failed"
exit $status
