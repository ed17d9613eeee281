import math

from odoo import api, fields, models, tools
from odoo.tools import SQL

from .clientbase_journey_member import EXIT_REASONS, MEMBER_STATES

# two-sided 95% confidence of the uplift's intervals
Z_95 = 1.96


def messages_query():
    """SQL of one row per journey message (a history row that queued a mailing): its member and
    step, and 0/1 for each of what mass_mailing traced and for an unsubscribe it caused.

    An unsubscribe (a consent withdrawn with the source *Unsubscribe*, written when Odoo
    blacklists the address from the mailing's link or the number from an SMS opt-out) counts for
    the member's latest message of that channel queued before it, within the journey's horizon
    of that message: once per member and unsubscribe, never for two messages.
    Both result views sum these rows, so that the journey's figures and its steps' agree.
    """
    return SQL(
        """
        SELECT h.id AS history_id, h.member_id, h.step_id,
               1 AS sent,
               (t.trace_status IN ('sent', 'open', 'reply'))::int AS delivered,
               (t.open_datetime IS NOT NULL)::int AS opened,
               (t.links_click_datetime IS NOT NULL)::int AS clicked,
               (t.reply_datetime IS NOT NULL)::int AS replied,
               (t.trace_status = 'bounce')::int AS bounced,
               EXISTS (
                   SELECT 1 FROM clientbase_consent c
                    WHERE c.partner_id = hm.partner_id AND c.state = 'withdrawn' AND c.source = 'unsubscribe'
                      AND c.channel = CASE WHEN mm.mailing_type = 'sms' THEN 'sms' ELSE 'email' END
                      AND c.date >= h.date
                      AND c.date < h.date + make_interval(days => GREATEST(j.horizon_days, 1))
                      AND NOT EXISTS (
                          SELECT 1 FROM clientbase_journey_history nh
                            JOIN mailing_mailing nm ON nm.id = nh.mailing_id
                           WHERE nh.member_id = h.member_id AND nh.result = 'queued'
                             AND (nm.mailing_type = 'sms') = (mm.mailing_type = 'sms')
                             AND (nh.date, nh.id) > (h.date, h.id) AND nh.date <= c.date)
               )::int AS unsubscribed
          FROM clientbase_journey_history h
          JOIN clientbase_journey_member hm ON hm.id = h.member_id
          JOIN clientbase_journey j ON j.id = hm.journey_id
          JOIN mailing_mailing mm ON mm.id = h.mailing_id
          LEFT JOIN mailing_trace t
            ON t.mass_mailing_id = h.mailing_id AND t.model = 'res.partner' AND t.res_id = hm.partner_id
         WHERE h.result = 'queued'
        """
    )


def conversions_query():
    """SQL of one row per member who converted: a confirmed order of his client (or its contacts)
    dated from his entry (included) to the journey's horizon after it (excluded); the first such
    order's date and the untaxed amounts of them all (*revenue of converted*)."""
    return SQL(
        """
        SELECT m.id AS member_id, min(o.date_order) AS first_order_on, sum(o.amount_untaxed) AS revenue
          FROM clientbase_journey_member m
          JOIN clientbase_journey j ON j.id = m.journey_id
          JOIN res_partner op ON op.commercial_partner_id = m.partner_id
          JOIN sale_order o ON o.partner_id = op.id AND o.state = 'sale'
         WHERE o.date_order >= m.entered_on
           AND o.date_order < m.entered_on + make_interval(days => j.horizon_days)
         GROUP BY m.id
        """
    )


class ClientbaseJourneyResult(models.Model):
    """Results of journeys, one row per member (a SQL view): what he was sent and how he
    responded, and whether he converted and for how much. ``clientbase.journey.step.result``
    splits the same figures by step. Definitions: ``readme/USAGE.md``, *Journeys: results*."""

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
    unsubscribed = fields.Integer(readonly=True, aggregator="sum")
    converted = fields.Integer(readonly=True, aggregator="sum")
    revenue = fields.Float(string="Revenue of Converted", readonly=True, aggregator="sum")
    # averages over the entrants of a group: the pivot shows treated and holdout side by side
    conversion_rate = fields.Float(string="Conversion (%)", readonly=True, aggregator="avg")
    revenue_per_entrant = fields.Float(readonly=True, aggregator="avg")
    # the spread of the revenue per entrant (its interval); not a measure anybody reads
    revenue_squared = fields.Float(readonly=True, aggregator=None)

    def _get_extra_figures_sql(self):
        """``(columns, joins)``: figures another addon adds to the member's row ``m``, columns
        starting with a comma (``clientbase_loyalty``: the codes)."""
        return SQL(), SQL()

    def init(self):
        extra = self._get_extra_figures_sql()
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %(table)s AS (
                    WITH msg AS (%(messages)s), conv AS (%(conversions)s)
                    SELECT m.id, m.journey_id, m.step_id, m.partner_id, m.company_id, m.state, m.exit_reason,
                           m.holdout, CASE WHEN m.holdout THEN 'holdout' ELSE 'treated' END AS "group",
                           m.entered_on, 1 AS entered,
                           (m.state = 'running')::int AS in_progress,
                           (m.state = 'exited')::int AS exited,
                           COALESCE(tr.sent, 0) AS sent, COALESCE(tr.delivered, 0) AS delivered,
                           COALESCE(tr.opened, 0) AS opened, COALESCE(tr.clicked, 0) AS clicked,
                           COALESCE(tr.replied, 0) AS replied, COALESCE(tr.bounced, 0) AS bounced,
                           COALESCE(tr.unsubscribed, 0) AS unsubscribed,
                           (conv.member_id IS NOT NULL)::int AS converted,
                           COALESCE(conv.revenue, 0) AS revenue,
                           100.0 * (conv.member_id IS NOT NULL)::int AS conversion_rate,
                           COALESCE(conv.revenue, 0) AS revenue_per_entrant,
                           COALESCE(conv.revenue, 0) ^ 2 AS revenue_squared
                           %(extra_columns)s
                      FROM clientbase_journey_member m
                      LEFT JOIN (
                           SELECT member_id, sum(sent) AS sent, sum(delivered) AS delivered,
                                  sum(opened) AS opened, sum(clicked) AS clicked, sum(replied) AS replied,
                                  sum(bounced) AS bounced, sum(unsubscribed) AS unsubscribed
                             FROM msg GROUP BY member_id
                      ) tr ON tr.member_id = m.id
                      LEFT JOIN conv ON conv.member_id = m.id
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


def uplift(n_t, n_h, conv_t, conv_h, rev_t, rev_h, sq_t, sq_h):
    """The uplift of the treated over the held out, with 95% intervals (see USAGE.md):

    conversion: the difference of two proportions, in points, ± Z·√(p_t(1−p_t)/n_t + p_h(1−p_h)/n_h);
    revenue per entrant: the difference of two means ± Z·√(s_t²/n_t + s_h²/n_h) with the sample
    variances s² (Welch), a group of fewer than two entrants having no interval.
    Returns a dict of the figures; without entrants in both groups the uplifts and intervals are 0."""
    p_t = conv_t / n_t if n_t else 0.0
    p_h = conv_h / n_h if n_h else 0.0
    mean_t = rev_t / n_t if n_t else 0.0
    mean_h = rev_h / n_h if n_h else 0.0
    figures = {
        "treated_rate": 100 * p_t,
        "holdout_rate": 100 * p_h,
        "treated_revenue": mean_t,
        "holdout_revenue": mean_h,
        "uplift": 0.0,
        "uplift_margin": 0.0,
        "revenue_uplift": 0.0,
        "revenue_margin": 0.0,
    }
    if not (n_t and n_h):
        return figures
    figures["uplift"] = 100 * (p_t - p_h)
    figures["uplift_margin"] = 100 * Z_95 * math.sqrt(p_t * (1 - p_t) / n_t + p_h * (1 - p_h) / n_h)
    figures["revenue_uplift"] = mean_t - mean_h
    if n_t >= 2 and n_h >= 2:
        var_t = max(sq_t - n_t * mean_t**2, 0.0) / (n_t - 1)
        var_h = max(sq_h - n_h * mean_h**2, 0.0) / (n_h - 1)
        figures["revenue_margin"] = Z_95 * math.sqrt(var_t / n_t + var_h / n_h)
    return figures


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
    result_revenue_uplift_low = fields.Float(string="Revenue Uplift, 95% Low", compute="_compute_uplift")
    result_revenue_uplift_high = fields.Float(string="Revenue Uplift, 95% High", compute="_compute_uplift")

    @api.depends("member_ids")
    def _compute_uplift(self):
        """Conversion and revenue per entrant of treated vs held-out entrants, their differences
        and 95% intervals (``uplift()``), from the rows the user may read."""
        Result = self.env["clientbase.journey.result"]
        self.env["clientbase.journey.member"].flush_model()
        self.env["clientbase.journey.history"].flush_model()
        groups = Result._read_group(
            [("journey_id", "in", self.ids)],
            ["journey_id", "holdout"],
            ["__count", "converted:sum", "revenue:sum", "revenue_squared:sum"],
        )
        stats = {(journey.id, holdout): rest for journey, holdout, *rest in groups}
        for journey in self:
            n_t, c_t, r_t, s_t = stats.get((journey.id, False), (0, 0, 0.0, 0.0))
            n_h, c_h, r_h, s_h = stats.get((journey.id, True), (0, 0, 0.0, 0.0))
            figures = uplift(n_t, n_h, c_t, c_h, r_t or 0.0, r_h or 0.0, s_t or 0.0, s_h or 0.0)
            journey.result_treated = n_t
            journey.result_holdout = n_h
            journey.result_treated_rate = figures["treated_rate"]
            journey.result_holdout_rate = figures["holdout_rate"]
            journey.result_uplift = figures["uplift"]
            journey.result_uplift_low = figures["uplift"] - figures["uplift_margin"]
            journey.result_uplift_high = figures["uplift"] + figures["uplift_margin"]
            journey.result_treated_revenue = figures["treated_revenue"]
            journey.result_holdout_revenue = figures["holdout_revenue"]
            journey.result_revenue_uplift = figures["revenue_uplift"]
            journey.result_revenue_uplift_low = figures["revenue_uplift"] - figures["revenue_margin"]
            journey.result_revenue_uplift_high = figures["revenue_uplift"] + figures["revenue_margin"]

    def action_open_results(self):
        """The journey's results by step (pivot, graph), the members' rows beside."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "clientbase_crm.clientbase_journey_step_result_action"
        )
        action.update(
            name=self.env._("Results of %s", self.name),
            domain=[("journey_id", "=", self.id)],
            context={"pivot_row_groupby": ["step_id"], "graph_groupbys": ["step_id"]},
        )
        return action
