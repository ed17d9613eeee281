from dateutil.relativedelta import relativedelta

from odoo import api, models
from odoo.tools import SQL


class ClientbaseSegmentSnapshot(models.Model):
    """The loyalty level in the from -> to matrix of two months: the level a client held at the
    end of a month is the last level change of the segment history (dimension ``level``) dated
    before the month's end; the monthly snapshots keep no level. The clients counted are those
    of the other dimensions (clients by the one definition, created by the end of the month or
    with a level change by then); "" is no level, ``None`` not a client yet."""

    _inherit = "clientbase.segment.snapshot"

    @api.model
    def _matrix_values_at(self, company, dimension, month):
        if dimension != "level":
            return super()._matrix_values_at(company, dimension, month)
        self.env["clientbase.segment.history"].flush_model()
        return SQL(
            "SELECT DISTINCT ON (partner_id) partner_id, new_value AS value FROM clientbase_segment_history"
            " WHERE company_id = %s AND dimension = 'level' AND date < %s"
            " ORDER BY partner_id, date DESC, id DESC",
            company.id,
            month.replace(day=1) + relativedelta(months=1),
        )
