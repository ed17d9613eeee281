"""Shared fixtures of the addon's tests.

Users are made with ``new_test_user``: the password is the login, so that HTTP tests
and browser tours log in as them (``self.authenticate(login, login)``,
``start_tour(..., login=login)``).
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, TransactionCase, new_test_user

# group lists of the users the tests play
USER_GROUPS = "base.group_user,clientbase_crm.group_clientbase_user"
MANAGER_GROUPS = "base.group_user,clientbase_crm.group_clientbase_manager"
EXPORT_GROUPS = f"{USER_GROUPS},clientbase_crm.group_clientbase_export"
MARKETING_GROUPS = f"{MANAGER_GROUPS},mass_mailing.group_mass_mailing_user"
EMPLOYEE_GROUPS = "base.group_user"


class ClientbaseFixtures:
    """A manager, two salespeople and a small client base of the first salesperson:
    a company with a key employee, and a private person."""

    @classmethod
    def _setup_clientbase_fixtures(cls):
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.user_salesman = new_test_user(
            cls.env, login="cb_salesman", name="Sales Person", groups=USER_GROUPS
        )
        cls.user_salesman_2 = new_test_user(
            cls.env, login="cb_salesman_2", name="Other Sales Person", groups=USER_GROUPS
        )
        cls.user_manager = new_test_user(
            cls.env, login="cb_manager", name="Sales Manager", groups=MANAGER_GROUPS
        )
        Partner = cls.env["res.partner"]
        cls.client_company = Partner.create(
            {
                "name": "Romashka LLC",
                "is_company": True,
                "email": "info@romashka.example.com",
                "user_id": cls.user_salesman.id,
            }
        )
        cls.client_employee = Partner.create(
            {
                "name": "Ivan Petrov",
                "parent_id": cls.client_company.id,
                "function": "Purchasing Director",
                "client_is_decision_maker": True,
            }
        )
        cls.client_person = Partner.create(
            {"name": "Anna Smirnova", "email": "anna@example.com", "user_id": cls.user_salesman.id}
        )

    @classmethod
    def _user(cls, login, groups=USER_GROUPS, **values):
        """Another user (password = login)."""
        return new_test_user(cls.env, login=login, groups=groups, **values)

    @classmethod
    def _marketer(cls, login="cb_marketer"):
        """A client base manager who prepares mailings (Email Marketing user)."""
        return new_test_user(
            cls.env, login=login, name="Marketer", email=f"{login}@example.com", groups=MARKETING_GROUPS
        )

    @classmethod
    def _consent(cls, partner, channel="email", purpose="marketing", state="given", **values):
        return cls.env["clientbase.consent"].create(
            dict({"partner_id": partner.id, "channel": channel, "purpose": purpose, "state": state}, **values)
        )

    @classmethod
    def _product(cls, name="Client base product", price=50.0):
        return cls.env["product.product"].create(
            {"name": name, "list_price": price, "taxes_id": [(5, 0, 0)], "type": "service"}
        )

    @classmethod
    def _order(cls, partner, product=None, confirm=True, **values):
        """An order of one ``product`` for ``partner``, confirmed unless ``confirm=False``."""
        product = product or cls._product()
        order = cls.env["sale.order"].create(
            dict(
                {
                    "partner_id": partner.id,
                    "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1})],
                },
                **values,
            )
        )
        if confirm:
            order.action_confirm()
        return order

    @classmethod
    def _log_interaction(cls, client, user=None, days_ago=0, **values):
        """An interaction with ``client`` (a reached outgoing call by default), ``days_ago`` days back."""
        Interaction = cls.env["clientbase.interaction"]
        if user:
            Interaction = Interaction.with_user(user)
        values = dict({"client_id": client.id, "kind": "outgoing_call", "result": "reached"}, **values)
        if days_ago:
            values["date"] = fields.Datetime.now() - timedelta(days=days_ago)
        return Interaction.create(values)


class ClientbaseCommon(ClientbaseFixtures, TransactionCase):
    """The shared fixtures in a transaction rolled back after each test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_clientbase_fixtures()


class ClientbaseHttpCommon(ClientbaseFixtures, HttpCase):
    """The shared fixtures for HTTP tests and browser tours: the users log in with their login as password."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_clientbase_fixtures()


class MailingCommon(ClientbaseCommon):
    """Clients of the salesperson covering every reason to be left out of a mailing, and
    three eligible ones; a marketer who prepares the mailings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_marketer = cls._marketer()
        cls.env.company.write({"client_mailing_cap_count": 1, "client_mailing_cap_days": 7})
        Partner = cls.env["res.partner"]

        def client(name, email, **vals):
            return Partner.create({"name": name, "email": email, "user_id": cls.user_salesman.id, **vals})

        cls.p_ok = client("Ok Client", "ok@mailtest.example.com", mobile="+32 470 12 34 56")
        cls.p_ok_2 = client("Second Ok", "ok2@mailtest.example.com")
        cls.p_mailing_only = client("Only Mailing", "only@mailtest.example.com", client_mailing_only=True)
        cls.p_no_consent = client("No Consent", "none@mailtest.example.com")
        cls.p_withdrawn = client("Changed Mind", "withdrawn@mailtest.example.com")
        cls.p_blacklisted = client("Blacklisted", "bl@mailtest.example.com")
        cls.p_opted_out = client("Opted Out", "optout@mailtest.example.com")
        cls.p_no_email = client("No Email", False, phone="+32 470 99 99 99")
        cls.p_too_often = client("Mailed Often", "often@mailtest.example.com")
        cls.all_clients = (
            cls.p_ok
            | cls.p_ok_2
            | cls.p_mailing_only
            | cls.p_no_consent
            | cls.p_withdrawn
            | cls.p_blacklisted
            | cls.p_opted_out
            | cls.p_no_email
            | cls.p_too_often
        )
        yesterday = fields.Datetime.now() - timedelta(days=1)
        for partner in cls.all_clients - cls.p_no_consent:
            cls._consent(partner, date=yesterday)
        cls._consent(cls.p_ok, channel="sms", date=yesterday)
        cls._consent(cls.p_withdrawn, state="withdrawn")
        cls.env["mail.blacklist"]._add("bl@mailtest.example.com")
        newsletter = cls.env["mailing.list"].create({"name": "Newsletter"})
        contact = cls.env["mailing.contact"].create(
            {"name": "Opted Out", "email": "optout@mailtest.example.com"}
        )
        cls.env["mailing.subscription"].create(
            {"contact_id": contact.id, "list_id": newsletter.id, "opt_out": True}
        )
        cls.previous_mailing = cls.env["mailing.mailing"].create(
            {
                "subject": "Earlier offer",
                "mailing_model_id": cls.env["ir.model"]._get_id("res.partner"),
                "body_html": "<p>Earlier</p>",
            }
        )
        cls.env["mailing.trace"].create(
            {
                "model": "res.partner",
                "res_id": cls.p_too_often.id,
                "email": "often@mailtest.example.com",
                "mass_mailing_id": cls.previous_mailing.id,
                "trace_status": "sent",
            }
        )
        cls.eligible = cls.p_ok | cls.p_ok_2 | cls.p_mailing_only
