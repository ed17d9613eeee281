"""Scheduled jobs that retry after losing a race with users.

Odoo's HTTP requests retry a transaction that failed on a serialization failure, a deadlock or
a lock timeout (``odoo.service.model.retrying``); a scheduled job does not: its run fails and
waits for the next night. Our nightly jobs read a snapshot of the base (Odoo's cursors are
REPEATABLE READ) and then write rows a salesperson may have saved meanwhile; PostgreSQL then
refuses the job's write. :func:`retry_on_concurrency` rolls the job's current step back and runs
it again on a fresh snapshot: the steps committed before are kept (Odoo commits after each
call of a job that reports progress), nothing is lost, and users never wait for the job.
"""

import functools
import logging
import random
import time

from psycopg2 import errorcodes

from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from .sql_planning import without_jit

_logger = logging.getLogger(__name__)

ATTEMPTS = 5


def retry_on_concurrency(method):
    """Decorate a cron entry point (a model method): inside the cron worker (``cron_id`` in the
    context), a concurrency failure rolls the step back and runs it again, up to ``ATTEMPTS``
    times with a growing random pause. Called from elsewhere (a button: the HTTP layer retries
    the whole request itself), the error is raised as it is. Every attempt runs without
    PostgreSQL's JIT compilation (:mod:`.sql_planning`)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if not self.env.context.get("cron_id"):
            return method(self, *args, **kwargs)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                without_jit(self.env.cr)
                result = method(self, *args, **kwargs)
                self.env.flush_all()
                return result
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as exc:
                if attempt == ATTEMPTS:
                    raise
                self.env.cr.rollback()
                self.env.reset()
                wait = random.uniform(0.1, 2**attempt)
                _logger.info(
                    "%s.%s: %s, step rolled back, attempt %s of %s in %.2f s",
                    self._name,
                    method.__name__,
                    errorcodes.lookup(exc.pgcode),
                    attempt + 1,
                    ATTEMPTS,
                    wait,
                )
                time.sleep(wait)
        raise AssertionError("unreachable")

    return wrapper
