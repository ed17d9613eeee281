import logging

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

from ..partner.res_partner_big_base import DISCOUNT_FLAG_PARAM, is_big_base, set_progress

_logger = logging.getLogger(__name__)
FLAG_BATCH = 100_000  # orders per statement of the deferred fill


def ensure_client_discounted_column(env):
    """Create and fill ``sale_order.client_discounted`` when missing: set-based UPDATEs
    instead of the ORM's recompute of every order (NULL reads as False). Called by the order's
    ``_auto_init`` and by the figures' ``init`` (its triggers watch the column), whichever the
    registry reaches first. On a base of many orders the column is created empty and filled by
    the job "Client Base: prepare a big base" (res_partner_big_base.py), in batches of orders."""
    cr = env.cr
    if not column_exists(cr, "sale_order", "client_discounted"):
        create_column(cr, "sale_order", "client_discounted", "boolean")
        if is_big_base(cr, "sale_order"):
            set_progress(env, DISCOUNT_FLAG_PARAM, 0)
            _logger.info(
                "A big base: the orders' discount flag is filled by the job 'Client Base: prepare a big"
                " base' after the install, not during it"
            )
            return
        cr.execute(
            """
            UPDATE sale_order so SET client_discounted = TRUE
             WHERE so.id IN (SELECT l.order_id FROM sale_order_line l WHERE l.discount > 0)
            """
        )


class SaleOrder(models.Model):
    _inherit = "sale.order"

    client_discounted = fields.Boolean(
        string="Discounted",
        compute="_compute_client_discounted",
        store=True,
        help="At least one line of the order has a discount. A client most of whose orders are "
        "discounted is suggested the Discount Hunter persona.",
    )

    # order fields the client figures are made of
    _CLIENT_FIGURE_FIELDS = {"state", "partner_id", "date_order", "company_id"}

    def _auto_init(self):
        """A new install on a base with many orders fills the column set-based."""
        ensure_client_discounted_column(self.env)
        return super()._auto_init()

    @api.model
    def _client_fill_discounted_batch(self, after_id):
        """The deferred fill: the orders of ids in (after_id, after_id + FLAG_BATCH] with a
        discounted line are flagged (safe to run again). Returns the last id of the range, or
        None when no order is left after ``after_id``."""
        cr = self.env.cr
        cr.execute("SELECT MAX(id) FROM sale_order")
        last = cr.fetchone()[0]
        if last is None or after_id >= last:
            return None
        cr.execute(
            SQL(
                "UPDATE sale_order so SET client_discounted = TRUE WHERE so.id > %s AND so.id <= %s"
                " AND so.client_discounted IS NOT TRUE"
                " AND EXISTS (SELECT 1 FROM sale_order_line l WHERE l.order_id = so.id AND l.discount > 0)",
                after_id,
                after_id + FLAG_BATCH,
            )
        )
        _logger.info(
            "Flagged the discounted orders of ids up to %s of %s: %s flagged",
            after_id + FLAG_BATCH,
            last,
            cr.rowcount,
        )
        return after_id + FLAG_BATCH

    @api.depends("order_line.discount")
    def _compute_client_discounted(self):
        for order in self:
            order.client_discounted = any(line.discount > 0 for line in order.order_line)

    @api.model_create_multi
    def create(self, vals_list):
        colleagues = []
        for index, vals in enumerate(vals_list):
            # one manager per client, by every door (see res.partner._client_check_manager); in
            # warn mode the colleague keeps the quotation they make (Odoo would give it to the
            # client's salesperson, and the colleague could not save what they may not see)
            partner = self.env["res.partner"].browse(vals.get("partner_id"))
            if partner and partner._client_check_manager(self.env._("make a quotation")):
                vals.setdefault("user_id", self.env.uid)
                colleagues.append(index)
        orders = super().create(vals_list)
        self.env["res.partner"]._client_manager_follows(
            orders.browse([orders.ids[index] for index in colleagues])
        )
        confirmed = orders.filtered(lambda o: o.state == "sale")
        if confirmed:
            confirmed._refresh_client_figures()
        return orders

    def write(self, vals):
        if vals.get("partner_id"):
            self.env["res.partner"].browse(vals["partner_id"])._client_check_manager(
                self.env._("make a quotation")
            )
        watched = self._CLIENT_FIGURE_FIELDS.intersection(vals)
        before = self.filtered(lambda o: o.state == "sale") if watched else self.browse()
        old_partners = before.partner_id
        res = super().write(vals)
        if watched:
            # clients of orders that are or were confirmed: confirm, cancel, back to quotation, move
            orders = before | self.filtered(lambda o: o.state == "sale")
            if orders:
                orders._refresh_client_figures(old_partners)
        return res

    def _refresh_client_figures(self, extra_partners=None):
        """Update the figures and stage of these orders' clients at once
        (targeted SQL; rankings follow with the next full recompute).

        Bulk loaders that run a full recompute afterwards (the demo generator, imports of order
        history) pass ``clientbase_skip_figures_refresh`` in the context to skip it.
        """
        if self.env.context.get("clientbase_skip_figures_refresh"):
            return
        partners = self.sudo().partner_id | (extra_partners or self.env["res.partner"])
        self.env["clientbase.client.figures"].sudo()._refresh_clients(partners.sudo(), self.sudo().company_id)
