from unittest.mock import patch

import psycopg2
from freezegun import freeze_time

from odoo.osv.expression import AND
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..segmentation import members
from ..tools.client_definition import audience_domain
from .common import ClientbaseSalesCommon


@tagged("post_install", "-at_install", "clientbase_segment")
@freeze_time("2026-03-10 10:00:00")
class TestSegmentMemberIntegrity(ClientbaseSalesCommon):
    """The memberships of the user-defined segments have no foreign key (writing them checks
    nothing per row): whatever deletes a client or a segment takes its membership rows along
    in the same transaction, and the segment's and the client's lists still read them under
    the record rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Segment = cls.env["clientbase.segment"]
        cls.segments = cls.Segment.create(
            [
                # computed in one pass over the partners and their figures
                {"name": "Everyone", "domain": "[]"},
                {"name": "Bought", "domain": "[('client_order_count', '>', 0)]"},
                # the general path: another model's rows
                {"name": "With contacts", "domain": "[('child_ids', '!=', False)]"},
            ]
        )
        cls.kept = cls._client("Kept LLC", user_id=cls.user_salesman.id, email="kept@example.com")
        cls.gone = cls._client("Gone LLC", user_id=cls.user_salesman.id, email="gone@example.com")
        cls.other = cls._client("Other LLC", user_id=cls.user_salesman_2.id)
        cls.Partner.create({"name": "Kept contact", "parent_id": cls.kept.id})
        cls.Partner.create({"name": "Gone contact", "parent_id": cls.gone.id})
        cls._order(cls.kept, 100.0, days_ago=3)
        cls._order(cls.other, 200.0, days_ago=3)

    def setUp(self):
        super().setUp()
        self._recompute(full=True)

    def _rows(self, **where):
        """(segment, client) of the stored memberships (``where``: column = value)."""
        self.env.flush_all()
        condition = " AND ".join(f"{column} = %s" for column in where) or "TRUE"
        self.env.cr.execute(
            f"SELECT segment_id, partner_id FROM clientbase_segment_member WHERE {condition} ORDER BY 1, 2",
            list(where.values()),
        )
        return self.env.cr.fetchall()

    def _orphans(self):
        """Membership rows whose client or segment does not exist."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT m.segment_id, m.partner_id FROM clientbase_segment_member m
             WHERE NOT EXISTS (SELECT 1 FROM res_partner p WHERE p.id = m.partner_id)
                OR NOT EXISTS (SELECT 1 FROM clientbase_segment s WHERE s.id = m.segment_id)
            """
        )
        return self.env.cr.fetchall()

    def _expected(self, segments=None):
        expected = []
        for segment in segments or self.Segment.search([("active", "=", True)]):
            found = (
                self.env["res.partner"]
                .with_company(segment.company_id)
                .search(AND([audience_domain(), segment._get_domain()]))
            )
            expected += [(segment.id, partner_id) for partner_id in found.ids]
        return sorted(expected)

    def test_the_table_has_no_foreign_key(self):
        """The storage this speed rests on (and an earlier version's keys dropped by the update)."""
        self.env.cr.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'clientbase_segment_member'::regclass"
            " AND contype = 'f'"
        )
        self.assertEqual(self.env.cr.fetchall(), [])
        self.assertEqual(self._rows(), self._expected(), "the first fill is the ORM's members")

    def test_a_deleted_client_takes_its_memberships(self):
        everyone, _bought, with_contacts = self.segments
        self.assertEqual(
            {row[0] for row in self._rows(partner_id=self.gone.id)} & set(self.segments.ids),
            {everyone.id, with_contacts.id},
        )
        self.gone.child_ids.unlink()
        self.gone.unlink()
        self.assertEqual(self._rows(partner_id=self.gone.id), [])
        self.assertEqual(self._orphans(), [])
        self.assertTrue(self._rows(partner_id=self.kept.id), "the others' rows stay")
        # by SQL, and several in one statement
        contact = self.Partner.create({"name": "Passer-by"})
        self.segments._refresh_members()
        self.assertTrue(self._rows(partner_id=contact.id))
        self.env.cr.execute("DELETE FROM res_partner WHERE id IN %s", [(contact.id,)])
        self.assertEqual(self._orphans(), [])
        # the refresh after that writes nothing: the rows already follow the base
        self.env.invalidate_all()
        self.assertEqual(self.segments._refresh_members(), (0, 0))

    def test_merged_clients_leave_no_membership_behind(self):
        self.assertTrue(self._rows(partner_id=self.gone.id))
        self.env["base.partner.merge.automatic.wizard"]._merge((self.kept | self.gone).ids, self.kept)
        self.assertFalse(self.gone.exists())
        self.assertEqual(self._rows(partner_id=self.gone.id), [])
        self.assertEqual(self._orphans(), [])
        # the kept client's memberships are its own data's at the next refresh
        self._recompute()
        self.assertEqual(self._rows(), self._expected())

    def test_a_forgotten_client_keeps_consistent_memberships(self):
        self.gone.with_user(self.user_manager)._client_forget()
        self.assertEqual(self._orphans(), [])
        self._recompute()
        self.assertEqual(self._orphans(), [])
        self.assertEqual(self._rows(), self._expected())

    def test_a_deleted_segment_takes_its_memberships(self):
        everyone, bought = self.segments[0], self.segments[1]
        self.assertTrue(self._rows(segment_id=everyone.id))
        everyone.unlink()
        self.assertEqual(self._rows(segment_id=everyone.id), [])
        self.assertEqual(self._orphans(), [])
        self.env.cr.execute("DELETE FROM clientbase_segment WHERE id = %s", [bought.id])
        self.assertEqual(self._rows(segment_id=bought.id), [])
        self.assertEqual(self._orphans(), [])

    def test_a_new_segment_is_filled_beside_the_others(self):
        """A segment without rows is filled whole (one plain insert), its neighbours in the same
        statement get the difference; once filled, it gets the difference too."""
        new = self.Segment.create({"name": "Nobody bought", "domain": "[('client_order_count', '=', 0)]"})
        filled = []
        real = members._fill_empty

        def spy(cr, segment_ids, rows, **kwargs):
            result = real(cr, segment_ids, rows, **kwargs)
            filled.append(result[0])
            return result

        with patch.object(members, "_fill_empty", spy):
            deleted, inserted = (self.segments | new)._refresh_members()
            self.assertEqual(set().union(*filled), set(new.ids))
            self.assertFalse(deleted)
            self.assertTrue(self._rows(segment_id=new.id))
            self.assertEqual(inserted, len(self._rows(segment_id=new.id)))
            self.assertEqual(self._rows(), self._expected())
            filled.clear()
            self.assertEqual((self.segments | new)._refresh_members(), (0, 0))
            self.assertEqual(set().union(*filled), set(), "filled once")

    def _indexes(self):
        """{name: definition} of the membership table's indexes, and its constraints."""
        self.env.cr.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'clientbase_segment_member'"
        )
        indexes = dict(self.env.cr.fetchall())
        self.env.cr.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'clientbase_segment_member'::regclass"
        )
        return indexes, dict(self.env.cr.fetchall())

    def test_a_first_fill_of_a_big_base_writes_without_indexes_then_builds_them(self):
        """The first night of a big base (no membership yet) writes the rows with the table's
        secondary indexes dropped, then builds them again: the same rows as a fill with them, the
        same indexes and constraints after, the uniqueness still enforced, the next refresh a
        difference again."""
        expected = self._rows()
        self.assertEqual(expected, self._expected())
        schema = self._indexes()
        self.assertIn("clientbase_segment_member_segment_partner_uniq", schema[1])
        self.env.cr.execute("DELETE FROM clientbase_segment_member")
        dropped = []
        real = members._fill_empty

        def spy(cr, segment_ids, rows, **kwargs):
            dropped.append(len(self._indexes()[0]))
            return real(cr, segment_ids, rows, **kwargs)

        segments = self.Segment.search([("active", "=", True)])
        with patch.object(members, "BULK_FILL_FROM", 0), patch.object(members, "_fill_empty", spy):
            deleted, inserted = segments._refresh_members()
        self.assertGreaterEqual(len(dropped), 2, "one pass and the general path")
        self.assertEqual(set(dropped), {1}, "every fill with the primary key alone")
        self.assertEqual((deleted, inserted), (0, len(expected)))
        self.assertEqual(self._rows(), expected)
        self.assertEqual(self._indexes(), schema, "the same indexes and constraints again")
        with self.assertRaises(psycopg2.errors.UniqueViolation), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    "INSERT INTO clientbase_segment_member (segment_id, partner_id) VALUES (%s, %s)",
                    list(expected[0]),
                )
        # not empty any more: a difference, with the indexes
        dropped.clear()
        with patch.object(members, "BULK_FILL_FROM", 0), patch.object(members, "_fill_empty", spy):
            self.assertEqual(segments._refresh_members(), (0, 0))
        self.assertEqual(set(dropped), {3})
        self.assertEqual(self._indexes(), schema)

    def test_the_lists_read_the_memberships_under_the_rules(self):
        everyone = self.segments[0].with_user(self.user_salesman)
        visible = everyone.partner_ids
        self.assertIn(self.kept, visible)
        self.assertIn(self.gone, visible)
        self.assertNotIn(self.other, visible, "a colleague's client is not listed")
        self.assertEqual(everyone.partner_count, len(visible))
        self.assertIn(self.segments[0], self.kept.with_user(self.user_salesman).client_segment_ids)
        self.gone.child_ids.unlink()
        self.gone.unlink()
        everyone.invalidate_recordset()
        self.assertEqual(everyone.partner_count, len(visible) - 1)
        found = (
            self.env["res.partner"]
            .with_user(self.user_salesman)
            .search([("client_segment_ids", "in", everyone.ids)])
        )
        self.assertEqual(set(found.ids), set(everyone.partner_ids.ids))
        self.assertNotIn(self.gone.id, found.ids)
