from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ClientbaseCommon

CHANNELS = [
    "website_form",
    "subscription",
    "social_network",
    "chat_bot",
    "cold_call",
    "referral",
    "exhibition",
    "coupon_site",
    "partner",
    "purchased_base",
]


@tagged("post_install", "-at_install", "clientbase_card")
class TestClientChannel(ClientbaseCommon):
    """Acquisition channels: defaults our users name, UTM filled on the server, referrals."""

    def test_default_channels_exist_with_utm(self):
        for code in CHANNELS:
            channel = self.env.ref(f"clientbase_crm.clientbase_channel_{code}")
            self.assertTrue(channel.active, code)
            self.assertTrue(channel.source_id, code)
            self.assertTrue(channel.medium_id, code)
        referral = self.env.ref("clientbase_crm.clientbase_channel_referral")
        self.assertTrue(referral.is_referral)
        self.assertFalse(self.env.ref("clientbase_crm.clientbase_channel_exhibition").is_referral)

    def test_channel_fills_utm_on_create_and_write(self):
        exhibition = self.env.ref("clientbase_crm.clientbase_channel_exhibition")
        client = self.env["res.partner"].create(
            {"name": "Met at the fair", "client_channel_id": exhibition.id}
        )
        self.assertEqual(client.client_source_id, exhibition.source_id)
        self.assertEqual(client.client_medium_id, exhibition.medium_id)
        # an explicit source wins over the channel's default
        own_source = self.env["utm.source"].create({"name": "Moscow Expo 2026"})
        cold_call = self.env.ref("clientbase_crm.clientbase_channel_cold_call")
        client.write({"client_channel_id": cold_call.id, "client_source_id": own_source.id})
        self.assertEqual(client.client_source_id, own_source)
        self.assertEqual(client.client_medium_id, cold_call.medium_id)

    def test_referral_and_referral_count(self):
        referral = self.env.ref("clientbase_crm.clientbase_channel_referral")
        friend = self.env["res.partner"].create(
            {
                "name": "Friend of Anna",
                "client_channel_id": referral.id,
                "client_referrer_id": self.client_person.id,
            }
        )
        self.assertEqual(self.client_person.client_referral_count, 1)
        self.assertEqual(self.client_person.client_referral_ids, friend)
        action = self.client_person.action_open_client_referrals()
        self.assertEqual(self.env["res.partner"].search(action["domain"]), friend)
        with self.assertRaises(ValidationError):
            friend.client_referrer_id = friend
        with self.assertRaises(ValidationError):
            self.client_employee.client_referrer_id = self.client_company

    def test_channel_counts_and_opens_its_clients(self):
        social = self.env.ref("clientbase_crm.clientbase_channel_social_network")
        self.client_person.client_channel_id = social
        self.client_company.client_channel_id = social
        social.invalidate_recordset(["client_count"])
        self.assertEqual(social.client_count, 2)
        action = social.action_open_clients()
        self.assertEqual(
            self.env["res.partner"].search(action["domain"]), self.client_person | self.client_company
        )
        grouped = dict(
            self.env["res.partner"]._read_group(
                [("id", "in", (self.client_person | self.client_company).ids)],
                ["client_channel_id"],
                ["__count"],
            )
        )
        self.assertEqual(grouped, {social: 2})
