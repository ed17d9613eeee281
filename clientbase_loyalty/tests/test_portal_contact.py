from datetime import date

from odoo.tests import HttpCase, freeze_time, new_test_user, tagged

from .common import LoyaltyCommon, bonus_program, coupon_program


@tagged("post_install", "-at_install", "clientbase_loyalty")
class TestLoyaltyPortalContact(HttpCase, LoyaltyCommon):
    """A company client's points, level and codes are the company's (its commercial entity): a
    contact of the company who logs in to the portal sees them on /my, and nothing of another
    client's."""

    def _company_with_portal_contact(self, name, login, amount, points):
        company = self._client(name)
        self._order(company, amount)
        contact_user = new_test_user(self.env, login=login, groups="base.group_portal", name=f"{name} Buyer")
        contact_user.partner_id.parent_id = company
        grant = self.env["clientbase.loyalty.grant"].create(
            {
                "partner_id": company.id,
                "company_id": self.company.id,
                "program_id": self.bonus.id,
                "event": "journey",
                "occasion": name,
                "description": f"Welcome gift of {name}",
                "points": points,
                "posted": False,
            }
        )
        self.env.flush_all()
        grant._post_grants(self.company)
        code = self.env["loyalty.card"].create(
            {
                "program_id": self.coupons.id,
                "partner_id": company.id,
                "points": 1,
                "expiration_date": date(2031, 3, 31),
            }
        )
        return company, contact_user, code

    @freeze_time("2031-03-01")
    def test_a_portal_contact_sees_his_companys_loyalty_only(self):
        self.bonus = self.env["loyalty.program"].create(
            {"name": "Company Bonus Points", "program_type": "loyalty", "portal_visible": True}
        )
        self.company.client_bonus_program_id = self.bonus
        self.coupons = coupon_program(self.env, "Personal 10%")
        acme, ivan, acme_code = self._company_with_portal_contact("Acme", "loy_ivan", 60000, 120)
        rival, olga, rival_code = self._company_with_portal_contact("Rival", "loy_olga", 200000, 70)
        self.env.flush_all()
        self.assertEqual(ivan.partner_id.commercial_partner_id, acme)

        self.authenticate("loy_ivan", "loy_ivan")
        page = self.url_open("/my").text
        self.assertIn("Acme", page)
        self.assertIn("Silver", page)  # the company's level (60,000)
        self.assertIn(acme_code.code, page)
        self.assertIn("Company Bonus Points", page)
        self.assertIn("Welcome gift of Acme", page)  # the company's points history
        self.assertNotIn(rival_code.code, page)
        self.assertNotIn("Welcome gift of Rival", page)

        self.authenticate("loy_olga", "loy_olga")
        page = self.url_open("/my").text
        self.assertIn("Gold", page)  # Rival's level (200,000)
        self.assertIn(rival_code.code, page)
        self.assertIn("Welcome gift of Rival", page)
        self.assertNotIn(acme_code.code, page)
        self.assertNotIn("Welcome gift of Acme", page)

    def test_a_portal_contacts_orders_earn_on_his_companys_card(self):
        program = bonus_program(
            self.env, name="Company Bonus Points", reward_point_mode="money", reward_point_amount=0.1
        )
        self.company.client_bonus_program_id = program
        buyers = {}
        for name, login, user in (("Acme", "loy_anna", self.user_a), ("Rival", "loy_boris", self.user_b)):
            company = self._client(name, user=user)
            contact_user = new_test_user(
                self.env, login=login, groups="base.group_portal", name=f"{name} Buyer"
            )
            contact_user.partner_id.parent_id = company
            buyers[name] = company, contact_user
        acme, anna = buyers["Acme"]
        rival, boris = buyers["Rival"]
        order = self._order(anna.partner_id, 3000)
        rival_order = self._order(boris.partner_id, 1000)
        Card = self.env["loyalty.card"]
        self.assertEqual(
            Card.search([("program_id", "=", program.id), ("partner_id", "=", acme.id)]).points, 300
        )
        self.assertEqual(
            Card.search([("program_id", "=", program.id), ("partner_id", "=", rival.id)]).points, 100
        )
        self.assertFalse(Card.search([("partner_id", "in", (anna | boris).partner_id.ids)]))
        self.env.flush_all()

        self.authenticate("loy_anna", "loy_anna")
        page = self.url_open("/my").text
        self.assertIn("Company Bonus Points", page)
        self.assertIn(f"Order {order.name}", page)  # the line of the company's card's history
        self.assertNotIn(rival_order.name, page)

        self.authenticate("loy_boris", "loy_boris")
        page = self.url_open("/my").text
        self.assertIn(f"Order {rival_order.name}", page)
        self.assertNotIn(order.name, page)
