import logging
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ...tools.client_definition import client_sql
from .clientbase_client_figures import ABC_CLASSES, PERSONAS, RFM_SEGMENTS, STAGES, WARMTH

_logger = logging.getLogger(__name__)

# the dimensions of a snapshot, and how the figures row gives each (values set by hand win)
DIMENSIONS = {
    "stage": "f.current_stage",
    "rfm_segment": "f.rfm_segment",
    "abc_class": "f.abc_class",
    "is_vip": "COALESCE(f.is_vip, FALSE)",
    "warmth": "f.current_warmth",
    "persona": "COALESCE(f.persona, f.persona_suggested)",
}
# the value of a client without a snapshot (no figures row): what the card shows for it
MATRIX_DEFAULTS = {"stage": "potential", "warmth": "cold", "is_vip": "false"}
SNAPSHOT_DIMENSIONS = [
    ("stage", "Stage"),
    ("rfm_segment", "RFM Segment"),
    ("abc_class", "ABC Class"),
    ("is_vip", "VIP"),
    ("warmth", "Warmth"),
    ("persona", "Persona"),
]


class ClientbaseSegmentSnapshot(models.Model):
    """Monthly snapshots of every client's segments, stored as changes (``METRICS.md``).

    One row per client and period of unchanged values: the row valid in month M (``month_from``
    <= M and, when set, M < ``month_to``) holds the client's stage, RFM segment, ABC class, VIP,
    warmth and persona as the last nightly run of M computed them. The nightly job rewrites the
    open row of a client whose values changed this month, or closes it and opens a new one; at
    1M clients and 24 months the table holds the clients once plus their changes.
    """

    _name = "clientbase.segment.snapshot"
    _description = "Client Segment Snapshot"
    _order = "month_from desc, id desc"
    _log_access = False
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade", readonly=True)
    month_from = fields.Date(required=True, readonly=True, help="First month of these values.")
    month_to = fields.Date(readonly=True, help="First month of the next values (empty: still current).")
    stage = fields.Selection(STAGES, readonly=True)
    rfm_segment = fields.Selection(RFM_SEGMENTS, string="RFM Segment", readonly=True)
    abc_class = fields.Selection(ABC_CLASSES, string="ABC Class", readonly=True)
    is_vip = fields.Boolean(string="VIP", readonly=True)
    warmth = fields.Selection(WARMTH, readonly=True)
    persona = fields.Selection(PERSONAS, readonly=True)

    def init(self):
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS clientbase_segment_snapshot_open_idx ON clientbase_segment_snapshot"
            " (company_id, partner_id) WHERE month_to IS NULL"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS clientbase_segment_snapshot_partner_idx ON clientbase_segment_snapshot"
            " (partner_id, month_from)"
        )

    @api.model
    def _take(self, company, today=None):
        """Record this month's values of the company's clients; return the ids of the VIP
        clients who slipped (VIP no more, or inactive) since the last snapshot. Safe to re-run."""
        month = (today or fields.Date.context_today(self)).replace(day=1)
        self.env["clientbase.client.figures"].flush_model()
        self.env["clientbase.segment.history"].flush_model()
        cr = self.env.cr
        taken_at = fields.Datetime.now()
        since = company.sudo().client_snapshot_at
        cr.execute(SQL("SELECT 1 FROM clientbase_segment_snapshot WHERE company_id = %s LIMIT 1", company.id))
        # the clients whose segments changed since the last snapshot: their history says so (every
        # change of stage, RFM segment, ABC, VIP, warmth and persona is there, and a new client's
        # first values); with a margin for the runs that were still writing then
        changed = SQL("TRUE")
        if since and cr.fetchone():
            changed = SQL(
                "f.partner_id IN (SELECT partner_id FROM clientbase_segment_history"
                " WHERE company_id = %s AND date >= %s)",
                company.id,
                since - timedelta(hours=1),
            )
        values = SQL(", ").join(SQL(f"{expression} AS {name}") for name, expression in DIMENSIONS.items())
        same = SQL(" AND ").join(SQL(f"o.{name} IS NOT DISTINCT FROM c.{name}") for name in DIMENSIONS)
        names = SQL(", ").join(SQL(name) for name in DIMENSIONS)
        cr.execute(
            SQL(
                """
            CREATE TEMP TABLE clientbase_snapshot_changed ON COMMIT DROP AS
            SELECT c.*, o.id AS open_id, o.month_from AS open_from, o.is_vip AS was_vip, o.stage AS was_stage
              FROM (SELECT f.partner_id, %(values)s FROM clientbase_client_figures f
                      JOIN res_partner cp ON cp.id = f.partner_id
                     WHERE f.company_id = %(company)s AND %(changed)s AND %(is_client)s) c
              LEFT JOIN clientbase_segment_snapshot o
                     ON o.company_id = %(company)s AND o.partner_id = c.partner_id AND o.month_to IS NULL
             WHERE o.id IS NULL OR NOT (%(same)s)
                """,
                values=values,
                company=company.id,
                same=same,
                changed=changed,
                is_client=client_sql("cp"),
            )
        )
        # changed again within the month: the month's row takes the new values
        cr.execute(
            SQL(
                "UPDATE clientbase_segment_snapshot s SET (%(names)s) = (SELECT %(c_names)s)"
                " FROM clientbase_snapshot_changed c WHERE s.id = c.open_id AND c.open_from = %(month)s",
                names=names,
                c_names=SQL(", ").join(SQL(f"c.{name}") for name in DIMENSIONS),
                month=month,
            )
        )
        cr.execute(
            SQL(
                "UPDATE clientbase_segment_snapshot s SET month_to = %(month)s"
                " FROM clientbase_snapshot_changed c WHERE s.id = c.open_id AND c.open_from < %(month)s",
                month=month,
            )
        )
        cr.execute(
            SQL(
                "INSERT INTO clientbase_segment_snapshot (partner_id, company_id, month_from, %(names)s)"
                " SELECT partner_id, %(company)s, %(month)s, %(names)s FROM clientbase_snapshot_changed"
                " WHERE open_id IS NULL OR open_from < %(month)s",
                names=names,
                company=company.id,
                month=month,
            )
        )
        written = cr.rowcount
        cr.execute(
            """SELECT partner_id FROM clientbase_snapshot_changed
                WHERE was_vip AND (NOT is_vip OR (stage = 'inactive' AND was_stage IS DISTINCT FROM 'inactive'))"""
        )
        slipped = [row[0] for row in cr.fetchall()]
        cr.execute("DROP TABLE clientbase_snapshot_changed")
        company.sudo().client_snapshot_at = taken_at
        self.invalidate_model()
        _logger.info(
            "Client segment snapshot of %s: %s new rows, %s VIP clients slipped", month, written, len(slipped)
        )
        return slipped

    @api.model
    def _matrix_values_at(self, company, dimension, month):
        """SQL of ``(partner_id, value)``: the ``dimension``'s value of the company's clients at
        the end of ``month`` (any day of it), from the monthly snapshots; addons add dimensions
        kept elsewhere (the loyalty level). ValueError for a dimension nobody keeps."""
        if dimension not in DIMENSIONS:
            raise ValueError(dimension)
        self.flush_model()
        month = month.replace(day=1)
        return SQL(
            "SELECT partner_id, %s::text AS value FROM clientbase_segment_snapshot"
            " WHERE company_id = %s AND month_from <= %s AND (month_to IS NULL OR month_to > %s)",
            SQL.identifier(dimension),
            company.id,
            month,
            month,
        )

    @api.model
    def _matrix(self, company, dimension, month_a, month_b, own_sql=None):
        """[(value at A, value at B, clients)] of the company's clients at the end of month B
        (every one of them: the matrix's total is the base); a value is ``None`` when the partner
        was not a client yet at that month (created later), ``""`` when the client had no value
        (no RFM segment yet...). A client without a snapshot has the values of a client without
        figures (a potential, cold, not VIP). A client is one at a month when it was created by its
        end or has a value then (``_matrix_values_at``). ``own_sql(column)`` restricts to the
        clients the user handles."""
        at_a = self._matrix_values_at(company, dimension, month_a)
        at_b = self._matrix_values_at(company, dimension, month_b)
        self.env["res.partner"].flush_model()
        default = MATRIX_DEFAULTS.get(dimension, "")

        def end(month):
            return month.replace(day=1) + relativedelta(months=1)

        return self.env.execute_query(
            SQL(
                """SELECT CASE WHEN a.partner_id IS NULL AND cp.create_date >= %(end_a)s THEN NULL
                               ELSE COALESCE(a.value, %(default)s) END,
                          COALESCE(b.value, %(default)s), COUNT(*)
                     FROM res_partner cp
                     LEFT JOIN (%(at_a)s) a ON a.partner_id = cp.id
                     LEFT JOIN (%(at_b)s) b ON b.partner_id = cp.id
                    WHERE cp.active AND COALESCE(cp.company_id, %(company)s) = %(company)s
                      AND (cp.create_date < %(end_b)s OR b.partner_id IS NOT NULL) AND %(is_client)s AND %(own)s
                    GROUP BY 1, 2""",
                at_a=at_a,
                at_b=at_b,
                end_a=end(month_a),
                end_b=end(month_b),
                default=default,
                company=company.id,
                is_client=client_sql("cp"),
                own=own_sql(SQL("cp.id")) if own_sql else SQL("TRUE"),
            )
        )
