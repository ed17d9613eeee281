"""The nightly enrolment: the events since a journey's high-water marks, in one statement per journey.

An event is taken once: each member row carries its event's key, unique per journey and
client (``ON CONFLICT DO NOTHING``), and the marks move past the events taken, so a rerun
enrols nobody twice and a missed day is caught up by the next run (its window starts at the
mark, not at yesterday).
"""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ...tools import sql_planning
from ...tools.client_definition import client_domain
from ...tools.domain_access import unreadable_paths
from .clientbase_journey import HISTORY_TABLE

_logger = logging.getLogger(__name__)

# triggers on the client's own data (one for all companies), not on a company's records of him
PARTNER_TRIGGERS = ("date_field", "birthday", "consent")
# rows new to a table since its statistics after which a run analyzes it first
ANALYZE_AFTER_ROWS = 5000


def _bucket(journey_id):
    """SQL of a stable random share 0..99 of (journey, client ``cand.partner_id``): the same
    client always falls on the same side of a journey's holdout, and on independent sides of
    two journeys."""
    return SQL(
        "mod((('x' || substr(md5(%s || ':' || cand.partner_id::text), 1, 8))::bit(32)::bigint & 2147483647), 100)",
        str(journey_id),
    )


class ClientbaseJourney(models.Model):
    _inherit = "clientbase.journey"

    preview_count = fields.Integer(
        string="Would Enter Today",
        compute="_compute_preview_count",
        help="Clients who would enter if it ran now.",
    )

    # --- the events of each trigger ---------------------------------------------------------
    def _event_query(self, last_id, today):
        """SQL of ``(partner_id, event_key, event_date)`` for the journey's events in its window:
        rows of the history (consents, memberships of user-defined segments) with
        ``watermark_id < id <= last_id``, dates in ``(watermark_date, today]``. ``event_date``
        is when the reason to enter arose, where an order since then makes it stale (NULL: never)."""
        self.ensure_one()
        since_id, since = self.watermark_id or 0, self.watermark_date or today
        trigger = self.trigger
        history = SQL(
            "FROM clientbase_segment_history h WHERE h.id > %s AND h.id <= %s AND h.company_id = %s"
            " AND h.old_value IS DISTINCT FROM h.new_value",
            since_id,
            last_id,
            self.company_id.id,
        )
        if trigger == "segment":
            return SQL(
                "SELECT h.partner_id, 'h' || h.id, h.date %s AND h.dimension = %s"
                " AND lower(h.new_value) = lower(%s)",
                history,
                self.trigger_dimension,
                self.trigger_value,
            )
        if trigger == "won_back":
            return SQL(
                "SELECT h.partner_id, 'h' || h.id, NULL::timestamp %s AND h.dimension = 'stage'"
                " AND h.old_value IN ('lost', 'inactive') AND h.new_value NOT IN ('lost', 'inactive')",
                history,
            )
        if trigger == "lost":
            reason = SQL("TRUE")
            if self.trigger_churn_reason_id:
                reason = SQL(
                    "EXISTS (SELECT 1 FROM clientbase_client_card c WHERE c.partner_id = h.partner_id"
                    " AND c.churn_reason_id = %s)",
                    self.trigger_churn_reason_id.id,
                )
            return SQL(
                "SELECT h.partner_id, 'h' || h.id, h.date %s AND h.dimension = 'stage'"
                " AND h.new_value = 'lost' AND %s",
                history,
                reason,
            )
        if trigger == "first_order":
            return SQL(
                "SELECT f.partner_id, 'first:' || f.first_order_date, NULL::timestamp"
                " FROM clientbase_client_figures f"
                " WHERE f.company_id = %s AND f.first_order_date > %s AND f.first_order_date <= %s",
                self.company_id.id,
                since,
                today,
            )
        if trigger == "no_second_order":
            return SQL(
                # a second order the figures do not show yet makes the event stale
                "SELECT f.partner_id, 'once:' || f.first_order_date, (f.first_order_date + 1)::timestamp"
                " FROM clientbase_client_figures f"
                " WHERE f.company_id = %s AND f.order_count = 1"
                " AND f.first_order_date + %s > %s AND f.first_order_date + %s <= %s",
                self.company_id.id,
                self.trigger_days,
                since,
                self.trigger_days,
                today,
            )
        if trigger == "birthday":
            # the days of the window, each looking N days ahead: the birthday falls on one of them once
            return SQL(
                """
                SELECT c.partner_id, 'birthday:' || extract(year FROM d.day + %(days)s), NULL::timestamp
                  FROM generate_series(%(since)s::date + 1, %(today)s::date, interval '1 day') AS d(day)
                  JOIN clientbase_client_card c
                    ON c.birthday IS NOT NULL
                   AND to_char(c.birthday, 'MM-DD') = to_char(d.day + %(days)s, 'MM-DD')
                """,
                days=SQL("make_interval(days => %s)", self.trigger_days),
                since=since,
                today=today,
            )
        if trigger == "user_segment":
            # a membership row is one entry: the refresh inserts a new row when a client enters
            # (again), and leaves the rows of those who stay untouched
            # (a segment emptied whole and filled again: the refill is no entry, see
            # clientbase_segment_journey.py)
            return SQL(
                "SELECT sm.partner_id, 'segment:' || sm.id, sm.date FROM clientbase_segment_member sm"
                " WHERE sm.segment_id = %s AND sm.id > %s AND sm.id <= %s",
                self.trigger_segment_id.id,
                max(since_id, self.trigger_segment_id.sudo().journey_baseline_id),
                last_id,
            )
        if trigger == "consent":
            # a consent given whose previous row of the same channel and purpose was not a consent
            return SQL(
                """
                SELECT c.partner_id, 'consent:' || c.id, NULL::timestamp
                  FROM clientbase_consent c
                 WHERE c.id > %(since)s AND c.id <= %(last)s AND c.state = 'given'
                   AND c.date <= %(now)s
                   AND COALESCE((SELECT prev.state FROM clientbase_consent prev
                                  WHERE prev.partner_id = c.partner_id AND prev.channel = c.channel
                                    AND prev.purpose = c.purpose AND prev.id <> c.id
                                    AND (prev.date, prev.id) < (c.date, c.id)
                               ORDER BY prev.date DESC, prev.id DESC LIMIT 1), 'withdrawn') <> 'given'
                """,
                since=since_id,
                last=last_id,
                now=fields.Datetime.now(),
            )
        if trigger == "date_field":
            return self._date_field_event_query(today)
        raise ValueError(trigger)

    def _date_field_event_query(self, today):
        """SQL of the events of "a date field reached": every client whose date is today or
        before, once per value of the date (the event's key is the value). Not a window after
        the last run: a date set to today after the run, or to a day already past, is taken by
        the next run; a rerun or a run after a missed day takes nobody twice (the member rows
        of the journey already carry the key). With *only dates from the day switched on*
        (``trigger_from_activation``), a date before that day is never taken: switching a
        journey on does not send it to every client whose date passed long ago. The field is
        read as the responsible user sees it (his rules: another manager's client has no date)."""
        self.ensure_one()
        fname = self.sudo().trigger_date_field_id.name
        Partner = self.env["res.partner"].with_user(self.user_id).with_company(self.company_id)
        field = Partner._fields[fname]
        # a datetime reached today: before tomorrow's midnight
        bound = [(fname, "<=", today)] if field.type == "date" else [(fname, "<", today + timedelta(days=1))]
        if self.trigger_from_activation and self.activated_on:
            bound.append((fname, ">=", self.activated_on))
        query = Partner._search([(fname, "!=", False)] + bound)
        value = Partner._field_to_sql(query.table, fname, query)
        key = SQL("%s || (%s)::date", f"date:{fname}:", value)
        return SQL(
            """
            SELECT e.partner_id, e.event_key, NULL::timestamp
              FROM (%(select)s) AS e(partner_id, event_key)
             WHERE NOT EXISTS (SELECT 1 FROM clientbase_journey_member m
                                WHERE m.journey_id = %(journey)s AND m.partner_id = e.partner_id
                                  AND m.event_key = e.event_key)
            """,
            select=query.select(SQL.identifier(query.table, "id"), key),
            journey=self._origin.id,  # (the preview of an archived journey runs on a copy)
        )

    def _company_clients_sql(self, alias):
        """SQL condition on the ``res_partner`` alias: a client of the journey's company. A
        client of no company in particular is every company's for the events each company
        records of him (his segments, his orders), but his own data (a date of his card, his
        birthday, his consents) are one: the journey of his salesperson's company takes them,
        the first company's when he has no salesperson, so that one company's journey acts on
        each event."""
        p = SQL.identifier(alias)
        if self.trigger not in PARTNER_TRIGGERS:
            return SQL("(%s.company_id IS NULL OR %s.company_id = %s)", p, p, self.company_id.id)
        return SQL(
            """(%(p)s.company_id = %(company)s OR (%(p)s.company_id IS NULL AND %(company)s = COALESCE(
                   (SELECT u.company_id FROM res_users u WHERE u.id = %(p)s.user_id),
                   (SELECT min(c.id) FROM res_company c))))""",
            p=p,
            company=self.company_id.id,
        )

    def _entry_query(self):
        """SQL subselect of the clients who match the entry conditions, as the responsible user
        sees them (his record rules), never as superuser. None when he may not read a field of them."""
        self.ensure_one()
        if self.company_id not in self.user_id.sudo().company_ids:
            # the responsible user does not work in the journey's company: he may read none of it
            return None
        Partner = self.env["res.partner"].with_user(self.user_id).with_company(self.company_id)
        domain = self._get_entry_domain()
        if unreadable_paths(Partner.env, "res.partner", domain):
            return None
        return Partner._search(client_domain() + domain).subselect()

    # --- the run ------------------------------------------------------------------------------
    @api.model
    def _analyze_if_many(self, table, new_rows):
        """ANALYZE ``table`` when ``new_rows`` rows came since the last statistics could know them
        (the whole base's first night): planned on an empty or stale table, the enrolment's
        and the batches' joins ran a nested loop per row (minutes instead of seconds). The one
        rule of when statistics are stale: :func:`~odoo.addons.clientbase_crm.tools.sql_planning.analyze_if_stale`."""
        sql_planning.analyze_if_stale(
            self.env.cr, [table], written={table: new_rows}, rows=ANALYZE_AFTER_ROWS
        )

    @api.model
    def _run_enrolment(self, journeys=None):
        """Enrol the clients of every active journey's new events (priority first); returns
        ``{journey id: number entered}``."""
        journeys = (journeys if journeys is not None else self.search([("active", "=", True)])).with_env(
            self.env
        )
        journeys = journeys.filtered("active").sorted(lambda j: (-j.priority, j.sequence, j.id))
        # each enrolment is planned as costly (the entry conditions over the whole base, a probe
        # per event): compiling it took 1.8-2.3 s of a statement running 0.05-0.45 s at S
        sql_planning.without_jit(self.env.cr)
        for model in (
            "res.partner",
            "clientbase.segment.history",
            "clientbase.consent",
            "clientbase.client.figures",
            "clientbase.client.card",
            "clientbase.journey",
            "clientbase.journey.step",
            "clientbase.journey.member",
            "sale.order",
        ):
            self.env[model].flush_model()
        last_ids = self._event_last_ids()
        self._analyze_if_many(
            "clientbase_segment_history",
            last_ids[HISTORY_TABLE]
            - min(
                (j.watermark_id or 0 for j in journeys if j._event_table() == HISTORY_TABLE),
                default=last_ids[HISTORY_TABLE],
            ),
        )
        entered = {}
        for journey in journeys:
            today = fields.Date.context_today(journey.with_company(journey.company_id))
            entered[journey.id] = journey._enrol(last_ids[journey._event_table()], today)
            # the next journey's enrolment and the steps join the members just entered (who is
            # in a journey already, of a higher priority): planned on the table as it is now
            self._analyze_if_many("clientbase_journey_member", entered[journey.id])
        self.env["clientbase.journey.member"].invalidate_model()
        self.invalidate_model(["watermark_id", "watermark_date"])
        return entered

    def _enrol(self, last_id, today):
        self.ensure_one()
        entry = self._entry_query()
        if entry is None:
            # the responsible user lost the right to read a field of the conditions: nobody
            # enters, and the events wait (the watermarks stay) until he may read them again
            _logger.warning(
                "Journey %s: its responsible user may not read a field of its entry conditions; nobody enters.",
                self.id,
            )
            self.env.cr.execute(
                SQL(
                    "UPDATE clientbase_journey SET last_run = %s WHERE id = %s",
                    fields.Datetime.now(),
                    self.id,
                )
            )
            return 0
        rows = self.env.execute_query(self._enrol_query(self._event_query(last_id, today), entry))
        count = len(rows)
        if rows and self.exclusive:
            self._supersede([row[0] for row in rows])
        self.env.cr.execute(
            SQL(
                "UPDATE clientbase_journey SET watermark_id = %s, watermark_date = %s, last_run = %s WHERE id = %s",
                last_id,
                today,
                fields.Datetime.now(),
                self.id,
            )
        )
        return count

    def _candidates_query(self, events, entry):
        """SQL of ``(partner_id, event_key)``: one event per client, who matches the conditions, may
        (re-)enter, and is not in another journey of higher or equal priority. When the goal is an
        order, a client who ordered since the event does not enter: the reason is gone (a
        win-back message never goes to a client who came back while the run was late)."""
        # each condition is a NOT EXISTS of its own, present only when it applies (no OR with a
        # flag around it): PostgreSQL runs it as one anti-join over the events, not as a
        # subplan per event
        conditions = [
            SQL(
                """NOT EXISTS (
                   SELECT 1 FROM clientbase_journey_member m
                    WHERE m.journey_id = %s AND m.partner_id = e.partner_id AND %s)""",
                self.id,
                SQL("TRUE")
                if self.reentry == "never"
                else SQL(
                    "(m.state IN ('running', 'holdout') OR m.entered_on > %s)",
                    fields.Datetime.now() - timedelta(days=max(self.reentry_days, 0)),
                ),
            )
        ]
        if self.goal == "order":
            conditions.append(
                SQL(
                    """NOT EXISTS (
                       SELECT 1 FROM sale_order so JOIN res_partner op ON op.id = so.partner_id
                        WHERE op.commercial_partner_id = e.partner_id AND e.event_date IS NOT NULL
                          AND so.state = 'sale' AND so.date_order >= e.event_date)"""
                )
            )
        if self.exclusive:
            conditions.append(
                SQL(
                    """NOT EXISTS (
                       SELECT 1 FROM clientbase_journey_member m
                         JOIN clientbase_journey j ON j.id = m.journey_id
                        WHERE m.partner_id = e.partner_id AND m.journey_id <> %s AND j.exclusive
                          AND m.state IN ('running', 'holdout') AND j.priority >= %s)""",
                    self.id,
                    self.priority,
                )
            )
        return SQL(
            """
            SELECT DISTINCT ON (e.partner_id) e.partner_id, e.event_key
              FROM (%(events)s) AS e(partner_id, event_key, event_date)
              JOIN res_partner p ON p.id = e.partner_id AND p.active
             WHERE e.partner_id IN (%(entry)s) AND %(company_clients)s AND %(conditions)s
             ORDER BY e.partner_id, e.event_key
            """,
            events=events,
            entry=entry,
            company_clients=self._company_clients_sql("p"),
            conditions=SQL(" AND ").join(conditions),
        )

    def _enrol_query(self, events, entry):
        first_step = self.step_ids.sorted(lambda s: (s.sequence, s.id))[:1]
        now = fields.Datetime.now()
        return SQL(
            """
            INSERT INTO clientbase_journey_member
                   (journey_id, partner_id, company_id, event_key, state, step_id, next_run, holdout,
                    entered_on, paused, create_uid, create_date, write_uid, write_date)
            SELECT %(journey)s, c.partner_id, %(company)s, c.event_key,
                   CASE WHEN c.holdout THEN 'holdout' WHEN %(step)s::int IS NULL THEN 'done' ELSE 'running' END,
                   CASE WHEN c.holdout THEN NULL ELSE %(step)s::int END,
                   %(now)s, c.holdout, %(now)s, FALSE, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM (SELECT cand.partner_id, cand.event_key, %(bucket)s < %(share)s AS holdout
                      FROM (%(candidates)s) AS cand) AS c
            ON CONFLICT (journey_id, partner_id, event_key) DO NOTHING
            RETURNING partner_id
            """,
            journey=self.id,
            company=self.company_id.id,
            step=first_step.id or None,
            now=now,
            uid=self.env.uid,
            bucket=_bucket(self.id),
            share=self.holdout_percent,
            candidates=self._candidates_query(events, entry),
        )

    def _supersede(self, partner_ids):
        """Members of lower-priority journeys who just entered this one leave those."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE clientbase_journey_member m
                   SET state = 'exited', exit_reason = 'priority', exited_on = %(now)s, step_id = NULL
                  FROM clientbase_journey j
                 WHERE j.id = m.journey_id AND m.partner_id = ANY(%(partners)s) AND j.exclusive
                   AND m.journey_id <> %(journey)s AND m.state IN ('running', 'holdout')
                   AND j.priority < %(priority)s
                """,
                now=fields.Datetime.now(),
                partners=partner_ids,
                journey=self.id,
                priority=self.priority,
            )
        )

    # --- preview ------------------------------------------------------------------------------
    def _preview_partner_ids(self):
        """The clients who would enter if the journey ran now (nothing written)."""
        self.ensure_one()
        entry = self._entry_query()
        if entry is None:
            return []
        today = fields.Date.context_today(self.with_company(self.company_id))
        table = self._event_table()
        last_id = self._event_last_ids()[table]
        journey = self
        if not self.active or not self.watermark_date:
            # an inactive journey previews today's events, as it would see them once switched on
            start = fields.Datetime.to_datetime(today)
            before_today = self.env.execute_query(
                SQL(
                    # memberships older than their date column have none: before today
                    "SELECT COALESCE(max(id), 0) FROM %s WHERE date IS NULL OR date < %s",
                    SQL.identifier(table),
                    start,
                )
            )[0][0]
            journey = self.new(
                {
                    "watermark_id": before_today,
                    "watermark_date": fields.Date.subtract(today, days=1),
                    "activated_on": today,
                },
                origin=self,
            )
        rows = self.env.execute_query(
            SQL(
                "SELECT partner_id FROM (%s) AS c",
                self._candidates_query(journey._event_query(last_id, today), entry),
            )
        )
        return [row[0] for row in rows]

    def _compute_preview_count(self):
        for journey in self:
            journey.preview_count = len(journey._preview_partner_ids()) if journey.id else 0

    def action_preview(self):
        """The clients who would enter today, as a list (nothing written)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Would Enter %s Today", self.name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("id", "in", self._preview_partner_ids())],
            "context": {"create": False},
        }
