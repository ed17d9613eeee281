"""Every record rule of the client base says who handles a client the one way Python says it.

The ownership lives in ``clientbase_security`` (``owner_ids`` and ``CLIENT_OWNERSHIP``) and the
salespeople's and managers' rules are generated from it (``models/protection/ir_rule.py``); these
tests hold every rule in the database against that source, and the rows a salesperson gets through
the ORM against the rows Python says are theirs.
"""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from ..models.protection.clientbase_security import (
    ADMIN_GROUP,
    CLIENT_DOCUMENTS,
    CLIENT_OWNERSHIP,
    COMPANY_SCOPED_MODELS,
    EXPORT_GROUP,
    MANAGER_GROUP,
    OWN_ROWS,
    PROTECTED_MODELS,
    USER_GROUP,
    owner_ids,
)
from ..models.protection.ir_rule import STRICT_MANAGER_RULE, STRICT_USER_RULE, full_xmlid, strict_domain
from .common import USER_GROUPS, ProtectionCommon

# the models whose rules decide who reads a client's data, besides the protected models
# themselves: the partner (strict visibility) and the activities (the client base's reminders)
RULED_MODELS = PROTECTED_MODELS | {"res.partner", "mail.activity"}


@tagged("post_install", "-at_install", "clientbase_protection")
class TestOwnershipRules(ProtectionCommon):
    def _rules_in_scope(self):
        """Every rule of the client base's groups (on any model), every global rule on the ruled
        models, and every rule the client base declares or generates."""
        Rule = self.env["ir.rule"].with_context(active_test=False)
        groups = [self.env.ref(xmlid).id for xmlid in (USER_GROUP, MANAGER_GROUP, EXPORT_GROUP, ADMIN_GROUP)]
        ours = self.env["ir.model.data"].search(
            [("module", "=", "clientbase_crm"), ("model", "=", "ir.rule")]
        )
        return (
            Rule.search([("groups", "in", groups)])
            | Rule.search([("global", "=", True), ("model_id.model", "in", sorted(RULED_MODELS))])
            | Rule.browse(ours.mapped("res_id"))
        )

    def _leaf_reaches_client_manager(self, model, path):
        """Whether the field path ``path`` of ``model`` ends at a partner's manager (``user_id``)."""
        Model = self.env[model]
        *hops, last = path.split(".")
        for hop in hops:
            Model = self.env[Model._fields[hop].comodel_name]
        return Model._name == "res.partner" and last == "user_id"

    def test_every_rule_follows_the_one_source(self):
        """Each of the 52 rules in scope (with this addon's dependencies: 48 generated from
        CLIENT_OWNERSHIP, CLIENT_DOCUMENTS, COMPANY_SCOPED_MODELS, OWN_ROWS and the strict setting, 3 declared by
        the client base (the activities' pair, the change log's readable fields), 1 of Odoo's,
        the partners' multi-company rule) is either generated and holds exactly the generated
        values, or says nothing about who handles a client: on a protected model it is global,
        and no leaf of it reaches a partner's manager."""
        Rule = self.env["ir.rule"]
        generated = Rule._clientbase_generated_rules()
        by_id = {self.env.ref(full_xmlid(name)).id: (name, values) for name, values in generated.items()}
        rules = self._rules_in_scope()
        self.assertEqual(set(by_id) - set(rules.ids), set(), "every generated rule exists")
        context = Rule.with_user(self.user_salesman)._eval_context()
        checked = {"generated": 0, "declared": 0}
        for rule in rules:
            model = rule.model_id.model
            if rule.id in by_id:
                name, values = by_id[rule.id]
                for fname, value in values.items():
                    actual = rule[fname].ids if fname == "groups" else rule[fname]
                    if fname == "model_id":
                        actual = rule.model_id.id
                    self.assertEqual(
                        sorted(actual) if fname == "groups" else actual, value, f"{name}.{fname}"
                    )
                checked["generated"] += 1
                continue
            self.assertNotIn("clientbase_owner_ids", rule.domain_force or "", rule.name)
            self.assertNotIn("client_pool_visible", rule.domain_force or "", rule.name)
            domain = safe_eval(rule.domain_force or "[]", context)
            paths = [
                leaf[0] for leaf in domain if isinstance(leaf, (list, tuple)) and isinstance(leaf[0], str)
            ]
            if model in PROTECTED_MODELS:
                # besides the generated ones, only global rules that say nothing of clients (the
                # change log's rule of the fields a user may read)
                self.assertTrue(
                    rule["global"], f"{rule.name}: a declared rule of a group on a protected model"
                )
            for path in paths:
                self.assertFalse(
                    self._leaf_reaches_client_manager(model, path),
                    f"{rule.name} says who handles a client outside CLIENT_OWNERSHIP",
                )
            checked["declared"] += 1
        self.assertEqual(checked["generated"], len(generated))
        own_rows = sum(2 if own.groups else 1 for own in OWN_ROWS.values())
        self.assertEqual(
            checked["generated"],
            2 * len(CLIENT_OWNERSHIP) + 1 + 2 + len(COMPANY_SCOPED_MODELS) + own_rows + len(CLIENT_DOCUMENTS),
            "user+manager, author, strict, multi-company, own rows, clients' documents",
        )
        self.assertGreaterEqual(checked["declared"], 3, checked)

    def test_no_rule_domain_is_written_twice(self):
        """Apart from the managers' "all rows" and the rules generated from one table, the
        client base declares each rule domain once: no two rules it owns repeat a domain."""
        generated = self.env["ir.rule"]._clientbase_generated_rules()
        ours = self.env["ir.model.data"].search(
            [("module", "=", "clientbase_crm"), ("model", "=", "ir.rule")]
        )
        declared = [
            self.env["ir.rule"].browse(data.res_id).domain_force
            for data in ours
            if data.name not in generated
        ]
        self.assertTrue(declared, "the activities' rules are declared in XML")
        self.assertEqual(len(declared), len(set(declared)), declared)

    def test_every_protected_model_is_ruled_for_salespeople(self):
        """A salesperson reaches a protected model only through a generated rule of ownership: every
        protected model has one for each access mode, and no other rule of the user group."""
        Rule = self.env["ir.rule"]
        generated = {self.env.ref(full_xmlid(name)) for name in Rule._clientbase_ownership_rules()}
        user_group = self.env.ref(USER_GROUP)
        for model in PROTECTED_MODELS:
            for mode in ("read", "write", "create", "unlink"):
                rules = Rule.search(
                    [
                        ("model_id.model", "=", model),
                        ("groups", "in", user_group.ids),
                        (f"perm_{mode}", "=", True),
                    ]
                )
                self.assertTrue(rules, f"{model}: no rule of the client base users for {mode}")
                self.assertTrue(set(rules) <= generated, f"{model}: a rule of the user group not generated")

    def test_salespeople_get_the_rows_python_says(self):
        """Through the ORM (the rules in the database), a salesperson gets exactly the rows whose
        client's manager is one of owner_ids() (or that they wrote, where rows have an author),
        with and without the unassigned pool; counts the models that really held rows."""
        Partner = self.env["res.partner"]
        unassigned = Partner.create({"name": "Pool Client", "is_company": True, "client_profession": "Baker"})
        self.mine.client_needs = "colleague's own needs"
        clients = self.secret | self.mine | unassigned
        for client in clients:
            self._set_figures(client, order_count=1)
            self._consent(client)
        self._log_interaction(self.secret, user=self.user_salesman)
        self._log_interaction(self.mine, user=self.colleague)
        self._log_interaction(unassigned)
        # an entry the colleague logged on a client who is not theirs (before a handover)
        self.env["clientbase.interaction"].create(
            {"client_id": self.secret.id, "user_id": self.colleague.id, "result": "reached"}
        )
        self.env.flush_all()
        models_with_rows = set()
        for pool in (False, True):
            self.company.client_pool_visible = pool
            for user in (self.user_salesman, self.colleague):
                env = self.env(user=user)
                owners = owner_ids(env)
                self.assertEqual(owners, [user.id, False] if pool else [user.id])
                for model, owned in CLIENT_OWNERSHIP.items():
                    rows = self.env[model].search([])
                    if not rows:
                        continue
                    models_with_rows.add(model)
                    expected = rows.filtered(
                        lambda row, owned=owned, owners=owners, user=user: (
                            (row.mapped(owned.manager).id or False) in owners
                            or (owned.author and row[owned.author] == user)
                            or (owned.open_without and not row.mapped(owned.open_without))
                        )
                    )
                    self.assertEqual(
                        env[model].search([("id", "in", rows.ids)]),
                        expected.with_env(env),
                        f"{model} pool={pool}",
                    )
        self.assertGreaterEqual(
            len(
                models_with_rows
                & {"clientbase.client.card", "clientbase.client.figures", "clientbase.consent"}
            ),
            3,
        )
        self.assertIn("clientbase.interaction", models_with_rows)

    def test_upgrade_rewrites_an_old_rule(self):
        """A database of an older release holds its (noupdate) rules under the same xml ids: the
        generation rewrites them in place, recreates a missing one, leaves a right one alone, and
        switches the strict rule on for the companies already strict."""
        Rule = self.env["ir.rule"]
        card_rule = self.env.ref("clientbase_crm.clientbase_client_card_rule_user")
        card_rule.write(
            {
                "domain_force": "[('partner_id.commercial_partner_id.user_id', 'in', [user.id, False] "
                "if user.company_id.client_pool_visible else [user.id])]",
                "groups": [Command.link(self.env.ref(MANAGER_GROUP).id)],
                "perm_unlink": False,
            }
        )
        self.env.ref("clientbase_crm.clientbase_report_cohort_rule_manager").unlink()
        figures_rule = self.env.ref("clientbase_crm.clientbase_client_figures_rule_user")
        figures_written = figures_rule.write_date
        Rule._clientbase_generate_rules()
        card_values = Rule._clientbase_ownership_rules()["clientbase_client_card_rule_user"]
        self.assertEqual(card_rule.domain_force, card_values["domain_force"])
        self.assertEqual(card_rule.groups, self.env.ref(USER_GROUP))
        self.assertTrue(card_rule.perm_unlink)
        cohort = self.env.ref("clientbase_crm.clientbase_report_cohort_rule_manager")
        self.assertEqual(cohort.groups, self.env.ref(MANAGER_GROUP))
        self.assertEqual(figures_rule.write_date, figures_written)
        # a company strict before the upgrade (the old rule read the setting itself) stays strict
        self.env.cr.execute(
            "UPDATE res_company SET client_strict_visibility = TRUE WHERE id = %s", [self.company.id]
        )
        self.env["res.company"].invalidate_model(["client_strict_visibility"])
        Rule._clientbase_generate_rules()
        strict = self.env.ref(f"clientbase_crm.{STRICT_USER_RULE}")
        self.assertTrue(strict.active)
        self.assertEqual(strict.domain_force, strict_domain([self.company.id]))


@tagged("post_install", "-at_install", "clientbase_protection")
class TestStrictVisibilityRule(ProtectionCommon):
    """Strict visibility is a rule of its own, switched by the companies' setting."""

    def test_strict_rule_follows_the_setting_per_company(self):
        strict_user = self.env.ref(f"clientbase_crm.{STRICT_USER_RULE}")
        strict_manager = self.env.ref(f"clientbase_crm.{STRICT_MANAGER_RULE}")
        self.assertFalse(strict_user.active or strict_manager.active, "off by default")
        other_company = self.env["res.company"].create({"name": "Second Company"})
        other_salesperson = new_test_user(
            self.env,
            login="cb_strict_other",
            groups=USER_GROUPS,
            company_id=other_company.id,
            company_ids=[Command.set((self.company | other_company).ids)],
        )
        foreign = self.secret | self.secret_contact
        self.company.client_strict_visibility = True
        self.assertTrue(strict_user.active and strict_manager.active)
        self.assertNotIn("client_strict_visibility", strict_user.domain_force, "no probe of a field")
        # the strict company's salesperson sees no colleague's client; the other company's does
        self.assertFalse(
            self.env["res.partner"].with_user(self.colleague).search([("id", "in", foreign.ids)])
        )
        with self.assertRaises(AccessError):
            self.secret.with_user(self.colleague).read(["email"])
        self.assertEqual(
            self.env["res.partner"].with_user(other_salesperson).search([("id", "in", foreign.ids)]), foreign
        )
        other_company.client_strict_visibility = True
        self.assertFalse(
            self.env["res.partner"].with_user(other_salesperson).search([("id", "in", foreign.ids)])
        )
        # the client's manager and the client base managers still see it
        self.assertEqual(
            self.env["res.partner"].with_user(self.user_salesman).search([("id", "in", foreign.ids)]), foreign
        )
        self.assertEqual(
            self.env["res.partner"].with_user(self.user_manager).search([("id", "in", foreign.ids)]), foreign
        )
        (self.company | other_company).write({"client_strict_visibility": False})
        self.assertFalse(strict_user.active or strict_manager.active)
        self.assertEqual(
            self.env["res.partner"].with_user(self.colleague).search([("id", "in", foreign.ids)]), foreign
        )
