"""Odoo's portal flows on a client's contact keep working under the write guard (issue 26,
class 1): the contact signs up through his invitation and edits his own address in the
portal, through the web routes a client uses; the guard still refuses a colleague."""

from odoo import http
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ClientbaseHttpCommon


@tagged("post_install", "-at_install", "clientbase_protection")
class TestProtectionWritesPortal(ClientbaseHttpCommon):
    def test_a_clients_contact_signs_up_and_edits_his_address(self):
        contact = self.client_employee
        country = self.env.ref("base.ru")
        self.client_company.country_id = country
        contact.write({"email": "ivan.portal@romashka.example.com", "country_id": country.id})
        self.assertIn(contact, contact._get_client_clients(), "the contact is the client base's")
        # the invitation (a token for the contact, as "Grant portal access" or b2c sends it)
        contact.sudo().signup_prepare()
        token = contact.sudo()._generate_signup_token()
        self.authenticate(None, None)
        response = self.url_open(
            "/web/signup",
            data={
                "token": token,
                "login": contact.email,
                "name": contact.name,
                "password": "portal-pass-1234",
                "confirm_password": "portal-pass-1234",
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertEqual(response.status_code, 200)
        portal_user = contact.with_context(active_test=False).user_ids
        self.assertEqual(len(portal_user), 1, "the sign-up made the contact's user")
        self.assertTrue(portal_user.share)
        # his own address, through the portal's account page
        self.authenticate(portal_user.login, "portal-pass-1234")
        response = self.url_open(
            "/my/account",
            data={
                "name": "Ivan Petrov",
                "email": "ivan.portal@romashka.example.com",
                "phone": "+7 900 222-33-44",
                "street": "Tverskaya 7",
                "city": "Moscow",
                "zipcode": "125009",
                "country_id": str(country.id),
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        self.assertEqual(
            (contact.street, contact.city, contact.phone), ("Tverskaya 7", "Moscow", "+7 900 222-33-44")
        )
        self.assertEqual(contact.commercial_partner_id, self.client_company)
        self.assertEqual(self.client_company.user_id, self.user_salesman, "ownership untouched")
        # the client base's guard is unchanged: a colleague still cannot touch the contact
        with self.assertRaises(AccessError):
            contact.with_user(self.user_salesman_2).write({"street": "Elsewhere"})
