from odoo import models
from odoo.tools import SQL


def ratio_sql(model, query, numerator, denominator, factor):
    """SQL of a group's ratio of two summed fields of ``model`` (NULL when the denominator is 0):
    a ratio of a group is the ratio of its sums, never a sum or an average of ratios."""
    return SQL(
        "(%s * SUM(%s)::numeric / NULLIF(SUM(%s), 0))::float8",
        factor,
        model._field_to_sql(model._table, numerator, query),
        model._field_to_sql(model._table, denominator, query),
    )


class ClientbaseReportRatios(models.AbstractModel):
    """Ratio measures of a report (pivot, graph, read_group): each measure of
    ``_report_ratios`` (measure -> numerator, denominator, factor) is computed for any group
    as ``factor`` x the sum of the numerator / the sum of the denominator, never as an average
    of the rows' ratios (``METRICS.md``). The report tables of the client base inherit it
    through ``clientbase.report.mixin``; the reports of other addons (views included) inherit
    it directly."""

    _name = "clientbase.report.ratios"
    _description = "Client Base Report Ratios"
    _report_ratios = {}

    def _read_group_select(self, aggregate_spec, query):
        fname = aggregate_spec.split(":")[0]
        if fname in self._report_ratios:
            return ratio_sql(self, query, *self._report_ratios[fname])
        return super()._read_group_select(aggregate_spec, query)
