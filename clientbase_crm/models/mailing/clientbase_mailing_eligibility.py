from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ...tools.client_definition import audience_sql
from ...tools.sql_planning import without_jit

# Reasons a client is left out of a mailing, in the order they are checked:
# a client is counted once, under the first reason that applies.
EXCLUSION_REASONS = [
    ("no_address", "No valid address or number"),
    ("blacklisted", "Blacklisted"),
    ("opted_out", "Opted out"),
    ("no_consent", "No consent for this channel and purpose"),
    ("too_often", "Mailed too often"),
]


class ClientbaseMailingEligibility(models.AbstractModel):
    """Who may receive a mailing, decided in one set-based SQL statement.

    Used by the mailing wizard (counts and recipients before sending) and by
    ``mailing.mailing._get_recipients`` (again at send time, so that a consent
    withdrawn, a blacklist or an opt-out after the mailing was prepared still
    takes effect).
    """

    _name = "clientbase.mailing.eligibility"
    _description = "Mailing Eligibility of Clients"

    @api.model
    def _get_frequency_cap(self, company=None):
        company = company or self.env.company
        return max(company.client_mailing_cap_count, 0), max(company.client_mailing_cap_days, 0)

    @api.model
    def _get_eligibility_query(self, candidates, channel, purpose, company=None, exclude_mailing_ids=()):
        """SQL returning ``(partner_id, reason)`` for every candidate of the client base's audience
        (``tools/client_definition.py``: a client or a mailing-only contact; an employee, a
        company's contact person or the company itself is no candidate); reason NULL = eligible.

        :param candidates: SQL selecting partner ids (e.g. ``Query.subselect()``)
        :param channel: 'email' or 'sms'
        :param purpose: consent purpose ('marketing', 'newsletter', 'greetings')
        :param exclude_mailing_ids: mailings whose traces don't count for the
            frequency cap (the mailing being sent and its A/B siblings)
        """
        cap_count, cap_days = self._get_frequency_cap(company)
        if channel == "sms":
            address = SQL("p.phone_sanitized")
            blacklisted = SQL(
                "EXISTS (SELECT 1 FROM phone_blacklist bl WHERE bl.active AND bl.number = p.phone_sanitized)"
            )
            if "phone_sanitized" in self.env["mailing.contact"]._fields:
                contact_match = SQL("mc.phone_sanitized = p.phone_sanitized")
            else:
                contact_match = SQL("FALSE")
            has_number = "sms_number" in self.env["mailing.trace"]._fields
            trace_address = SQL("t.sms_number") if has_number else SQL("NULL::varchar")
        else:
            address = SQL("p.email_normalized")
            blacklisted = SQL(
                "EXISTS (SELECT 1 FROM mail_blacklist bl WHERE bl.active AND bl.email = p.email_normalized)"
            )
            contact_match = SQL("mc.email_normalized = p.email_normalized")
            trace_address = SQL("t.email")
        opted_out = SQL(
            "EXISTS (SELECT 1 FROM mailing_contact mc JOIN mailing_subscription ms ON ms.contact_id = mc.id"
            " WHERE ms.opt_out AND %s)",
            contact_match,
        )
        consent = SQL(
            "(SELECT c.state FROM clientbase_consent c WHERE c.partner_id = p.id AND c.channel = %s"
            " AND c.purpose = %s ORDER BY c.date DESC, c.id DESC LIMIT 1)",
            channel,
            purpose,
        )
        if cap_count and cap_days:
            # Traces of the period are aggregated once (per client record and per address),
            # instead of a correlated count per candidate: one pass over the recent traces.
            # A client's count is the larger of the two, which is exact when its traces
            # carry its current address.
            with_recent = SQL(
                """
                WITH recent AS (
                    SELECT t.model, t.res_id, %(trace_address)s AS address
                      FROM mailing_trace t
                     WHERE t.create_date >= %(since)s
                       AND t.trace_status NOT IN ('cancel', 'error', 'bounce')
                       AND NOT (t.mass_mailing_id = ANY(%(exclude)s))
                ),
                by_record AS (SELECT res_id, count(*) AS n FROM recent WHERE model = 'res.partner' GROUP BY res_id),
                by_address AS (SELECT address, count(*) AS n FROM recent WHERE address IS NOT NULL GROUP BY address)
                """,
                trace_address=trace_address,
                since=fields.Datetime.now() - timedelta(days=cap_days),
                exclude=list(exclude_mailing_ids),
            )
            cap_joins = SQL(
                "LEFT JOIN by_record br ON br.res_id = p.id LEFT JOIN by_address ba ON ba.address = %s",
                address,
            )
            too_often = SQL("GREATEST(COALESCE(br.n, 0), COALESCE(ba.n, 0)) >= %s", cap_count)
        else:
            with_recent, cap_joins, too_often = SQL(), SQL(), SQL("FALSE")
        return SQL(
            """
            %(with_recent)s
            SELECT p.id,
                   CASE WHEN %(address)s IS NULL THEN 'no_address'
                        WHEN %(blacklisted)s THEN 'blacklisted'
                        WHEN %(opted_out)s THEN 'opted_out'
                        WHEN COALESCE(%(consent)s, 'withdrawn') <> 'given' THEN 'no_consent'
                        WHEN %(too_often)s THEN 'too_often'
                   END AS reason
              FROM res_partner p
              %(cap_joins)s
             WHERE p.active AND p.id IN (%(candidates)s) AND %(audience)s
            """,
            audience=audience_sql("p"),
            with_recent=with_recent,
            address=address,
            blacklisted=blacklisted,
            opted_out=opted_out,
            consent=consent,
            too_often=too_often,
            cap_joins=cap_joins,
            candidates=candidates,
        )

    @api.model
    def _candidates_from_domain(self, domain):
        """SQL subselect of the partner ids matching ``domain`` (record rules applied)."""
        return self.env["res.partner"]._search(domain).subselect()

    @api.model
    def _classify(self, candidates, channel, purpose, company=None, exclude_mailing_ids=()):
        """Return ``{reason or 'eligible': [partner ids]}`` for the candidates (ids or SQL)."""
        if not isinstance(candidates, SQL):
            candidates = SQL("SELECT unnest(%s::int[])", list(candidates))
        self.env["res.partner"].flush_model()
        self.env["clientbase.consent"].flush_model()
        self.env["mailing.trace"].flush_model()
        self.env["mail.blacklist"].flush_model()
        self.env["mailing.subscription"].flush_model()
        if "phone.blacklist" in self.env:
            self.env["phone.blacklist"].flush_model()
        without_jit(self.env.cr)  # one statement over every recipient: see sql_planning
        rows = self.env.execute_query(
            SQL(
                "%s ORDER BY p.id",
                self._get_eligibility_query(candidates, channel, purpose, company, exclude_mailing_ids),
            )
        )
        result = {"eligible": []}
        result.update({reason: [] for reason, _label in EXCLUSION_REASONS})
        for partner_id, reason in rows:
            result[reason or "eligible"].append(partner_id)
        return result

    @api.model
    def _filter_eligible(self, partner_ids, channel, purpose, company=None, exclude_mailing_ids=()):
        if not partner_ids:
            return []
        return self._classify(partner_ids, channel, purpose, company, exclude_mailing_ids)["eligible"]
