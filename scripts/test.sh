#!/usr/bin/env bash
# make test: a fresh database, clientbase_crm installed with Odoo's test runner running all of its
# tests (at_install, post_install, browser tours), then the same tests again under pytest-odoo, then the
# end-to-end tests in tests/ against a running server. Exits non-zero on any failure or error and ends
# with one summary line of counts.
#   TEST_DB   database name (default clientbase_test)
#   TEST_TAGS Odoo --test-tags (default /clientbase_crm)
#   SKIP_PYTEST=1 / SKIP_E2E=1 to run only Odoo's runner
source "$(dirname "$0")/lib.sh"
require_odoo
require_pg

DB=${TEST_DB:-clientbase_test}
TAGS=${TEST_TAGS:-/clientbase_crm}
PORT=${TEST_PORT:-8169}
port_busy() { $PYTHON -c 'import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(("127.0.0.1", int(sys.argv[1]))) != 0)' "$1"; }
while port_busy "$PORT"; do
  echo "port $PORT is busy (another Odoo?): trying $((PORT + 1))"
  PORT=$((PORT + 1))
done
OUT=${TEST_OUT:-$REPO_DIR/.test-output}
mkdir -p "$OUT"
rm -f "$OUT"/*.log "$OUT"/*.xml
passed=0; failed=0; status=0

echo "== [1/3] Odoo test runner: install clientbase_crm into a fresh database '$DB', --test-tags $TAGS"
drop_db "$DB"
set +e
odoo_bin -d "$DB" --addons-path="$ADDONS_PATH" -i clientbase_crm --test-tags "$TAGS" \
  --stop-after-init --http-interface=127.0.0.1 --http-port="$PORT" --log-level=test \
  --max-cron-threads=0 --without-demo=False 2>&1 | tee "$OUT/odoo-tests.log" \
  | grep -E "(ERROR|CRITICAL|WARNING|FAIL|tests when loading|post-tests in|at-install|Ran |running tests)" | grep -v "^$"
rc=${PIPESTATUS[0]}
set -e
counts=$(grep -oE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$OUT/odoo-tests.log" | tail -1 || true)
if [ -z "$counts" ]; then
  # Odoo prints no count line when every test passed; count the tests it ran
  ran=$(grep -cE "odoo\.addons\.clientbase_crm\.tests\.[a-z_]+: Starting " "$OUT/odoo-tests.log" || true)
  f=0; e=0
else
  read -r f e ran <<<"$(echo "$counts" | sed -E 's/([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests/\1 \2 \3/')"
fi
errors=$(grep -cE " (ERROR|CRITICAL) " "$OUT/odoo-tests.log" || true)
if [ "$rc" -ne 0 ] || [ "$errors" -gt 0 ] || [ "$((f + e))" -gt 0 ]; then
  echo "Odoo runner: exit $rc, $f failed, $e error(s), $errors ERROR log line(s) (see $OUT/odoo-tests.log)"
  status=1
fi
[ "${ran:-0}" -gt 0 ] || { echo "Odoo runner ran no test"; status=1; }
passed=$((passed + ${ran:-0} - f - e)); failed=$((failed + f + e))
echo "Odoo runner: ${ran:-0} tests, $f failed, $e error(s)"

run_pytest() {  # name, junit file, pytest args...
  local name=$1 junit=$2; shift 2
  set +e
  $PYTHON -m pytest -q -p no:cacheprovider --junitxml="$junit" "$@" 2>&1 | tee "$OUT/$name.log" | tail -25
  local prc=${PIPESTATUS[0]}
  set -e
  read -r p f <<<"$($PYTHON "$REPO_DIR/scripts/junit_counts.py" "$junit")"
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$prc" -ne 0 ] || [ "$p" -eq 0 ]; then echo "$name: exit $prc, $p passed, $f failed"; status=1; fi
}

if [ "${SKIP_PYTEST:-0}" != 1 ]; then
  echo "== [2/3] pytest-odoo on the addon's tests (same database)"
  conf=$(mktemp --suffix=.conf)
  printf '[options]\naddons_path = %s\ndb_name = %s\nhttp_interface = 127.0.0.1\nhttp_port = %s\nmax_cron_threads = 0\ntest_enable = True\n' \
    "$ADDONS_PATH" "$DB" "$PORT" > "$conf"
  # --odoo-http: browser tours (HttpCase) need Odoo's HTTP server
  cd "$REPO_DIR"
  run_pytest pytest-odoo "$OUT/pytest-odoo.xml" --odoo-config="$conf" --odoo-database="$DB" \
    --odoo-log-level=warn --odoo-http clientbase_crm/tests
  rm -f "$conf"
fi

if [ "${SKIP_E2E:-0}" != 1 ]; then
  echo "== [3/3] end-to-end tests (XML-RPC, JSON-RPC, web client) against a running server"
  E2E_DB="${DB}_e2e"
  drop_db "$E2E_DB"
  odoo_bin -d "$E2E_DB" --addons-path="$ADDONS_PATH" -i clientbase_crm --stop-after-init \
    --without-demo=False --log-level=warn --max-cron-threads=0 > "$OUT/e2e-install.log" 2>&1 \
    || { echo "installing the e2e database failed (see $OUT/e2e-install.log)"; status=1; }
  # python itself in the background (not a shell function), so that $! is the server and kill stops it
  $PYTHON -m odoo -d "$E2E_DB" --db-filter="^${E2E_DB}\$" --addons-path="$ADDONS_PATH" --http-interface=127.0.0.1 \
    --http-port="$PORT" --max-cron-threads=0 --log-level=warn > "$OUT/e2e-server.log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/web/login" && break; sleep 1; done
  CLIENTBASE_URL="http://127.0.0.1:$PORT" CLIENTBASE_DB="$E2E_DB" \
    run_pytest e2e "$OUT/e2e.xml" "$REPO_DIR/tests"
  # last, on the same throw-away database: uninstalling leaves it clean
  CLIENTBASE_URL="http://127.0.0.1:$PORT" CLIENTBASE_DB="$E2E_DB" CLIENTBASE_ALLOW_UNINSTALL=1 \
    run_pytest uninstall "$OUT/uninstall.xml" "$REPO_DIR/tests/test_uninstall.py"
  kill $server 2>/dev/null || true; wait $server 2>/dev/null || true
fi

echo "clientbase_crm: $passed passed, $failed failed"
exit $status
