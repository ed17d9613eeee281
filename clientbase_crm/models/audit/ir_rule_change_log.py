"""What the change log's rule of readable fields reads: the logged fields a user may not read.

A logged field restricted to groups (Odoo's ``groups="a,b"``: a member of any of them reads
it; ``!c`` excludes a group) hides its changes from every other user, whoever handles the
client. The rule (``security/clientbase_change_log_rules.xml``) names these fields through
the rules' evaluation context, computed from the fields' definitions as they are now: a field
that gains or loses a group hides or shows its whole history.
"""

from odoo import api, models

# the name under which the rule's domain reads the fields the user may not read
HIDDEN_FIELDS = "clientbase_change_log_hidden_fields"
FIELD_RULE = "clientbase_change_log_rule_field_groups"


class IrRule(models.Model):
    _inherit = "ir.rule"

    @api.model
    def _eval_context(self):
        context = super()._eval_context()
        context[HIDDEN_FIELDS] = self._clientbase_change_log_hidden_fields()
        return context

    @api.model
    def _clientbase_change_log_rule_updatable(self):
        """An older release declared the rule ``noupdate``: let the file rewrite it on upgrades
        (called before the record, written at once for the loading of the record that follows)."""
        data = self.env["ir.model.data"].search(
            [("module", "=", "clientbase_crm"), ("name", "=", FIELD_RULE), ("noupdate", "=", True)]
        )
        data.write({"noupdate": False})
        data.flush_recordset(["noupdate"])

    @api.model
    def _clientbase_change_log_hidden_fields(self):
        """The partner fields restricted to groups the current user is in none of (any field a
        row may name, not only those logged today: a row names the field it was logged for)."""
        return sorted(
            fname
            for fname, field in self.env["res.partner"]._fields.items()
            if field.groups and not self._clientbase_in_groups(field.groups)
        )

    @api.model
    def _clientbase_in_groups(self, group_spec):
        """Whether the current user satisfies ``group_spec`` as a field's ``groups`` says it: a
        member of any of its groups and of none of those marked ``!``. Unlike ``has_groups``,
        the technical features group counts outside debug mode too: the rules' domains are
        cached per user, not per request."""
        user = self.env.user
        specs = [spec.strip() for spec in group_spec.split(",") if spec.strip()]
        positives = [spec for spec in specs if not spec.startswith("!")]
        if any(user._has_group(spec[1:]) for spec in specs if spec.startswith("!")):
            return False
        return not positives or any(user._has_group(spec) for spec in positives)
