from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

PURGE_BATCH = 10000


class ClientbaseChangeLog(models.Model):
    """How long the change log keeps a change: the company's retention period, a cron
    that deletes older rows in bounded batches."""

    _inherit = "clientbase.change.log"

    @api.model
    def _get_expired_query(self, company, limit=None):
        """Ids of the rows older than ``company``'s retention period, of its clients (and of
        the clients of no company, when it is the current company)."""
        cutoff = fields.Datetime.now() - timedelta(days=company.clientbase_change_log_days)
        companies = SQL("partner.company_id = %s", company.id)
        if company == self.env.company:
            companies = SQL("(%s OR partner.company_id IS NULL)", companies)
        return SQL(
            """SELECT log.id FROM clientbase_change_log log
               JOIN res_partner partner ON partner.id = log.partner_id
               WHERE log.date < %s AND %s ORDER BY log.id %s""",
            cutoff,
            companies,
            SQL("LIMIT %s", limit) if limit else SQL(),
        )

    @api.model
    def _cron_purge_change_log(self, batch_size=PURGE_BATCH):
        """Delete at most ``batch_size`` expired rows per company and report the progress: the
        scheduler calls again at once while rows remain (a retention of 0 days keeps all)."""
        done = remaining = 0
        for company in self.env["res.company"].sudo().search([("clientbase_change_log_days", ">", 0)]):
            self.env.cr.execute(
                SQL(
                    "DELETE FROM clientbase_change_log WHERE id IN (%s)",
                    self._get_expired_query(company, batch_size),
                )
            )
            done += self.env.cr.rowcount
            self.env.cr.execute(SQL("SELECT COUNT(*) FROM (%s) expired", self._get_expired_query(company)))
            remaining += self.env.cr.fetchone()[0]
        self.invalidate_model()
        self.env["res.partner"].invalidate_model(["client_change_log_ids"])
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done, remaining
