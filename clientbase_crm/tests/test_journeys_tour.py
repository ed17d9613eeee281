from unittest.mock import patch

from odoo.tests import tagged

from .common import ClientbaseHttpCommon


@tagged("post_install", "-at_install", "clientbase_journeys", "clientbase_tour")
class TestJourneyTours(ClientbaseHttpCommon):
    """Journeys in the browser: a marketer previews, tests and switches on the ready win-back
    journey; a salesperson pauses it on his client's card."""

    def test_marketer_and_salesperson_tours(self):
        marketer = self._marketer()
        lapsed = self.env["res.partner"].create(
            {"name": "Tour Lapsed", "email": "lapsed@tourmail.example.com", "user_id": self.user_salesman.id}
        )
        self._consent(lapsed)
        journey = self.env.ref("clientbase_crm.journey_winback")
        history = self.env["clientbase.segment.history"].sudo()
        event = {
            "partner_id": lapsed.id,
            "company_id": self.env.company.id,
            "dimension": "stage",
            "old_value": "active",
            "new_value": "inactive",
        }
        history.create(event)
        sent = []
        with patch.object(type(self.env["mail.mail"]), "send", lambda mails, *a, **k: sent.extend(mails.ids)):
            self.start_tour(
                "/odoo/action-clientbase_crm.clientbase_journey_action",
                "clientbase_journey_marketer_tour",
                login=marketer.login,
            )
        self.assertTrue(journey.active)
        self.assertFalse(journey.member_ids, "previewing and testing enrol nobody")
        mail = self.env["mail.mail"].sudo().browse(sent)
        self.assertEqual(mail.email_to, marketer.email)
        self.assertIn("Tour Lapsed", mail.body_html)
        # switched on, it takes the events from then on
        history.create(event)
        self.env["clientbase.journey"]._run_enrolment(journey)
        member = journey.member_ids
        self.assertEqual(member.partner_id, lapsed)
        if member.holdout:
            member.sudo().write({"holdout": False, "state": "running"})
        self.start_tour(
            f"/odoo/action-base.action_partner_form/{lapsed.id}",
            "clientbase_journey_salesperson_tour",
            login=self.user_salesman.login,
        )
        self.assertTrue(member.paused)
