from odoo.tests import tagged

from .common import ClientbaseHttpCommon


@tagged("post_install", "-at_install", "clientbase_mailing", "clientbase_tour")
class TestMailingTour(ClientbaseHttpCommon):
    """The mailing wizard in the browser, as a marketer (client base manager, Email Marketing user)."""

    def test_mailing_wizard_tour_from_segment(self):
        marketer = self._marketer()
        clients = self.env["res.partner"].create(
            [
                {
                    "name": "Tour Client One",
                    "email": "one@tourmail.example.com",
                    "user_id": self.user_salesman.id,
                },
                {
                    "name": "Tour Client Two",
                    "email": "two@tourmail.example.com",
                    "user_id": self.user_salesman.id,
                },
                {"name": "Tour Client Three", "email": "three@tourmail.example.com"},
            ]
        )
        for partner in clients[:2]:
            self._consent(partner)
        self.env["mail.template"].create(
            {
                "name": "Tour offer",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "subject": "Offer for {{ object.name }}",
                "body_html": '<p>Hello <t t-out="object.name"/></p>',
            }
        )
        segment = self.env["clientbase.segment"].create(
            {"name": "Tour segment", "domain": "[('email', '=ilike', '%@tourmail.example.com')]"}
        )
        segment._refresh_members()
        self.start_tour(
            f"/odoo/action-clientbase_crm.clientbase_segment_action/{segment.id}",
            "clientbase_mailing_wizard_tour",
            login=marketer.login,
        )
        mailing = self.env["mailing.mailing"].search([("subject", "=", "Offer for {{ object.name }}")])
        self.assertEqual(len(mailing), 1)
        self.assertEqual(mailing.create_uid, marketer)
        self.assertEqual(mailing.clientbase_consent_purpose, "marketing")
        self.assertEqual(set(mailing._get_recipients()), set(clients[:2].ids))
