"""The journeys' loyalty triggers: a client reached a loyalty level, a client's points are about
to expire.

*Reached a level*: a row of the segment history's ``level`` dimension (the level refresh writes
one when a client's level changes) to a level of at least the chosen one's threshold, from a
lower one or none; so a client who jumps from Silver to Platinum has reached Gold too. Taken
once, after the journey's mark in the history, as the other history triggers.

*Points about to expire*: a points card of the company (a program of the Loyalty Cards type)
with points, whose expiration date is today or in the next N days. Odoo 18 dates a card, not
its points (``readme/USAGE.md``). Taken once per card and expiration date: every card in the
window that has not entered for that date, so a day missed, or a date moved, is taken by the
next run, and a rerun takes nobody twice.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

LOYALTY_TRIGGERS = [
    ("loyalty_level", "Reached a loyalty level"),
    ("points_expiring", "Points about to expire"),
]


class ClientbaseJourney(models.Model):
    _inherit = "clientbase.journey"

    trigger = fields.Selection(
        selection_add=LOYALTY_TRIGGERS,
        ondelete={"loyalty_level": "cascade", "points_expiring": "cascade"},
    )
    trigger_level_id = fields.Many2one(
        "clientbase.loyalty.level",
        string="Loyalty Level",
        ondelete="restrict",
        domain="[('company_id', '=', company_id)]",
        help="A client enters when his level becomes this one or a higher one, from a lower one or none.",
    )

    @api.constrains("trigger", "trigger_level_id", "trigger_days", "company_id")
    def _check_loyalty_trigger(self):
        for journey in self:
            if journey.trigger == "loyalty_level" and (
                not journey.trigger_level_id or journey.trigger_level_id.company_id != journey.company_id
            ):
                raise ValidationError(
                    self.env._(
                        "Journey %(name)s: choose a loyalty level of the journey's company.",
                        name=journey.name,
                    )
                )
            if journey.trigger == "points_expiring" and journey.trigger_days < 0:
                raise ValidationError(
                    self.env._(
                        "Journey %(name)s: the days before the points expire cannot be negative.",
                        name=journey.name,
                    )
                )

    def _event_query(self, last_id, today):
        if self.trigger == "loyalty_level":
            return self._level_event_query(last_id)
        if self.trigger == "points_expiring":
            return self._points_expiring_event_query(today)
        return super()._event_query(last_id, today)

    def _level_event_query(self, last_id):
        self.ensure_one()
        level_id = SQL("(CASE WHEN %s ~ '^[0-9]+$' THEN %s::int END)", SQL("h.new_value"), SQL("h.new_value"))
        old_id = SQL("(CASE WHEN %s ~ '^[0-9]+$' THEN %s::int END)", SQL("h.old_value"), SQL("h.old_value"))
        return SQL(
            """
            SELECT h.partner_id, 'h' || h.id, NULL::timestamp
              FROM clientbase_segment_history h
              JOIN clientbase_loyalty_level reached ON reached.id = %(level_id)s
              LEFT JOIN clientbase_loyalty_level before ON before.id = %(old_id)s
             WHERE h.id > %(since)s AND h.id <= %(last)s AND h.company_id = %(company)s
               AND h.dimension = 'level' AND h.old_value IS DISTINCT FROM h.new_value
               AND reached.threshold >= %(threshold)s
               AND (before.id IS NULL OR before.threshold < %(threshold)s)
            """,
            level_id=level_id,
            old_id=old_id,
            since=self.watermark_id or 0,
            last=last_id,
            company=self.company_id.id,
            threshold=self.trigger_level_id.sudo().threshold,
        )

    def _points_expiring_event_query(self, today):
        self.ensure_one()
        self.env["loyalty.card"].flush_model(
            ["program_id", "partner_id", "points", "expiration_date", "active"]
        )
        self.env["loyalty.program"].flush_model(["program_type", "company_id"])
        return SQL(
            """
            SELECT e.partner_id, e.event_key, NULL::timestamp
              FROM (SELECT DISTINCT ON (p.commercial_partner_id, c.id) p.commercial_partner_id AS partner_id,
                           'expire:' || c.id || ':' || c.expiration_date AS event_key
                      FROM loyalty_card c
                      JOIN loyalty_program pr ON pr.id = c.program_id AND pr.program_type = 'loyalty'
                      JOIN res_partner p ON p.id = c.partner_id
                     WHERE c.active AND c.points > 0 AND c.expiration_date IS NOT NULL
                       AND c.expiration_date >= %(today)s AND c.expiration_date <= %(until)s
                       AND COALESCE(c.company_id, pr.company_id, %(company)s) = %(company)s) AS e
             WHERE NOT EXISTS (SELECT 1 FROM clientbase_journey_member m
                                WHERE m.journey_id = %(journey)s AND m.partner_id = e.partner_id
                                  AND m.event_key = e.event_key)
            """,
            today=today,
            until=today + timedelta(days=max(self.trigger_days, 0)),
            company=self.company_id.id,
            journey=self._origin.id,  # (the preview of an archived journey runs on a copy)
        )
