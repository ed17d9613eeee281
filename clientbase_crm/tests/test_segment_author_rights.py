"""A segment filters only on what its author may read (issue 26, class 7).

A client base manager's segment is evaluated by the nightly refresh as superuser; its member
count would answer questions about data the manager may not read (the company's settings, the
users' login log). Such conditions are refused when the segment is saved, and a segment whose
author lost the right is not evaluated by the refresh.
"""

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import MANAGER_GROUPS, ClientbaseCommon


@tagged("post_install", "-at_install", "clientbase_protection")
class TestSegmentAuthorRights(ClientbaseCommon):
    def test_conditions_on_unreadable_data_are_refused(self):
        Segment = self.env["clientbase.segment"].with_user(self.user_manager)
        forbidden = [
            [("company_id.client_segment_cuts", "ilike", "1")],  # administrators only
            [("user_ids.login_date", "!=", False)],  # related to the login log
            [("user_ids", "any", [("log_ids.create_date", "!=", False)])],
            ["|", ("city", "=", "Tula"), ("user_ids.log_ids", "!=", False)],
        ]
        for domain in forbidden:
            with self.subTest(domain=domain), self.assertRaises(ValidationError), self.env.cr.savepoint():
                Segment.create({"name": "Oracle", "domain": repr(domain)})
        segment = Segment.create({"name": "Tula", "domain": repr([("city", "=", "Tula")])})
        self.assertEqual(segment.domain_author_id, self.user_manager)
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            segment.write({"domain": repr(forbidden[0])})

    def test_an_administrator_may_filter_on_what_he_reads(self):
        admin = self.env.ref("base.user_admin")
        segment = (
            self.env["clientbase.segment"]
            .with_user(admin)
            .create({"name": "Cuts", "domain": repr([("company_id.client_segment_cuts", "!=", False)])})
        )
        self.assertEqual(segment.domain_author_id, admin)

    def test_the_refresh_keeps_the_rule(self):
        """A segment whose conditions its author may no longer read has no members after the
        refresh; one he may read is refreshed."""
        self.client_person.city = "Tula"
        author = self._user("cb_former_admin", groups=f"{MANAGER_GROUPS},base.group_system")
        Segment = self.env["clientbase.segment"].with_user(author)
        allowed = Segment.create({"name": "Tula", "domain": repr([("city", "=", "Tula")])})
        leaking = Segment.create(
            {
                "name": "Tula by login",
                "domain": repr(
                    [
                        ("city", "=", "Tula"),
                        "|",
                        ("user_ids", "=", False),
                        ("user_ids.login_date", "!=", False),
                    ]
                ),
            }
        )
        segments = (allowed | leaking).with_env(self.env)
        segments._refresh_members()
        self.assertIn(self.client_person, leaking.sudo().partner_ids)
        # the author is no longer an administrator: the nightly refresh does not evaluate it
        author.groups_id = [Command.unlink(self.env.ref("base.group_system").id)]
        self.env["clientbase.client.figures"]._get_active_segments().filtered(
            lambda s: s in segments
        )._refresh_members()
        self.assertFalse(leaking.sudo().member_ids)
        self.assertIn(self.client_person, allowed.sudo().partner_ids)
