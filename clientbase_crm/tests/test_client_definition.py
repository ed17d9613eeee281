import ast
import base64
import io
from datetime import timedelta

import openpyxl
from freezegun import freeze_time

from odoo import fields
from odoo.tests import new_test_user, tagged

from ..tools.client_definition import (
    audience_domain,
    audience_sql,
    client_circle_sql,
    client_domain,
    client_sql,
)
from .common import MANAGER_GROUPS, ClientbaseSalesCommon

HEAD_GROUPS = f"{MANAGER_GROUPS},clientbase_crm.group_clientbase_export,mass_mailing.group_mass_mailing_user"


@tagged(
    "post_install",
    "-at_install",
    "clientbase_report",
    "clientbase_mailing",
    "clientbase_export",
    "clientbase_work",
)
@freeze_time("2026-03-10 10:00:00")
class TestOneClientDefinition(ClientbaseSalesCommon):
    """Every place that takes a partner for a client takes the partners of the one definition
    (``tools/client_definition.py``): the menus, the engine and the reports count them, the
    mailing wizard targets and the send re-checks them, the Excel export writes them, the
    reminder rules remind their managers of them.

    The base is varied on purpose: a company client, its contact person, a private person, a
    portal user (a client), a mailing-only reader, an employee (an internal user's partner) and
    the company's own partner, every one of them with a manager, an address, consents, a birthday
    today, a qualification, old data, and an order or a lost mark where a test asks for one: each place would take
    the non-clients for clients if it decided by itself. The expected sets are the definition's,
    never written by hand: a place that decides differently fails here."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.head = new_test_user(cls.env, login="cb_def_head", groups=HEAD_GROUPS, name="Definition Head")
        rep = cls.user_salesman
        Partner = cls.env["res.partner"]
        company = cls._client("Definition LLC", user_id=rep.id)
        contact = Partner.create({"name": "Definition Contact", "parent_id": company.id, "user_id": rep.id})
        person = Partner.create({"name": "Definition Person", "user_id": rep.id})
        reader = Partner.create({"name": "Definition Reader", "client_mailing_only": True, "user_id": rep.id})
        portal = new_test_user(cls.env, login="cb_def_portal", groups="base.group_portal").partner_id
        employee = new_test_user(cls.env, login="cb_def_employee", name="Definition Employee").partner_id
        own = cls.env.company.partner_id
        cls.varied = company | contact | person | reader | portal | employee | own
        birthday = fields.Date.today().replace(year=1984)
        for index, partner in enumerate(cls.varied):
            partner.write(
                {
                    "user_id": rep.id,
                    "email": f"definition{index}@example.com",
                    "client_birthday": birthday,
                    "client_qualification": "worth",
                }
            )
            for purpose in ("marketing", "greetings"):
                cls._consent(partner, purpose=purpose)
        cls.env.flush_all()
        # registered and qualified long ago, never contacted nor verified since
        cls.env.cr.execute(
            "UPDATE res_partner SET create_date = %s WHERE id = ANY(%s)",
            (fields.Datetime.now() - timedelta(days=400), cls.varied.ids),
        )
        cls.env.cr.execute(
            "UPDATE clientbase_client_card SET qualified_date = %s WHERE partner_id = ANY(%s)",
            (fields.Date.today() - timedelta(days=400), cls.varied.ids),
        )
        cls.env.invalidate_all()
        cls.company.write(
            {
                "clientbase_contact_max_days": 30,
                "clientbase_verify_days": 30,
                "clientbase_potential_pause_days": 30,
                "clientbase_birthday_greeting": True,
            }
        )
        # the definition's sets, from the definition itself
        cls.clients = cls.varied.filtered_domain(client_domain())
        cls.audience = cls.varied.filtered_domain(audience_domain())
        cls.circle = cls.varied.filtered(lambda p: p.partner_share and p.commercial_partner_id in cls.clients)

    def _sql_ids(self, condition):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT p.id FROM res_partner p WHERE p.id = ANY(%s) AND " + condition.code,
            [self.varied.ids, *condition.params],
        )
        return self.env["res.partner"].browse(row[0] for row in self.env.cr.fetchall())

    def _reminded(self, rule):
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", self.varied.ids), ("client_rule", "=", rule)]
        )
        return self.env["res.partner"].browse(activities.mapped("res_id"))

    def test_the_definition_is_one(self):
        """The base is varied enough to tell the places apart, and the SQL of each set is its domain."""
        self.assertEqual(len(self.clients), 3, "the company, the person and the portal user")
        self.assertEqual(self.audience, self.clients | self.varied.filtered("client_mailing_only"))
        self.assertEqual(
            self.circle, self.clients | self.varied.filtered(lambda p: p.parent_id in self.clients)
        )
        self.assertEqual(self._sql_ids(client_sql("p")), self.clients)
        self.assertEqual(self._sql_ids(audience_sql("p")), self.audience)
        self.assertEqual(self._sql_ids(client_circle_sql("p")), self.circle)
        self.assertEqual(self.varied.filtered("client_is_client"), self.clients)

    def test_counted_only_as_clients(self):
        """The Clients menu lists the audience; the engine, Clients Analysis and Growth and Churn
        count the clients, each once."""
        for partner in self.varied - self.varied.filtered("client_mailing_only"):
            self._order(partner, 100, days_ago=400)
        self.figures._recompute_all(full=True)
        self.env["clientbase.report.monthly"]._cron_refresh()
        Partner = self.env["res.partner"].with_user(self.head)
        for xmlid, expected in (
            ("clientbase_crm.res_partner_action_clients", self.audience),
            ("clientbase_crm.res_partner_action_clientbase_analysis", self.clients),
        ):
            action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
            shown = Partner.search([*ast.literal_eval(action["domain"]), ("id", "in", self.varied.ids)])
            self.assertEqual(shown.sudo(), expected, xmlid)
        counted = self.env["clientbase.client.figures"].search(
            [("partner_id", "in", self.varied.ids), ("order_count", ">", 0)]
        )
        self.assertEqual(counted.partner_id, self.clients, "the engine's figures")
        lines = self.env["clientbase.report.monthly.client"].search(
            [("partner_id", "in", self.varied.ids), ("is_new", "=", True)]
        )
        self.assertEqual(lines.partner_id, self.clients, "Growth and Churn: new once each")
        self.assertEqual(len(lines), len(self.clients))

    def test_mailed_only_as_the_audience(self):
        """The mailing wizard counts and mails the audience of the selection; the send re-checks it."""
        wizard = (
            self.env["clientbase.mailing.wizard"]
            .with_user(self.head)
            .with_context(active_model="res.partner", active_ids=self.varied.ids)
            .create({"subject": "Definition", "body_html": "<p>Hello</p>"})
        )
        classes = wizard._classify()
        targeted = self.env["res.partner"].browse(id_ for ids in classes.values() for id_ in ids)
        self.assertEqual(targeted, self.audience)
        self.assertEqual(wizard.target_count, len(self.audience))
        self.assertEqual(wizard.eligible_count, len(self.audience), "every one consented and has an address")
        mailing = self.env["mailing.mailing"].browse(wizard.action_create_mailing()["res_id"])
        self.assertEqual(set(mailing._get_recipients()), set(self.audience.ids))
        # a mailing whose domain reaches beyond the audience sends to the audience only
        mailing.mailing_domain = repr([("id", "in", self.varied.ids)])
        self.assertEqual(set(mailing._get_recipients()), set(self.audience.ids))

    def test_exported_only_as_the_audience(self):
        """The Excel export of a selection or of a filter writes the audience's rows."""
        Wizard = self.env["clientbase.xlsx.export.wizard"].with_user(self.head)
        name = self.env["ir.model.fields"]._get("res.partner", "name")
        for vals in (
            {"partner_ids": [(6, 0, self.varied.ids)]},
            {"domain": repr([("id", "in", self.varied.ids)])},
        ):
            wizard = Wizard.create({**vals, "field_ids": [(6, 0, name.ids)]})
            self.assertEqual(wizard.record_count, len(self.audience))
            wizard.action_export()
            sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file_data))).worksheets[0]
            names = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
            self.assertEqual(names, set(self.audience.mapped("name")), vals)

    def test_reminded_only_of_clients(self):
        """The rules that keep clients worked remind of clients; birthdays are of the clients'
        circle (a client's contact person included), greetings go to the circle and the readers."""
        Partner = self.env["res.partner"]
        Partner._cron_client_contact_cadence()
        self.assertEqual(self._reminded("contact_due"), self.clients)
        Partner._cron_client_data_freshness()
        self.assertEqual(self._reminded("verify_data"), self.clients)
        Partner._cron_client_potentials()
        self.env.flush_all()
        self.assertEqual(self.varied.filtered("client_paused_date"), self.clients, "potentials paused")
        Partner._cron_client_birthdays()
        self.assertEqual(self._reminded("birthday"), self.circle)
        # the greeting is the journey Birthday greeting (switched on by the company's setting):
        # its message goes to the clients
        Journey = self.env["clientbase.journey"]
        greeting = self.env.ref("clientbase_crm.journey_birthday")
        self.assertTrue(greeting.active)
        Journey._run(greeting)
        history = self.env["clientbase.journey.history"].search(
            [("journey_id", "=", greeting.id), ("result", "=", "queued")]
        )
        self.assertEqual(history.partner_id, self.clients)
        self.assertEqual(sorted(history.mailing_id._get_recipients()), sorted(self.clients.ids))
        # lost long ago, to be won back today: the journey Win-back reminder
        self.env.cr.execute(
            "UPDATE clientbase_client_card SET churn_date = %s, winback_date = %s WHERE partner_id = ANY(%s)",
            (fields.Date.today() - timedelta(days=200), fields.Date.today(), self.varied.ids),
        )
        self.env.invalidate_all()
        reminder = self.env.ref("clientbase_crm.journey_winback_reminder")
        reminder.watermark_date = fields.Date.today() - timedelta(days=1)
        Journey._run(reminder)
        self.assertEqual(self._reminded("winback"), self.clients)
