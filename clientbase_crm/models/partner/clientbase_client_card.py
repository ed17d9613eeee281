from odoo import api, fields, models
from odoo.exceptions import ValidationError

MONTHS = [
    ("1", "January"),
    ("2", "February"),
    ("3", "March"),
    ("4", "April"),
    ("5", "May"),
    ("6", "June"),
    ("7", "July"),
    ("8", "August"),
    ("9", "September"),
    ("10", "October"),
    ("11", "November"),
    ("12", "December"),
]


GENDERS = [("female", "Female"), ("male", "Male")]


class ClientbaseClientCard(models.Model):
    """The personal, qualifying and informal data of one partner.

    This data belongs to the client's manager (the salesperson of the commercial
    entity), so it lives in its own table behind Odoo's access machinery: model
    access for the client base groups and record rules of ownership
    (``security/clientbase_ownership_rules.xml``). The ORM applies them to every
    search, ORDER BY, read_group, export and related path, so no door of
    ``res.partner`` (or of ``res.users``, which inherits it) can reach another
    manager's values. ``res.partner`` shows these values as non-stored
    ``client_*`` fields computed, searched, sorted and written through this model
    under the current user's rights (``res_partner_card.py``).

    One card per partner: a person, a company, or a key employee of a company
    client (whose birthday and decision role are their own); the owner is the
    manager of the partner's commercial entity.
    """

    _name = "clientbase.client.card"
    _description = "Client Card (Personal Data)"
    _rec_name = "partner_id"
    _order = "id"

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, ondelete="cascade", index=True, readonly=True
    )
    user_id = fields.Many2one(
        related="partner_id.commercial_partner_id.user_id", string="Manager", readonly=True
    )
    company_id = fields.Many2one(related="partner_id.company_id", readonly=True)
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")

    # --- Qualification -------------------------------------------------
    needs = fields.Text(help="What the client wants to achieve or buy.")
    pains = fields.Text(help="Problems the client wants solved.")
    budget = fields.Monetary(currency_field="currency_id", help="Budget the client named.")
    decision_maker_id = fields.Many2one(
        "res.partner",
        domain="[('parent_id', '=', partner_id)]",
        ondelete="set null",
        help="The key employee who takes the buying decision.",
    )
    is_decision_maker = fields.Boolean(help="This contact takes buying decisions for the client.")
    qualification = fields.Selection(
        [("worth", "Worth working with"), ("not_worth", "Not worth working with")],
        index="btree_not_null",
        help="Whether the client is worth working with; empty while not qualified yet.",
    )
    qualification_reason = fields.Text()
    qualified_date = fields.Date(string="Qualified On")
    qualified_by_id = fields.Many2one("res.users", ondelete="set null")

    # --- Informal details ----------------------------------------------
    birthday = fields.Date()
    birthday_month = fields.Selection(
        MONTHS, compute="_compute_birthday_parts", store=True, index="btree_not_null"
    )
    birthday_day = fields.Integer(compute="_compute_birthday_parts", store=True)
    gift_preferences = fields.Text()
    interest_ids = fields.Many2many(
        "clientbase.interest",
        "clientbase_client_card_interest_rel",
        "card_id",
        "interest_id",
        string="Hobbies and Interests",
    )
    family_status = fields.Selection(
        [
            ("single", "Single"),
            ("married", "Married"),
            ("partnership", "In a relationship"),
            ("divorced", "Divorced"),
            ("widowed", "Widowed"),
        ],
    )
    children_count = fields.Integer(string="Children")
    children_note = fields.Char(string="About the Children", help="Names, ages, school...")
    pets = fields.Char()
    favourite_brand = fields.Char()
    profession = fields.Char()
    gender = fields.Selection(GENDERS)
    income_band = fields.Selection([("low", "Low"), ("middle", "Middle"), ("high", "High")])

    # --- Churn (when and why the client left) ----------------------------
    churn_date = fields.Date(string="Lost On", index="btree_not_null")
    churn_user_id = fields.Many2one("res.users", string="Marked Lost By", ondelete="set null")
    churn_reason_id = fields.Many2one(
        "clientbase.churn.reason", string="Reason for Leaving", ondelete="restrict", index="btree_not_null"
    )
    winback_date = fields.Date(string="Win Back On")
    churn_competitor = fields.Char(string="Went to Competitor")
    churn_note = fields.Text(string="Why the Client Left")

    _sql_constraints = [
        ("partner_uniq", "UNIQUE(partner_id)", "A partner has one client card."),
    ]

    @api.depends("partner_id.company_id")
    @api.depends_context("company")
    def _compute_currency_id(self):
        for card in self:
            card.currency_id = card.partner_id.company_id.currency_id or self.env.company.currency_id

    @api.depends("birthday")
    def _compute_birthday_parts(self):
        for card in self:
            card.birthday_month = str(card.birthday.month) if card.birthday else False
            card.birthday_day = card.birthday.day if card.birthday else 0

    @api.constrains("birthday")
    def _check_birthday(self):
        today = fields.Date.context_today(self)
        for card in self:
            if card.birthday and card.birthday > today:
                raise ValidationError(
                    self.env._(
                        "The birthday of %(name)s cannot be in the future.", name=card.partner_id.display_name
                    )
                )

    @api.constrains("children_count")
    def _check_children_count(self):
        if any(card.children_count < 0 for card in self):
            raise ValidationError(self.env._("The number of children cannot be negative."))
