"""What the install leaves for later on a big base (issue 32: install on a million partners in
seconds, not minutes).

Two parts of the install grow with the number of partners: the trigram indexes of the
"contains" searches (res_partner_search_index.py: on a million partners each takes tens of
seconds) and the check of the stored emails and numbers (res_partner_contact_check.py: every
partner's data parsed in Python). On a base of fewer than ``DEFER_FROM`` partners the install
does both at once (a second or two). On a bigger one it creates what it must (the column, empty)
and leaves the rest to the job **Client Base: prepare a big base** (``_cron_clientbase_prepare_base``),
which the install switches on to run at once:

- each missing search index in its own transaction (a plain ``CREATE INDEX``: writes to the
  partners wait for it, reads and searches do not; it gives up after ``LOCK_WAIT`` when a long
  transaction writes partners, and tries again at its next run), then ``ANALYZE`` of the partners;
- the contact check in batches of partners, each committed with where it got to (the system
  parameter ``CONTACT_CHECK_PARAM``), so that a killed run resumes there.

Meanwhile every search works (by reading the table) and every partner written through Odoo gets
its check at once; only the verify-data queue lacks the older invalid contacts until the job
reaches them. When nothing is left the job switches itself off; every update of the addon
switches it on again if something is missing (e.g. ``pg_trgm`` created by a superuser since).
Run by the scheduler it does one step per call and reports its progress (Odoo commits after
each call and calls again while steps remain); run by hand ("Run Manually") it does them all in
one transaction.
"""

import logging
import time

import psycopg2

from odoo import api, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# from this many partners, the install defers the work proportional to them
DEFER_FROM = 50_000
# where the deferred contact check got to (the last partner id checked); absent when nothing is left
CONTACT_CHECK_PARAM = "clientbase_crm.contact_check_after_id"
# how long an index build waits for the writers of partners before it gives up until the next run
LOCK_WAIT = "10s"
CRON_XMLID = "clientbase_crm.ir_cron_clientbase_prepare_base"


def partner_count(cr):
    """The number of partners, as PostgreSQL estimates it (exact when never estimated)."""
    cr.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = 'res_partner'::regclass")
    estimate = cr.fetchone()[0]
    if estimate is None or estimate < 0:
        cr.execute("SELECT COUNT(*) FROM res_partner")
        estimate = cr.fetchone()[0]
    return estimate


def is_big_base(cr):
    return partner_count(cr) >= DEFER_FROM


def set_contact_check_from(env, after_id):
    """The contact check is to go on after partner ``after_id`` (None: nothing left)."""
    env["ir.config_parameter"].sudo().set_param(CONTACT_CHECK_PARAM, after_id if after_id is not None else False)


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _clientbase_prepare_base_steps(self):
        """What is left, in order: ``[("index", column), ..., ("contacts", after_id)]``."""
        steps = [("index", column) for column in self._clientbase_missing_trigram_indexes()]
        after = self.env["ir.config_parameter"].sudo().get_param(CONTACT_CHECK_PARAM)
        if after:
            steps.append(("contacts", int(after)))
        return steps

    @api.model
    def _clientbase_prepare_base_step(self, step):
        """Do one step; whether it was done (an index build may give up on a lock)."""
        kind, value = step
        if kind == "contacts":
            set_contact_check_from(self.env, self._client_fill_contact_invalid_batch(value))
            return True
        start = time.time()
        _logger.info("Client base: building the search index on %s over %s partners", value, partner_count(self.env.cr))
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(SQL("SET LOCAL lock_timeout = %s", LOCK_WAIT))
                self._clientbase_create_trigram_indexes([value])
                self.env.cr.execute("RESET lock_timeout")
        except psycopg2.errors.LockNotAvailable:
            _logger.warning(
                "Client base: the search index on %s waits for a long transaction writing partners;"
                " the job tries again at its next run",
                value,
            )
            return False
        if not self._clientbase_missing_trigram_indexes():
            # the statistics of the indexes' expressions, for the searches' plans
            self.env.cr.execute("ANALYZE res_partner")
        _logger.info("Client base: search index on %s built in %.1f s", value, time.time() - start)
        return True

    @api.model
    def _cron_clientbase_prepare_base(self):
        """The job (see the module's docstring): one step per call under the scheduler, every
        step when run by hand; switches itself off when nothing is left."""
        steps = self._clientbase_prepare_base_steps()
        if not self.env.context.get("cron_id"):
            while steps and self._clientbase_prepare_base_step(steps[0]):
                steps = self._clientbase_prepare_base_steps()
            if not steps:
                self._clientbase_schedule_prepare_base()
            return
        ir_cron = self.env["ir.cron"]
        if steps and not self._clientbase_prepare_base_step(steps[0]):
            # a lock it could not get: the next run tries again (the job stays on)
            ir_cron._notify_progress(done=0, remaining=0)
            return
        remaining = len(self._clientbase_prepare_base_steps())
        ir_cron._notify_progress(done=1, remaining=remaining, deactivate=not remaining)

    @api.model
    def _clientbase_schedule_prepare_base(self):
        """At every install and update (data file): the job on, to run at once, when something
        is left; off otherwise."""
        cron = self.env.ref(CRON_XMLID, raise_if_not_found=False)
        if not cron:
            return
        cron = cron.sudo()
        if self._clientbase_prepare_base_steps():
            cron.active = True
            cron._trigger()
        elif cron.active:
            cron.active = False
