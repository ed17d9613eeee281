"""The client base's record rules of ownership, generated from one table.

Who handles a client is said once, in Python: :func:`owner_ids` (the current
user, and the unassigned pool when their company shows it), and how the rows of
each protected model reach their client's manager: ``CLIENT_OWNERSHIP``, both in
``clientbase_security.py``. From these, :meth:`IrRule._clientbase_generate_rules`
writes, for every protected model, the client base users' rule of ownership and
the managers' rule of all clients (and, for a model whose rows have an author,
the users' rule to change only their own rows). It runs from
``security/clientbase_ownership_rules.xml`` on every install **and** every
upgrade (that file is not ``noupdate``), so a database of an older release ends
with the generated domains under the rules' old xml ids; the records themselves
are ``noupdate``, as declared rules are, so an upgrade never deletes them.

A rule's domain names no client base field of its own: it reads the owners from
the evaluation context (``clientbase_owner_ids``), so that changing who handles a
client changes every rule at once.

Strict visibility (the company setting ``client_strict_visibility``) is a rule of
its own on ``res.partner``, kept by :meth:`IrRule._clientbase_sync_strict_rules`
whenever a company switches it: it is active only while some company is strict,
and it restricts the users whose company (``user.company_id``, the company the
pool setting is read from too) is one of the strict companies, listed by id in
the domain. The domain names only fields of ``base``: Odoo evaluates the
partner's rules also while a module below the client base is being updated, when
the company has no such field yet.

The read rules of Odoo's documents of a client (``CLIENT_DOCUMENTS``: orders and their lines,
which the client's manager reads whoever carries them, and every salesperson those of the
unassigned pool where his company shows it) are generated from their path to the client's
manager, with ``user.id`` and the companies hiding the pool listed by id in the domain (see
there why not the owners), kept by :meth:`IrRule._clientbase_sync_document_rules` whenever a
company switches its pool setting.

The rules that say nothing of clients are generated the same way, so that no domain is
written twice: the multi-company rule of every model of ``COMPANY_SCOPED_MODELS`` and
the rules of rows that belong to their author (``OWN_ROWS``: exports, requests, files
and matrices a user made).

To protect a new model, add one line to ``CLIENT_OWNERSHIP``: its rules follow on
the next upgrade, and the ownership test covers them.
"""

from odoo import Command, api, models

from .clientbase_security import (
    CLIENT_DOCUMENTS,
    CLIENT_OWNERSHIP,
    COMPANY_SCOPED_MODELS,
    MANAGER_GROUP,
    OWN_ROWS,
    USER_GROUP,
    owner_ids,
)

MODULE = "clientbase_crm"
# the name under which the generated domains read owner_ids()
OWNERS = "clientbase_owner_ids"
ALL_PERMS = {"perm_read": True, "perm_write": True, "perm_create": True, "perm_unlink": True}
READ_ONLY = dict(ALL_PERMS, perm_write=False, perm_create=False, perm_unlink=False)
CHANGE_ONLY = dict(ALL_PERMS, perm_read=False)
# the one multi-company domain of the client base's rules
COMPANY_DOMAIN = "[('company_id', 'in', company_ids)]"
ALL_ROWS = "[(1, '=', 1)]"
STRICT_USER_RULE = "res_partner_rule_clientbase_strict_user"
STRICT_MANAGER_RULE = "res_partner_rule_clientbase_strict_manager"


def ownership_domain(owned):
    """The rule domain (text) of the rows a client base user reads under ``owned``."""
    domain = f"[({owned.manager!r}, 'in', {OWNERS})]"
    if owned.author:
        domain = f"['|', ({owned.author!r}, '=', user.id), ({owned.manager!r}, 'in', {OWNERS})]"
    if owned.open_without:
        domain = f"['|', ({owned.open_without!r}, '=', False), ({owned.manager!r}, 'in', {OWNERS})]"
    return domain


def author_domain(owned):
    """The rule domain (text) of the rows a client base user changes: their own."""
    return f"[({owned.author!r}, '=', user.id)]"


def strict_domain(company_ids):
    """The strict rule's domain (text): users of ``company_ids`` see the partners that are
    nobody else's client (their own, and those without a manager: colleagues, suppliers,
    the unassigned pool); users of other companies see every partner."""
    return (
        "[('commercial_partner_id.user_id', 'in', [user.id, False])] "
        f"if user.company_id.id in {sorted(company_ids)!r} else [(1, '=', 1)]"
    )


def document_domain(path, pool_hidden_company_ids):
    """The domain (text) of the client documents a client base user reads whoever carries them
    (``path``: to the client's manager): those of the clients he handles, as :func:`owner_ids`
    says (his own, and the unassigned pool unless his company hides it), with the companies
    that hide it listed by id: the domain names only ``base``'s fields."""
    return (
        f"[({path!r}, '=', user.id)] if user.company_id.id in {sorted(pool_hidden_company_ids)!r} "
        f"else [({path!r}, 'in', [user.id, False])]"
    )


def rule_xmlid(model, suffix, module=MODULE):
    """The generated rule's xml id: bare for the client base's own, ``module.name`` for the
    rules of a model another addon registered (``Owned.module``)."""
    name = f"{model.replace('.', '_')}_rule_{suffix}"
    return name if module == MODULE else f"{module}.{name}"


def full_xmlid(name):
    return name if "." in name else f"{MODULE}.{name}"


class IrRule(models.Model):
    _inherit = "ir.rule"

    @api.model
    def _eval_context(self):
        context = super()._eval_context()
        context[OWNERS] = owner_ids(self.env)
        return context

    @api.model
    def _clientbase_rule(self, model, name, groups, domain, perms=None):
        """The values of one generated rule on ``model``: named ``"<the model's label>:
        <name>"``, for ``groups`` (ids; none for a global rule), with ``domain`` (text) and the
        permissions ``perms`` (all by default). Every generated rule is made here."""
        return dict(
            ALL_PERMS if perms is None else perms,
            model_id=self.env["ir.model"]._get_id(model),
            active=True,
            name=f"{self.env[model]._description}: {name}",
            groups=groups,
            domain_force=domain,
        )

    @api.model
    def _clientbase_ownership_rules(self):
        """``{xml id: values}`` of every rule generated from ``CLIENT_OWNERSHIP``."""
        user_group = self.env.ref(USER_GROUP).ids
        manager_group = self.env.ref(MANAGER_GROUP).ids
        rules = {}
        for model, owned in CLIENT_OWNERSHIP.items():
            owners = ownership_domain(owned)
            if owned.author:
                rules[rule_xmlid(model, "user_read", owned.module)] = self._clientbase_rule(
                    model, "own clients and own entries (read)", user_group, owners, READ_ONLY
                )
                rules[rule_xmlid(model, "user", owned.module)] = self._clientbase_rule(
                    model, "change own entries", user_group, author_domain(owned), CHANGE_ONLY
                )
            else:
                rules[rule_xmlid(model, "user", owned.module)] = self._clientbase_rule(
                    model, "own clients", user_group, owners
                )
            rules[rule_xmlid(model, "manager", owned.module)] = self._clientbase_rule(
                model, "all clients", manager_group, ALL_ROWS
            )
        return rules

    @api.model
    def _clientbase_document_rules(self):
        """``{xml id: values}`` of the rules of ``CLIENT_DOCUMENTS``: a client base user reads
        every such document of the clients he handles (:func:`document_domain`), as the
        companies' pool settings are now."""
        user_group = self.env.ref(USER_GROUP).ids
        pool_hidden = (
            self.env["res.company"]
            .sudo()
            .with_context(active_test=False)
            .search([("client_pool_visible", "=", False)])
        )
        return {
            rule_xmlid(model, "client_manager"): self._clientbase_rule(
                model,
                "all of the clients one handles (read)",
                user_group,
                document_domain(path, pool_hidden.ids),
                READ_ONLY,
            )
            for model, path in CLIENT_DOCUMENTS.items()
        }

    @api.model
    def _clientbase_sync_document_rules(self):
        """Follow the companies' unassigned pool setting (called when it changes)."""
        self._clientbase_write_rules(self._clientbase_document_rules())

    @api.model
    def _clientbase_company_rules(self):
        """``{xml id: values}`` of the global multi-company rules of ``COMPANY_SCOPED_MODELS``."""
        return {
            rule_xmlid(model, "company"): self._clientbase_rule(model, "multi-company", [], COMPANY_DOMAIN)
            for model in COMPANY_SCOPED_MODELS
        }

    @api.model
    def _clientbase_own_rows_rules(self):
        """``{xml id: values}`` of the rules of ``OWN_ROWS``: the author's rows to the author
        (for the given groups, the managers reading all; or, without groups, a global rule)."""
        manager_group = self.env.ref(MANAGER_GROUP).ids
        rules = {}
        for model, own in OWN_ROWS.items():
            domain = f"[({own.author!r}, '=', user.id)]"
            if not own.groups:
                rules[rule_xmlid(model, "own")] = self._clientbase_rule(model, "own", [], domain)
                continue
            groups = sorted({self.env.ref(group).id for group in own.groups})
            rules[rule_xmlid(model, "user")] = self._clientbase_rule(model, "own", groups, domain)
            rules[rule_xmlid(model, "manager")] = self._clientbase_rule(model, "all", manager_group, ALL_ROWS)
        return rules

    @api.model
    def _clientbase_generated_rules(self):
        """``{xml id: values}`` of every rule the client base generates."""
        return {
            **self._clientbase_ownership_rules(),
            **self._clientbase_document_rules(),
            **self._clientbase_company_rules(),
            **self._clientbase_own_rows_rules(),
            **self._clientbase_strict_rules(),
        }

    @api.model
    def _clientbase_strict_rules(self):
        """``{xml id: values}`` of the strict visibility rules on partners, as the companies'
        settings are now."""
        strict = (
            self.env["res.company"]
            .sudo()
            .with_context(active_test=False)
            .search([("client_strict_visibility", "=", True)])
        )
        common = dict(ALL_PERMS, model_id=self.env["ir.model"]._get_id("res.partner"), active=bool(strict))
        return {
            STRICT_USER_RULE: dict(
                common,
                name="Partner: strict mode, own clients and non-clients",
                groups=self.env.ref(USER_GROUP).ids,
                domain_force=strict_domain(strict.ids),
            ),
            STRICT_MANAGER_RULE: dict(
                common,
                name="Partner: client base managers see all",
                groups=self.env.ref(MANAGER_GROUP).ids,
                domain_force=ALL_ROWS,
            ),
        }

    @api.model
    def _clientbase_generate_rules(self):
        """Create or rewrite every generated rule of the client base (install and upgrade)."""
        self._clientbase_write_rules(self._clientbase_generated_rules())

    @api.model
    def _clientbase_sync_strict_rules(self):
        """Follow the companies' strict visibility setting (called when it changes)."""
        self._clientbase_write_rules(self._clientbase_strict_rules())

    @api.model
    def _clientbase_write_rules(self, rules):
        """Write ``rules`` (``{xml id: values}``) under the client base's xml ids: an existing
        record (also one declared in XML by an older release) is rewritten where it differs,
        a missing one created; the xml ids are ``noupdate`` like declared rules."""
        Rule = self.sudo().with_context(active_test=False)
        new_xmlids = []
        for name, values in rules.items():
            values = dict(values, groups=sorted(values["groups"]))
            vals = dict(values, groups=[Command.set(values["groups"])])
            rule = self.env.ref(full_xmlid(name), raise_if_not_found=False)
            if rule is None:
                new_xmlids.append({"xml_id": full_xmlid(name), "record": Rule.create(vals), "noupdate": True})
                continue
            current = {
                "name": rule.name,
                "model_id": rule.model_id.id,
                "active": rule.active,
                "domain_force": rule.domain_force,
                "groups": sorted(rule.groups.ids),
                **{perm: rule[perm] for perm in ALL_PERMS},
            }
            changed = {fname: vals[fname] for fname, value in values.items() if current[fname] != value}
            if changed:
                rule.sudo().write(changed)
        self.env["ir.model.data"]._update_xmlids(new_xmlids)
