#!/usr/bin/env bash
# make run: a demo database with clientbase_crm and a realistic demo client base, served on
# http://127.0.0.1:8069. The first run creates the database (Odoo demo data + our generator, a few
# minutes); later runs update the addon and reuse the data. The demo base is Russian: Russian is
# installed, the demo staff work in it (see clientbase_crm_demo/readme/USAGE.md).
#   RUN_DB       database name (default clientbase_demo)
#   RUN_PORT     HTTP port (default 8069)
#   DEMO_CLIENTS number of demo clients on the first run (default 3000)
source "$(dirname "$0")/lib.sh"
require_odoo
require_pg

DB=${RUN_DB:-clientbase_demo}
PORT=${RUN_PORT:-8069}
CLIENTS=${DEMO_CLIENTS:-3000}
[[ "$CLIENTS" =~ ^[0-9]+$ ]] || die "DEMO_CLIENTS must be a whole number, got '$CLIENTS'"
COMMON=(-d "$DB" --addons-path="$ADDONS_PATH" --max-cron-threads=0 --stop-after-init --no-http)

if psql -lqt | cut -d'|' -f1 | grep -qw -- "$DB"; then
  echo "== Database '$DB' exists: updating clientbase_crm (and installing clientbase_crm_demo when missing)"
  odoo_bin "${COMMON[@]}" -u clientbase_crm -i clientbase_crm_demo --log-level=warn
else
  echo "== Creating database '$DB' with clientbase_crm, clientbase_crm_demo and Odoo's demo data (a few minutes)"
  odoo_bin "${COMMON[@]}" -i clientbase_crm,clientbase_crm_demo --without-demo=False --log-level=warn \
    || { drop_db "$DB"; die "installing clientbase_crm into '$DB' failed"; }
fi

echo "== Demo client base ($CLIENTS clients, generated once per database)"
odoo_bin shell -d "$DB" --addons-path="$ADDONS_PATH" --no-http --log-level=warn <<EOF
summary = env["clientbase.demo.generator"]._generate_demo_base(clients=$CLIENTS)
env.cr.commit()
print("   created: %s" % (summary,) if summary else "   already there: reusing it")
EOF

echo "== Loyalty (clientbase_loyalty): levels on, bonus points, VIP perks, a past campaign (once per database)"
odoo_bin "${COMMON[@]}" -i clientbase_loyalty --log-level=warn
odoo_bin shell -d "$DB" --addons-path="$ADDONS_PATH" --no-http --log-level=warn <<EOF
summary = env["clientbase.loyalty.demo"]._generate_demo()
env.cr.commit()
print("   loyalty: %s" % (summary,) if summary else "   loyalty already there: reusing it")
EOF

cat <<EOF

  Odoo 18.0 with clientbase_crm:  http://127.0.0.1:$PORT/odoo   (database $DB)
  Logins (password = login), each landing on his screen of the client base:
    admin     administrator, in English (Russian installed: switch in Preferences)  -> Clients
    manager1  head of sales (Client base: Manager, all clients; prepares mailings)   -> Dashboard
    manager2 .. manager5  salespeople (Client base: User, own clients)              -> My Clients
    marketer  marketer (Client base: Manager, Email and SMS Marketing)              -> Segments
  Stop with Ctrl+C; 'make run' again reuses the database.

EOF
exec "$PYTHON" -m odoo -d "$DB" --addons-path="$ADDONS_PATH" --db-filter="^${DB}\$" \
  --http-interface=127.0.0.1 --http-port="$PORT" --log-level=warn
