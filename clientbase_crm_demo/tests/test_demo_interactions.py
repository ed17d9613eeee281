from datetime import datetime

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import TransactionCase, tagged

# what interactions made of the same values for two like clients may differ in
UNCOMPARED = {
    "id",
    "create_uid",
    "create_date",
    "write_uid",
    "write_date",
    "client_id",
    "contact_id",
    "activity_id",
}


@tagged("post_install", "-at_install", "clientbase_demo")
@freeze_time("2026-03-10 10:00:00")
class TestDemoInteractions(TransactionCase):
    """The demo's logged contacts are inserted set-based (``clientbase_demo_interactions.py``):
    each is the interaction ``create`` makes of the same values, column by column, with its
    note in the client's chatter, the call-back activity of a next step, the client's last
    contact date and the "contact due" reminder answered."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.generator = cls.env["clientbase.demo.generator"]._demo_quiet()
        cls.generator._demo_setup_company()
        cls.manager, cls.colleague = cls.generator._demo_get_managers()[:2]

    def _clients(self, tag):
        """A person and a company with a key employee, the person due for a contact."""
        Partner = self.generator.env["res.partner"]
        person = Partner.create(
            {"name": f"Смирнова Анна {tag}", "user_id": self.manager.id, "customer_rank": 1}
        )
        company = Partner.create(
            {
                "name": f"ООО «Ромашка» {tag}",
                "is_company": True,
                "user_id": self.colleague.id,
                "child_ids": [Command.create({"name": f"Петров Иван {tag}", "user_id": self.colleague.id})],
            }
        )
        self.env["mail.activity"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": person.id,
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "user_id": self.manager.id,
                "client_rule": "contact_due",
                "date_deadline": fields.Date.today(),
            }
        )
        return person, company

    def _plan(self, person, company):
        return [
            {
                "client_id": person.id,
                "user_id": self.manager.id,
                "date": datetime(2026, 2, 1, 11, 0),
                "kind": "outgoing_call",
                "result": "reached",
                "duration": 5,
                "note": "Интересуется, попросил прайс-лист.",
            },
            {
                "client_id": person.id,
                "user_id": self.manager.id,
                "date": datetime(2026, 3, 2, 15, 30),
                "kind": "outgoing_call",
                "result": "no_answer",
                "note": "Не ответил.",
                "next_step": "Перезвонить",
            },
            {
                # the key employee picked as the client: the company is the client, he the contact
                "client_id": company.child_ids.id,
                "user_id": self.colleague.id,
                "date": datetime(2025, 12, 20, 9, 0),
                "kind": "meeting",
                "result": "meeting_scheduled",
                "duration": 60,
                "note": "Показал новый каталог.",
            },
        ]

    def _values(self, records):
        names = [
            name
            for name, field in records._fields.items()
            if field.store and field.column_type and name not in UNCOMPARED
        ]
        return [{name: record[name] for name in names} for record in records]

    def test_inserted_interactions_are_what_create_makes(self):
        ours_clients = self._clients("1")
        theirs_clients = self._clients("2")
        ours = self.generator._demo_insert_interactions(self._plan(*ours_clients))
        theirs = self.generator.env["clientbase.interaction"].create(self._plan(*theirs_clients))
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(self._values(ours), self._values(theirs))
        person, company = ours_clients
        self.assertEqual(ours.client_id, person | company)
        self.assertEqual(
            ours[2].contact_id, company.child_ids, "the company is the client, its employee the contact"
        )
        for client, their_client in zip(ours_clients, theirs_clients, strict=True):
            self.assertEqual(client.client_last_contact_date, their_client.client_last_contact_date)
            notes = client.message_ids.filtered(lambda m: m.message_type == "notification")
            their_notes = their_client.message_ids.filtered(lambda m: m.message_type == "notification")
            self.assertTrue(notes)
            self.assertEqual(
                [(m.body, m.author_id, m.subtype_id) for m in notes],
                [(m.body, m.author_id, m.subtype_id) for m in their_notes],
            )
            self.assertEqual(
                [(a.summary, a.user_id, a.date_deadline, a.client_rule) for a in client.activity_ids],
                [(a.summary, a.user_id, a.date_deadline, a.client_rule) for a in their_client.activity_ids],
            )
        # the contact logged answered the "contact due" reminder; the next step is a call-back;
        # an unanswered call is no contact
        self.assertEqual(person.activity_ids.mapped("client_rule"), ["call_back"])
        self.assertEqual(person.client_last_contact_date, fields.Date.to_date("2026-02-01"))
