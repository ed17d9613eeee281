from odoo import api, models
from odoo.tools import SQL


class ClientbaseMailingEligibility(models.AbstractModel):
    """The frequency cap counts a journey's messages waiting in the queue from the journey's
    history (indexed by mailing), not by evaluating the mailing's recipients again."""

    _inherit = "clientbase.mailing.eligibility"

    @api.model
    def _pending_mailings_domain(self, exclude_mailing_ids=(), cap_days=0):
        domain = super()._pending_mailings_domain(exclude_mailing_ids, cap_days)
        return domain + [("clientbase_journey_step_id", "=", False)]

    @api.model
    def _get_pending_messages_query(self, exclude_mailing_ids=(), cap_days=0):
        self.env["clientbase.journey.history"].flush_model()
        journeys = SQL(
            """
            SELECT 'res.partner'::varchar, jh.partner_id, NULL::varchar
              FROM mailing_mailing mm
              JOIN clientbase_journey_history jh ON jh.mailing_id = mm.id AND jh.result = 'queued'
             WHERE mm.state IN ('in_queue', 'sending') AND mm.clientbase_journey_step_id IS NOT NULL
               AND NOT (mm.id = ANY(%s))
               AND NOT EXISTS (SELECT 1 FROM mailing_trace done WHERE done.mass_mailing_id = mm.id
                                  AND done.model = 'res.partner' AND done.res_id = jh.partner_id)
            """,
            list(exclude_mailing_ids),
        )
        others = super()._get_pending_messages_query(exclude_mailing_ids, cap_days)
        return SQL("%s UNION ALL %s", journeys, others) if others else journeys
