"""Rules that keep the client base worked: scheduled jobs on res.partner.

Every rule selects its clients with one set-based query, then keeps the rule's
activities in step with that selection: an activity is created once for a client
whose reason holds and has none, and removed when the reason is gone.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, split_every

from ...tools.client_definition import client_circle_sql, client_sql
from ...tools.concurrency import retry_on_concurrency
from ..protection.clientbase_security import CARD_FIELDS

BATCH_SIZE = 1000

# a client (tools/client_definition.py: never an employee, a contact or the company itself),
# active, with a manager
# (its client card, aliased ``card``, is joined by every query that uses it)
CLIENT_SQL = SQL("res_partner.active AND res_partner.user_id IS NOT NULL AND %s", client_sql("res_partner"))

# a client being worked: a client, not lost
WORKING_CLIENT_SQL = SQL("%s AND card.churn_date IS NULL", CLIENT_SQL)

# a person of a client's circle (the client or its contact, never an employee), active, with a
# manager: whose birthday the manager is reminded of
CIRCLE_SQL = SQL(
    "res_partner.active AND res_partner.user_id IS NOT NULL AND %s", client_circle_sql("res_partner")
)

# the client withdrew the phone-marketing consent (its current row for phone / marketing):
# no manager is pushed to call
PHONE_REFUSED_SQL = SQL(
    """EXISTS (SELECT 1 FROM (SELECT c.state FROM clientbase_consent c
                               WHERE c.partner_id = res_partner.id AND c.channel = 'phone'
                                 AND c.purpose = 'marketing'
                               ORDER BY c.date DESC, c.id DESC LIMIT 1) cur
                WHERE cur.state = 'withdrawn')"""
)

# the client has a deal: a confirmed order, or an open or won opportunity (lost ones are archived)
HAS_DEAL_SQL = SQL(
    """(EXISTS (SELECT 1 FROM sale_order so JOIN res_partner sp ON sp.id = so.partner_id
                  WHERE sp.commercial_partner_id = res_partner.id AND so.state = 'sale')
        OR EXISTS (SELECT 1 FROM crm_lead l JOIN res_partner lp ON lp.id = l.partner_id
                    WHERE lp.commercial_partner_id = res_partner.id AND l.active AND l.type = 'opportunity'))"""
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    # --- helpers ------------------------------------------------------------------
    @api.model
    def _client_rule_rows(self, where, select=None):
        """Rows (id, user_id[, extra]) of partners matching ``where``; the
        partner's company settings are available as ``company``, its client card as ``card``."""
        self.flush_model()
        self.env["clientbase.client.card"].flush_model()
        self.env["res.company"].flush_model()
        query = SQL(
            """SELECT res_partner.id, res_partner.user_id%s
                 FROM res_partner
                 JOIN res_company company ON company.id = COALESCE(res_partner.company_id, %s)
                 LEFT JOIN clientbase_client_card card ON card.partner_id = res_partner.id
                WHERE %s""",
            SQL(", %s", select) if select else SQL(""),
            self.env.company.id,
            where,
        )
        return self.env.execute_query(query)

    @api.model
    def _client_rule_activity_vals(self, rows, activity_type_xmlid, summary):
        """{partner_id: values of the activity for its manager, due today} for (partner, user) rows."""
        activity_type = self._client_activity_type(activity_type_xmlid)
        today = fields.Date.context_today(self)
        return {
            partner_id: {
                "user_id": user_id,
                "activity_type_id": activity_type,
                "date_deadline": today,
                "summary": summary,
            }
            for partner_id, user_id in rows
        }

    @api.model
    def _client_sync_rule_activities(self, rule, keep_ids, create_vals):
        """Keep the activities of ``rule`` in step with its reasons.

        :param keep_ids: ids of partners whose reason still holds; other activities of the rule go
        :param create_vals: {partner_id: activity values} for partners that need one (created
            only when the partner has no activity of this rule yet)
        :return: ids of partners that got a new activity
        """
        Activity = self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True)
        existing = Activity.search([("res_model", "=", "res.partner"), ("client_rule", "=", rule)])
        keep_ids = set(keep_ids)
        existing.filtered(lambda a: a.res_id not in keep_ids).unlink()
        have = set(existing.exists().mapped("res_id"))
        model_id = self.env["ir.model"]._get_id("res.partner")
        todo = [pid for pid in create_vals if pid not in have]
        done = 0
        for batch in split_every(BATCH_SIZE, todo):
            Activity.create(
                [dict(create_vals[pid], res_model_id=model_id, res_id=pid, client_rule=rule) for pid in batch]
            )
            done += len(batch)
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(todo) - done)
        return todo

    @api.model
    def _client_set_columns(self, ids, values):
        """Set plain columns of the rules' bookkeeping with SQL, in bounded batches:
        no write() overrides, tracking or recomputes for a marker date."""
        if not ids:
            return
        self.flush_model(list(values))
        assignments = SQL(", ").join(
            SQL("%s = %s", SQL.identifier(fname), value) for fname, value in values.items()
        )
        for batch in split_every(BATCH_SIZE, list(ids)):
            self.env.cr.execute(SQL("UPDATE res_partner SET %s WHERE id IN %s", assignments, tuple(batch)))
        self.invalidate_model(list(values))

    @api.model
    def _client_set_card_columns(self, ids, values):
        """Same as :meth:`_client_set_columns`, on the client cards of the partners ``ids``."""
        if not ids:
            return
        Card = self.env["clientbase.client.card"]
        Card.flush_model(list(values))
        assignments = SQL(", ").join(
            SQL("%s = %s", SQL.identifier(fname), value) for fname, value in values.items()
        )
        for batch in split_every(BATCH_SIZE, list(ids)):
            self.env.cr.execute(
                SQL("UPDATE clientbase_client_card SET %s WHERE partner_id IN %s", assignments, tuple(batch))
            )
        Card.invalidate_model(list(values))
        self.invalidate_model([pname for pname, cname in CARD_FIELDS.items() if cname in values])

    @api.model
    def _client_has_rule_activity_sql(self, rule):
        """Restrict a rule's "reason still holds" check to clients that have its activity."""
        self.env["mail.activity"].flush_model(["res_model", "res_id", "client_rule"])
        return SQL(
            "res_partner.id IN (SELECT res_id FROM mail_activity WHERE res_model = 'res.partner' AND client_rule = %s)",
            rule,
        )

    @api.model
    def _client_activity_type(self, xmlid):
        activity_type = self.env.ref(xmlid, raise_if_not_found=False)
        return activity_type.id if activity_type else False

    # --- birthdays --------------------------------------------------------------------
    @api.model
    @retry_on_concurrency
    def _cron_client_birthdays(self):
        """Remind the manager N days before a birthday (the greeting itself is the journey
        "Birthday greeting", ``data/clientbase_journey_data.xml``)."""
        today = fields.Date.context_today(self)
        days = self._get_days_to_birthday_sql(today)
        rows = self._client_rule_rows(
            SQL(
                "%s AND card.birthday IS NOT NULL AND %s BETWEEN 0 AND company.clientbase_birthday_days_before",
                CIRCLE_SQL,
                days,
            ),
            SQL("%s, res_partner.client_birthday_reminded_on", days),
        )
        todo_type = self._client_activity_type("mail.mail_activity_data_todo")
        create_vals = {}
        for partner_id, user_id, days_left, reminded_on in rows:
            birthday = today + timedelta(days=days_left)
            if reminded_on != birthday:
                create_vals[partner_id] = {
                    "user_id": user_id,
                    "activity_type_id": todo_type,
                    "date_deadline": birthday,
                    "summary": self.env._("Birthday on %(date)s", date=fields.Date.to_string(birthday)),
                }
        created = self._client_sync_rule_activities("birthday", [row[0] for row in rows], create_vals)
        by_date = {}
        for partner_id in created:
            by_date.setdefault(create_vals[partner_id]["date_deadline"], []).append(partner_id)
        for birthday, partner_ids in by_date.items():
            self._client_set_columns(partner_ids, {"client_birthday_reminded_on": birthday})

    # --- contact cadence ---------------------------------------------------------------
    @api.model
    def _get_client_contact_due_where(self, today):
        max_days = SQL("company.clientbase_contact_max_days")
        if "client_is_vip" in self._fields:
            # VIP clients are contacted more often (stored or computed by the segmentation)
            max_days = SQL(
                "CASE WHEN COALESCE(%s, FALSE) AND company.clientbase_contact_vip_max_days > 0"
                " THEN LEAST(company.clientbase_contact_vip_max_days, company.clientbase_contact_max_days)"
                " ELSE company.clientbase_contact_max_days END",
                self._field_to_sql("res_partner", "client_is_vip"),
            )
        return SQL(
            """%(working)s AND res_partner.client_retry_date IS NULL AND NOT %(phone_refused)s
               AND (res_partner.customer_rank > 0 OR card.qualification = 'worth'
                    OR res_partner.client_last_contact_date IS NOT NULL
                    OR EXISTS (SELECT 1 FROM clientbase_client_figures bought
                                WHERE bought.partner_id = res_partner.id AND bought.company_id = company.id
                                  AND bought.order_count > 0))
               AND company.clientbase_contact_max_days > 0
               AND COALESCE(res_partner.client_last_contact_date, res_partner.create_date::date)
                   <= %(today)s::date - %(max_days)s""",
            working=WORKING_CLIENT_SQL,
            phone_refused=PHONE_REFUSED_SQL,
            today=today,
            max_days=max_days,
        )

    @api.model
    @retry_on_concurrency
    def _cron_client_contact_cadence(self):
        """Clients past their maximum days without contact get a "contact due" activity."""
        today = fields.Date.context_today(self)
        rows = self._client_rule_rows(self._get_client_contact_due_where(today))
        create_vals = self._client_rule_activity_vals(
            rows, "mail.mail_activity_data_call", self.env._("Contact due: no contact for too long")
        )
        self._client_sync_rule_activities("contact_due", create_vals.keys(), create_vals)

    # --- potentials going nowhere ----------------------------------------------------
    @api.model
    @retry_on_concurrency
    def _cron_client_potentials(self):
        """Pause qualified potentials without a deal; remind the manager on the retry date."""
        today = fields.Date.context_today(self)
        self.flush_model()
        self.env["clientbase.client.card"].flush_model()
        self.env.cr.execute(
            SQL(
                """UPDATE res_partner SET client_paused_date = %(today)s,
                          client_retry_date = %(today)s::date + company.clientbase_potential_retry_days
                     FROM res_company company, clientbase_client_card card
                    WHERE company.id = COALESCE(res_partner.company_id, %(company)s)
                      AND card.partner_id = res_partner.id
                      AND %(working)s AND res_partner.client_retry_date IS NULL
                      AND company.clientbase_potential_pause_days > 0
                      AND card.qualification = 'worth'
                      AND card.qualified_date <= %(today)s::date - company.clientbase_potential_pause_days
                      AND NOT %(has_deal)s""",
                today=today,
                company=self.env.company.id,
                working=WORKING_CLIENT_SQL,
                has_deal=HAS_DEAL_SQL,
            )
        )
        # a paused client that got a deal meanwhile is not paused any more
        self.env.cr.execute(
            SQL(
                """UPDATE res_partner SET client_paused_date = NULL, client_retry_date = NULL
                    WHERE res_partner.client_retry_date IS NOT NULL AND %s""",
                HAS_DEAL_SQL,
            )
        )
        self.invalidate_model(["client_paused_date", "client_retry_date"])
        due = self._client_rule_rows(
            SQL("%s AND res_partner.client_retry_date <= %s", WORKING_CLIENT_SQL, today)
        )
        # the reminder stays while the client is still a potential without a deal
        waiting = self._client_rule_rows(
            SQL(
                "%s AND NOT %s AND %s",
                WORKING_CLIENT_SQL,
                HAS_DEAL_SQL,
                self._client_has_rule_activity_sql("potential_retry"),
            )
        )
        create_vals = self._client_rule_activity_vals(
            due, "mail.mail_activity_data_call", self.env._("Try again with this potential client")
        )
        waiting_ids = {row[0] for row in waiting}
        self._client_sync_rule_activities("potential_retry", waiting_ids, create_vals)
        if due:
            # taken up again: the clock of the potential restarts today
            due_ids = [row[0] for row in due]
            self._client_set_columns(due_ids, {"client_retry_date": None, "client_paused_date": None})
            self._client_set_card_columns(due_ids, {"qualified_date": today})

    # --- fresh data -------------------------------------------------------------------------
    @api.model
    @retry_on_concurrency
    def _cron_client_data_freshness(self):
        """Stale, bounced or invalid client data (``client_contact_invalid``) goes to a "verify data"
        queue for the manager."""
        today = fields.Date.context_today(self)
        rows = self._client_rule_rows(
            SQL(
                """%(working)s AND (
                       (company.clientbase_verify_days > 0
                        AND COALESCE(res_partner.client_data_verified_date, res_partner.create_date::date)
                            <= %(today)s::date - company.clientbase_verify_days)
                       OR res_partner.message_bounce > 0
                       OR res_partner.client_contact_invalid)""",
                working=WORKING_CLIENT_SQL,
                today=today,
            )
        )
        create_vals = self._client_rule_activity_vals(
            rows, "mail.mail_activity_data_todo", self.env._("Verify the client's data")
        )
        self._client_sync_rule_activities("verify_data", create_vals.keys(), create_vals)
