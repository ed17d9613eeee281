from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError

# what the level's program is made of: an automatic promotion on the whole order
PROGRAM_FIELDS = {"name", "discount", "active", "company_id"}


class ClientbaseLoyaltyLevel(models.Model):
    """A discount level of a company: clients whose receipts reach ``threshold`` hold it.

    Each level owns an automatic promotion program of Odoo's ``loyalty`` (kept in step
    with the level: name, discount, active), whose one reward is a discount of
    ``discount`` % on the order described "<level>: <discount>%". Odoo's sale_loyalty
    applies it like any promotion, and ``sale.order._program_check_compute_points``
    (see ``sale_order.py``) lets it apply only to the clients of this level.
    """

    _name = "clientbase.loyalty.level"
    _description = "Client Loyalty Level"
    _order = "company_id, threshold, id"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    threshold = fields.Monetary(
        string="Receipts From",
        required=True,
        help="The level is held by the clients whose confirmed orders (untaxed, in the company's "
        "currency) reach this amount, over all time or over the company's rolling window.",
    )
    discount = fields.Float(
        string="Discount (%)",
        digits=(5, 2),
        help="Discount on every order of the level's clients, applied by the level's promotion program.",
    )
    perks = fields.Text(
        help="What else the level's clients get (free delivery, a gift, a personal manager...)."
    )
    program_id = fields.Many2one(
        "loyalty.program",
        string="Promotion Program",
        readonly=True,
        copy=False,
        help="The automatic promotion that gives the level's discount on the level's clients' quotations.",
    )
    client_count = fields.Integer(string="Clients", compute="_compute_client_count")

    _sql_constraints = [
        ("threshold_positive", "CHECK (threshold > 0)", "A level's receipts threshold must be above zero."),
        (
            "discount_range",
            "CHECK (discount >= 0 AND discount <= 100)",
            "A level's discount is a percentage between 0 and 100.",
        ),
    ]

    def _compute_client_count(self):
        counts = dict(
            self.env["clientbase.loyalty.status"]
            .sudo()
            ._read_group([("level_id", "in", self.ids)], ["level_id"], ["__count"])
        )
        for level in self:
            level.client_count = counts.get(level, 0)

    @api.constrains("threshold", "company_id", "active")
    def _check_threshold_unique(self):
        for level in self.filtered("active"):
            twin = self.search(
                [
                    ("id", "!=", level.id),
                    ("company_id", "=", level.company_id.id),
                    ("threshold", "=", level.threshold),
                ],
                limit=1,
            )
            if twin:
                raise ValidationError(
                    self.env._(
                        "Levels %(level)s and %(other)s have the same receipts threshold: each level needs "
                        "its own.",
                        level=level.name,
                        other=twin.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        levels = super().create(vals_list)
        for level in levels:
            level.program_id = self.env["loyalty.program"].sudo().create(level._get_program_values())
        if levels.filtered("active"):
            self.env["clientbase.loyalty.status"].sudo()._refresh_levels(companies=levels.company_id)
        return levels

    def write(self, vals):
        result = super().write(vals)
        if PROGRAM_FIELDS & set(vals):
            for level in self:
                program = level.program_id.sudo().with_context(active_test=False)
                if not program:
                    level.program_id = self.env["loyalty.program"].sudo().create(level._get_program_values())
                    continue
                program.write({"name": level.name, "active": level.active, "company_id": level.company_id.id})
                program.reward_ids.write(
                    {"discount": level.discount, "description": level._get_reward_description()}
                )
        if {"threshold", "active", "company_id"} & set(vals):
            # who holds which level changes with the table: at once, set-based
            self.env["clientbase.loyalty.status"].sudo()._refresh_levels(companies=self.company_id)
        return result

    def unlink(self):
        programs = self.program_id.sudo()
        companies = self.company_id
        result = super().unlink()
        # the program may be on orders: archived, not deleted
        programs.action_archive()
        self.env["clientbase.loyalty.status"].sudo()._refresh_levels(companies=companies)
        return result

    def _get_reward_description(self):
        """What the order line and the salesperson read: "Gold: 5%"."""
        self.ensure_one()
        discount = "%g" % self.discount
        return self.env._("%(level)s: %(discount)s%%", level=self.name, discount=discount)

    def _get_program_values(self):
        """The level's promotion: automatic, on any order, a discount on the whole order."""
        self.ensure_one()
        return {
            "name": self.name,
            "active": self.active,
            "company_id": self.company_id.id,
            "program_type": "promotion",
            "trigger": "auto",
            "applies_on": "current",
            "clientbase_level_id": self.id,
            "rule_ids": [
                Command.create(
                    {
                        "mode": "auto",
                        "minimum_qty": 0,
                        "minimum_amount": 0,
                        "reward_point_amount": 1,
                        "reward_point_mode": "order",
                    }
                )
            ],
            "reward_ids": [
                Command.create(
                    {
                        "reward_type": "discount",
                        "discount": self.discount,
                        "discount_mode": "percent",
                        "discount_applicability": "order",
                        "required_points": 1,
                        "description": self._get_reward_description(),
                    }
                )
            ],
        }
