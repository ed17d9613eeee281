"""The step "set a segment value by hand": the base's own hand override, for a whole batch at once.

A manager sets a client's stage, VIP status, warmth or persona on the card: the value lands in
the figures' column set by hand (``stage_manual``, ``vip_manual``, ``warmth_manual``,
``persona``), wins over the computed one and no recompute touches it until *Back to
Automatic*; the change goes to the segment history and to the change log (door "Hand
Override"). This step does the same for its due members in one upsert, one history insert and
one change log insert per batch.
"""

from odoo import fields, models
from odoo.tools import SQL

# dimension: (column set by hand, SQL of the value the client shows over figures f, as the
# segment history writes it, and its default without figures, the client card's field)
HAND_SET = {
    "stage": ("stage_manual", "f.current_stage", "potential", "client_stage"),
    "vip": ("vip_manual", "CASE WHEN f.is_vip THEN 'True' ELSE 'False' END", "False", "client_is_vip"),
    "warmth": ("warmth_manual", "f.current_warmth", "cold", "client_warmth"),
    "persona": ("persona", "f.persona", None, "client_persona"),
}


class ClientbaseJourneyStep(models.Model):
    _inherit = "clientbase.journey.step"

    def _shown_values(self, partner_ids):
        """``{partner id: value the client shows for the step's dimension}`` (history's codes)."""
        _column, shown, default, _fname = HAND_SET[self.field_dimension]
        rows = self.env.execute_query(
            SQL(
                "SELECT p.id, COALESCE(%s, %s) FROM unnest(%s::int[]) AS p(id)"
                " LEFT JOIN clientbase_client_figures f ON f.partner_id = p.id AND f.company_id = %s",
                SQL(shown),
                default,
                list(partner_ids),
                self.journey_id.company_id.id,
            )
        )
        return dict(rows)

    def _execute_field(self, member_ids, partner_ids):
        column, _shown, _default, fname = HAND_SET[self.field_dimension]
        company = self.journey_id.company_id
        Figures = self.env["clientbase.client.figures"]
        Figures.flush_model()
        before = self._shown_values(partner_ids)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO clientbase_client_figures AS f (partner_id, company_id, %(column)s)
                SELECT p.id, %(company)s, %(value)s FROM unnest(%(ids)s::int[]) AS p(id)
                ON CONFLICT (partner_id, company_id) DO UPDATE SET %(column)s = EXCLUDED.%(column)s
                 WHERE f.%(column)s IS DISTINCT FROM EXCLUDED.%(column)s
                """,
                column=SQL.identifier(column),
                company=company.id,
                value=self.field_value,
                ids=list(partner_ids),
            )
        )
        Figures.invalidate_model()
        after = self._shown_values(partner_ids)
        changed = [(pid, before[pid], after[pid]) for pid in partner_ids if before[pid] != after[pid]]
        if changed:
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO clientbase_segment_history (partner_id, company_id, dimension, old_value,
                                                            new_value, date)
                    SELECT c.pid, %(company)s, %(dimension)s, c.old, c.new, %(now)s
                      FROM unnest(%(pids)s::int[], %(olds)s::varchar[], %(news)s::varchar[]) AS c(pid, old, new)
                    """,
                    company=company.id,
                    dimension=self.field_dimension,
                    now=fields.Datetime.now(),
                    pids=[row[0] for row in changed],
                    olds=[row[1] for row in changed],
                    news=[row[2] for row in changed],
                )
            )
            self.env["clientbase.segment.history"].invalidate_model()
            self._log_hand_set(fname, changed)
        self.env["res.partner"].invalidate_model()
        self._log(member_ids, "done")
        self._move(member_ids, self._next_step())

    def _log_hand_set(self, fname, changed):
        """The change log's rows of the values set, as the journey's responsible user changing
        them by hand (the change log keeps ``1``/``0`` for VIP)."""

        def raw(value):
            if fname == "client_is_vip":
                return "1" if value == "True" else "0"
            return value or None

        rows = [(pid, fname, raw(old), raw(new)) for pid, old, new in changed]
        self.env["clientbase.change.log"].with_user(self.journey_id.user_id).sudo()._log_rows(
            rows, door="override"
        )
