import calendar
from collections import defaultdict
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

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

SEARCH_OPERATORS = {
    "=": SQL("="),
    "!=": SQL("<>"),
    "<": SQL("<"),
    "<=": SQL("<="),
    ">": SQL(">"),
    ">=": SQL(">="),
}


def next_birthday(birthday, today):
    """Date of the next birthday on or after ``today``.

    A client born on February 29 celebrates on February 28 in common years.
    """
    for year in (today.year, today.year + 1):
        day = birthday.day
        if birthday.month == 2 and day == 29 and not calendar.isleap(year):
            day = 28
        candidate = date(year, birthday.month, day)
        if candidate >= today:
            return candidate
    return candidate  # pragma: no cover - the loop always returns


class ResPartner(models.Model):
    _inherit = "res.partner"

    # --- Qualification -------------------------------------------------
    client_needs = fields.Text(string="Needs", help="What the client wants to achieve or buy.")
    client_pains = fields.Text(string="Pains", help="Problems the client wants solved.")
    client_budget = fields.Monetary(
        string="Budget", currency_field="client_currency_id", help="Budget the client named."
    )
    client_currency_id = fields.Many2one("res.currency", compute="_compute_client_currency_id")
    client_decision_maker_id = fields.Many2one(
        "res.partner",
        string="Decision Maker",
        domain="[('parent_id', '=', id)]",
        help="The key employee who takes the buying decision.",
    )
    client_is_decision_maker = fields.Boolean(
        string="Is Decision Maker", help="This contact takes buying decisions for the client."
    )
    client_qualification = fields.Selection(
        [("worth", "Worth working with"), ("not_worth", "Not worth working with")],
        string="Qualification",
        index=True,
        help="Whether the client is worth working with; empty while not qualified yet.",
    )
    client_qualification_reason = fields.Text(string="Qualification Reason")
    client_qualified_date = fields.Date(string="Qualified On")
    client_qualified_by_id = fields.Many2one("res.users", string="Qualified By", ondelete="set null")

    # --- Informal details ----------------------------------------------
    client_birthday = fields.Date(string="Birthday")
    client_birthday_month = fields.Selection(
        MONTHS,
        string="Birthday Month",
        compute="_compute_client_birthday_parts",
        store=True,
        index=True,
    )
    client_birthday_day = fields.Integer(
        string="Birthday Day", compute="_compute_client_birthday_parts", store=True
    )
    client_days_to_birthday = fields.Integer(
        string="Days to Birthday",
        compute="_compute_client_days_to_birthday",
        search="_search_client_days_to_birthday",
        help="Days until the next birthday (0 = today). Feb 29 birthdays count on Feb 28 in common years.",
    )
    client_gift_preferences = fields.Text(string="Gift Preferences")
    client_interest_ids = fields.Many2many(
        "clientbase.interest",
        "clientbase_interest_res_partner_rel",
        "partner_id",
        "interest_id",
        string="Hobbies and Interests",
    )
    client_family_status = fields.Selection(
        [
            ("single", "Single"),
            ("married", "Married"),
            ("partnership", "In a relationship"),
            ("divorced", "Divorced"),
            ("widowed", "Widowed"),
        ],
        string="Family Status",
    )
    client_children_count = fields.Integer(string="Children")
    client_children_note = fields.Char(string="About the Children", help="Names, ages, school...")
    client_pets = fields.Char(string="Pets")
    client_favourite_brand = fields.Char(string="Favourite Brand")
    client_profession = fields.Char(string="Profession")
    client_income_band = fields.Selection(
        [("low", "Low"), ("middle", "Middle"), ("high", "High")], string="Income Band"
    )

    # --- Acquisition channel -------------------------------------------
    client_channel_id = fields.Many2one(
        "clientbase.channel", string="Acquisition Channel", index="btree_not_null", ondelete="restrict"
    )
    client_source_id = fields.Many2one("utm.source", string="Source", ondelete="set null")
    client_medium_id = fields.Many2one("utm.medium", string="Medium", ondelete="set null")
    client_campaign_id = fields.Many2one("utm.campaign", string="Campaign", ondelete="set null")
    client_channel_is_referral = fields.Boolean(related="client_channel_id.is_referral")
    client_referrer_id = fields.Many2one(
        "res.partner",
        string="Referred By",
        index="btree_not_null",
        ondelete="set null",
        help="The client who recommended this one.",
    )
    client_referral_ids = fields.One2many("res.partner", "client_referrer_id", string="Referrals")
    client_referral_count = fields.Integer(string="Referral Count", compute="_compute_client_referral_count")

    # --- Kind ------------------------------------------------------------
    client_mailing_only = fields.Boolean(
        string="Mailing-only Contact",
        index="btree_not_null",
        help="Kept only for mass mailings, with minimal personal data; "
        "stays out of sales funnels and purchase figures.",
    )

    # ------------------------------------------------------------------
    def _auto_init(self):
        """Create the stored computed birthday columns ourselves.

        Odoo recomputes a new stored computed field for every existing row at
        install time; on a base of millions of partners that is hours of
        per-record work. The columns are created here and filled with one
        set-based UPDATE instead (nothing to fill on a first install).
        """
        cr = self.env.cr
        if not column_exists(cr, "res_partner", "client_birthday_month"):
            create_column(cr, "res_partner", "client_birthday_month", "varchar")
            create_column(cr, "res_partner", "client_birthday_day", "int4")
            if column_exists(cr, "res_partner", "client_birthday"):
                cr.execute(
                    """
                    UPDATE res_partner
                       SET client_birthday_month = EXTRACT(MONTH FROM client_birthday)::int::varchar,
                           client_birthday_day = EXTRACT(DAY FROM client_birthday)::int
                     WHERE client_birthday IS NOT NULL
                    """
                )
        return super()._auto_init()

    @api.depends_context("company")
    def _compute_client_currency_id(self):
        for partner in self:
            partner.client_currency_id = partner.company_id.currency_id or self.env.company.currency_id

    @api.depends("client_birthday")
    def _compute_client_birthday_parts(self):
        for partner in self:
            birthday = partner.client_birthday
            partner.client_birthday_month = str(birthday.month) if birthday else False
            partner.client_birthday_day = birthday.day if birthday else 0

    @api.depends("client_birthday")
    @api.depends_context("tz")
    def _compute_client_days_to_birthday(self):
        today = fields.Date.context_today(self)
        for partner in self:
            birthday = partner.client_birthday
            partner.client_days_to_birthday = (next_birthday(birthday, today) - today).days if birthday else 0

    @api.model
    def _get_days_to_birthday_sql(self, today):
        """SQL expression: days from ``today`` to the next birthday of the row."""
        this_year = self._get_birthday_in_year_sql(today.year)
        next_year = self._get_birthday_in_year_sql(today.year + 1)
        return SQL(
            "(CASE WHEN %(this)s >= %(today)s THEN %(this)s ELSE %(next)s END - %(today)s)",
            this=this_year,
            next=next_year,
            today=today,
        )

    @api.model
    def _get_birthday_in_year_sql(self, year):
        """SQL expression: the row's birthday in ``year`` (Feb 29 -> Feb 28 in common years)."""
        if calendar.isleap(year):
            day = SQL("res_partner.client_birthday_day")
        else:
            day = SQL(
                "CASE WHEN res_partner.client_birthday_month = '2' AND res_partner.client_birthday_day = 29"
                " THEN 28 ELSE res_partner.client_birthday_day END"
            )
        return SQL("make_date(%s, res_partner.client_birthday_month::int, %s)", year, day)

    def _search_client_days_to_birthday(self, operator, value):
        if operator not in SEARCH_OPERATORS or not isinstance(value, int) or isinstance(value, bool):
            raise ValidationError(
                self.env._("Days to birthday can only be compared with a whole number of days.")
            )
        today = fields.Date.context_today(self)
        return [
            (
                "id",
                "in",
                SQL(
                    "(SELECT res_partner.id FROM res_partner"
                    " WHERE res_partner.client_birthday IS NOT NULL AND %s %s %s)",
                    self._get_days_to_birthday_sql(today),
                    SEARCH_OPERATORS[operator],
                    value,
                ),
            )
        ]

    def _compute_client_referral_count(self):
        counts = dict(
            self._read_group([("client_referrer_id", "in", self.ids)], ["client_referrer_id"], ["__count"])
        )
        for partner in self:
            partner.client_referral_count = counts.get(partner, 0)

    # --- constraints ----------------------------------------------------
    @api.constrains("client_referrer_id")
    def _check_client_referrer_id(self):
        for partner in self:
            if partner.client_referrer_id and (
                partner.client_referrer_id.commercial_partner_id == partner.commercial_partner_id
            ):
                raise ValidationError(
                    self.env._("A client cannot be referred by itself or by one of its own contacts.")
                )

    @api.constrains("client_birthday")
    def _check_client_birthday(self):
        today = fields.Date.context_today(self)
        for partner in self:
            if partner.client_birthday and partner.client_birthday > today:
                raise ValidationError(
                    self.env._("The birthday of %(name)s cannot be in the future.", name=partner.display_name)
                )

    @api.constrains("client_children_count")
    def _check_client_children_count(self):
        if any(partner.client_children_count < 0 for partner in self):
            raise ValidationError(self.env._("The number of children cannot be negative."))

    # --- onchange / CRUD -----------------------------------------------
    @api.onchange("client_channel_id")
    def _onchange_client_channel_id(self):
        for partner in self:
            channel = partner.client_channel_id
            if channel.source_id:
                partner.client_source_id = channel.source_id
            if channel.medium_id:
                partner.client_medium_id = channel.medium_id

    @api.model
    def _prepare_client_vals(self, vals):
        """Complete create/write values the way the card does.

        Done on the server, not only in onchanges, so that imports and RPC
        clients get the same UTM defaults and qualification stamps.
        """
        vals = dict(vals)
        if vals.get("client_channel_id"):
            channel = self.env["clientbase.channel"].browse(vals["client_channel_id"])
            if channel.source_id and not vals.get("client_source_id"):
                vals["client_source_id"] = channel.source_id.id
            if channel.medium_id and not vals.get("client_medium_id"):
                vals["client_medium_id"] = channel.medium_id.id
        if vals.get("client_qualification"):
            vals.setdefault("client_qualified_date", fields.Date.context_today(self))
            vals.setdefault("client_qualified_by_id", self.env.uid)
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._prepare_client_vals(vals) for vals in vals_list])

    def write(self, vals):
        vals = self._prepare_client_vals(vals)
        res = super().write(vals)
        if "user_id" in vals:
            self._sync_client_manager_to_contacts()
        return res

    def _sync_client_manager_to_contacts(self):
        """The client's manager is the salesperson of its commercial entity:
        its contacts (key employees, addresses) follow it."""
        commercial = self.filtered(lambda p: p.commercial_partner_id == p)
        if not commercial:
            return
        contacts = (
            self.sudo()
            .with_context(active_test=False)
            .search([("parent_id", "child_of", commercial.ids), ("is_company", "=", False)])
            - commercial
        )
        # one pass over the contacts, then one write per manager (not one scan per client)
        to_move = defaultdict(list)
        for contact in contacts:
            owner = contact.commercial_partner_id
            if owner in commercial and contact.user_id != owner.user_id:
                to_move[owner.user_id.id].append(contact.id)
        for user_id, contact_ids in to_move.items():
            contacts.browse(contact_ids).write({"user_id": user_id or False})

    # --- actions ----------------------------------------------------------
    def action_open_client_referrals(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("clientbase_crm.res_partner_action_clients")
        action["domain"] = [("client_referrer_id", "=", self.id)]
        action["context"] = {"default_client_referrer_id": self.id}
        return action
