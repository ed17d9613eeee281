"""The client base's protected data never reaches another salesperson, by any door.

Each test plays the user who would try (a salesperson of the client base, one
with the export right, an internal user outside the client base) and asserts
the property: the value does not come back, or the change is refused and the
data is intact afterwards.
"""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval
from odoo.tools.sql import table_kind

from ..models.protection.clientbase_security import (
    CARD_FIELDS,
    CONFIG_MODELS,
    DERIVED_FIELDS,
    PROTECTED_MODELS,
    PUBLIC_FIELDS,
    WRITE_GUARDED_FIELDS,
    own_partner_domain,
)
from ..upgrade.card_migration import (
    LEGACY_INTEREST_TABLE,
    LEGACY_SEGMENT_TABLE,
    move_partner_data_to_cards,
    move_segment_members,
)
from .common import EMPLOYEE_GROUPS, EXPORT_GROUPS, ClientbaseCommon, ProtectionCommon


@tagged("post_install", "-at_install", "clientbase_protection")
class TestProtectionDoors(ProtectionCommon):
    def test_card_lives_behind_rules(self):
        """The personal data is in the card table, not in res_partner's columns."""
        for pname in CARD_FIELDS:
            self.assertFalse(self.env["res.partner"]._fields[pname].store, pname)
        card = self.env["clientbase.client.card"].search([("partner_id", "=", self.secret.id)])
        self.assertEqual(card.needs, "MARKER-needs")
        Card = self.env["clientbase.client.card"].with_user(self.colleague)
        self.assertFalse(Card.search([("partner_id", "in", (self.secret | self.secret_contact).ids)]))
        with self.assertRaises(AccessError):
            card.with_user(self.colleague).read(["needs"])
        self.assertFalse(Card.search_read([("needs", "ilike", "MARKER")]))
        self.assertFalse(Card.read_group([], ["profession"], ["profession"]))
        with self.assertRaises(AccessError):
            self.env["clientbase.client.card"].with_user(self.plain_employee).search([])
        # the manager of the client reads both cards (the contact's through its company)
        own = self.env["clientbase.client.card"].with_user(self.user_salesman)
        self.assertEqual(len(own.search([("partner_id", "in", (self.secret | self.secret_contact).ids)])), 2)

    def test_figures_table_by_owner(self):
        """Class 1: the figures rows of another manager's client are out of reach."""
        self._set_figures(self.secret, revenue=98765.0, order_count=3, churn_reason="MARKER-churn")
        self._set_figures(self.mine, revenue=10.0, order_count=1)
        Figures = self.env["clientbase.client.figures"].with_user(self.colleague)
        rows = Figures.search_read([], ["partner_id", "revenue", "churn_reason"])
        self.assertEqual([row["partner_id"][0] for row in rows], self.mine.ids)
        self.assertFalse(Figures.search([("revenue", "=", 98765.0)]))
        groups = Figures.read_group([], ["revenue:sum"], [])
        self.assertEqual(groups[0]["revenue"], 10.0)
        theirs = self.env["clientbase.client.figures"].search([("partner_id", "=", self.secret.id)])
        with self.assertRaises(AccessError):
            theirs.with_user(self.colleague).read(["revenue"])
        # partner side: blank, unsortable, ungroupable into a value; the stage says only that a
        # colleague handles the client ("Handled by colleagues"), never the client's own stage
        partner = self.secret.with_user(self.colleague)
        self.assertEqual(
            (partner.client_revenue, partner.client_order_count, partner.client_stage), (0, 0, "hidden")
        )
        self.assertEqual(self.secret.with_user(self.user_salesman).client_revenue, 98765.0)

    def test_ranking_cuts_name_no_client_to_colleagues(self):
        """The engine keeps where the rankings cut (a client and its revenue) on the company,
        which every user reads: that value is the administrators' only."""
        product = self._product(name="Cut product", price=654321.0)
        self._order(self.secret, product=product)
        self.env["clientbase.client.figures"]._recompute_all(full=True)
        self.env.flush_all()
        self.assertIn("654321", self.env.company.sudo().client_segment_cuts)
        company = self.env.company.with_user(self.colleague)
        readable = [f for f, field in company._fields.items() if field.is_accessible(company.env)]
        self.assertNotIn("client_segment_cuts", readable)
        self.assertNotIn("654321", repr(company.read(readable)))
        with self.assertRaises(AccessError):
            company.read(["client_segment_cuts"])

    def test_users_inherit_nothing(self):
        """Class 2: res.users of a client (portal, e-shop) shows the partner's fields blank."""
        portal = new_test_user(
            self.env, login="cb_portal_client", groups="base.group_portal", partner_id=self.secret_contact.id
        )
        Users = self.env["res.users"].with_user(self.colleague)
        row = Users.browse(portal.id).read(["client_pets", "client_birthday"])[0]
        self.assertEqual((row["client_pets"], row["client_birthday"]), (False, False))
        self.assertFalse(Users.search([("client_pets", "=", "MARKER-pets")]))
        self.assertFalse(
            self.env["res.partner"]
            .with_user(self.colleague)
            .search([("user_ids.partner_id.client_birthday", "=", "1980-11-21")])
        )
        # the manager of the client finds it the same way
        self.assertEqual(
            self.env["res.users"].with_user(self.user_salesman).search([("client_pets", "=", "MARKER-pets")]),
            portal,
        )

    def test_ordering_reveals_nothing(self):
        """Class 3: sorting by a protected value ranks another manager's client the same
        whatever its value: a probe of one's own cannot bisect it."""
        probe = self.env["res.partner"].create(
            {"name": "Probe", "user_id": self.colleague.id, "client_birthday": "1975-01-01"}
        )
        self._set_figures(probe, revenue=500.0, order_count=1)
        Partner = self.env["res.partner"].with_user(self.colleague)
        ids = [probe.id, self.secret.id]
        results = []
        self.env.cr.execute(
            SQL("UPDATE res_partner SET client_last_contact_date = '1975-01-01' WHERE id = %s", probe.id)
        )
        for birthday, revenue in (("1960-01-01", 10.0), ("1990-01-01", 100000.0)):
            self.secret.client_birthday = birthday
            self._set_figures(self.secret, revenue=revenue, order_count=1)
            # the interactions' bookkeeping column of the rules' crons
            self.env.cr.execute(
                SQL(
                    "UPDATE res_partner SET client_last_contact_date = %s WHERE id = %s",
                    birthday,
                    self.secret.id,
                )
            )
            ranks = []
            for order in (
                "client_birthday asc",
                "client_birthday desc",
                "client_revenue asc",
                "client_revenue desc",
                "client_stage asc",
                "client_last_contact_date asc",
                "client_last_contact_date desc",
            ):
                ranks.append(Partner.search([("id", "in", ids)], order=order).ids)
                ranks.append([r["id"] for r in Partner.search_read([("id", "in", ids)], ["id"], order=order)])
            groups = Partner.read_group(
                [("id", "in", ids)],
                ["client_birthday_month"],
                ["client_birthday_month"],
                orderby="client_birthday_month",
            )
            ranks.append([(g["client_birthday_month"], g["client_birthday_month_count"]) for g in groups])
            ranks.append(
                Partner.search([("id", "in", ids), ("client_last_contact_date", "<", "1980-01-01")]).ids
            )
            ranks.append(Partner.browse(self.secret.id).read(["client_last_contact_date"]))
            results.append(ranks)
        self.assertEqual(results[0], results[1])

    def test_reparenting_refused(self):
        """Class 4: no pulling a colleague's contact under one's company, nor the reverse."""
        own_contact = self.env["res.partner"].create({"name": "Own contact", "parent_id": self.mine.id})
        as_colleague = self.secret_contact.with_user(self.colleague)
        with self.assertRaises(AccessError):
            as_colleague.write({"parent_id": self.mine.id})
        with self.assertRaises(AccessError):
            self.mine.with_user(self.colleague).write({"child_ids": [Command.link(self.secret_contact.id)]})
        with self.assertRaises(AccessError):
            own_contact.with_user(self.colleague).write({"parent_id": self.secret.id})
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.colleague).create(
                {"name": "Spy", "parent_id": self.secret.id}
            )
        self.assertEqual(self.secret_contact.parent_id, self.secret)
        self.assertEqual(own_contact.parent_id, self.mine)
        self.assertEqual(self.secret_contact.client_pets, "MARKER-pets")

    def test_copy_carries_no_card(self):
        """Class 5: a copy of a client is a bare partner; another manager's client is not
        copied at all (issue 26, class 1: only the client's circle copies it)."""
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.secret.with_user(self.colleague).copy({"user_id": self.colleague.id, "name": "Copy"})
        copy = self.secret.with_user(self.user_salesman).copy({"name": "Copy"})
        self.env.invalidate_all()
        self.assertFalse(self.env["clientbase.client.card"].search([("partner_id", "=", copy.id)]))
        self.assertFalse(copy.with_user(self.user_salesman).client_needs)

    def test_derived_data_follows_its_source(self):
        """Class 9: stage, VIP, warmth, persona and the like are neither readable nor writable."""
        self._set_figures(
            self.secret, revenue=1000.0, order_count=5, abc_class="a", stage="loyal", warmth="hot"
        )
        partner = self.secret.with_user(self.colleague)
        values = partner.read(
            ["client_stage", "client_is_vip", "client_abc_class", "client_warmth", "client_persona"]
        )[0]
        # the stage and the warmth say "Handled by colleagues", the same for every colleague's
        # client: no value of this one
        self.assertEqual((values["client_stage"], values["client_warmth"]), ("hidden", "hidden"))
        self.assertFalse(any(values[f] for f in values if f not in ("id", "client_stage", "client_warmth")))
        for vals in (
            {"client_stage": "lost", "client_churn_reason": "x"},
            {"client_is_vip": False},
            {"client_warmth": "cold"},
            {"client_persona": "fan"},
        ):
            with self.assertRaises(AccessError):
                partner.write(vals)
        Partner = self.env["res.partner"].with_user(self.colleague)
        self.assertNotIn(self.secret, Partner.search([("client_is_vip", "=", True)]))
        self.assertNotIn(self.secret, Partner.search([("client_stage", "=", "loyal")]))
        self.assertNotIn(self.secret, Partner.search([("client_stage", "=", "potential")]))
        row = self.env["clientbase.client.figures"].search([("partner_id", "=", self.secret.id)])
        self.assertEqual((row.stage, row.abc_class, row.stage_manual), ("loyal", "a", False))
        # one's own figures: values set by hand, not the computed ones
        self._set_figures(self.mine, revenue=5.0, order_count=1)
        own_row = self.env["clientbase.client.figures"].with_user(self.colleague).search([])
        own_row.write({"stage_manual": "active"})
        with self.assertRaises(AccessError):
            own_row.write({"revenue": 1e9})

    def test_segment_membership_follows_the_client(self):
        """Class 9: which segments a colleague's client is in is not readable nor searchable."""
        segment = self.env["clientbase.segment"].create({"name": "Everybody", "domain": "[]"})
        segment._refresh_members()
        self.assertIn(self.secret, segment.partner_ids)
        as_colleague = segment.with_user(self.colleague)
        self.assertIn(self.mine, as_colleague.partner_ids)
        self.assertNotIn(self.secret, as_colleague.partner_ids)
        self.assertEqual(as_colleague.partner_count, len(as_colleague.partner_ids))
        Partner = self.env["res.partner"].with_user(self.colleague)
        self.assertFalse(self.secret.with_user(self.colleague).client_segment_ids)
        found = Partner.search([("client_segment_ids", "in", segment.ids)])
        self.assertIn(self.mine, found)
        self.assertNotIn(self.secret, found)
        Member = self.env["clientbase.segment.member"].with_user(self.colleague)
        self.assertFalse(Member.search([("partner_id", "=", self.secret.id)]))

    def test_ownership_and_contact_data_of_foreign_clients(self):
        """Class 9: archive, mailing-only, name, email, phone of a colleague's client: refused."""
        partner = self.secret.with_user(self.colleague)
        for vals in (
            {"active": False},
            {"client_mailing_only": True},
            {"name": "Renamed"},
            {"email": "spy@example.com"},
            {"phone": "+7 900 000 00 00"},
            {"user_id": self.colleague.id},
            {"is_company": False},
        ):
            with self.assertRaises(AccessError, msg=str(vals)):
                partner.write(vals)
        with self.assertRaises(AccessError):
            partner.unlink()
        self.assertTrue(self.secret.active)
        self.assertEqual(self.secret.name, "Secret Company")
        # the client's own manager works as before; users outside the client base are Odoo's flows
        self.secret.with_user(self.user_salesman).write({"phone": "+7 911 000 00 00", "client_needs": "more"})
        self.assertEqual(self.secret.client_needs, "more")

    def test_plain_internal_user(self):
        """An internal user outside the client base reads no protected field at all."""
        partner = self.secret.with_user(self.plain_employee)
        self.assertEqual(partner.read(["name"])[0]["name"], "Secret Company")
        for fname in ("client_needs", "client_revenue", "client_stage", "client_birthday"):
            with self.assertRaises(AccessError):
                partner.read([fname])
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.plain_employee).search(
                [("client_needs", "=", "MARKER-needs")]
            )
        with self.assertRaises(AccessError):
            self.env["clientbase.client.figures"].with_user(self.plain_employee).search([])


@tagged("post_install", "-at_install", "clientbase_protection")
class TestStrictMode(ProtectionCommon):
    """Strict mode: a salesperson does not see other managers' clients at all."""

    def test_strict_mode_hides_foreign_clients(self):
        Partner = self.env["res.partner"].with_user(self.colleague)
        foreign = self.secret | self.secret_contact
        self.assertEqual(Partner.search([("id", "in", foreign.ids)]), foreign, "off by default")
        self.company.client_strict_visibility = True
        order = self.env["sale.order"].create({"partner_id": self.secret.id, "user_id": self.colleague.id})
        self.assertFalse(Partner.search([("id", "in", foreign.ids)]))
        self.assertFalse(Partner.search([("email", "ilike", "secret")]))
        self.assertFalse(Partner.search_read([("name", "ilike", "Secret")], ["email", "phone"]))
        for door in ("read", "write"):
            with self.assertRaises(AccessError):
                if door == "read":
                    self.secret.with_user(self.colleague).read(["email", "phone", "street"])
                else:
                    self.secret.with_user(self.colleague).write({"comment": "x"})
        groups = Partner.read_group([], ["user_id"], ["user_id"])
        self.assertNotIn(self.user_salesman.id, [g["user_id"] and g["user_id"][0] for g in groups])
        # own clients and non-client partners (colleagues, the company) stay; documents that point
        # at the hidden client do not name it (test_protection_strict.py)
        self.assertEqual(Partner.search([("id", "=", self.mine.id)]), self.mine)
        self.assertTrue(Partner.search([("id", "=", self.user_salesman.partner_id.id)]))
        name = order.with_user(self.colleague).web_read({"partner_id": {"fields": {"display_name": {}}}})
        self.assertEqual(name[0]["partner_id"]["display_name"], "Hidden client")
        # the client's manager and the client base managers see it
        self.assertTrue(self.secret.with_user(self.user_salesman).read(["email"]))
        self.assertTrue(self.secret.with_user(self.user_manager).read(["email"]))


@tagged("post_install", "-at_install", "clientbase_protection")
class TestOpensOnMyClients(ProtectionCommon):
    def test_salespeople_open_on_their_clients(self):
        """The Clients list and the funnels open on My Clients for salespeople, on the base for managers."""
        for xmlid in (
            "clientbase_crm.res_partner_action_clients",
            "clientbase_crm.res_partner_action_clientbase_by_warmth",
            "clientbase_crm.res_partner_action_clientbase_by_stage",
            "clientbase_crm.res_partner_action_clientbase_vip",
            "clientbase_crm.res_partner_action_clientbase_potentials",
            "clientbase_crm.res_partner_action_clientbase_inactive",
        ):
            action = self.env.ref(xmlid)
            # as /web/action/load reads it: sudo, for the logged-in user
            as_salesperson = action.with_user(self.colleague).sudo()._get_action_dict()
            as_manager = action.with_user(self.user_manager).sudo()._get_action_dict()
            self.assertEqual(safe_eval(as_salesperson["context"]).get("search_default_filter_my_clients"), 1)
            self.assertNotIn("search_default_filter_my_clients", safe_eval(as_manager["context"]))
            self.assertEqual(
                {
                    k: v
                    for k, v in safe_eval(as_salesperson["context"]).items()
                    if k != "search_default_filter_my_clients"
                },
                safe_eval(as_manager["context"]),
            )


@tagged("post_install", "-at_install", "clientbase_protection")
class TestProtectionSideCopies(ProtectionCommon):
    """Class 8: no copy of protected data where a colleague reads it (activities, chatter, warnings)."""

    @freeze_time("2026-03-10 10:00:00")
    def test_reminders_are_the_assignees(self):
        today = fields.Date.today()
        self.secret.client_birthday = today.replace(year=today.year - 30) + timedelta(days=2)
        self.env["res.partner"]._cron_client_birthdays()
        interaction = (
            self.env["clientbase.interaction"]
            .with_user(self.user_salesman)
            .create(
                {
                    "client_id": self.secret.id,
                    "note": "MARKER-note",
                    "result": "call_back",
                    "next_step": "MARKER-next",
                    "next_step_date": today + timedelta(days=3),
                }
            )
        )
        reminders = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", (self.secret | self.secret_contact).ids)]
        )
        self.assertEqual(set(reminders.mapped("client_rule")), {"birthday", "call_back"})
        Activity = self.env["mail.activity"].with_user(self.colleague)
        self.assertFalse(Activity.search([("id", "in", reminders.ids)]))
        self.assertFalse(Activity.search_read([("summary", "ilike", "MARKER")], ["summary"]))
        with self.assertRaises(AccessError):
            reminders.with_user(self.colleague).read(["summary", "note", "date_deadline"])
        self.assertFalse(
            self.secret.with_user(self.colleague).web_read({"activity_ids": {"fields": {"summary": {}}}})[0][
                "activity_ids"
            ]
        )
        # the assignee works them; the done message in the chatter keeps no protected text
        mine = interaction.activity_id.with_user(self.user_salesman)
        self.assertEqual(mine.summary, "MARKER-next")
        mine.action_feedback(feedback="done")
        bodies = self.secret.message_ids.mapped("body")
        self.assertFalse([body for body in bodies if "MARKER" in str(body)])

    def test_privacy_export_file_is_the_requesters(self):
        """Class 7: the personal-data file is not an attachment every employee can open."""
        action = self.secret.with_user(self.user_manager).action_client_privacy_export()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        self.assertIn(b"MARKER-needs", attachment.with_user(self.user_manager).raw)
        for user in (self.colleague, self.plain_employee, self.user_salesman):
            with self.assertRaises(AccessError):
                attachment.with_user(user).read(["datas"])
            self.assertFalse(
                self.env["ir.attachment"].with_user(user).search([("id", "=", attachment.id)]),
                user.login,
            )

    def test_contact_warning_keeps_the_date_for_the_manager(self):
        self.company.clientbase_contact_min_days = 30
        self.env["clientbase.interaction"].with_user(self.user_salesman).create(
            {
                "client_id": self.secret.id,
                "date": fields.Datetime.now() - timedelta(days=3),
                "result": "reached",
            }
        )
        date_text = fields.Date.to_string(self.secret.client_last_contact_date)
        own = self.secret.with_user(self.user_salesman)._client_contact_too_soon_message()
        theirs = self.secret.with_user(self.colleague)._client_contact_too_soon_message()
        self.assertIn(date_text, own)
        self.assertTrue(theirs)
        self.assertNotIn(date_text, theirs)


@tagged("post_install", "-at_install", "clientbase_protection")
class TestProtectionMarkers(ProtectionCommon):
    """Unique markers in every protected field of one salesperson's client never appear
    in what a colleague gets, through any model that points at partners.

    Every door is also opened, the same way, by the client's own manager: a door counts as
    protected only when it shows the owner the data and not the colleague, so that a door
    that fails for everybody (a wrong field, a refused model, no record behind it) proves
    nothing. The test holds how many doors really answered: with the modules of this addon's
    dependencies, of the 143 doors a colleague opens, 55 return rows (without the values) and
    75 are proven protected; of the 204 of a colleague with the export right, 52 and 87. The
    other doors lead to no record of the client (invoices, calendar...) or show a value no
    marker can carry (a selection), for the owner too.
    """

    MARKER = "MRK7Q"
    DAY = date(1917, 7, 17)
    # doors that returned rows to the colleague (without the values), and doors proven
    # protected (the owner sees the values there, the colleague does not); the exporter has
    # the export doors besides
    MIN_ANSWERED = 50
    MIN_PROVEN = 70
    MIN_EXPORTER_ANSWERED = 50
    MIN_EXPORTER_PROVEN = 80

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Card = cls.env["clientbase.client.card"]
        interest = cls.env["clientbase.interest"].create({"name": f"{cls.MARKER}-interest"})
        reason = cls.env["clientbase.churn.reason"].create({"name": f"{cls.MARKER}-reason"})
        # a value in every protected field one can write, the ones a text can carry marked
        # (texts, names, the date DAY, the amount 777777), so that the owner's doors show them
        vals = {}
        for pname, cname in CARD_FIELDS.items():
            field = Card._fields[cname]
            if field.compute or field.readonly:
                continue
            if field.type in ("char", "text"):
                vals[pname] = f"{cls.MARKER}-{cname}"
            elif field.type == "many2many":
                vals[pname] = [Command.set(interest.ids)]
            elif field.type == "date":
                vals[pname] = cls.DAY
            elif field.type in ("float", "monetary"):
                vals[pname] = 777777.0
            elif field.type == "integer":
                vals[pname] = 7
            elif field.type == "boolean":
                vals[pname] = True
            elif field.type == "selection":
                vals[pname] = field._description_selection(cls.env)[0][0]
            elif field.comodel_name == "res.users":
                vals[pname] = cls.user_manager.id
            elif field.comodel_name == "res.partner":
                vals[pname] = cls.secret_contact.id
            elif field.comodel_name == "clientbase.churn.reason":
                vals[pname] = reason.id
        cls.secret.write(vals)
        cls.env["clientbase.client.figures"].sudo().create(
            {
                "partner_id": cls.secret.id,
                "company_id": cls.company.id,
                "revenue": 777777.0,
                "order_count": 3,
                "first_order_date": cls.DAY,
                "last_order_date": cls.DAY,
                "stage": "loyal",
                "abc_class": "a",
                "rfm_segment": "champions",
                "warmth": "hot",
                "persona": "fan",
                "churn_reason": f"{cls.MARKER}-churn",
            }
        )
        # the owner's work with the client: an interaction with its employee, a consent
        cls._log_interaction(
            cls.secret, user=cls.user_salesman, contact_id=cls.secret_contact.id, note=f"{cls.MARKER}-note"
        )
        cls._consent(cls.secret_contact, proof=f"{cls.MARKER}-proof")
        # the client in a journey: its membership and what a step did for it
        journey = cls.env["clientbase.journey"].create(
            {"name": "Marker journey", "trigger": "first_order", "goal": "none", "active": False}
        )
        member = cls.env["clientbase.journey.member"].create(
            {
                "journey_id": journey.id,
                "partner_id": cls.secret.id,
                "company_id": cls.company.id,
                "event_key": f"{cls.MARKER}-event",
            }
        )
        cls.env["clientbase.journey.history"].create(
            {
                "member_id": member.id,
                "journey_id": journey.id,
                "partner_id": cls.secret.id,
                "company_id": cls.company.id,
                "result": "done",
                "note": f"{cls.MARKER}-journey",
            }
        )
        # documents of the client that the colleague may open: names show, the rest not
        cls.lead = cls.env["crm.lead"].create(
            {"name": "Lead", "partner_id": cls.secret_contact.id, "user_id": cls.user_salesman_2.id}
        )
        cls.order = cls.env["sale.order"].create(
            {"partner_id": cls.secret.id, "user_id": cls.user_salesman_2.id}
        )
        cls.portal = new_test_user(
            cls.env, login="cb_marker_portal", groups="base.group_portal", partner_id=cls.secret_contact.id
        )
        cls.exporter = cls._user("cb_colleague_exporter", groups=EXPORT_GROUPS)
        # the control: the client's own manager opens the same doors, with the export right and
        # Odoo's right to every sales document (the colleague's lead and order of the client)
        cls.owner = cls.user_salesman
        cls.owner.groups_id = [
            Command.link(cls.env.ref("clientbase_crm.group_clientbase_export").id),
            Command.link(cls.env.ref("sales_team.group_sale_salesman_all_leads").id),
        ]
        cls.targets = (cls.secret | cls.secret_contact).ids
        cls.env.flush_all()

    def _shows(self, kind, value):
        """Whether what a door returned shows the client's data: a marker (a text, a name, the
        amount, the date in any of its forms) for a door that returns values, the client itself
        for a search."""
        if kind == "ids":
            return bool(set(value) & set(self.targets))
        text = repr(value)
        return any(
            mark in text
            for mark in (self.MARKER, "777777", str(self.DAY), repr(self.DAY), self.DAY.strftime("%B %Y"))
        )

    def _partner_links(self, env):
        """(model, field) pairs of many2one/many2many fields to res.partner that ``env``'s user may read."""
        for model_name in sorted(env.registry.models):
            Model = env[model_name]
            if Model._abstract or not Model._auto or not Model.has_access("read"):
                continue
            for fname, field in Model._fields.items():
                if (
                    field.type in ("many2one", "many2many")
                    and field.comodel_name == "res.partner"
                    and field.store
                ):
                    yield model_name, fname

    def _report_views(self, env):
        """The models read from SQL views (the reports) that ``env``'s user may read."""
        for model_name in sorted(env.registry.models):
            Model = env[model_name]
            if Model._abstract or Model._auto or Model._transient or not Model.has_access("read"):
                continue
            if Model._table_query or table_kind(env.cr, Model._table):
                yield model_name

    def _doors(self, user, exports=False):
        """Every door to the protected values that ``user`` may knock at, as (name, kind, call):
        ``call(env)`` opens the door as ``env``'s user, ``kind`` says what it returns ("values"
        or the "ids" of a search)."""
        env = self.env(user=user)
        Partner = env["res.partner"]
        protected = sorted(CARD_FIELDS.keys() | DERIVED_FIELDS)
        readable = [f for f in protected if Partner._fields[f].is_accessible(env)]
        targets = self.targets
        doors = [
            ("read", "values", lambda e: e["res.partner"].browse(targets).read(readable)),
            (
                "search_read",
                "values",
                lambda e: e["res.partner"].search_read([("id", "in", targets)], readable),
            ),
            (
                "web_read",
                "values",
                lambda e: e["res.partner"].browse(targets).web_read({f: {} for f in readable}),
            ),
            (
                "res.users read",
                "values",
                lambda e: (
                    e["res.users"].with_context(active_test=False).browse(self.portal.id).read(readable)
                ),
            ),
        ]
        for fname in readable:
            field = Partner._fields[fname]
            if field.type in ("one2many", "many2many", "integer") or not field._description_searchable:
                continue
            doors.append(
                (f"search {fname}", "ids", lambda e, f=fname: e["res.partner"].search([(f, "!=", False)]).ids)
            )
            if field._description_groupable(env):
                doors.append(
                    (
                        f"read_group {fname}",
                        "values",
                        lambda e, f=fname: e["res.partner"].read_group([("id", "in", targets)], [f], [f]),
                    )
                )
        fields_spec = {f: {} for f in readable if f not in ("client_card_ids",)}
        paths = [f for f in readable if Partner._fields[f].type not in ("one2many",)]
        for model_name, fname in self._partner_links(env):

            def linked(e, model_name=model_name, fname=fname):
                return e[model_name].search([(fname, "in", targets)], limit=3)

            if env[model_name]._fields[fname].type == "many2one":
                doors.append(
                    (
                        f"{model_name}.{fname} web_read",
                        "values",
                        lambda e, linked=linked, fname=fname: linked(e).web_read(
                            {fname: {"fields": fields_spec}}
                        ),
                    )
                )
            if exports:
                doors.append(
                    (
                        f"{model_name}.{fname} export",
                        "values",
                        lambda e, linked=linked, fname=fname: linked(e).export_data(
                            [f"{fname}/{f}" for f in paths]
                        )["datas"],
                    )
                )
        # the reports read from SQL views (``_auto = False``): every row of each, and the rows of
        # the client by each of their partner links, as the reports' lists and pivots read them
        for model_name in self._report_views(env):
            View = env[model_name]
            names = [
                fname
                for fname, field in View._fields.items()
                if field.type not in ("binary", "one2many", "many2many", "properties")
                and field.is_accessible(env)
            ]
            doors.append(
                (
                    f"{model_name} report rows",
                    "values",
                    lambda e, m=model_name, names=names: e[m].search_read([], names, limit=2000),
                )
            )
            for fname, field in View._fields.items():
                if field.type == "many2one" and field.comodel_name == "res.partner" and field.store:
                    doors.append(
                        (
                            f"{model_name}.{fname} report rows",
                            "values",
                            lambda e, m=model_name, f=fname, names=names: e[m].search_read(
                                [(f, "in", targets)], names
                            ),
                        )
                    )
        # the change log holds the markers as the client's old and new values
        log_fields = ["partner_id", "field_name", "old_value", "new_value", "old_display", "new_display"]
        in_log = [("partner_id", "in", targets)]
        doors += [
            (
                "change log search_read",
                "values",
                lambda e: e["clientbase.change.log"].search_read(in_log, log_fields),
            ),
            (
                "change log read_group",
                "values",
                lambda e: e["clientbase.change.log"].read_group(in_log, ["new_value"], ["new_value"]),
            ),
            (
                "change log search by value",
                "values",
                lambda e: (
                    e["clientbase.change.log"]
                    .search([("new_value", "like", self.MARKER)])
                    .read(["new_value"])
                ),
            ),
        ]
        if exports:
            doors.append(
                (
                    "change log export",
                    "values",
                    lambda e: e["clientbase.change.log"].search(in_log).export_data(log_fields)["datas"],
                )
            )
        return doors

    def _open(self, user, call):
        """What the door gives ``user``: its result, or None when it refuses."""
        try:
            return call(self.env(user=user))
        except (AccessError, UserError):
            return None

    def _knock(self, user, exports=False):
        """Open every door as ``user`` and as the owner: assert that ``user`` never gets the
        data, and return the names of the doors that answered ``user`` with rows and of those
        proven protected (the owner gets the data there)."""
        answered, proven = [], []
        for name, kind, call in self._doors(user, exports=exports):
            theirs = self._open(user, call)
            self.assertFalse(theirs is not None and self._shows(kind, theirs), f"{name} as {user.login}")
            if theirs:
                answered.append(name)
            owners = self._open(self.owner, call)
            if owners is not None and self._shows(kind, owners):
                proven.append(name)
        return answered, proven

    def test_markers_never_reach_a_colleague(self):
        self.assertTrue(
            self.env["clientbase.change.log"].search_count([("new_value", "like", self.MARKER)]),
            "the markers are in the change log (the log is knocked at too)",
        )
        answered, proven = self._knock(self.colleague)
        self.assertGreaterEqual(
            len(answered), self.MIN_ANSWERED, f"the colleague got rows from {len(answered)} doors: {answered}"
        )
        self.assertGreaterEqual(len(proven), self.MIN_PROVEN, f"{len(proven)} doors proven: {proven}")
        for door in ("read", "search_read", "web_read", "res.users read", "search client_needs"):
            self.assertIn(door, proven, "the owner gets the data through the plain doors")
        self.assertIn("sale.order.partner_id web_read", answered, "the colleague opens the client's order")

        answered, proven = self._knock(self.exporter, exports=True)
        self.assertGreaterEqual(
            len(answered), self.MIN_EXPORTER_ANSWERED, f"the exporter got rows from {len(answered)} doors"
        )
        self.assertGreaterEqual(
            len(proven), self.MIN_EXPORTER_PROVEN, f"{len(proven)} doors proven: {proven}"
        )
        self.assertIn("sale.order.partner_id export", proven, "the owner exports the client's values")
        # the names still show on the documents the colleague opens
        self.assertEqual(self.order.with_user(self.colleague).partner_id.name, "Secret Company")
        self.assertIn("Secret Company", self.lead.with_user(self.colleague).partner_id.display_name)

    def test_markers_written_by_outsiders_never_land(self):
        """Class 1 writers: a colleague and an internal user outside the client base (who may
        create and write partners) write a marker into every guarded text field of the client:
        each write is refused, no marker lands; the client's manager writes the same and every
        one lands, so the refusals come from who writes, not from the fields."""
        Partner = self.env["res.partner"]
        text_fields = [
            fname
            for fname in sorted(WRITE_GUARDED_FIELDS)
            if fname in Partner._fields
            and Partner._fields[fname].type in ("char", "text")
            and (Partner._fields[fname].store or Partner._fields[fname].inverse)
            and not Partner._fields[fname].readonly
        ]
        writer = self._user("cb_marker_outsider", groups=f"{EMPLOYEE_GROUPS},base.group_partner_manager")
        written = "WRT9Z"  # a marker of its own: the class's marker is already in the card
        refused = 0
        for user in (writer, self.colleague):
            for target in (self.secret, self.secret_contact):
                for fname in text_fields:
                    with self.assertRaises(AccessError), self.env.cr.savepoint():
                        target.with_user(user).write({fname: f"{written}-{fname}"})
                    refused += 1
        self.env.invalidate_all()
        for target in (self.secret, self.secret_contact):
            self.assertNotIn(written, repr(target.sudo().read(text_fields)), "after outsiders' writes")
        landed = 0
        for fname in text_fields:
            self.secret.with_user(self.user_salesman).write({fname: f"{written}-{fname}"})
            # (Odoo completes a website with its scheme)
            landed += f"{written}-{fname}" in (self.secret.sudo()[fname] or "")
        self.assertEqual(refused, 4 * len(text_fields))
        self.assertGreaterEqual(len(text_fields), 10)
        self.assertEqual(landed, len(text_fields), "the circle's writes must land")


@tagged("post_install", "-at_install", "clientbase_protection")
class TestProtectionClassification(ProtectionCommon):
    def test_every_client_field_and_model_is_classified(self):
        """A new client_* field or clientbase.* model must be declared protected or public."""
        partner_fields = {f for f in self.env["res.partner"]._fields if f.startswith("client_")}
        unclassified = partner_fields - CARD_FIELDS.keys() - DERIVED_FIELDS - PUBLIC_FIELDS.keys()
        self.assertFalse(unclassified, "classify these fields in clientbase_security.py")
        models = {
            name
            for name, model in self.env.registry.items()
            if name.startswith("clientbase.") and not model._transient and not model._abstract
        }
        self.assertFalse(models - PROTECTED_MODELS - CONFIG_MODELS, "classify these models")
        # protected partner fields are hidden from users outside the client base
        Partner = self.env["res.partner"]
        for fname in (CARD_FIELDS.keys() | DERIVED_FIELDS) - {"client_card_ids"}:
            field = Partner._fields[fname]
            self.assertTrue(
                field.groups or field.comodel_name in PROTECTED_MODELS,
                f"{fname} must be hidden from outsiders or read through a protected model",
            )

    def test_rules_and_python_agree_on_ownership(self):
        """The record rules and own_partner_domain() give the same clients, with and without the pool."""
        unassigned = self.env["res.partner"].create({"name": "Pool", "client_profession": "Baker"})
        partners = self.secret | self.secret_contact | self.mine | unassigned
        for pool in (False, True):
            self.company.client_pool_visible = pool
            self.env.invalidate_all()
            for user in (self.user_salesman, self.colleague):
                env = self.env(user=user)
                by_rule = (
                    env["clientbase.client.card"].search([("partner_id", "in", partners.ids)]).partner_id
                )
                cards = self.env["clientbase.client.card"].search([("partner_id", "in", partners.ids)])
                by_domain = self.env["res.partner"].search(
                    [("id", "in", cards.partner_id.ids)] + own_partner_domain(env)
                )
                self.assertEqual(by_rule, by_domain, f"pool={pool} user={user.login}")


@tagged("post_install", "-at_install", "clientbase_protection")
class TestCardMigration(ClientbaseCommon):
    def test_upgrade_moves_partner_columns_to_cards(self):
        """A base of 18.0.1 (values in res_partner columns) upgrades with nothing lost."""
        cr = self.env.cr
        partner = self.env["res.partner"].create({"name": "Legacy client", "user_id": self.user_salesman.id})
        bare = self.env["res.partner"].create({"name": "Legacy bare"})
        interest = self.env["clientbase.interest"].create({"name": "Legacy interest"})
        self.env.flush_all()
        cr.execute(
            """ALTER TABLE res_partner ADD COLUMN client_needs text, ADD COLUMN client_birthday date,
                   ADD COLUMN client_birthday_month varchar, ADD COLUMN client_birthday_day int4,
                   ADD COLUMN client_is_decision_maker bool, ADD COLUMN client_children_count int4,
                   ADD COLUMN client_qualification varchar"""
        )
        cr.execute(
            SQL(
                """UPDATE res_partner SET client_needs = 'Old needs', client_birthday = '1970-02-03',
                          client_birthday_month = '2', client_birthday_day = 3,
                          client_is_decision_maker = TRUE, client_children_count = 2,
                          client_qualification = 'worth'
                    WHERE id = %s""",
                partner.id,
            )
        )
        cr.execute(
            SQL(
                "UPDATE res_partner SET client_is_decision_maker = FALSE, client_children_count = 0 WHERE id = %s",
                bare.id,
            )
        )
        cr.execute(
            SQL("CREATE TABLE %s (partner_id int, interest_id int)", SQL.identifier(LEGACY_INTEREST_TABLE))
        )
        cr.execute(
            SQL(
                "INSERT INTO %s VALUES (%s, %s)",
                SQL.identifier(LEGACY_INTEREST_TABLE),
                partner.id,
                interest.id,
            )
        )
        self.assertEqual(move_partner_data_to_cards(cr), 1)
        self.env.invalidate_all()
        self.assertEqual(
            (
                partner.client_needs,
                partner.client_birthday,
                partner.client_birthday_month,
                partner.client_is_decision_maker,
                partner.client_children_count,
                partner.client_qualification,
                partner.client_interest_ids,
            ),
            ("Old needs", date(1970, 2, 3), "2", True, 2, "worth", interest),
        )
        self.assertFalse(self.env["clientbase.client.card"].search([("partner_id", "=", bare.id)]))
        cr.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'res_partner' AND column_name = 'client_needs'"
        )
        self.assertFalse(cr.fetchall(), "the old column is dropped: no copy outside the rules")
        # safe to run again
        self.assertEqual(move_partner_data_to_cards(cr), 0)

    def test_upgrade_moves_segment_memberships(self):
        segment = self.env["clientbase.segment"].create({"name": "Legacy segment", "domain": "[]"})
        cr = self.env.cr
        cr.execute(
            SQL("CREATE TABLE %s (segment_id int, partner_id int)", SQL.identifier(LEGACY_SEGMENT_TABLE))
        )
        cr.execute(
            SQL(
                "INSERT INTO %s VALUES (%s, %s), (%s, %s)",
                SQL.identifier(LEGACY_SEGMENT_TABLE),
                segment.id,
                self.client_person.id,
                segment.id,
                self.client_company.id,
            )
        )
        self.assertEqual(move_segment_members(cr), 2)
        self.env.invalidate_all()
        self.assertEqual(segment.partner_ids, self.client_person | self.client_company)
        self.assertIn(segment, self.client_person.client_segment_ids)
        self.assertEqual(move_segment_members(cr), 0)
