# Shared helpers for the project's scripts (sourced, not run).
# Finds the installed Odoo 18.0 and the addons paths; never builds or downloads Odoo.
set -euo pipefail
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
ODOO_GUIDE="https://www.odoo.com/documentation/18.0/administration/on_premise/source.html"
export PGHOST=${PGHOST:-/var/run/postgresql}

die() { echo "ERROR: $*" >&2; exit 1; }

require_odoo() {
  local ver
  ver=$($PYTHON -c 'import odoo.release as r; print("%d.%d" % r.version_info[:2])' 2>/dev/null) \
    || die "Odoo is not importable by '$PYTHON'. clientbase_crm needs Odoo 18.0 Community installed into this Python (for example 'pip install -e <odoo source>'); see Odoo's install guide: $ODOO_GUIDE"
  [ "$ver" = "18.0" ] \
    || die "'$PYTHON' imports Odoo $ver, but clientbase_crm needs Odoo 18.0 Community; see Odoo's install guide: $ODOO_GUIDE"
  ODOO_ROOT=$($PYTHON -c 'import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))')
  ODOO_ADDONS="$ODOO_ROOT/addons"
  [ -d "$ODOO_ADDONS/crm" ] || die "Odoo 18.0 found at $ODOO_ROOT, but its addons (crm, sale_management, mass_mailing) are not at $ODOO_ADDONS"
  ADDONS_PATH="$ODOO_ADDONS,$ODOO_ROOT/odoo/addons,$REPO_DIR"
  export ODOO_ROOT ODOO_ADDONS ADDONS_PATH
}

# odoo CLI, run from the installed package
odoo_bin() { $PYTHON -m odoo "$@"; }

pg_ready() { pg_isready -q -h "$PGHOST" 2>/dev/null; }

require_pg() {
  pg_ready || die "PostgreSQL is not running on $PGHOST: run 'make setup' first"
}

drop_db() { dropdb --if-exists "$1" >/dev/null 2>&1 || true; }
