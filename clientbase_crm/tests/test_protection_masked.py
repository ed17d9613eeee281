"""Issue #26, class 4: masked-contacts mode.

With the company's masked-contacts mode on, a salesperson sees other managers' clients by name,
their emails and phones masked (``q•••@example.ru``, ``+7 9•• •••-••-12``) through every door,
and cannot find, rank or group them by the full value; the client's own manager and the client
base managers see them whole; partners that are not clients and the salesperson's own clients are
unchanged. The marker test (:class:`TestMaskedMarkers`) asserts it over every field of every
model that resolves to a partner's email or phone, and over every model that points at partners,
and counts the doors that really answered with the masked value.
"""

import logging
from unittest.mock import patch

from markupsafe import Markup

from odoo.addons.mail.tools.discuss import Store
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools.sql import table_kind

from ..models.protection.clientbase_security import MASKED_CONTACT_FIELDS
from ..tools.contact_mask import mask_email, mask_phone
from .common import EXPORT_GROUPS, USER_GROUPS, ProtectionCommon

EMAIL = "qzmask.company@example.ru"
EMAIL_CONTACT = "qzmask.employee@example.ru"
PHONE = "+79161234512"
MOBILE = "+79167654389"
# what a full value leaves in any text (the address's name, the numbers' distinctive digits), and
# what its masked form shows
FULL = ("qzmask", "1234512", "7654389", "123-45-12", "765-43-89", "123 45 12")
MASKED = ("q•••@example.ru", "-••-12", "-••-89")

_logger = logging.getLogger(__name__)


class MaskedCommon(ProtectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.secret.write({"email": EMAIL, "phone": PHONE})
        cls.secret_contact.write({"email": EMAIL_CONTACT, "mobile": MOBILE})
        cls.mine.write({"email": "qzown.client@example.ru"})
        # a partner the client base does not handle (no manager, no card): Odoo's ordinary one
        cls.vendor = cls.env["res.partner"].create({"name": "Vendor", "email": "qzvendor@example.ru"})
        cls.targets = cls.secret | cls.secret_contact
        cls.company.client_masked_contacts = True

    @staticmethod
    def _full(value):
        text = value.decode() if isinstance(value, bytes) else repr(value)
        return any(mark in text for mark in FULL)

    @staticmethod
    def _masked(value):
        text = value.decode() if isinstance(value, bytes) else repr(value)
        return any(mark in text for mark in MASKED)


@tagged("post_install", "-at_install", "clientbase_protection")
class TestMaskedContacts(MaskedCommon):
    def test_masks(self):
        self.assertEqual(mask_email(EMAIL), "q•••@example.ru")
        self.assertEqual(mask_email(f'"Secret" <{EMAIL}>'), '"Secret" <q•••@example.ru>')
        self.assertEqual(mask_phone(PHONE), "+7 9•• •••-••-12")
        self.assertEqual(mask_phone("8 (916) 765-43-89"), "+7 9•• •••-••-89")
        self.assertEqual(mask_phone("+33612345678"), "+33 ••••••• 78")
        self.assertEqual((mask_email(False), mask_phone("")), (False, ""))

    def test_reads_show_other_managers_clients_masked(self):
        fnames = list(MASKED_CONTACT_FIELDS)
        rows = {row["id"]: row for row in self.targets.with_user(self.colleague).read(fnames)}
        self.assertEqual(rows[self.secret.id]["email"], "q•••@example.ru")
        self.assertEqual(rows[self.secret.id]["phone"], "+7 9•• •••-••-12")
        self.assertEqual(rows[self.secret.id]["email_formatted"], '"Secret Company" <q•••@example.ru>')
        self.assertEqual(rows[self.secret_contact.id]["mobile"], "+7 9•• •••-••-89")
        self.assertFalse(self._full(rows))
        # the client stays visible by name
        self.assertEqual(self.secret.with_user(self.colleague).read(["name"])[0]["name"], "Secret Company")
        # one's own client, a partner that is no client, one's own partner: whole
        Partner = self.env["res.partner"].with_user(self.colleague)
        self.assertEqual(Partner.browse(self.mine.id).read(["email"])[0]["email"], "qzown.client@example.ru")
        self.assertEqual(Partner.browse(self.vendor.id).read(["email"])[0]["email"], "qzvendor@example.ru")
        self.assertEqual(
            self.colleague.partner_id.with_user(self.colleague).read(["email"])[0]["email"],
            self.colleague.partner_id.email,
        )
        # the client's manager and the client base managers read it whole; so does an internal
        # user outside the client base (the mode is the salespeople's)
        for user in (self.user_salesman, self.user_manager, self.plain_employee):
            self.assertEqual(
                self.secret.with_user(user).read(["email", "phone"])[0]["email"], EMAIL, user.login
            )
        # with the mode off, as in open mode
        self.company.client_masked_contacts = False
        self.assertEqual(self.secret.with_user(self.colleague).read(["email"])[0]["email"], EMAIL)

    def test_no_search_sort_or_group_by_the_full_value(self):
        Partner = self.env["res.partner"].with_user(self.colleague)
        Owner = self.env["res.partner"].with_user(self.user_salesman)
        within = [("id", "in", self.targets.ids)]
        probes = [
            [("email", "=", EMAIL)],
            [("email", "ilike", "qzmask")],
            [("email_normalized", "=", EMAIL)],
            [("phone", "=", PHONE)],
            [("phone_sanitized", "=", PHONE)],
            [("mobile", "ilike", "7654389")],
            [("phone_mobile_search", "=", PHONE)],
            [("phone_mobile_search", "ilike", "7654389")],
            [("child_ids.email", "=", EMAIL_CONTACT)],
        ]
        for domain in probes:
            self.assertFalse(Partner.search(domain + within), domain)
            self.assertTrue(Owner.search(domain + within), f"the owner finds it by {domain}")
        # related paths from the documents the colleague reads
        order = self.env["sale.order"].create({"partner_id": self.secret.id, "user_id": self.colleague.id})
        Order = self.env["sale.order"].with_user(self.colleague)
        self.assertEqual(Order.search([("id", "=", order.id)]), order)
        self.assertFalse(Order.search([("partner_id.email", "=", EMAIL)]))
        self.assertFalse(Order.search([("partner_id.phone", "like", "1234512")]))
        # the groups and aggregates show no value
        groups = Partner.read_group(within, ["email"], ["email"])
        self.assertFalse(self._full(groups))
        self.assertFalse(self._full(Partner._read_group(within, [], ["email:array_agg", "phone:array_agg"])))
        self.assertTrue(self._full(Owner._read_group(within, [], ["email:array_agg"])))
        # sorting ranks the client the same whatever its address
        ids = [self.mine.id, self.secret.id]
        # (a client base manager sees both addresses: his order follows them)
        Owner = self.env["res.partner"].with_user(self.user_manager)
        results, owners = [], []
        for email in ("aaaa.qzmask@example.ru", "zzzz.qzmask@example.ru"):
            self.secret.email = email
            self.env.flush_all()
            for order_by in ("email asc, id", "email desc, id", "phone asc, id"):
                results.append(Partner.search([("id", "in", ids)], order=order_by).ids)
                owners.append(Owner.search([("id", "in", ids)], order=order_by).ids)
        self.assertEqual(results[:3], results[3:])
        self.assertNotEqual(owners[:3], owners[3:], "the owner's order follows the value")

    def test_exports_cards_and_renders_masked(self):
        exporter = self._user("cb_masked_exporter", groups=EXPORT_GROUPS)
        order = self.env["sale.order"].create({"partner_id": self.secret_contact.id, "user_id": exporter.id})
        order.message_subscribe(partner_ids=self.secret.ids)
        self.user_salesman.groups_id = [
            (4, self.env.ref("clientbase_crm.group_clientbase_export").id),
            (4, self.env.ref("sales_team.group_sale_salesman_all_leads").id),
        ]
        # (previews are rendered by those who may write templates with placeholders)
        editor = self.env.ref("mail.group_mail_template_editor")
        (exporter | self.user_salesman).groups_id = [(4, editor.id)]
        for user, whole in ((exporter, False), (self.user_salesman, True)):
            rows = self.targets.with_user(user).export_data(["name", "email", "phone", "mobile"])["datas"]
            rows += order.with_user(user).export_data(
                ["partner_id/email", "partner_id/mobile", "partner_id/parent_id/phone"]
            )["datas"]
            rows += order.message_follower_ids.with_user(user).export_data(["email", "partner_id/email"])[
                "datas"
            ]
            self.assertEqual(self._full(rows), whole, user.login)
            self.assertEqual(self._masked(rows), not whole, user.login)
            cards = b"".join(partner._get_vcard_file() or b"" for partner in self.targets.with_user(user))
            self.assertTrue(cards)
            self.assertEqual((self._full(cards), self._masked(cards)), (whole, not whole), user.login)
            Render = self.env["mail.render.mixin"].with_user(user)
            rendered = list(
                Render._render_template(
                    "{{ object.email }} {{ object.phone }} {{ object.mobile }}",
                    "res.partner",
                    self.targets.ids,
                ).values()
            )
            rendered += list(
                Render._render_template(
                    '<p><t t-out="object.partner_id.email"/> <t t-out="object.partner_id.mobile"/></p>',
                    "sale.order",
                    order.ids,
                    engine="qweb",
                ).values()
            )
            self.assertEqual((self._full(rendered), self._masked(rendered)), (whole, not whole), user.login)
            # the address block of printed documents
            block = (
                self.env["ir.qweb.field.contact"]
                .with_user(user)
                .value_to_html(self.secret.with_user(user), {})
            )
            self.assertEqual(
                (self._full(str(block)), self._masked(str(block))), (whole, not whole), user.login
            )
            self.assertIn("Secret Company", str(block))
        # after the doors, the real values are still what the code reads
        self.assertEqual(self.secret.email, EMAIL)
        self.assertEqual(order.partner_id.sudo().mobile, MOBILE)

    def test_chatter_feed_masked(self):
        order = self.env["sale.order"].create({"partner_id": self.secret.id, "user_id": self.colleague.id})
        order.message_subscribe(partner_ids=self.secret_contact.ids)
        order.message_post(
            body="<p>Please call back</p>",
            author_id=self.secret_contact.id,
            email_from=f'"Secret Employee" <{EMAIL_CONTACT}>',
            message_type="email",
        )
        # a tracked change of the client's phone, made by its manager
        self.secret.with_user(self.user_salesman).write({"phone": "+79161230012"})
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.user_salesman.groups_id = [(4, self.env.ref("sales_team.group_sale_salesman_all_leads").id)]
        for user, whole in ((self.colleague, False), (self.user_salesman, True)):
            store = Store()
            messages = (
                self.env["mail.message"]
                .with_user(user)
                .search(
                    [
                        "|",
                        "&",
                        ("model", "=", "sale.order"),
                        ("res_id", "=", order.id),
                        "&",
                        ("model", "=", "res.partner"),
                        ("res_id", "=", self.secret.id),
                    ]
                )
            )
            self.assertTrue(messages, user.login)
            messages._to_store(store, for_current_user=True)
            order.with_user(user)._thread_to_store(store, request_list=["followers", "suggestedRecipients"])
            feed = store.get_result()
            feed_text = repr(feed)
            self.assertEqual(
                any(mark in feed_text for mark in (*FULL, "1230012")), whole, f"feed as {user.login}"
            )
            self.assertEqual(self._masked(feed), not whole, f"feed as {user.login}")
            rows = messages.read(["email_from", "reply_to"])
            self.assertEqual(self._full(rows), whole, user.login)

    def test_copies_kept_by_leads_masked_and_unsearchable(self):
        """A lead keeps its own copies of its customer's email and numbers (Odoo copies them when
        the customer is set): they are the client's contacts as much as the partner's own, found by
        resolving the fields (the email and numbers the model declares, what is computed from
        them), not by their names."""
        lead = self.env["crm.lead"].create(
            {"name": "Lead of the client", "partner_id": self.secret.id, "user_id": self.colleague.id}
        )
        lead.mobile = MOBILE
        self.env.flush_all()
        copies = self.env["crm.lead"]._clientbase_masked_paths()
        for fname in ("email_from", "phone", "mobile", "email_normalized", "phone_sanitized"):
            self.assertEqual(copies.get(fname, ("",))[0], "partner_id", fname)
        self.user_salesman.groups_id = [(4, self.env.ref("sales_team.group_sale_salesman_all_leads").id)]
        self.colleague.groups_id = [(4, self.env.ref("clientbase_crm.group_clientbase_export").id)]
        names = ["email_from", "phone", "mobile", "email_normalized", "phone_sanitized"]
        theirs = lead.with_user(self.colleague).read(names)
        self.assertFalse(self._full(theirs))
        self.assertEqual(theirs[0]["email_from"], "q•••@example.ru")
        self.assertEqual(theirs[0]["mobile"], "+7 9•• •••-••-89")
        self.assertTrue(self._full(lead.with_user(self.user_salesman).read(names)))
        exported = lead.with_user(self.colleague).export_data(["email_from", "phone"])["datas"]
        self.assertTrue(self._masked(exported) and not self._full(exported))
        for domain in (
            [("email_from", "=", EMAIL)],
            [("email_from", "ilike", "qzmask")],
            [("email_normalized", "=", EMAIL)],
            [("phone", "=", PHONE)],
            [("phone_sanitized", "=", MOBILE)],
            [("mobile", "ilike", "7654389")],
        ):
            domain = [("id", "=", lead.id), *domain]
            self.assertFalse(self.env["crm.lead"].with_user(self.colleague).search(domain), domain)
            self.assertTrue(self.env["crm.lead"].with_user(self.user_salesman).search(domain), domain)
        # the colleague's own lead of a partner no one manages keeps its copies whole
        other = self.env["crm.lead"].create(
            {"name": "Vendor's lead", "partner_id": self.vendor.id, "user_id": self.colleague.id}
        )
        self.assertEqual(
            other.with_user(self.colleague).read(["email_from"])[0]["email_from"], self.vendor.email
        )
        self.assertTrue(
            self.env["crm.lead"].with_user(self.colleague).search([("email_from", "=", self.vendor.email)])
        )

    def test_message_bodies_masked(self):
        """A client's email or number written in a message (his signature in the email he sent, a
        note that quotes it) reaches a colleague masked, in reads and in the chatter's feed."""
        lead = self.env["crm.lead"].create(
            {"name": "Lead of the client", "partner_id": self.secret.id, "user_id": self.colleague.id}
        )
        lead.message_post(
            body=Markup("<p>Regards, write to %s or call 8 (916) 123-45-12</p>") % EMAIL,
            author_id=self.secret.id,
            message_type="email",
            subtype_xmlid="mail.mt_comment",
        )
        # a note on the colleague's own lead quotes the contact's mobile, whose partner it is not
        mine = self.env["crm.lead"].create({"name": "Own lead", "user_id": self.colleague.id})
        mine.message_post(body=Markup("<p>His colleague: %s</p>") % MOBILE, message_type="comment")
        self.user_salesman.groups_id = [(4, self.env.ref("sales_team.group_sale_salesman_all_leads").id)]
        domain = [
            ("model", "=", "crm.lead"),
            ("res_id", "in", (lead | mine).ids),
            ("message_type", "in", ("email", "comment")),
        ]
        for user, whole in ((self.colleague, False), (self.user_salesman, True)):
            messages = self.env["mail.message"].with_user(user).search(domain)
            self.assertEqual(set(messages.mapped("res_id")), set((lead | mine).ids), user.login)
            store = Store()
            messages._to_store(store, for_current_user=True)
            for shown in (messages.read(["body", "preview"]), store.get_result()):
                self.assertEqual(self._full(shown), whole, user.login)
                self.assertEqual(self._masked(shown), not whole, user.login)
        # the stored body is the real one (a reply quotes it to the client whole)
        self.assertIn(EMAIL, str(lead.message_ids.filtered(lambda m: m.author_id == self.secret).body))

    def test_second_number_in_free_text_masked(self):
        """A client's second number or address, on none of his records, typed in a note in his
        chatter, in his lead's chatter or description, or in his partner's notes, reaches a
        colleague masked (read and export; an activity's note on his lead too); his number kept
        by a lead of his, quoted in a note on the colleague's own lead, too. Addresses and
        numbers the colleague sees whole elsewhere (his own, a vendor's) and other figures (a
        date, an amount) stay as typed."""
        second_number, second_email = "+7 903 555-17-29", "qzsecond.private@example.org"
        lead_number = "+7 903 555-17-30"
        own_number = "+7 905 111-22-33"
        self.colleague.partner_id.phone = own_number
        note = Markup(
            "<p>Wife: %s, private mail %s; call ours %s or the vendor %s; on 2026-06-01 10:00, 1 234 567.00</p>"
        ) % (second_number, second_email, own_number, self.vendor.email)
        lead = self.env["crm.lead"].create(
            {
                "name": "Lead of the client",
                "partner_id": self.secret.id,
                "user_id": self.colleague.id,
                "description": note,
            }
        )
        lead.message_post(body=note, message_type="comment", subtype_xmlid="mail.mt_note")
        self.secret.message_post(body=note, message_type="comment", subtype_xmlid="mail.mt_note")
        self.secret.comment = note
        activity = lead.activity_schedule(
            "mail.mail_activity_data_todo", note=note, user_id=self.colleague.id
        )
        # a number of the client that only a lead of his keeps (Odoo copies a lead's number to its
        # customer: written in SQL, as an import of old leads would), quoted on the colleague's
        # own lead
        kept_by_lead = self.env["crm.lead"].create(
            {"name": "Another lead", "partner_id": self.secret.id, "user_id": self.colleague.id}
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET phone = %s, phone_sanitized = %s WHERE id = %s",
            (lead_number, "+79035551730", kept_by_lead.id),
        )
        self.env.invalidate_all()
        mine = self.env["crm.lead"].create({"name": "Own lead", "user_id": self.colleague.id})
        mine.message_post(body=Markup("<p>His office: %s</p>") % lead_number, message_type="comment")
        self.env.flush_all()
        secrets = ("5551729", "555-17-29", "qzsecond", "555-17-30")
        kept = (own_number, self.vendor.email, "2026-06-01 10:00", "1 234 567.00")
        self.colleague.groups_id = [(4, self.env.ref("clientbase_crm.group_clientbase_export").id)]
        self.user_salesman.groups_id = [
            (4, self.env.ref("sales_team.group_sale_salesman_all_leads").id),
            (4, self.env.ref("clientbase_crm.group_clientbase_export").id),
        ]
        domain = [
            "|",
            "&",
            ("model", "=", "crm.lead"),
            ("res_id", "in", (lead | mine).ids),
            "&",
            ("model", "=", "res.partner"),
            ("res_id", "=", self.secret.id),
        ]
        for user, whole in ((self.colleague, False), (self.user_salesman, True)):
            messages = (
                self.env["mail.message"].with_user(user).search(domain + [("message_type", "=", "comment")])
            )
            self.assertEqual(len(messages), 3, user.login)
            store = Store()
            messages._to_store(store, for_current_user=True)
            shown = [
                messages.read(["body", "preview"]),
                store.get_result(),
                lead.with_user(user).read(["description"]),
                lead.with_user(user).export_data(["description"])["datas"],
                self.secret.with_user(user).read(["comment"]),
                activity.with_user(user).read(["note"]),
            ]
            for value in shown:
                text = repr(value)
                self.assertEqual(any(mark in text for mark in secrets), whole, f"{user.login}: {text}")
                for mark in kept:
                    self.assertIn(mark, text, f"{user.login} reads {mark} as typed")
                if not whole:
                    self.assertIn("•", text, "the colleague is shown the masked form")
        # the stored texts are the real ones
        self.assertIn(second_number, str(lead.description))
        self.assertIn(second_email, str(self.secret.comment))

    def test_renders_mask_whatever_path_and_typed_address_finds_no_one(self):
        """A template reaching a client by any path (a many2many of partners, a partner's parent)
        renders masked to a colleague; an address typed in a new message finds no client he sees
        masked (neither among the record's followers nor among the users)."""
        order = self.env["sale.order"].create(
            {"partner_id": self.secret_contact.id, "user_id": self.colleague.id}
        )
        order.message_subscribe(partner_ids=self.secret.ids)
        self.env["res.users"].create(
            {
                "login": "cb_masked_portal_typed",
                "name": "Portal of the client",
                "partner_id": self.secret_contact.id,
                "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])],
            }
        )
        editor = self.env.ref("mail.group_mail_template_editor")
        self.user_salesman.groups_id = [
            (4, editor.id),
            (4, self.env.ref("sales_team.group_sale_salesman_all_leads").id),
        ]
        self.colleague.groups_id = [(4, editor.id)]
        for user, whole in ((self.colleague, False), (self.user_salesman, True)):
            Render = self.env["mail.render.mixin"].with_user(user)
            rendered = list(
                Render._render_template(
                    "<p><t t-out=\"', '.join(object.message_partner_ids.mapped('email'))\"/>"
                    ' <t t-out="object.partner_id.parent_id.phone"/></p>',
                    "sale.order",
                    order.ids,
                    engine="qweb",
                ).values()
            )
            self.assertEqual((self._full(rendered), self._masked(rendered)), (whole, not whole), user.login)
            Order = order.with_user(user)
            found = Order._mail_find_partner_from_emails([EMAIL, EMAIL_CONTACT], records=Order)
            infos = Order._message_partner_info_from_emails([EMAIL_CONTACT])
            if whole:
                self.assertEqual([partner.id for partner in found], [self.secret.id, self.secret_contact.id])
                self.assertEqual(infos[0]["partner_id"], self.secret_contact.id)
            else:
                self.assertFalse(any(found), "the full address finds no one")
                self.assertFalse(infos[0]["partner_id"])
                self.assertNotIn("Secret", repr(infos))
        # what the colleague sends the client from the composer is rendered as he sees it: the
        # message kept in the chatter and the mail that goes out show the masked address
        template = self.env["mail.template"].create(
            {
                "name": "Address check",
                "model_id": self.env["ir.model"]._get_id("sale.order"),
                "subject": "Your address",
                "body_html": '<p>We have <t t-out="object.partner_id.parent_id.email"/></p>',
            }
        )
        composer = (
            self.env["mail.compose.message"]
            .with_user(self.colleague)
            .with_context(
                default_model="sale.order", default_res_ids=order.ids, default_composition_mode="comment"
            )
            .create({"template_id": template.id, "partner_ids": [(6, 0, self.secret.ids)]})
        )
        composer.action_send_mail()
        sent = order.message_ids.filtered(lambda message: message.subject == "Your address").sudo()
        self.assertTrue(sent)
        outgoing = self.env["mail.mail"].sudo().search([("mail_message_id", "in", sent.ids)])
        for text in (str(sent.body), *(str(body) for body in outgoing.mapped("body_html"))):
            self.assertTrue(self._masked(text) and not self._full(text), text)
        # the vendor (no client) is found as in Odoo
        found = order.with_user(self.colleague)._mail_find_partner_from_emails([self.vendor.email])
        self.assertEqual(found[0], self.vendor)


@tagged("post_install", "-at_install", "clientbase_protection")
class TestMaskedMarkers(MaskedCommon):
    """The marker test of masked mode: the full address and numbers never reach a colleague by
    any field of any model that resolves to a partner's email or phone, nor through any model
    that points at partners (a nested read, a search by a related path, an export), while the
    client's manager gets them whole through the same doors; it counts the doors that answered
    the colleague with the masked value, so that doors refused for the wrong reason prove
    nothing."""

    # with the modules of this addon's dependencies: 22 of 47 doors answered masked, 40 proven
    MIN_ANSWERED = 20
    MIN_PROVEN = 38

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.colleague.groups_id = [(4, cls.env.ref("clientbase_crm.group_clientbase_export").id)]
        cls.owner = cls.user_salesman
        cls.owner.groups_id = [
            (4, cls.env.ref("clientbase_crm.group_clientbase_export").id),
            (4, cls.env.ref("sales_team.group_sale_salesman_all_leads").id),
        ]
        # the traces a client leaves in the colleague's work: documents, followers, a portal user
        cls.order = cls.env["sale.order"].create({"partner_id": cls.secret.id, "user_id": cls.colleague.id})
        cls.lead = cls.env["crm.lead"].create(
            {"name": "Lead", "partner_id": cls.secret_contact.id, "user_id": cls.colleague.id}
        )
        cls.order.message_subscribe(partner_ids=cls.secret_contact.ids)
        cls.portal = cls.env["res.users"].create(
            {
                "login": "cb_masked_portal",
                "name": "Portal of the client",
                "partner_id": cls.secret_contact.id,
                "groups_id": [(6, 0, [cls.env.ref("base.group_portal").id])],
            }
        )
        cls.env.flush_all()

    def _doors(self, user):
        """Every door to the contact data ``user`` may knock at, as (name, kind, call): ``call(env)``
        opens it, ``kind`` says whether it returns values or the records found ("found", with
        the ids that would show the client)."""
        env = self.env(user=user)
        doors = []
        for model_name in sorted(env.registry.models):
            Model = env[model_name]
            # (SQL views included: the reports' rows are read like any table's)
            if Model._abstract or Model._transient or not Model.has_access("read"):
                continue
            if not (Model._auto or Model._table_query or table_kind(env.cr, Model._table)):
                continue
            paths = Model._clientbase_masked_paths()
            if paths:
                by_path = {}
                for fname, (path, __) in paths.items():
                    by_path.setdefault(path, []).append(fname)
                for path, fnames in by_path.items():
                    domain = [(path or "id", "in", self.targets.ids)]
                    linked = Model.sudo().with_context(active_test=False).search(domain, limit=5).ids
                    if not linked:
                        continue

                    def reader(e, model_name=model_name, linked=linked, fnames=fnames):
                        return e[model_name].with_context(active_test=False).browse(linked).read(fnames)

                    def exporter(e, model_name=model_name, linked=linked, fnames=fnames):
                        records = e[model_name].with_context(active_test=False).browse(linked)
                        return records.export_data(fnames)["datas"]

                    doors += [(f"{model_name} read {path}", "values", reader)]
                    doors += [(f"{model_name} export {path}", "values", exporter)]
                    for fname in fnames:
                        if not Model._fields[fname]._description_searchable:
                            continue
                        # the value a linked record really holds (a copy may differ from the
                        # partner's own), else the client's
                        held = Model.sudo().with_context(active_test=False).browse(linked).mapped(fname)
                        held = [value for value in held if isinstance(value, str) and value]
                        value = held[0] if held else (EMAIL if paths[fname][1] == "email" else PHONE)

                        def finder(e, model_name=model_name, fname=fname, value=value, linked=linked):
                            Found = e[model_name].with_context(active_test=False)
                            return ("found", Found.search([(fname, "=", value)]).ids, linked)

                        doors.append((f"{model_name} search {fname}", "found", finder))
            links = [
                fname
                for fname, field in Model._fields.items()
                if field.type == "many2one" and field.comodel_name == "res.partner" and field.store
            ]
            for link in links:
                linked = (
                    Model.sudo()
                    .with_context(active_test=False)
                    .search([(link, "in", self.targets.ids)], limit=3)
                )
                if not linked:
                    continue

                def nested(e, model_name=model_name, ids=linked.ids, link=link):
                    spec = {link: {"fields": {fname: {} for fname in MASKED_CONTACT_FIELDS}}}
                    return e[model_name].with_context(active_test=False).browse(ids).web_read(spec)

                def nested_export(e, model_name=model_name, ids=linked.ids, link=link):
                    records = e[model_name].with_context(active_test=False).browse(ids)
                    return records.export_data([f"{link}/email", f"{link}/phone", f"{link}/mobile"])["datas"]

                def by_path(e, model_name=model_name, ids=linked.ids, link=link):
                    Found = e[model_name].with_context(active_test=False)
                    found = Found.search(
                        ["|", (f"{link}.email", "=", EMAIL), (f"{link}.email", "=", EMAIL_CONTACT)]
                    )
                    return ("found", found.ids, ids)

                doors += [
                    (f"{model_name}.{link} web_read", "values", nested),
                    (f"{model_name}.{link} export", "values", nested_export),
                    (f"{model_name}.{link} search", "found", by_path),
                ]
        return doors

    def _open(self, user, call):
        try:
            return call(self.env(user=user))
        except (AccessError, UserError):
            return None

    def _shows(self, kind, result):
        if kind == "found":
            __, found, linked = result
            return bool(set(found) & set(linked))
        return self._full(result)

    def test_contact_markers_never_reach_a_colleague(self):
        answered, proven = [], []
        doors = self._doors(self.colleague)
        for name, kind, call in doors:
            theirs = self._open(self.colleague, call)
            self.assertFalse(theirs is not None and self._shows(kind, theirs), f"{name} gives the full value")
            if theirs is not None and kind == "values" and self._masked(theirs):
                answered.append(name)
            owners = self._open(self.owner, call)
            if owners is not None and self._shows(kind, owners):
                proven.append(name)
        _logger.info(
            "masked mode: %s of %s doors answered masked, %s proven", len(answered), len(doors), len(proven)
        )
        self.assertGreaterEqual(
            len(answered), self.MIN_ANSWERED, f"masked values from {len(answered)}: {answered}"
        )
        self.assertGreaterEqual(
            len(proven), self.MIN_PROVEN, f"{len(proven)} of {len(doors)} proven: {proven}"
        )
        for door in (
            "res.partner read ",
            "res.users read partner_id",
            "mail.followers read partner_id",
            "sale.order.partner_id web_read",
            "crm.lead.partner_id export",
            "res.partner search email",
            "sale.order.partner_id search",
        ):
            self.assertIn(door, proven, "the owner gets the values through the plain doors")
        for door in ("res.partner read ", "res.users read partner_id", "sale.order.partner_id web_read"):
            self.assertIn(door, answered, "the colleague gets the masked value there")


@tagged("post_install", "-at_install", "clientbase_protection")
class TestWrittenCopies(MaskedCommon):
    """Copies of a client's values that Odoo writes in code when it makes a record (a payment's
    ``partner_email``, ``partner_phone``, ``partner_name``: ``WRITTEN_COPIES``) are masked in
    masked mode and hidden in strict mode, like the copies found by resolving. The test finds
    the fields by the values a new payment really holds, not by their names."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        invoicing = "account.group_account_invoice"
        cls.seller = cls._user("cb_invoicing_seller", groups=f"{USER_GROUPS},{invoicing}")
        cls.user_salesman.groups_id += cls.env.ref(invoicing)
        Tx = cls.env["payment.transaction"]
        cls.tx = Tx.create(
            {
                "reference": "CB-MASKED-TX",
                "provider_id": cls.env["payment.provider"]
                .with_context(active_test=False)
                .search([], limit=1)
                .id,
                "payment_method_id": cls.env["payment.method"]
                .with_context(active_test=False)
                .search([], limit=1)
                .id,
                "amount": 10.0,
                "currency_id": cls.company.currency_id.id,
                "partner_id": cls.secret.id,
            }
        )

    def _texts_holding(self, marks):
        """The stored texts of the payment whose value holds one of ``marks``."""
        tx = self.tx.sudo()
        return sorted(
            fname
            for fname, field in tx._fields.items()
            if field.store
            and field.type in ("char", "text")
            and any(m in str(tx[fname] or "") for m in marks)
        )

    def test_payment_copies_masked(self):
        copies = self._texts_holding(FULL)
        self.assertEqual(
            copies, ["partner_email", "partner_phone"], "Odoo copied the client's email and phone"
        )
        for fname in copies:
            path, __ = self.tx._clientbase_masked_paths()[fname]
            self.assertEqual(path, "partner_id", fname)
        Tx = self.env["payment.transaction"].with_user(self.seller)
        row = self.tx.with_user(self.seller).read(copies + ["partner_name"])[0]
        self.assertEqual(row["partner_email"], "q•••@example.ru")
        self.assertEqual(row["partner_phone"], "+7 9•• •••-••-12")
        self.assertEqual(row["partner_name"], "Secret Company", "visible by name")
        self.assertFalse(self._full(Tx.search_read([("id", "=", self.tx.id)], copies)))
        self.assertFalse(Tx.search([("partner_email", "=", EMAIL)]), "not found by the full value")
        self.assertFalse(Tx.search([("partner_phone", "ilike", "1234512")]))
        # the client's manager reads them whole
        row = self.tx.with_user(self.user_salesman).read(copies)[0]
        self.assertEqual((row["partner_email"], row["partner_phone"]), (EMAIL, PHONE))

    def test_payment_copies_hidden_in_strict_mode(self):
        self.company.write({"client_masked_contacts": False, "client_strict_visibility": True})
        names = self._texts_holding(FULL + ("Secret Company",))
        self.assertIn("partner_name", names)
        row = self.tx.with_user(self.seller).read(names)[0]
        self.assertEqual(row.pop("partner_name"), "Hidden client")
        self.assertFalse([value for key, value in row.items() if key != "id" and value], row)
        whole = self.tx.with_user(self.user_salesman).read(names)[0]
        self.assertEqual(whole["partner_name"], "Secret Company")


@tagged("post_install", "-at_install", "clientbase_protection")
class TestRenderDoors(MaskedCommon):
    """Odoo's doors that render a mailing or a template on a record the user picks or that Odoo
    picks for him (the mailing's test send renders on the first record of the model, a
    template's preview on any record referenced) render another manager's client masked in
    masked mode and not at all in strict mode; the client's manager renders it whole."""

    BODY = '<p><t t-out="object.name"/> <t t-out="object.email"/> <t t-out="object.phone"/></p>'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        editor = "mass_mailing.group_mass_mailing_user,mail.group_mail_template_editor"
        cls.marketer_b = cls._user("cb_marketing_seller", groups=f"{USER_GROUPS},{editor}")
        cls.user_salesman.groups_id += cls.env.ref("mass_mailing.group_mass_mailing_user")
        cls.user_salesman.groups_id += cls.env.ref("mail.group_mail_template_editor")
        # the first partner of the model, whose values the test send renders
        cls.secret.name = "0 Secret Company"
        cls.template = cls.env["mail.template"].create(
            {
                "name": "Render door",
                "model_id": cls.env["ir.model"]._get_id("res.partner"),
                "subject": "{{ object.email }}",
                "body_html": cls.BODY,
            }
        )

    def _test_send(self, user):
        """The bodies of the test mails ``user`` sends of a mailing on contacts."""
        mailing = (
            self.env["mailing.mailing"]
            .with_user(user)
            .create(
                {
                    "subject": "Render door",
                    "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "mailing_domain": "[]",
                    "body_html": self.BODY,
                }
            )
        )
        sent = []

        def capture(mails, *args, **kwargs):
            sent.extend(mails.mapped("body_html") + mails.mapped("subject"))

        # the wizard sends its mails at once and deletes them: what it would send is captured
        with patch.object(type(self.env["mail.mail"]), "send", autospec=True, side_effect=capture):
            self.env["mailing.mailing.test"].with_user(user).create(
                {"mass_mailing_id": mailing.id, "email_to": "test.door@example.com"}
            ).send_mail_test()
        self.assertTrue(sent, "a test mail was made")
        return sent

    def _preview(self, user, record):
        preview = (
            self.env["mail.template.preview"]
            .with_user(user)
            .create({"mail_template_id": self.template.id, "resource_ref": f"res.partner,{record.id}"})
        )
        return [preview.body_html, preview.subject]

    def test_masked_mode_renders_masked(self):
        self.assertEqual(self.env["res.partner"].with_user(self.marketer_b).search([], limit=1), self.secret)
        for user, whole in ((self.marketer_b, False), (self.user_salesman, True)):
            for door, render in (
                ("test send", self._test_send),
                ("preview", lambda u: self._preview(u, self.secret)),
            ):
                with self.subTest(user=user.login, door=door):
                    rendered = render(user)
                    self.assertIn("0 Secret Company", str(rendered), "rendered on the client")
                    self.assertEqual((self._full(rendered), self._masked(rendered)), (whole, not whole))

    def test_strict_mode_renders_nothing_of_a_hidden_client(self):
        self.company.write({"client_masked_contacts": False, "client_strict_visibility": True})
        rendered = self._test_send(self.marketer_b)
        self.assertNotIn("Secret", str(rendered))
        self.assertFalse(self._full(rendered))
        try:
            rendered = self._preview(self.marketer_b, self.secret)
        except AccessError:
            rendered = []
        self.assertNotIn("Secret", str(rendered))
        self.assertFalse(self._full(rendered))
        # the client's manager renders it whole
        self.assertTrue(self._full(self._preview(self.user_salesman, self.secret)))
