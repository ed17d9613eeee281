import ast
import logging
import time

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv.expression import AND
from odoo.tools import SQL

from ...segmentation import engine
from ...tools.client_definition import audience_domain
from ...tools.domain_access import unreadable_paths

_logger = logging.getLogger(__name__)


class ClientbaseSegment(models.Model):
    """A group of clients defined by a user with a domain on res.partner.

    Membership is stored in ``clientbase.segment.member`` (behind the ownership
    rules) and refreshed set-based by the segment recompute: the domain becomes a
    subquery through ``_search`` and feeds one DELETE and one INSERT ... SELECT.
    """

    _name = "clientbase.segment"
    _description = "Client Segment"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    description = fields.Text()
    domain = fields.Char(
        required=True,
        default="[]",
        help="Clients matching these conditions belong to the segment (evaluated in the segment's company).",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        help="Figures and segments of this company are used to evaluate the conditions.",
    )
    member_ids = fields.One2many("clientbase.segment.member", "segment_id", string="Members", readonly=True)
    partner_ids = fields.Many2many(
        "res.partner", string="Clients", compute="_compute_partner_ids", search="_search_partner_ids"
    )
    partner_count = fields.Integer(string="Clients Count", compute="_compute_partner_count")
    last_refresh = fields.Datetime(string="Refreshed On", readonly=True)
    domain_author_id = fields.Many2one(
        "res.users",
        string="Conditions Set By",
        readonly=True,
        ondelete="set null",
        help="The user who last set the conditions: the segment may filter only on what this user "
        "may read, when it is saved and every time it is refreshed.",
    )

    @api.depends_context("uid")
    def _compute_partner_ids(self):
        """The members the current user may see (the membership's record rules)."""
        members = self.env["clientbase.segment.member"]._get_visible("segment_id", self._origin._ids)
        for segment in self:
            partner_ids = members.get(segment._origin.id, [])
            segment.partner_ids = [fields.Command.set(partner_ids)]

    @api.depends_context("uid")
    def _compute_partner_count(self):
        """How many members the current user may see, counted by the database (a list of
        segments does not load their members)."""
        Member = self.env["clientbase.segment.member"]
        ids = [id_ for id_ in self._origin._ids if id_]
        counts = {}
        if ids and Member.has_access("read"):
            counts = {
                segment.id: count
                for segment, count in Member._read_group(
                    [("segment_id", "in", ids)], ["segment_id"], ["__count"]
                )
            }
        for segment in self:
            segment.partner_count = counts.get(segment._origin.id, 0)

    def _search_partner_ids(self, operator, value):
        return [("member_ids", "any", [("partner_id", operator, value)])]

    @api.constrains("domain")
    def _check_domain(self):
        for segment in self:
            unreadable = segment._get_unreadable_paths(segment._get_domain_author())
            if unreadable:
                raise ValidationError(
                    self.env._(
                        "The conditions of segment %(name)s filter on data you may not read: %(fields)s.",
                        name=segment.name,
                        fields=", ".join(unreadable),
                    )
                )
            try:
                segment._get_member_query()
            except Exception as error:
                raise ValidationError(
                    self.env._(
                        "The conditions of segment %(name)s are not valid: %(error)s",
                        name=segment.name,
                        error=error,
                    )
                ) from error

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            vals_list = [dict(vals, domain_author_id=self.env.uid) for vals in vals_list]
        return super().create(vals_list)

    def write(self, vals):
        if "domain" in vals and not self.env.su:
            vals = dict(vals, domain_author_id=self.env.uid)
        return super().write(vals)

    def _get_domain_author(self):
        """Whose rights the conditions are evaluated with: the user who last set them; for a
        segment saved before authors were kept, the user who last changed it (none when that
        was code running as superuser)."""
        self.ensure_one()
        if self.domain_author_id:
            return self.domain_author_id
        return self.write_uid if self.write_uid.id != SUPERUSER_ID else self.env["res.users"]

    def _get_unreadable_paths(self, author):
        """The fields of the segment's conditions that ``author`` may not read (none for a
        segment set by code: data files, the superuser)."""
        self.ensure_one()
        if not author:
            return []
        try:
            domain = self._get_domain()
        except (ValueError, SyntaxError):
            return []  # not a domain: _check_domain says so
        env = self.env(user=author, su=False)
        return unreadable_paths(env, "res.partner", domain)

    def _get_domain(self):
        self.ensure_one()
        domain = ast.literal_eval(self.domain or "[]")
        if not isinstance(domain, list):
            raise ValueError(self.env._("a domain is a list of conditions"))
        return domain

    def _get_member_query(self):
        """Subquery of the ids of the partners matching the segment's domain."""
        self.ensure_one()
        partners = self.env["res.partner"].sudo().with_company(self.company_id)
        return partners._search(AND([audience_domain(), self._get_domain()])).subselect()

    def _refresh_members(self):
        """Only the difference is written: members that left are deleted, new ones
        inserted, unchanged memberships are not touched. Per segment, one statement
        compares the domain's partners with the stored members (a full join, which
        PostgreSQL may compute with parallel workers) into a temporary table of the
        differences, usually small, that the DELETE and the INSERT then read
        (``NOT IN (subquery)`` degrades to a quadratic plan on large bases)."""
        start = time.time()
        self.env.flush_all()
        cr = self.env.cr
        refused = self.filtered(
            lambda s: s.active and s.sudo()._get_unreadable_paths(s.sudo()._get_domain_author())
        )
        for segment in refused:
            # the author lost the right to read what the conditions filter on: no members, rather
            # than members chosen by data the author may not read
            _logger.warning("Client segment %s: its author may no longer read its conditions", segment.id)
            cr.execute(SQL("DELETE FROM clientbase_segment_member WHERE segment_id = %s", segment.id))
        for segment in self.filtered("active") - refused:
            cr.execute("DROP TABLE IF EXISTS clientbase_segment_diff")
            cr.execute(
                SQL(
                    """
                    CREATE TEMP TABLE clientbase_segment_diff AS
                    SELECT m.id AS added, r.partner_id AS removed
                      FROM %(members)s AS m(id)
                      FULL JOIN (SELECT partner_id FROM clientbase_segment_member
                                  WHERE segment_id = %(segment)s) r ON r.partner_id = m.id
                     WHERE m.id IS NULL OR r.partner_id IS NULL
                    """,
                    members=segment._get_member_query(),
                    segment=segment.id,
                )
            )
            cr.execute(
                SQL(
                    "DELETE FROM clientbase_segment_member r"
                    " USING clientbase_segment_diff d"
                    " WHERE r.segment_id = %(segment)s AND r.partner_id = d.removed",
                    segment=segment.id,
                )
            )
            cr.execute(
                SQL(
                    "INSERT INTO clientbase_segment_member (segment_id, partner_id, date)"
                    " SELECT %(segment)s, d.added, %(now)s FROM clientbase_segment_diff d WHERE d.added IS NOT NULL"
                    " ON CONFLICT DO NOTHING",
                    segment=segment.id,
                    now=fields.Datetime.now(),
                )
            )
            cr.execute("DROP TABLE clientbase_segment_diff")
        self.filtered("active").write({"last_refresh": fields.Datetime.now()})
        inactive = self.filtered(lambda s: not s.active)
        if inactive:
            cr.execute(SQL("DELETE FROM clientbase_segment_member WHERE segment_id = ANY(%s)", inactive.ids))
        self.env["res.partner"].invalidate_model(["client_segment_ids"])
        self.env["clientbase.segment.member"].invalidate_model()
        self.invalidate_recordset(["member_ids", "partner_ids", "partner_count"])
        engine.log_duration("Client segments: members refreshed", start, segments=len(self))

    def action_refresh(self):
        self._refresh_members()
        return True

    def action_open_clients(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("clientbase_crm.res_partner_action_clients")
        action["domain"] = [("client_segment_ids", "in", self.ids)]
        action["context"] = {"default_is_company": True}
        action["display_name"] = self.name
        return action
