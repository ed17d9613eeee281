import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ...tools.client_definition import client_sql
from .clientbase_report_ratios import ratio_sql  # noqa: F401  (importable from here as before)

_logger = logging.getLogger(__name__)

REPORT_MONTHS = 24  # full months kept before the current one

# The company's confirmed orders (``%(company)s``) up to ``%(today)s``, by client: amounts untaxed;
# the orders of a client's contacts count for the client (its commercial entity); mailing-only
# contacts, employees and the company itself are no clients (``tools/client_definition.py``).
# The CTE ``orders`` of the reports.
IS_CLIENT_SQL = client_sql("cp").code  # a condition on the alias ``cp``, without parameters
ORDERS_SQL = (
    """
    orders AS (
        SELECT cp.id AS client_id, cp.user_id, cp.client_channel_id AS channel_id, so.id AS order_id,
               so.date_order, so.date_order::date AS day, so.amount_untaxed AS amount
          FROM sale_order so
          JOIN res_partner p ON p.id = so.partner_id
          JOIN res_partner cp ON cp.id = p.commercial_partner_id
         WHERE so.state = 'sale' AND so.company_id = %(company)s
           AND """
    + IS_CLIENT_SQL
    + """ AND so.date_order::date <= %(today)s
    )"""
)


class ClientbaseReportMixin(models.AbstractModel):
    """What the client base's report tables share: a company's rows are rebuilt set-based by the
    nightly job (``clientbase.report.monthly._cron_refresh``) over the last ``REPORT_MONTHS``
    months and the current one, and their ratio measures (``_report_ratios``, from
    ``clientbase.report.ratios``) are computed for any group as the ratio of its sums."""

    _name = "clientbase.report.mixin"
    _inherit = "clientbase.report.ratios"
    _description = "Client Base Report"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True, ondelete="cascade")
    user_id = fields.Many2one(
        "res.users", string="Manager", readonly=True, ondelete="set null", help="The clients' manager."
    )
    refreshed_at = fields.Datetime(
        string="Refreshed On",
        readonly=True,
        help="When the nightly job rebuilt this row: the report shows the base as it was then.",
    )

    def _open_clients(self, title, domain, own=True):
        """The clients behind a row's number: the Clients list of the row's manager (``own``),
        as the user's rules show them; clients only (``tools/client_definition.py``: a company's
        contact shows its company's figures, it is no client of its own)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("clientbase_crm.res_partner_action_clients")
        domain = [("client_is_client", "=", True), *domain]
        action.update(
            name=title,
            domain=[*domain, ("user_id", "=", self.user_id.id)] if own else domain,
            views=[(False, "list"), (False, "form")],
            view_mode="list,form",
            context={"create": False},
        )
        return action

    @api.model
    def _month_domain(self, fname, month):
        return [(fname, ">=", month), (fname, "<", month + relativedelta(months=1))]

    @api.model
    def _report_write(self, company, query):
        """Run the ``INSERT`` of the company's rows (after :meth:`_report_start`; each row
        stamped with ``refreshed_at``, the time of the rebuild) and log them."""
        self.env.cr.execute(query)
        _logger.info("%s: %s rows for company %s", self._description, self.env.cr.rowcount, company.id)
        self.invalidate_model()

    @api.model
    def _report_start(self, company, today=None, inputs=()):
        """Flush the report's inputs (orders, partners and ``inputs``), delete the company's
        rows; return (today, first month of the report)."""
        today = today or fields.Date.context_today(self)
        for model_name in ("sale.order", "res.partner", *inputs):
            self.env[model_name].flush_model()
        self.env.cr.execute(
            SQL("DELETE FROM %s WHERE company_id = %s", SQL.identifier(self._table), company.id)
        )
        return today, today.replace(day=1) - relativedelta(months=REPORT_MONTHS)
