from odoo import fields, models, tools
from odoo.tools import SQL

from .clientbase_journey_member import EXIT_REASONS
from .clientbase_journey_result import conversions_query, messages_query


class ClientbaseJourneyStepResult(models.Model):
    """Results of journeys by step (a SQL view): one row per member for his entry, and one per
    step he reached. Every figure of a member lands on exactly one of his rows, so that a
    journey's steps add up to the journey (``clientbase.journey.result``):

    - *entered* on the entry row, *reached* on each step's row;
    - a message and what mass_mailing traced of it on the row of the step that sent it;
    - the member's state and exit reason on the row of the last step he reached (the entry row
      when he reached none): where he is, or where he left;
    - his conversion and its revenue on the row of the last step he reached before his first
      order within the horizon (the entry row when none: held out, or ordered before any step).

    A step deleted since: its rows and messages count on the entry row.
    Definitions: ``readme/USAGE.md``, *Journeys: results*.
    """

    _name = "clientbase.journey.step.result"
    _description = "Client Journey Results by Step"
    _auto = False
    _order = "journey_id, step_sequence, id"
    _rec_name = "step_id"

    journey_id = fields.Many2one("clientbase.journey", readonly=True)
    step_id = fields.Many2one("clientbase.journey.step", readonly=True)
    step_sequence = fields.Integer(readonly=True, aggregator=None)
    member_id = fields.Many2one("clientbase.journey.member", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    holdout = fields.Boolean(readonly=True)
    group = fields.Selection([("treated", "Treated"), ("holdout", "Holdout")], readonly=True)
    exit_reason = fields.Selection(EXIT_REASONS, readonly=True)
    reached_on = fields.Datetime(readonly=True)
    entered = fields.Integer(readonly=True, aggregator="sum")
    reached = fields.Integer(readonly=True, aggregator="sum")
    in_progress = fields.Integer(readonly=True, aggregator="sum")
    held_out = fields.Integer(readonly=True, aggregator="sum")
    completed = fields.Integer(readonly=True, aggregator="sum")
    exited = fields.Integer(readonly=True, aggregator="sum")
    sent = fields.Integer(readonly=True, aggregator="sum")
    delivered = fields.Integer(readonly=True, aggregator="sum")
    opened = fields.Integer(readonly=True, aggregator="sum")
    clicked = fields.Integer(readonly=True, aggregator="sum")
    replied = fields.Integer(readonly=True, aggregator="sum")
    bounced = fields.Integer(readonly=True, aggregator="sum")
    unsubscribed = fields.Integer(readonly=True, aggregator="sum")
    converted = fields.Integer(readonly=True, aggregator="sum")
    revenue = fields.Float(string="Revenue of Converted", readonly=True, aggregator="sum")

    def _read_group_format_result(self, rows_dict, lazy_groupby):
        """Grouped by step, the entry rows (no step) are labelled *Entered*, not *None*."""
        res = super()._read_group_format_result(rows_dict, lazy_groupby)
        if "step_id" in lazy_groupby:
            label = self.env._("Entered")
            for row in rows_dict:
                if row["step_id"] is False:
                    row["step_id"] = (False, label)
        return res

    def _get_extra_figures_sql(self):
        """``(columns, joins)``: figures another addon adds to the rows, each of a member's
        figures on one of his rows (the slot ``s``: ``s.member_id``, ``s.step_id``, NULL for the
        entry row), columns starting with a comma (``clientbase_loyalty``: the codes)."""
        return SQL(), SQL()

    def init(self):
        extra = self._get_extra_figures_sql()
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %(table)s AS (
                    WITH msg AS NOT MATERIALIZED (%(messages)s),
                    conv AS NOT MATERIALIZED (%(conversions)s),
                    -- the member's rows: his entry (odd ids) and each step he reached (even ids);
                    -- inlined, so that a filter on the journey reaches the tables
                    slot AS NOT MATERIALIZED (
                        SELECT 2 * m.id + 1 AS id, m.id AS member_id, NULL::int AS step_id,
                               m.entered_on AS reached_on
                          FROM clientbase_journey_member m
                        UNION ALL
                        SELECT 2 * min(h.id), h.member_id, h.step_id, min(h.date)
                          FROM clientbase_journey_history h
                         WHERE h.step_id IS NOT NULL AND h.result <> 'postponed'
                         GROUP BY h.member_id, h.step_id
                    ),
                    last_slot AS NOT MATERIALIZED (
                        SELECT DISTINCT ON (s.member_id) s.member_id, s.id
                          FROM slot s
                         ORDER BY s.member_id, s.step_id IS NULL, s.reached_on DESC, s.id DESC
                    ),
                    conv_slot AS NOT MATERIALIZED (
                        SELECT DISTINCT ON (s.member_id) s.member_id, s.id
                          FROM slot s JOIN conv ON conv.member_id = s.member_id
                         WHERE s.step_id IS NULL OR s.reached_on <= conv.first_order_on
                         ORDER BY s.member_id, s.step_id IS NULL, s.reached_on DESC, s.id DESC
                    ),
                    msg_slot AS NOT MATERIALIZED (
                        SELECT member_id, step_id, sum(sent) AS sent, sum(delivered) AS delivered,
                               sum(opened) AS opened, sum(clicked) AS clicked, sum(replied) AS replied,
                               sum(bounced) AS bounced, sum(unsubscribed) AS unsubscribed
                          FROM msg GROUP BY member_id, step_id
                    )
                    SELECT s.id, m.journey_id, s.step_id, st.sequence AS step_sequence, m.id AS member_id,
                           m.partner_id, m.company_id, m.holdout,
                           CASE WHEN m.holdout THEN 'holdout' ELSE 'treated' END AS "group",
                           CASE WHEN ls.id IS NOT NULL THEN m.exit_reason END AS exit_reason,
                           s.reached_on,
                           (s.step_id IS NULL)::int AS entered,
                           (s.step_id IS NOT NULL)::int AS reached,
                           (ls.id IS NOT NULL AND m.state = 'running')::int AS in_progress,
                           (ls.id IS NOT NULL AND m.state = 'holdout')::int AS held_out,
                           (ls.id IS NOT NULL AND m.state = 'done')::int AS completed,
                           (ls.id IS NOT NULL AND m.state = 'exited')::int AS exited,
                           COALESCE(ms.sent, 0) AS sent, COALESCE(ms.delivered, 0) AS delivered,
                           COALESCE(ms.opened, 0) AS opened, COALESCE(ms.clicked, 0) AS clicked,
                           COALESCE(ms.replied, 0) AS replied, COALESCE(ms.bounced, 0) AS bounced,
                           COALESCE(ms.unsubscribed, 0) AS unsubscribed,
                           (cs.id IS NOT NULL)::int AS converted,
                           CASE WHEN cs.id IS NOT NULL THEN conv.revenue ELSE 0 END AS revenue
                           %(extra_columns)s
                      FROM slot s
                      JOIN clientbase_journey_member m ON m.id = s.member_id
                      LEFT JOIN clientbase_journey_step st ON st.id = s.step_id
                      LEFT JOIN last_slot ls ON ls.id = s.id
                      LEFT JOIN conv_slot cs ON cs.id = s.id
                      LEFT JOIN conv ON conv.member_id = s.member_id
                      LEFT JOIN msg_slot ms ON ms.member_id = s.member_id AND ms.step_id IS NOT DISTINCT FROM s.step_id
                      %(extra_joins)s
                )
                """,
                table=SQL.identifier(self._table),
                extra_columns=extra[0],
                extra_joins=extra[1],
                messages=messages_query(),
                conversions=conversions_query(),
            )
        )
