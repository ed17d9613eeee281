from odoo import api, fields, models

from ...segmentation import members


class _LinkKeptByTriggers(fields.Many2one):
    """A many2one without the foreign key the ORM would put on its column: the membership
    rows of a deleted partner or segment are deleted by statement triggers instead
    (``segmentation.members.install_cascade``), and writing a row checks nothing per row."""

    def update_db_foreign_key(self, model, column):
        return


class ClientbaseSegmentMember(models.Model):
    """One client in one user-defined segment.

    Membership says something about the client (its purchases, its segments),
    so it is a model of its own behind the ownership rules, not a bare relation
    table: ``res.partner.client_segment_ids``, ``clientbase.segment.partner_ids``
    and the segment's count read it under the current user's rights. The
    segment recompute writes it set-based (``clientbase.segment._refresh_members``).

    No foreign key: the refresh writes several rows per client (a first run on a million
    clients, millions of rows), and the two checks per row cost more than the rows. The rows of
    a deleted partner or segment go with it by statement triggers (``ondelete`` says what they
    do), whatever deletes it: the ORM, a merge, SQL.
    """

    _name = "clientbase.segment.member"
    _description = "Client Segment Membership"
    _log_access = False
    _rec_name = "partner_id"

    # no index of its own: the unique (segment, client) index serves the searches by segment,
    # and one index less is a fifth less work for each membership row written
    segment_id = _LinkKeptByTriggers("clientbase.segment", required=True, ondelete="cascade")
    partner_id = _LinkKeptByTriggers(
        "res.partner", string="Client", required=True, ondelete="cascade", index=True
    )
    # when the refresh added the client: a client who left and comes back gets a new row (a new
    # id), so the rows are the segment's entries, read by the journeys' trigger "enters a segment"
    date = fields.Datetime(string="Member Since", readonly=True, default=fields.Datetime.now)

    _sql_constraints = [
        ("segment_partner_uniq", "UNIQUE(segment_id, partner_id)", "A client is in a segment once."),
    ]

    def init(self):
        # the index of earlier versions, redundant with the unique one
        self.env.cr.execute("DROP INDEX IF EXISTS clientbase_segment_member__segment_id_index")
        # the foreign keys of earlier versions give way to the cascading triggers
        members.drop_foreign_keys(self.env.cr)
        members.install_cascade(self.env.cr)

    @api.model
    def _get_visible(self, key, ids):
        """{id: [ids of the other side]} of the memberships of ``ids`` (``key``: "segment_id"
        or "partner_id") that the current user may read."""
        other = "partner_id" if key == "segment_id" else "segment_id"
        result = {}
        ids = [id_ for id_ in ids if id_]
        if ids and self.has_access("read"):
            for member in self.search([(key, "in", ids)]):
                result.setdefault(member[key].id, []).append(member[other].id)
        return result
