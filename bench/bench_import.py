"""Import benchmark: run by bench/bench_import.sh on a database with clientbase_crm installed.

Builds a client file of ``--rows`` rows as people have them (Windows-1251, semicolons,
Russian headers, phones in every shape, a channel, tags and a consent column, 1% duplicates of
clients already in the base), then measures in the same run:
- the dry run (the Check File button) and our import (the Import button, as a head of sales: the
  file is checked again, then the clients, their cards, tags and consents are created), each in
  one transaction;
- a bare-SQL baseline: the same rows' partners INSERTed in one statement (no check, no card,
  no consent, no computed field: the floor);
- a naive ORM loop: one ``create`` per row (on a sample, extrapolated);
- our import with and without the change log (``--no-change-log-compare`` skips the latter),
  interleaved ``--change-log-repeat`` times (without, with, without, with, ...) so that a shared,
  noisy machine slows both alike: each pair gives a ratio, the median ratio is what the log
  costs; "our import" is the median of the runs with the log.
Every measure is rolled back: the database is left as it was. Writes bench/results/results-import.md
(``--note`` adds a line on the conditions of the run, e.g. a machine shared with other work).
"""

import argparse
import base64
import datetime
import os
import platform
import statistics
import subprocess
import time

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import config

HEADER = "ФИО;Телефон;Мобильный;E-mail;Дата рождения;Город;Канал;Теги;Согласие на рассылку;Источник согласия"
PHONE_SHAPES = ("8 ({a}) {b}-{c}-{d}", "+7 {a} {b} {c} {d}", "8{a}{b}{c}{d}", "+7({a}){b}{c}{d}")
NAIVE_SAMPLE = 1000


def existing_clients(env, count):
    """(email, phone) of ``count`` clients already in the base; generated clients get an address
    and a number typed as people type them (committed: the bench database is dedicated)."""
    cr = env.cr
    cr.execute(
        """
        UPDATE res_partner
           SET email = 'bench.existing.' || id || '@mail.ru',
               phone = '8 (903) ' || lpad(mod(id, 1000)::text, 3, '0') || '-' || lpad(mod(id / 1000, 100)::text, 2, '0')
                       || '-' || lpad(mod(id / 100000, 100)::text, 2, '0')
         WHERE id IN (SELECT id FROM res_partner WHERE email IS NULL AND is_company IS NOT TRUE
                       ORDER BY id LIMIT GREATEST(%s - (SELECT COUNT(*) FROM res_partner WHERE email LIKE 'bench.existing.%%'), 0))
        """,
        (count,),
    )
    cr.commit()
    cr.execute(
        "SELECT email, phone FROM res_partner WHERE email LIKE 'bench.existing.%%' ORDER BY id LIMIT %s",
        (count,),
    )
    return cr.fetchall()


def build_file(env, rows):
    """The file's bytes: ``rows`` rows, 1% of them duplicates of clients already in the base
    (their address in capitals, their number in another format)."""
    existing = existing_clients(env, max(rows // 100, 1))
    channel = env["clientbase.channel"].search([], limit=1).name or ""
    lines = [HEADER]
    for i in range(rows):
        digits = f"{9_160_000_000 + i:010d}"
        shape = PHONE_SHAPES[i % len(PHONE_SHAPES)]
        phone = shape.format(a=digits[:3], b=digits[3:6], c=digits[6:8], d=digits[8:])
        email = f"client.{i}@mail.ru"
        if i % 100 == 99 and i // 100 < len(existing):
            email, typed = existing[i // 100]
            email = email.upper() if i % 200 == 99 else f"new.{i}@mail.ru"
            phone = "" if i % 200 == 99 else "+7 " + "".join(ch for ch in typed if ch.isdigit())[1:]
        birthday = f"{1 + i % 28:02d}.{1 + i % 12:02d}.{1950 + i % 50}"
        lines.append(
            f"Клиент {i} Тестович;{phone};;{email};{birthday};Москва;{channel};опт, розница;"
            f"{'да' if i % 3 else 'нет'};анкета"
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")


def vacuum(dbname):
    """Clear the dead rows the previous, rolled-back measure left in the tables and their indexes,
    so that every measure inserts into the same tables (VACUUM cannot run in a transaction)."""
    subprocess.run(["psql", "-q", "-d", dbname, "-c", "VACUUM"], check=True)


def timed(cr, label, func, results):
    """Run ``func`` and roll it back; keep the time."""
    cr.rollback()
    vacuum(cr.dbname)
    start = time.time()
    value = func()
    cr.flush()
    elapsed = time.time() - start
    cr.rollback()
    results[label] = elapsed
    print(f"{label:<44} {elapsed:9.2f} s", flush=True)
    return value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument(
        "--change-log-compare",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also import without the change log, to print what the log costs",
    )
    parser.add_argument(
        "--change-log-repeat",
        type=int,
        default=2,
        help="pairs of imports (without the log, then with it) measured one after the other",
    )
    parser.add_argument("--note", default="", help="a line on the conditions of the run, for the report")
    args = parser.parse_args()
    load_before = os.getloadavg()
    config.parse_config(["-d", args.db, f"--addons-path={args.addons_path}", "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.db)
    results = {}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env.company.country_id = env.ref("base.ru")
        cr.commit()
        content = build_file(env, args.rows)
        base_clients = env["res.partner"].search_count([])
        print(f"{args.rows} rows ({len(content) / 1e6:.1f} MB) against {base_clients} partners", flush=True)
        head = env.ref("base.user_admin")
        counts = {}

        def check():
            wizard = (
                env["clientbase.import.wizard"]
                .with_user(head)
                .create({"file": base64.b64encode(content), "file_name": "clients.csv"})
            )
            wizard.action_check()
            counts.update(
                ready=wizard.ready_count, duplicates=wizard.duplicate_count, errors=wizard.error_count
            )
            return wizard

        def check_and_import(change_log=True):
            """The Import button: the file is checked again, then imported (and its values written
            to the change log, unless ``change_log`` is False)."""
            wizard = (
                env["clientbase.import.wizard"]
                .with_user(head)
                .with_context(clientbase_change_log_skip=not change_log)
                .create({"file": base64.b64encode(content), "file_name": "clients.csv"})
            )
            wizard.action_import()
            counts["imported"] = wizard.imported_count

        timed(cr, "check (dry run)", check, results)
        ours_label = "check and import (our import)"
        without_label = "check and import without the change log"
        pairs = []
        if args.change_log_compare:
            for i in range(max(args.change_log_repeat, 1)):
                timed(cr, f"{without_label} #{i + 1}", lambda: check_and_import(change_log=False), results)
                timed(cr, f"{ours_label} #{i + 1}", check_and_import, results)
                pairs.append(
                    (results.pop(f"{without_label} #{i + 1}"), results.pop(f"{ours_label} #{i + 1}"))
                )
            results[ours_label] = statistics.median(with_log for _without, with_log in pairs)
            results[without_label] = statistics.median(without for without, _with_log in pairs)
            ratio = statistics.median(with_log / without for without, with_log in pairs)
            print(
                f"  the change log costs the import {100 * (ratio - 1):+.1f}% (median of {len(pairs)} pairs; "
                f"with / without: {ratio:.3f})",
                flush=True,
            )
        else:
            timed(cr, ours_label, check_and_import, results)
        print(f"  {counts}", flush=True)

        def bare_sql():
            cr.execute(
                """
                INSERT INTO res_partner (name, email, phone, city, active, type, is_company, lang, autopost_bills,
                                         create_date, write_date, create_uid, write_uid)
                SELECT 'Клиент ' || i || ' Тестович', 'client.' || i || '@mail.ru',
                       '+7' || (9160000000 + i)::text, 'Москва', true, 'contact', false, 'ru_RU', 'ask',
                       now(), now(), 1, 1
                  FROM generate_series(0, %s - 1) i""",
                (counts["imported"],),
            )

        timed(cr, "bare-SQL baseline (INSERT ... SELECT)", bare_sql, results)

        def naive():
            Partner = env["res.partner"]
            for i in range(NAIVE_SAMPLE):
                Partner.create(
                    {
                        "name": f"Naive {i}",
                        "email": f"naive.{i}@mail.ru",
                        "phone": f"+7916{i:07d}",
                        "city": "Москва",
                        "client_birthday": datetime.date(1980, 1, 1),
                    }  # fmt: skip
                )

        sample = timed(cr, f"naive ORM loop ({NAIVE_SAMPLE} rows)", naive, results)
        del sample
        results["naive ORM loop (extrapolated)"] = results[f"naive ORM loop ({NAIVE_SAMPLE} rows)"] * (
            counts["imported"] / NAIVE_SAMPLE
        )
    ours = results["check and import (our import)"]
    load_after = os.getloadavg()
    lines = [
        f"# Import benchmark: {args.rows:,} rows",
        "",
        f"Measured {datetime.date.today()} on {platform.node() or 'this machine'} "
        f"({platform.python_implementation()} {platform.python_version()}), against a base of "
        f"{base_clients:,} partners; every measure rolled back. Command: `make bench-import ROWS={args.rows}`.",
        "",
        f"File: Windows-1251, semicolons, Russian headers, {len(content) / 1e6:.1f} MB; "
        f"{counts['imported']:,} rows imported, {counts['duplicates']:,} duplicates of existing clients skipped "
        f"(linked), {counts['errors']} errors.",
        "",
        f"Load average (1 min) at the start {load_before[0]:.1f}, at the end {load_after[0]:.1f} "
        f"({os.cpu_count()} CPUs).{' ' + args.note if args.note else ''}",
        "",
        "| measure | seconds | our import vs it |",
        "| --- | ---: | ---: |",
    ]
    for label, seconds in results.items():
        ratio = "" if label.startswith("check") else f"{ours / seconds:.2f}x"
        median = " (median)" if pairs and label.startswith("check and import") else ""
        lines.append(f"| {label}{median} | {seconds:.1f} | {ratio} |")
    if pairs:
        ratios = [with_log / without for without, with_log in pairs]
        lines += [
            "",
            "## The change log's cost",
            "",
            f"Our import with the change log (every imported value logged) and without it "
            f"(`clientbase_change_log_skip`), measured in pairs one after the other, {len(pairs)} pairs "
            "(without, with, without, with, ...): a shared machine slows both runs of a pair alike, so "
            "each pair gives a ratio and the median ratio is the log's cost. Target: at most +20%.",
            "",
            "| pair | without the log (s) | with the log (s) | with / without |",
            "| ---: | ---: | ---: | ---: |",
            *(
                f"| {i} | {without:.1f} | {with_log:.1f} | {with_log / without:.3f} |"
                for i, (without, with_log) in enumerate(pairs, 1)
            ),
            "",
            f"Median ratio: **{statistics.median(ratios):.3f}** "
            f"(the log costs {100 * (statistics.median(ratios) - 1):+.1f}%); ratio of the medians "
            f"{statistics.median(w for _o, w in pairs) / statistics.median(o for o, _w in pairs):.3f}.",
        ]
    with open(args.out, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    print(f"ours / bare SQL: {ours / results['bare-SQL baseline (INSERT ... SELECT)']:.1f}x, "
          f"ours / naive ORM loop: {ours / results['naive ORM loop (extrapolated)']:.2f}x; written {args.out}")  # fmt: skip


if __name__ == "__main__":
    main()
