import math

from odoo import api, fields, models, tools
from odoo.tools import SQL

from .clientbase_journey_member import EXIT_REASONS, MEMBER_STATES

# two-sided 95% confidence of the uplift's interval
Z_95 = 1.96


class ClientbaseJourneyResult(models.Model):
    """Results of journeys, one row per member (a SQL view): what he was sent and opened, and
    whether he converted (a confirmed order within the journey's horizon after entering) and
    for how much. Definitions: ``readme/USAGE.md``, *Journeys: results*."""

    _name = "clientbase.journey.result"
    _description = "Client Journey Results"
    _auto = False
    _order = "entered_on desc"
    _rec_name = "partner_id"

    journey_id = fields.Many2one("clientbase.journey", readonly=True)
    step_id = fields.Many2one("clientbase.journey.step", string="Next Step", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    state = fields.Selection(MEMBER_STATES, readonly=True)
    exit_reason = fields.Selection(EXIT_REASONS, readonly=True)
    holdout = fields.Boolean(readonly=True)
    group = fields.Selection([("treated", "Treated"), ("holdout", "Holdout")], readonly=True)
    entered_on = fields.Datetime(readonly=True)
    entered = fields.Integer(readonly=True, aggregator="sum")
    in_progress = fields.Integer(readonly=True, aggregator="sum")
    exited = fields.Integer(readonly=True, aggregator="sum")
    sent = fields.Integer(readonly=True, aggregator="sum")
    delivered = fields.Integer(readonly=True, aggregator="sum")
    opened = fields.Integer(readonly=True, aggregator="sum")
    clicked = fields.Integer(readonly=True, aggregator="sum")
    replied = fields.Integer(readonly=True, aggregator="sum")
    bounced = fields.Integer(readonly=True, aggregator="sum")
    converted = fields.Integer(readonly=True, aggregator="sum")
    revenue = fields.Float(string="Revenue of Converted", readonly=True, aggregator="sum")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %(table)s AS (
                    SELECT m.id, m.journey_id, m.step_id, m.partner_id, m.company_id, m.state, m.exit_reason,
                           m.holdout, CASE WHEN m.holdout THEN 'holdout' ELSE 'treated' END AS "group",
                           m.entered_on, 1 AS entered,
                           (m.state = 'running')::int AS in_progress,
                           (m.state = 'exited')::int AS exited,
                           COALESCE(tr.sent, 0) AS sent, COALESCE(tr.delivered, 0) AS delivered,
                           COALESCE(tr.opened, 0) AS opened, COALESCE(tr.clicked, 0) AS clicked,
                           COALESCE(tr.replied, 0) AS replied, COALESCE(tr.bounced, 0) AS bounced,
                           (so.revenue IS NOT NULL)::int AS converted, COALESCE(so.revenue, 0) AS revenue
                      FROM clientbase_journey_member m
                      JOIN clientbase_journey j ON j.id = m.journey_id
                      LEFT JOIN LATERAL (
                           SELECT count(*) FILTER (WHERE h.result = 'queued') AS sent,
                                  count(t.id) FILTER (WHERE t.trace_status IN ('sent', 'open', 'reply')) AS delivered,
                                  count(t.open_datetime) AS opened,
                                  count(t.links_click_datetime) AS clicked,
                                  count(t.reply_datetime) AS replied,
                                  count(t.id) FILTER (WHERE t.trace_status = 'bounce') AS bounced
                             FROM clientbase_journey_history h
                             LEFT JOIN mailing_trace t
                               ON t.mass_mailing_id = h.mailing_id AND t.model = 'res.partner'
                              AND t.res_id = h.partner_id
                            WHERE h.member_id = m.id AND h.mailing_id IS NOT NULL
                      ) tr ON TRUE
                      LEFT JOIN LATERAL (
                           SELECT sum(o.amount_untaxed) AS revenue
                             FROM sale_order o JOIN res_partner op ON op.id = o.partner_id
                            WHERE op.commercial_partner_id = m.partner_id AND o.state = 'sale'
                              AND o.date_order >= m.entered_on
                              AND o.date_order < m.entered_on + make_interval(days => j.horizon_days)
                      ) so ON TRUE
                )
                """,
                table=SQL.identifier(self._table),
            )
        )


class ClientbaseJourney(models.Model):
    _inherit = "clientbase.journey"

    result_treated = fields.Integer(string="Treated Entrants", compute="_compute_uplift")
    result_holdout = fields.Integer(string="Held Out Entrants", compute="_compute_uplift")
    result_treated_rate = fields.Float(string="Conversion (Treated, %)", compute="_compute_uplift")
    result_holdout_rate = fields.Float(string="Conversion (Holdout, %)", compute="_compute_uplift")
    result_uplift = fields.Float(string="Uplift (Points)", compute="_compute_uplift")
    result_uplift_low = fields.Float(string="Uplift, 95% Low", compute="_compute_uplift")
    result_uplift_high = fields.Float(string="Uplift, 95% High", compute="_compute_uplift")
    result_treated_revenue = fields.Float(string="Revenue per Treated Entrant", compute="_compute_uplift")
    result_holdout_revenue = fields.Float(string="Revenue per Held Out Entrant", compute="_compute_uplift")
    result_revenue_uplift = fields.Float(string="Revenue Uplift per Entrant", compute="_compute_uplift")

    @api.depends("member_ids")
    def _compute_uplift(self):
        """Conversion of treated vs held-out entrants: the difference of two proportions with its
        95% normal (Wald) interval; revenue per entrant of each group (see USAGE.md)."""
        Result = self.env["clientbase.journey.result"]
        self.env["clientbase.journey.member"].flush_model()
        groups = Result._read_group(
            [("journey_id", "in", self.ids)],
            ["journey_id", "holdout"],
            ["__count", "converted:sum", "revenue:sum"],
        )
        stats = {(journey.id, holdout): (n, conv, rev) for journey, holdout, n, conv, rev in groups}
        for journey in self:
            n_t, c_t, r_t = stats.get((journey.id, False), (0, 0, 0.0))
            n_h, c_h, r_h = stats.get((journey.id, True), (0, 0, 0.0))
            p_t = c_t / n_t if n_t else 0.0
            p_h = c_h / n_h if n_h else 0.0
            journey.result_treated = n_t
            journey.result_holdout = n_h
            journey.result_treated_rate = 100 * p_t
            journey.result_holdout_rate = 100 * p_h
            journey.result_uplift = 100 * (p_t - p_h) if n_t and n_h else 0.0
            margin = Z_95 * math.sqrt(p_t * (1 - p_t) / n_t + p_h * (1 - p_h) / n_h) if n_t and n_h else 0.0
            journey.result_uplift_low = journey.result_uplift - 100 * margin
            journey.result_uplift_high = journey.result_uplift + 100 * margin
            journey.result_treated_revenue = r_t / n_t if n_t else 0.0
            journey.result_holdout_revenue = r_h / n_h if n_h else 0.0
            journey.result_revenue_uplift = (
                journey.result_treated_revenue - journey.result_holdout_revenue if n_t and n_h else 0.0
            )

    def action_open_results(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Results of %s", self.name),
            "res_model": "clientbase.journey.result",
            "view_mode": "pivot,graph,list",
            "domain": [("journey_id", "=", self.id)],
        }
