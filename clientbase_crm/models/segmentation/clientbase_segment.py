import ast
import contextlib
import logging
import math
import time
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.osv.expression import AND
from odoo.tools import SQL, split_every

from ...segmentation import engine, members, one_pass
from ...tools.client_definition import audience_domain
from ...tools.domain_access import unreadable_paths
from .res_partner_segment import PARTNER_DEFAULT_FIELDS, SAID_OF_FOREIGN

_logger = logging.getLogger(__name__)
# segments whose members one statement computes (the temporary table of a batch holds them)
REFRESH_BATCH_SIZE = 25
# a nightly refresh noting more than this share of the partners refreshes every segment whole
INCREMENTAL_MAX_SHARE = 0.2
REFRESH_SCOPES = [("changed", "Changed clients"), ("whole", "Whole base")]
# what a change of asks for a whole refresh of the segment
MEMBERS_INPUTS = ("domain", "company_id", "active")


def said_values_in(model, domain):
    """Labels of the values of ``domain`` (on ``model``, a ``res.partner``) that only say whose
    a partner is (``SAID_OF_FOREIGN``), on the partners' stage or warmth at the end of any path
    and in the sub-domains of ``any`` / ``not any``."""
    found = []
    for leaf in expression.normalize_domain(domain):
        if not isinstance(leaf, (list, tuple)) or len(leaf) != 3 or not isinstance(leaf[0], str):
            continue
        path, operator, value = leaf
        target, field = model, None
        for part in path.split("."):
            field = target._fields.get(part)
            if field is None:
                break
            if field.relational:
                target = target.env[field.comodel_name]
        if field is None:
            continue  # not a field: the ORM refuses the domain itself
        if operator in ("any", "not any") and isinstance(value, list):
            found.extend(said_values_in(target, value))
        elif field.model_name == "res.partner" and field.name in PARTNER_DEFAULT_FIELDS:
            values = value if isinstance(value, (list, tuple)) else [value]
            labels = dict(field._description_selection(model.env))
            found.extend(labels[v] for v in values if v in SAID_OF_FOREIGN)
    return found


class ClientbaseSegment(models.Model):
    """A group of clients defined by a user with a domain on res.partner.

    Membership is stored in ``clientbase.segment.member`` (behind the ownership
    rules) and refreshed set-based by the segment recompute: the domain becomes a
    subquery through ``_search`` and the difference with the stored members is written
    (``segmentation.members``). The nightly refresh compares only the clients whose data
    changed for a segment that reads only the client's own columns and its figures
    (``refresh_scope``), the whole base for the others.
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
    refresh_scope = fields.Selection(
        REFRESH_SCOPES,
        string="Nightly Refresh Compares",
        compute="_compute_refresh_scope",
        help="Changed clients: the conditions read only the client's own fields (the last contact "
        "included) and the figures the nightly run computes (orders, revenue, days since the last order, "
        "stage, warmth, RFM, ABC, VIP, persona), so the nightly refresh compares only the clients whose "
        "data changed (and those whose days since the last order or contact crossed a number of the "
        "conditions), in a fraction of a second. Whole base: the conditions read something else "
        "(contacts, the interactions themselves, tags, an overdue purchase or another comparison with "
        "today's date, the forecast or the margin), so every client is compared every night.",
    )
    domain_author_id = fields.Many2one(
        "res.users",
        string="Conditions Set By",
        readonly=True,
        ondelete="set null",
        help="The user who last set the conditions: the segment may filter only on what this user "
        "may read, when it is saved and every time it is refreshed.",
    )

    @api.depends("domain")
    def _compute_refresh_scope(self):
        Partner = self.env["res.partner"]
        for segment in self:
            try:
                domain = segment._get_domain()
                changed = members.reads_only_noted(Partner, domain)
            except (ValueError, SyntaxError, TypeError):
                changed = False
            segment.refresh_scope = "changed" if changed else "whole"

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
            said = segment._get_said_conditions()
            if said:
                raise ValidationError(
                    self.env._(
                        "The conditions of segment %(name)s select on “%(value)s”: that is what a "
                        "salesperson is shown of a client he may not read, no client has it. Select on "
                        "the clients' own values (another manager's clients: by their salesperson).",
                        name=segment.name,
                        value=said[0],
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
        if any(name in vals for name in MEMBERS_INPUTS):
            # the stored members are the former conditions': the next refresh compares every client
            vals = dict(vals, last_refresh=False)
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

    def _get_said_conditions(self):
        """The labels of the values the segment's conditions select on that are only said of
        partners a user may not read ("Handled by colleagues", "Unassigned"): a segment is
        computed for the whole base, where no client has them (``res_partner_segment.py``)."""
        self.ensure_one()
        try:
            domain = self._get_domain()
        except (ValueError, SyntaxError):
            return []  # not a domain: _check_domain says so
        return said_values_in(self.env["res.partner"], domain)

    def _get_domain(self):
        self.ensure_one()
        domain = ast.literal_eval(self.domain or "[]")
        if not isinstance(domain, list):
            raise ValueError(self.env._("a domain is a list of conditions"))
        return domain

    def _get_member_query(self, scope=()):
        """Subquery of the ids of the partners matching the segment's domain (and ``scope``,
        a domain restricting the partners compared)."""
        self.ensure_one()
        partners = self.env["res.partner"].sudo().with_company(self.company_id)
        return partners._search(AND([audience_domain(), self._get_domain(), list(scope)])).subselect()

    def _get_one_pass_conditions(self):
        """Which of these segments one pass over the partners computes
        (``segmentation.one_pass``): their conditions read only the partner's own columns and
        its figures.

        :return: ``({company: {segment id: SQL condition}}, the other segments)``
        """
        by_company = {}
        general = self.browse()
        for segment in self:
            partners = self.env["res.partner"].sudo().with_company(segment.company_id)
            try:
                condition = one_pass.condition(partners, segment._get_domain())
            except (ValueError, SyntaxError, TypeError, UserError):
                condition = None  # the general path says what is wrong, as before
            if condition is None:
                general |= segment
            else:
                by_company.setdefault(segment.company_id, {})[segment.id] = condition
        return by_company, general

    def _refresh_members(self):
        """Refresh the members of these segments whole (the *Refresh Members* button, a
        segment whose conditions changed): see :meth:`_refresh_member_rows`."""
        return self._refresh_member_rows()

    @api.model
    def _refresh_all_members(self):
        """The nightly refresh of every active segment: the partners noted since the last one
        are taken (``segmentation.members.take_notes``); a segment that reads only what the
        notes cover is refreshed for those partners only, the others whole.

        :return: ``(deleted, inserted)`` membership rows
        """
        started = fields.Datetime.now()
        self.env.flush_all()
        segments = self.sudo().search([("active", "=", True)])
        noted, whole = self._take_notes()
        if not whole:
            # more than a share of the base changed: a whole refresh reads it once, faster
            self.env.cr.execute("SELECT reltuples FROM pg_class WHERE relname = 'res_partner'")
            whole = noted > max(self.env.cr.fetchone()[0] * INCREMENTAL_MAX_SHARE, 1000)
        incremental = self.browse()
        if not whole:
            incremental = segments.filtered(lambda s: s.last_refresh and s.refresh_scope == "changed")
        dated = incremental.filtered(lambda s: members.dated_thresholds(s._get_domain()))
        result = (segments - incremental)._refresh_member_rows()
        # the noted partners; then, for the segments on the days since the last order, those
        # whose days crossed their numbers too
        for scoped_segments in (incremental - dated, dated):
            if scoped_segments == dated:
                noted += dated._take_dated()
            if noted:
                scoped = scoped_segments._refresh_member_rows(scoped=True)
                result = (result[0] + scoped[0], result[1] + scoped[1])
            elif scoped_segments:
                # nothing noted: their members are current
                scoped_segments._mark_refreshed(started)
        return result

    @api.model
    def _take_notes(self):
        """Take the partners noted since the last refresh into a temporary table
        (``segmentation.members.take_notes``, read with ``members.in_taken()``): the one place the
        notes are consumed, so what else follows the figures of the noted partners (the loyalty
        levels) extends it and reads them before the segments do.

        :return: ``(number of partners, whole)``"""
        return members.take_notes(self.env.cr)

    def _take_dated(self):
        """Take, beside the noted partners, those whose days since a date (of their figures:
        the last order; of their own row: the last contact) crossed a number of days these
        segments' conditions compare it with, since each segment's last refresh
        (``segmentation.members.take_dated``): a day more moves them, nothing else. A condition
        ``days <= N`` holds on day ``D`` for a last order on or after ``D - N``: between the day
        of the last refresh ``S`` (when it started: the day it counted from is that one or
        later) and today ``T``, it changes only for a last order between ``S - N`` and
        ``T - N``; the same for the other comparisons. The window is a day wider on each side:
        a condition may count the days in the user's time zone, a day off UTC's (a client taken
        more is only compared once more). Refreshed today: nobody.

        :return: the number of partners taken
        """
        today = fields.Date.today()
        windows = set()
        for segment in self:
            since = fields.Datetime.to_datetime(segment.last_refresh).date()
            if since >= today:
                continue
            for column, numbers in members.dated_thresholds(segment._get_domain()).items():
                for days in numbers:
                    first = since - timedelta(days=math.ceil(days) + 1)
                    windows.add((column, first, today - timedelta(days=math.floor(days) - 1)))
        return members.take_dated(self.env.cr, sorted(windows))

    def _refresh_member_rows(self, scoped=False):
        """Only the difference is written (``segmentation.members.refresh``): members that left
        are deleted, new ones inserted, unchanged memberships are not touched; one statement
        computes the members of a batch of segments, one deletes, one inserts. With
        ``scoped``, only the partners taken from the notes are compared.

        :return: ``(deleted, inserted)`` membership rows
        """
        start = time.time()
        started = fields.Datetime.now()
        self.env.flush_all()
        cr = self.env.cr
        refused = self.filtered(
            lambda s: s.active and s.sudo()._get_unreadable_paths(s.sudo()._get_domain_author())
        )
        for segment in refused:
            # the author lost the right to read what the conditions filter on: no members, rather
            # than members chosen by data the author may not read (and a whole refresh once the
            # author may read them again)
            _logger.warning("Client segment %s: its author may no longer read its conditions", segment.id)
            cr.execute(SQL("DELETE FROM clientbase_segment_member WHERE segment_id = %s", segment.id))
        if refused:
            refused.sudo().write({"last_refresh": False})
        deleted = inserted = 0
        active = self.filtered("active") - refused
        one_pass_conditions, general = active._get_one_pass_conditions()
        # a first fill of a big base writes without the table's secondary indexes (members.bulk_fill)
        filling = not scoped and (one_pass_conditions or general)
        with members.bulk_fill(cr) if filling else contextlib.nullcontext(False) as all_empty:
            for company, conditions in one_pass_conditions.items():
                # one pass over the partners and their figures for every such segment of the company
                partners = self.env["res.partner"].sudo().with_company(company)
                scope = members.in_taken() if scoped else None

                def rows(ordered, ids, partners=partners, conditions=conditions, scope=scope):
                    some = {segment_id: conditions[segment_id] for segment_id in ids}
                    return one_pass.members_select(partners, some, scope=scope, ordered=ordered)

                pass_deleted, pass_inserted = members.refresh(
                    cr, dict.fromkeys(conditions), scoped=scoped, rows=rows, all_empty=all_empty
                )
                deleted += pass_deleted
                inserted += pass_inserted
            for batch in split_every(REFRESH_BATCH_SIZE, general.ids, self.browse):
                scope = [("id", "in", members.in_taken())] if scoped else []
                queries = {segment.id: segment._get_member_query(scope) for segment in batch}
                batch_deleted, batch_inserted = members.refresh(
                    cr, queries, scoped=scoped, all_empty=all_empty
                )
                deleted += batch_deleted
                inserted += batch_inserted
        active._mark_refreshed(started)
        inactive = self.filtered(lambda s: not s.active)
        if inactive:
            cr.execute(SQL("DELETE FROM clientbase_segment_member WHERE segment_id = ANY(%s)", inactive.ids))
            deleted += cr.rowcount
        members.analyze_if_moved(cr, deleted + inserted)
        self.env["res.partner"].invalidate_model(["client_segment_ids"])
        self.env["clientbase.segment.member"].invalidate_model()
        self.invalidate_recordset(["member_ids", "partner_ids", "partner_count"])
        engine.log_duration(
            "Client segments: members refreshed" + (" for the changed clients" if scoped else ""),
            start,
            segments=len(self),
            deleted=deleted,
            inserted=inserted,
        )
        return deleted, inserted

    def _mark_refreshed(self, started):
        """The refresh date, in SQL: no write() side effects (it would ask for a whole refresh).
        The moment the refresh started: the day its conditions counted the days from is that
        one or later (``_take_dated``)."""
        if self:
            self.env.cr.execute(
                SQL(
                    "UPDATE clientbase_segment SET last_refresh = %s WHERE id = ANY(%s)",
                    started,
                    self.ids,
                )
            )
            self.invalidate_recordset(["last_refresh"])

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
