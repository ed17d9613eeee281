import calendar
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from ...tools.typed_values import check_condition
from ..protection.clientbase_security import CARD_FIELDS, USER_GROUP, sees_all
from .clientbase_client_card import GENDERS, MONTHS

SEARCH_OPERATORS = {
    "=": SQL("="),
    "!=": SQL("<>"),
    "<": SQL("<"),
    "<=": SQL("<="),
    ">": SQL(">"),
    ">=": SQL(">="),
}
# card fields the card computes itself (not written through the partner)
CARD_COMPUTED = ("birthday_month", "birthday_day")
# card fields that are stored and readable as SQL (x2many are searched through the card's domain)
CARD_SQL_TYPES = ("char", "text", "selection", "date", "integer", "float", "monetary", "boolean", "many2one")


AGE_BANDS = [
    ("under_18", "Under 18"),
    ("18_24", "18-24"),
    ("25_34", "25-34"),
    ("35_44", "35-44"),
    ("45_54", "45-54"),
    ("55_64", "55-64"),
    ("65_plus", "65 and Over"),
]
# band -> (lowest age, highest age; None: no bound)
AGE_BAND_BOUNDS = {
    "under_18": (None, 17),
    "18_24": (18, 24),
    "25_34": (25, 34),
    "35_44": (35, 44),
    "45_54": (45, 54),
    "55_64": (55, 64),
    "65_plus": (65, None),
}


def years_before(day, years):
    """The same day ``years`` years earlier (Feb 29 -> Feb 28 in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_on(birthday, today):
    """Full years from ``birthday`` to ``today``, as PostgreSQL's ``age()`` counts them (a Feb 29
    birthday adds a year on March 1 in common years)."""
    return today.year - birthday.year - (years_before(today, today.year - birthday.year) < birthday)


def age_band(age):
    for band, (low, high) in AGE_BAND_BOUNDS.items():
        if (low is None or age >= low) and (high is None or age <= high):
            return band
    return False


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


def _card_search(pname):
    def search(records, operator, value):
        return records._client_card_domain(pname, operator, value)

    return search


def _card_field(pname, string, field_type, *args, readonly=False, **kwargs):
    """The partner field ``pname``: one field of the client card, under the card's rules."""
    kwargs.update(
        string=string,
        compute="_compute_client_card",
        inverse="_inverse_client_card",
        search=_card_search(pname),
        groups=USER_GROUP,
        copy=False,
        readonly=readonly,
    )
    return field_type(*args, **kwargs)


class ResPartner(models.Model):
    """The client card's data on the partner: a view of ``clientbase.client.card``.

    Each field reads the card of the partner through the card's access rules
    (a card the user may not read shows blank), searches through a subquery on
    the card (the ORM applies the same rules to it), sorts and groups through a
    correlated subselect built from the card's rule-applied query, and writes
    the card as the current user (another manager's client: ``AccessError``).
    Nothing of the card is stored on ``res_partner``: the partner's own doors
    (ORDER BY on its columns, ``res.users`` inheriting it, copy) have nothing to
    give away.
    """

    _inherit = "res.partner"

    client_card_ids = fields.One2many("clientbase.client.card", "partner_id", groups=USER_GROUP, copy=False)
    client_currency_id = fields.Many2one("res.currency", compute="_compute_client_currency_id")

    # --- Qualification -------------------------------------------------
    client_needs = _card_field(
        "client_needs", "Needs", fields.Text, help="What the client wants to achieve or buy."
    )
    client_pains = _card_field("client_pains", "Pains", fields.Text, help="Problems the client wants solved.")
    client_budget = _card_field(
        "client_budget",
        "Budget",
        fields.Monetary,
        currency_field="client_currency_id",
        help="Budget the client named.",
    )
    client_decision_maker_id = _card_field(
        "client_decision_maker_id",
        "Decision Maker",
        fields.Many2one,
        "res.partner",
        domain="[('parent_id', '=', id)]",
        help="The key employee who takes the buying decision.",
    )
    client_is_decision_maker = _card_field(
        "client_is_decision_maker",
        "Is Decision Maker",
        fields.Boolean,
        help="This contact takes buying decisions for the client.",
    )
    client_qualification = _card_field(
        "client_qualification",
        "Qualification",
        fields.Selection,
        [("worth", "Worth working with"), ("not_worth", "Not worth working with")],
        help="Whether the client is worth working with; empty while not qualified yet.",
    )
    client_qualification_reason = _card_field(
        "client_qualification_reason", "Qualification Reason", fields.Text
    )
    client_qualified_date = _card_field("client_qualified_date", "Qualified On", fields.Date)
    client_qualified_by_id = _card_field(
        "client_qualified_by_id", "Qualified By", fields.Many2one, "res.users"
    )

    # --- Informal details ----------------------------------------------
    client_birthday = _card_field("client_birthday", "Birthday", fields.Date)
    client_birthday_month = _card_field(
        "client_birthday_month", "Birthday Month", fields.Selection, MONTHS, readonly=True
    )
    client_birthday_day = _card_field("client_birthday_day", "Birthday Day", fields.Integer, readonly=True)
    client_days_to_birthday = fields.Integer(
        string="Days to Birthday",
        compute="_compute_client_days_to_birthday",
        search="_search_client_days_to_birthday",
        groups=USER_GROUP,
        help="Days until the next birthday (0 = today). Feb 29 birthdays count on Feb 28 in common years.",
    )
    client_birthday_age = fields.Integer(
        string="Turns",
        compute="_compute_client_days_to_birthday",
        groups=USER_GROUP,
        help="The age the client turns on the next birthday.",
    )
    client_gender = _card_field("client_gender", "Gender", fields.Selection, GENDERS)
    client_age = fields.Integer(
        string="Age",
        compute="_compute_client_age",
        search="_search_client_age",
        groups=USER_GROUP,
        help="Full years since the birthday; empty without a birthday.",
    )
    client_age_band = fields.Selection(
        AGE_BANDS,
        string="Age Group",
        compute="_compute_client_age",
        search="_search_client_age_band",
        groups=USER_GROUP,
    )
    client_gift_preferences = _card_field("client_gift_preferences", "Gift Preferences", fields.Text)
    client_interest_ids = _card_field(
        "client_interest_ids", "Hobbies and Interests", fields.Many2many, "clientbase.interest"
    )
    client_family_status = _card_field(
        "client_family_status",
        "Family Status",
        fields.Selection,
        [
            ("single", "Single"),
            ("married", "Married"),
            ("partnership", "In a relationship"),
            ("divorced", "Divorced"),
            ("widowed", "Widowed"),
        ],
    )
    client_children_count = _card_field("client_children_count", "Children", fields.Integer)
    client_children_note = _card_field(
        "client_children_note", "About the Children", fields.Char, help="Names, ages, school..."
    )
    client_pets = _card_field("client_pets", "Pets", fields.Char)
    client_favourite_brand = _card_field("client_favourite_brand", "Favourite Brand", fields.Char)
    client_profession = _card_field("client_profession", "Profession", fields.Char)
    client_income_band = _card_field(
        "client_income_band",
        "Income Band",
        fields.Selection,
        [("low", "Low"), ("middle", "Middle"), ("high", "High")],
    )

    # --- What a lost client said ------------------------------------------
    client_churn_date = _card_field("client_churn_date", "Lost On", fields.Date, readonly=True)
    client_churn_user_id = _card_field(
        "client_churn_user_id", "Marked Lost By", fields.Many2one, "res.users", readonly=True
    )
    client_churn_reason_id = _card_field(
        "client_churn_reason_id", "Reason for Leaving", fields.Many2one, "clientbase.churn.reason"
    )
    client_winback_date = _card_field("client_winback_date", "Win Back On", fields.Date)
    client_churn_competitor = _card_field("client_churn_competitor", "Went to Competitor", fields.Char)
    client_churn_note = _card_field("client_churn_note", "Why the Client Left", fields.Text)

    # ------------------------------------------------------------------
    @api.depends_context("company")
    def _compute_client_currency_id(self):
        for partner in self:
            partner.client_currency_id = partner.company_id.currency_id or self.env.company.currency_id

    def _get_client_cards(self):
        """{partner id: card} of the cards of ``self`` the current user may read."""
        Card = self.env["clientbase.client.card"]
        ids = [pid for pid in self._origin._ids if pid]
        if not ids or not Card.has_access("read"):
            return {}
        return {card.partner_id.id: card for card in Card.search([("partner_id", "in", ids)])}

    @api.depends_context("uid", "company")
    def _compute_client_card(self):
        cards = self._get_client_cards()
        Card = self.env["clientbase.client.card"]
        if cards:
            Card._recompute_model(list(CARD_COMPUTED))  # birthday month and day of a changed birthday
            Card.browse([card.id for card in cards.values()]).fetch(list(CARD_FIELDS.values()))
        cache = self.env.cache
        for pname, cname in CARD_FIELDS.items():
            # one cache update per field: a list of 80 clients computes 26 fields each
            field, card_field = self._fields[pname], Card._fields[cname]
            blank = field.convert_to_cache(False, self, validate=False)
            values = []
            for partner in self:
                card = cards.get(partner._origin.id)
                values.append(blank if card is None else cache.get(card, card_field, blank))
            cache.update(self, field, values)

    def _inverse_client_card(self):
        # write() and create() route card values to the card before the ORM would call this;
        # it serves any other path that assigns them, the same way
        for partner in self.filtered("id"):
            _vals, card_vals = partner._client_card_vals({pname: partner[pname] for pname in CARD_FIELDS})
            partner._client_write_card(card_vals)

    @api.model
    def _client_card_vals(self, vals):
        """Split ``vals`` into (partner values, card values)."""
        card_vals = {}
        for pname in list(vals):
            if pname in CARD_FIELDS and CARD_FIELDS[pname] not in CARD_COMPUTED:
                card_vals[CARD_FIELDS[pname]] = vals.pop(pname)
        if card_vals.get("qualification"):
            card_vals.setdefault("qualified_date", fields.Date.context_today(self))
            card_vals.setdefault("qualified_by_id", self.env.uid)
        for cname, value in card_vals.items():
            if isinstance(value, models.BaseModel):  # an assignment of records
                card_vals[cname] = value.ids if value._name == "clientbase.interest" else value.id
        return vals, card_vals

    def _client_write_card(self, card_vals):
        """Write ``card_vals`` on the cards of ``self`` as the current user (creating them).

        The card's model access and record rules decide: another manager's client
        raises ``AccessError``. Creating an empty card is skipped.
        """
        if not card_vals or not self:
            return
        Card = self.env["clientbase.client.card"]
        existing = {card.partner_id.id: card for card in Card.sudo().search([("partner_id", "in", self.ids)])}
        to_write = Card.browse([existing[pid].id for pid in self.ids if pid in existing])
        if to_write:
            to_write.with_env(self.env).write(card_vals)
        missing = [pid for pid in self.ids if pid not in existing]
        if missing and any(card_vals.values()):
            Card.create([dict(card_vals, partner_id=pid) for pid in missing])
        self.invalidate_recordset(list(CARD_FIELDS) + ["client_days_to_birthday", "client_card_ids"])

    # --- search, sort, group ----------------------------------------------
    @api.model
    def _client_card_domain(self, pname, operator, value):
        cname = CARD_FIELDS[pname]
        Card = self.env["clientbase.client.card"]
        value = check_condition(self.env, self._fields[pname], operator, value)
        positive = [("client_card_ids", "any", [(cname, operator, value)])]
        blank = Card.new({})
        try:
            blank_matches = bool(blank.filtered_domain([(cname, operator, value)]))
        except (TypeError, ValueError):
            blank_matches = False
        if blank_matches:
            return expression.OR([positive, [("client_card_ids", "not any", [])]])
        return positive

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """Card fields sort and group through the cards the card's rules show: another
        manager's client sorts and groups as blank. Within a query, the cards of the clients
        the user handles (the ownership of the rules) are LEFT JOINed once; alone, a
        correlated subselect over the card's rule-applied query. The age and the age group
        are computed from the birthday so reached."""
        if fname == "client_days_to_birthday":
            # the birthdays list's order: the next birthday first (today's at the top), through
            # the cards the card's rules show (another manager's client: blank, last)
            self.check_field_access_rights("read", [fname])
            month = self._field_to_sql(alias, "client_birthday_month", query=query, flush=flush)
            day = self._field_to_sql(alias, "client_birthday_day", query=query, flush=flush)
            return SQL(
                "(CASE WHEN %s IS NULL OR %s = 0 THEN NULL ELSE %s END)",
                month,
                day,
                self._get_days_to_birthday_sql(fields.Date.context_today(self), month=month, day=day),
            )
        if fname in ("client_age", "client_age_band"):
            # from the birthday, as the card's rules show it (another manager's client: blank)
            self.check_field_access_rights("read", [fname])
            birthday = self._field_to_sql(alias, "client_birthday", query=query, flush=flush)
            age = SQL("date_part('year', age(%s::date, %s))::int", fields.Date.context_today(self), birthday)
            if fname == "client_age":
                return age
            whens = SQL(" ").join(
                SQL("WHEN %s < %s THEN %s", age, high + 1, band)
                for band, (_low, high) in AGE_BAND_BOUNDS.items()
                if high is not None
            )
            last = next(band for band, (_low, high) in AGE_BAND_BOUNDS.items() if high is None)
            return SQL("(CASE WHEN %s IS NULL THEN NULL %s ELSE %s END)", birthday, whens, last)
        cname = CARD_FIELDS.get(fname)
        Card = self.env["clientbase.client.card"]
        if not cname or Card._fields[cname].type not in CARD_SQL_TYPES:
            return super()._field_to_sql(alias, fname, query=query, flush=flush)
        self.check_field_access_rights("read", [fname])
        column = Card._fields[cname]
        if query is None:
            card_query = Card.with_context(active_test=False)._search([])
            card_query.add_where(
                SQL("%s = %s", SQL.identifier(card_query.table, "partner_id"), SQL.identifier(alias, "id"))
            )
            return card_query.subselect(SQL.identifier(card_query.table, cname, to_flush=column))
        card_alias = query.make_alias(alias, "clientbase_card")
        condition = SQL("%s = %s", SQL.identifier(card_alias, "partner_id"), SQL.identifier(alias, "id"))
        if not sees_all(self.env):
            # the cards the card's rules show: those of the clients the user handles
            own = self._client_own_condition_sql(alias, query) if Card.has_access("read") else SQL("FALSE")
            condition = SQL("%s AND %s", condition, own)
        query.add_join("LEFT JOIN", card_alias, Card._table, condition)
        return SQL.identifier(card_alias, cname, to_flush=column)

    # --- age -------------------------------------------------------------------
    @api.depends("client_birthday")
    @api.depends_context("tz", "uid")
    def _compute_client_age(self):
        today = fields.Date.context_today(self)
        for partner in self:
            age = age_on(partner.client_birthday, today) if partner.client_birthday else None
            partner.client_age = age if age is not None else False
            partner.client_age_band = age_band(age) if age is not None else False

    def _client_birthdays_for_ages(self, low, high):
        """Domain on the birthday: an age from ``low`` to ``high`` (None: no bound) today."""
        today = fields.Date.context_today(self)
        domain = [("client_birthday", "!=", False)]
        if low is not None:
            domain.append(("client_birthday", "<=", years_before(today, low)))
        if high is not None:
            # older than high + 1 full years is out: born after this day
            domain.append(("client_birthday", ">", years_before(today, high + 1)))
        return domain

    def _search_client_age(self, operator, value):
        if operator not in SEARCH_OPERATORS or not isinstance(value, int) or isinstance(value, bool):
            if operator in ("=", "!=") and value is False:
                return [("client_birthday", operator, False)]
            raise ValidationError(self.env._("An age can only be compared with a whole number of years."))
        bounds = {
            "=": (value, value),
            "<": (None, value - 1),
            "<=": (None, value),
            ">": (value + 1, None),
            ">=": (value, None),
        }
        if operator == "!=":
            return ["!", *expression.normalize_domain(self._client_birthdays_for_ages(value, value))]
        return self._client_birthdays_for_ages(*bounds[operator])

    def _search_client_age_band(self, operator, value):
        values = [value] if isinstance(value, str) or value is False else list(value)
        if operator not in ("=", "!=", "in", "not in"):
            raise ValidationError(self.env._("An age group can only be compared with age groups."))
        domains = []
        for band in values:
            if band is False:
                domains.append([("client_birthday", "=", False)])
            else:
                domains.append(self._client_birthdays_for_ages(*AGE_BAND_BOUNDS[band]))
        domain = expression.normalize_domain(expression.OR(domains) if domains else expression.FALSE_DOMAIN)
        return domain if operator in ("=", "in") else ["!", *domain]

    # --- birthdays ------------------------------------------------------------
    @api.depends("client_birthday")
    @api.depends_context("tz", "uid")
    def _compute_client_days_to_birthday(self):
        today = fields.Date.context_today(self)
        for partner in self:
            birthday = partner.client_birthday
            upcoming = next_birthday(birthday, today) if birthday else None
            partner.client_days_to_birthday = (upcoming - today).days if birthday else 0
            partner.client_birthday_age = upcoming.year - birthday.year if birthday else False

    @api.model
    def _get_days_to_birthday_sql(self, today, alias="card", month=None, day=None):
        """SQL expression: days from ``today`` to the next birthday of the card row ``alias``
        (or of the birthday's ``month`` and ``day`` given as SQL)."""
        this_year = self._get_birthday_in_year_sql(today.year, alias, month, day)
        next_year = self._get_birthday_in_year_sql(today.year + 1, alias, month, day)
        return SQL(
            "(CASE WHEN %(this)s >= %(today)s THEN %(this)s ELSE %(next)s END - %(today)s)",
            this=this_year,
            next=next_year,
            today=today,
        )

    @api.model
    def _get_birthday_in_year_sql(self, year, alias="card", month=None, day=None):
        """SQL expression: the card row's birthday in ``year`` (Feb 29 -> Feb 28 in common years)."""
        month = month if month is not None else SQL.identifier(alias, "birthday_month")
        day = day if day is not None else SQL.identifier(alias, "birthday_day")
        if not calendar.isleap(year):
            day = SQL("CASE WHEN %s = '2' AND %s = 29 THEN 28 ELSE %s END", month, day, day)
        return SQL("make_date(%s, %s::int, %s)", year, month, day)

    def _search_client_days_to_birthday(self, operator, value):
        if operator not in SEARCH_OPERATORS or not isinstance(value, int) or isinstance(value, bool):
            raise ValidationError(
                self.env._("Days to birthday can only be compared with a whole number of days.")
            )
        today = fields.Date.context_today(self)
        Card = self.env["clientbase.client.card"]
        card_query = Card._search([("birthday", "!=", False)])
        card_query.add_where(
            SQL(
                "%s %s %s",
                self._get_days_to_birthday_sql(today, card_query.table),
                SEARCH_OPERATORS[operator],
                value,
            )
        )
        return [("id", "in", card_query.subselect(SQL.identifier(card_query.table, "partner_id")))]

    # --- hooks of res.partner's create() and write() -----------------------------
    @api.model
    def _client_card_before_create(self, vals_list):
        """Take the card's values out of ``vals_list`` (changed in place); return them, one
        dict per partner. Who enters a client's personal data manages the client when
        nobody does."""
        card_vals_list = []
        for vals in vals_list:
            _vals, card_vals = self._client_card_vals(vals)
            if card_vals and not vals.get("user_id") and not vals.get("parent_id") and not sees_all(self.env):
                if self.env.user.has_group(USER_GROUP):
                    vals["user_id"] = self.env.uid
            card_vals_list.append(card_vals)
        return card_vals_list

    def _client_card_after_create(self, card_vals_list):
        """Create the new clients' cards in one batch (an import creates thousands)."""
        pairs = [(partner, vals) for partner, vals in zip(self, card_vals_list, strict=True) if vals]
        if not pairs:
            return
        Card = self.env["clientbase.client.card"]
        partners = self.browse([partner.id for partner, _vals in pairs])
        existing = set(Card.sudo().search([("partner_id", "in", partners.ids)]).partner_id.ids)
        to_create = []
        for partner, card_vals in pairs:
            if partner.id in existing:
                partner._client_write_card(card_vals)
            elif any(card_vals.values()):
                to_create.append(dict(card_vals, partner_id=partner.id))
        if to_create:
            Card.create(to_create)
        partners.invalidate_recordset(list(CARD_FIELDS) + ["client_days_to_birthday", "client_card_ids"])
