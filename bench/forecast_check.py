"""The next-purchase forecast checked against what happened, on a database with history (the
demo base of ``make run`` by default): for each horizon, the last months are held out, the
forecast is computed from the orders before them (``_forecast_backtest``) and compared with the
revenue the same clients ordered in those months. A naive forecast (the same clients' revenue of
the months just before, repeated) is measured on the same window for comparison.
Read-only (rolled back). Writes bench/results/forecast-<db>.md.
"""

import argparse
import datetime
import platform

from dateutil.relativedelta import relativedelta

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import config

HORIZONS = (1, 3, 6, 12)


def naive(cr, company, as_of, months):
    """Revenue of the clients of ``as_of`` over the ``months`` before it: the run rate."""
    cr.execute(
        """SELECT COALESCE(SUM(so.amount_untaxed), 0) FROM sale_order so
             JOIN res_partner p ON p.id = so.partner_id
             JOIN res_partner cp ON cp.id = p.commercial_partner_id
            WHERE so.state = 'sale' AND so.company_id = %s AND cp.client_mailing_only IS NOT TRUE
              AND so.date_order >= %s AND so.date_order < %s""",
        (company.id, as_of - relativedelta(months=months), as_of),
    )
    return float(cr.fetchone()[0])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    config.parse_config(["-d", args.db, f"--addons-path={args.addons_path}", "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.db)
    lines = []
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env.company
        today = datetime.date.today()
        cr.execute("SELECT COUNT(*), MIN(date_order)::date FROM sale_order WHERE state = 'sale'")
        orders, first = cr.fetchone()
        figures = env["clientbase.client.figures"]
        for months in HORIZONS:
            as_of = (today - relativedelta(months=months)).replace(day=1)
            expected, actual, error = figures._forecast_backtest(company, as_of, months=months)
            factors = figures._forecast_calibration(company, as_of, months)
            shown = " / ".join(f"{factors[bucket]:.2f}" for bucket in sorted(factors))
            run_rate = naive(cr, company, as_of, months)
            naive_error = 100.0 * (run_rate - actual) / actual if actual else None
            lines.append(
                f"| {months} | {as_of} | {expected:,.0f} | {actual:,.0f} | {error:+.1f}% "
                f"| {run_rate:,.0f} | {naive_error:+.1f}% | {shown} |"
            )
            print(lines[-1], flush=True)
        cr.rollback()
    out = [
        f"# Forecast checked against what happened: database `{args.db}`",
        "",
        f"{datetime.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}. {orders} confirmed orders since {first}. "
        "For each horizon the months from *held out from* on are hidden from the forecast: the rhythm, "
        "the next purchase and the expected revenue are computed from the orders before (the method of "
        "`METRICS.md`), and the expected revenue of the horizon is compared with what the same clients "
        "ordered then. The naive forecast repeats those clients' revenue of the same number of months "
        "just before. The factors are the calibration of the recency buckets (days since the last "
        "order within 1, 2, 4 and more rhythms), measured on the same number of months before the "
        "held-out ones; 1 / 1 / 0 / 0 are the defaults of a bucket without enough clients (20) or history.",
        "",
        "| horizon (months) | held out from | expected | actual | error | naive forecast | naive error | factors |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
        *lines,
        "",
        "Produced by `make forecast-check` (`bench/forecast_check.py`).",
        "",
    ]
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write("\n".join(out))


if __name__ == "__main__":
    main()
