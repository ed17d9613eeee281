"""The funnels, the Clients Analysis pivot and the dashboard's charts: partners grouped by a
figure (stage, warmth, RFM segment...) over a big base.

Grouping by a figure reads every partner of the domain with its figures row
(``res_partner_segment.ResPartner._field_to_sql``): PostgreSQL plans such a statement over the
whole base as costly and compiles it to machine code first (JIT), which costs these statements
more than it saves (``tools/sql_planning.py``, measured by the benchmark: ``bench/results``).
Grouped reads of figures run without it.
"""

from odoo import api, models

from ...tools.sql_planning import without_jit
from .res_partner_segment import FIGURE_FIELDS


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        groupby, aggregates = list(groupby), list(aggregates)  # read_group() passes dict views
        if any(spec.split(":")[0] in FIGURE_FIELDS for spec in (*groupby, *aggregates)):
            without_jit(self.env.cr)
        return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)
