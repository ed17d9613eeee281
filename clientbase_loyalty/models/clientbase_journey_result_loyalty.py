"""The personal codes of the journeys' steps in the journeys' results: issued and redeemed.

The results are SQL views of ``clientbase_crm``; this addon adds its figures through their hook
(``_get_extra_figures_sql``). A code counts on the row of the step that issued it (the entry row
when the step was deleted since), so the steps still add up to the journey; redeemed as in the
step's form and the Promo Campaigns report: its reward line is on a confirmed order. The uninstall
hook builds the views again without them before the codes' columns go.
"""

from odoo import fields, models
from odoo.tools import SQL

UNINSTALL_CONTEXT = "clientbase_loyalty_uninstall"


def journey_codes_query():
    """SQL of ``(member_id, step_id, issued, redeemed)``: the codes of each entry and step."""
    return SQL(
        """
        SELECT c.clientbase_journey_member_id AS member_id, c.clientbase_journey_step_id AS step_id,
               count(*) AS issued,
               count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id
                    WHERE l.coupon_id = c.id AND l.reward_id IS NOT NULL AND o.state = 'sale')) AS redeemed
          FROM loyalty_card c
         WHERE c.clientbase_journey_member_id IS NOT NULL
         GROUP BY c.clientbase_journey_member_id, c.clientbase_journey_step_id
        """
    )


def with_journey_codes(columns, joins, codes_join):
    """The result view's columns and joins with the two code measures, read from ``jc`` (the
    codes joined by ``codes_join``: per member and step, or per member)."""
    return (
        SQL(
            "%s, COALESCE(jc.issued, 0) AS codes_issued, COALESCE(jc.redeemed, 0) AS codes_redeemed", columns
        ),
        SQL("%s %s", joins, codes_join),
    )


class ClientbaseJourneyStepResult(models.Model):
    _inherit = "clientbase.journey.step.result"

    codes_issued = fields.Integer(readonly=True, aggregator="sum")
    codes_redeemed = fields.Integer(readonly=True, aggregator="sum")

    def _get_extra_figures_sql(self):
        columns, joins = super()._get_extra_figures_sql()
        if self.env.context.get(UNINSTALL_CONTEXT):
            return columns, joins
        return with_journey_codes(
            columns,
            joins,
            SQL(
                "LEFT JOIN (%s) jc ON jc.member_id = s.member_id AND jc.step_id IS NOT DISTINCT FROM s.step_id",
                journey_codes_query(),
            ),
        )


class ClientbaseJourneyResult(models.Model):
    _inherit = "clientbase.journey.result"

    codes_issued = fields.Integer(readonly=True, aggregator="sum")
    codes_redeemed = fields.Integer(readonly=True, aggregator="sum")

    def _get_extra_figures_sql(self):
        columns, joins = super()._get_extra_figures_sql()
        if self.env.context.get(UNINSTALL_CONTEXT):
            return columns, joins
        return with_journey_codes(
            columns,
            joins,
            SQL(
                "LEFT JOIN (SELECT member_id, sum(issued) AS issued, sum(redeemed) AS redeemed FROM (%s) codes"
                " GROUP BY member_id) jc ON jc.member_id = m.id",
                journey_codes_query(),
            ),
        )
