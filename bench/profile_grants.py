"""EXPLAIN ANALYZE of the bonus points grants (issue 29) on a bench base: one grant of an event for
every generated client (as ``bench_loyalty.grants``), inserted (``_get_insert_query``) and posted
(``_post_grants``), each statement of the two explained (ANALYZE, BUFFERS) as it runs; then the
same grants again. Runs in one transaction, rolled back at the end: nothing is kept.

    python3 bench/profile_grants.py --db loy_bench_s --addons-path "$ADDONS_PATH" [--plans]
"""

import argparse
import time

import bench_loyalty

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import SQL, config


def explained(cr, show_plans):
    """Wrap ``cr.execute``: every INSERT/UPDATE/WITH statement runs under EXPLAIN ANALYZE; its time
    and (``show_plans``) its plan are printed."""
    real = cr.execute

    def execute(query, params=None, log_exceptions=True):
        text = query.code if isinstance(query, SQL) else str(query)
        head = text.lstrip().split(None, 1)[0].upper()
        if head not in ("INSERT", "UPDATE", "WITH"):
            return real(query, params, log_exceptions)
        if isinstance(query, SQL):
            query = SQL("EXPLAIN (ANALYZE, BUFFERS) %s", query)
        else:
            query = "EXPLAIN (ANALYZE, BUFFERS) " + query
        start = time.time()
        real(query, params, log_exceptions)
        plan = [row[0] for row in cr.fetchall()]
        print(f"\n== {time.time() - start:.2f} s: {' '.join(text.split())[:160]}")
        print("\n".join(plan if show_plans else plan[-2:]))
        return None

    return execute


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--plans", action="store_true", help="print the whole plans")
    args = parser.parse_args()
    config.parse_config(["-d", args.db, f"--addons-path={args.addons_path}", "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env["res.company"].search([], order="id", limit=1)
        program = env["loyalty.program"].create(
            {"name": "Profile bonus points", "program_type": "loyalty", "company_id": company.id}
        )
        company.client_bonus_program_id = program
        Grant = env["clientbase.loyalty.grant"]
        events = SQL(
            "SELECT p.id, 'bench', NULL::int, 'journey', %s::float8 FROM res_partner p"
            " WHERE p.name LIKE %s AND p.active AND p.id = p.commercial_partner_id",
            bench_loyalty.GRANT_POINTS,
            "Bench client %",
        )
        env.flush_all()
        try:
            for label in ("first grants", "the same grants again"):
                print(f"\n#### {label}")
                start = time.time()
                cr.execute = explained(cr, args.plans)
                try:
                    cr.execute(Grant._get_insert_query(company, events))
                    Grant._post_grants(company)
                finally:
                    del cr.execute
                print(f"\n{label}: {time.time() - start:.2f} s in all")
        finally:
            cr.rollback()


if __name__ == "__main__":
    main()
