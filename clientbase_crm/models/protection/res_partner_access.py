from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .clientbase_security import (
    CARD_FIELDS,
    DERIVED_FIELDS,
    GUARDED_PARTNER_FIELDS,
    OWNERSHIP_FIELDS,
    USER_GROUP,
    own_partner_domain,
    owner_ids,
    sees_all,
)

# still exported for the modules that list the protected data (privacy export, tests)
PROTECTED_FIELDS = tuple(CARD_FIELDS) + tuple(sorted(DERIVED_FIELDS))


class ResPartner(models.Model):
    """Ownership of a client, checked on the partner itself.

    The client's protected data needs no check here: it lives in models behind
    record rules (``clientbase_security``). What remains on ``res.partner`` is
    who owns the client and its contact data: a client base user who is not a
    manager changes those only on the clients they handle, and a change of
    ownership (manager, commercial entity, parent company, company, archive,
    mailing-only) is checked against the old owner and the new one, so that a
    colleague's client cannot be pulled under one's own company (and read as
    one's own), nor one's own pushed under a colleague's. Users outside the
    client base (Odoo's own sales and accounting flows) are not restricted here:
    they do not see the protected data at all.
    """

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    # the client's manager decides the record rules and every "My Clients": indexed, so that a
    # salesperson's list, count and funnel read their own clients rather than scan the base
    user_id = fields.Many2one(index=True)
    client_data_hidden = fields.Boolean(
        string="Client Data Hidden from You",
        compute="_compute_client_data_hidden",
        help="The client's purchases and segments belong to its manager: shown as hidden, never as a zero.",
    )

    @api.depends_context("uid")
    def _compute_client_data_hidden(self):
        hidden = self._get_client_data_foreign()
        for partner in self:
            partner.client_data_hidden = partner in hidden

    # --- who may see what ------------------------------------------------
    @api.model
    def _get_client_protected_fields(self):
        """Names of the partner fields that show a client's protected data."""
        return {name for name in PROTECTED_FIELDS if name in self._fields}

    @api.model
    def _client_data_sees_all(self):
        return sees_all(self.env)

    @api.model
    def _get_client_data_own_domain(self):
        """Domain of the partners whose protected data the current user handles."""
        return own_partner_domain(self.env)

    def _get_client_data_foreign(self):
        """The records of ``self`` whose protected data the current user may not handle."""
        ids = [pid for pid in self._origin._ids if pid]
        if sees_all(self.env) or not ids:
            return self.browse()
        if not self.env.user.has_group(USER_GROUP):
            return self.browse(ids)
        own = (
            self.sudo()
            .with_context(active_test=False)
            .search([("id", "in", ids)] + self._get_client_data_own_domain())
        )
        return self.browse([pid for pid in ids if pid not in set(own.ids)])

    @api.model
    def _client_own_condition_sql(self, alias, query):
        """Condition, inside ``query``, that the partner ``alias`` is a client the current user
        handles: its commercial entity is LEFT JOINed once and its manager compared with
        :func:`owner_ids`, the ownership of the record rules (a test holds the two together).
        Sorting and grouping by protected values use it where a subquery of every owned
        partner would be hashed once per row group."""
        owner_alias = query.make_alias(alias, "clientbase_owner")
        query.add_join(
            "LEFT JOIN",
            owner_alias,
            self._table,
            SQL("%s = %s", SQL.identifier(owner_alias, "id"), SQL.identifier(alias, "commercial_partner_id")),
        )
        return self._client_owner_condition_sql(SQL.identifier(owner_alias, "user_id"))

    @api.model
    def _client_owner_condition_sql(self, manager):
        """Condition that the manager column ``manager`` (SQL) of a commercial entity is one of
        :func:`owner_ids`: the clients the current user handles, as the record rules say."""
        owners = owner_ids(self.env)
        condition = SQL("%s IN %s", manager, tuple(uid for uid in owners if uid))
        if False in owners:
            condition = SQL("(%s OR %s IS NULL)", condition, manager)
        return condition

    def _client_is_restricted_user(self):
        return not sees_all(self.env) and self.env.user.has_group(USER_GROUP)

    def _client_raise_foreign(self, foreign):
        raise AccessError(
            self.env._(
                "You can only change the clients you manage (%(clients)s is managed by someone else).",
                clients=", ".join(foreign.sudo()[:3].mapped("display_name")),
            )
        )

    # --- write doors (hooks of res.partner's create() and write()) ----------
    def _client_access_before_write(self, vals):
        """Refuse changing a colleague's client; return whether the new owner must be
        checked after the write too (the client moved under another company)."""
        restricted = self._client_is_restricted_user()
        guarded = set(vals) & GUARDED_PARTNER_FIELDS
        if restricted and guarded:
            foreign = self._get_client_data_foreign()
            if foreign:
                self._client_raise_foreign(foreign)
            if "user_id" in vals:
                self._check_client_reassign(vals["user_id"])
        return bool(restricted and guarded & (OWNERSHIP_FIELDS - {"user_id", "active"}))

    def _client_access_after_write(self, check_new_owner):
        if check_new_owner:
            # the new owner is checked too: no moving one's client under a colleague's company
            self.invalidate_recordset(["commercial_partner_id"])
            foreign = self._get_client_data_foreign()
            if foreign:
                self._client_raise_foreign(foreign)

    def _client_access_after_create(self):
        if self._client_is_restricted_user():
            # a contact created under a colleague's client would be theirs, and readable as one's own
            foreign = self.filtered("parent_id")._get_client_data_foreign()
            if foreign:
                self._client_raise_foreign(foreign)

    def unlink(self):
        if self._client_is_restricted_user():
            foreign = self._get_client_data_foreign()
            if foreign:
                self._client_raise_foreign(foreign)
        return super().unlink()

    def _check_client_reassign(self, user_id):
        """Client base users take unassigned clients or release their own; managers reassign."""
        if user_id not in (False, self.env.uid):
            raise AccessError(
                self.env._("Only client base managers can reassign clients to another manager.")
            )
