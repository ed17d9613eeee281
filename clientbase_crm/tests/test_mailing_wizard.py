from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import SQL

from .common import MailingCommon


@tagged("post_install", "-at_install", "clientbase_mailing")
class TestMailingWizard(MailingCommon):
    def _wizard(self, **ctx):
        Wizard = self.env["clientbase.mailing.wizard"].with_user(self.user_marketer).with_context(**ctx)
        return Wizard.create(
            {
                "subject": "{{ object.name }}, a gift for you",
                "body_html": "<p>Dear {{ object.name }}, your manager {{ object.user_id.name }} waits.</p>",
            }
        )

    def _segment(self):
        segment = self.env["clientbase.segment"].create(
            {"name": "Mail test clients", "domain": "[('email', '=ilike', '%@mailtest.example.com')]"}
        )
        segment._refresh_members()
        # the client without email is in the segment too
        self.env.cr.execute(
            "INSERT INTO clientbase_segment_member (segment_id, partner_id) VALUES (%s, %s)",
            (segment.id, self.p_no_email.id),
        )
        self.env["res.partner"].invalidate_model(["client_segment_ids"])
        return segment

    def test_counts_by_reason_from_segment(self):
        segment = self._segment()
        wizard = self._wizard(active_model="clientbase.segment", active_id=segment.id, active_ids=segment.ids)
        self.assertEqual(wizard.target_count, len(self.all_clients))
        self.assertEqual(wizard.eligible_count, 3)
        self.assertEqual(wizard.no_consent_count, 2)  # never gave it, withdrew it
        self.assertEqual(wizard.blacklisted_count, 1)
        self.assertEqual(wizard.opted_out_count, 1)
        self.assertEqual(wizard.no_address_count, 1)
        self.assertEqual(wizard.too_often_count, 1)
        self.assertIn("Dear Ok Client, your manager Sales Person waits.", wizard.preview_html)
        self.assertIn("Ok Client, a gift for you", wizard.preview_html)

        action = wizard.action_create_mailing()
        mailing = self.env["mailing.mailing"].browse(action["res_id"])
        self.assertEqual(mailing.mailing_model_real, "res.partner")
        self.assertEqual(mailing.mailing_type, "mail")
        self.assertEqual(mailing.clientbase_consent_purpose, "marketing")
        self.assertEqual(set(mailing._get_recipients()), set(self.eligible.ids))
        self.assertIn('t-out="object.name"', mailing.body_html)

    def test_users_mail_only_the_clients_they_manage(self):
        """A salesperson (not a manager) cannot reach other managers' clients through the wizard."""
        self.user_salesman_2.groups_id = [(4, self.env.ref("mass_mailing.group_mass_mailing_user").id)]
        theirs = self.p_ok | self.p_ok_2  # managed by user_salesman
        mine = self.env["res.partner"].create(
            {"name": "Mine", "email": "mine@mailtest.example.com", "user_id": self.user_salesman_2.id}
        )
        self.env["clientbase.consent"].create(
            {"partner_id": mine.id, "channel": "email", "purpose": "marketing"}
        )
        Wizard = self.env["clientbase.mailing.wizard"].with_user(self.user_salesman_2)
        wizard = Wizard.with_context(active_model="res.partner", active_ids=(theirs | mine).ids).create(
            {"subject": "Hi", "body_html": "<p>{{ object.name }}</p>"}
        )
        self.assertEqual(wizard.target_count, 1)
        self.assertEqual(wizard.eligible_count, 1)
        self.assertNotIn("Ok Client", wizard.preview_html)
        action = wizard.action_create_mailing()
        mailing = self.env["mailing.mailing"].browse(action["res_id"])
        self.assertEqual(mailing._get_recipients(), mine.ids)

    def test_frequency_cap_setting(self):
        wizard = self._wizard(active_model="res.partner", active_ids=self.p_too_often.ids)
        self.assertEqual(wizard.too_often_count, 1)
        self.env.company.client_mailing_cap_count = 2
        wizard.invalidate_recordset()
        self.assertEqual(wizard.eligible_count, 1)
        self.env.company.client_mailing_cap_count = 1
        # a newsletter sent to the same address through a mailing list counts too
        contact = self.env["mailing.contact"].create({"name": "Ok", "email": "ok@mailtest.example.com"})
        self.env["mailing.trace"].create(
            {
                "model": "mailing.contact",
                "res_id": contact.id,
                "email": "ok@mailtest.example.com",
                "mass_mailing_id": self.previous_mailing.id,
                "trace_status": "open",
            }
        )
        wizard = self._wizard(active_model="res.partner", active_ids=(self.p_ok | self.p_too_often).ids)
        self.assertEqual(wizard.too_often_count, 2)
        self.env.company.client_mailing_cap_days = 0  # no cap
        wizard.invalidate_recordset()
        self.assertEqual(wizard.eligible_count, 2)

    def test_from_filter_and_selection(self):
        domain = [("email", "=ilike", "%@mailtest.example.com")]
        # all clients of the filter selected: the wizard keeps the filter
        all_ids = self.env["res.partner"].search(domain).ids
        wizard = self._wizard(active_model="res.partner", active_ids=all_ids, active_domain=domain)
        self.assertEqual(wizard.target_domain, repr(domain))
        self.assertEqual(wizard.eligible_count, 3)
        # a part of them selected: only those
        wizard = self._wizard(
            active_model="res.partner", active_ids=(self.p_ok | self.p_blacklisted).ids, active_domain=domain
        )
        self.assertEqual(wizard.target_count, 2)
        self.assertEqual(wizard.eligible_count, 1)
        self.assertEqual(wizard.blacklisted_count, 1)

    def test_purpose_and_sms_channel(self):
        wizard = self._wizard(active_model="res.partner", active_ids=self.all_clients.ids)
        wizard.purpose = "newsletter"
        self.assertEqual(wizard.eligible_count, 0)
        with self.assertRaises(UserError):
            wizard.action_create_mailing()
        wizard.write({"purpose": "marketing", "channel": "sms", "body_plaintext": "Hi {{ object.name }}!"})
        # only p_ok has an SMS consent and a number; p_no_email has a number but no SMS consent
        self.assertEqual(wizard.eligible_count, 1)
        self.assertEqual(wizard.no_address_count, len(self.all_clients) - 2)
        self.assertIn("Hi Ok Client!", wizard.preview_html)
        mailing = self.env["mailing.mailing"].browse(wizard.action_create_mailing()["res_id"])
        self.assertEqual(mailing.mailing_type, "sms")
        self.assertEqual(mailing._get_recipients(), self.p_ok.ids)

    def test_template_and_form(self):
        template = self.env["mail.template"].create(
            {
                "name": "Client offer",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "subject": "Offer for {{ object.name }}",
                "body_html": '<p>Hello <t t-out="object.name"/></p>',
            }
        )
        ctx = {"active_model": "res.partner", "active_ids": self.eligible.ids}
        with Form(
            self.env["clientbase.mailing.wizard"].with_user(self.user_marketer).with_context(**ctx)
        ) as form:
            form.mail_template_id = template
            self.assertEqual(form.subject, "Offer for {{ object.name }}")
            self.assertEqual(form.eligible_count, 3)
        wizard = form.save()
        self.assertIn("Hello Only Mailing", wizard.preview_html)
        mailing = self.env["mailing.mailing"].browse(wizard.action_create_mailing()["res_id"])
        self.assertEqual(mailing.subject, "Offer for {{ object.name }}")

    def test_eligibility_is_one_query(self):
        """The whole classification is one set-based statement, whatever the size of the group
        (after the lookup of the mailings waiting in the queue, which the cap counts)."""
        Eligibility = self.env["clientbase.mailing.eligibility"]
        self.assertEqual(Eligibility._get_frequency_cap(), (1, 7))  # settings read before counting
        self.env.flush_all()
        # the mailings waiting in the queue (the cap counts their messages), planning without JIT
        # (sql_planning), then the statement
        with self.assertQueryCount(3):
            classes = Eligibility._classify(self.all_clients.ids, "email", "marketing")
        self.assertEqual(set(classes["eligible"]), set(self.eligible.ids))
        self.assertEqual(classes["too_often"], self.p_too_often.ids)

    def test_counts_are_the_classification_and_the_lookups(self):
        """The wizard's counts, counted by the database, are the lengths of the send's
        classification; its set-based rules (blacklist, opt-outs, latest consent joined once)
        give every client the reason the per-client lookups of the journeys' exits give."""
        Eligibility = self.env["clientbase.mailing.eligibility"]
        self.env["phone.blacklist"].sudo()._add([self.p_no_email.phone_sanitized])
        self._consent(self.p_no_email, channel="sms")
        self._consent(self.p_ok_2, channel="sms", state="withdrawn")
        self._consent(self.p_ok_2, purpose="newsletter")
        self.env.flush_all()
        seen = set()
        for channel in ("email", "sms"):
            for purpose in ("marketing", "newsletter"):
                classes = Eligibility._classify(self.all_clients.ids, channel, purpose)
                counts, first = Eligibility._count_classes(
                    SQL("SELECT unnest(%s::int[])", self.all_clients.ids), channel, purpose, sample=2
                )
                self.assertEqual(counts, {reason: len(ids) for reason, ids in classes.items()})
                self.assertEqual(first, sorted(classes["eligible"])[:2])
                reason_of = {pid: reason for reason, ids in classes.items() for pid in ids}
                refusal = Eligibility._get_refusal_sql(channel, purpose)
                rows = self.env.execute_query(
                    SQL(
                        "SELECT p.id, %s IS NULL, %s, %s, COALESCE(%s, 'withdrawn') <> 'given'"
                        " FROM res_partner p WHERE p.id = ANY(%s)",
                        refusal["address"],
                        refusal["blacklisted"],
                        refusal["opted_out"],
                        refusal["consent"],
                        self.all_clients.ids,
                    )
                )
                for partner_id, *refused in rows:
                    reasons = ["no_address", "blacklisted", "opted_out", "no_consent"]
                    expected = next((r for r, hit in zip(reasons, refused, strict=True) if hit), None)
                    got = reason_of[partner_id]
                    seen.add(got)
                    if expected:
                        self.assertEqual(got, expected, (channel, purpose, partner_id))
                    else:
                        self.assertIn(got, ("eligible", "too_often"), (channel, purpose, partner_id))
        self.assertEqual(
            seen, {"eligible", "no_address", "blacklisted", "opted_out", "no_consent", "too_often"}
        )

    def test_bad_template_shows_error_in_preview(self):
        wizard = self._wizard(active_model="res.partner", active_ids=self.p_ok.ids)
        wizard.subject = "{{ object.no_such_field }}"
        self.assertIn("cannot be rendered", wizard.preview_html)


@tagged("post_install", "-at_install", "clientbase_mailing")
class TestMailingSendEnforcement(MailingCommon):
    def _create_mailing(self, partners):
        Wizard = self.env["clientbase.mailing.wizard"].with_user(self.user_marketer)
        wizard = Wizard.with_context(active_model="res.partner", active_ids=partners.ids).create(
            {"subject": "Offer {{ object.name }}", "body_html": "<p>Hello {{ object.name }}</p>"}
        )
        return self.env["mailing.mailing"].browse(wizard.action_create_mailing()["res_id"])

    def _traced(self, mailing):
        traces = self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])
        return self.env["res.partner"].browse(traces.mapped("res_id"))

    def test_withdrawn_consent_removes_client_before_sending(self):
        mailing = self._create_mailing(self.all_clients)
        mailing.write(
            {"schedule_type": "scheduled", "schedule_date": fields.Datetime.now() + timedelta(hours=2)}
        )
        mailing.action_schedule()
        self.assertEqual(mailing.state, "in_queue")
        # after preparing, one client withdraws, another one gets blacklisted
        self.env["clientbase.consent"].create(
            {"partner_id": self.p_ok.id, "channel": "email", "purpose": "marketing", "state": "withdrawn"}
        )
        self.env["mail.blacklist"]._add(self.p_ok_2.email)
        # time passes: the mailing is due and the queue job sends it
        mailing.schedule_date = fields.Datetime.now() - timedelta(minutes=1)
        self.env["mailing.mailing"]._process_mass_mailing_queue()
        self.assertEqual(mailing.state, "done")
        self.assertEqual(self._traced(mailing), self.p_mailing_only)

    def test_action_send_mail_and_frequency_cap(self):
        mailing = self._create_mailing(self.eligible)
        self.env["clientbase.consent"].create(
            {
                "partner_id": self.p_mailing_only.id,
                "channel": "email",
                "purpose": "marketing",
                "state": "withdrawn",
            }
        )
        mailing.action_send_mail()
        self.assertEqual(self._traced(mailing), self.p_ok | self.p_ok_2)
        # a second mailing the same week: everybody was mailed, the cap holds them back
        second = self.env["mailing.mailing"].create(
            {
                "subject": "Second",
                "body_html": "<p>Again</p>",
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                "mailing_domain": repr([("id", "in", self.eligible.ids)]),
                "clientbase_consent_purpose": "marketing",
            }
        )
        self.assertEqual(second._get_recipients(), [])
        # the recipients of a mailing not prepared by the client base are Odoo's; the ledger is read
        # when it sends (mail and SMS composers in mass mode, test_protection_consent.py)
        second.clientbase_consent_purpose = False
        self.assertEqual(set(second._get_recipients()), set(self.eligible.ids))
