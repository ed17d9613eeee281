from odoo import fields, models


class SaleOrder(models.Model):
    """The level's discount is an automatic promotion of Odoo's loyalty (one per level,
    see ``clientbase_loyalty_level.py``): it applies to the orders of the level's clients
    only, and Odoo's own rules decide between it and other rewards (one global discount
    per order: the better one stays)."""

    _inherit = "sale.order"

    client_loyalty_level_id = fields.Many2one(
        "clientbase.loyalty.level", string="Loyalty Level", compute="_compute_client_loyalty_level"
    )
    client_loyalty_level_label = fields.Char(
        string="Level Discount",
        compute="_compute_client_loyalty_level",
        help="The client's loyalty level and the discount it gives on this order (Promotions applies it).",
    )

    def _compute_client_loyalty_level(self):
        levels = self._get_client_loyalty_levels()
        for order in self:
            level = levels.get(order, self.env["clientbase.loyalty.level"])
            order.client_loyalty_level_id = level
            order.client_loyalty_level_label = level.program_id.reward_ids[:1].description if level else False

    def _get_client_loyalty_levels(self):
        """{order: the level its client holds in its company} (one query for all the orders).
        The level is what the order shows and gets (its discount line names it), not the
        figures behind it: read without the client base's rules, so a colleague quoting in
        warn mode gets it too."""
        clients = self.partner_id.commercial_partner_id
        if not clients:
            return {}
        statuses = (
            self.env["clientbase.loyalty.status"]
            .sudo()
            .search([("partner_id", "in", clients.ids), ("company_id", "in", self.company_id.ids)])
        )
        by_key = {(s.partner_id.id, s.company_id.id): s.level_id for s in statuses}
        Level = self.env["clientbase.loyalty.level"]
        return {
            order: by_key.get((order.partner_id.commercial_partner_id.id, order.company_id.id), Level)
            .filtered("active")
            .with_env(self.env)
            for order in self
        }

    def _get_client_loyalty_level(self):
        """The level the order's client holds in the order's company."""
        self.ensure_one()
        return self._get_client_loyalty_levels().get(self, self.env["clientbase.loyalty.level"])

    def _program_check_compute_points(self, programs):
        result = super()._program_check_compute_points(programs)
        level_programs = programs.filtered("clientbase_level_id")
        if level_programs:
            level = self._get_client_loyalty_level()
            for program in level_programs:
                if program.clientbase_level_id != level:
                    result[program] = {
                        "error": self.env._(
                            "The %(level)s discount is for the clients of that loyalty level.",
                            level=program.clientbase_level_id.sudo().name,
                        )
                    }
        return result
