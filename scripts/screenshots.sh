#!/usr/bin/env bash
# make screenshots (opt-in, not part of make test): refresh the README's pictures
# (docs/screenshots) from a running server with a realistic client base, by default the one of
# `make run` (http://127.0.0.1:8069, database clientbase_demo). The browser test of tests/
# logs in, opens the Clients kanban and a client card, and saves both screens.
#   CLIENTBASE_URL, CLIENTBASE_DB     the server and database (defaults: make run's)
#   CLIENTBASE_SCREENSHOTS            where the pictures go (default docs/screenshots)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/testlib.sh"

export CLIENTBASE_URL=${CLIENTBASE_URL:-http://127.0.0.1:${RUN_PORT:-8069}}
export CLIENTBASE_DB=${CLIENTBASE_DB:-${RUN_DB:-clientbase_demo}}
export CLIENTBASE_SCREENSHOTS=${CLIENTBASE_SCREENSHOTS:-$REPO_DIR/docs/screenshots}
curl -sf -o /dev/null "$CLIENTBASE_URL/web/login?db=$CLIENTBASE_DB" \
  || die "no Odoo answers on $CLIENTBASE_URL: start one first ('make run' in another terminal)"
test_output_dir
run_pytest screenshots "$OUT/screenshots.xml" "$REPO_DIR/tests/test_web_client.py"
[ "$status" = 0 ] && echo "screenshots saved in $CLIENTBASE_SCREENSHOTS"
exit $status
