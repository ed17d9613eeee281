from datetime import date

from odoo.tests import HttpCase, new_test_user, tagged

from .common import LoyaltyCommon, coupon_program


@tagged("post_install", "-at_install", "clientbase_loyalty", "clientbase_tour")
class TestLoyaltyTours(HttpCase, LoyaltyCommon):
    """Loyalty in the browser: a marketer gives each client of a segment a personal code with a
    deadline (a win-back campaign); the salesperson of one of them applies the client's code on
    his quotation; a client of the segment sees his level and his code on the portal."""

    def test_win_back_codes_from_campaign_to_quotation_and_portal(self):
        marketer = new_test_user(
            self.env,
            login="loy_tour_marketer",
            name="Marketer",
            groups="clientbase_crm.group_clientbase_manager,mass_mailing.group_mass_mailing_user",
        )
        portal_user = new_test_user(
            self.env, login="loy_tour_portal", groups="base.group_portal", name="Tour Portal Client"
        )
        portal_client = portal_user.partner_id
        portal_client.user_id = self.user_a
        self._order(portal_client, 60000)  # Silver; Gold is next
        lapsed = self._client("Tour Lapsed Buyer") | self._client("Tour Lapsed Two")
        active = self._client("Tour Active Client")
        segment_clients = lapsed | portal_client
        coupon_program(self.env, "Tour Win-back 10%", description="Tour win-back 10% off")
        segment = self.env["clientbase.segment"].create(
            {"name": "Tour lapsed clients", "domain": str([("id", "in", segment_clients.ids)])}
        )
        segment._refresh_members()
        quotation = self._quotation(lapsed[0], 2000)
        self.assertEqual(quotation.user_id, self.user_a)

        # the marketer's campaign: one code per client of the segment, nobody else's
        self.start_tour(
            "/odoo/action-clientbase_loyalty.clientbase_loyalty_campaign_action",
            "clientbase_loyalty_campaign_tour",
            login=marketer.login,
        )
        campaign = self.env["clientbase.loyalty.campaign"].search([("name", "=", "Tour win-back")])
        self.assertEqual(len(campaign), 1)
        self.assertEqual(campaign.create_uid, marketer)
        self.assertEqual(campaign.segment_id, segment)
        self.assertEqual(campaign.expiration_date, date(2099, 12, 31))
        codes = campaign.card_ids
        self.assertEqual(len(codes), 3)
        self.assertEqual(codes.partner_id, segment_clients)
        self.assertFalse(
            self.env["loyalty.card"].search([("partner_id", "=", active.id)]), "no code outside the segment"
        )

        # the salesperson applies the client's own code: the reward line of that code, 10% off
        self.start_tour(
            f"/odoo/action-sale.action_quotations_with_onboarding/{quotation.id}",
            "clientbase_loyalty_code_tour",
            login=self.user_a.login,
        )
        client_code = codes.filtered(lambda card: card.partner_id == lapsed[0])
        reward_line = quotation.order_line.filtered("reward_id")
        self.assertEqual(len(reward_line), 1)
        self.assertEqual(reward_line.coupon_id, client_code)
        self.assertAlmostEqual(reward_line.price_subtotal, -200.0)
        self.assertAlmostEqual(quotation.amount_untaxed, 1800.0)
        quotation.action_confirm()
        self.assertEqual((campaign.code_count, campaign.redeemed_count), (3, 1))

        # the portal client sees his level, the progress and his own code only
        self.start_tour("/my", "clientbase_loyalty_portal_tour", login=portal_user.login)
        self.authenticate(portal_user.login, portal_user.login)
        page = self.url_open("/my").text
        self.assertIn(codes.filtered(lambda card: card.partner_id == portal_client).code, page)
        for other in (codes - codes.filtered(lambda card: card.partner_id == portal_client)).mapped("code"):
            self.assertNotIn(other, page)
