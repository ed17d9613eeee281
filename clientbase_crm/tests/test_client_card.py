from ast import literal_eval

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import ClientbaseCommon


@tagged("post_install", "-at_install", "clientbase_card")
class TestClientCard(ClientbaseCommon):
    """The client card holds qualification, informal and acquisition data."""

    @freeze_time("2026-03-10 10:00:00")
    def test_qualification_is_stamped_with_date_and_user(self):
        client = self.client_person.with_user(self.user_salesman)
        client.write(
            {
                "client_needs": "Office furniture for 40 people",
                "client_pains": "Current supplier delivers late",
                "client_budget": 15000,
                "client_qualification": "worth",
                "client_qualification_reason": "Growing company, budget approved",
            }
        )
        self.assertEqual(client.client_qualified_date, fields.Date.context_today(client))
        self.assertEqual(client.client_qualified_by_id, self.user_salesman)
        self.assertEqual(client.client_currency_id, self.company.currency_id)
        # a later edit of the reason keeps the original stamp
        client.client_qualified_date = "2024-01-10"
        client.write({"client_qualification_reason": "Still growing"})
        self.assertEqual(str(client.client_qualified_date), "2024-01-10")

    def test_decision_maker_is_a_key_employee(self):
        self.client_company.client_decision_maker_id = self.client_employee
        self.assertIn(self.client_employee, self.client_company.child_ids)
        self.assertTrue(self.client_employee.client_is_decision_maker)
        self.assertEqual(self.client_employee.function, "Purchasing Director")
        decision_makers = self.env["res.partner"].search(
            [("parent_id", "=", self.client_company.id), ("client_is_decision_maker", "=", True)]
        )
        self.assertEqual(decision_makers, self.client_employee)

    def test_informal_details(self):
        music = self.env.ref("clientbase_crm.clientbase_interest_music")
        travel = self.env.ref("clientbase_crm.clientbase_interest_travel")
        self.client_person.write(
            {
                "client_gift_preferences": "Dark chocolate, jazz vinyl",
                "client_interest_ids": [(6, 0, (music | travel).ids)],
                "client_family_status": "married",
                "client_children_count": 2,
                "client_children_note": "Masha 7, Petya 12",
                "client_pets": "Cat",
                "client_favourite_brand": "Volvo",
                "client_profession": "Architect",
                "client_income_band": "high",
            }
        )
        found = self.env["res.partner"].search(
            [
                ("client_interest_ids", "in", music.ids),
                ("client_family_status", "=", "married"),
                ("client_children_count", ">", 0),
            ]
        )
        self.assertEqual(found, self.client_person)
        with self.assertRaises(ValidationError):
            self.client_person.client_children_count = -1

    def test_manager_of_company_is_followed_by_its_contacts(self):
        self.assertEqual(self.client_employee.user_id, self.user_salesman)
        self.client_company.user_id = self.user_salesman_2
        self.assertEqual(self.client_employee.user_id, self.user_salesman_2)
        new_contact = self.env["res.partner"].create(
            {"name": "Olga Sidorova", "parent_id": self.client_company.id}
        )
        self.assertEqual(new_contact.user_id, self.user_salesman_2)

    def test_mailing_only_contact_kind(self):
        contact = self.env["res.partner"].create(
            {"name": "Newsletter reader", "email": "reader@example.com", "client_mailing_only": True}
        )
        mailing_only = self.env["res.partner"].search([("client_mailing_only", "=", True)])
        self.assertIn(contact, mailing_only)
        self.assertNotIn(self.client_person, mailing_only)

    def test_client_card_form_shows_the_tabs(self):
        with Form(self.client_person.with_user(self.user_salesman)) as card:
            card.client_needs = "Needs a quick delivery"
            card.client_channel_id = self.env.ref("clientbase_crm.clientbase_channel_cold_call")
            self.assertEqual(card.client_source_id, self.env.ref("clientbase_crm.utm_source_cold_call"))
        self.assertEqual(self.client_person.client_needs, "Needs a quick delivery")

    def test_clients_action_lists_commercial_entities(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("clientbase_crm.res_partner_action_clients")
        domain = literal_eval(action["domain"])
        clients = self.env["res.partner"].search(domain)
        self.assertIn(self.client_company, clients)
        self.assertIn(self.client_person, clients)
        self.assertNotIn(self.client_employee, clients)
        # colleagues (internal users' own contacts) are not clients
        self.assertNotIn(self.user_salesman.partner_id, clients)


@tagged("post_install", "-at_install", "clientbase_card")
class TestContactDataWarning(ClientbaseCommon):
    def test_card_warns_about_invalid_data_and_changes_nothing(self):
        self.env.company.country_id = self.env.ref("base.ru")
        card = self.env["res.partner"].with_user(self.user_salesman).new({"name": "Typo"})
        card.email = "anna smirnova@bk.ru"
        card.phone = "8 (903) 12-ab-45-6"
        warning = card._onchange_client_contact_data()["warning"]["message"]
        self.assertIn("“anna smirnova@bk.ru” is not a valid email", warning)
        self.assertIn("“8 (903) 12-ab-45-6” is not a valid phone number", warning)
        self.assertEqual(
            (card.email, card.phone), ("anna smirnova@bk.ru", "8 (903) 12-ab-45-6"), "nothing rewritten"
        )
        card.email, card.phone = "anna.smirnova@bk.ru", "8 (916) 123-45-67"
        self.assertIsNone(card._onchange_client_contact_data())
