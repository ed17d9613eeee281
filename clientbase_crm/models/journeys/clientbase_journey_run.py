"""The nightly step advancement: every due member of a step at once, in bounded batches.

Exits are applied before every pass, so a message never lands after its reason to stop
(an order, a lost mark, a left segment). A batch of a send step creates one
``mailing.mailing`` (mass_mailing renders, sends and traces it: opens, clicks, bounces and
the unsubscribe link work as for any mailing), writes the members' history and moves them
on in one transaction: a run killed and done again sends nothing twice.
"""

import logging
from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.modules import module as odoo_module
from odoo.tools import SQL

from ...tools.sql_planning import without_jit
from .clientbase_journey_step import SEND_KINDS

_logger = logging.getLogger(__name__)

BATCH_SIZE = 5000
MAX_PASSES = 50  # steps that take no time (tags, branches) are chained within one run


class ClientbaseJourney(models.Model):
    _inherit = "clientbase.journey"

    @api.model
    def _cron_run(self):
        """The scheduled run (hourly, so that send windows are met): enrol, then advance."""
        self = self.with_context(clientbase_journey_commit=not odoo_module.current_test)
        self._run_enrolment()
        self._run_steps()

    @api.model
    def _run(self, journeys=None):
        """Enrolment then advancement, for tests and the button (nothing committed)."""
        entered = self._run_enrolment(journeys)
        self._run_steps(journeys)
        return entered

    def action_run_now(self):
        self._run(self)
        return True

    def _commit(self):
        if self.env.context.get("clientbase_journey_commit"):
            # each batch is whole (mailing, history, members moved on): see the module's doc
            self.env.cr.commit()  # pylint: disable=invalid-commit
            # the next transaction plans without JIT too (SET LOCAL ended with the commit)
            without_jit(self.env.cr)

    # --- exits --------------------------------------------------------------------------------
    def _apply_exits(self):
        """End the running members whose goal is reached or whose reason to be here is gone."""
        self.ensure_one()
        now = fields.Datetime.now()
        for model in (
            "sale.order",
            "clientbase.client.figures",
            "clientbase.client.card",
            "clientbase.segment.history",
            "res.partner",
        ):
            self.env[model].flush_model()
        exits = [
            (
                "goal",
                SQL(
                    "EXISTS (SELECT 1 FROM sale_order so JOIN res_partner op ON op.id = so.partner_id"
                    " WHERE op.commercial_partner_id = m.partner_id AND so.state = 'sale'"
                    " AND so.date_order >= m.entered_on)"
                )
                if self.goal == "order"
                else SQL(
                    "EXISTS (SELECT 1 FROM clientbase_client_figures f WHERE f.partner_id = m.partner_id"
                    " AND f.company_id = m.company_id AND f.current_stage = %s)",
                    self.goal_stage,
                )
                if self.goal == "stage"
                else SQL("FALSE"),
            ),
            (
                "lost",
                SQL("FALSE")
                if self.trigger == "lost"
                # marked lost after entering (the history's row of the mark, to the second: a
                # journey for lost clients, as the win-back reminder, keeps who entered lost)
                else SQL(
                    "EXISTS (SELECT 1 FROM clientbase_client_card c WHERE c.partner_id = m.partner_id"
                    " AND c.churn_date IS NOT NULL) AND EXISTS (SELECT 1 FROM clientbase_segment_history lh"
                    " WHERE lh.partner_id = m.partner_id AND lh.dimension = 'stage' AND lh.new_value = 'lost'"
                    " AND lh.date > m.entered_on)"
                ),
            ),
        ]
        if self.exit_on_condition_lost:
            entry = self._entry_query()
            # an anti-join (NOT IN a subquery of the whole base is a per-row scan past work_mem)
            exits.append(
                (
                    "condition",
                    SQL("TRUE")
                    if entry is None
                    else SQL("NOT EXISTS (SELECT 1 FROM (%s) AS e(id) WHERE e.id = m.partner_id)", entry),
                )
            )
            exits.extend(self._left_segment_exits())
        exits.extend(self._refusal_exits())
        for reason, condition in exits:
            self.env.cr.execute(
                SQL(
                    "UPDATE clientbase_journey_member m SET state = 'exited', exit_reason = %s, exited_on = %s,"
                    " step_id = NULL WHERE m.journey_id = %s AND m.state = 'running' AND %s",
                    reason,
                    now,
                    self.id,
                    condition,
                )
            )
        # a journey that ended on a wait: done when the wait is over
        self.env.cr.execute(
            SQL(
                "UPDATE clientbase_journey_member m SET state = 'done', exited_on = %s WHERE m.journey_id = %s"
                " AND m.state = 'running' AND m.step_id IS NULL AND m.next_run <= %s",
                now,
                self.id,
                now,
            )
        )
        # the held out leave when the horizon has passed (their conversion is measured by then)
        self.env.cr.execute(
            SQL(
                "UPDATE clientbase_journey_member m SET state = 'done', exited_on = %s WHERE m.journey_id = %s"
                " AND m.state = 'holdout' AND m.entered_on + make_interval(days => %s) <= %s",
                now,
                self.id,
                max(self.horizon_days, 0),
                now,
            )
        )

    # --- advancement --------------------------------------------------------------------------
    @api.model
    def _run_steps(self, journeys=None):
        """Do every due step of the active journeys; returns the number of member steps done."""
        journeys = (journeys if journeys is not None else self.search([("active", "=", True)])).with_env(
            self.env
        )
        journeys = journeys.filtered("active")
        without_jit(self.env.cr)  # small statements the planner overestimates: see sql_planning
        done = 0
        for pass_number in range(MAX_PASSES):
            progressed = 0
            moved = self.browse()
            for journey in journeys:
                self.env["clientbase.journey.member"].flush_model()
                # a later pass is for the steps that take no time, chained: a journey with
                # nothing due is not gone through again (its exits were applied by the first)
                if pass_number and not journey._has_due_members():
                    continue
                journey._apply_exits()
                handled = 0
                for step in journey.step_ids.sorted(lambda s: (s.sequence, s.id)):
                    handled += journey._run_step(step)
                if handled:
                    moved |= journey
                progressed += handled
            self.env["clientbase.journey.member"].invalidate_model()
            self.env["clientbase.journey.history"].invalidate_model()
            done += progressed
            if not progressed:
                break
            journeys = moved
        return done

    def _has_due_members(self):
        """Whether a running member of the journey has a step due now."""
        self.ensure_one()
        return bool(
            self.env.execute_query(
                SQL(
                    "SELECT 1 FROM clientbase_journey_member m WHERE m.journey_id = %s AND m.state = 'running'"
                    " AND m.step_id IS NOT NULL AND m.paused IS NOT TRUE AND m.next_run <= %s LIMIT 1",
                    self.id,
                    fields.Datetime.now(),
                )
            )
        )

    def _in_window(self, step):
        tz = pytz.timezone(self.company_id.partner_id.tz or self.user_id.tz or "UTC")
        local = pytz.utc.localize(fields.Datetime.now()).astimezone(tz)
        hour = local.hour + local.minute / 60.0
        return step.window_from <= hour < step.window_to

    def _due_members(self, step, limit, after_id=0):
        """``[(member id, partner id)]``: the next ``limit`` members due at ``step``, by id after
        ``after_id`` (a batch starts where the last one ended, not at the first member again)."""
        rows = self.env.execute_query(
            SQL(
                "SELECT m.id, m.partner_id FROM clientbase_journey_member m WHERE m.journey_id = %s"
                " AND m.step_id = %s AND m.state = 'running' AND m.paused IS NOT TRUE AND m.next_run <= %s"
                " AND m.id > %s ORDER BY m.id LIMIT %s",
                self.id,
                step.id,
                fields.Datetime.now(),
                after_id,
                limit,
            )
        )
        return rows

    def _run_step(self, step):
        """Do ``step`` for its due members, batch after batch; returns how many were handled."""
        if step.kind in SEND_KINDS and not self._in_window(step):
            return 0
        handled = 0
        batch = self.env.context.get("clientbase_journey_batch") or BATCH_SIZE
        after_id = 0
        while True:
            rows = self._due_members(step, batch, after_id)
            if not rows:
                break
            after_id = rows[-1][0]
            with self.env.cr.savepoint():
                step._execute([r[0] for r in rows], [r[1] for r in rows])
            self._commit()
            handled += len(rows)
            if len(rows) < batch:
                break
        return handled


class ClientbaseJourneyStep(models.Model):
    _inherit = "clientbase.journey.step"

    def _next_step(self):
        steps = self.journey_id.step_ids.sorted(lambda s: (s.sequence, s.id))
        after = steps.filtered(lambda s: (s.sequence, s.id) > (self.sequence, self.id))
        return after[:1]

    def _move(self, member_ids, to_step, delay_days=0):
        """Members go on to ``to_step`` (now, or after ``delay_days``); without one they are done
        (after the delay: a journey ending on a wait keeps them in it until then)."""
        if not member_ids:
            return
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                "UPDATE clientbase_journey_member SET step_id = %(step)s, next_run = %(next)s,"
                " state = CASE WHEN %(step)s::int IS NULL AND %(delay)s = 0 THEN 'done' ELSE state END,"
                " exited_on = CASE WHEN %(step)s::int IS NULL AND %(delay)s = 0 THEN %(now)s ELSE exited_on END,"
                " write_date = %(now)s WHERE id = ANY(%(ids)s)",
                step=to_step.id or None,
                next=now + timedelta(days=delay_days),
                delay=delay_days,
                now=now,
                ids=list(member_ids),
            )
        )

    def _exit(self, member_ids, reason):
        if member_ids:
            self.env.cr.execute(
                SQL(
                    "UPDATE clientbase_journey_member SET state = 'exited', exit_reason = %s, exited_on = %s,"
                    " step_id = NULL WHERE id = ANY(%s)",
                    reason,
                    fields.Datetime.now(),
                    list(member_ids),
                )
            )

    def _log(self, member_ids, result, mailing=None, note=None):
        if member_ids:
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO clientbase_journey_history (member_id, step_id, date, result, mailing_id, note)
                    SELECT unnest(%(ids)s::int[]), %(step)s, %(now)s, %(result)s, %(mailing)s, %(note)s
                    ON CONFLICT DO NOTHING
                    """,
                    step=self.id,
                    now=fields.Datetime.now(),
                    result=result,
                    mailing=mailing.id if mailing else None,
                    note=note,
                    ids=list(member_ids),
                )
            )

    def _execute(self, member_ids, partner_ids):
        """Do the step for these members (one batch, in the caller's savepoint) and move them on."""
        self.ensure_one()
        handler = getattr(self, f"_execute_{self.kind}")
        handler(member_ids, partner_ids)

    def _execute_wait(self, member_ids, partner_ids):
        self._log(member_ids, "done")
        self._move(member_ids, self._next_step(), delay_days=self.wait_days)

    def _send_eligibility(self, member_ids, partner_ids):
        """Split the batch by the base's eligibility, checked now: ``(send, split)``, the member
        ids to send to and ``{reason: member ids}`` of the others, those refused (consent
        withdrawn, blacklisted or opted out) already gone: left, or moved on without it.

        One statement classifies the batch (``_classify_members``)."""
        channel = "sms" if self.kind == "sms" else "email"
        split = self.env["clientbase.mailing.eligibility"]._classify_members(
            member_ids, channel, self.consent_purpose or "marketing", company=self.journey_id.company_id
        )
        refused = {"no_consent": split.pop("no_consent", []), "blacklisted": split.pop("blacklisted", [])}
        refused["blacklisted"] += split.pop("opted_out", [])
        if self.leave_if_refused:
            for reason, refused_ids in refused.items():
                self._exit(refused_ids, reason)
        else:
            # the message is not for him: he goes on without it (a greeting by the other channel)
            skipped = refused["no_consent"] + refused["blacklisted"]
            self._log(skipped, "skipped", note=self.env._("Not allowed on this channel"))
            self._move(skipped, self._next_step())
        return split.pop("eligible", []), split

    def _execute_email(self, member_ids, partner_ids):
        send, split = self._send_eligibility(member_ids, partner_ids)
        if send:
            self._queue_mailing(send)
            self._move(send, self._next_step())
        skip = split.get("no_address", [])
        self._log(skip, "skipped", note=self.env._("No valid address or number"))
        self._move(skip, self._next_step())
        # mailed too often: the same step again tomorrow
        postpone = split.get("too_often", [])
        if postpone:
            self.env.cr.execute(
                SQL(
                    "UPDATE clientbase_journey_member SET next_run = %s WHERE id = ANY(%s)",
                    fields.Datetime.now() + timedelta(days=1),
                    postpone,
                )
            )

    _execute_sms = _execute_email

    def _queue_mailing(self, member_ids):
        """One mailing of this step for these members, queued: mass_mailing renders, sends and
        traces it. Its recipients are the clients of its history rows (``queued``, written here
        in the same transaction), a domain of one condition however many they are: nothing of the
        batch's size is kept in the mailing nor evaluated again when the cap counts the queue."""
        journey = self.journey_id
        values = {
            "subject": f"{journey.name}: {self.name}",
            "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
            "mailing_domain": repr([("id", "in", [])]),
            "user_id": journey.user_id.id,
            "clientbase_consent_purpose": self.consent_purpose or "marketing",
            "clientbase_journey_step_id": self.id,
        }
        if self.kind == "sms":
            values.update(
                mailing_type="sms",
                body_plaintext=self.sms_template_id.body,
                sms_subject=f"{journey.name}: {self.name}",
            )
        else:
            template = self.mail_template_id
            values.update(
                mailing_type="mail",
                subject=template.subject or values["subject"],
                body_arch=template.body_html,
                body_html=template.body_html,
            )
        Mailing = (
            self.env["mailing.mailing"]
            .sudo()
            .with_company(journey.company_id)
            .with_context(mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True)
        )
        mailing = Mailing.create(values)
        self._log(member_ids, "queued", mailing=mailing)
        mailing.write({"mailing_domain": repr(mailing._clientbase_journey_recipients_domain())})
        mailing.action_put_in_queue()
        return mailing

    def _execute_activity(self, member_ids, partner_ids):
        Partner = self.env["res.partner"].sudo()
        activity_type = self.activity_type_id or self.env.ref("mail.mail_activity_data_todo")
        deadline = fields.Date.add(fields.Date.context_today(self), days=self.activity_days)
        model_id = self.env["ir.model"]._get_id("res.partner")
        values = []
        for partner in Partner.browse(partner_ids):
            values.append(
                {
                    "res_model_id": model_id,
                    "res_id": partner.id,
                    "activity_type_id": activity_type.id,
                    "summary": self.activity_summary or self.name,
                    "date_deadline": deadline,
                    "user_id": (partner.commercial_partner_id.user_id or self.journey_id.user_id).id,
                    "client_rule": self.activity_rule or False,
                }
            )
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(values)
        self._log(member_ids, "done")
        self._move(member_ids, self._next_step())

    def _execute_tag(self, member_ids, partner_ids):
        self.env.cr.execute(
            SQL(
                "INSERT INTO res_partner_res_partner_category_rel (category_id, partner_id)"
                " SELECT %s, unnest(%s::int[]) ON CONFLICT DO NOTHING",
                self.tag_id.id,
                list(partner_ids),
            )
        )
        self.env["res.partner"].invalidate_model(["category_id"])
        self._log(member_ids, "done")
        self._move(member_ids, self._next_step())

    def _list_contacts(self, partner_ids, create):
        """The mailing contacts of these clients' emails (created when ``create``)."""
        Contact = self.env["mailing.contact"].sudo()
        partners = self.env["res.partner"].sudo().browse(partner_ids).filtered("email_normalized")
        contacts = Contact.search([("email_normalized", "in", partners.mapped("email_normalized"))])
        if create:
            known = set(contacts.mapped("email_normalized"))
            missing = partners.filtered(lambda p: p.email_normalized not in known)
            contacts |= Contact.create([{"name": p.name, "email": p.email} for p in missing])
        return contacts

    def _execute_list_add(self, member_ids, partner_ids):
        contacts = self._list_contacts(partner_ids, create=True)
        subscribed = (
            self.env["mailing.subscription"]
            .sudo()
            .search([("list_id", "=", self.mailing_list_id.id), ("contact_id", "in", contacts.ids)])
        )
        new = contacts - subscribed.contact_id
        self.env["mailing.subscription"].sudo().create(
            [{"list_id": self.mailing_list_id.id, "contact_id": c.id} for c in new]
        )
        self._log(member_ids, "done")
        self._move(member_ids, self._next_step())

    def _execute_list_remove(self, member_ids, partner_ids):
        contacts = self._list_contacts(partner_ids, create=False)
        self.env["mailing.subscription"].sudo().search(
            [("list_id", "=", self.mailing_list_id.id), ("contact_id", "in", contacts.ids)]
        ).unlink()
        self._log(member_ids, "done")
        self._move(member_ids, self._next_step())

    def _branch_query(self):
        """SQL condition on member ``m``: true when the branch's condition holds."""
        if self.branch_condition == "opened":
            self.env["mailing.trace"].flush_model()
            return SQL(
                "EXISTS (SELECT 1 FROM clientbase_journey_history jh JOIN mailing_trace t"
                " ON t.mass_mailing_id = jh.mailing_id AND t.model = 'res.partner' AND t.res_id = m.partner_id"
                " WHERE jh.member_id = m.id AND t.open_datetime IS NOT NULL)"
            )
        if self.branch_condition == "ordered":
            self.env["sale.order"].flush_model()
            return SQL(
                "EXISTS (SELECT 1 FROM sale_order so JOIN res_partner op ON op.id = so.partner_id"
                " WHERE op.commercial_partner_id = m.partner_id AND so.state = 'sale'"
                " AND so.date_order >= m.entered_on)"
            )
        journey = self.journey_id
        query = (
            self.env["res.partner"]
            .with_user(journey.user_id)
            .with_company(journey.company_id)
            ._search(self._get_branch_domain())
        )
        return SQL("m.partner_id IN (%s)", query.subselect())

    def _execute_branch(self, member_ids, partner_ids):
        rows = self.env.execute_query(
            SQL(
                "SELECT m.id FROM clientbase_journey_member m WHERE m.id = ANY(%s) AND %s",
                list(member_ids),
                self._branch_query(),
            )
        )
        yes = [row[0] for row in rows]
        no = sorted(set(member_ids) - set(yes))
        self._log(yes, "done", note=self.env._("Condition holds"))
        self._log(no, "done", note=self.env._("Condition does not hold"))
        self._move(yes, self._next_step())
        if self.else_step_id:
            self._move(no, self.else_step_id)
        else:
            self._exit(no, "branch")
