from dateutil.relativedelta import relativedelta

from odoo import api, models
from odoo.addons.clientbase_crm.tools.client_definition import client_sql
from odoo.tools import SQL


class ClientbaseSegmentSnapshot(models.Model):
    """The loyalty level in the from -> to matrix of two months: the level a client held at the
    end of a month is the last level change of the segment history (dimension ``level``) dated
    before the month's end; the monthly snapshots keep no level. The clients counted are those
    of the other dimensions (clients by the one definition, created by the end of the month or
    with a level change by then); "" is no level, ``None`` not a client yet."""

    _inherit = "clientbase.segment.snapshot"

    @api.model
    def _matrix(self, company, dimension, month_a, month_b, own_sql=None):
        if dimension != "level":
            return super()._matrix(company, dimension, month_a, month_b, own_sql=own_sql)
        self.env["clientbase.segment.history"].flush_model()
        self.env["res.partner"].flush_model()

        def end(month):
            return month.replace(day=1) + relativedelta(months=1)

        def at(month):
            return SQL(
                "SELECT DISTINCT ON (partner_id) partner_id, new_value AS value FROM clientbase_segment_history"
                " WHERE company_id = %s AND dimension = 'level' AND date < %s"
                " ORDER BY partner_id, date DESC, id DESC",
                company.id,
                end(month),
            )

        return self.env.execute_query(
            SQL(
                """SELECT CASE WHEN a.partner_id IS NULL AND cp.create_date >= %(end_a)s THEN NULL
                               ELSE COALESCE(a.value, '') END,
                          COALESCE(b.value, ''), COUNT(*)
                     FROM res_partner cp
                     LEFT JOIN (%(at_a)s) a ON a.partner_id = cp.id
                     LEFT JOIN (%(at_b)s) b ON b.partner_id = cp.id
                    WHERE cp.active AND COALESCE(cp.company_id, %(company)s) = %(company)s
                      AND (cp.create_date < %(end_b)s OR b.partner_id IS NOT NULL) AND %(is_client)s AND %(own)s
                    GROUP BY 1, 2""",
                at_a=at(month_a),
                at_b=at(month_b),
                end_a=end(month_a),
                end_b=end(month_b),
                company=company.id,
                is_client=client_sql("cp"),
                own=own_sql(SQL("cp.id")) if own_sql else SQL("TRUE"),
            )
        )
