import logging

from odoo import api, fields, models
from odoo.tools import SQL

from ...tools.client_definition import client_sql

_logger = logging.getLogger(__name__)


class ClientbaseClientFigures(models.Model):
    """The client's historic gross margin, beside its revenue (``METRICS.md``, LTV).

    The margin of an order line is its untaxed amount minus its quantity times the product's
    unit cost: the cost recorded on the line when Odoo's ``sale_margin`` is installed (the cost
    at the time of the order), else the product's current cost (``standard_price``), the
    quantity converted from the line's unit of measure to the product's. Lines whose cost is
    unknown (zero) are left out of the margin, so the margin is the one of the products whose
    costs are known; a client none of whose lines has a cost has no margin (empty, not zero).
    Refreshed set-based by the nightly reports job.
    """

    _inherit = "clientbase.client.figures"

    margin = fields.Float(readonly=True)

    def _line_cost_sql(self, company):
        """Unit cost of the line ``l`` in the line's unit of measure (``pp``: its product,
        ``lu``/``pu``: the line's and the product's units)."""
        current = SQL(
            "(pp.standard_price ->> %s)::numeric * pu.factor / NULLIF(lu.factor, 0)",
            str(company.id),
        )
        if "purchase_price" in self.env["sale.order.line"]._fields:
            return SQL("COALESCE(NULLIF(l.purchase_price, 0), %s)", current)
        return current

    @api.model
    def _refresh_margin(self, company):
        """Write the gross margin of the company's clients; only the rows whose value changes."""
        for model in ("sale.order.line", "product.product", "product.template", "uom.uom", self._name):
            self.env[model].flush_model()
        self.env.cr.execute(
            SQL(
                """
            WITH costed AS (
                SELECT cp.id AS client_id, l.price_subtotal, l.product_uom_qty * %(cost)s AS cost
                  FROM sale_order_line l
                  JOIN sale_order so ON so.id = l.order_id
                  JOIN res_partner p ON p.id = so.partner_id
                  JOIN res_partner cp ON cp.id = p.commercial_partner_id
                  JOIN product_product pp ON pp.id = l.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  JOIN uom_uom pu ON pu.id = pt.uom_id
                  JOIN uom_uom lu ON lu.id = l.product_uom
                 WHERE so.state = 'sale' AND so.company_id = %(company)s AND l.display_type IS NULL
                   AND %(is_client)s
            ),
            margins AS (
                SELECT client_id, ROUND(SUM(price_subtotal - cost), 2)::float8 AS margin
                  FROM costed WHERE cost > 0 GROUP BY client_id
            )
            UPDATE clientbase_client_figures f SET margin = m.margin
              FROM clientbase_client_figures f2 LEFT JOIN margins m ON m.client_id = f2.partner_id
             WHERE f.id = f2.id AND f.company_id = %(company)s AND f.margin IS DISTINCT FROM m.margin
                """,
                cost=self._line_cost_sql(company),
                company=company.id,
                is_client=client_sql("cp"),
            )
        )
        _logger.info(
            "Client base margins: %s clients updated for company %s", self.env.cr.rowcount, company.id
        )
        self.invalidate_model(["margin"])
