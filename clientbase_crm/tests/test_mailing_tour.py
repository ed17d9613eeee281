from odoo.tests import tagged

from .common import ClientbaseHttpCommon


@tagged("post_install", "-at_install", "clientbase_mailing", "clientbase_tour")
class TestMailingTour(ClientbaseHttpCommon):
    """The mailing wizard in the browser, as a marketer (client base manager, Email Marketing user)."""

    def test_mailing_wizard_tour_from_segment(self):
        marketer = self._marketer()
        clients, segment = self._mailing_segment(
            "Tour segment",
            "@tourmail.example.com",
            [
                ("Tour Client One", "one@tourmail.example.com", self.user_salesman),
                ("Tour Client Two", "two@tourmail.example.com", self.user_salesman),
                ("Tour Client Three", "three@tourmail.example.com", None),
            ],
            consented=2,
            template=("Tour offer", "Offer for {{ object.name }}", '<p>Hello <t t-out="object.name"/></p>'),
        )
        self._start_tour_warm(
            f"/odoo/action-clientbase_crm.clientbase_segment_action/{segment.id}",
            "clientbase_mailing_wizard_tour",
            marketer,
        )
        mailing = self.env["mailing.mailing"].search([("subject", "=", "Offer for {{ object.name }}")])
        self.assertEqual(len(mailing), 1)
        self.assertEqual(mailing.create_uid, marketer)
        self.assertEqual(mailing.clientbase_consent_purpose, "marketing")
        self.assertEqual(set(mailing._get_recipients()), set(clients[:2].ids))
