"""What the install leaves for later on a big base (issue 32: install on a million partners in
seconds, not minutes).

Three parts of the install grow with the base: the trigram indexes of the "contains" searches
(res_partner_search_index.py: on a million partners each takes tens of seconds), the check of the
stored emails and numbers (res_partner_contact_check.py: every partner's data parsed in Python)
and the orders' discount flag (segmentation/sale_order.py: every order's lines read, half the
orders rewritten). On a base of fewer than ``DEFER_FROM`` partners (orders) the install does them
at once (a second or two). On a bigger one it creates what it must (the columns, empty) and leaves
the rest to the job **Client Base: prepare a big base** (``_cron_clientbase_prepare_base``), which
the install switches on to run at once:

- the groupings' covering index (res_partner_grouping_index.py), then each missing search index,
  each in its own transaction (a plain ``CREATE INDEX``: writes to the partners wait for it, reads
  and searches do not; it gives up after ``LOCK_WAIT`` when a long
  transaction writes partners, and tries again at its next run), then ``ANALYZE`` of the partners;
- Odoo's own trigram indexes that the creation of ``pg_trgm`` leaves missing on the big tables
  (odoo_trigram_index.py: an order's reference, a lead's name...; those of the small tables are
  built at once), each as Odoo names and defines it, so that the next update of the addon finds
  them present instead of building them in its own transaction (minutes on millions of orders);
- the contact check in batches of partners and the discount flag in batches of orders, each
  committed with where it got to (the system parameters ``CONTACT_CHECK_PARAM`` and
  ``DISCOUNT_FLAG_PARAM``), so that a killed run resumes there.

Meanwhile every search works (by reading the table), every partner and order written through
Odoo gets its check and flag at once; only the verify-data queue lacks the older invalid contacts,
and the figures the older discounted orders, until the job reaches them (the flags it sets are
noted by the change triggers: the next nightly run counts them). When nothing is left the job switches itself off; every update of the addon
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

from .odoo_trigram_index import create_odoo_trigram_index, missing_odoo_trigram_indexes

_logger = logging.getLogger(__name__)

# from this many partners, the install defers the work proportional to them
DEFER_FROM = 50_000
# where the deferred contact check got to (the last partner id checked); absent when nothing is left
CONTACT_CHECK_PARAM = "clientbase_crm.contact_check_after_id"
# where the deferred fill of the orders' discount flag got to (the last order id done)
DISCOUNT_FLAG_PARAM = "clientbase_crm.discount_flag_after_id"
# how long an index build waits for the writers of partners before it gives up until the next run
LOCK_WAIT = "10s"
CRON_XMLID = "clientbase_crm.ir_cron_clientbase_prepare_base"


def partner_count(cr, table="res_partner"):
    """The number of rows of ``table``, as PostgreSQL estimates it (exact when never estimated)."""
    cr.execute(SQL("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", table))
    estimate = cr.fetchone()[0]
    if estimate is None or estimate < 0:
        cr.execute(SQL("SELECT COUNT(*) FROM %s", SQL.identifier(table)))
        estimate = cr.fetchone()[0]
    return estimate


def is_big_base(cr, table="res_partner"):
    return partner_count(cr, table) >= DEFER_FROM


def set_progress(env, param, after_id):
    """A batched step is to go on after id ``after_id`` (None: nothing left)."""
    env["ir.config_parameter"].sudo().set_param(param, after_id if after_id is not None else False)


def set_contact_check_from(env, after_id):
    """The contact check is to go on after partner ``after_id`` (None: nothing left)."""
    set_progress(env, CONTACT_CHECK_PARAM, after_id)


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _clientbase_prepare_base_steps(self):
        """What is left, in order: ``[("grouping", "index"), ("index", column), ...,
        ("odoo_index", index name), ..., ("contacts", after_id), ("discounts", after_id)]``."""
        steps = [("grouping", "index")] if self._clientbase_grouping_index_missing() else []
        steps += [("index", column) for column in self._clientbase_missing_trigram_indexes()]
        steps += [("odoo_index", name) for name, *_index in missing_odoo_trigram_indexes(self.env)]
        Param = self.env["ir.config_parameter"].sudo()
        for kind, param in (("contacts", CONTACT_CHECK_PARAM), ("discounts", DISCOUNT_FLAG_PARAM)):
            after = Param.get_param(param)
            if after:
                steps.append((kind, int(after)))
        return steps

    @api.model
    def _clientbase_prepare_base_step(self, step):
        """Do one step; whether it was done (an index build may give up on a lock)."""
        kind, value = step
        if kind == "contacts":
            set_contact_check_from(self.env, self._client_fill_contact_invalid_batch(value))
            return True
        if kind == "discounts":
            set_progress(
                self.env, DISCOUNT_FLAG_PARAM, self.env["sale.order"]._client_fill_discounted_batch(value)
            )
            return True
        if kind == "grouping":
            label, build = "the groupings' covering index", self._clientbase_create_grouping_index
        elif kind == "odoo_index":
            label = f"Odoo's search index {value}"

            def build():
                create_odoo_trigram_index(self.env, value)

        else:
            label = f"the search index on {value}"

            def build():
                self._clientbase_create_trigram_indexes([value])

        start = time.time()
        _logger.info("Client base: building %s", label)
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(SQL("SET LOCAL lock_timeout = %s", LOCK_WAIT))
                build()
                self.env.cr.execute("RESET lock_timeout")
        except psycopg2.errors.LockNotAvailable:
            _logger.warning(
                "Client base: %s waits for a long transaction writing partners; the job tries again at its"
                " next run",
                label,
            )
            return False
        if kind != "odoo_index" and not any(
            left[0] in ("grouping", "index") for left in self._clientbase_prepare_base_steps()
        ):
            # the statistics of the indexes' expressions, for the searches' plans
            self.env.cr.execute("ANALYZE res_partner")
        _logger.info("Client base: %s built in %.1f s", label, time.time() - start)
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
        # Odoo's trigram indexes of the small tables: at once (the update would build them anyway)
        for name, table, *_index in missing_odoo_trigram_indexes(self.env):
            if not is_big_base(self.env.cr, table):
                create_odoo_trigram_index(self.env, name)
        if self._clientbase_prepare_base_steps():
            cron.active = True
            cron._trigger()
        elif cron.active:
            cron.active = False
