"""Loyalty measures of ``make bench``, run by bench.py when clientbase_loyalty is installed in
the bench database:

* the levels in the nightly run: the set-based refresh of every client's level
  (``clientbase.loyalty.status._refresh_levels``) on the first population (no client holds a
  level yet) and on an ordinary night (1% of the clients changed: the levels of the clients
  the segments' notes hold), beside the engine's full run;
* personal promo codes, one per client of a segment of every generated client (10k at S, 100k
  at M, 1M at L): our campaign's set-based generation against Odoo's own coupon generation
  wizard (``loyalty.generate.wizard``, customers selected by a tag), in the same run. At L the
  wizard makes ``WIZARD_CAP`` codes and its time is extrapolated linearly;
* bonus points granted for client-base events, one grant per generated client (the shape of a
  journey step's grant to a whole segment, or of a birthday run): inserted once per occasion and
  posted to the cards (a card made for each, a history line each) set-based, as every event is
  (``clientbase.loyalty.grant._get_insert_query`` and ``_post_grants``); then the same grants
  again (nothing new to post); then those points expired by age a year later
  (``loyalty.card._clientbase_expire_points``).
"""

import datetime

import psycopg2

from odoo import Command, fields
from odoo.tools import SQL

# levels of the bench company: (name, share of the clients with orders below the threshold, discount)
BENCH_LEVELS = (("Bench Silver", 0.5, 3), ("Bench Gold", 0.8, 5), ("Bench Platinum", 0.95, 7))
WIZARD_CAP = 100_000  # codes Odoo's wizard makes at most (its time is extrapolated beyond)
WIZARD_CHUNK = 10_000  # clients per run of Odoo's wizard
WIZARD_ATTEMPTS = 5  # runs of a chunk at most, when the wizard's codes collide
WIZARD_DUPLICATES = "Odoo's coupon wizard: chunks made again after a duplicate code of its own"

LEVELS_FIRST = "loyalty levels, first population (every client)"
LEVELS_NIGHTLY = "loyalty levels, nightly run (the clients noted after 1% changed)"
CODES_OURS = "personal codes, our campaign ({count} codes)"
CODES_ODOO = "personal codes, Odoo's coupon wizard ({count} codes)"
GRANTS = "bonus points granted and posted ({count} grants)"
GRANTS_AGAIN = "bonus points, the same grants again (nothing new; {count} events)"
EXPIRY = "bonus points expired by age ({count} cards)"
GRANT_POINTS = 10.0


def installed(cr):
    cr.execute("SELECT state = 'installed' FROM ir_module_module WHERE name = 'clientbase_loyalty'")
    row = cr.fetchone()
    return bool(row and row[0])


def setup_levels(env):
    """Three active levels of the company at the median, the 80th and the 95th percentile of the
    clients' receipts (so that half the clients hold one), made once; the example levels stay
    archived."""
    cr = env.cr
    Level = env["clientbase.loyalty.level"]
    company = env["res.company"].search([], order="id", limit=1)
    levels = Level.search([("name", "in", [name for name, _share, _discount in BENCH_LEVELS])])
    if len(levels) == len(BENCH_LEVELS):
        return levels
    cr.execute(
        """
        SELECT percentile_disc(%s) WITHIN GROUP (ORDER BY revenue)
          FROM (SELECT p.commercial_partner_id, SUM(so.amount_untaxed) AS revenue
                  FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                 WHERE so.state = 'sale' GROUP BY 1) r
        """,
        ([share for _name, share, _discount in BENCH_LEVELS],),
    )
    thresholds = cr.fetchone()[0]
    levels.unlink()
    previous = 0
    values = []
    for (name, _share, discount), threshold in zip(BENCH_LEVELS, thresholds, strict=True):
        previous = max(round(float(threshold)), previous + 1)
        values.append({"name": name, "threshold": previous, "discount": discount, "company_id": company.id})
    return Level.create(values)


def reset_levels(cr):
    """Nobody holds a level (with the figures truncated: the first population)."""
    cr.execute("TRUNCATE clientbase_loyalty_status")


def refresh_levels(env):
    env["clientbase.loyalty.status"]._refresh_levels()
    env.invalidate_all()


def refresh_noted_levels(env):
    """The levels' part of a nightly run: the clients whose figures changed, as the segments
    refresh takes them from its notes (read here without taking them: the segments' measures
    that follow take them)."""
    env.cr.execute(
        "SELECT DISTINCT partner_id FROM clientbase_segment_member_change WHERE partner_id IS NOT NULL"
    )
    noted = [partner_id for (partner_id,) in env.cr.fetchall()]
    env["clientbase.loyalty.status"]._refresh_levels(partner_ids=noted)
    env.invalidate_all()


def codes(env, cr, timed, results, repeat, counts):
    """Our campaign's codes and Odoo's wizard's, ``repeat`` times each, for a segment of every
    generated client; everything made is deleted afterwards (segment, tag, program, codes), so
    that no later measure and no later run pays for it. Returns (ours, Odoo's) labels."""
    today = fields.Date.today()
    valid_until = today + datetime.timedelta(days=90)
    program = env["loyalty.program"].create(
        {
            "name": "Bench personal codes",
            "program_type": "coupons",
            "trigger": "with_code",
            "applies_on": "current",
            "reward_ids": [
                Command.create(
                    {
                        "reward_type": "discount",
                        "discount": 10,
                        "discount_mode": "percent",
                        "required_points": 1,
                    }
                )
            ],
        }
    )
    # codes only, on both sides: no e-mail to each client when a code is made (Odoo's default
    # plan of a coupon program); the mailing of the codes is a mailing of its own
    program.communication_plan_ids.unlink()
    segment = env["clientbase.segment"].create(
        {"name": "Bench: every generated client", "domain": str([("name", "=like", "Bench client %")])}
    )
    segment._refresh_members()
    cr.execute("SELECT COUNT(*) FROM clientbase_segment_member WHERE segment_id = %s", (segment.id,))
    audience = cr.fetchone()[0]
    campaign = env["clientbase.loyalty.campaign"].create(
        {
            "name": "Bench campaign",
            "segment_id": segment.id,
            "program_id": program.id,
            "expiration_date": valid_until,
        }
    )
    tag = env["res.partner.category"].create({"name": "Bench campaign audience"})
    wizard_count = min(audience, WIZARD_CAP)
    cr.execute(
        "INSERT INTO res_partner_res_partner_category_rel (category_id, partner_id)"
        " SELECT %s, partner_id FROM clientbase_segment_member WHERE segment_id = %s"
        " ORDER BY partner_id LIMIT %s",
        (tag.id, segment.id, wizard_count),
    )
    cr.commit()

    def delete_codes():
        cr.execute(
            "DELETE FROM loyalty_history WHERE card_id IN (SELECT id FROM loyalty_card WHERE program_id = %s)",
            (program.id,),
        )
        cr.execute("DELETE FROM loyalty_card WHERE program_id = %s", (program.id,))
        cr.commit()
        env.invalidate_all()

    def ours():
        campaign.action_generate_codes()
        cr.execute("SELECT COUNT(*) FROM loyalty_card WHERE clientbase_campaign_id = %s", (campaign.id,))
        made = cr.fetchone()[0]
        assert made == audience, f"{made} codes for {audience} clients"

    cr.execute(
        "SELECT partner_id FROM res_partner_res_partner_category_rel WHERE category_id = %s ORDER BY partner_id",
        (tag.id,),
    )
    wizard_partners = [partner_id for (partner_id,) in cr.fetchall()]

    def odoo_wizard():
        """Odoo's wizard for the tagged clients, ``WIZARD_CHUNK`` at a time as a user would make
        a big audience's codes: its codes carry 32 random bits, so one run for 100,000 clients
        fails on a duplicate of its own about two times in three (at L nearly always). A chunk
        that fails so is made again, in the measured time, and counted."""
        for start in range(0, len(wizard_partners), WIZARD_CHUNK):
            chunk = wizard_partners[start : start + WIZARD_CHUNK]
            for attempt in range(WIZARD_ATTEMPTS):
                try:
                    with cr.savepoint():
                        wizard = env["loyalty.generate.wizard"].create(
                            {
                                "program_id": program.id,
                                "mode": "selected",
                                "customer_ids": [Command.set(chunk)],
                                "points_granted": 1,
                                "valid_until": valid_until,
                            }
                        )
                        wizard.generate_coupons()
                    break
                except psycopg2.errors.UniqueViolation:
                    counts[WIZARD_DUPLICATES] = counts.get(WIZARD_DUPLICATES, 0) + 1
                    if attempt == WIZARD_ATTEMPTS - 1:
                        raise
        cr.execute(
            "SELECT COUNT(*) FROM loyalty_card WHERE program_id = %s AND clientbase_campaign_id IS NULL",
            (program.id,),
        )
        made = cr.fetchone()[0]
        assert made == wizard_count, f"{made} codes for {wizard_count} clients"

    label_ours = CODES_OURS.format(count=audience)
    label_odoo = CODES_ODOO.format(count=wizard_count)
    counts[label_ours] = audience
    counts[label_odoo] = wizard_count
    try:
        for _repetition in range(repeat):
            delete_codes()
            timed(cr, label_ours, ours, results)
            delete_codes()
            env.invalidate_all()
            timed(cr, label_odoo, odoo_wizard, results)
    finally:
        cr.rollback()
        delete_codes()
        cr.execute("DELETE FROM res_partner_res_partner_category_rel WHERE category_id = %s", (tag.id,))
        env.invalidate_all()
        campaign.unlink()
        segment.unlink()
        tag.unlink()
        program.action_archive()  # Odoo deletes no active program
        program.unlink()
        cr.commit()
    ours_time = results[label_ours]["seconds"]
    odoo_time = results[label_odoo]["seconds"] * audience / wizard_count
    return label_ours, label_odoo, ours_time, odoo_time, audience, wizard_count


def grants(env, cr, timed, results, repeat, counts):
    """Bonus points of one event for every generated client, ``repeat`` times each: the grants
    inserted and posted, the same again, and their expiry a year later; on a program of the bench
    company made for it and deleted afterwards (the company's own bonus program is put back)."""
    company = env["res.company"].search([], order="id", limit=1)
    previous = company.client_bonus_program_id
    program = env["loyalty.program"].create(
        {
            "name": "Bench bonus points",
            "program_type": "loyalty",
            "company_id": company.id,
            "clientbase_points_expiry_months": 12,
        }
    )
    program.communication_plan_ids.unlink()
    company.client_bonus_program_id = program
    Grant = env["clientbase.loyalty.grant"]
    events = SQL(
        "SELECT p.id, 'bench', NULL::int, 'journey', %s::float8 FROM res_partner p"
        " WHERE p.name LIKE %s AND p.active AND p.id = p.commercial_partner_id",
        GRANT_POINTS,
        "Bench client %",
    )
    cr.execute(SQL("SELECT COUNT(*) FROM (%s) e", events))
    count = cr.fetchone()[0]
    cr.commit()

    def delete_grants():
        cr.execute("DELETE FROM clientbase_loyalty_grant WHERE program_id = %s", (program.id,))
        cr.execute(
            "DELETE FROM loyalty_history WHERE card_id IN (SELECT id FROM loyalty_card WHERE program_id = %s)",
            (program.id,),
        )
        cr.execute("DELETE FROM loyalty_card WHERE program_id = %s", (program.id,))
        cr.commit()
        env.invalidate_all()

    def grant():
        cr.execute(Grant._get_insert_query(company, events))
        return Grant._post_grants(company)

    def first():
        posted = grant()
        assert posted == count, f"{posted} grants posted for {count} events"

    def again():
        posted = grant()
        assert posted == 0, f"{posted} grants posted twice"

    def expire():
        cards, points = env["loyalty.card"]._clientbase_expire_points(programs=program)
        assert cards == count and points == count * GRANT_POINTS, f"{cards} cards, {points} points expired"

    labels = (GRANTS.format(count=count), GRANTS_AGAIN.format(count=count), EXPIRY.format(count=count))
    for label in labels:
        counts[label] = count
    try:
        for _repetition in range(repeat):
            delete_grants()
            timed(cr, labels[0], first, results)
            timed(cr, labels[1], again, results)
            # the points were granted 13 months ago
            cr.execute(
                "UPDATE loyalty_history SET create_date = create_date - interval '13 months'"
                " WHERE card_id IN (SELECT id FROM loyalty_card WHERE program_id = %s)",
                (program.id,),
            )
            cr.commit()
            timed(cr, labels[2], expire, results)
    finally:
        cr.rollback()
        delete_grants()
        company.client_bonus_program_id = previous
        program.action_archive()  # Odoo deletes no active program
        program.unlink()
        cr.commit()
    return labels


def ratios(results, full, codes, counts):
    """The loyalty's rows of the ratio table (the whole bench and ``--loyalty-only``): the
    levels against the engine's ``full`` run, and with ``codes`` (what :func:`codes` returned)
    ours against Odoo's wizard."""

    def share(label):
        return results[label]["seconds"] / full if full and label in results else 0

    rows = [
        ("loyalty levels, nightly / full", share(LEVELS_NIGHTLY), "target <= 0.1 (at L)"),
        (
            "loyalty levels, first population / full",
            share(LEVELS_FIRST),
            "when levels are new or the figures rebuilt",
        ),
    ]
    if codes:
        _ours_label, _odoo_label, ours, wizard, made, sample = codes
        duplicates = counts.get(WIZARD_DUPLICATES)
        rows.append(
            (
                f"Odoo's coupon wizard / our personal codes ({made} codes)",
                wizard / ours if ours else 0,
                "same run, same program; the wizard run for 10,000 clients at a time"
                + (f"; its time extrapolated from {sample} codes" if sample < made else "")
                + (
                    f"; {duplicates} of its runs failed on a duplicate code of its own and were made"
                    " again (in its time)"
                    if duplicates
                    else ""
                ),
            )
        )
        rows.append(
            (
                f"our personal codes, seconds per 100,000 ({made} codes)",
                ours * 100_000 / made,
                "target <= 30 at M",
            )
        )
    return rows
