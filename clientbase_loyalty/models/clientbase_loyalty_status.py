import logging
import time

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)
# the partner's fields computed from a client's status: forgotten when a status changes
PARTNER_LEVEL_FIELDS = [
    "client_loyalty_level_id",
    "client_loyalty_level_date",
    "client_loyalty_receipts",
    "client_loyalty_next_level_id",
    "client_loyalty_to_next",
    "client_loyalty_progress",
    "client_loyalty_level_manual_id",
    "client_loyalty_level_reason",
]


class ClientbaseLoyaltyStatus(models.Model):
    """The loyalty level of one client (commercial partner) in one company.

    A narrow table kept set-based by :meth:`_refresh_levels` (one statement per company)
    after the segmentation engine's nightly run and its instant updates (an order
    confirmed or cancelled), from the receipts of the client's confirmed orders: the
    figures' all-time revenue, or the orders of the company's rolling window. A level set
    by hand (with its reason) wins over the computed one until it is cleared. Each change
    of the level a client holds is a row of the segment history (dimension ``level``).

    Rows exist for the clients who hold or held a level (or got one by hand); the others
    have no level.
    """

    _name = "clientbase.loyalty.status"
    _description = "Client Loyalty Level Status"
    _rec_name = "partner_id"
    _order = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    receipts = fields.Monetary(
        readonly=True, help="The receipts the level is computed from (all time or the rolling window)."
    )
    computed_level_id = fields.Many2one(
        "clientbase.loyalty.level", string="Level by Receipts", readonly=True, ondelete="set null"
    )
    manual_level_id = fields.Many2one(
        "clientbase.loyalty.level",
        string="Level Set by Hand",
        ondelete="set null",
        help="Wins over the level by receipts until it is cleared.",
    )
    manual_reason = fields.Char(string="Reason for the Level Set by Hand")
    level_id = fields.Many2one(
        "clientbase.loyalty.level",
        compute="_compute_level_id",
        store=True,
        ondelete="set null",
        index=True,
    )
    level_date = fields.Datetime(string="Level Since", readonly=True)

    _sql_constraints = [
        (
            "client_company_uniq",
            "UNIQUE (partner_id, company_id)",
            "A client has one loyalty level per company.",
        )
    ]

    @api.depends("computed_level_id", "manual_level_id")
    def _compute_level_id(self):
        for status in self:
            status.level_id = status.manual_level_id or status.computed_level_id

    @api.constrains("manual_level_id", "manual_reason")
    def _check_manual_reason(self):
        for status in self:
            if status.manual_level_id and not (status.manual_reason or "").strip():
                raise ValidationError(
                    self.env._(
                        "Say why the level of %(client)s is set by hand.", client=status.partner_id.name
                    )
                )
            if status.manual_level_id and status.manual_level_id.company_id != status.company_id:
                raise ValidationError(
                    self.env._("A level set by hand must be a level of the client's company.")
                )

    def write(self, vals):
        before = {status: status.level_id for status in self}
        result = super().write(vals)
        if "manual_level_id" in vals:
            now = fields.Datetime.now()
            changed = self.filtered(lambda s: s.level_id != before[s])
            changed.level_date = now
            self.env["clientbase.segment.history"].sudo().create(
                [
                    {
                        "partner_id": status.partner_id.id,
                        "company_id": status.company_id.id,
                        "dimension": "level",
                        "old_value": str(before[status].id) if before[status] else False,
                        "new_value": str(status.level_id.id) if status.level_id else False,
                        "date": now,
                    }
                    for status in changed
                ]
            )
            self.env["res.partner"].invalidate_model(PARTNER_LEVEL_FIELDS)
        return result

    # ------------------------------------------------------------------
    # The set-based refresh
    # ------------------------------------------------------------------
    @api.model
    def _get_receipts_query(self, company, scope):
        """``SELECT partner_id, receipts`` of the company's clients in ``scope`` (a condition on
        ``f.partner_id``): the figures' all-time revenue, or, with a rolling window, the
        untaxed amounts of the confirmed orders of its last months (the client's own and its
        contacts', in the company's currency, as the figures sum them)."""
        months = company.client_loyalty_window_months
        if not months:
            return SQL(
                "SELECT f.partner_id, f.revenue AS receipts FROM clientbase_client_figures f"
                " WHERE f.company_id = %s AND %s",
                company.id,
                scope,
            )
        since = fields.Datetime.now() - relativedelta(months=months)
        return SQL(
            """
            SELECT f.partner_id, COALESCE(w.receipts, 0) AS receipts
              FROM clientbase_client_figures f
              LEFT JOIN (
                    SELECT p.commercial_partner_id AS partner_id,
                           ROUND(SUM(CASE WHEN so.currency_id = %(currency)s OR COALESCE(so.currency_rate, 0) = 0
                                          THEN so.amount_untaxed::float8
                                          ELSE so.amount_untaxed::float8 / so.currency_rate END
                                 )::numeric, 2)::float8 AS receipts
                      FROM sale_order so
                      JOIN res_partner p ON p.id = so.partner_id
                     WHERE so.state = 'sale' AND so.company_id = %(company)s AND so.date_order >= %(since)s
                       AND NOT COALESCE(p.client_mailing_only, FALSE)
                     GROUP BY p.commercial_partner_id
                   ) w ON w.partner_id = f.partner_id
             WHERE f.company_id = %(company)s AND %(scope)s
            """,
            currency=company.currency_id.id,
            company=company.id,
            since=since,
            scope=scope,
        )

    @api.model
    def _get_refresh_query(self, company, scope):
        """One statement: the level each client in ``scope`` reaches (the active level of the
        company with the highest threshold not above its receipts: the band of receipts from its
        threshold to the next one's, joined once, not a level looked up per client), written where it differs
        (new rows for new holders), with a history row for each client whose level (a
        level set by hand winning) changed. Returns one row: the rows written."""
        now = fields.Datetime.now()
        return SQL(
            """
            WITH bands AS (
                SELECT b.id, b.threshold, lead(b.threshold) OVER (ORDER BY b.threshold) AS next_threshold
                  FROM (SELECT DISTINCT ON (l.threshold) l.id, l.threshold FROM clientbase_loyalty_level l
                         WHERE l.company_id = %(company)s AND l.active ORDER BY l.threshold, l.id) b
            ),
            target AS (
                SELECT r.partner_id, r.receipts, b.id AS level_id
                  FROM (%(receipts)s) r
                  LEFT JOIN bands b ON b.threshold <= r.receipts
                                   AND (b.next_threshold IS NULL OR r.receipts < b.next_threshold)
            ),
            changed AS (
                SELECT t.partner_id, t.receipts, t.level_id, s.id AS status_id, s.level_id AS old_level,
                       COALESCE(s.manual_level_id, t.level_id) AS new_level
                  FROM target t
                  LEFT JOIN clientbase_loyalty_status s ON s.partner_id = t.partner_id AND s.company_id = %(company)s
                 WHERE (s.id IS NULL AND t.level_id IS NOT NULL)
                    OR (s.id IS NOT NULL AND (s.computed_level_id IS DISTINCT FROM t.level_id
                                              OR s.receipts IS DISTINCT FROM t.receipts))
            ),
            inserted AS (
                INSERT INTO clientbase_loyalty_status
                       (partner_id, company_id, receipts, computed_level_id, level_id, level_date,
                        create_uid, create_date, write_uid, write_date)
                SELECT c.partner_id, %(company)s, c.receipts, c.level_id, c.new_level, %(now)s,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM changed c WHERE c.status_id IS NULL
            ),
            updated AS (
                UPDATE clientbase_loyalty_status s
                   SET receipts = c.receipts, computed_level_id = c.level_id, level_id = c.new_level,
                       level_date = CASE WHEN c.new_level IS DISTINCT FROM c.old_level THEN %(now)s
                                         ELSE s.level_date END,
                       write_uid = %(uid)s, write_date = %(now)s
                  FROM changed c
                 WHERE s.id = c.status_id
            ),
            history AS (
                INSERT INTO clientbase_segment_history (partner_id, company_id, dimension, old_value, new_value, date)
                SELECT c.partner_id, %(company)s, 'level', c.old_level::text, c.new_level::text, %(now)s
                  FROM changed c WHERE c.new_level IS DISTINCT FROM c.old_level
            )
            SELECT COUNT(*) FROM changed
            """,
            receipts=self._get_receipts_query(company, scope),
            company=company.id,
            now=now,
            uid=self.env.uid,
        )

    @api.model
    def _refresh_levels(self, partner_ids=None, companies=None, scope=None):
        """Bring the levels of the clients ``partner_ids`` (commercial partners; all clients
        when None) up to date in ``companies`` (all when None): one statement per company.
        A company without levels, and without clients holding one, costs nothing.

        :param scope: instead of ``partner_ids``, SQL of the partner ids (a value for ``IN``),
            e.g. the partners the nightly segments refresh took (``clientbase_segment.py``)
        :return: rows written
        """
        if partner_ids is not None and not partner_ids:
            return 0
        cr = self.env.cr
        companies = companies or self.env["res.company"].sudo().with_context(active_test=False).search(
            [("id", "!=", False)]
        )
        self.env.flush_all()
        written = 0
        for company in companies:
            cr.execute(
                SQL(
                    "SELECT EXISTS (SELECT 1 FROM clientbase_loyalty_level WHERE company_id = %(c)s AND active)"
                    " OR EXISTS (SELECT 1 FROM clientbase_loyalty_status WHERE company_id = %(c)s"
                    " AND computed_level_id IS NOT NULL)",
                    c=company.id,
                )
            )
            if not cr.fetchone()[0]:
                continue
            start = time.time()
            if scope is not None:
                condition = SQL("f.partner_id IN %s", scope)
            elif partner_ids is not None:
                condition = SQL("f.partner_id = ANY(%s)", list(partner_ids))
            else:
                condition = SQL("TRUE")
            cr.execute(self._get_refresh_query(company, condition))
            rows = cr.fetchone()[0]
            written += rows
            if partner_ids is None and scope is None:
                _logger.info(
                    "Client loyalty levels: company %s, %s rows written in %.2f s",
                    company.id,
                    rows,
                    time.time() - start,
                )
        if written:
            self.invalidate_model()
            self.env["clientbase.segment.history"].invalidate_model()
        # the receipts moved even where no level did
        self.env["res.partner"].invalidate_model(PARTNER_LEVEL_FIELDS)
        return written

    @api.model
    def _receipts_of(self, partners, company):
        """{commercial partner id: receipts} of ``partners`` in ``company`` (the card's
        progress), by the same query as the refresh."""
        ids = list(set(partners.commercial_partner_id.ids))
        if not ids:
            return {}
        self.env.flush_all()
        self.env.cr.execute(self._get_receipts_query(company, SQL("f.partner_id = ANY(%s)", ids)))
        return dict(self.env.cr.fetchall())
