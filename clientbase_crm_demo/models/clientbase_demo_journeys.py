from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

# the ready journeys the demo switches on, and how far back each takes its events: the welcome
# series greets the first orders of the last month, the win-back the clients who became inactive
# in the last two months
DEMO_JOURNEYS = (("clientbase_crm.journey_welcome", 31), ("clientbase_crm.journey_winback", 62))


class ClientbaseDemoGenerator(models.AbstractModel):
    """Journeys in the demo: two ready journeys switched on and run once over the recent past, so
    that the journeys, their members, the client cards' Journeys tab and the results show what
    the nightly run does."""

    _inherit = "clientbase.demo.generator"

    @api.model
    def _demo_journeys(self):
        """Switch the demo's journeys on, take their events of the recent past (a journey switched
        on normally takes only the events from then on) and run them once: enrolment and the
        first steps (the mailings go to the queue, not out). Returns the number of members."""
        Journey = self.env["clientbase.journey"].with_context(active_test=False)
        journeys = Journey.browse()
        for xmlid, days in DEMO_JOURNEYS:
            journey = self.env.ref(xmlid, raise_if_not_found=False)
            if not journey:
                continue
            journey = Journey.browse(journey.id)
            journey.write({"active": True})
            since = fields.Datetime.now() - timedelta(days=days)
            self.env["clientbase.segment.history"].flush_model()
            self.env.cr.execute(
                SQL(
                    "UPDATE clientbase_journey SET watermark_date = %(day)s,"
                    " watermark_id = COALESCE((SELECT max(id) FROM clientbase_segment_history"
                    " WHERE date < %(since)s), 0) WHERE id = %(id)s",
                    day=since.date(),
                    since=since,
                    id=journey.id,
                )
            )
            journeys |= journey
        journeys.invalidate_recordset(["watermark_id", "watermark_date"])
        if not journeys:
            return 0
        Journey._run(journeys)
        return self.env["clientbase.journey.member"].sudo().search_count([("journey_id", "in", journeys.ids)])
