"""The hard-wired rules of earlier versions become journeys, once per database; what earlier
versions of the journeys stored otherwise is brought to this one's form.

The birthday greeting (a company setting, a daily job sending mails and SMS) is the journey
*Birthday greeting*; the win-back to-do (a daily job creating the manager's reminder on the
win-back date) is the journey *Win-back reminder*: one mechanism does it all. Called by
``data/clientbase_journey_upgrade_data.xml`` at every install and update; it acts only on
what an earlier version left (the setting's column, the job), then removes it, so that a
second call does nothing.
"""

import logging

from odoo import api, models
from odoo.tools import SQL, sql

OLD_WINBACK_CRON = "clientbase_crm.ir_cron_client_winback"
# the former greeting's marks on the partner (one greeting per birthday and channel)
OLD_GREETING_COLUMNS = ("client_birthday_greeted_on", "client_birthday_sms_greeted_on")
# the step history's copies of its member's journey, client and company (read through the member now)
OLD_HISTORY_COLUMNS = ("journey_id", "partner_id", "company_id")
# the history's index of its member alone (the unique index of member, step and result serves)
OLD_HISTORY_INDEX = "clientbase_journey_history__member_id_index"
# the recipients of a journey's mailing, as earlier versions wrote them (a path of fields that a
# mass-mailing user outside the client base may not read)
OLD_RECIPIENTS_PATH = "client_journey_member_ids.history_ids.mailing_id"

_logger = logging.getLogger(__name__)


class ClientbaseJourney(models.Model):
    _inherit = "clientbase.journey"

    @api.model
    def _upgrade_hard_wired_rules(self):
        self._upgrade_birthday_greeting()
        self._upgrade_winback_reminder()
        self._upgrade_drop_greeting_markers()
        self._upgrade_history_columns()
        self._upgrade_mailing_recipients()

    @api.model
    def _upgrade_history_columns(self):
        """The history's own copies of the journey, the client and the company go (with their
        foreign keys and indexes): the rows read them through their member. Its index of the
        member alone goes too (Odoo keeps an index a field no longer asks for)."""
        cr = self.env.cr
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(OLD_HISTORY_INDEX)))
        for column in OLD_HISTORY_COLUMNS:
            if sql.column_exists(cr, "clientbase_journey_history", column):
                cr.execute(
                    SQL(
                        "ALTER TABLE clientbase_journey_history DROP COLUMN %s CASCADE",
                        SQL.identifier(column),
                    )
                )
                cr.execute(
                    "DELETE FROM ir_model_constraint WHERE name = %s AND type = 'f'",
                    (f"clientbase_journey_history_{column}_fkey",),
                )
                _logger.info("Dropped clientbase_journey_history.%s, read through the member now", column)

    @api.model
    def _upgrade_mailing_recipients(self):
        """The journeys' mailings of earlier versions name their recipients by a path a
        mass-mailing user may not read: they name them as this version does."""
        cr = self.env.cr
        Mailing = self.env["mailing.mailing"].sudo().with_context(active_test=False)
        mailings = Mailing.search(
            [("clientbase_journey_step_id", "!=", False), ("mailing_domain", "like", OLD_RECIPIENTS_PATH)]
        )
        for mailing in mailings:
            # (SQL: the mailing's compute and tracking are not for this)
            cr.execute(
                "UPDATE mailing_mailing SET mailing_domain = %s WHERE id = %s",
                (repr(mailing._clientbase_journey_recipients_domain()), mailing.id),
            )
        mailings.invalidate_recordset(["mailing_domain"])

    @api.model
    def _upgrade_drop_greeting_markers(self):
        """The former greeting's marks of the day it greeted each client (by email, by SMS) go:
        the journey's entries are its marks now, and nothing reads them; kept, they would be a
        copy of the birthday that "Forget this client" no longer erases."""
        cr = self.env.cr
        for column in OLD_GREETING_COLUMNS:
            if sql.column_exists(cr, "res_partner", column):
                cr.execute(SQL("ALTER TABLE res_partner DROP COLUMN %s", SQL.identifier(column)))
                _logger.info("Dropped res_partner.%s, the former birthday greeting's mark", column)

    @api.model
    def _upgrade_birthday_greeting(self):
        """Companies that had the greeting switched on get the journey switched on."""
        cr = self.env.cr
        if not sql.column_exists(cr, "res_company", "clientbase_birthday_greeting"):
            return
        journey = self.env.ref("clientbase_crm.journey_birthday", raise_if_not_found=False)
        if journey:
            # the ready journey as this version ships it (its data are not updated): beside the
            # other journeys, greeting by the channel each client consented to
            journey.sudo().write({"exclusive": False})
            journey.sudo().step_ids.filtered(lambda s: s.kind in ("email", "sms")).write(
                {"leave_if_refused": False}
            )
        rows = self.env.execute_query(
            SQL("SELECT id FROM res_company WHERE clientbase_birthday_greeting IS TRUE ORDER BY id")
        )
        companies = self.env["res.company"].sudo().browse([row[0] for row in rows])
        companies.write({"clientbase_birthday_greeting": True})
        cr.execute("ALTER TABLE res_company DROP COLUMN clientbase_birthday_greeting")

    @api.model
    def _upgrade_winback_reminder(self):
        """The former job's reminders are the journey's: it takes every win-back date reached
        that it has not reminded yet (the past ones too, as the job did); the job goes."""
        cron = self.env.ref(OLD_WINBACK_CRON, raise_if_not_found=False)
        if not cron:
            return
        journey = self.env.ref("clientbase_crm.journey_winback_reminder", raise_if_not_found=False)
        if journey:
            journey.sudo().active = cron.active
        cron.sudo().unlink()
