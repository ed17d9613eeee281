from odoo import fields
from odoo.tests import tagged

from .common import MailingCommon


@tagged("post_install", "-at_install", "clientbase_mailing")
class TestMailingResponses(MailingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        wizard = (
            cls.env["clientbase.mailing.wizard"]
            .with_user(cls.user_marketer)
            .with_context(active_model="res.partner", active_ids=cls.eligible.ids)
            .create({"subject": "Spring offer", "body_html": "<p>Hello {{ object.name }}</p>"})
        )
        cls.mailing = cls.env["mailing.mailing"].browse(wizard.action_create_mailing()["res_id"])
        cls.mailing.action_send_mail()
        cls.traces = cls.env["mailing.trace"].search([("mass_mailing_id", "=", cls.mailing.id)])

    def _trace(self, partner):
        return self.traces.filtered(lambda t: t.res_id == partner.id)

    def _interactions(self, partners=None):
        domain = [("mailing_id", "=", self.mailing.id)]
        if partners:
            domain.append(("client_id", "in", partners.ids))
        return self.env["clientbase.interaction"].search(domain)

    def test_opens_clicks_replies_come_back(self):
        self.assertEqual(len(self.traces), 3)
        now = fields.Datetime.now()
        self._trace(self.p_ok).write({"trace_status": "open", "open_datetime": now})
        self._trace(self.p_ok_2).write(
            {"trace_status": "open", "open_datetime": now, "links_click_datetime": now}
        )
        self._trace(self.p_mailing_only).write({"trace_status": "reply", "reply_datetime": now})
        cron = self.env.ref("clientbase_crm.ir_cron_sync_mailing_responses")
        cron.method_direct_trigger()

        today = fields.Date.context_today(self.p_ok)
        for partner in self.eligible:
            self.assertEqual(partner.client_last_mailing_response_date, today, partner.name)
        self.assertTrue(self.p_ok.filtered_domain([("client_last_mailing_response_date", "!=", False)]))
        # an open is not a contact: only the click and the reply are logged
        self.assertFalse(self._interactions(self.p_ok))
        click = self._interactions(self.p_ok_2)
        self.assertEqual((click.kind, click.result), ("email", "other"))
        reply = self._interactions(self.p_mailing_only)
        self.assertEqual(reply.result, "reached")
        self.assertTrue(all(self.traces.mapped("clientbase_response_synced")))
        # idempotent: a second run logs nothing new
        self.assertEqual(self.env["mailing.trace"]._cron_sync_mailing_responses(), 0)
        self.assertEqual(len(self._interactions()), 2)

    def test_attributed_order(self):
        self.assertTrue(self.mailing.source_id)
        order = self._order(
            self.p_ok, product=self._product("Gift box"), state="draft", source_id=self.mailing.source_id.id
        )
        self.env["mailing.trace"]._cron_sync_mailing_responses()
        self.assertFalse(self._interactions(self.p_ok), "a quotation is not an order yet")
        order.action_confirm()
        self.env["mailing.trace"]._cron_sync_mailing_responses()
        accepted = self._interactions(self.p_ok)
        self.assertEqual(accepted.result, "offer_accepted")
        self.assertEqual(accepted.sale_order_id, order)
        self.assertTrue(self.p_ok.client_last_mailing_response_date)
        self.assertFalse(self.p_ok_2.client_last_mailing_response_date)
        self.env["mailing.trace"]._cron_sync_mailing_responses()
        self.assertEqual(len(self._interactions(self.p_ok)), 1)
