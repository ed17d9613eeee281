from datetime import date

from odoo.tests import HttpCase, freeze_time, new_test_user, tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install", "clientbase_loyalty")
class TestLoyaltyPortal(HttpCase, LoyaltyCommon):
    """A client logged in to the portal sees on /my its level, the progress to the next, its
    referral code and its valid personal codes with their deadlines; nothing of another client."""

    @freeze_time("2031-03-01")
    def test_a_portal_client_sees_its_own_loyalty_only(self):
        portal_user = new_test_user(
            self.env, login="loy_portal", groups="base.group_portal", name="Portal Client"
        )
        client = portal_user.partner_id
        client.user_id = self.user_a
        self._order(client, 60000)  # Silver; 90,000 more to Gold
        client.action_client_referral_code()
        other = self._client("Other Client")
        program = self.env["loyalty.program"].create(
            {
                "name": "Personal 10%",
                "program_type": "coupons",
                "reward_ids": [(0, 0, {"reward_type": "discount", "discount": 10, "required_points": 1})],
            }
        )
        Card = self.env["loyalty.card"]
        mine = Card.create(
            {
                "program_id": program.id,
                "partner_id": client.id,
                "points": 1,
                "expiration_date": date(2031, 3, 31),
            }
        )
        expired = Card.create(
            {
                "program_id": program.id,
                "partner_id": client.id,
                "points": 1,
                "expiration_date": date(2031, 2, 1),
            }
        )
        theirs = Card.create(
            {
                "program_id": program.id,
                "partner_id": other.id,
                "points": 1,
                "expiration_date": date(2031, 3, 31),
            }
        )
        other.action_client_referral_code()
        self.env.flush_all()
        self.authenticate("loy_portal", "loy_portal")
        page = self.url_open("/my").text
        self.assertIn("Silver", page)
        self.assertIn("Gold", page)
        self.assertIn("90,000", page.replace("\u00a0", " ").replace(" ", ","))
        self.assertIn(client.sudo().client_referral_code, page)
        self.assertIn(mine.code, page)
        self.assertIn("03/31/2031", page)
        self.assertNotIn(expired.code, page)
        self.assertNotIn(theirs.code, page)
        self.assertNotIn(other.sudo().client_referral_code, page)
