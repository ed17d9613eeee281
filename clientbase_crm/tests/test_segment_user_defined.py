from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ClientbaseSalesCommon


@tagged("post_install", "-at_install", "clientbase_segment")
@freeze_time("2026-03-10 10:00:00")
class TestSegmentUserDefined(ClientbaseSalesCommon):
    """User-defined segments (on a fixed day: the seeded ones count months and days back)."""

    def test_seeded_segments(self):
        social = self.env.ref("clientbase_crm.clientbase_channel_social_network")
        from_social = self._client("From Social", client_channel_id=social.id)
        buyer = self._client("Buyer")
        self._order(buyer, 100.0, days_ago=10)
        sleeper = self._client("Sleeper")
        self._order(sleeper, 100.0, days_ago=120)
        self._recompute()
        ref = self.env.ref
        self.assertIn(from_social, ref("clientbase_crm.clientbase_segment_social_networks").partner_ids)
        self.assertIn(from_social, ref("clientbase_crm.clientbase_segment_never_bought").partner_ids)
        self.assertIn(buyer, ref("clientbase_crm.clientbase_segment_bought_last_month").partner_ids)
        self.assertNotIn(sleeper, ref("clientbase_crm.clientbase_segment_bought_last_month").partner_ids)
        self.assertIn(sleeper, ref("clientbase_crm.clientbase_segment_no_contact_3_months").partner_ids)
        self.assertIn(ref("clientbase_crm.clientbase_segment_never_bought"), from_social.client_segment_ids)

    def test_custom_segment_membership_count_and_action(self):
        big = self._client("Big")
        small = self._client("Small")
        self._order(big, 1000.0, days_ago=3)
        self._order(small, 10.0, days_ago=3)
        segment = (
            self.env["clientbase.segment"]
            .with_user(self.user_manager)
            .create({"name": "Big buyers", "domain": "[('client_revenue', '>=', 500)]"})
        )
        self._recompute()
        self.assertEqual(segment.partner_ids, big)
        self.assertEqual(segment.partner_count, 1)
        action = segment.action_open_clients()
        self.assertEqual(self.Partner.search(action["domain"]), big)
        # members follow the data on the next run
        self._order(small, 600.0, days_ago=1)
        self._recompute()
        self.assertEqual(segment.partner_ids, big | small)
        segment.domain = "[('client_revenue', '>=', 5000)]"
        segment.action_refresh()
        self.assertFalse(segment.partner_ids)

    def test_invalid_domain_is_refused(self):
        with self.assertRaises(ValidationError):
            self.env["clientbase.segment"].create({"name": "Broken", "domain": "[('no_such_field', '=', 1)]"})
        with self.assertRaises(ValidationError):
            self.env["clientbase.segment"].create({"name": "Broken", "domain": "not a domain"})
