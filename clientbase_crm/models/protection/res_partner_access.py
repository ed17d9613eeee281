from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import SQL

from ...tools.client_definition import handled_sql
from .clientbase_security import (
    CARD_FIELDS,
    DERIVED_FIELDS,
    OWNERSHIP_FIELDS,
    USER_GROUP,
    WRITE_GUARDED_FIELDS,
    own_partner_domain,
    owner_ids,
    sees_all,
)

# still exported for the modules that list the protected data (privacy export, tests)
PROTECTED_FIELDS = tuple(CARD_FIELDS) + tuple(sorted(DERIVED_FIELDS))

# Odoo's documents whose makers add an address under any customer (``_client_document_addresses``)
DOCUMENT_MODELS = ("account.move", "sale.order")
DOCUMENT_ADDRESS_TYPES = ("invoice", "delivery")


class ResPartner(models.Model):
    """Ownership of a client, checked on the partner itself.

    The client's protected data needs no check here: it lives in models behind
    record rules (``clientbase_security``). What remains on ``res.partner`` is
    who owns the client, its contact data and the client base's own fields
    (``WRITE_GUARDED_FIELDS``): only the client's circle changes them, creates
    contacts under the client, copies or deletes it. The circle is the client's
    manager, client base managers and administrators; Odoo's own flows that
    write partners as a side effect (portal sign-up, checkout addresses, the
    mail gateway) run as superuser or create partners that are not clients yet.
    A change of ownership (commercial entity, parent company, company) is
    checked against the old owner and the new one, so that a colleague's client
    cannot be pulled under one's own company (and read as one's own), nor a
    partner pushed under a client of someone else.

    Users outside the client base keep, on partners that are not clients
    (:meth:`_get_client_clients`), everything Odoo lets them do, and on the
    clients they manage themselves (a salesperson outside the client base) the
    same as a client base user; every other field of a partner (bank accounts,
    accounting properties, tags) is not the client base's concern here.
    """

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    # the client's manager decides the record rules and every "My Clients": indexed, so that a
    # salesperson's list, count and funnel read their own clients rather than scan the base
    user_id = fields.Many2one(index=True)
    client_data_hidden = fields.Boolean(
        string="Client Data Hidden from You",
        compute="_compute_client_data_hidden",
        search="_search_client_data_hidden",
        help="The client's purchases and segments belong to its manager: shown as hidden, never as a zero.",
    )
    client_hidden_notice = fields.Char(
        string="Handled By",
        compute="_compute_client_data_hidden",
        help="Who handles a client whose data is hidden from you: said instead of showing blanks or zeros "
        "(empty for users outside the client base).",
    )

    @api.depends_context("uid")
    def _compute_client_data_hidden(self):
        hidden = self._get_client_data_foreign()
        # a user outside the client base sees none of its data, and is told nothing about it
        told = hidden if self.env.user.has_group(USER_GROUP) else self.browse()
        said = told.sudo()._client_said_of_foreign() if told else {}
        for partner in self:
            partner.client_data_hidden = partner in hidden
            partner.client_hidden_notice = (
                partner._client_hidden_notice(said.get(partner._origin.id)) if partner in told else False
            )

    def _search_client_data_hidden(self, operator, value):
        """The partners whose data the current user may (not) read, as
        :meth:`_get_client_data_foreign` decides: the funnels keep to the clients whose stage
        or warmth the user reads, rather than put a colleague's clients in a column without
        a name."""
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                self.env._(
                    "Operation not supported: Client Data Hidden from You %(operator)s %(value)s",
                    operator=operator,
                    value=value,
                )
            )
        hidden = (operator == "=") == value
        if sees_all(self.env):
            return expression.FALSE_DOMAIN if hidden else expression.TRUE_DOMAIN
        if not self.env.user.has_group(USER_GROUP):
            return expression.TRUE_DOMAIN if hidden else expression.FALSE_DOMAIN
        own = self.sudo().with_context(active_test=False)._search(self._get_client_data_own_domain())
        return [("id", "not in" if hidden else "in", own)]

    def _client_hidden_notice(self, said=None):
        """What a user who may not read the client's data is told instead: who handles it
        (``said``: what its stage says of it, ``unassigned`` for a client nobody handles)."""
        manager = self.sudo().commercial_partner_id.user_id
        if manager:
            return self.env._(
                "Handled by %(manager)s — details are visible to %(manager)s and managers.",
                manager=manager.name,
            )
        if said == "unassigned":
            return self.env._(
                "Unassigned: nobody handles this client yet; its details are visible to client base managers."
            )
        return self.env._("Details of this client are visible to its manager and client base managers.")

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
        handles: the manager of its commercial entity, read from the row itself
        (``res_partner_commercial_owner.py``: no second ``res_partner`` to join), compared with
        :func:`owner_ids`, the ownership of the record rules (a test holds the two together).
        Sorting and grouping by protected values use it where a subquery of every owned
        partner would be hashed once per row group."""
        return self._client_owner_condition_sql(self._client_commercial_owner_sql(alias))

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

    # --- who may change a client: its circle ---------------------------------
    def _get_client_clients(self):
        """The records of ``self`` that the client base handles (``client_definition.handled_sql``,
        the one definition): mailing-only contacts, and the clients (as the reports count them)
        with a manager or data of the client base, with their contacts. Partners that are none of
        these (vendors, carriers, employees, the invoice address of a partner the client base does
        not handle) are Odoo's ordinary partners."""
        ids = tuple(pid for pid in self._origin._ids if pid)
        if not ids:
            return self.browse()
        self.flush_model(["commercial_partner_id", "user_id", "client_mailing_only", "partner_share"])
        self.env["clientbase.client.card"].flush_model(["partner_id"])
        self.env["clientbase.client.figures"].flush_model(["partner_id"])
        rows = self.env.execute_query(
            SQL(
                """SELECT p.id FROM res_partner p
                     JOIN res_partner c ON c.id = COALESCE(p.commercial_partner_id, p.id)
                    WHERE p.id IN %(ids)s AND %(handled)s""",
                ids=ids,
                handled=handled_sql("p", "c"),
            )
        )
        return self.browse([row[0] for row in rows])

    def _get_client_write_foreign(self):
        """The records of ``self`` whose ownership, contact data and client base fields the
        current user may not change: clients outside the user's circle.

        The circle of a client is its manager, the client base managers and administrators
        (and the superuser, with which Odoo's own side-effect flows run). A client base user
        handles their own clients (and the pool, when the company shows it) and nothing of a
        colleague; any other user (an accountant, a warehouse clerk, a salesperson outside the
        client base) changes only the clients they manage themselves and partners that are not
        clients. One's own partner (preferences) is always one's own.
        """
        if sees_all(self.env):
            return self.browse()
        own_partner = self.env.user.partner_id.id
        records = self.browse([pid for pid in self._origin._ids if pid and pid != own_partner])
        if not records:
            return records
        if self.env.user.has_group(USER_GROUP):
            return records._get_client_data_foreign()
        clients = records._get_client_clients()
        managed = clients.sudo().filtered(lambda p: p.commercial_partner_id.user_id.id == self.env.uid)
        return self.browse([pid for pid in clients.ids if pid not in set(managed.ids)])

    # --- write doors (hooks of res.partner's create() and write()) ----------
    def _client_access_before_write(self, vals):
        """Refuse changing a client outside one's circle; return whether the new owner must
        be checked after the write too (the partner moved under another company)."""
        guarded = set(vals) & WRITE_GUARDED_FIELDS
        if sees_all(self.env) or not guarded:
            return False
        foreign = self._get_client_write_foreign() - self._client_addresses_being_made()
        if foreign:
            self._client_raise_foreign(foreign)
        if "user_id" in vals and (self._client_is_restricted_user() or self._get_client_clients()):
            self._check_client_reassign(vals["user_id"])
        return bool(guarded & (OWNERSHIP_FIELDS - {"user_id", "active"}))

    def _client_access_after_write(self, check_new_owner):
        if check_new_owner:
            # the new owner is checked too: no moving a partner under someone else's client
            self.invalidate_recordset(["commercial_partner_id"])
            foreign = self._get_client_write_foreign()
            if foreign:
                self._client_raise_foreign(foreign)

    def _client_access_after_create(self):
        if not sees_all(self.env):
            # a contact created under someone else's client would be theirs (and readable as
            # one's own by a client base user): only the client's circle adds contacts
            children = self.filtered("parent_id")
            foreign = (children - children._client_document_addresses())._get_client_write_foreign()
            if foreign:
                self._client_raise_foreign(foreign)

    @api.model
    def _client_access_create_env(self, vals_list):
        """The environment ``create`` runs in: marked (``clientbase_making_addresses``) when some
        of ``vals_list`` are document addresses (:meth:`_client_document_addresses`) under a
        parent, so that the writes Odoo's ``create`` makes on the new address itself (its
        language and address taken from the parent) pass; the caller drops the mark from the
        records it returns."""
        if sees_all(self.env) or not self._client_makes_document_addresses():
            return self
        if any(
            vals.get("parent_id")
            and vals.get("type") in DOCUMENT_ADDRESS_TYPES
            and not vals.get("is_company")
            for vals in vals_list
        ):
            return self.with_context(clientbase_making_addresses=self.env.uid)
        return self

    def _client_addresses_being_made(self):
        """The records of ``self`` that are document addresses this user is making, while
        ``create`` runs (see :meth:`_client_access_create_env`)."""
        if self.env.context.get("clientbase_making_addresses") != self.env.uid:
            return self.browse()
        return (
            self.sudo()
            .filtered(
                lambda p: (
                    p.create_uid.id == self.env.uid
                    and p.type in DOCUMENT_ADDRESS_TYPES
                    and not p.is_company
                    and p.parent_id
                )
            )
            .sudo(self.env.su)
        )

    def _client_makes_document_addresses(self):
        """Whether the current user is outside the client base and issues invoices or
        quotations (Odoo's document flows that add addresses under a customer)."""
        user = self.env.user
        if user.share or user.has_group(USER_GROUP):
            return False
        return any(model in self.env and self.env[model].has_access("create") for model in DOCUMENT_MODELS)

    def _client_document_addresses(self):
        """The records of ``self`` (just created) that are invoice or delivery addresses made by
        a user outside the client base who issues invoices or quotations: Odoo's document flows
        (an accountant invoicing a client, a salesperson of another team quoting) add such an
        address under any customer. It changes no field of the client and, once created, is the
        client's: only the client's circle changes it. Contacts (other types), companies, and
        client base users (who work their own clients) stay refused."""
        if not self._client_makes_document_addresses():
            return self.browse()
        return self.filtered(lambda p: p.type in DOCUMENT_ADDRESS_TYPES and not p.is_company)

    def copy(self, default=None):
        """A copy of a client is a new client of its manager with the same contact data:
        only the client's circle makes one."""
        foreign = self._get_client_write_foreign()
        if foreign:
            self._client_raise_foreign(foreign)
        return super().copy(default=default)

    def unlink(self):
        foreign = self._get_client_write_foreign()
        if foreign:
            self._client_raise_foreign(foreign)
        return super().unlink()

    def _check_client_reassign(self, user_id):
        """Client base users take unassigned clients or release their own; managers reassign."""
        if user_id not in (False, self.env.uid):
            raise AccessError(
                self.env._("Only client base managers can reassign clients to another manager.")
            )
