"""The one test base of the addon: fixtures in layers, each test class takes the layer it needs.

Like Odoo's ``crm/tests/common.py``, each layer is a class that adds records to the one
below it, built once per class in ``setUpClass``:

1. ``ClientbaseUsersCommon``: two salespeople and a client base manager, today's date;
2. ``ClientbaseCommon``: + a small client base of the first salesperson (a company with a
   key employee, a private person);
3. ``ClientbaseSalesCommon``: + a product that the orders sell, and the figures the
   segmentation engine computes from them (recompute, snapshot);

and, on the client base, the layers of one capability:

* ``ProtectionCommon``: a colleague's client with protected data, a user outside the base;
* ``MailingCommon``: clients covering every reason to be left out of a mailing, a marketer.

``ClientbaseHttpCommon`` gives the client base to HTTP tests and browser tours. The helpers
(``_user``, ``_client``, ``_order``, ``_consent``, ``_log_interaction``...) make records on
any layer.

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
    """The layers' builders and the helpers that make records on any layer."""

    # the product the orders sell by default (the sales layer sets it)
    product = None

    # --- layers -------------------------------------------------------------------------
    @classmethod
    def _setup_users(cls):
        """Layer 1: two salespeople and a client base manager (password = login)."""
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.today = fields.Date.today()
        cls.Partner = cls.env["res.partner"]
        cls.user_salesman = cls._user("cb_salesman", name="Sales Person")
        cls.user_salesman_2 = cls._user("cb_salesman_2", name="Other Sales Person")
        cls.user_manager = cls._user("cb_manager", groups=MANAGER_GROUPS, name="Sales Manager")

    @classmethod
    def _setup_client_base(cls):
        """Layer 2: the first salesperson's clients: a company with a key employee, a private person."""
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
    def _setup_sales(cls):
        """Layer 3: the product the orders sell, and the figures computed from them."""
        cls.figures = cls.env["clientbase.client.figures"]
        cls.product = cls._product(name="Segment Widget", price=100.0)

    # --- helpers ------------------------------------------------------------------------
    @classmethod
    def _user(cls, login, groups=USER_GROUPS, **values):
        """Another user (password = login)."""
        return new_test_user(cls.env, login=login, groups=groups, **values)

    @classmethod
    def _marketer(cls, login="cb_marketer"):
        """A client base manager who prepares mailings (Email Marketing user)."""
        return cls._user(login, groups=MARKETING_GROUPS, name="Marketer", email=f"{login}@example.com")

    @classmethod
    def _client(cls, name, **vals):
        """A company client (unassigned unless ``user_id`` is given)."""
        return cls.env["res.partner"].create(dict({"name": name, "is_company": True}, **vals))

    @classmethod
    def _consent(cls, partner, channel="email", purpose="marketing", state="given", **values):
        return cls.env["clientbase.consent"].create(
            dict({"partner_id": partner.id, "channel": channel, "purpose": purpose, "state": state}, **values)
        )

    @classmethod
    def _product(cls, name="Client base product", price=50.0):
        """A service without taxes, sold at ``price``."""
        return cls.env["product.product"].create(
            {"name": name, "list_price": price, "taxes_id": [(5, 0, 0)], "type": "service"}
        )

    @classmethod
    def _order(
        cls,
        partner,
        amount=None,
        days_ago=0,
        discount=0.0,
        state="sale",
        company=None,
        product=None,
        **values,
    ):
        """An order of one ``product`` (the layer's, else a new one) for ``partner``.

        ``amount`` is the untaxed total (the product's price when not given), after
        ``discount`` percent; the order is dated ``days_ago`` days back; ``state`` "sale"
        confirms it, "cancel" confirms then cancels it, "draft" leaves a quotation.
        ``values`` are more values of the order (its salesperson, its UTM source...).
        """
        env = cls.env if not company else cls.env["res.company"].browse(company.id).with_company(company).env
        product = product or cls.product or cls._product()
        line = {"product_id": product.id, "product_uom_qty": 1, "tax_id": [(5, 0, 0)]}
        if amount is not None:
            line["price_unit"] = amount / (1 - discount / 100.0) if discount else amount
        if discount:
            line["discount"] = discount
        order = env["sale.order"].create(
            dict(
                {
                    "partner_id": partner.id,
                    "company_id": (company or cls.env.company).id,
                    "order_line": [(0, 0, line)],
                },
                **values,
            )
        )
        if state in ("sale", "cancel"):
            order.action_confirm()
        if state == "cancel":
            order._action_cancel()
        order.date_order = fields.Datetime.now() - timedelta(days=days_ago)
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


class ClientbaseUsersCommon(ClientbaseFixtures, TransactionCase):
    """Layer 1, the users: in a transaction rolled back after each test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_users()


class ClientbaseCommon(ClientbaseUsersCommon):
    """Layer 2: the users and the first salesperson's small client base."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_client_base()


class ClientbaseSalesCommon(ClientbaseCommon):
    """Layer 3: orders and the figures of the segmentation engine (dated orders of the
    layer's product, a full recompute, a snapshot of every figure to compare two runs)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales()

    def _recompute(self, **kwargs):
        self.figures._recompute_all(**kwargs)
        self.env.invalidate_all()

    def _snapshot(self):
        """Every figures value and history count, to compare two runs."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT partner_id, company_id, first_order_date, last_order_date, order_count, revenue::float,"
            " stage, warmth, rfm_recency, rfm_frequency, rfm_monetary, rfm_segment, abc_class,"
            " persona_suggested, stage_manual, vip_manual FROM clientbase_client_figures"
            " ORDER BY partner_id, company_id"
        )
        rows = self.env.cr.fetchall()
        self.env.cr.execute("SELECT segment_id, partner_id FROM clientbase_segment_member ORDER BY 1, 2")
        return rows, self.env.cr.fetchall()


class ClientbaseHttpCommon(ClientbaseFixtures, HttpCase):
    """Layers 1 and 2 for HTTP tests and browser tours: the users log in with their login as password."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_users()
        cls._setup_client_base()

    def _mailing_segment(self, segment_name, domain_email, clients, consented, template):
        """A segment of ``clients`` (``[(name, email, manager or None)]``, addresses ending in
        ``domain_email``) of whom the first ``consented`` gave their marketing consent, and a
        mail template on clients (``(name, subject, body)``) the mailing wizard offers: what a
        mailing tour prepares. Returns ``(clients, segment)``, the members refreshed."""
        partners = self.env["res.partner"].create(
            [
                {"name": name, "email": email, **({"user_id": user.id} if user else {})}
                for name, email, user in clients
            ]
        )
        for partner in partners[:consented]:
            self._consent(partner)
        name, subject, body = template
        self.env["mail.template"].create(
            {
                "name": name,
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "subject": subject,
                "body_html": body,
            }
        )
        segment = self.env["clientbase.segment"].create(
            {"name": segment_name, "domain": repr([("email", "=ilike", f"%{domain_email}")])}
        )
        segment._refresh_members()
        return partners, segment

    def _start_tour_warm(self, url, tour, user):
        """Start ``tour`` on ``url`` as ``user``, the page asked once before with time to answer:
        the server's first answer for a page (templates, menus and terms, in Russian too) can
        take a loaded machine longer than the 20 s the browser's navigation waits for; then
        it comes from warm caches."""
        self.authenticate(user.login, user.login)
        self.url_open(url, timeout=120).raise_for_status()
        self.start_tour(url, tour, login=user.login)


class ProtectionCommon(ClientbaseCommon):
    """On the client base: salesperson 1 manages ``secret`` (a company with a key employee,
    protected data on both); salesperson 2 ("the colleague") manages ``mine`` and tries to
    reach salesperson 1's data; ``plain_employee`` is an internal user outside the client base."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.client_pool_visible = False
        Partner = cls.env["res.partner"]
        cls.secret = Partner.create(
            {
                "name": "Secret Company",
                "is_company": True,
                "user_id": cls.user_salesman.id,
                "client_needs": "MARKER-needs",
                "client_birthday": "1971-03-09",
                "client_profession": "MARKER-profession",
            }
        )
        cls.secret_contact = Partner.create(
            {
                "name": "Secret Employee",
                "parent_id": cls.secret.id,
                "client_birthday": "1980-11-21",
                "client_pets": "MARKER-pets",
            }
        )
        cls.mine = Partner.create(
            {"name": "Colleague's Client", "is_company": True, "user_id": cls.user_salesman_2.id}
        )
        cls.colleague = cls.user_salesman_2
        cls.plain_employee = cls._user("cb_plain_internal", groups=EMPLOYEE_GROUPS)

    def _set_figures(self, partner, **vals):
        """The figures row of ``partner`` in the company, written as the engine would."""
        Figures = self.env["clientbase.client.figures"].sudo()
        row = Figures.search([("partner_id", "=", partner.id), ("company_id", "=", self.company.id)])
        if row:
            row.write(vals)
        else:
            Figures.create(dict(vals, partner_id=partner.id, company_id=self.company.id))
        self.env.flush_all()
        self.env.invalidate_all()


class MailingCommon(ClientbaseCommon):
    """On the client base: clients of the salesperson covering every reason to be left out
    of a mailing, and three eligible ones; a marketer who prepares the mailings."""

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
