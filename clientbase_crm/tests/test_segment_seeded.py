import importlib.util
import os

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ClientbaseUsersCommon

OLD_DOMAIN = (
    "['|', ('is_company', '=', True), ('parent_id', '=', False), ('client_days_since_last_order', '>', 90)]"
)


@tagged("post_install", "-at_install", "clientbase_segment")
@freeze_time("2026-11-20 10:00:00")
class TestSeededSegments(ClientbaseUsersCommon):
    """Known answers of the segments the addon seeds."""

    def test_no_contact_for_three_months_reads_the_last_contact(self):
        segment = self.env.ref("clientbase_crm.clientbase_segment_no_contact_3_months")
        Partner = self.env["res.partner"]
        long_ago = Partner.create({"name": "Called in summer", "is_company": True})
        recent = Partner.create({"name": "Called last week", "is_company": True})
        never = Partner.create({"name": "Never called", "is_company": True})
        boundary = Partner.create({"name": "Called 90 days ago", "is_company": True})
        mailing_only = Partner.create({"name": "Newsletter reader", "client_mailing_only": True})
        self._log_interaction(long_ago, days_ago=120)
        self._log_interaction(recent, days_ago=7)
        self._log_interaction(boundary, days_ago=90)
        # orders do not count as contacts any more
        self._order(recent)
        segment._refresh_members()
        members = segment.partner_ids
        self.assertIn(long_ago, members)
        self.assertIn(never, members)
        self.assertNotIn(recent, members)
        self.assertNotIn(boundary, members, "more than 90 days: the 90th day is not yet")
        self.assertNotIn(mailing_only, members)
        self.assertEqual(long_ago.client_days_since_last_contact, 120)
        self.assertFalse(never.client_days_since_last_contact)

    def test_upgrade_replaces_only_an_unedited_domain(self):
        path = os.path.join(os.path.dirname(__file__), "..", "migrations", "18.0.2.1.0", "post-migrate.py")
        spec = importlib.util.spec_from_file_location("clientbase_crm_migration_18_0_2_1_0", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        segment = self.env.ref("clientbase_crm.clientbase_segment_no_contact_3_months")
        segment.domain = OLD_DOMAIN
        self.env.flush_all()
        migration.migrate(self.env.cr, "18.0.2.0.0")
        segment.invalidate_recordset()
        self.assertIn("client_days_since_last_contact", segment.domain)
        edited = "[('client_days_since_last_order', '>', 60)]"
        segment.domain = edited
        self.env.flush_all()
        migration.migrate(self.env.cr, "18.0.2.0.0")
        segment.invalidate_recordset()
        self.assertEqual(segment.domain, edited, "a domain a user changed is theirs")
