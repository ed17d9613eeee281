"""A user-defined segment emptied whole (archived, or its author no longer allowed to read its
conditions) and filled again: its members are not new entries for the journeys.

The trigger "enters a user-defined segment" takes each membership row once, as the day the
client entered. When a segment's rows are deleted for a reason that is not the clients' (the
segment refreshed while archived, or refused), the refresh that fills it again would insert a
row for each member as if all had just entered. The rows of that refill are marked as a
baseline: a journey takes only the rows after it, the real changes.
"""

from odoo import fields, models
from odoo.tools import SQL


class ClientbaseSegment(models.Model):
    _inherit = "clientbase.segment"

    journey_baseline_pending = fields.Boolean(
        readonly=True, copy=False, help="Emptied whole: the next refill is no entry of its members."
    )
    journey_baseline_id = fields.Integer(
        readonly=True, copy=False, help="Membership rows up to this one were a refill, not entries."
    )

    def _refresh_member_rows(self, scoped=False):
        before = self._journey_segments_with_members()
        result = super()._refresh_member_rows(scoped=scoped)
        after = self._journey_segments_with_members()
        emptied = self.filtered(
            lambda s: s.id in before and s.id not in after and (not s.active or not s.last_refresh)
        )
        refilled = self.filtered(lambda s: s.journey_baseline_pending and s.active and s.id in after)
        if emptied:
            self.env.cr.execute(
                SQL(
                    "UPDATE clientbase_segment SET journey_baseline_pending = TRUE WHERE id = ANY(%s)",
                    emptied.ids,
                )
            )
        if refilled:
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE clientbase_segment s SET journey_baseline_pending = FALSE,
                           journey_baseline_id = (SELECT max(sm.id) FROM clientbase_segment_member sm
                                                   WHERE sm.segment_id = s.id)
                     WHERE s.id = ANY(%s)
                    """,
                    refilled.ids,
                )
            )
        (emptied | refilled).invalidate_recordset(["journey_baseline_pending", "journey_baseline_id"])
        return result

    def _journey_segments_with_members(self):
        """The ids of the segments of ``self`` that have members (SQL: the refresh writes them in
        SQL); one index probe per segment, not a count of every membership row."""
        if not self:
            return set()
        rows = self.env.execute_query(
            SQL(
                "SELECT s.id FROM unnest(%s::int[]) AS s(id)"
                " WHERE EXISTS (SELECT 1 FROM clientbase_segment_member sm WHERE sm.segment_id = s.id)",
                self.ids,
            )
        )
        return {row[0] for row in rows}
