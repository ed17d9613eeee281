"""Malformed values on the client base's typed fields give a clear error (issue 26, class 8).

A word for a date, a number or a yes/no field, a list that mixes types, a month that does not
exist: the user gets a translated ``ValidationError`` before any SQL runs, and
nothing is logged as a database error. Asserted over every searchable date, number and boolean
field the classification knows, not a list of doors.
"""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..models.protection.clientbase_security import BOOKKEEPING_FIELDS, CARD_FIELDS, DERIVED_FIELDS
from .common import ClientbaseCommon

TYPED = ("date", "datetime", "integer", "float", "monetary", "boolean")


@tagged("post_install", "-at_install", "clientbase_protection")
class TestProtectionTypedValues(ClientbaseCommon):
    def _typed_fields(self):
        Partner = self.env["res.partner"]
        for fname in sorted(CARD_FIELDS.keys() | DERIVED_FIELDS | BOOKKEEPING_FIELDS):
            field = Partner._fields.get(fname)
            if field is not None and field.type in TYPED and field._description_searchable:
                yield fname, field

    def test_malformed_values_are_refused_before_sql(self):
        checked = 0
        for user in (self.user_salesman, self.user_manager):
            Partner = self.env["res.partner"].with_user(user)
            for fname, field in self._typed_fields():
                malformed = [(fname, "=", "not-a-value"), (fname, "in", [1, "not-a-value"])]
                if field.type in ("date", "datetime"):
                    malformed.append((fname, ">", "2024-13-45"))
                for condition in malformed:
                    with self.subTest(user=user.login, condition=condition):
                        with (
                            self.assertNoLogs("odoo.sql_db", "ERROR"),
                            self.assertRaises(ValidationError) as caught,
                            self.env.cr.savepoint(),
                        ):
                            Partner.search([condition])
                        # the user's words, not the database's
                        self.assertNotIn("SELECT", str(caught.exception))
                        checked += 1
        self.assertGreater(checked, 50, "the client base has typed fields to check")

    def test_well_formed_values_still_search(self):
        """Dates as text, whole numbers as text, lists of one type: searched as before."""
        self.client_person.client_birthday = "1990-05-17"
        Partner = self.env["res.partner"].with_user(self.user_salesman)
        self.assertIn(self.client_person, Partner.search([("client_birthday", "=", "1990-05-17")]))
        self.assertIn(self.client_person, Partner.search([("client_birthday", "in", ["1990-05-17", False])]))
        self.assertIn(self.client_person, Partner.search([("client_order_count", "in", [0, "0"])]))
        self.assertIn(self.client_person, Partner.search([("client_is_vip", "=", False)]))

    def test_the_movement_report_refuses_a_month_that_does_not_exist(self):
        Wizard = self.env["clientbase.movement.wizard"].with_user(self.user_manager)
        for vals in ({"month_a": "2025-13-01"}, {"month_b": "2025-02-30"}, {"month_a": "last month"}):
            with self.subTest(vals=vals), self.assertRaises(ValidationError), self.env.cr.savepoint():
                Wizard.create(dict({"dimension": "stage"}, **vals))
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            Wizard.create({"dimension": "shoe_size"})
        wizard = Wizard.create({"dimension": "stage", "month_a": "2025-01-01", "month_b": "2025-02-01"})
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            wizard.write({"month_b": "2025-02-31"})
        self.assertEqual(wizard.action_show()["res_model"], "clientbase.movement.line")

    def _our_typed_fields(self):
        """``(model, field)``: every stored date, number and yes/no field of every model of the
        client base (``clientbase.*``) that its manager may search."""
        for name in sorted(self.env.registry.models):
            Model = self.env[name].with_user(self.user_manager)
            if not name.startswith("clientbase.") or Model._abstract or not Model._auto:
                continue
            if not Model.has_access("read"):
                continue
            for fname, field in sorted(Model._fields.items()):
                if fname != "id" and field.store and field.type in TYPED:
                    yield Model, fname, field

    def test_malformed_values_on_our_other_models_are_refused_before_sql(self):
        """The same property over the client base's other models (figures, interactions,
        consents, segments, journeys, logs...): found by their fields' types, not listed."""
        checked, models = 0, set()
        for Model, fname, field in self._our_typed_fields():
            malformed = [(fname, "=", "not-a-value"), (fname, "in", [1, "not-a-value"])]
            if field.type in ("date", "datetime"):
                malformed.append((fname, ">", "2024-13-45"))
            for condition in malformed:
                with self.subTest(model=Model._name, condition=condition):
                    with (
                        self.assertNoLogs("odoo.sql_db", "ERROR"),
                        self.assertRaises(ValidationError) as caught,
                        self.env.cr.savepoint(),
                    ):
                        Model.search([condition])
                    self.assertNotIn("SELECT", str(caught.exception))
                    checked += 1
            # a well-formed value searches as before
            Model.search_count(
                [(fname, "=", False)] if field.type != "boolean" else [(fname, "in", [True, False])]
            )
            models.add(Model._name)
        self.assertGreater(len(models), 5, f"the client base's models with typed fields: {sorted(models)}")
        self.assertGreater(checked, 50)
