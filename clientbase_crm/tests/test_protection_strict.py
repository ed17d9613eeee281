"""Issue #26, class 3: in strict mode nothing tells a salesperson whether a client they may not see
exists, nor names it.

The fixture leaves the traces a hidden client leaves in a colleague's work (it follows the
colleague's opportunity, wrote in its chatter, is the record of an activity assigned to the
colleague, is the customer of the colleague's order); then every record of every model with a
many2one to partners that the colleague can read and that points at the hidden client is read
whole, as ``read`` and as the web client's ``web_read``: none holds its name or its address. The
import of a file with its address is refused without naming it, and logged for managers.
"""

import base64
import json

from odoo import fields
from odoo.addons.mail.tools.discuss import Store
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ProtectionCommon

NAME = "Zqxhidden Corporation"
EMAIL = "zqxhidden@example.com"
VAT = "7707083893"


@tagged("post_install", "-at_install", "clientbase_protection")
class TestStrictModeOracles(ProtectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.client_strict_visibility = True
        cls.hidden = cls.env["res.partner"].create(
            {"name": NAME, "email": EMAIL, "is_company": True, "user_id": cls.user_salesman.id}
        )
        lead = cls.env["crm.lead"].create(
            {"name": "Colleague's deal", "partner_id": cls.mine.id, "user_id": cls.colleague.id}
        )
        lead.message_subscribe(partner_ids=cls.hidden.ids)
        lead.message_post(
            body="<p>Interested</p>",
            author_id=cls.hidden.id,
            email_from=f"{NAME} <{EMAIL}>",
            message_type="email",
        )
        cls.env["mail.activity"].create(
            {
                "res_model_id": cls.env["ir.model"]._get_id("res.partner"),
                "res_id": cls.hidden.id,
                "user_id": cls.colleague.id,
                "activity_type_id": cls.env.ref("mail.mail_activity_data_todo").id,
                "summary": "Call back",
            }
        )
        cls.env["sale.order"].create({"partner_id": cls.hidden.id, "user_id": cls.colleague.id})
        # an invoice of the client made out by the colleague (its buyer's name is copied on it)
        cls.hidden.vat = VAT
        cls.env["account.move"].create(
            {"move_type": "out_invoice", "partner_id": cls.hidden.id, "invoice_user_id": cls.colleague.id}
        )
        # a note to the client on the colleague's deal, a meeting of the colleague with it
        lead.message_post(
            body="<p>Sent to the client</p>",
            partner_ids=cls.hidden.ids,
            author_id=cls.colleague.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        cls.meeting = cls.env["calendar.event"].create(
            {
                "name": "Colleague's meeting",
                "user_id": cls.colleague.id,
                "partner_ids": [(6, 0, (cls.colleague.partner_id | cls.hidden).ids)],
                "start": fields.Datetime.now(),
                "stop": fields.Datetime.now(),
            }
        )
        cls.env.flush_all()

    def _readable_pointing_records(self, user):
        """``{model: records}`` the user can read that point at the hidden client by a many2one
        to partners (or, for activities and messages, as their record)."""
        found = {}
        for name, Model in ((n, self.env[n]) for n in self.env.registry.models):
            if Model._abstract or Model._transient or not Model._auto:
                continue
            links = [
                f
                for f, field in Model._fields.items()
                if field.type == "many2one" and field.comodel_name == "res.partner" and field.store
            ]
            domain = [(f, "=", self.hidden.id) for f in links]
            if "res_model" in Model._fields and "res_id" in Model._fields:
                domain.append("&")
                domain += [("res_model", "=", "res.partner"), ("res_id", "=", self.hidden.id)]
            if not domain:
                continue
            ors = len(links) + (1 if "res_model" in Model._fields and "res_id" in Model._fields else 0)
            domain = ["|"] * (ors - 1) + domain
            pointing = Model.sudo().with_context(active_test=False).search(domain)
            if not pointing or not Model.with_user(user).has_access("read"):
                continue
            readable = (
                Model.with_user(user).with_context(active_test=False).search([("id", "in", pointing.ids)])
            )
            if readable:
                found[name] = readable
        return found

    def _shown(self, records, user):
        """Everything ``user`` reads of ``records``: every field as ``read`` and as the web
        client's ``web_read`` (many2one fields with their display name), as one text."""
        Model = records.with_user(user)
        names = [
            name
            for name, description in Model.fields_get(attributes=["type"]).items()
            if description["type"] not in ("binary", "one2many", "many2many", "properties")
            and Model._fields[name].type not in ("binary", "one2many", "many2many", "properties")
        ]
        shown = json.dumps(Model.read(names), default=str)
        spec = {name: {} for name in names if Model._fields[name].type != "many2one"}
        spec.update(
            {
                name: {"fields": {"display_name": {}}}
                for name in names
                if Model._fields[name].type == "many2one"
            }
        )
        return shown + json.dumps(Model.web_read(spec), default=str, ensure_ascii=False)

    def test_no_name_through_any_record_that_points_at_it(self):
        """Every record of every model that the colleague reads and that points at the hidden
        client is read whole: none names it; the doors that answered with the label and those
        the client's manager reads the name through are counted, so that the property does not
        hold because nothing was read."""
        user = self.colleague
        found = self._readable_pointing_records(user)
        # the property would hold vacuously if the colleague read nothing: the traces are there
        for model in ("mail.followers", "mail.message", "mail.activity", "sale.order", "account.move"):
            self.assertIn(model, found, f"the colleague reads the {model} that points at the hidden client")
        self.user_salesman.groups_id = [(4, self.env.ref("sales_team.group_sale_salesman_all_leads").id)]
        answered, proven = [], []
        for model, records in found.items():
            shown = self._shown(records, user)
            for marker in ("Zqxhidden", EMAIL, VAT):
                self.assertNotIn(marker.lower(), shown.lower(), f"{model} names the hidden client")
            if "Hidden client" in shown:
                answered.append(model)
            try:
                if NAME in self._shown(records, self.user_salesman):
                    proven.append(model)
            except AccessError:
                continue  # (an activity assigned to the colleague is his)
        self.assertGreaterEqual(len(answered), 3, f"the label was read from {answered}")
        self.assertGreaterEqual(len(proven), 3, f"the manager reads the name from {proven}")
        # the client's manager sees the names
        order = found["sale.order"].with_user(self.user_salesman)
        self.assertEqual(order.partner_id.display_name, NAME)
        followers = found["mail.followers"].with_user(self.user_salesman).read(["name"])
        self.assertEqual(followers[0]["name"], NAME)

    def test_chatter_feed_and_printed_order_name_no_hidden_client(self):
        """The chatter's feed (messages with their authors and addresses, followers, suggested
        recipients) and the printed order read the hidden client with superuser rights on the
        colleague's behalf: they name it no more than the reads do; its manager sees it."""
        lead = self.env["crm.lead"].search([("name", "=", "Colleague's deal")])
        order = self.env["sale.order"].search([("partner_id", "=", self.hidden.id)])
        self.user_salesman.groups_id = [(4, self.env.ref("sales_team.group_sale_salesman_all_leads").id)]
        for user, hidden in ((self.colleague, True), (self.user_salesman, False)):
            store = Store()
            messages = (
                self.env["mail.message"]
                .with_user(user)
                .search([("model", "=", "crm.lead"), ("res_id", "=", lead.id)])
            )
            self.assertTrue(messages.filtered(lambda m: m.author_id == self.hidden), user.login)
            messages._to_store(store, for_current_user=True)
            lead.with_user(user)._thread_to_store(store, request_list=["followers", "suggestedRecipients"])
            feed = repr(store.get_result())
            html = (
                self.env["ir.actions.report"]
                .with_user(user)
                ._render_qweb_html("sale.report_saleorder", order.ids)[0]
            )
            block = (
                self.env["ir.qweb.field.contact"]
                .with_user(user)
                .value_to_html(self.hidden.with_user(user), {})
            )
            for door, text in (
                ("feed", feed),
                ("printed order", html.decode()),
                ("address block", str(block)),
            ):
                self.assertEqual("zqxhidden" in text.lower(), not hidden, f"the {door} as {user.login}")
                if hidden:
                    self.assertIn("Hidden client", text, f"the {door} shows the label")

    def test_invoice_names_no_hidden_client(self):
        """An invoice the colleague made out to a client he may not know of (Odoo lets the
        salesperson of an invoice read it) shows neither the copy of the buyer's name it keeps
        (``invoice_partner_display_name``: found as a field computed from the partner's name) nor,
        printed, the buyer's name, address or tax id read from the partner; the client's manager
        reads and prints them."""
        invoice = self.env["account.move"].search([("partner_id", "=", self.hidden.id)])
        self.assertEqual(
            self.env["account.move"]._clientbase_identity_paths()["invoice_partner_display_name"],
            ("partner_id", True),
        )
        invoicing = self.env.ref("account.group_account_invoice")
        self.user_salesman.groups_id = [(4, invoicing.id)]
        for user, hidden in ((self.colleague, True), (self.user_salesman, False)):
            shown = invoice.with_user(user).read(["invoice_partner_display_name"])[0]
            self.assertEqual(shown["invoice_partner_display_name"] == "Hidden client", hidden, user.login)
            html = (
                self.env["ir.actions.report"]
                .with_user(user)
                ._render_qweb_html("account.report_invoice", invoice.ids)[0]
                .decode()
            )
            for marker in ("zqxhidden", VAT):
                self.assertEqual(marker in html.lower(), not hidden, f"{marker} printed for {user.login}")

    def test_no_name_search_of_it(self):
        Partner = self.env["res.partner"].with_user(self.colleague)
        self.assertFalse(Partner.name_search("Zqxhidden"))
        self.assertFalse(Partner.search_count([("email", "=", EMAIL)]))

    def test_import_refuses_without_naming_and_tells_the_managers(self):
        csv = f"Name;Email\nSomeone;{EMAIL}\n".encode()
        wizard = (
            self.env["clientbase.import.wizard"]
            .with_user(self.colleague)
            .create({"file": base64.b64encode(csv), "file_name": "clients.csv"})
        )
        wizard.action_check()
        self.assertEqual(wizard.duplicate_count, 1, "the row is refused")
        self.assertNotIn("Zqxhidden", wizard.report)
        self.assertFalse(wizard.issue_ids.partner_id)
        self.assertNotIn("Zqxhidden", " ".join(wizard.issue_ids.mapped("message")))
        log = self.env["clientbase.export.log"].search(
            [("door", "=", "import"), ("partner_id", "=", self.hidden.id)]
        )
        self.assertEqual((log.user_id, log.outcome), (self.colleague, "refused"))
        # the salesperson's own client is named, as in open mode
        self.mine.email = "mine.zqx@example.com"
        wizard = (
            self.env["clientbase.import.wizard"]
            .with_user(self.colleague)
            .create({"file": base64.b64encode(b"Name;Email\nX;mine.zqx@example.com\n"), "file_name": "c.csv"})
        )
        wizard.action_check()
        self.assertIn(self.mine.name, wizard.report)
        self.assertEqual(wizard.issue_ids.partner_id, self.mine)

    def test_open_mode_names_as_before(self):
        self.company.client_strict_visibility = False
        order = self.env["sale.order"].search([("partner_id", "=", self.hidden.id)])
        self.assertEqual(order.with_user(self.colleague).partner_id.display_name, NAME)
        self.assertTrue(fields.first(order))

    def _readable_listing_records(self, user):
        """``{model: (records, many2many fields)}`` the user reads that list the hidden client in
        a stored many2many to partners."""
        found = {}
        for name, Model in ((n, self.env[n]) for n in self.env.registry.models):
            if Model._abstract or Model._transient or not Model._auto:
                continue
            links = [
                f
                for f, field in Model._fields.items()
                if field.type == "many2many" and field.comodel_name == "res.partner" and field.store
            ]
            if not links or not Model.with_user(user).has_access("read"):
                continue
            domain = ["|"] * (len(links) - 1) + [(f, "in", self.hidden.ids) for f in links]
            pointing = Model.sudo().with_context(active_test=False).search(domain)
            readable = (
                Model.with_user(user).with_context(active_test=False).search([("id", "in", pointing.ids)])
            )
            if readable:
                found[name] = (readable, links)
        return found

    def test_no_name_in_any_list_of_partners(self):
        found = self._readable_listing_records(self.colleague)
        for model in ("mail.message", "calendar.event"):
            self.assertIn(model, found, f"the colleague reads a {model} listing the hidden client")
        for model, (records, links) in found.items():
            Model = records.with_user(self.colleague)
            shown = json.dumps(Model.read(links), default=str) + json.dumps(
                Model.web_read({f: {"fields": {"display_name": {}, "email": {}}} for f in links}),
                default=str,
                ensure_ascii=False,
            )
            for marker in ("Zqxhidden", EMAIL):
                self.assertNotIn(marker.lower(), shown.lower(), f"{model} names the hidden client")
            # the client's manager (who reads these records) sees the name
            if Model.with_user(self.user_salesman).has_access("read"):
                self.env.invalidate_all()  # the lists as the colleague's rules read them
                try:
                    whole = json.dumps(
                        records.with_user(self.user_salesman).web_read(
                            {f: {"fields": {"display_name": {}}} for f in links}
                        ),
                        default=str,
                        ensure_ascii=False,
                    )
                except AccessError:
                    continue
                if model == "calendar.event":
                    self.assertIn(NAME, whole, model)

    def test_meeting_and_recipients_in_the_feed(self):
        """The meeting's attendees (their records, names and emails) and the message's
        recipients in the chatter's feed: the label, never the name."""
        attendees = self.meeting.attendee_ids.with_user(self.colleague)
        shown = json.dumps(attendees.read(["partner_id", "common_name", "email"]), default=str)
        self.assertNotIn("zqxhidden", shown.lower())
        self.assertIn("Hidden client", shown)
        lead = self.env["crm.lead"].search([("name", "=", "Colleague's deal")])
        messages = (
            self.env["mail.message"]
            .with_user(self.colleague)
            .search([("model", "=", "crm.lead"), ("res_id", "=", lead.id), ("partner_ids", "!=", False)])
        )
        self.assertTrue(messages)
        store = Store()
        messages._to_store(store, for_current_user=True)
        self.meeting.with_user(self.colleague)._thread_to_store(store, request_list=["followers"])
        self.assertNotIn("zqxhidden", repr(store.get_result()).lower())
