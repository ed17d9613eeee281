"""Load test users: run by bench/load/load.sh on a benchmark database (``make bench`` made it).

Creates, idempotently, ``load_sales_01..NN`` (Client Base user) and ``load_head_01..NN``
(Client Base manager and mailing user), each with its own password, and shares the
generated clients ("Bench client N") between the salespeople, set-based in SQL; the clients
of ``bench_salesperson`` and ``bench_head_of_sales`` (the benchmark's screens) are left alone.
Writes the logins, passwords and roles to a CSV file the locustfile reads.
"""

import argparse
import csv

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import config

BENCH_USERS = ("bench_salesperson", "bench_head_of_sales")


def password_of(login):
    return f"{login}-pw"


def ensure_users(env, prefix, count, groups):
    Users = env["res.users"].with_context(
        no_reset_password=True, mail_create_nolog=True, tracking_disable=True
    )
    group_ids = [env.ref(xmlid).id for xmlid in groups]
    users = Users.browse()
    for number in range(1, count + 1):
        login = f"{prefix}{number:02d}"
        user = Users.with_context(active_test=False).search([("login", "=", login)])
        if not user:
            # the password is hashed once, at creation: later runs reuse it
            user = Users.create(
                {
                    "name": login.replace("_", " ").title(),
                    "login": login,
                    "password": password_of(login),
                    "groups_id": [(6, 0, group_ids)],
                }
            )
        elif not user.active or set(group_ids) - set(user.groups_id.ids):
            user.write({"active": True, "groups_id": [(4, gid) for gid in group_ids]})
        users |= user
    return users


MAILING_SUBJECT = "Load test: the autumn offer"


def prepare_mailing(env, smtp_port):
    """What a mailing to every generated client needs, set-based and idempotent: an address
    (with its normalised form, as the ORM stores it) and a current email-marketing consent for
    each client, an outgoing mail server on the local sink, and no mailing of an earlier run
    (its traces would count against the marketing frequency cap)."""
    cr = env.cr
    cr.execute(
        "UPDATE res_partner SET email = 'client' || id || '@load.example', email_normalized = 'client' || id ||"
        " '@load.example' WHERE email IS NULL AND name LIKE 'Bench client %%'"
    )
    addressed = cr.rowcount
    cr.execute(
        """
        INSERT INTO clientbase_consent (partner_id, channel, purpose, state, source, date, create_date, write_date)
        SELECT p.id, 'email', 'marketing', 'given', 'verbal', now() - interval '1 day', now(), now()
          FROM res_partner p
         WHERE p.name LIKE 'Bench client %%' AND NOT EXISTS (
               SELECT 1 FROM clientbase_consent c
                WHERE c.partner_id = p.id AND c.channel = 'email' AND c.purpose = 'marketing')
        """
    )
    consented = cr.rowcount
    cr.execute("SELECT id FROM mailing_mailing WHERE subject = %s", (MAILING_SUBJECT,))
    old = [row[0] for row in cr.fetchall()]
    if old:
        cr.execute("DELETE FROM mail_mail WHERE mailing_id = ANY(%s)", (old,))
        cr.execute("DELETE FROM mailing_trace WHERE mass_mailing_id = ANY(%s)", (old,))
        cr.execute("DELETE FROM mailing_mailing WHERE id = ANY(%s)", (old,))
    servers = env["ir.mail_server"].search([("name", "=", "Load test sink")])
    values = {"name": "Load test sink", "smtp_host": "127.0.0.1", "smtp_port": smtp_port, "sequence": 1}
    if servers:
        servers.write(values)
    else:
        env["ir.mail_server"].create(values)
    cr.execute("ANALYZE clientbase_consent")
    return f"; mailing: {addressed} addresses and {consented} consents added, sink on port {smtp_port}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--sales", type=int, default=40)
    parser.add_argument("--heads", type=int, default=10)
    parser.add_argument("--out", required=True, help="CSV of login, password, role, uid")
    parser.add_argument(
        "--smtp-port", type=int, help="the mail sink's port: the mailing's recipients get addresses"
    )
    args = parser.parse_args()
    config.parse_config(["-d", args.db, f"--addons-path={args.addons_path}", "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        sales = ensure_users(
            env, "load_sales_", args.sales, ["base.group_user", "clientbase_crm.group_clientbase_user"]
        )
        heads = ensure_users(
            env,
            "load_head_",
            args.heads,
            [
                "base.group_user",
                "clientbase_crm.group_clientbase_manager",
                "mass_mailing.group_mass_mailing_user",
            ],
        )
        cr.execute("SELECT id FROM res_users WHERE login IN %s", (BENCH_USERS,))
        keep = [row[0] for row in cr.fetchall()] or [0]
        # The benchmark generates its clients in SQL and leaves partner_share empty, which the
        # Clients action's domain (partner_share = True) then hides: set what the ORM computes
        # for a partner without users.
        cr.execute(
            "UPDATE res_partner SET partner_share = TRUE"
            " WHERE partner_share IS NULL AND name LIKE 'Bench client %%'"
        )
        fixed_share = cr.rowcount
        # every generated client not kept by the benchmark's users gets a load salesperson
        cr.execute(
            """
            UPDATE res_partner p SET user_id = (%(sales)s::int[])[1 + (p.id %% %(n)s)]
             WHERE p.name LIKE 'Bench client %%'
               AND (p.user_id IS NULL OR NOT p.user_id = ANY(%(keep)s))
               AND p.user_id IS DISTINCT FROM (%(sales)s::int[])[1 + (p.id %% %(n)s)]
            """,
            {"sales": sales.ids, "n": len(sales), "keep": keep},
        )
        assigned = cr.rowcount
        cr.execute("ANALYZE res_partner")
        cr.execute(
            "SELECT COUNT(*) FROM res_partner WHERE user_id = ANY(%s) AND name LIKE 'Bench client %%'",
            (sales.ids,),
        )
        owned = cr.fetchone()[0]
        mailing = prepare_mailing(env, args.smtp_port) if args.smtp_port else ""
        rows = [
            [user.login, password_of(user.login), role, user.id]
            for role, users in (("sales", sales), ("head", heads))
            for user in users
        ]
        cr.commit()
    with open(args.out, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["login", "password", "role", "uid"])
        writer.writerows(rows)
    print(
        f"{args.sales} salespeople, {args.heads} heads of sales; {owned} clients owned by the salespeople"
        f" ({assigned} (re)assigned now, partner_share set on {fixed_share}); users in {args.out}{mailing}"
    )


if __name__ == "__main__":
    main()
