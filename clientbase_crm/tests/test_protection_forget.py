"""Issue #26, class 5: after "Forget this client", no stored column of any table and no file holds
the client's name, email address, phone number or bank account, except the columns a stated
retention keeps (``FORGET_KEPT_COLUMNS``).

The test fills every kind of copy a user's work leaves (opportunities and their chatter, files and
to-dos, a mailing list, a bank account, what the client wrote on an order, queued emails, import
previews of both import wizards, an Excel export with a typed filter, the export log, a posted
invoice, the blacklist) and then scans every text, varchar, jsonb and bytea column of every table of
the database, and the content of every file, for the client's markers: the scan is not a list of
places, so a copy made by a module installed later is found too.
"""

import base64
import re
from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from ..models.protection.clientbase_security import FORGET_KEPT_COLUMNS
from .common import ProtectionCommon

MARKER = "zqxforgetmarker"
PHONE = "+7 916 731 59 28"
PHONE_DIGITS = "9167315928"
IBAN = "40817810ZQX0000417293"


@tagged("post_install", "-at_install", "clientbase_protection", "clientbase_privacy")
class TestForgetLeavesNoCopy(ProtectionCommon):
    def _scan(self, only=None):
        """``[(table, column, ids)]`` of every stored value in the database holding a marker (or
        in the columns ``only``)."""
        env = self.env
        env.flush_all()
        found = []
        env.cr.execute(
            """SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
                 JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
                WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
                  AND c.data_type IN ('text', 'character varying', 'jsonb', 'bytea')"""
        )
        for table, column, data_type in env.cr.fetchall():
            if only is not None and (table, column) not in only:
                continue
            value = SQL("%s::text", SQL.identifier(column))
            if data_type == "bytea":
                value = SQL("convert_from(%s, 'LATIN1')", SQL.identifier(column))
            has_id = SQL("id") if self._has_id(table) else SQL("0")
            env.cr.execute(
                SQL(
                    """SELECT %s FROM %s WHERE %s ILIKE %s OR %s ILIKE %s
                        OR regexp_replace(%s, '[^0-9]', '', 'g') LIKE %s LIMIT 5""",
                    has_id,
                    SQL.identifier(table),
                    value,
                    f"%{MARKER}%",
                    value,
                    f"%{IBAN}%",
                    value,
                    f"%{PHONE_DIGITS}%",
                )
            )
            rows = [row[0] for row in env.cr.fetchall()]
            if rows:
                found.append((table, column, rows))
        return found

    def _show(self, found):
        shown = []
        for table, column, ids in found:
            if ids and ids[0]:
                self.env.cr.execute(
                    SQL(
                        "SELECT %s::text FROM %s WHERE id = %s",
                        SQL.identifier(column),
                        SQL.identifier(table),
                        ids[0],
                    )
                )
                shown.append((table, column, ids, self.env.cr.fetchone()[0][:200]))
            else:
                shown.append((table, column, ids))
        return shown

    def _has_id(self, table):
        self.env.cr.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = 'id'", [table]
        )
        return bool(self.env.cr.fetchall())

    def _files_holding_markers(self):
        attachments = (
            self.env["ir.attachment"]
            .with_context(active_test=False)
            .search(["|", ("res_model", "=", False), ("res_model", "!=", False)])
        )
        pattern = re.compile(f"{MARKER}|{IBAN}|{PHONE_DIGITS}".encode(), re.IGNORECASE)
        return attachments.filtered(lambda a: a.raw and pattern.search(re.sub(rb"[ ()-]", b"", a.raw)))

    def _fill_every_copy(self, client):
        env = self.env
        env["clientbase.client.figures"].sudo().create(
            {"partner_id": client.id, "company_id": self.company.id, "churn_reason": f"left {MARKER}"}
        )
        env["clientbase.interaction"].with_user(self.user_salesman).create(
            {
                "client_id": client.id,
                "note": f"note {MARKER}",
                "next_step": f"call {MARKER}",
                "result": "call_back",
            }
        )
        # an opportunity: the client's address, site and words copied, its chatter, a file, a to-do
        lead = env["crm.lead"].create(
            {
                "name": f"Flat for Anna {MARKER}",
                "partner_id": client.id,
                "user_id": self.user_salesman.id,
                "street": f"{MARKER} street 5",
                "city": "Tver",
                "zip": "170000",
                "website": f"https://{MARKER}.example.com",
                "description": f"<p>She said {MARKER} is moving</p>",
            }
        )
        lead.with_context(tracking_disable=False).write({"email_from": f"other.{MARKER}@example.com"})
        lead.message_post(body=f"Called Anna {MARKER} at {PHONE}")
        env["ir.attachment"].create(
            {
                "name": "notes.txt",
                "res_model": "crm.lead",
                "res_id": lead.id,
                "raw": f"Anna {MARKER}".encode(),
            }
        )
        lead.activity_schedule(
            "mail.mail_activity_data_call", note=f"Ring {MARKER} back", user_id=self.user_salesman.id
        )
        # a lead of nobody's client, with the client's address only
        env["crm.lead"].create({"name": "Web form", "email_from": f"{MARKER}@example.com", "phone": PHONE})
        # mailing lists: the person stays mailable through a list
        mailing_list = env["mailing.list"].create({"name": "Newsletter"})
        env["mailing.contact"].create(
            {
                "name": f"Anna {MARKER}",
                "email": f"{MARKER}@example.com",
                "list_ids": [Command.link(mailing_list.id)],
            }
        )
        env["res.partner.bank"].create({"partner_id": client.id, "acc_number": IBAN})
        mailing = env["mailing.mailing"].create(
            {"subject": "Offer", "mailing_model_id": env["ir.model"]._get_id("res.partner")}
        )
        env["mailing.trace"].create(
            {
                "mass_mailing_id": mailing.id,
                "model": "res.partner",
                "res_id": client.id,
                "email": f"{MARKER}@example.com",
            }
        )
        env["mail.mail"].create(
            {
                "subject": "Hello",
                "body_html": f"<p>Dear {MARKER}</p>",
                "email_to": f"Anna <{MARKER}@example.com>",
                "recipient_ids": [Command.link(client.id)],
            }
        )
        client.message_post(body=f"Spoke to {MARKER}")
        # a notification queued to the client, naming it
        client.message_post(
            body=f"Dear Anna {MARKER}",
            partner_ids=client.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        order = env["sale.order"].create({"partner_id": client.id, "note": f"<p>Deliver to {MARKER}</p>"})
        # what the client wrote on its order, from its mailbox
        order.message_post(
            body=f"Please call me on {PHONE}",
            author_id=client.id,
            email_from=f"Anna <{MARKER}@example.com>",
            reply_to=f"{MARKER}@example.com",
            message_type="email",
        )
        portal = new_test_user(
            env,
            login=f"{MARKER}@example.com",
            name=client.name,
            groups="base.group_portal",
            partner_id=client.id,
        )
        # exports: an Excel file with a typed filter naming the client, the personal-data export
        name_field = env["ir.model.fields"]._get("res.partner", "name")
        env["clientbase.xlsx.export.wizard"].create(
            {
                "partner_ids": [Command.set(client.ids)],
                "field_ids": [Command.set(name_field.ids)],
                "filter_description": f"Name contains Anna {MARKER}",
            }
        ).action_export()
        client.with_user(self.user_manager).action_client_privacy_export()
        # import previews of both import wizards, holding the client's row
        csv = f"Name;Email;Phone\nAnna {MARKER};{MARKER}@example.com;{PHONE}\n".encode()
        env["clientbase.import.wizard"].with_user(self.user_salesman).create(
            {"file": base64.b64encode(csv), "file_name": "clients.csv"}
        ).action_check()
        preview = env["base_import.import"].create(
            {"res_model": "res.partner", "file": csv, "file_name": "c.csv"}
        )
        preview.parse_preview({"quoting": '"', "separator": ";", "has_headers": True})
        env["res.partner"]._cron_client_birthdays()
        # the client unsubscribed: the suppression list keeps the address (FORGET_KEPT_COLUMNS)
        env["mail.blacklist"]._add(f"{MARKER}@example.com")
        return order, portal

    def _invoice(self, client, date):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": client.id,
                "invoice_date": date,
                "invoice_line_ids": [Command.create({"name": "Flat", "quantity": 1, "price_unit": 100.0})],
            }
        )
        invoice.action_post()
        return invoice

    @freeze_time("2026-03-10 10:00:00")
    def test_forget_leaves_no_copy_but_the_retained(self):
        env = self.env
        client = env["res.partner"].create(
            {
                "name": f"Anna {MARKER}",
                "email": f"{MARKER}@example.com",
                "phone": PHONE,
                "street": "Lenina 1",
                "city": "Tver",
                "user_id": self.user_salesman.id,
                "client_needs": f"needs {MARKER}",
                "client_birthday": fields.Date.today().replace(year=1990) + timedelta(days=3),
            }
        )
        order, portal = self._fill_every_copy(client)
        self.company.client_invoice_retention_years = 5
        recent = self._invoice(client, "2025-06-01")
        old = self._invoice(client, "2020-06-01")
        copies = (
            ("crm_lead", "street"),
            ("crm_lead", "description"),
            ("mailing_contact", "email"),
            ("res_partner_bank", "acc_number"),
            ("mail_message", "body"),
            ("mail_message", "reply_to"),
            ("mail_mail", "email_to"),
            ("clientbase_import_wizard", "preview"),
            ("base_import_import", "file"),
            ("clientbase_export_log", "note"),
            ("account_move", "invoice_partner_display_name"),
        )
        before = {(table, column) for table, column, _ids in self._scan(only=copies)}
        for copy in copies:
            self.assertIn(copy, before, "the fixture leaves this copy")

        client.with_user(self.user_manager)._client_forget(f"Email of Anna {MARKER} ({MARKER}@example.com)")

        found = self._scan()
        kept = [(table, column) for table, column, _ids in found if (table, column) in FORGET_KEPT_COLUMNS]
        left = [
            (table, column, ids) for table, column, ids in found if (table, column) not in FORGET_KEPT_COLUMNS
        ]
        self.assertFalse(left, f"the client's data is still there: {self._show(left)}")
        self.assertIn(("mail_blacklist", "email"), kept, "the suppression list keeps the address")
        # the retention: the recent posted invoice keeps the buyer, the old one does not
        for table, column, ids in found:
            if table == "account_move":
                self.assertEqual(ids, recent.ids, column)
        self.assertIn(f"Anna {MARKER}", recent.client_retained_buyer)
        self.assertIn("Lenina 1", recent.client_retained_buyer)
        self.assertEqual(recent.invoice_partner_display_name, f"Anna {MARKER}")
        self.assertEqual(recent.client_retained_until, fields.Date.to_date("2030-06-01"))
        self.assertFalse(old.client_retained_buyer)
        self.assertEqual(old.invoice_partner_display_name, f"Forgotten client #{client.id}")
        self.assertFalse(self._files_holding_markers())
        self.assertFalse(portal.active)
        self.assertEqual(order.partner_id, client, "orders are kept, with the anonymous client")
        # the typed reason stays as the request's reference, without the client's identity
        self.assertTrue(
            any("Email of [forgotten]" in str(body) for body in client.message_ids.mapped("body"))
        )

        # when the retention period ends, the daily job erases the invoice's copy (run twice: same)
        with freeze_time("2030-06-02"):
            self.assertEqual(env["account.move"]._cron_client_retention_expired(), 1)
            self.assertEqual(env["account.move"]._cron_client_retention_expired(), 0)
        self.assertEqual(
            [
                (t, c)
                for t, c, _ids in self._scan()
                if (t, c) not in FORGET_KEPT_COLUMNS or t == "account_move"
            ],
            [],
        )
        self.assertEqual(recent.invoice_partner_display_name, f"Forgotten client #{client.id}")

    def test_kept_columns_have_a_reason(self):
        self.assertTrue(all(FORGET_KEPT_COLUMNS.values()))
        for table, column in FORGET_KEPT_COLUMNS:
            self.env.cr.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
                [table, column],
            )
            self.assertTrue(self.env.cr.fetchall(), f"{table}.{column} exists")
