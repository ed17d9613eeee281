"""What the journeys' profile scripts share (``profile_journey_night.py``, ``profile_journey_step.py``).

:func:`opened`: their opening, in one place: the arguments every one takes (``--db``,
``--addons-path``, ``--profile``, and the script's own), Odoo's configuration, the registry, a
cursor, the environment as superuser, the first generated client of a base made by ``bench.sh``
and the seven bench journeys ``bench_journeys._prepare`` sets up on it.
:func:`profiled`: a call timed, with every SQL statement it ran by the part of the run that issued
it (and cProfile with ``--profile``); :func:`report` prints them.
"""

import argparse
import contextlib
import cProfile
import pstats
import sys
import time
from collections import namedtuple

import bench_journeys

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import config

Opened = namedtuple("Opened", "args env cr first_partner journeys")
Profiled = namedtuple("Profiled", "result elapsed log profiler")


@contextlib.contextmanager
def opened(description, add_arguments=None):
    """Parse the arguments (``add_arguments(parser)`` adds the script's own), open the bench
    database and yield an :data:`Opened`; the cursor is closed at the end (nothing committed
    by this function)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", required=True, help="a database made by bench.sh")
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions too")
    if add_arguments:
        add_arguments(parser)
    args = parser.parse_args()
    config.parse_config(["-d", args.db, f"--addons-path={args.addons_path}", "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        cr.execute("SELECT id FROM res_partner WHERE name = 'Bench client 0' ORDER BY id DESC LIMIT 1")
        row = cr.fetchone()
        if not row:
            sys.exit(f"{args.db} has no generated clients: make it with bench.sh first (see bench/README.md)")
        journeys = bench_journeys._prepare(env, cr, row[0])
        yield Opened(args, env, cr, row[0], journeys)


@contextlib.contextmanager
def statements(cr, parts):
    """Every statement ``cr`` runs in the block: ``[(seconds, part, text)]``, the part being the
    innermost of ``parts`` (function names) on the Python stack."""
    log = []
    real = cr.execute

    def execute(query, params=None, log_exceptions=True):
        start = time.time()
        try:
            return real(query, params, log_exceptions)
        finally:
            frame, part = sys._getframe(1), "other"
            while frame:
                if frame.f_code.co_name in parts:
                    part = frame.f_code.co_name
                    break
                frame = frame.f_back
            log.append((time.time() - start, part, str(query)[:300]))

    cr.execute = execute
    try:
        yield log
    finally:
        del cr.execute


def profiled(cr, parts, profile, function, *args):
    """Call ``function(*args)``: its result, the seconds it took, its statements (by part, see
    :func:`statements`) and the cProfile profiler (None without ``profile``)."""
    profiler = cProfile.Profile() if profile else None
    with statements(cr, parts) as log:
        start = time.time()
        if profiler:
            profiler.enable()
        try:
            result = function(*args)
        finally:
            if profiler:
                profiler.disable()
        elapsed = time.time() - start
    return Profiled(result, elapsed, log, profiler)


def report(log, profiler=None, slowest=8):
    """Print the statements' time by part, the slowest statements and cProfile's top functions."""
    parts = {}
    for seconds, part, _text in log:
        count, total = parts.get(part, (0, 0.0))
        parts[part] = (count + 1, total + seconds)
    for part, (count, total) in sorted(parts.items(), key=lambda item: -item[1][1]):
        print(f"  {part:<20} {count:>6} statements {total:8.2f} s")
    print("slowest statements:")
    for seconds, part, text in sorted(log, reverse=True)[:slowest]:
        print(f"  {seconds:7.3f} s  {part:<18} {' '.join(text.split())[:200]}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
