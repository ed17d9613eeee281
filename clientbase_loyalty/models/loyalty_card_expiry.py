import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.addons.clientbase_crm.tools.sql_planning import analyze_if_stale
from odoo.exceptions import ValidationError
from odoo.tools import SQL, sql

_logger = logging.getLogger(__name__)
# cards of a program handled per statement by the nightly expiry
EXPIRY_BATCH = 50_000
HISTORY_CARD_INDEX = "loyalty_history_clientbase_card_idx"


class LoyaltyProgram(models.Model):
    """How long the points of a program's cards last: Odoo 18 dates a card (its
    ``expiration_date``), not its points; here each grant of points (a history line that issued
    them: an order's, a client-base event's, a balance update's) expires N months after it was
    made, for what of it is not spent by then."""

    _inherit = "loyalty.program"

    clientbase_points_expiry_months = fields.Integer(
        string="Points Expire After (Months)",
        default=0,
        help="Points earned or granted more than this many months ago and not spent by then expire "
        "in the nightly run, the oldest first (spending uses the oldest points first). The card's "
        "history shows each expiry. 0: points never expire.",
    )

    @api.constrains("clientbase_points_expiry_months")
    def _check_clientbase_points_expiry_months(self):
        if any(program.clientbase_points_expiry_months < 0 for program in self):
            raise ValidationError(self.env._("The points' lifetime is a number of months, zero or more."))


class LoyaltyHistory(models.Model):
    _inherit = "loyalty.history"

    clientbase_expiry = fields.Boolean(
        string="Points Expired",
        readonly=True,
        help="The points of this line expired by age (the program's lifetime of points); they were not spent.",
    )

    def init(self):
        res = super().init()
        # the expiry and the grants read a card's history lines: Odoo does not index them by card
        if not sql.index_exists(self.env.cr, HISTORY_CARD_INDEX):
            self.env.cr.execute(
                SQL(
                    "CREATE INDEX %s ON loyalty_history (card_id)",
                    SQL.identifier(HISTORY_CARD_INDEX),
                )
            )
        return res


class LoyaltyCard(models.Model):
    """The nightly expiry of the points by age, set-based and first in, first out.

    For a card, the points issued before the cutoff (now minus the program's lifetime) that are
    still on it are what was issued before the cutoff less everything used since the card began
    (spent and expired before): spending takes the oldest points first, so whatever was used
    came out of the old points first. That amount, never more than the card's balance, is
    written off in one statement per batch of cards: a line of the card's history marked
    *expired* (``used``) and the card's points lowered by as much. The expiry counts as used, so
    a second run on the same day (or a run killed and rerun) finds nothing more to expire.
    Points put on a card without a history line (a balance typed into the card) are not dated
    and never expire.
    """

    _inherit = "loyalty.card"

    @api.model
    def _cron_clientbase_expire_points(self):
        """The nightly job: every program with a lifetime of points."""
        return self._clientbase_expire_points()

    @api.model
    def _clientbase_expire_points(self, programs=None, batch=EXPIRY_BATCH):
        """Expire the points older than their program's lifetime on the cards of ``programs``
        (every program with a lifetime when None).

        :return: (cards with points expired, points expired)
        """
        Program = self.env["loyalty.program"].sudo()
        programs = (programs or Program.search([("clientbase_points_expiry_months", ">", 0)])).sudo()
        self.env.flush_all()
        # planned on the statistics of tables just filled (a mass grant), the batch took 170 s for 3
        analyze_if_stale(self.env.cr, ["loyalty_card", "loyalty_history"])
        now = fields.Datetime.now()
        total_cards, total_points = 0, 0.0
        for program in programs.filtered(lambda p: p.clientbase_points_expiry_months > 0):
            cutoff = now - relativedelta(months=program.clientbase_points_expiry_months)
            lang = program.company_id.partner_id.lang or self.env.lang
            description = self.with_context(lang=lang).env._(
                "Expired: points earned before %(date)s", date=fields.Date.to_string(cutoff.date())
            )
            after = 0
            while True:
                self.env.cr.execute(
                    self._clientbase_expiry_query(program, cutoff, description, after, batch, now)
                )
                last, cards, points = self.env.cr.fetchone()
                total_cards += cards
                total_points += points
                if last is None:
                    break
                after = last
        if total_cards:
            self.invalidate_model(["points", "points_display", "history_ids"])
            self.env["loyalty.history"].invalidate_model()
            _logger.info("Loyalty points expired by age: %s points on %s cards", total_points, total_cards)
        return total_cards, total_points

    @api.model
    def _clientbase_expiry_query(self, program, cutoff, description, after, batch, now):
        """One batch of the program's cards (ids above ``after``): the points due to expire
        written off. Returns one row: the batch's last card id (NULL when no card was left), the
        cards touched and the points expired."""
        return SQL(
            """
            WITH cards AS (
                SELECT c.id, c.points FROM loyalty_card c
                 WHERE c.program_id = %(program)s AND c.id > %(after)s
                 ORDER BY c.id LIMIT %(batch)s
                   FOR UPDATE OF c
            ),
            due AS (
                SELECT k.id AS card_id,
                       LEAST(k.points, COALESCE(SUM(h.issued) FILTER (WHERE h.create_date < %(cutoff)s), 0)
                                       - COALESCE(SUM(h.used), 0)) AS points
                  FROM cards k JOIN loyalty_history h ON h.card_id = k.id
                 WHERE k.points > 0
                 GROUP BY k.id, k.points
            ),
            history AS (
                INSERT INTO loyalty_history (card_id, description, issued, used, clientbase_expiry,
                                             create_uid, create_date, write_uid, write_date)
                SELECT d.card_id, %(description)s, 0, d.points, TRUE, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM due d WHERE d.points > 0
            ),
            written AS (
                UPDATE loyalty_card c SET points = c.points - d.points, write_uid = %(uid)s, write_date = %(now)s
                  FROM due d WHERE c.id = d.card_id AND d.points > 0
                RETURNING d.points
            )
            SELECT (SELECT MAX(id) FROM cards), (SELECT COUNT(*) FROM written),
                   (SELECT COALESCE(SUM(points), 0) FROM written)::float8
            """,
            program=program.id,
            after=after,
            batch=batch,
            cutoff=cutoff,
            description=description,
            uid=self.env.uid,
            now=now,
        )

    @api.model
    def _clientbase_points_expiring_query(self, program, moment):
        """``SELECT card_id, points``: on the program's active cards, the points that will have
        expired by age at ``moment`` (a datetime) unless spent before; for a reminder of points
        about to expire (e.g. ``moment`` = in 30 days). Empty when the program has no lifetime."""
        months = program.clientbase_points_expiry_months
        if months <= 0:
            return SQL("SELECT NULL::int AS card_id, NULL::float8 AS points WHERE FALSE")
        due = SQL(
            "LEAST(c.points, COALESCE(SUM(h.issued) FILTER (WHERE h.create_date < %s), 0) - COALESCE(SUM(h.used), 0))",
            moment - relativedelta(months=months),
        )
        return SQL(
            """
            SELECT c.id AS card_id, %(due)s AS points
              FROM loyalty_card c JOIN loyalty_history h ON h.card_id = c.id
             WHERE c.program_id = %(program)s AND c.active AND c.points > 0
             GROUP BY c.id, c.points
            HAVING %(due)s > 0
            """,
            due=due,
            program=program.id,
        )
