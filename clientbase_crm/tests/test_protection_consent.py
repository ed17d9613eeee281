"""Issue #26, class 6: every marketing message to a client honours the consent ledger, whatever
Odoo door sends it; transactional messages stay allowed.

The rule (README, *Consent by every door*): a message sent to many records at once is marketing
(a mailing of Email or SMS Marketing, on partners or on mailing lists; the mail or SMS composer in
mass mode, which the list's *Send email* / *Send SMS* open); a message on one record's thread
(comment mode: a reply in the chatter, an order confirmation) is transactional.

Every client of the fixture (``MailingCommon``) has a reason to be left out or none; each door
is tried on all of them, and what it sent is compared with the clients who may receive it.
"""

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MailingCommon


@tagged("post_install", "-at_install", "clientbase_mailing", "clientbase_protection")
class TestConsentByEveryDoor(MailingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # outside the client base: an employee's partner (Odoo decides for it)
        cls.outsider = cls.user_marketer.partner_id
        cls.outsider.email = "marketer@mailtest.example.com"
        cls.Eligibility = cls.env["clientbase.mailing.eligibility"]
        # the clients who may receive a marketing email now, by the ledger (the fixture's
        # expectation, not the code under test)
        cls.may_receive = cls.eligible
        cls.with_phone = cls.p_ok | cls.p_no_consent | cls.p_withdrawn | cls.p_blacklisted | cls.p_no_email
        cls.p_no_consent.phone = "+32 470 11 11 11"
        cls.p_withdrawn.phone = "+32 470 22 22 22"
        cls.p_blacklisted.phone = "+32 470 33 33 33"
        cls.env["phone.blacklist"].sudo().add("+32470333333")

    def _partner_mailing(self, records, mailing_type="mail"):
        values = {
            "subject": "Spring offer",
            "body_html": "<p>Offer</p>",
            "mailing_type": mailing_type,
            "mailing_model_id": self.env["ir.model"]._get_id(records._name),
            "mailing_domain": repr([("id", "in", records.ids)]),
        }
        if mailing_type == "sms":
            values["body_plaintext"] = "Offer"
        return self.env["mailing.mailing"].create(values)

    def _sent_to(self, mailing):
        traces = self.env["mailing.trace"].search(
            [("mass_mailing_id", "=", mailing.id), ("trace_status", "not in", ("cancel", "error"))]
        )
        return set(traces.mapped("res_id"))

    def test_email_marketing_on_partners(self):
        """A mailing made in Email Marketing on partners, without the Client Base wizard."""
        mailing = self._partner_mailing(self.all_clients | self.outsider)
        self.assertFalse(mailing.clientbase_consent_purpose)
        mailing.action_send_mail()
        self.assertEqual(self._sent_to(mailing), set((self.may_receive | self.outsider).ids))

    def test_partners_nobody_manages_are_left_as_odoo_decides(self):
        """Consent is the client base's rule for the partners it handles (a manager, a client card
        or figures, a mailing-only contact: the write guard's definition); a contact nobody
        manages in the client base is mailed as Odoo decides, until a salesperson takes it."""
        stranger = self.env["res.partner"].create(
            {"name": "Odoo Contact", "email": "stranger@mailtest.example.com"}
        )
        mailing = self._partner_mailing(stranger | self.p_no_consent)
        mailing.action_send_mail()
        self.assertEqual(
            self._sent_to(mailing), {stranger.id}, "the managed client without consent is left out"
        )
        stranger.user_id = self.user_salesman
        mailing = self._partner_mailing(stranger)
        mailing.action_send_mail()
        self.assertFalse(self._sent_to(mailing), "once managed, no consent means no marketing")

    def test_email_marketing_on_mailing_lists(self):
        """A mailing to a list: each contact with a client's address is judged as that client."""
        mailing_list = self.env["mailing.list"].create({"name": "Everybody"})
        Contact = self.env["mailing.contact"]
        contacts = {
            partner: Contact.create(
                {"name": partner.name, "email": partner.email, "list_ids": [Command.link(mailing_list.id)]}
            )
            for partner in self.all_clients
            if partner.email and partner != self.p_opted_out
        }
        stranger = Contact.create(
            {
                "name": "Stranger",
                "email": "stranger@elsewhere.example.com",
                "list_ids": [Command.link(mailing_list.id)],
            }
        )
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "List offer",
                "body_html": "<p>Offer</p>",
                "mailing_model_id": self.env["ir.model"]._get_id("mailing.list"),
                "contact_list_ids": [Command.set(mailing_list.ids)],
            }
        )
        mailing.action_send_mail()
        expected = {contact.id for partner, contact in contacts.items() if partner in self.may_receive}
        self.assertEqual(self._sent_to(mailing), expected | {stranger.id})
        self.assertTrue(expected, "some contacts are sent to")

    def test_mail_composer_mass_mode(self):
        """The list's *Send email* on a selection: refused, naming who and why, when a selected
        client may not receive it; sent when all may."""
        Composer = self.env["mail.compose.message"].with_user(self.user_marketer)

        def composer(partners):
            return Composer.with_context(
                default_composition_mode="mass_mail",
                default_model="res.partner",
                active_ids=partners.ids,
                default_res_ids=repr(partners.ids),
            ).create({"subject": "Offer", "body": "<p>Offer</p>"})

        left_out = self.all_clients - self.may_receive
        with self.assertRaises(UserError) as refusal:
            composer(self.all_clients | self.outsider).action_send_mail()
        message = str(refusal.exception)
        for partner in left_out:
            self.assertIn(partner.name, message)
        self.assertIn("No consent for this channel and purpose", message)
        self.assertIn("Blacklisted", message)
        self.assertFalse(self.env["mail.mail"].search([("recipient_ids", "in", left_out.ids)]))
        composer(self.may_receive | self.outsider).action_send_mail()
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "res.partner"), ("res_id", "in", self.all_clients.ids)])
        )
        self.assertEqual(set(mails.mapped("res_id")), set(self.may_receive.ids))

    def test_composer_template_sending_to_partner_to_or_email_to(self):
        """A template in the composer (mass mode) that sends to ``partner_to`` or ``email_to``
        reaches others than the records it is sent on: those recipients are judged by the
        ledger too, named in the refusal; a template sending to a client who may receive it
        goes."""
        Composer = self.env["mail.compose.message"].with_user(self.user_marketer)
        records = self.outsider | self.env["res.partner"].create(
            {"name": "Not a client", "email": "nc@example.org"}
        )
        self.assertFalse(self.Eligibility._client_base_partner_ids(records.ids), "the records judge no one")

        def send(template_vals, **context):
            template = self.env["mail.template"].create(
                {
                    "name": "Recipients",
                    "model_id": self.env["ir.model"]._get_id("res.partner"),
                    "subject": "Offer",
                    "body_html": "<p>Offer</p>",
                    **template_vals,
                }
            )
            composer = Composer.with_context(
                default_composition_mode="mass_mail",
                default_model="res.partner",
                active_ids=records.ids,
                default_res_ids=repr(records.ids),
                default_template_id=template.id,
                **context,
            ).create({})
            composer.action_send_mail()

        doors = {
            "partner_to": ({"partner_to": str(self.p_no_consent.id)}, {}),
            "email_to": ({"email_to": self.p_no_consent.email}, {"mail_composer_force_partners": False}),
            "email_to as partners": ({"email_to": self.p_no_consent.email}, {}),
        }
        for door, (template_vals, context) in doors.items():
            with self.subTest(door=door), self.assertRaises(UserError) as refusal, self.env.cr.savepoint():
                send(template_vals, **context)
            self.assertIn(self.p_no_consent.name, str(refusal.exception), door)
        self.assertFalse(
            self.env["mail.mail"].sudo().search([("recipient_ids", "in", self.p_no_consent.ids)])
        )
        send({"partner_to": str(self.p_ok.id)})
        self.assertTrue(self.env["mail.mail"].sudo().search([("recipient_ids", "in", self.p_ok.ids)]))

    def test_transactional_message_to_a_client_without_consent(self):
        """A reply in the chatter of one record (comment mode) is not marketing: it goes."""
        self.env["mail.compose.message"].with_context(
            default_composition_mode="comment",
            default_model="res.partner",
            default_res_ids=self.p_no_consent.ids,
        ).create(
            {"body": "<p>Your order is ready</p>", "partner_ids": [Command.set(self.p_no_consent.ids)]}
        ).action_send_mail()
        self.assertTrue(
            self.env["mail.message"].search(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "=", self.p_no_consent.id),
                    ("body", "ilike", "order is ready"),
                ]
            )
        )

    def test_sms_marketing_and_sms_composer(self):
        """SMS Marketing on partners and the list's *Send SMS*: only clients with a current SMS
        consent (here the one client who gave it) receive marketing SMS."""
        Composer = self.env["sms.composer"].with_user(self.user_marketer)

        def composer(partners):
            return Composer.with_context(
                default_composition_mode="mass",
                default_res_model="res.partner",
                default_res_ids=repr(partners.ids),
            ).create({"body": "Offer"})

        with self.assertRaises(UserError) as refusal:
            composer(self.p_ok | self.p_no_consent | self.p_blacklisted).action_send_sms()
        self.assertIn(self.p_no_consent.name, str(refusal.exception))
        self.assertIn(self.p_blacklisted.name, str(refusal.exception))
        before = self.env["sms.sms"].sudo().search_count([])
        composer(self.p_ok).action_send_sms()
        self.assertEqual(self.env["sms.sms"].sudo().search_count([]), before + 1)
        # the SMS above went out of no mailing: the frequency cap counts mailings only
        mailing = self._partner_mailing(self.with_phone | self.outsider, mailing_type="sms")
        self.outsider.phone = "+32 470 44 44 44"
        mailing.action_send_sms()
        sms = self.env["sms.sms"].sudo().search([("mailing_id", "=", mailing.id)])
        self.assertEqual(set(sms.partner_id.ids) & set(self.all_clients.ids), set(self.p_ok.ids))
        self.assertIn(self.outsider, sms.partner_id)

    def test_withdrawal_after_preparing_applies_at_send_time(self):
        """The ledger is read when the message goes, not when it was prepared."""
        mailing = self._partner_mailing(self.may_receive)
        self._consent(self.p_ok, state="withdrawn")
        mailing.action_send_mail()
        self.assertEqual(self._sent_to(mailing), set((self.may_receive - self.p_ok).ids))

    def test_email_marketing_on_other_models(self):
        """A mailing on leads or orders reaches clients through the document's customer and through
        an address typed on it: each document is judged as the clients it reaches."""
        Lead = self.env["crm.lead"]
        leads = {
            partner: Lead.create({"name": f"Lead of {partner.name}", "partner_id": partner.id})
            for partner in self.all_clients
            if partner.email
        }
        # a client's address typed on a lead without its partner, and an address nobody manages
        typed = Lead.create({"name": "Typed", "email_from": self.p_no_consent.email})
        stranger = Lead.create({"name": "Stranger", "email_from": "stranger.lead@elsewhere.example.com"})
        mailing = self._partner_mailing(Lead.browse([lead.id for lead in leads.values()]) | typed | stranger)
        mailing.action_send_mail()
        expected = {lead.id for partner, lead in leads.items() if partner in self.may_receive}
        self.assertTrue(expected, "some leads are sent to")
        self.assertEqual(self._sent_to(mailing), expected | {stranger.id})

    def test_email_marketing_on_orders(self):
        """A mailing on orders goes to their customers: only those who may receive it."""
        orders = self.env["sale.order"].create(
            [{"partner_id": partner.id} for partner in (self.p_ok, self.p_no_consent, self.outsider)]
        )
        mailing = self._partner_mailing(orders)
        mailing.action_send_mail()
        self.assertEqual(
            self._sent_to(mailing), {order.id for order in orders if order.partner_id != self.p_no_consent}
        )

    def test_marketing_through_many2many_partners_and_typed_numbers(self):
        """A mass send on records that reach clients through a many2many of partners (a meeting's
        attendees) is judged as those clients."""
        Composer = self.env["mail.compose.message"].with_user(self.user_marketer)
        start = "2026-06-01 10:00:00"
        meetings = self.env["calendar.event"].create(
            [
                {
                    "name": f"Meeting with {partner.name}",
                    "partner_ids": [Command.set(partner.ids)],
                    "start": start,
                    "stop": "2026-06-01 11:00:00",
                }
                for partner in (self.p_ok, self.p_no_consent)
            ]
        )
        kept, left_out = self.Eligibility._filter_marketing_recipients(
            "calendar.event", meetings.ids, "email"
        )
        self.assertEqual(kept, meetings[:1].ids)
        self.assertEqual(left_out.get("no_consent"), self.p_no_consent.ids)
        with self.assertRaises(UserError) as refusal:
            Composer.with_context(
                default_composition_mode="mass_mail",
                default_model="calendar.event",
                active_ids=meetings.ids,
                default_res_ids=repr(meetings.ids),
            ).create({"subject": "Offer", "body": "<p>Offer</p>"}).action_send_mail()
        self.assertIn(self.p_no_consent.name, str(refusal.exception))

    def test_sms_composer_told_to_send_to_a_typed_number(self):
        """The SMS composer in mass mode told to send to a field of the records
        (``number_field_name``) sends to the number typed there, not to the customer's: on a
        model that stores no normalised number (a payment's phone) and on one whose normalised
        copy holds another of its numbers (a lead's mobile first), that typed number is judged
        as the client whose number it is."""
        Tx = self.env["payment.transaction"]
        self.assertNotIn("phone_sanitized", Tx._fields)
        provider = self.env["payment.provider"].with_context(active_test=False).search([], limit=1)
        method = self.env["payment.method"].with_context(active_test=False).search([], limit=1)

        def payment(reference, number):
            record = Tx.create(
                {
                    "reference": reference,
                    "provider_id": provider.id,
                    "payment_method_id": method.id,
                    "amount": 10.0,
                    "currency_id": self.env.company.currency_id.id,
                    "partner_id": self.outsider.id,
                }
            )
            record.partner_phone = number
            return record

        typed = payment("CB-SMS-TYPED", self.p_no_consent.phone)
        allowed = payment("CB-SMS-ALLOWED", self.p_ok.mobile)
        leads = self.env["crm.lead"].create(
            [
                {"name": "Typed numbers", "mobile": self.p_ok.mobile, "phone": self.p_no_consent.phone},
                {"name": "Own number", "phone": self.p_ok.mobile},
            ]
        )
        self.assertEqual(leads[0].phone_sanitized, leads[1].phone_sanitized, "the copy holds the mobile")

        def composer(records, fname):
            return (
                self.env["sms.composer"]
                .with_context(
                    default_composition_mode="mass",
                    default_res_model=records._name,
                    default_res_ids=repr(records.ids),
                    default_number_field_name=fname,
                    default_mass_keep_log=False,
                )
                .create({"body": "Offer"})
            )

        for records, fname, kept in ((typed | allowed, "partner_phone", allowed), (leads, "phone", leads[1])):
            Sms = self.env["sms.sms"].sudo()
            before = Sms.search([]).ids
            with self.assertRaises(UserError, msg=records._name) as refusal:
                composer(records, fname).action_send_sms()
            self.assertIn(self.p_no_consent.name, str(refusal.exception))
            self.assertFalse(Sms.search([("id", "not in", before)]), "nothing went out")
            composer(kept, fname).action_send_sms()
            sent = Sms.search([("id", "not in", before)])
            self.assertEqual(len(sent), 1, records._name)
            self.assertEqual(sent.number, self.p_ok._phone_format(number=self.p_ok.mobile), records._name)
