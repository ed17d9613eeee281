# Helpers of the test scripts (test.sh, test_pytest.sh, screenshots.sh): sourced after lib.sh.
# Counts go to $passed / $failed, any failure sets $status=1; logs and JUnit files go to $OUT.

port_busy() { $PYTHON -c 'import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(("127.0.0.1", int(sys.argv[1]))) != 0)' "$1"; }

# first free port from $1 on
free_port() {
  local port=$1
  while port_busy "$port"; do
    echo "port $port is busy (another Odoo?): trying $((port + 1))" >&2
    port=$((port + 1))
  done
  echo "$port"
}

test_output_dir() {  # sets OUT, emptied of earlier logs
  OUT=${TEST_OUT:-$REPO_DIR/.test-output}
  mkdir -p "$OUT"
  rm -f "$OUT"/*.log "$OUT"/*.xml
  passed=0; failed=0; status=0
}

# run_pytest NAME JUNIT_FILE PYTEST_ARGS...: counts its passed and failed tests; a non-zero exit
# or no passed test at all is a failure
run_pytest() {
  local name=$1 junit=$2; shift 2
  set +e
  $PYTHON -m pytest -q -p no:cacheprovider --junitxml="$junit" "$@" 2>&1 | tee "$OUT/$name.log" | tail -25
  local prc=${PIPESTATUS[0]}
  set -e
  local p f
  read -r p f <<<"$($PYTHON "$REPO_DIR/scripts/junit_counts.py" "$junit")"
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$prc" -ne 0 ] || [ "$p" -eq 0 ]; then echo "$name: exit $prc, $p passed, $f failed"; status=1; fi
}

# install_db DB LOG: a fresh database with clientbase_crm, its demo addon and Odoo's demo data, no tests
install_db() {
  drop_db "$1"
  odoo_bin -d "$1" --addons-path="$ADDONS_PATH" -i clientbase_crm,clientbase_crm_demo --stop-after-init --no-http \
    --without-demo=False --log-level=warn --max-cron-threads=0 > "$2" 2>&1
}

# start_server DB PORT LOG: an Odoo server for DB in the background ($server is its pid); waits
# until it answers
start_server() {
  # python itself in the background (not a shell function), so that $! is the server and kill stops it
  $PYTHON -m odoo -d "$1" --db-filter="^$1\$" --addons-path="$ADDONS_PATH" --http-interface=127.0.0.1 \
    --http-port="$2" --max-cron-threads=0 --log-level=warn > "$3" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:$2/web/login" && return 0; sleep 1; done
  echo "the server on port $2 did not answer (see $3)"
  return 1
}

stop_server() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
