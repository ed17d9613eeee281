import copy
import random

from freezegun import freeze_time

from odoo.tests import TransactionCase, tagged

# what two partners made of the same values may differ in: who and when the rows were written,
# their ids (the partners' links to each other are compared by position)
UNCOMPARED = {
    "id",
    "create_uid",
    "create_date",
    "write_uid",
    "write_date",
    "parent_id",
    "commercial_partner_id",
}


@tagged("post_install", "-at_install", "clientbase_demo")
@freeze_time("2026-03-10 10:00:00")
class TestDemoClients(TransactionCase):
    """The demo's clients are inserted set-based (``clientbase_demo_clients.py``): each is the
    partner ``res.partner.create`` makes of the same values, column by column, with its key
    employees (the company's address and commercial fields synchronised into them), its card,
    its interests and the change log of its values."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.generator = cls.env["clientbase.demo.generator"]._demo_quiet()
        cls.generator._demo_setup_company()
        cls.managers = cls.generator._demo_get_managers()
        plain, referred = cls.generator._demo_client_vals(random.Random(5), 40, cls.managers)
        cls.plain = plain
        cls.referred = referred

    def _columns(self, records, skip=None):
        """Every stored column of ``records`` but ``skip`` (:data:`UNCOMPARED`), record by record."""
        skip = UNCOMPARED if skip is None else skip
        names = [
            name
            for name, field in records._fields.items()
            if field.store and field.column_type and name not in skip and not name.startswith("message_")
        ]
        return [{name: record[name] for name in names} for record in records]

    def _assert_same(self, ours, theirs, skip=None):
        """Every stored column of ``ours`` holds what it holds in ``theirs``, record by record."""
        self.assertEqual(len(ours), len(theirs))
        for mine, odoo in zip(self._columns(ours, skip), self._columns(theirs, skip), strict=True):
            for name, value in mine.items():
                self.assertEqual(value, odoo[name], f"{ours._name}.{name}")

    def _made_both_ways(self, vals_list):
        inserted = self.generator._demo_insert_partners(copy.deepcopy(vals_list))
        created = self.generator.env["res.partner"].create(copy.deepcopy(vals_list))
        self.env.flush_all()
        self.env.invalidate_all()
        return inserted, created

    def _log(self, partners):
        rows = self.env["clientbase.change.log"].sudo().search([("partner_id", "in", partners.ids)])
        by_partner = {}
        for row in rows:
            key = partners.ids.index(row.partner_id.id)
            by_partner.setdefault(key, set()).add(
                tuple(row[name] for name in ("field_name", "old_value", "new_value") if name in row._fields)
            )
        return by_partner

    def test_inserted_clients_are_what_create_stores(self):
        kinds = {
            "person": lambda v: not v.get("is_company") and not v.get("client_mailing_only"),
            "company with key employees": lambda v: v.get("child_ids"),
            "mailing-only": lambda v: v.get("client_mailing_only"),
        }
        for kind, test in kinds.items():
            self.assertTrue([v for v in self.plain if test(v)], f"the plan has a {kind}")
        referrer = self.generator.env["res.partner"].create({"name": "Рекомендатель", "customer_rank": 1})
        referred = [dict(vals, client_referrer_id=referrer.id) for vals in self.referred]
        inserted, created = self._made_both_ways(self.plain + referred)
        self._assert_same(inserted, created)
        inserted_contacts = inserted.child_ids.sorted("id")
        created_contacts = created.child_ids.sorted("id")
        self.assertTrue(inserted_contacts)
        self._assert_same(inserted_contacts, created_contacts)
        for ours, theirs in zip(inserted, created, strict=True):
            self.assertEqual(ours.commercial_partner_id, ours)
            self.assertEqual(len(ours.child_ids), len(theirs.child_ids), ours.name)
            for contact in ours.child_ids:
                self.assertEqual(contact.commercial_partner_id, ours)
                # the company's address and industry synchronised into its key employee
                self.assertEqual((contact.city, contact.industry_id), (ours.city, ours.industry_id))
        # the cards: every column, the interests, the decision maker's flag and birthdays
        for mine, odoo in ((inserted, created), (inserted_contacts, created_contacts)):
            cards = [partner.sudo().client_card_ids for partner in mine]
            their_cards = [partner.sudo().client_card_ids for partner in odoo]
            self.assertEqual([len(c) for c in cards], [len(c) for c in their_cards])
            self.assertTrue(any(cards))
            skip = UNCOMPARED | {"partner_id"}
            for card, their_card in zip(cards, their_cards, strict=True):
                self._assert_same(card, their_card, skip)
            self.assertEqual(
                [card.interest_ids for card in cards], [card.interest_ids for card in their_cards]
            )
        # the change log of the values given, partner by partner
        everyone, their_everyone = inserted | inserted_contacts, created | created_contacts
        self.assertTrue(self._log(everyone))
        self.assertEqual(self._log(everyone), self._log(their_everyone))
