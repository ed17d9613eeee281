#!/usr/bin/env bash
# Regenerate <module>/i18n/<module>.pot from a database with the addon installed and merge it into
# ru.po (existing translations kept, new terms added untranslated, gone terms dropped).
#   I18N_DB      database to export from (default clientbase_i18n, created from scratch when missing)
#   I18N_MODULE  the addon (default clientbase_crm; clientbase_loyalty for the loyalty addon)
source "$(dirname "$0")/lib.sh"
require_odoo
require_pg
DB=${I18N_DB:-clientbase_i18n}
MODULE=${I18N_MODULE:-clientbase_crm}
I18N="$REPO_DIR/$MODULE/i18n"
installed=$(psql -d "$DB" -tAc "SELECT 1 FROM ir_module_module WHERE name='$MODULE' AND state='installed'" 2>/dev/null || true)
if [ "$installed" = 1 ]; then
  odoo_bin -d "$DB" --addons-path="$ADDONS_PATH" -u "$MODULE" --stop-after-init --log-level=warn
else
  odoo_bin -d "$DB" --addons-path="$ADDONS_PATH" -i "$MODULE" --stop-after-init --log-level=warn
fi
odoo_bin -d "$DB" --addons-path="$ADDONS_PATH" --i18n-export="$I18N/$MODULE.pot" \
  --modules="$MODULE" --stop-after-init --log-level=warn
$PYTHON "$REPO_DIR/scripts/i18n_merge.py" "$I18N/$MODULE.pot" "$I18N/ru.po"
