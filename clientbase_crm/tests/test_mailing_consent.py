from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import MailingCommon


@tagged("post_install", "-at_install", "clientbase_mailing")
class TestConsentLedger(MailingCommon):
    def test_current_consent_is_latest_row(self):
        self.assertTrue(self.p_ok.client_consent_email_marketing)
        self.assertTrue(self.p_ok.client_consent_sms_marketing)
        self.assertFalse(self.p_ok.client_consent_email_newsletter)
        self.assertFalse(self.p_withdrawn.client_consent_email_marketing)
        self.assertFalse(self.p_no_consent.client_consent_email_marketing)
        self.assertEqual(self.p_withdrawn.client_consent_count, 2)
        current = self.env["clientbase.consent"].search(
            [("partner_id", "=", self.p_withdrawn.id), ("is_current", "=", True)]
        )
        self.assertEqual(current.state, "withdrawn")
        # given again later: current again
        self.env["clientbase.consent"].create(
            {"partner_id": self.p_withdrawn.id, "channel": "email", "purpose": "marketing", "state": "given"}
        )
        self.p_withdrawn.invalidate_recordset()
        self.assertTrue(self.p_withdrawn.client_consent_email_marketing)

    def test_search_consent_flags(self):
        Partner = self.env["res.partner"]
        given = Partner.search(
            [("client_consent_email_marketing", "=", True), ("id", "in", self.all_clients.ids)]
        )
        not_given = self.p_no_consent | self.p_withdrawn | self.p_blacklisted
        self.assertEqual(given, self.all_clients - not_given)
        self.assertEqual(
            Partner.search(
                [("client_consent_email_marketing", "=", False), ("id", "in", self.all_clients.ids)]
            ),
            not_given,
        )
        self.assertEqual(
            Partner.search(
                [("client_consent_sms_marketing", "!=", False), ("id", "in", self.all_clients.ids)]
            ),
            self.p_ok,
        )
        with self.assertRaises(ValidationError):
            Partner.search([("client_consent_email_marketing", "in", [True])])

    def test_blacklist_withdraws_email_consents(self):
        """Odoo's unsubscribe from a mailing blacklists the address: the ledger records the withdrawal."""
        self.env["clientbase.consent"].create(
            {"partner_id": self.p_ok.id, "channel": "email", "purpose": "newsletter"}
        )
        self.assertTrue(self.p_ok.client_consent_email_newsletter)
        self.env["mail.blacklist"]._add("OK@mailtest.example.com")
        self.p_ok.invalidate_recordset()
        self.assertFalse(self.p_ok.client_consent_email_marketing)
        self.assertFalse(self.p_ok.client_consent_email_newsletter)
        self.assertTrue(self.p_ok.client_consent_sms_marketing, "other channels are untouched")
        withdrawals = self.p_ok.client_consent_ids.filtered(lambda c: c.source == "unsubscribe")
        self.assertEqual(set(withdrawals.mapped("purpose")), {"marketing", "newsletter"})
        self.assertEqual(set(withdrawals.mapped("state")), {"withdrawn"})

    def test_sms_opt_out_withdraws_sms_consents(self):
        """An SMS STOP (Odoo blacklists the number) lands in the ledger as an email unsubscribe
        does: the card no longer shows SMS consent, the other channels keep theirs."""
        self.assertTrue(self.p_ok.client_consent_sms_marketing)
        self.assertTrue(self.p_ok.phone_sanitized)
        self.env["phone.blacklist"].sudo()._add([self.p_ok.phone_sanitized], message="STOP")
        self.p_ok.invalidate_recordset()
        self.assertFalse(self.p_ok.client_consent_sms_marketing)
        self.assertTrue(self.p_ok.client_consent_email_marketing, "other channels are untouched")
        withdrawal = self.p_ok.client_consent_ids.filtered(lambda c: c.source == "unsubscribe")
        self.assertEqual((withdrawal.channel, withdrawal.state), ("sms", "withdrawn"))
        self.assertIn(self.p_ok.phone_sanitized, withdrawal.proof)
        # blacklisted by hand from the list: the same
        self.env["clientbase.consent"].create(
            {"partner_id": self.p_ok.id, "channel": "sms", "purpose": "marketing"}
        )
        self.env["phone.blacklist"].sudo().search(
            [("number", "=", self.p_ok.phone_sanitized)]
        ).action_unarchive()
        self.env["phone.blacklist"].sudo()._remove([self.p_ok.phone_sanitized])
        self.env["phone.blacklist"].sudo().create([{"number": self.p_ok.mobile}])
        self.p_ok.invalidate_recordset()
        self.assertFalse(self.p_ok.client_consent_sms_marketing)

    def test_consent_cannot_be_in_future(self):
        with self.assertRaises(ValidationError):
            self.env["clientbase.consent"].create(
                {
                    "partner_id": self.p_ok.id,
                    "channel": "email",
                    "purpose": "newsletter",
                    "date": fields.Datetime.now() + timedelta(days=3),
                }
            )

    def test_salesman_records_consent(self):
        consent = (
            self.env["clientbase.consent"]
            .with_user(self.user_salesman)
            .create(
                {
                    "partner_id": self.p_no_consent.id,
                    "channel": "phone",
                    "purpose": "marketing",
                    "source": "paper",
                }
            )
        )
        self.assertEqual(consent.user_id, self.user_salesman)
        self.assertTrue(self.p_no_consent.client_consent_phone_marketing)

    def test_import_consents(self):
        Consent = self.env["clientbase.consent"]
        fields_list = ["partner_id", "channel", "purpose", "state", "date", "source", "text_version"]
        good = [
            ["No Consent", "email", "newsletter", "given", "2024-03-01 10:00:00", "import", "v2"],
            ["Second Ok", "sms", "greetings", "withdrawn", "2024-03-02 10:00:00", "import", "v2"],
        ]
        result = Consent.load(fields_list, good)
        self.assertFalse(result["messages"], result["messages"])
        self.assertEqual(len(result["ids"]), 2)
        self.assertTrue(self.p_no_consent.client_consent_email_newsletter)

        before = Consent.search_count([])
        future = (fields.Datetime.now() + timedelta(days=10)).strftime("%Y-%m-%d %H:%M:%S")
        bad_rows = [
            ["Ok Client", "email", "greetings", "given", "2024-03-01 10:00:00", "import", "v2"],
            ["Ok Client", "email", "newsletter", "given", future, "import", "v2"],
        ]
        result = Consent.load(fields_list, bad_rows)
        self.assertFalse(result["ids"])
        self.assertTrue(any("cannot be dated in the future" in msg["message"] for msg in result["messages"]))
        self.assertEqual(Consent.search_count([]), before, "a bad row imports nothing")

        result = Consent.load(
            fields_list, [["Ok Client", "fax", "marketing", "given", "2024-03-01 10:00:00", "import", ""]]
        )
        self.assertFalse(result["ids"])
        self.assertTrue(result["messages"])
        self.assertEqual(Consent.search_count([]), before)
