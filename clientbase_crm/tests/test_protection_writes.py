"""Only a client's circle changes the client (issue 26, class 1).

The circle of a client is its manager, client base managers and administrators. Outsiders
are a colleague in the client base and an internal user with no client base group (an
accountant, a warehouse clerk) who may create and write partners. The property is asserted
over every field the classification guards (``WRITE_GUARDED_FIELDS``), not a list of doors;
on partners that are not clients (a vendor and its invoice address) the outsider keeps what
Odoo lets him do, and Odoo's own flows that create partners as a side effect keep working.
"""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..models.protection.clientbase_security import WRITE_GUARDED_FIELDS
from ..tools.client_definition import client_domain
from .common import EMPLOYEE_GROUPS, USER_GROUPS, ProtectionCommon

# an internal user outside the client base who may create and change partners (Odoo's default
# for employees: "Contact Creation")
OUTSIDER_GROUPS = f"{EMPLOYEE_GROUPS},base.group_partner_manager"
SALESMAN_GROUPS = f"{OUTSIDER_GROUPS},sales_team.group_sale_salesman"


@tagged("post_install", "-at_install", "clientbase_protection")
class TestProtectionWrites(ProtectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.outsider = cls._user("cb_outsider", groups=OUTSIDER_GROUPS)
        cls.secret.write({"email": "secret@example.com", "phone": "+7 900 111-22-33", "city": "Tula"})
        cls.vendor = cls.env["res.partner"].create(
            {"name": "Paper Supplier", "is_company": True, "email": "paper@example.com"}
        )
        cls.writable = cls._guarded_writable_fields()

    @classmethod
    def _guarded_writable_fields(cls):
        """Every guarded partner field a user could send in a write: stored, or with an inverse."""
        Partner = cls.env["res.partner"]
        return sorted(
            fname
            for fname in WRITE_GUARDED_FIELDS
            if fname in Partner._fields
            and (Partner._fields[fname].store or Partner._fields[fname].inverse)
            and not Partner._fields[fname].readonly
        )

    def _same_value(self, partner, fname):
        """The field's current value as a write would send it: writing it changes nothing, so
        a refusal can only come from who writes, not from what."""
        field = partner._fields[fname]
        value = partner.sudo()[fname]
        if field.type == "many2one":
            return value.id
        if field.type in ("one2many", "many2many"):
            return [Command.set(value.ids)]
        return value

    def _snapshot(self, partner):
        Partner = self.env["res.partner"].sudo()
        return Partner.browse(partner.id).read(self.writable)

    def test_outsiders_change_no_guarded_field_of_a_client(self):
        """For every guarded field, a colleague and an internal user outside the client base are
        refused on the client and on its contact; nothing changes."""
        self.assertGreater(len(self.writable), 20, "the classification guards the partner's fields")
        before = [self._snapshot(self.secret), self._snapshot(self.secret_contact)]
        refused = 0
        for user in (self.colleague, self.outsider):
            for target in (self.secret, self.secret_contact):
                for fname in self.writable:
                    value = self._same_value(target, fname)
                    with self.subTest(user=user.login, partner=target.name, field=fname):
                        with self.assertRaises(AccessError), self.env.cr.savepoint():
                            target.with_user(user).write({fname: value})
                        refused += 1
        self.assertEqual(refused, 4 * len(self.writable))
        self.env.invalidate_all()
        self.assertEqual([self._snapshot(self.secret), self._snapshot(self.secret_contact)], before)

    def test_the_circle_writes_every_guarded_field(self):
        """The client's manager, a client base manager and an administrator write every guarded
        field (the same value): the guard refuses outsiders, not the fields."""
        for user in (self.user_salesman, self.user_manager, self.env.ref("base.user_admin")):
            for fname in self.writable:
                value = self._same_value(self.secret, fname)
                with self.subTest(user=user.login, field=fname), self.env.cr.savepoint():
                    self.secret.with_user(user).write({fname: value})

    def test_outsider_real_changes_are_refused(self):
        """The attacks of the issue: reassigning, rewriting the contact data, adding contacts,
        copying, deleting, moving a partner under the client."""
        Partner = self.env["res.partner"]
        attempts = {
            "reassign to himself": lambda u: self.secret.with_user(u).write({"user_id": u.id}),
            "reassign to a colleague": lambda u: self.secret.with_user(u).write(
                {"user_id": self.colleague.id}
            ),
            "rewrite the email": lambda u: self.secret.with_user(u).write({"email": "thief@example.com"}),
            "rewrite the phone": lambda u: self.secret_contact.with_user(u).write(
                {"phone": "+7 999 000-00-00"}
            ),
            "add a contact": lambda u: Partner.with_user(u).create(
                {"name": "Spy", "parent_id": self.secret.id}
            ),
            "add an address": lambda u: Partner.with_user(u).create(
                {"name": "Drop", "type": "delivery", "parent_id": self.secret.id}
            ),
            "copy the client": lambda u: self.secret.with_user(u).copy(),
            "copy its contact": lambda u: self.secret_contact.with_user(u).copy(),
            "delete its contact": lambda u: self.secret_contact.with_user(u).unlink(),
            "move a partner under it": lambda u: (
                Partner.with_user(u).create({"name": "Mole"}).write({"parent_id": self.secret.id})
            ),
            "stamp the data verified": lambda u: self.secret.with_user(u).write(
                {"client_data_verified_date": "2024-01-01"}
            ),
            "set the acquisition channel": lambda u: self.secret.with_user(u).write(
                {"client_referrer_id": False}
            ),
        }
        for user in (self.colleague, self.outsider):
            for what, attempt in attempts.items():
                with self.subTest(user=user.login, attempt=what):
                    with self.assertRaises(AccessError), self.env.cr.savepoint():
                        attempt(user)
        self.env.invalidate_all()
        self.assertEqual(self.secret.user_id, self.user_salesman)
        self.assertEqual(self.secret.email, "secret@example.com")
        self.assertEqual(self.secret.child_ids, self.secret_contact)
        self.assertEqual(Partner.search_count([("name", "in", ("Spy", "Drop", "Mole"))]), 0)

    def test_outsider_keeps_odoo_rights_on_partners_that_are_not_clients(self):
        """A vendor (no manager, no card, no figures, not mailing-only) stays Odoo's: the
        outsider edits its contact data, adds an invoice address, copies and deletes."""
        vendor = self.vendor.with_user(self.outsider)
        vendor.write({"email": "orders@paper.example.com", "phone": "+7 495 000-00-00", "street": "Lenina 1"})
        invoice = (
            self.env["res.partner"]
            .with_user(self.outsider)
            .create(
                {
                    "name": "Paper Billing",
                    "type": "invoice",
                    "parent_id": vendor.id,
                    "email": "bill@paper.example.com",
                }
            )
        )
        invoice.write({"city": "Kaluga"})
        self.assertEqual(invoice.commercial_partner_id, self.vendor)
        copied = vendor.copy()
        copied.unlink()
        self.assertEqual(self.vendor.email, "orders@paper.example.com")
        # giving the vendor a manager makes it a client: from then on, the manager's circle only
        vendor.write({"user_id": self.user_salesman.id})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            vendor.write({"email": "again@paper.example.com"})

    def test_a_salesperson_outside_the_client_base_works_his_own_clients(self):
        """A salesperson of another team (Sales, no client base group) who manages a client
        changes it and creates its delivery address while making a quotation; the same
        salesperson adds no contact under the client base's clients of others."""
        seller = self._user("cb_other_team_seller", groups=SALESMAN_GROUPS)
        own = self.env["res.partner"].create(
            {"name": "Seller's Client", "is_company": True, "user_id": seller.id}
        )
        Partner = self.env["res.partner"].with_user(seller)
        delivery = Partner.create(
            {"name": "Warehouse", "type": "delivery", "parent_id": own.id, "street": "Sadovaya 5"}
        )
        own.with_user(seller).write({"phone": "+7 495 123-45-67"})
        order = (
            self.env["sale.order"]
            .with_user(seller)
            .create({"partner_id": own.id, "partner_shipping_id": delivery.id, "user_id": seller.id})
        )
        self.assertEqual(order.partner_shipping_id.parent_id, own)
        # under a colleague's client: an address for his documents, never a contact
        # (test_an_accountant_invoices_a_client_and_changes_nothing_of_it)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            Partner.create({"name": "Other Buyer", "type": "contact", "parent_id": self.secret.id})

    def test_a_client_base_salesperson_adds_an_address_while_quoting(self):
        """The client base's own salesperson creates a delivery address of his client from a
        quotation."""
        Partner = self.env["res.partner"].with_user(self.colleague)
        delivery = Partner.create({"name": "Depot", "type": "delivery", "parent_id": self.mine.id})
        order = (
            self.env["sale.order"]
            .with_user(self.colleague)
            .create({"partner_id": self.mine.id, "partner_shipping_id": delivery.id})
        )
        self.assertEqual(order.partner_shipping_id, delivery)

    def test_mail_gateway_creates_partners(self):
        """The mail gateway's partner creation (an unknown sender) works for any user."""
        for user in (self.outsider, self.colleague):
            Partner = self.env["res.partner"].with_user(user)
            created = Partner._mail_find_partner_from_emails(
                [f"New Sender <sender.{user.id}@example.com>"], force_create=True
            )
            self.assertEqual(created[0].email, f"sender.{user.id}@example.com")
            found = Partner._find_or_create_from_emails([f"other.{user.id}@example.com"])
            self.assertTrue(found[0].id)

    def test_a_users_own_partner_is_his_own(self):
        """Preferences: a user changes his own partner's contact data even when it is a client."""
        portal_partner = self.env["res.partner"].create(
            {"name": "Employee", "user_id": self.user_salesman.id}
        )
        employee = self._user("cb_employee_client", groups=USER_GROUPS, partner_id=portal_partner.id)
        employee.partner_id.with_user(employee).write({"phone": "+7 900 555-55-55"})
        self.assertEqual(portal_partner.phone, "+7 900 555-55-55")

    def test_the_write_guard_uses_the_one_client_definition(self):
        """The partners the write guard protects are the client base's by the one definition
        (``tools/client_definition.py``): clients as the reports count them (with their
        contacts) that have a manager or client base data, and mailing-only contacts; never the
        company's side (an employee's partner, the company's own partner), even with a manager."""
        Partner = self.env["res.partner"]
        employee = self._user("cb_guard_employee", groups=EMPLOYEE_GROUPS).partner_id
        employee.user_id = self.user_salesman
        self.company.partner_id.user_id = self.user_salesman
        mailing_only = Partner.create({"name": "Guard Mailing Only", "client_mailing_only": True})
        unmanaged = Partner.create({"name": "Guard Vendor", "is_company": True})
        candidates = (
            self.secret
            | self.secret_contact
            | self.mine
            | employee
            | self.company.partner_id
            | mailing_only
            | unmanaged
        )
        guarded = candidates._get_client_clients()
        self.assertEqual(guarded, self.secret | self.secret_contact | self.mine | mailing_only)
        clients = Partner.with_context(active_test=False).search(client_domain())
        for partner in guarded - mailing_only:
            self.assertIn(partner.commercial_partner_id, clients, "a client by the one definition")
        # the company's side is not the client base's to guard: Odoo's own rights decide
        self.assertFalse(employee.with_user(self.outsider)._get_client_write_foreign())

    def test_an_accountant_invoices_a_client_and_changes_nothing_of_it(self):
        """An internal user with invoicing rights and no client base group (an accountant)
        adds an invoice address under a colleague's client, invoices it and posts the invoice
        (Odoo raises the client's customer rank on the way); a salesperson of another team adds a
        delivery address and confirms a quotation. Neither changes the client's ownership or
        contact data, nor the address once made (it is the client's), nor adds a contact."""
        accountant = self._user("cb_accountant", groups=f"{OUTSIDER_GROUPS},account.group_account_invoice")
        seller = self._user("cb_other_team_quoter", groups=SALESMAN_GROUPS)
        Partner = self.env["res.partner"]
        billing = Partner.with_user(accountant).create(
            {"name": "Secret Billing", "type": "invoice", "parent_id": self.secret.id, "street": "Lenina 2"}
        )
        self.assertEqual(billing.commercial_partner_id, self.secret)
        rank = self.secret.customer_rank
        invoice = (
            self.env["account.move"]
            .with_user(accountant)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": billing.id,
                    "invoice_line_ids": [
                        Command.create({"name": "Service", "quantity": 1, "price_unit": 100.0})
                    ],
                }
            )
        )
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.commercial_partner_id, self.secret)
        self.env.invalidate_all()
        self.assertGreater(self.secret.customer_rank, rank)
        delivery = Partner.with_user(seller).create(
            {"name": "Secret Depot", "type": "delivery", "parent_id": self.secret.id}
        )
        order = (
            self.env["sale.order"]
            .with_user(seller)
            .create(
                {
                    "partner_id": self.secret.id,
                    "partner_shipping_id": delivery.id,
                    "user_id": seller.id,
                    "order_line": [Command.create({"product_id": self._product(name="Quoted").id})],
                }
            )
        )
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        # the same users stay outside the client's circle
        for user, address in ((accountant, billing), (seller, delivery)):
            attempts = {
                "reassign": lambda u: self.secret.with_user(u).write({"user_id": u.id}),
                "rewrite the email": lambda u: self.secret.with_user(u).write({"email": "acc@example.com"}),
                "rewrite the contact's phone": lambda u: self.secret_contact.with_user(u).write(
                    {"phone": "+7 999 000-00-01"}
                ),
                "rewrite the address made": lambda u, a=address: a.with_user(u).write(
                    {"street": "Elsewhere"}
                ),
                "add a contact": lambda u: Partner.with_user(u).create(
                    {"name": "Spy", "type": "contact", "parent_id": self.secret.id}
                ),
                "add a private address": lambda u: Partner.with_user(u).create(
                    {"name": "Spy Home", "type": "other", "parent_id": self.secret.id}
                ),
            }
            for what, attempt in attempts.items():
                with self.subTest(user=user.login, attempt=what):
                    with self.assertRaises(AccessError), self.env.cr.savepoint():
                        attempt(user)
        self.env.invalidate_all()
        self.assertEqual((self.secret.user_id, self.secret.email), (self.user_salesman, "secret@example.com"))
        self.assertEqual(billing.street, "Lenina 2")
        # a client base colleague works through the client's manager: no address under his client
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            Partner.with_user(self.colleague).create(
                {"name": "Colleague Depot", "type": "delivery", "parent_id": self.secret.id}
            )
