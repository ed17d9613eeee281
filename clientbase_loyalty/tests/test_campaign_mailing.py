from datetime import date, timedelta

from odoo import fields
from odoo.addons.clientbase_crm.tests.common import MARKETING_GROUPS
from odoo.tests import freeze_time, new_test_user, tagged

from .common import LoyaltyCommon, coupon_program

BODY = "<p>Your code {{ object.client_promo_code }} until {{ format_date(object.client_promo_code_expiration) }}</p>"


@tagged("post_install", "-at_install", "clientbase_loyalty")
@freeze_time("2031-03-01 10:00:00")
class TestCampaignMailing(LoyaltyCommon):
    """A mailing prepared for one chosen campaign: its clients are those holding a code of it, and
    each message shows the client's code of that campaign and its deadline, even for a client who
    got a code of another campaign since."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.client_mailing_cap_count = 0  # both campaigns' mailings reach Anna the same day
        cls.marketer = new_test_user(
            cls.env,
            login="loy_marketer",
            name="Marketer",
            groups=f"{MARKETING_GROUPS},mail.group_mail_template_editor",
        )
        cls.a, cls.b, cls.c = (
            cls._client(name, email=f"{name.lower()}@loyalty.example.com")
            for name in ("Anna", "Boris", "Clara")
        )
        yesterday = fields.Datetime.now() - timedelta(days=1)
        for client in cls.a | cls.b | cls.c:
            cls.env["clientbase.consent"].create(
                {
                    "partner_id": client.id,
                    "channel": "email",
                    "purpose": "marketing",
                    "state": "given",
                    "date": yesterday,
                }
            )
        cls.spring = cls._campaign("Spring", cls.a | cls.b, date(2031, 3, 31))
        cls.summer = cls._campaign("Summer", cls.a | cls.c, date(2031, 4, 30))  # Anna's code issued last

    @classmethod
    def _campaign(cls, name, clients, valid_until):
        segment = cls.env["clientbase.segment"].create(
            {"name": f"{name} clients", "domain": str([("id", "in", clients.ids)])}
        )
        segment._refresh_members()
        campaign = cls.env["clientbase.loyalty.campaign"].create(
            {
                "name": name,
                "segment_id": segment.id,
                "program_id": coupon_program(cls.env, f"{name} 10%").id,
                "expiration_date": valid_until,
            }
        )
        campaign.action_generate_codes()
        return campaign

    def _code(self, campaign, client):
        return campaign.card_ids.filtered(lambda card: card.partner_id == client).code

    def _mailing_for(self, campaign):
        action = campaign.with_user(self.marketer).action_prepare_mailing()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.marketer)
            .with_context(**action["context"])
            .create({"subject": "A gift", "body_html": BODY})
        )
        return wizard

    def test_each_client_gets_his_code_of_the_chosen_campaign(self):
        for campaign, clients, deadline in (
            (self.spring, self.a | self.b, "03/31/2031"),
            (self.summer, self.a | self.c, "04/30/2031"),
        ):
            wizard = self._mailing_for(campaign)
            self.assertEqual(wizard.promo_campaign_id, campaign)
            self.assertEqual(wizard.target_count, 2)
            self.assertEqual(wizard.eligible_count, 2)
            for client in clients:
                self.assertIn(f"{self._code(campaign, client)} until {deadline}", wizard.preview_html)
            mailing = self.env["mailing.mailing"].browse(wizard.action_create_mailing()["res_id"])
            self.assertEqual(mailing.clientbase_promo_campaign_id, campaign)
            mailing.keep_archives = True  # the sent emails stay, to be read
            mailing.action_send_mail()
            mails = self.env["mail.mail"].sudo().search([("mailing_id", "=", mailing.id)])
            self.assertEqual(sorted(mails.mapped("res_id")), sorted(clients.ids))
            for mail in mails:
                client = self.env["res.partner"].browse(mail.res_id)
                self.assertIn(f"{self._code(campaign, client)} until {deadline}", mail.body_html)
        # without a campaign, the placeholder shows the client's code issued last (Summer for Anna)
        self.env.invalidate_all()
        self.assertEqual(self.a.client_promo_code, self._code(self.summer, self.a))
        self.assertEqual(self.b.client_promo_code, self._code(self.spring, self.b))

    def test_the_campaigns_clients_are_its_code_holders(self):
        Partner = self.env["res.partner"].with_user(self.marketer)
        self.assertEqual(
            Partner.search([("client_promo_campaign_ids", "in", self.spring.ids)]), self.a | self.b
        )
        self.assertEqual(self.a.client_promo_campaign_ids, self.spring | self.summer)
        # a salesperson finds his own clients' codes only
        self.b.user_id = self.user_b
        Sales = self.env["res.partner"].with_user(self.user_a)
        self.assertEqual(Sales.search([("client_promo_campaign_ids", "in", self.spring.ids)]), self.a)
