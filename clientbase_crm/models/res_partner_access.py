from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.osv import expression

USER_GROUP = "clientbase_crm.group_clientbase_user"
MANAGER_GROUP = "clientbase_crm.group_clientbase_manager"

# The client card's personal and qualifying data. Acquisition (channel, UTM,
# referrer) and ``client_mailing_only`` stay readable by everyone: marketing
# and mailing flows need them, and they say nothing personal.
PROTECTED_FIELDS = (
    "client_needs",
    "client_pains",
    "client_budget",
    "client_decision_maker_id",
    "client_is_decision_maker",
    "client_qualification",
    "client_qualification_reason",
    "client_qualified_date",
    "client_qualified_by_id",
    "client_birthday",
    "client_birthday_month",
    "client_birthday_day",
    "client_days_to_birthday",
    "client_gift_preferences",
    "client_interest_ids",
    "client_family_status",
    "client_children_count",
    "client_children_note",
    "client_pets",
    "client_favourite_brand",
    "client_profession",
    "client_income_band",
    # purchase figures, interactions, consents and segment history (other parts of the
    # addon); only those that exist are protected
    "client_first_order_date",
    "client_last_order_date",
    "client_order_count",
    "client_revenue",
    "client_average_order",
    "client_days_since_last_order",
    "client_rfm_recency",
    "client_rfm_frequency",
    "client_rfm_monetary",
    "client_churn_reason",
    "client_churn_competitor",
    "client_churn_note",
    "client_last_contact_date",
    "client_interaction_ids",
    "client_consent_ids",
    "client_segment_history_ids",
)


class ResPartner(models.Model):
    """Who sees which client's personal data, without record rules on res.partner.

    Every internal user still sees every partner (name, address, quotations,
    leads, messages work as in Odoo). Only the client base's personal fields are
    protected, at two levels:

    * ``groups``: users outside the client base never read them (Odoo strips
      them from views and refuses them in RPC);
    * per client, for users who are not client base managers: the values of
      clients managed by somebody else (the ``user_id`` of the commercial
      entity) come back blank from every read door (form, list, kanban,
      ``read``, ``search_read``, ``web_read``), domains and group-bys on them
      only match the user's own clients (so search, filters, pivot and graph
      reveal nothing about the others), and writes raise ``AccessError``.

    Blanking rather than raising on read keeps lists and the partner form of
    a colleague's client usable. Unassigned clients count as the user's own
    when the company allows the unassigned pool.
    """

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    user_id = fields.Many2one(tracking=True)
    client_qualification = fields.Selection(tracking=True, groups=USER_GROUP)

    client_needs = fields.Text(groups=USER_GROUP)
    client_pains = fields.Text(groups=USER_GROUP)
    client_budget = fields.Monetary(groups=USER_GROUP)
    client_decision_maker_id = fields.Many2one(groups=USER_GROUP)
    client_is_decision_maker = fields.Boolean(groups=USER_GROUP)
    client_qualification_reason = fields.Text(groups=USER_GROUP)
    client_qualified_date = fields.Date(groups=USER_GROUP)
    client_qualified_by_id = fields.Many2one(groups=USER_GROUP)
    client_birthday = fields.Date(groups=USER_GROUP)
    client_birthday_month = fields.Selection(groups=USER_GROUP)
    client_birthday_day = fields.Integer(groups=USER_GROUP)
    client_days_to_birthday = fields.Integer(groups=USER_GROUP)
    client_gift_preferences = fields.Text(groups=USER_GROUP)
    client_interest_ids = fields.Many2many(groups=USER_GROUP)
    client_family_status = fields.Selection(groups=USER_GROUP)
    client_children_count = fields.Integer(groups=USER_GROUP)
    client_children_note = fields.Char(groups=USER_GROUP)
    client_pets = fields.Char(groups=USER_GROUP)
    client_favourite_brand = fields.Char(groups=USER_GROUP)
    client_profession = fields.Char(groups=USER_GROUP)
    client_income_band = fields.Selection(groups=USER_GROUP)

    # --- who may see what ------------------------------------------------
    @api.model
    def _get_client_protected_fields(self):
        """Names of the per-client protected fields; extend to protect more."""
        return {name for name in PROTECTED_FIELDS if name in self._fields}

    @api.model
    def _client_data_sees_all(self):
        return self.env.su or self.env.user.has_group(MANAGER_GROUP)

    @api.model
    def _get_client_data_own_domain(self):
        """Domain of the partners whose protected data the current user handles."""
        domain = [("commercial_partner_id.user_id", "=", self.env.uid)]
        if self.env.company.client_pool_visible:
            domain = expression.OR([domain, [("commercial_partner_id.user_id", "=", False)]])
        return domain

    def _get_client_data_foreign(self):
        """The records of ``self`` whose protected data the current user may not see."""
        if self._client_data_sees_all():
            return self.browse()
        is_user = self.env.user.has_group(USER_GROUP)
        pool = self.env.company.client_pool_visible
        foreign = []
        for partner in self.sudo():
            if not partner._origin.id:
                continue  # a record being created in a form
            owner = partner._origin.commercial_partner_id.user_id
            if not is_user or not (owner.id == self.env.uid or (pool and not owner)):
                foreign.append(partner.id)
        return self.browse(foreign)

    def _check_client_data_access(self, field_names):
        """Raise AccessError if the user may not change ``field_names`` on ``self``."""
        protected = self._get_client_protected_fields().intersection(field_names)
        if not protected or self.env.su:
            return
        foreign = self._get_client_data_foreign()
        if foreign:
            raise AccessError(
                self.env._(
                    "You can only change the personal data of the clients you manage "
                    "(%(clients)s is managed by someone else).",
                    clients=", ".join(foreign.sudo()[:3].mapped("display_name")),
                )
            )

    @api.model
    def _client_spec_is_protected(self, specs):
        protected = self._get_client_protected_fields()
        for spec in specs:
            if isinstance(spec, str) and spec.split(":")[0].split(".")[0] in protected:
                return True
        return False

    @api.model
    def _client_domain_is_protected(self, domain):
        protected = self._get_client_protected_fields()
        for leaf in domain or ():
            if isinstance(leaf, (list, tuple)) and len(leaf) == 3 and isinstance(leaf[0], str):
                if leaf[0].split(".")[0] in protected:
                    return True
        return False

    # --- read doors ------------------------------------------------------
    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load=load)
        protected = self._get_client_protected_fields().intersection(fnames)
        if not protected or self._client_data_sees_all():
            return result
        foreign_ids = set(self._get_client_data_foreign().ids)
        if foreign_ids:
            blank = {}
            for name in protected:
                ftype = self._fields[name].type
                if ftype in ("one2many", "many2many"):
                    blank[name] = []
                elif ftype in ("integer", "float", "monetary"):
                    blank[name] = 0
                else:
                    blank[name] = False
            for vals in result:
                if vals.get("id") in foreign_ids:
                    vals.update(blank)
        return result

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        if self._client_domain_is_protected(domain) and not self._client_data_sees_all():
            domain = expression.AND([domain, self._get_client_data_own_domain()])
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        if (
            self._client_spec_is_protected(list(groupby) + list(aggregates))
            or self._client_domain_is_protected(having)
        ) and not self._client_data_sees_all():
            domain = expression.AND([domain, self._get_client_data_own_domain()])
        return super()._read_group(
            domain, groupby, aggregates, having=having, offset=offset, limit=limit, order=order
        )

    # --- write door ------------------------------------------------------
    def write(self, vals):
        if not self.env.su:
            self._check_client_data_access(vals)
            if "user_id" in vals:
                self._check_client_reassign(vals["user_id"])
        return super().write(vals)

    def _check_client_reassign(self, user_id):
        """Client base users take unassigned clients or release their own; managers reassign."""
        if not self.env.user.has_group(USER_GROUP) or self._client_data_sees_all():
            return  # Odoo's own flows (salespeople outside the client base) are unchanged
        if user_id not in (False, self.env.uid) or self._get_client_data_foreign():
            raise AccessError(
                self.env._("Only client base managers can reassign clients to another manager.")
            )
