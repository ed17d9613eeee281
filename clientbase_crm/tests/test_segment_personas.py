from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .common import ClientbaseSalesCommon


@tagged("post_install", "-at_install", "clientbase_segment")
@freeze_time("2026-11-20 10:00:00")
class TestSegmentPersonas(ClientbaseSalesCommon):
    """Known answers of the five personas of the articles (rules in segmentation/rules.py)."""

    def _persona(self, client):
        self.env.invalidate_all()
        return client.client_persona_suggested

    def test_each_persona_from_behaviour(self):
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Persona news",
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                "body_html": "<p>News</p>",
            }
        )
        looking_deal = self._client("Looking with a deal")
        self.env["crm.lead"].create({"name": "Deal", "type": "opportunity", "partner_id": looking_deal.id})
        looking_mail = self._client("Looking at mailings")
        self.env["mailing.trace"].create(
            {
                "model": "res.partner",
                "res_id": looking_mail.id,
                "email": "look@example.com",
                "mass_mailing_id": mailing.id,
                "trace_status": "open",
                "open_datetime": fields.Datetime.now(),
            }
        )
        nobody = self._client("Never heard of")
        hunter = self._client("Hunter")
        for days, discount in ((10, 15), (40, 15), (70, 0)):
            self._order(hunter, 100.0, days_ago=days, discount=discount)
        specific = self._client("Every November")
        for days in (5, 370, 735):  # about the same day, three years running
            self._order(specific, 300.0, days_ago=days)
        regular = self._client("Regular")
        for days in (10, 100):
            self._order(regular, 100.0, days_ago=days)
        spread = self._client("All year round")
        for days in (10, 190, 375):
            self._order(spread, 100.0, days_ago=days)
        one_time = self._client("Once")
        self._order(one_time, 100.0, days_ago=20)
        fan = self._client("Fan")
        for days in (3, 60, 120, 200, 300, 400, 500, 600):
            self._order(fan, 100.0, days_ago=days)
        self._recompute(full=True)
        self.assertEqual(fan.client_stage, "loyal")
        self.assertEqual(fan.client_rfm_frequency, 5)
        expected = {
            looking_deal: "browsing",
            looking_mail: "browsing",
            nobody: False,
            hunter: "discount_hunter",
            specific: "specific",
            regular: "regular",
            spread: "regular",
            one_time: False,
            fan: "fan",
        }
        self.assertEqual({client: self._persona(client) for client in expected}, expected)

    def test_persona_changes_are_in_the_history(self):
        client = self._client("Changing")
        self._order(client, 100.0, days_ago=40)
        self._order(client, 100.0, days_ago=20)
        self._recompute(full=True)
        self.assertEqual(self._persona(client), "regular")
        for days in (10, 5, 2):
            self._order(client, 100.0, days_ago=days, discount=20)
        self.figures._run_engine()
        self.assertEqual(self._persona(client), "discount_hunter")
        history = self.env["clientbase.segment.history"].search(
            [("partner_id", "=", client.id), ("dimension", "=", "persona")], order="id desc", limit=1
        )
        self.assertEqual((history.old_value, history.new_value), ("regular", "discount_hunter"))
        self.assertEqual(history.new_label, "Discount Hunter")
        # a persona chosen by hand is the client's persona, and its change is recorded too
        client.client_persona = "fan"
        history = self.env["clientbase.segment.history"].search(
            [("partner_id", "=", client.id), ("dimension", "=", "persona")], order="id desc", limit=1
        )
        self.assertEqual(history.new_value, "fan")
