import io
import json

import openpyxl

from odoo import http
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import EXPORT_GROUPS, USER_GROUPS, ClientbaseCommon


@tagged("post_install", "-at_install", "clientbase_export")
class TestExportControl(ClientbaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_exporter = cls._user("cb_exporter", groups=EXPORT_GROUPS)
        cls.clients = cls.client_company | cls.client_person
        cls.Log = cls.env["clientbase.export.log"]

    def _logs(self, user):
        return self.Log.sudo().search([("user_id", "=", user.id)])

    def _refused(self, export, *args):
        """Call ``export``, expecting an AccessError, as a caller that goes on after it
        (``assertRaises`` rolls its savepoint back, and the refusal's log line with it;
        the rollback of a real request is covered by the HTTP test)."""
        try:
            export(*args)
        except AccessError:
            return
        self.fail("the export was not refused")

    def test_export_refused_without_group(self):
        emails = self.clients.mapped("email")
        for user in (self.user_salesman, self.user_manager):
            self._refused(self.clients.with_user(user).export_data, ["name", "email"])
        refusals = self._logs(self.user_salesman) | self._logs(self.user_manager)
        self.assertEqual(refusals.mapped("outcome"), ["refused", "refused"], "refusals are logged")
        self.assertEqual(self.clients.mapped("email"), emails, "data intact after a refused export")

    def test_export_refused_through_relation(self):
        """Another model's export may not follow a relation into client data."""
        user = self._user("cb_allow_export", groups=f"{USER_GROUPS},base.group_allow_export")
        lead = self.env["crm.lead"].create(
            {"name": "Deal", "partner_id": self.client_person.id, "user_id": False}
        )
        self.assertEqual(
            lead.with_user(user).export_data(["name", "partner_id"])["datas"][0][1], "Anna Smirnova"
        )
        with self.assertRaises(AccessError):
            lead.with_user(user).export_data(["name", "partner_id/email"])
        rows = lead.with_user(self.user_exporter).export_data(["name", "partner_id/email"])["datas"]
        self.assertEqual(rows, [["Deal", "anna@example.com"]])

    def test_export_allowed_and_logged(self):
        rows = self.clients.with_user(self.user_exporter).export_data(["name", "email"])["datas"]
        self.assertEqual(
            sorted(rows),
            [["Anna Smirnova", "anna@example.com"], ["Romashka LLC", "info@romashka.example.com"]],
        )
        log = self._logs(self.user_exporter)
        self.assertEqual(len(log), 1)
        self.assertEqual(log.record_count, 2)
        self.assertEqual(log.door, "rpc")
        self.assertEqual(log.model, "res.partner")
        self.assertEqual(log.field_names, "name, email")
        self.assertFalse(log.is_unusual)
        # the exporter sees their own log line, not the others'
        self.assertEqual(self.Log.with_user(self.user_exporter).search([]), log)
        self.assertFalse(self.Log.with_user(self.user_salesman).search([]))
        self.assertIn(log, self.Log.with_user(self.user_manager).search([]))

    def test_superuser_export_not_refused(self):
        self.assertEqual(len(self.clients.sudo().export_data(["name"])["datas"]), 2)
        self.assertFalse(self.Log.sudo().search([("user_id", "=", self.env.uid)]))

    def test_threshold_needs_approval(self):
        self.company.client_export_threshold = 1
        Request = self.env["clientbase.export.request"]
        exporter_clients = self.clients.with_user(self.user_exporter)
        with self.assertRaises(AccessError):
            exporter_clients.export_data(["name"])
        request = Request.with_user(self.user_exporter).create({"name": "Mailing agency", "record_count": 5})
        request.with_user(self.user_exporter).action_submit()
        # the requester cannot approve it
        with self.assertRaises(AccessError):
            request.with_user(self.user_exporter).action_approve()
        with self.assertRaises(AccessError):
            request.with_user(self.user_exporter).write({"state": "approved"})
        self.assertEqual(request.state, "requested")
        activity = request.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertTrue(activity.user_id.has_group("clientbase_crm.group_clientbase_manager"))
        request.with_user(self.user_manager).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.approved_by_id, self.user_manager)
        exporter_clients.export_data(["name"])
        self.assertEqual(request.state, "used")
        log = self._logs(self.user_exporter)
        self.assertEqual(log.request_id, request)
        self.assertTrue(log.is_unusual)
        # managers were told about the unusual export
        notices = self.env["mail.message"].search([("model", "=", log._name), ("res_id", "=", log.id)])
        self.assertIn(self.user_manager.partner_id, notices.partner_ids)
        # the approval works once
        with self.assertRaises(AccessError):
            exporter_clients.export_data(["name"])

    def test_quota_over_a_period(self):
        """Several exports under the threshold add up; the one that goes over needs approval."""
        self.company.client_export_threshold = 3
        more = self.env["res.partner"].create(
            [{"name": f"Quota {i}", "user_id": self.user_exporter.id} for i in range(3)]
        )
        as_exporter = self.env["res.partner"].with_user(self.user_exporter)
        as_exporter.browse(self.client_person.id).export_data(["name"])
        as_exporter.browse(more[:2].ids).export_data(["name"])
        self._refused(as_exporter.browse(more[2:].ids).export_data, ["name"])
        logs = self._logs(self.user_exporter)
        self.assertEqual(sorted(logs.mapped("outcome")), ["done", "done", "refused"])
        # an export older than the period does not count any more
        logs.filtered(lambda log: log.outcome == "done").write({"date": "2000-01-01 00:00:00"})
        as_exporter.browse(more[2:].ids).export_data(["name"])

    def test_requests_are_made_by_their_requester(self):
        Request = self.env["clientbase.export.request"].with_user(self.user_exporter)
        for vals in (
            {"state": "approved"},
            {"approved_by_id": self.user_exporter.id},
            {"user_id": self.user_salesman.id},
        ):
            with self.assertRaises(AccessError, msg=str(vals)):
                Request.create(dict(vals, name="Bypass", record_count=1000))
        self.assertFalse(self.env["clientbase.export.request"].search([("name", "=", "Bypass")]))

    def test_every_client_data_model_is_guarded(self):
        """The figures, the cards, segments, and users' client fields export only with the right."""
        portal = new_test_user(self.env, login="cb_export_portal", groups="base.group_portal")
        self.env["clientbase.client.figures"].sudo().create(
            {"partner_id": self.client_person.id, "company_id": self.company.id, "revenue": 10.0}
        )
        cases = [
            (self.env["clientbase.client.figures"], ["revenue"]),
            (self.env["clientbase.client.card"], ["partner_id"]),
            (self.env["clientbase.segment"], ["name"]),
            (self.env["res.users"].browse(portal.id), ["client_birthday"]),
        ]
        for records, paths in cases:
            if records._name != "res.users":
                records = records.search([])
            self._refused(records.with_user(self.user_salesman).export_data, paths)
        # res.users without client fields is Odoo's own export
        hr = new_test_user(self.env, login="cb_export_hr", groups="base.group_user,base.group_allow_export")
        self.env["res.users"].browse(portal.id).with_user(hr).export_data(["login"])
        refused = self._logs(self.user_salesman)
        self.assertEqual(
            set(refused.mapped("model")),
            {"clientbase.client.figures", "clientbase.client.card", "clientbase.segment", "res.users"},
        )

    def test_paths_resolved_by_the_field_they_end_on(self):
        """Users' delegated contact fields, followers' related ones and a quotation's
        ``partner_id/phone`` are exports of partner data, whatever their names: the right, the
        quota and the log apply; a name (or a user's login) is not."""
        portal = new_test_user(
            self.env, login="cb_export_portal2", groups="base.group_portal", partner_id=self.client_person.id
        )
        lead = self.env["crm.lead"].create(
            {"name": "Deal", "partner_id": self.client_person.id, "user_id": self.user_exporter.id}
        )
        lead.message_subscribe(partner_ids=self.client_person.ids)
        followers = lead.message_follower_ids.filtered(lambda f: f.partner_id == self.client_person)
        order = self.env["sale.order"].create(
            {"partner_id": self.client_person.id, "user_id": self.user_exporter.id}
        )
        cases = [
            (self.env["res.users"].browse(portal.id), ["login", "email", "phone"]),
            (followers, ["email"]),
            (order, ["name", "partner_id/phone"]),
        ]
        salesperson = self._user(
            "cb_export_plain",
            groups=f"{USER_GROUPS},base.group_allow_export,sales_team.group_sale_salesman_all_leads",
        )
        for records, paths in cases:
            self._refused(records.with_user(salesperson).export_data, paths)
            records.with_user(self.user_exporter).export_data(paths)
        self.assertEqual(
            sorted(self._logs(salesperson).mapped("model")), ["mail.followers", "res.users", "sale.order"]
        )
        done = self._logs(self.user_exporter)
        self.assertEqual(sorted(done.mapped("model")), ["mail.followers", "res.users", "sale.order"])
        self.assertEqual(set(done.mapped("outcome")), {"done"})
        # a name, a login: not partner data
        for records, paths in (
            (order, ["name", "partner_id"]),
            (self.env["res.users"].browse(portal.id), ["login", "name"]),
        ):
            self.assertFalse(records._clientbase_export_is_guarded(paths), paths)

    def test_threshold_constraint(self):
        with self.assertRaises(ValidationError):
            self.company.client_export_threshold = 0


@tagged("post_install", "-at_install", "clientbase_export")
class TestExportControlHttp(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_plain = new_test_user(
            cls.env, login="cb_http_plain", groups=f"{USER_GROUPS},base.group_allow_export"
        )
        cls.user_exporter = new_test_user(cls.env, login="cb_http_exporter", groups=EXPORT_GROUPS)
        cls.client = cls.env["res.partner"].create({"name": "Export Target", "email": "target@example.com"})

    def _export(self, login):
        self.authenticate(login, login)
        params = {
            "model": "res.partner",
            "fields": [{"name": "name", "label": "Name"}, {"name": "email", "label": "Email"}],
            "ids": self.client.ids,
            "domain": [],
            "groupby": [],
            "import_compat": False,
        }
        return self.url_open(
            "/web/export/xlsx",
            data={"data": json.dumps(params), "csrf_token": http.Request.csrf_token(self)},
        )

    def test_web_export_refused_without_group(self):
        Log = self.env["clientbase.export.log"].sudo()
        with self.assertLogs("odoo.addons.web.controllers.export", level="ERROR"):
            response = self._export("cb_http_plain")
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn("spreadsheetml", response.headers.get("Content-Type", ""))
        self.assertIn("not allowed to export client data", response.text)
        refusal = Log.search([("user_id", "=", self.user_plain.id)])
        self.assertEqual((refusal.outcome, refusal.door), ("refused", "web_export"))
        self.assertEqual(self.client.email, "target@example.com")

    def test_web_export_allowed_and_logged(self):
        response = self._export("cb_http_exporter")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        self.assertEqual([c.value for c in sheet[2]], ["Export Target", "target@example.com"])
        log = self.env["clientbase.export.log"].sudo().search([("user_id", "=", self.user_exporter.id)])
        self.assertEqual(len(log), 1)
        self.assertEqual((log.door, log.record_count), ("web_export", 1))
