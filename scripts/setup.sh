#!/usr/bin/env bash
# make setup: idempotent; as root on a fresh Debian machine installs what clientbase_crm needs
# (PostgreSQL, Chromium for browser tours, PyPI requirements), starts PostgreSQL listening on the
# local Unix socket and 127.0.0.1 only, and checks that Odoo 18.0 is importable.
source "$(dirname "$0")/lib.sh"

need_apt=()
command -v pg_ctlcluster >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_apt+=(postgresql postgresql-contrib)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v make >/dev/null 2>&1 || need_apt+=(make)
if [ ${#need_apt[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "installing ${need_apt[*]} needs root (apt-get)"
  echo "Installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# PostgreSQL: Debian's cluster, local connections only
PGVER=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
  pg_createcluster "$PGVER" main >/dev/null
fi
CLUSTER_VER=$(pg_lsclusters -h | awk 'NR==1{print $1}')
CLUSTER_NAME=$(pg_lsclusters -h | awk 'NR==1{print $2}')
CONF=/etc/postgresql/$CLUSTER_VER/$CLUSTER_NAME/postgresql.conf
if [ -w "$CONF" ] && ! grep -q '^# clientbase_crm' "$CONF"; then
  cat >> "$CONF" <<'PGCONF'
# clientbase_crm: local only, sized for a 2-core development machine
listen_addresses = '127.0.0.1'
shared_buffers = 1GB
work_mem = 64MB
maintenance_work_mem = 512MB
max_wal_size = 4GB
fsync = off
synchronous_commit = off
full_page_writes = off
PGCONF
  pg_ready && pg_ctlcluster "$CLUSTER_VER" "$CLUSTER_NAME" restart
fi
if ! pg_ready; then
  pg_ctlcluster "$CLUSTER_VER" "$CLUSTER_NAME" start
fi
for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
pg_ready || die "PostgreSQL did not start (see /var/log/postgresql)"

# a database role for the current OS user (peer authentication over the Unix socket)
ME=$(id -un)
if [ "$ME" != postgres ]; then
  if ! (cd / && su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$ME'\"") | grep -q 1; then
    (cd / && su postgres -c "createuser --superuser '$ME'")
  fi
fi

$PYTHON -m pip install -q -r "$REPO_DIR/requirements.txt"
require_odoo
echo "Setup done: PostgreSQL $CLUSTER_VER on $PGHOST, Odoo 18.0 at $ODOO_ROOT, addons path $ADDONS_PATH"
