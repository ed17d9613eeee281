from odoo import api, fields, models
from odoo.tools.sql import column_exists, create_column


def ensure_client_discounted_column(cr):
    """Create and fill ``sale_order.client_discounted`` when missing: one set-based UPDATE
    instead of the ORM's recompute of every order (NULL reads as False). Called by the order's
    ``_auto_init`` and by the figures' ``init`` (its triggers watch the column), whichever the
    registry reaches first."""
    if not column_exists(cr, "sale_order", "client_discounted"):
        create_column(cr, "sale_order", "client_discounted", "boolean")
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
        ensure_client_discounted_column(self.env.cr)
        return super()._auto_init()

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
