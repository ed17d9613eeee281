"""Every change of a client is traceable: by every door, under the client's protection."""

import base64
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from ..models.audit.clientbase_change_log import LOGGED_FIELDS, to_raw
from .common import ClientbaseCommon


class ChangeLogCommon(ClientbaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.client_pool_visible = False
        cls.Log = cls.env["clientbase.change.log"]

    def setUp(self):
        super().setUp()
        self.env.flush_all()
        # the changes made by the fixtures are not the test's
        self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM clientbase_change_log")
        self.first_id = self.env.cr.fetchone()[0]

    def _changes(self, partner, fname=None):
        domain = [("partner_id", "=", partner.id), ("id", ">", self.first_id)]
        if fname:
            domain.append(("field_name", "=", fname))
        self.env.flush_all()
        return self.Log.search(domain)

    def _assert_change(self, partner, fname, old, new, door, user):
        rows = self._changes(partner, fname)
        self.assertEqual(len(rows), 1, f"one row for {fname}")
        self.assertEqual(
            (rows.old_value, rows.new_value, rows.door, rows.user_id),
            (old, new, door, user),
            f"the change of {fname}",
        )
        return rows


@tagged("post_install", "-at_install", "clientbase_change_log")
class TestChangeLogDoors(ChangeLogCommon):
    def test_form_save(self):
        partner = self.client_person.with_user(self.user_salesman)
        with Form(partner) as form:
            form.email = "anna.new@example.com"
            form.client_profession = "Baker"
        rows = self._changes(self.client_person)
        self.assertEqual(set(rows.mapped("field_name")), {"email", "client_profession"})
        self._assert_change(
            self.client_person,
            "email",
            "anna@example.com",
            "anna.new@example.com",
            "form",
            self.user_salesman,
        )
        change = self._assert_change(
            self.client_person, "client_profession", False, "Baker", "form", self.user_salesman
        )
        self.assertEqual(change.new_display, "Baker")

    def test_rpc_write_logs_only_what_changed(self):
        partner = self.client_person.with_user(self.user_salesman)
        partner.write(
            {"phone": "+79001112233", "email": "anna@example.com", "client_family_status": "married"}
        )
        self.assertEqual(
            set(self._changes(self.client_person).mapped("field_name")),
            {"phone", "client_family_status"},
            "a value written again unchanged is no change",
        )
        change = self._assert_change(
            self.client_person, "client_family_status", False, "married", "rpc", self.user_salesman
        )
        self.assertEqual(change.new_display, "Married")
        partner.write({"client_family_status": "divorced"})
        rows = self._changes(self.client_person, "client_family_status")
        self.assertEqual(rows[0].old_value, "married", "newest first, from the value before")
        self.assertEqual(rows[0].new_value, "divorced")
        history = partner.client_change_log_ids
        self.assertEqual(history[0].new_display, "Divorced", "the card's History tab: newest first")
        fields_info = history.fields_get(["field_name"], ["selection"])["field_name"]["selection"]
        self.assertIn(("client_family_status", "Family Status"), fields_info)
        groups = self.Log.with_user(self.user_salesman).read_group(
            [("partner_id", "=", self.client_person.id)], ["field_name"], ["field_name"]
        )
        self.assertIn("client_family_status", [group["field_name"] for group in groups])

    def test_import_logs_in_bulk(self):
        content = "name,email,phone\nOne,one@example.com,+79001110001\nTwo,two@example.com,\n"
        wizard = (
            self.env["clientbase.import.wizard"]
            .with_user(self.user_salesman)
            .create({"file": base64.b64encode(content.encode()), "file_name": "clients.csv"})
        )
        wizard.action_check()
        wizard.action_import()
        one, two = wizard.imported_partner_ids.sorted("name")
        self._assert_change(one, "email", False, "one@example.com", "import", self.user_salesman)
        self._assert_change(one, "phone", False, "+79001110001", "import", self.user_salesman)
        self.assertFalse(self._changes(two, "phone"), "an empty value is no change")
        self.assertEqual(self._changes(two, "user_id").new_value, str(self.user_salesman.id))
        # Odoo's own import of a file into contacts
        result = (
            self.env["res.partner"]
            .with_user(self.user_salesman)
            .with_context(import_file=True)
            .load(["name", "email"], [["Three", "three@example.com"]])
        )
        three = self.env["res.partner"].browse(result["ids"])
        self._assert_change(three, "email", False, "three@example.com", "import", self.user_salesman)

    def test_import_logs_what_the_new_clients_hold(self):
        """Every value the import gives a client (its row's and its card's, of every type) is
        logged once, as the log stores what the client then holds; an empty one is no change."""
        content = (
            "name,email,phone,city,birthday,profession,gender,family status,comment\n"
            "Olga,olga@example.com,+79001110011,Omsk,12.03.1985,Baker,female,married,Likes tea\n"
            "Oleg,,,Tomsk,,,,,\n"
        )
        wizard = (
            self.env["clientbase.import.wizard"]
            .with_user(self.user_salesman)
            .create({"file": base64.b64encode(content.encode()), "file_name": "clients.csv"})
        )
        wizard.action_check()
        wizard.action_import()
        olga, oleg = wizard.imported_partner_ids.sorted("name", reverse=True)
        self.assertEqual((olga.name, oleg.name), ("Olga", "Oleg"))
        for partner in olga | oleg:
            rows = self._changes(partner)
            self.assertEqual(len(rows), len(set(rows.mapped("field_name"))), "one row per value")
            for row in rows:
                self.assertEqual(
                    (row.old_value, row.new_value, row.door, row.user_id),
                    (False, to_raw(partner._fields[row.field_name], partner[row.field_name]), "import",
                     self.user_salesman),
                    f"{partner.name}: {row.field_name}",
                )  # fmt: skip
        given = {"name", "email", "phone", "city", "client_birthday", "client_profession", "client_gender",
                 "client_family_status", "user_id"}  # fmt: skip
        self.assertLessEqual(given, set(self._changes(olga).mapped("field_name")), "the row's and the card's")
        self.assertLessEqual({"name", "city", "user_id"}, set(self._changes(oleg).mapped("field_name")))
        self.assertFalse(
            set(self._changes(oleg).mapped("field_name"))
            & {"email", "phone", "client_birthday", "client_profession"},
            "an empty value is no change",
        )

    def test_merge_wizard(self):
        kept = self.env["res.partner"].create({"name": "Anna S.", "user_id": self.user_salesman.id})
        self.client_person.write({"client_pets": "Cat"})
        before = self._changes(self.client_person)
        self.assertEqual(len(before), 1)
        self.env["base.partner.merge.automatic.wizard"]._merge((kept | self.client_person).ids, kept)
        self.assertFalse(self.client_person.exists())
        rows = self._changes(kept)
        self.assertEqual(
            rows.filtered(lambda r: r.field_name == "email" and r.door == "merge").mapped("new_value"),
            ["anna@example.com"],
            "the merged partner's email comes to the kept one by the door merge",
        )
        self.assertLessEqual(set(before.ids), set(rows.ids), "the merged partner's history follows it")

    def test_handover(self):
        wizard = (
            self.env["clientbase.handover.wizard"]
            .with_user(self.user_manager)
            .create(
                {
                    "partner_ids": [(6, 0, self.client_company.ids)],
                    "to_user_id": self.user_salesman_2.id,
                    "reason": "Holiday",
                }
            )
        )
        wizard.action_handover()
        change = self._assert_change(
            self.client_company,
            "user_id",
            str(self.user_salesman.id),
            str(self.user_salesman_2.id),
            "handover",
            self.user_manager,
        )
        self.assertEqual(change.new_display, self.user_salesman_2.display_name)
        self.assertFalse(
            self._changes(self.client_employee, "user_id"), "the contacts follow: no second change"
        )

    def test_hand_override(self):
        partner = self.client_person.with_user(self.user_salesman)
        warmth, stage = partner.client_warmth, partner.client_stage
        self.assertNotEqual(warmth, "hot")
        partner.write({"client_warmth": "hot", "client_is_vip": True})
        self._assert_change(
            self.client_person, "client_warmth", warmth, "hot", "override", self.user_salesman
        )
        self._assert_change(self.client_person, "client_is_vip", "0", "1", "override", self.user_salesman)
        partner.write({"client_stage": "loyal"})
        self._assert_change(
            self.client_person, "client_stage", stage, "loyal", "override", self.user_salesman
        )
        self.assertTrue(partner.client_stage_is_manual)

    def test_back_to_automatic_is_logged(self):
        """A value set by hand and then given back to the engine ("back to automatic") is a
        change too: from the hand-set value to the computed one, by the door "override"."""
        partner = self.client_person.with_user(self.user_salesman)
        automatic = partner.client_warmth
        hand_set = "hot" if automatic != "hot" else "cold"
        partner.write({"client_warmth": hand_set})
        self.assertTrue(partner.client_warmth_is_manual)
        first = self._changes(self.client_person, "client_warmth")
        partner.action_client_reset_segments()
        self.assertFalse(partner.client_warmth_is_manual)
        self.assertEqual(partner.client_warmth, automatic)
        rows = self._changes(self.client_person, "client_warmth") - first
        self.assertEqual(
            (len(rows), rows.old_value, rows.new_value, rows.door, rows.user_id),
            (1, hand_set, automatic, "override", self.user_salesman),
        )
        self.assertFalse(
            self._changes(self.client_person, "client_stage"), "a value that does not change is not logged"
        )

    def test_forget_erases_values_and_keeps_who_when_which(self):
        self.client_person.with_user(self.user_salesman).write({"client_pets": "Cat Murka"})
        self.client_person.with_user(self.user_manager)._client_forget()
        rows = self._changes(self.client_person)
        self.assertIn("forget", rows.mapped("door"))
        self.assertIn("client_pets", rows.mapped("field_name"))
        self.assertFalse(any(rows.mapped("old_value")) or any(rows.mapped("new_value")), "no value kept")
        self.assertTrue(all(rows.mapped("user_id")) and all(rows.mapped("date")))

    def test_cron_door(self):
        partner = self.client_person.with_context(ir_cron_progress_id=1)
        partner.write({"client_winback_date": "2030-01-01"})
        self._assert_change(
            self.client_person, "client_winback_date", False, "2030-01-01", "cron", self.env.user
        )


@tagged("post_install", "-at_install", "clientbase_change_log", "clientbase_protection")
class TestChangeLogProtection(ChangeLogCommon):
    def test_salesperson_reads_his_clients_changes_only(self):
        mine = self.env["res.partner"].create({"name": "Theirs", "user_id": self.user_salesman_2.id})
        self.client_person.with_user(self.user_salesman).write({"client_pets": "Dog"})
        mine.with_user(self.user_salesman_2).write({"client_pets": "Parrot"})
        self.env.flush_all()
        domain = [("partner_id", "in", (self.client_person | mine).ids)]
        for user, own in ((self.user_salesman, self.client_person), (self.user_salesman_2, mine)):
            Log = self.Log.with_user(user)
            self.assertEqual(Log.search(domain).partner_id, own, f"{user.login} reads his clients' changes")
            values = repr(Log.search_read(domain, ["old_value", "new_value", "partner_id"]))
            groups = repr(Log.read_group(domain, ["new_value"], ["new_value"]))
            other = "Parrot" if own == self.client_person else "Dog"
            for door, text in (("search_read", values), ("read_group", groups)):
                self.assertNotIn(other, text, f"{user.login}: {door}")
            with self.assertRaises(AccessError):
                self.Log.search(domain).filtered(lambda r, o=own: r.partner_id != o).with_user(user).read(
                    ["new_value"]
                )
            history = own.with_user(user).client_change_log_ids
            self.assertEqual(history.partner_id, own)
        manager_rows = self.Log.with_user(self.user_manager).search(domain)
        self.assertEqual(manager_rows.partner_id, self.client_person | mine, "managers read all")

    def test_a_field_hidden_from_a_group_is_hidden_in_its_history(self):
        """A logged field restricted to a group (``signup_type``: ERP managers) shows its changes
        only to the members of the group, whoever manages the client."""
        self.Log.with_user(self.user_salesman)._log_rows(
            [
                (self.client_person.id, "signup_type", None, "signup"),
                (self.client_person.id, "city", None, "Omsk"),
            ]
        )
        self.env.flush_all()
        domain = [("partner_id", "=", self.client_person.id)]
        seen = self.Log.with_user(self.user_salesman).search(domain).mapped("field_name")
        self.assertIn("city", seen)
        self.assertNotIn("signup_type", seen)
        self.user_salesman.groups_id += self.env.ref("base.group_erp_manager")
        self.assertIn(
            "signup_type", self.Log.with_user(self.user_salesman).search(domain).mapped("field_name")
        )
        # the rule follows the field's definition for every logged field
        Partner = self.env["res.partner"]
        for fname in LOGGED_FIELDS:
            groups = Partner._fields[fname].groups
            self.assertFalse(groups and "," in groups, f"{fname}: one group, as the log stores it")

    def test_a_field_of_several_groups_is_read_through_any_of_them(self):
        """A logged field readable by the members of any of several groups (``groups="a,b"``)
        shows its history to a member of the second group, and hides it from whoever is in
        none; the rule follows the field's definition, for the rows already logged too."""
        field = self.env["res.partner"]._fields["signup_type"]
        second = "clientbase_crm.group_clientbase_export"
        self.assertFalse(self.user_salesman.has_group("base.group_erp_manager"))
        self.assertFalse(self.user_salesman.has_group(second))
        self.Log._log_rows([(self.client_person.id, "signup_type", None, "signup")])
        self.env.flush_all()
        domain = [("partner_id", "=", self.client_person.id), ("field_name", "=", "signup_type")]
        with patch.object(field, "groups", f"base.group_erp_manager,{second}"):
            self.env.registry.clear_cache()
            self.assertFalse(self.Log.with_user(self.user_salesman).search(domain), "in neither group")
            self.user_salesman.groups_id += self.env.ref(second)
            self.assertEqual(
                self.Log.with_user(self.user_salesman).search(domain).new_value,
                "signup",
                "a member of the second group reads the field, and its history",
            )
        self.env.registry.clear_cache()
        self.assertFalse(
            self.Log.with_user(self.user_salesman).search(domain),
            "the field back to one group: hidden again from the others",
        )

    def test_outsiders_have_no_access(self):
        outsider = self._user("cb_outsider_log", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.Log.with_user(outsider).search([])
        with self.assertRaises(AccessError):
            self.Log.with_user(self.user_salesman).create(
                {
                    "partner_id": self.client_person.id,
                    "field_name": "email",
                    "door": "rpc",
                    "date": fields.Datetime.now(),
                }
            )


@tagged("post_install", "-at_install", "clientbase_change_log")
class TestChangeAlerts(ChangeLogCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "clientbase_change_alert_threshold": 3,
                "clientbase_change_alert_hours": 24,
                "clientbase_change_alert_user_id": cls.user_manager.id,
            }
        )
        cls.clients = cls.env["res.partner"].create(
            [
                {"name": f"Client {i}", "email": f"c{i}@example.com", "user_id": cls.user_salesman.id}
                for i in range(6)
            ]
        )

    def _alerts(self):
        return self.env["clientbase.change.alert"].search([("user_id", "=", self.user_salesman.id)])

    def test_alert_fires_once_at_the_threshold_and_undo_restores(self):
        for i, client in enumerate(self.clients[:3]):
            client.with_user(self.user_salesman).write({"email": f"thief{i}@example.net"})
        self.assertFalse(self._alerts(), "3 clients: at the threshold, not above")
        self.clients[3].with_user(self.user_salesman).write({"email": "thief3@example.net"})
        alert = self._alerts()
        self.assertEqual((len(alert), alert.client_count), (1, 4))
        todo = alert.activity_ids
        self.assertEqual(todo.user_id, self.user_manager)
        self.assertIn(self.user_salesman.name, todo.note)
        self.assertIn("4", todo.note)
        self.clients[4:].with_user(self.user_salesman).write({"phone": "+79990000000"})
        self.clients[4:].with_user(self.user_salesman).write({"phone": "+79990000001"})
        self.assertEqual(len(self._alerts()), 1, "one alert per user and period")
        self.assertEqual(len(alert.activity_ids), 1, "one to-do")
        self.assertEqual(alert.client_count, 6)
        changes = self.env["clientbase.change.log"].search(alert.action_open_changes()["domain"])
        self.assertEqual(changes.partner_id, self.clients)
        with self.assertRaises(AccessError):
            alert.with_user(self.user_salesman).action_undo()
        alert.with_user(self.user_manager).action_undo()
        self.assertEqual(self.clients.mapped("email"), [f"c{i}@example.com" for i in range(6)])
        self.assertEqual(self.clients[4:].mapped("phone"), [False, False])
        undo = self.Log.search([("partner_id", "in", self.clients.ids), ("door", "=", "undo")])
        self.assertEqual(len(undo), 6, "the undo is logged: 4 emails and 2 phones put back")
        self.assertEqual(set(undo.user_id.ids), {self.user_manager.id})
        self.assertEqual(alert.state, "undone")
        self.assertEqual(len(self._alerts()), 1, "the manager's undo raises no alert of the salesperson")

    def test_changes_of_another_period_count_apart(self):
        with freeze_time(fields.Datetime.now() - timedelta(days=2)):
            for client in self.clients[:3]:
                client.with_user(self.user_salesman).write({"email": f"old.{client.id}@example.net"})
        for client in self.clients[3:5]:
            client.with_user(self.user_salesman).write({"email": f"new.{client.id}@example.net"})
        self.assertFalse(self._alerts(), "3 then 2 clients, two days apart: no alert")


@tagged("post_install", "-at_install", "clientbase_change_log")
class TestChangeLogRetention(ChangeLogCommon):
    def test_cron_purges_old_rows_in_batches(self):
        self.company.clientbase_change_log_days = 30
        with freeze_time(fields.Datetime.now() - timedelta(days=40)):
            for i in range(3):
                self.client_person.write({"client_pets": f"pet {i}"})
        self.client_person.write({"client_pets": "today"})
        self.env.flush_all()
        self.assertEqual(len(self._changes(self.client_person, "client_pets")), 4)
        done, remaining = self.Log._cron_purge_change_log(batch_size=2)
        self.assertEqual((done, remaining), (2, 1))
        done, remaining = self.Log._cron_purge_change_log(batch_size=2)
        self.assertEqual((done, remaining), (1, 0))
        self.assertEqual(self._changes(self.client_person, "client_pets").mapped("new_value"), ["today"])
        self.env.ref("clientbase_crm.ir_cron_purge_change_log").method_direct_trigger()


@tagged("post_install", "-at_install", "clientbase_change_log")
class TestChangeLogOwnUser(ChangeLogCommon):
    def test_a_new_client_logs_its_values(self):
        partner = (
            self.env["res.partner"]
            .with_user(self.user_salesman)
            .create({"name": "Fresh", "email": "fresh@example.com", "client_profession": "Cook"})
        )
        self._assert_change(partner, "email", False, "fresh@example.com", "rpc", self.user_salesman)
        self._assert_change(partner, "client_profession", False, "Cook", "rpc", self.user_salesman)
        # who enters a client's personal data becomes its manager: that is logged too
        self._assert_change(partner, "user_id", False, str(self.user_salesman.id), "rpc", self.user_salesman)
        self.assertFalse(self._changes(partner, "phone"), "no value, no change")
