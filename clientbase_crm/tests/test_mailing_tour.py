from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestMailingTour(HttpCase):
    def test_mailing_wizard_tour_from_segment(self):
        Partner = self.env["res.partner"]
        clients = Partner.create(
            [
                {"name": "Tour Client One", "email": "one@tourmail.example.com"},
                {"name": "Tour Client Two", "email": "two@tourmail.example.com"},
                {"name": "Tour Client Three", "email": "three@tourmail.example.com"},
            ]
        )
        self.env["clientbase.consent"].create(
            [
                {"partner_id": partner.id, "channel": "email", "purpose": "marketing"}
                for partner in clients[:2]
            ]
        )
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
        self.env.ref("base.user_admin").write(
            {"groups_id": [(4, self.env.ref("mass_mailing.group_mass_mailing_user").id)]}
        )
        self.start_tour(
            f"/odoo/action-clientbase_crm.clientbase_segment_action/{segment.id}",
            "clientbase_mailing_wizard_tour",
            login="admin",
        )
        mailing = self.env["mailing.mailing"].search([("subject", "=", "Offer for {{ object.name }}")])
        self.assertEqual(len(mailing), 1)
        self.assertEqual(mailing.clientbase_consent_purpose, "marketing")
        self.assertEqual(set(mailing._get_recipients()), set(clients[:2].ids))
