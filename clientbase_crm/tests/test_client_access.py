from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import EMPLOYEE_GROUPS, ClientbaseCommon


@tagged("post_install", "-at_install", "clientbase_protection")
class TestClientAccess(ClientbaseCommon):
    """Users see and edit the personal data of their own clients; managers of all."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.client_pool_visible = False
        cls.client_person.write(
            {
                "client_birthday": "1990-05-17",
                "client_profession": "Architect",
                "client_needs": "A new office",
            }
        )
        cls.client_employee.write({"client_profession": "Buyer"})
        cls.other_client = cls.env["res.partner"].create(
            {
                "name": "Boris Other",
                "user_id": cls.user_salesman_2.id,
                "client_profession": "Pilot",
                "client_birthday": "1985-05-17",
                "client_needs": "Secret plans",
            }
        )
        cls.unassigned = cls.env["res.partner"].create({"name": "Pool Client", "client_profession": "Baker"})
        cls.employee = cls._user("cb_plain_employee", groups=EMPLOYEE_GROUPS)

    def test_read_own_and_foreign(self):
        partners = (self.client_person | self.other_client | self.client_employee).with_user(
            self.user_salesman
        )
        rows = {
            r["id"]: r
            for r in partners.read(["name", "client_profession", "client_needs", "client_birthday"])
        }
        self.assertEqual(rows[self.client_person.id]["client_profession"], "Architect")
        self.assertEqual(rows[self.client_employee.id]["client_profession"], "Buyer", "the company's contact")
        other = rows[self.other_client.id]
        self.assertEqual(other["name"], "Boris Other", "the name stays visible")
        self.assertEqual(
            (other["client_profession"], other["client_needs"], other["client_birthday"]), (False,) * 3
        )
        # web_read and search_read (form, list, kanban) blank the same way
        web = self.other_client.with_user(self.user_salesman).web_read(
            {"client_profession": {}, "display_name": {}}
        )
        self.assertEqual(web[0]["client_profession"], False)
        found = (
            self.env["res.partner"]
            .with_user(self.user_salesman)
            .search_read([("id", "=", self.other_client.id)], ["client_needs"])
        )
        self.assertEqual(found[0]["client_needs"], False)
        # managers see everything
        self.assertEqual(
            self.other_client.with_user(self.user_manager).read(["client_needs"])[0]["client_needs"],
            "Secret plans",
        )

    def test_unassigned_pool_setting(self):
        read = self.unassigned.with_user(self.user_salesman).read(["client_profession"])[0]
        self.assertFalse(read["client_profession"])
        self.company.client_pool_visible = True
        read = self.unassigned.with_user(self.user_salesman).read(["client_profession"])[0]
        self.assertEqual(read["client_profession"], "Baker")

    def test_search_and_group_by_only_own(self):
        Partner = self.env["res.partner"].with_user(self.user_salesman)
        found = Partner.search([("client_profession", "in", ["Architect", "Pilot"])])
        self.assertEqual(found, self.client_person)
        self.assertFalse(Partner.search_count([("client_needs", "ilike", "secret")]))
        self.assertEqual(
            Partner.search([("client_days_to_birthday", ">=", 0), ("id", "in", [self.other_client.id])]).ids,
            [],
        )
        groups = Partner._read_group([], ["client_profession"], ["__count"])
        professions = {profession for profession, _count in groups}
        self.assertNotIn("Pilot", professions)
        self.assertIn("Architect", professions)
        web_groups = Partner.read_group(
            [("client_birthday", "!=", False)], ["client_birthday_month"], ["client_birthday_month"]
        )
        self.assertEqual(sum(g["client_birthday_month_count"] for g in web_groups), 1)
        # searching by name still finds every partner (quotations, leads)
        self.assertEqual(Partner.search([("name", "=", "Boris Other")]), self.other_client)
        ManagerPartner = self.env["res.partner"].with_user(self.user_manager)
        self.assertEqual(
            ManagerPartner.search([("client_profession", "in", ["Architect", "Pilot"])]),
            self.client_person | self.other_client,
        )

    def test_write_refused_on_foreign_client(self):
        with self.assertRaises(AccessError):
            self.other_client.with_user(self.user_salesman).write({"client_needs": "overwritten"})
        with self.assertRaises(AccessError):
            self.other_client.with_user(self.user_salesman).write({"user_id": self.user_salesman.id})
        self.assertEqual(self.other_client.client_needs, "Secret plans")
        self.assertEqual(self.other_client.user_id, self.user_salesman_2)
        # nor its contact data
        with self.assertRaises(AccessError):
            self.other_client.with_user(self.user_salesman).write({"phone": "+7 900 000 00 00"})
        # own clients are editable, the manager reassigns
        self.client_person.with_user(self.user_salesman).write({"client_needs": "Two offices"})
        self.assertEqual(self.client_person.client_needs, "Two offices")
        with self.assertRaises(AccessError):
            self.client_person.with_user(self.user_salesman).write({"user_id": self.user_salesman_2.id})
        self.other_client.with_user(self.user_manager).write(
            {"user_id": self.user_salesman.id, "client_needs": "x"}
        )
        self.assertEqual(self.other_client.user_id, self.user_salesman)

    def test_plain_employee_never_reads_client_data(self):
        partner = self.client_person.with_user(self.employee)
        self.assertEqual(partner.read(["name"])[0]["name"], "Anna Smirnova")
        with self.assertRaises(AccessError):
            partner.read(["client_needs"])
        with self.assertRaises(AccessError):
            partner.write({"client_needs": "nothing"})
        self.assertEqual(self.client_person.client_needs, "A new office")

    def test_manager_change_is_tracked(self):
        partner = self.client_person.with_context(tracking_disable=False)
        partner.with_user(self.user_manager).write({"user_id": self.user_salesman_2.id})
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracked = partner.message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "user_id")
        self.assertEqual(tracked.new_value_char, self.user_salesman_2.name)

    def test_interactions_of_foreign_clients(self):
        Interaction = self.env["clientbase.interaction"]
        other = Interaction.create(
            {
                "client_id": self.other_client.id,
                "note": "theirs",
                "user_id": self.user_salesman_2.id,
                "result": "reached",
            }
        )
        # the client card does not list another manager's interactions
        card = self.other_client.with_user(self.user_salesman).read(["client_interaction_ids"])[0]
        self.assertEqual(card["client_interaction_ids"], [])
        # each request has its own cache; in one test the one2many cached for the user must go
        self.env.invalidate_all()
        manager_card = self.other_client.with_user(self.user_manager).read(["client_interaction_ids"])[0]
        self.assertEqual(manager_card["client_interaction_ids"], other.ids)
        with self.assertRaises(AccessError):
            other.with_user(self.user_salesman).write({"note": "changed"})
        self.assertEqual(other.note, "theirs")
        # nor does the interaction list, search_read or read_group (the RPC doors)
        mine = Interaction.with_user(self.user_salesman).create(
            {"client_id": self.client_person.id, "result": "reached"}
        )
        as_user = Interaction.with_user(self.user_salesman)
        self.assertEqual(as_user.search([("id", "in", (mine | other).ids)]), mine)
        rows = as_user.search_read([("id", "in", (mine | other).ids)], ["note"])
        self.assertEqual([row["id"] for row in rows], mine.ids)
        counts = as_user.read_group([("id", "in", (mine | other).ids)], ["client_id"], ["client_id"])
        self.assertEqual([group["client_id"][0] for group in counts], [self.client_person.id])
        with self.assertRaises(AccessError):
            other.with_user(self.user_salesman).read(["note"])
        # the manager of the client and the group Manager read it
        self.assertTrue(other.with_user(self.user_salesman_2).read(["note"]))
        self.assertTrue(other.with_user(self.user_manager).read(["note"]))

    def test_consent_rules(self):
        Consent = self.env["clientbase.consent"]
        own = self._consent(self.client_person)
        other = self._consent(self.other_client)
        self.assertEqual(Consent.with_user(self.user_salesman).search([("id", "in", (own | other).ids)]), own)
        with self.assertRaises(AccessError):
            other.with_user(self.user_salesman).read(["state"])
        self.assertEqual(
            Consent.with_user(self.user_manager).search([("id", "in", (own | other).ids)]), own | other
        )

    def test_a_hidden_value_is_never_shown_as_a_number(self):
        """A colleague's client says "hidden from you" where its figures would read 0."""
        mine = self.client_person.with_user(self.user_salesman)
        theirs = self.client_person.with_user(self.user_salesman_2)
        self.assertFalse(mine.client_data_hidden)
        self.assertTrue(theirs.client_data_hidden)
        self.assertFalse(self.client_person.with_user(self.user_manager).client_data_hidden)
        Partner = self.env["res.partner"].with_user(self.user_salesman_2)
        views = {"form": False, "list": self.env.ref("clientbase_crm.res_partner_view_list_clientbase").id}
        for view_type, view_id in views.items():
            arch = etree.fromstring(Partner.get_view(view_id, view_type)["arch"])
            for name in ("client_revenue", "client_order_count"):
                nodes = arch.xpath(f"//field[@name='{name}']")
                self.assertTrue(nodes, (view_type, name))
                for node in nodes:
                    guards = [n.get("invisible", "") for n in (node, *node.iterancestors())]
                    self.assertTrue(any("client_data_hidden" in g for g in guards), (view_type, name))
            if view_type == "form":
                # in place of the figures: who handles the client (test_first_day_screens)
                alerts = arch.xpath(
                    "//div[contains(@class, 'alert')][contains(@invisible, 'client_data_hidden')]"
                )
                self.assertTrue(alerts)
                for alert in alerts:
                    self.assertTrue(alert.xpath(".//field[@name='client_hidden_notice']"))
