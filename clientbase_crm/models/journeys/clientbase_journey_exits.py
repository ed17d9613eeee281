"""Exits that do not wait for the next message: consent withdrawn, address blacklisted; and
leaving the segment the member entered (a user-defined segment, or a segment value: stage, VIP,
ABC, warmth, persona, RFM).

The send step checks eligibility again when it sends; these exits end a member as soon as
the reason appears, while only a wait stands between him and the message, so that the
journey's figures (in progress, exited by reason) and the client's card say it the day it
happened, and a long wait does not keep a client who asked to hear nothing more.
"""

from odoo import models
from odoo.tools import SQL

from .clientbase_journey_step import SEND_KINDS


class ClientbaseJourney(models.Model):
    _inherit = "clientbase.journey"

    def _pending_messages(self):
        """``{(channel, purpose): [step ids]}``: the steps whose member has nothing but waits
        before a message that he leaves when he may not receive it."""
        self.ensure_one()
        steps = self.step_ids.sorted(lambda s: (s.sequence, s.id))
        pending = {}
        for index, step in enumerate(steps):
            ahead = steps[index:]
            message = next((s for s in ahead if s.kind != "wait"), None)
            if message and message.kind in SEND_KINDS and message.leave_if_refused:
                channel = "sms" if message.kind == "sms" else "email"
                key = (channel, message.consent_purpose or "marketing")
                pending.setdefault(key, []).append(step.id)
        return pending

    def _refusal_exits(self):
        """``[(exit reason, SQL condition on the member m)]`` of consent withdrawn and blacklisted
        (or opted out) on the channel of the member's pending message."""
        self.ensure_one()
        pending = self._pending_messages()
        if not pending:
            return []
        for model in ("clientbase.consent", "mail.blacklist", "mailing.contact", "mailing.subscription"):
            self.env[model].flush_model()
        if "phone.blacklist" in self.env:
            self.env["phone.blacklist"].flush_model()
        Eligibility = self.env["clientbase.mailing.eligibility"]
        withdrawn, blacklisted = [], []
        for (channel, purpose), step_ids in pending.items():
            at_step = SQL("m.step_id = ANY(%s)", step_ids)
            refusal = Eligibility._get_refusal_sql(channel, purpose)
            withdrawn.append(
                SQL(
                    "(%s AND EXISTS (SELECT 1 FROM res_partner p WHERE p.id = m.partner_id AND %s = 'withdrawn'))",
                    at_step,
                    refusal["consent"],
                )
            )
            blacklisted.append(
                SQL(
                    "(%s AND EXISTS (SELECT 1 FROM res_partner p WHERE p.id = m.partner_id AND %s IS NOT NULL"
                    " AND (%s OR %s)))",
                    at_step,
                    refusal["address"],
                    refusal["blacklisted"],
                    refusal["opted_out"],
                )
            )
        # in the order of the send's own check: a blacklisted address also withdraws the consent
        return [
            ("blacklisted", SQL("(%s)", SQL(" OR ").join(blacklisted))),
            ("no_consent", SQL("(%s)", SQL(" OR ").join(withdrawn))),
        ]

    def _left_segment_exits(self):
        """``[(exit reason, SQL condition on the member m)]``: the member left the segment he
        entered. A user-defined segment: his membership row is gone. A segment value: his
        latest row of that dimension in the segment history (the journey's company) is another
        value; a member without any row of it (entered by hand) stays."""
        self.ensure_one()
        if self.trigger == "user_segment":
            self.env["clientbase.segment.member"].flush_model()
            return [
                (
                    "left_segment",
                    SQL(
                        "NOT EXISTS (SELECT 1 FROM clientbase_segment_member sm"
                        " WHERE sm.segment_id = %s AND sm.partner_id = m.partner_id)",
                        self.trigger_segment_id.id,
                    ),
                )
            ]
        if self.trigger == "segment" and self.trigger_dimension and self.trigger_value:
            self.env["clientbase.segment.history"].flush_model()
            return [
                (
                    "left_segment",
                    SQL(
                        """
                        COALESCE((SELECT lower(h.new_value) FROM clientbase_segment_history h
                                   WHERE h.partner_id = m.partner_id AND h.company_id = m.company_id
                                     AND h.dimension = %(dimension)s
                                ORDER BY h.date DESC, h.id DESC LIMIT 1), lower(%(value)s)) <> lower(%(value)s)
                        """,
                        dimension=self.trigger_dimension,
                        value=self.trigger_value,
                    ),
                )
            ]
        return []
