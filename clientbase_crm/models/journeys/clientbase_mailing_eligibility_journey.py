from odoo import api, models
from odoo.tools import SQL


class ClientbaseMailingEligibility(models.AbstractModel):
    """The frequency cap counts a journey's messages waiting in the queue from the journey's
    history (indexed by mailing), not by evaluating the mailing's recipients again; a journey's
    batch is judged in one statement (``_classify_members``)."""

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
            SELECT 'res.partner'::varchar, jm.partner_id,
                   CASE WHEN mm.mailing_type = 'sms' THEN jp.phone_sanitized ELSE jp.email_normalized END
              FROM mailing_mailing mm
              JOIN clientbase_journey_history jh ON jh.mailing_id = mm.id AND jh.result = 'queued'
              JOIN clientbase_journey_member jm ON jm.id = jh.member_id
              JOIN res_partner jp ON jp.id = jm.partner_id
             WHERE mm.state IN ('in_queue', 'sending') AND mm.clientbase_journey_step_id IS NOT NULL
               AND NOT (mm.id = ANY(%s))
               AND NOT EXISTS (SELECT 1 FROM mailing_trace done WHERE done.mass_mailing_id = mm.id
                                  AND done.model = 'res.partner' AND done.res_id = jm.partner_id)
            """,
            list(exclude_mailing_ids),
        )
        others = super()._get_pending_messages_query(exclude_mailing_ids, cap_days)
        return SQL("%s UNION ALL %s", journeys, others) if others else journeys

    @api.model
    def _classify_members(self, member_ids, channel, purpose, company=None):
        """``{reason or 'eligible': [member ids]}`` of journey members, by the eligibility of
        their clients now, in one statement (a member whose client is no candidate of the
        audience, or archived: ``no_address``)."""
        if not member_ids:
            return {}
        self.env["clientbase.journey.member"].flush_model(["partner_id"])
        self._flush_eligibility()
        members = SQL(
            "SELECT m.partner_id FROM clientbase_journey_member m WHERE m.id = ANY(%s)", list(member_ids)
        )
        # the batch's verdicts computed once (MATERIALIZED): joined as a subquery, a plan that
        # misjudged the fresh member rows ran it again for each member (minutes for a batch)
        rows = self.env.execute_query(
            SQL(
                """
                WITH e(id, reason) AS MATERIALIZED (%s)
                SELECT m.id, CASE WHEN e.id IS NULL THEN 'no_address' ELSE COALESCE(e.reason, 'eligible') END
                  FROM clientbase_journey_member m
                  LEFT JOIN e ON e.id = m.partner_id
                 WHERE m.id = ANY(%s)
                 ORDER BY m.id
                """,
                self._get_eligibility_query(members, channel, purpose, company),
                list(member_ids),
            )
        )
        split = {}
        for member_id, reason in rows:
            split.setdefault(reason, []).append(member_id)
        return split
