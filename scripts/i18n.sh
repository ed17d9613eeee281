#!/usr/bin/env bash
# Regenerate clientbase_crm/i18n/clientbase_crm.pot from a database with the addon installed and
# merge it into ru.po (existing translations kept, new terms added untranslated, gone terms dropped).
#   I18N_DB  database to export from (default clientbase_i18n, created from scratch when missing)
source "$(dirname "$0")/lib.sh"
require_odoo
require_pg
DB=${I18N_DB:-clientbase_i18n}
I18N="$REPO_DIR/clientbase_crm/i18n"
installed=$(psql -d "$DB" -tAc "SELECT 1 FROM ir_module_module WHERE name='clientbase_crm' AND state='installed'" 2>/dev/null || true)
if [ "$installed" = 1 ]; then
  odoo_bin -d "$DB" --addons-path="$ADDONS_PATH" -u clientbase_crm --stop-after-init --log-level=warn
else
  odoo_bin -d "$DB" --addons-path="$ADDONS_PATH" -i clientbase_crm --stop-after-init --log-level=warn
fi
odoo_bin -d "$DB" --addons-path="$ADDONS_PATH" --i18n-export="$I18N/clientbase_crm.pot" \
  --modules=clientbase_crm --stop-after-init --log-level=warn
$PYTHON "$REPO_DIR/scripts/i18n_merge.py" "$I18N/clientbase_crm.pot" "$I18N/ru.po"
