from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ...tools.concurrency import retry_on_concurrency

# An order placed this long after a mailing is still attributed to it.
ORDER_ATTRIBUTION_DAYS = 90


class MailingTrace(models.Model):
    """Bring responses to mailings back to the client base.

    A scheduled job reads opens, clicks and replies of mailings sent to
    clients (``res.partner`` traces) and the confirmed orders attributed to a
    mailing (same UTM source), stamps the client's "Responded to Offer On"
    date and logs an interaction for real answers. Each trace is handled once
    per kind of response (the two flags below), so the job is idempotent.
    """

    _inherit = "mailing.trace"

    clientbase_response_synced = fields.Boolean(copy=False, readonly=True)
    clientbase_order_synced = fields.Boolean(copy=False, readonly=True)

    def init(self):
        # the frequency cap and the order attribution read the traces of a recent period;
        # the response job reads the responses not synced yet (a small part of the table)
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS mailing_trace_clientbase_create_date_idx ON mailing_trace (create_date)"
        )
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS mailing_trace_clientbase_response_todo_idx ON mailing_trace (id)
             WHERE model = 'res.partner'
               AND clientbase_response_synced IS NOT TRUE
               AND (trace_status IN ('open', 'reply') OR open_datetime IS NOT NULL
                    OR reply_datetime IS NOT NULL OR links_click_datetime IS NOT NULL)
            """
        )

    @api.model
    def _get_response_batch_query(self, limit):
        return SQL(
            """
            SELECT t.id, t.res_id, t.mass_mailing_id,
                   GREATEST(t.open_datetime, t.reply_datetime, t.links_click_datetime, t.create_date),
                   CASE WHEN t.trace_status = 'reply' OR t.reply_datetime IS NOT NULL THEN 'reply'
                        WHEN t.links_click_datetime IS NOT NULL THEN 'click'
                        ELSE 'open' END
              FROM mailing_trace t
              JOIN res_partner p ON p.id = t.res_id
             WHERE t.model = 'res.partner'
               AND t.clientbase_response_synced IS NOT TRUE
               AND (t.trace_status IN ('open', 'reply') OR t.open_datetime IS NOT NULL
                    OR t.reply_datetime IS NOT NULL OR t.links_click_datetime IS NOT NULL)
             ORDER BY t.id
             LIMIT %s
            """,
            limit,
        )

    @api.model
    def _get_order_batch_query(self, limit):
        since = fields.Datetime.now() - timedelta(days=ORDER_ATTRIBUTION_DAYS)
        return SQL(
            """
            SELECT t.id, t.res_id, t.mass_mailing_id, so.date_order, 'order', so.id
              FROM mailing_trace t
              JOIN mailing_mailing m ON m.id = t.mass_mailing_id
              JOIN res_partner p ON p.id = t.res_id
              JOIN LATERAL (
                    SELECT o.id, o.date_order
                      FROM sale_order o
                      JOIN res_partner op ON op.id = o.partner_id
                     WHERE o.source_id = m.source_id
                       AND o.state = 'sale'
                       AND op.commercial_partner_id = p.commercial_partner_id
                       AND o.date_order >= date_trunc('second', t.create_date)  -- orders keep whole seconds
                     ORDER BY o.date_order, o.id
                     LIMIT 1
                   ) so ON TRUE
             WHERE t.model = 'res.partner'
               AND t.clientbase_order_synced IS NOT TRUE
               AND t.create_date >= %s
               AND m.source_id IS NOT NULL
             ORDER BY t.id
             LIMIT %s
            """,
            since,
            limit,
        )

    @api.model
    @retry_on_concurrency
    def _cron_sync_mailing_responses(self, batch_size=1000, max_batches=20):
        """Set-based, bounded and idempotent: each trace is synced once per kind of response."""
        done = 0
        for flag, query_method in (
            ("clientbase_response_synced", self._get_response_batch_query),
            ("clientbase_order_synced", self._get_order_batch_query),
        ):
            for _batch in range(max_batches):
                self.env.flush_all()
                rows = self.env.execute_query(query_method(batch_size))
                if not rows:
                    break
                self._sync_response_rows(rows, flag)
                done += len(rows)
                if len(rows) < batch_size:
                    break
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)
        return done

    @api.model
    def _sync_response_rows(self, rows, flag):
        """rows: (trace id, partner id, mailing id, response datetime, kind[, order id])."""
        Partner = self.env["res.partner"]
        partners = Partner.browse({row[1] for row in rows}).exists()
        # the response counts for the contact and for its commercial entity (where figures live)
        commercial_of = {partner.id: partner.commercial_partner_id.id for partner in partners}
        dates = {}
        for row in rows:
            if row[1] not in commercial_of or not row[3]:
                continue
            for partner_id in {row[1], commercial_of[row[1]]}:
                dates[partner_id] = max(dates.get(partner_id, row[3]), row[3])
        if dates:
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE res_partner p
                       SET client_last_mailing_response_date = GREATEST(p.client_last_mailing_response_date, v.day)
                      FROM (SELECT unnest(%s::int[]) AS id, unnest(%s::date[]) AS day) v
                     WHERE p.id = v.id
                    """,
                    list(dates),
                    [value.date() for value in dates.values()],
                )
            )
            Partner.invalidate_model(["client_last_mailing_response_date"])
        self._log_response_interactions([row for row in rows if row[1] in commercial_of])
        self.env.cr.execute(
            SQL(
                "UPDATE mailing_trace SET %s = TRUE WHERE id = ANY(%s)",
                SQL.identifier(flag),
                [row[0] for row in rows],
            )
        )
        self.invalidate_model([flag])

    @api.model
    def _log_response_interactions(self, rows):
        """Clicks, replies and orders are answers to an offer: log them as interactions.

        Opens only stamp the response date: an opened email is not a contact
        and must not count as one (it would silence contact reminders).
        """
        if "clientbase.interaction" not in self.env:
            return
        Interaction = self.env["clientbase.interaction"]
        mailings = self.env["mailing.mailing"].browse({row[2] for row in rows}).exists()
        mailing_by_id = {mailing.id: mailing for mailing in mailings}
        results = {"click": "other", "reply": "reached", "order": "offer_accepted"}
        vals_list = []
        for row in rows:
            kind = row[4]
            if kind not in results:
                continue
            mailing = mailing_by_id.get(row[2])
            name = (mailing.subject or mailing.name) if mailing else ""
            if kind == "click":
                note = self.env._("Clicked a link in the mailing %(mailing)s.", mailing=name)
            elif kind == "reply":
                note = self.env._("Replied to the mailing %(mailing)s.", mailing=name)
            else:
                note = self.env._("Ordered after the mailing %(mailing)s.", mailing=name)
            vals = {
                "client_id": row[1],
                "kind": "email",
                "result": results[kind],
                "date": row[3],
                "mailing_id": mailing.id if mailing else False,
                "note": note,
            }
            if mailing and mailing.user_id:
                vals["user_id"] = mailing.user_id.id
            if kind == "order" and "sale_order_id" in Interaction._fields:
                vals["sale_order_id"] = row[5]
            vals_list.append(vals)
        if vals_list:
            Interaction.sudo().with_context(mail_create_nolog=True, tracking_disable=True).create(vals_list)
