from odoo import fields, models


class SaleOrder(models.Model):
    """VIP perks follow the VIP status: a program marked *VIP Clients Only* (free delivery through
    ``sale_loyalty_delivery``'s shipping reward, a gift product...) applies to the orders of the
    clients who are VIP in the order's company, and Odoo drops its reward from a quotation whose
    client is no longer VIP when the promotions are updated (at the latest on confirmation). The
    quotation shows the status and the client's personal manager."""

    _inherit = "sale.order"

    client_is_vip = fields.Boolean(string="VIP Client", compute="_compute_client_vip")
    client_personal_manager_id = fields.Many2one(
        "res.users",
        string="Personal Manager",
        compute="_compute_client_vip",
        help="The client's manager (the salesperson of the client).",
    )

    def _compute_client_vip(self):
        vips = self._get_client_vip_orders()
        for order in self:
            order.client_is_vip = order in vips
            order.client_personal_manager_id = order.partner_id.commercial_partner_id.user_id

    def _get_client_vip_orders(self):
        """The orders whose client is VIP in the order's company (one search). The status is what the
        order gets, not the figures behind it: read without the client base's rules."""
        clients = self.partner_id.commercial_partner_id
        if not clients:
            return self.browse()
        figures = (
            self.env["clientbase.client.figures"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", clients.ids),
                    ("company_id", "in", self.company_id.ids),
                    ("is_vip", "=", True),
                ]
            )
        )
        keys = {(f.partner_id.id, f.company_id.id) for f in figures}
        return self.filtered(lambda o: (o.partner_id.commercial_partner_id.id, o.company_id.id) in keys)

    def _program_check_compute_points(self, programs):
        result = super()._program_check_compute_points(programs)
        vip_programs = programs.filtered("clientbase_vip_only")
        if vip_programs and not self._get_client_vip_orders():
            for program in vip_programs:
                result[program] = {
                    "error": self.env._("%(program)s is for VIP clients.", program=program.name)
                }
        return result
