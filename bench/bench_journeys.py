"""The journeys' part of make bench (issue 30), run by bench.py after the engine's runs.

Seven active journeys (the ready ones' triggers: win-back, lost survey, VIP welcome, welcome,
second purchase, birthday, won back; each with a holdout of 10%, email steps, waits and tags)
over the generated clients, every one of them given an address and a marketing consent.
Measures, each ``repeat`` times from the same state:

- the **first night**: the night the journeys are switched on over a base whose every client
  has just got its segment values, as events: one history row per client and dimension (stage,
  warmth, ABC, VIP, persona, RFM; from none to the client's value, as the engine logs a change),
  so that every client is an event of the stage and VIP triggers at once (a first population of
  the engine logs no history: without these rows only the order and birthday triggers would see
  anyone). Measured: the enrolment of the whole base (conditions, priorities, holdout) and the
  steps due that night (every entrant's first message queued, tags set, waits begun). The rows
  are deleted after it, so that the 1% day sees only its own events;
- **a day when 1% changed**: the events of the engine's run after 1% of the clients changed,
  over the membership of the first night;
- **queueing a step's messages** through mass_mailing: a journey whose email step is due for
  ``min(100,000, clients)`` members (written by SQL), done as the scheduled job does it (batches of
  5,000, each committed: one mailing each, its history, the members moved on).

The time of the first night and of the 1% day are compared with the engine's full run.
Everything the measures wrote is deleted at the end (the database can be reused).
"""

from odoo import fields
from odoo.tools import SQL

MASS_STEP_ENTRANTS = 100_000
JOURNEY_TABLES = ("clientbase_journey_history", "clientbase_journey_member")


def _prepare(env, cr, first_partner):
    """Addresses and marketing consents for the generated clients, no frequency cap, the
    responsible user a client base manager; returns the seven journeys (active)."""
    cr.execute(
        """
        UPDATE res_partner SET email = 'bench' || id || '@example.com', email_normalized = 'bench' || id || '@example.com'
         WHERE id >= %s AND email IS NULL
        """,
        (first_partner,),
    )
    cr.execute(
        """
        INSERT INTO clientbase_consent (partner_id, channel, purpose, state, date, source, user_id,
                                        create_uid, create_date, write_uid, write_date)
        SELECT p.id, 'email', 'marketing', 'given', now() - interval '400 days', 'import', 1, 1, now(), 1, now()
          FROM res_partner p
         WHERE p.id >= %s AND NOT EXISTS (SELECT 1 FROM clientbase_consent c WHERE c.partner_id = p.id)
        """,
        (first_partner,),
    )
    env["res.company"].search([]).write({"client_mailing_cap_count": 0, "client_mailing_cap_days": 0})
    admin = env.ref("base.user_admin")
    admin.write({"groups_id": [(4, env.ref("clientbase_crm.group_clientbase_manager").id)]})
    Journey = env["clientbase.journey"].with_context(active_test=False)
    Journey.search([("name", "=like", "Bench %")]).unlink()
    template = env["mail.template"].search([("name", "=", "Bench journey")], limit=1) or env[
        "mail.template"
    ].create(
        {
            "name": "Bench journey",
            "model_id": env["ir.model"]._get_id("res.partner"),
            "subject": "Hello {{ object.name }}",
            "body_html": "<p>Dear <t t-out='object.name'/>, a word from us.</p>",
        }
    )
    tag = env["res.partner.category"].search([("name", "=", "Bench journey")], limit=1) or env[
        "res.partner.category"
    ].create({"name": "Bench journey"})
    mail = {"kind": "email", "mail_template_id": template.id, "window_from": 0.0, "window_to": 24.0}

    def steps(*kinds):
        return [(0, 0, dict(vals, name=f"Step {i}", sequence=10 * (i + 1))) for i, vals in enumerate(kinds)]

    wait = {"kind": "wait", "wait_days": 7}
    tagging = {"kind": "tag", "tag_id": tag.id}
    definitions = [
        (
            "Bench win-back",
            {"trigger": "segment", "trigger_dimension": "stage", "trigger_value": "inactive"},
            steps(mail, wait, mail),
        ),
        (
            "Bench lost survey",
            {"trigger": "segment", "trigger_dimension": "stage", "trigger_value": "lost"},
            steps(mail),
        ),
        (
            "Bench VIP welcome",
            {"trigger": "segment", "trigger_dimension": "vip", "trigger_value": "True"},
            steps(tagging, mail),
        ),
        ("Bench welcome", {"trigger": "first_order"}, steps(mail, wait, mail)),
        ("Bench second purchase", {"trigger": "no_second_order", "trigger_days": 30}, steps(mail)),
        ("Bench birthday", {"trigger": "birthday", "trigger_days": 0}, steps(mail)),
        ("Bench won back", {"trigger": "won_back"}, steps(tagging)),
    ]
    return Journey.create(
        [
            dict(
                values,
                name=name,
                step_ids=step_values,
                priority=10 * (len(definitions) - i),
                holdout_percent=10,
                goal="order",
                user_id=admin.id,
                active=True,
            )
            for i, (name, values, step_values) in enumerate(definitions)
        ]
    )


def _clear(env, cr, journeys):
    """Members, history and the mailings the journeys queued: gone."""
    cr.execute(
        "DELETE FROM mailing_mailing WHERE clientbase_journey_step_id IN"
        " (SELECT id FROM clientbase_journey_step WHERE journey_id = ANY(%s))",
        (journeys.ids,),
    )
    cr.execute("DELETE FROM clientbase_journey_member WHERE journey_id = ANY(%s)", (journeys.ids,))
    env.invalidate_all()


def _watermarks(env, cr, journeys, since_id):
    """Events after history row ``since_id`` (and dates after yesterday) are new to the journeys."""
    yesterday = fields.Date.subtract(fields.Date.context_today(journeys[:1]), days=1)
    cr.execute(
        "UPDATE clientbase_journey SET watermark_id = %s, watermark_date = %s WHERE id = ANY(%s)",
        (since_id, yesterday, journeys.ids),
    )
    env.invalidate_all()


def _whole_base_events(cr):
    """One history row per client and dimension, from none to its value now (the module's doc:
    the first night's events); returns the last history id before them."""
    from odoo.addons.clientbase_crm.segmentation import engine  # noqa: PLC0415 (the addons path is set by then)

    cr.execute("SELECT COALESCE(max(id), 0) FROM clientbase_segment_history")
    before = cr.fetchone()[0]
    olds = SQL(", ").join(
        SQL("NULL::varchar AS %s", SQL.identifier(f"old_{dimension}"))
        for dimension in engine.HISTORY_DIMENSIONS
    )
    cr.execute(
        SQL(
            "WITH whole_base AS (SELECT f.partner_id, f.company_id, %s, %s FROM clientbase_client_figures f) %s",
            olds,
            engine._history_values("f", "new"),
            engine._history_insert("whole_base", fields.Datetime.now()),
        )
    )
    return before


def _count(cr, query, params):
    cr.execute(query, params)
    return cr.fetchone()[0]


def mass_step_journey(journeys):
    """A copy of the first journey with its first (email) step only, active, no holdout."""
    mass = journeys[:1].copy({"name": "Bench mass step", "holdout_percent": 0, "active": True})
    mass.step_ids[1:].unlink()
    return mass


def enrol_due(cr, mass, first_partner, limit):
    """``limit`` generated clients made members of ``mass``, due at its step now (one INSERT)."""
    cr.execute(
        """
        INSERT INTO clientbase_journey_member (journey_id, partner_id, company_id, event_key, state, step_id,
               next_run, holdout, entered_on, paused, create_uid, create_date, write_uid, write_date)
        SELECT %(journey)s, p.id, %(company)s, 'bench', 'running', %(step)s, now() - interval '1 hour',
               FALSE, now() - interval '1 hour', FALSE, 1, now(), 1, now()
          FROM res_partner p WHERE p.id >= %(first)s ORDER BY p.id LIMIT %(limit)s
        """,
        {
            "journey": mass.id,
            "company": mass.company_id.id,
            "step": mass.step_ids.id,
            "first": first_partner,
            "limit": limit,
        },
    )


def measure_journeys(env, cr, first_partner, clients, before_one_percent, repeat, timed, results):
    """The journeys' measures (module doc); ``before_one_percent``: the last history row before
    the engine's run after 1% changed. Returns the facts for the report."""
    journeys = _prepare(env, cr, first_partner)
    cr.commit()
    Journey = env["clientbase.journey"].with_context(clientbase_journey_commit=True)
    facts = {}
    for repetition in range(1, repeat + 1):
        print(f"-- journeys, run {repetition} of {repeat}", flush=True)
        _clear(env, cr, journeys)
        _watermarks(env, cr, journeys, 0)
        events_from = _whole_base_events(cr)
        facts["first night: events (history rows)"] = _count(
            cr, "SELECT count(*) FROM clientbase_segment_history WHERE id > %s", (events_from,)
        )
        cr.commit()
        timed(cr, "journeys: first night, 7 active (every event)", lambda: Journey._run(journeys), results)
        cr.execute("DELETE FROM clientbase_segment_history WHERE id > %s", (events_from,))
        facts["first night: entered"] = _count(
            cr, "SELECT count(*) FROM clientbase_journey_member WHERE journey_id = ANY(%s)", (journeys.ids,)
        )
        facts["first night: messages queued"] = _count(
            cr,
            "SELECT count(*) FROM clientbase_journey_history h JOIN clientbase_journey_member m ON m.id = h.member_id"
            " WHERE m.journey_id = ANY(%s) AND h.result = 'queued'",
            (journeys.ids,),
        )
        _watermarks(env, cr, journeys, before_one_percent)
        cr.commit()
        timed(cr, "journeys: a day when 1% changed", lambda: Journey._run(journeys), results)
        facts["1% day: entered"] = (
            _count(
                cr,
                "SELECT count(*) FROM clientbase_journey_member WHERE journey_id = ANY(%s)",
                (journeys.ids,),
            )
            - facts["first night: entered"]
        )
    _clear(env, cr, journeys)
    cr.commit()

    # the messages of one step for many entrants, queued through mass_mailing
    entrants = min(MASS_STEP_ENTRANTS, clients)
    mass = mass_step_journey(journeys)
    journeys.write({"active": False})
    for _repetition in range(repeat):
        _clear(env, cr, mass)
        enrol_due(cr, mass, first_partner, entrants)
        cr.commit()
        label = f"journeys: queue one step for {entrants} entrants"
        timed(cr, label, lambda: Journey._run_steps(mass), results)
        facts["mass step: messages queued"] = _count(
            cr,
            "SELECT count(*) FROM clientbase_journey_history h JOIN clientbase_journey_member m ON m.id = h.member_id"
            " WHERE m.journey_id = %s AND h.result = 'queued'",
            (mass.id,),
        )
        facts["mass step: mailings"] = _count(
            cr,
            "SELECT count(*) FROM mailing_mailing WHERE clientbase_journey_step_id = %s",
            (mass.step_ids.id,),
        )
    facts["mass step: entrants"] = entrants
    _clear(env, cr, mass | journeys)
    (mass | journeys).unlink()
    cr.commit()
    return facts


def journeys_section(results, facts, full, peak):
    """The report's journeys section (markdown)."""

    def seconds(label):
        return results[label]["seconds"] if label in results else 0.0

    first = seconds("journeys: first night, 7 active (every event)")
    day = seconds("journeys: a day when 1% changed")
    mass_label = next((label for label in results if label.startswith("journeys: queue one step")), None)
    mass = seconds(mass_label) if mass_label else 0.0
    entrants = facts.get("mass step: entrants", 0)
    lines = [
        "\n## Journeys\n",
        "Seven active journeys (win-back, lost survey, VIP welcome, welcome, second purchase, birthday,"
        " won back; holdout 10%), every client with an address and a marketing consent "
        "(`bench/bench_journeys.py`). The first night: every client's segment values as events (one"
        " history row per client and dimension), the whole base enrolled and the night's steps done"
        " (first messages queued, tags set, waits begun).\n",
        "| measure | value | target |",
        "|---|---:|---|",
        f"| first night (every client's values as events) / engine's full run | {first / full if full else 0:.3f} |"
        " <= 0.10 at L |",
        f"| a day when 1% changed, seconds | {day:.2f} | <= 2 s at L |",
        f"| a day when 1% changed / engine's full run | {day / full if full else 0:.3f} | <= 0.10 at L |",
        f"| one step's messages for {entrants} entrants queued, seconds | {mass:.2f} | <= 60 s at M (100k) |",
        f"| the same, messages/s | {entrants / mass if mass else 0:,.0f} | |",
        f"| peak RSS of the process (engine and journeys) | {peak:.0f} MB | <= 400 MB |",
        "",
        "| fact | count |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {count} |" for name, count in facts.items()]
    return "\n".join(lines) + "\n"
