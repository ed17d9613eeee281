from odoo import fields, models, tools
from odoo.tools import SQL


class ClientbaseLoyaltyPointsReport(models.Model):
    """Bonus points issued, spent and expired, by client, program and day, read live from Odoo's
    cards and their history (programs of the *Loyalty Cards* type, cards of a client). Expired
    points are the history lines of the expiry by age (``loyalty_card_expiry.py``) and the
    balance of a card past its own expiration date. Measures and their definitions:
    ``readme/USAGE.md`` (*Points report*)."""

    _name = "clientbase.loyalty.points.report"
    _description = "Bonus Points Report"
    _auto = False
    _rec_name = "partner_id"
    _order = "date desc"

    date = fields.Date(readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", string="Manager", readonly=True)
    program_id = fields.Many2one("loyalty.program", readonly=True)
    card_id = fields.Many2one("loyalty.card", readonly=True)
    issued = fields.Float(string="Points Issued", readonly=True, aggregator="sum")
    spent = fields.Float(string="Points Spent", readonly=True, aggregator="sum")
    expired = fields.Float(string="Points Expired", readonly=True, aggregator="sum")

    def _get_report_query(self):
        return SQL(
            """
            SELECT h.id * 2 AS id, h.create_date::date AS date, cp.id AS partner_id, pr.company_id,
                   cp.user_id, c.program_id, c.id AS card_id,
                   COALESCE(h.issued, 0) AS issued,
                   CASE WHEN h.clientbase_expiry THEN 0 ELSE COALESCE(h.used, 0) END AS spent,
                   CASE WHEN h.clientbase_expiry THEN COALESCE(h.used, 0) ELSE 0 END AS expired
              FROM loyalty_history h
              JOIN loyalty_card c ON c.id = h.card_id
              JOIN loyalty_program pr ON pr.id = c.program_id AND pr.program_type = 'loyalty'
              JOIN res_partner p ON p.id = c.partner_id
              JOIN res_partner cp ON cp.id = p.commercial_partner_id
            UNION ALL
            SELECT c.id * 2 + 1, c.expiration_date, cp.id, pr.company_id, cp.user_id, c.program_id, c.id,
                   0, 0, c.points
              FROM loyalty_card c
              JOIN loyalty_program pr ON pr.id = c.program_id AND pr.program_type = 'loyalty'
              JOIN res_partner p ON p.id = c.partner_id
              JOIN res_partner cp ON cp.id = p.commercial_partner_id
             WHERE c.expiration_date < CURRENT_DATE AND c.points > 0
            """
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE VIEW %s AS (%s)", SQL.identifier(self._table), self._get_report_query())
        )
