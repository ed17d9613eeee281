"""The nightly work of the load test, timed: run by bench/load/load.sh in its own process.

One run = what the nightly crons do, called as the cron worker calls them: the engine's full
recompute and the user-defined segments (``_cron_recompute_client_segments`` after a full run
was asked for), then the reports refresh (``clientbase.report.monthly._cron_refresh``), then the working rules'
crons (reminders) and the mailing responses' sync, each step in its own transaction, as the crons
commit. ``--label alone`` runs it
with no users; ``--label load`` waits ``--delay`` seconds (the users are at work by then).
Small bases run in well under a second: the run is repeated back to back until
``--min-seconds`` have passed, so that enough requests fall in the window it covers.
Appends one JSON line per run (label, step, start, end, seconds) to ``--out``.
"""

import argparse
import datetime
import json
import time

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import config

MAILING_SUBJECT = "Load test: the autumn offer"  # bench/load/load_setup.py removes earlier runs' mailings


def _engine(env):
    """The segment cron's full run, as the cron worker calls it (``cron_id`` in the context: a
    step that loses a race with a user is rolled back and retried, see clientbase_crm.tools.concurrency)."""
    figures = env["clientbase.client.figures"]
    figures._start_run(full=True)  # every company pending, as "full run" asks
    env.cr.commit()
    cron = env.ref("clientbase_crm.ir_cron_recompute_client_segments")
    figures.with_context(cron_id=cron.id)._cron_recompute_client_segments()


def _reports(env):
    cron = env.ref("clientbase_crm.ir_cron_refresh_client_reports")
    env["clientbase.report.monthly"].with_context(cron_id=cron.id)._cron_refresh()


RULE_CRONS = (
    ("ir_cron_client_birthdays", "res.partner", "_cron_client_birthdays"),
    ("ir_cron_client_contact_cadence", "res.partner", "_cron_client_contact_cadence"),
    ("ir_cron_client_potentials", "res.partner", "_cron_client_potentials"),
    ("ir_cron_client_data_freshness", "res.partner", "_cron_client_data_freshness"),
    # the win-back reminder is a journey now (the journeys' hourly job)
    ("ir_cron_sync_mailing_responses", "mailing.trace", "_cron_sync_mailing_responses"),
)


def _rules(env):
    """The working rules' crons (reminders: birthdays, contact cadence, potentials, stale data)
    and the mailing responses' sync, as the cron worker calls them."""
    for xmlid, model, method in RULE_CRONS:
        cron = env.ref(f"clientbase_crm.{xmlid}")
        getattr(env[model].with_context(cron_id=cron.id), method)()
        env.cr.commit()


STEPS = (
    ("full recompute + segments", _engine),
    ("reports refresh", _reports),
    ("working rules' crons", _rules),
)


def queue_mailing(env, path):
    """A marketing mailing to every generated client, put in the queue the way the Send button
    does: Odoo's cron worker of the server under load renders and sends it (to the local mail
    sink), the addon re-checking every recipient's consent and frequency cap at send time."""
    model = env["ir.model"]._get("res.partner")
    mailing = env["mailing.mailing"].create(
        {
            "subject": MAILING_SUBJECT,
            "body_html": "<p>Hello {{ object.name }}, our autumn offer is waiting for you.</p>",
            "mailing_model_id": model.id,
            "mailing_domain": "[('name', '=like', 'Bench client %')]",
            "mailing_type": "mail",
            "clientbase_consent_purpose": "marketing",
        }
    )
    mailing.action_put_in_queue()
    # the mail queue runs hourly: asked every minute of the run instead, so that the mails are
    # delivered (1,000 per batch, the cron going on while batches remain) while the users work
    now = datetime.datetime.now()
    env.ref("mail.ir_cron_mail_scheduler_action")._trigger(
        [now + datetime.timedelta(minutes=m) for m in range(1, 11)]
    )
    env.cr.commit()
    with open(path, "w") as out:
        json.dump({"id": mailing.id, "queued": time.time()}, out)
    print(f"mailing {mailing.id} queued", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--label", required=True)
    parser.add_argument("--delay", type=float, default=0)
    parser.add_argument("--min-seconds", type=float, default=30)
    parser.add_argument("--max-runs", type=int, default=20)
    parser.add_argument("--out", required=True)
    parser.add_argument(
        "--mailing-out", help="queue the mailing to every generated client first; its id here"
    )
    args = parser.parse_args()
    config.parse_config(["-d", args.db, f"--addons-path={args.addons_path}", "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.db)
    time.sleep(args.delay)
    began = time.time()
    runs = 0
    with registry.cursor() as cr, open(args.out, "a") as out:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if args.mailing_out:
            queue_mailing(env, args.mailing_out)
        while runs < args.max_runs and (runs == 0 or time.time() - began < args.min_seconds):
            runs += 1
            for step, func in STEPS:
                env.invalidate_all()
                start = time.time()
                try:
                    func(env)
                    cr.commit()
                    error = None
                except Exception as exc:  # recorded in the report, the run goes on
                    cr.rollback()
                    error = f"{type(exc).__name__}: {exc}"
                end = time.time()
                row = {"label": args.label, "run": runs, "step": step, "start": start, "end": end}
                row.update(seconds=end - start, error=error)
                out.write(json.dumps(row) + "\n")
                out.flush()
                print(
                    f"nightly ({args.label}) run {runs}: {step} {end - start:.2f} s {error or ''}", flush=True
                )


if __name__ == "__main__":
    main()
