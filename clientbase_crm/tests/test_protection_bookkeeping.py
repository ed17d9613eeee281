"""The client base's bookkeeping dates are protected like the card (issue 26, class 2).

A birthday greeting is sent on the birthday, a reminder days before it: the dates tell the
birthday. A verification or a mailing response date tells the manager's work. They read,
search, sort and group for the client's circle only; every public client base field says why
it may be public.
"""

from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..models.protection.clientbase_security import (
    BOOKKEEPING_FIELDS,
    CARD_FIELDS,
    DERIVED_FIELDS,
    PUBLIC_FIELDS,
    USER_GROUP,
)
from .common import ProtectionCommon

DAY = date(2024, 3, 9)


@tagged("post_install", "-at_install", "clientbase_protection")
class TestProtectionBookkeeping(ProtectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        Partner._client_set_columns(cls.secret.ids, dict.fromkeys(BOOKKEEPING_FIELDS, DAY))
        Partner._client_set_columns(cls.mine.ids, dict.fromkeys(BOOKKEEPING_FIELDS, date(2023, 1, 2)))

    def test_every_public_field_says_why(self):
        """Every client base field is protected unless a stated reason makes it public."""
        for fname, reason in PUBLIC_FIELDS.items():
            self.assertIsInstance(reason, str, fname)
            self.assertGreater(len(reason.split()), 3, f"{fname}: say why it is harmless")
        self.assertFalse(BOOKKEEPING_FIELDS & PUBLIC_FIELDS.keys())
        self.assertLessEqual(BOOKKEEPING_FIELDS, DERIVED_FIELDS)
        self.assertFalse(CARD_FIELDS.keys() & PUBLIC_FIELDS.keys())
        for fname in BOOKKEEPING_FIELDS:
            field = self.env["res.partner"]._fields[fname]
            self.assertFalse(field.store, f"{fname}: a stored field reads, sorts and groups for anyone")
            self.assertEqual(field.groups, USER_GROUP, fname)

    def test_bookkeeping_reaches_the_circle_only(self):
        targets = self.secret | self.mine
        for fname in sorted(BOOKKEEPING_FIELDS):
            with self.subTest(field=fname):
                # the manager of the client and a client base manager see the date
                for user in (self.user_salesman, self.user_manager):
                    Partner = self.env["res.partner"].with_user(user)
                    self.assertEqual(Partner.browse(self.secret.id)[fname], DAY)
                    self.assertIn(self.secret, Partner.search([(fname, "=", DAY)]))
                # a colleague: blank, never found by the value, grouped and sorted as blank
                Partner = self.env["res.partner"].with_user(self.colleague)
                self.assertFalse(Partner.browse(self.secret.id)[fname])
                self.assertEqual(Partner.browse(self.mine.id)[fname], date(2023, 1, 2))
                self.assertFalse(Partner.search([("id", "in", targets.ids), (fname, "=", DAY)]))
                self.assertEqual(Partner.search([("id", "in", targets.ids), (fname, "!=", False)]), self.mine)
                groups = Partner.read_group([("id", "in", targets.ids)], [fname], [f"{fname}:day"])
                self.assertNotIn("2024", repr(groups))
                for order in (f"{fname} asc, id", f"{fname} desc, id"):
                    ordered = Partner.search([("id", "in", targets.ids)], order=order)
                    nulls_last = order.endswith("asc, id")  # PostgreSQL: NULLS LAST ascending
                    self.assertEqual(ordered[-1 if nulls_last else 0], self.secret, order)
                # outside the client base: not readable at all
                outsider = self.env["res.partner"].with_user(self.plain_employee).browse(self.secret.id)
                with self.assertRaises(AccessError):
                    outsider.read([fname])

    def test_portal_client_reads_no_bookkeeping(self):
        portal = self._user(
            "cb_bookkeeping_portal", groups="base.group_portal", partner_id=self.secret_contact.id
        )
        partner = self.env["res.partner"].with_user(portal).browse(self.secret.id)
        for fname in BOOKKEEPING_FIELDS:
            with self.assertRaises(AccessError):
                partner.read([fname])

    def test_the_manager_stamps_the_data_verified(self):
        """The manager's "data verified" writes the column; a colleague's is refused."""
        self.secret.with_user(self.user_salesman).action_client_verify_data()
        self.env.invalidate_all()
        self.assertNotEqual(self.secret.client_data_verified_date, DAY)
        with self.assertRaises(AccessError):
            self.secret.with_user(self.colleague).write({"client_data_verified_date": DAY})
