"""Journeys: triggered campaigns that act on the client base every night (issue 30).

A sub-package so that it can move out whole into an addon of its own later.
"""

from . import clientbase_journey_security  # the journeys' rows join the base's one ownership source
from . import clientbase_journey  # a journey: trigger, entry conditions, re-entry, priority, holdout
from . import (
    clientbase_journey_step,
)  # one step of a journey: wait, email, SMS, activity, tag, value, list, branch
from . import clientbase_journey_member  # one client in one journey: state, step reached, next run
from . import clientbase_journey_history  # what a member's step did: sent, skipped, when
from . import clientbase_journey_enrolment  # the nightly enrolment, set-based over the events
from . import clientbase_journey_run  # the nightly step advancement, set-based, sends through mass_mailing
from . import clientbase_journey_exits  # exits at once: consent withdrawn, blacklisted; left a segment value
from . import clientbase_segment_journey  # a user segment emptied and filled again: the refill is no entry
from . import clientbase_journey_step_field  # the step that sets a segment value by hand
from . import clientbase_journey_result  # results per member: sent, converted, the uplift (SQL view)
from . import clientbase_journey_step_result  # the same by step, adding up to the journey's (SQL view)
from . import mailing_mailing_journey  # a mailing remembers the journey step that queued it
from . import clientbase_mailing_eligibility_journey  # the frequency cap counts queued journey messages
from . import clientbase_journey_templates  # the ready journeys' email templates archived until switched on
from . import clientbase_journey_upgrade  # the old birthday greeting and win-back to-do become journeys
from . import res_company_journeys  # the company's birthday greeting setting switches its journey
from . import res_partner_journeys  # the client card's Journeys tab; forget removes the journey rows
