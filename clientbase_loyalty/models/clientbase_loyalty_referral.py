from odoo import api, fields, models
from odoo.tools import SQL


class ClientbaseLoyaltyReferral(models.Model):
    """A client's referral code in a company: a new client whose first order carries it brings
    bonus points to both (``clientbase.loyalty.grant``, events ``referrer`` and ``referred``)."""

    _name = "clientbase.loyalty.referral"
    _description = "Client Referral Code"
    _rec_name = "code"
    _order = "id desc"

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, ondelete="cascade", default=lambda s: s.env.company
    )
    code = fields.Char(required=True, readonly=True, copy=False)
    friend_count = fields.Integer(
        string="Friends Referred",
        compute="_compute_friend_count",
        help="New clients who ordered with this code.",
    )

    _sql_constraints = [
        ("code_uniq", "UNIQUE (code)", "A referral code is unique."),
        (
            "client_company_uniq",
            "UNIQUE (partner_id, company_id)",
            "A client has one referral code per company.",
        ),
    ]

    def _compute_friend_count(self):
        counts = dict.fromkeys(self.ids, 0)
        if self.ids:
            rows = self.env.execute_query(
                SQL(
                    "SELECT r.id, COUNT(DISTINCT p.commercial_partner_id) FROM clientbase_loyalty_referral r"
                    " JOIN sale_order o ON o.clientbase_referrer_id = r.partner_id AND o.company_id = r.company_id"
                    " AND o.state = 'sale' JOIN res_partner p ON p.id = o.partner_id"
                    " WHERE r.id = ANY(%s) GROUP BY r.id",
                    self.ids,
                )
            )
            counts.update(dict(rows))
        for referral in self:
            referral.friend_count = counts.get(referral.id, 0)

    @api.model
    def _generate(self, partner_ids, company):
        """Give a referral code to each of the clients ``partner_ids`` (commercial partners) who has
        none in ``company``: one ``INSERT ... SELECT`` (8 random characters; a collision is retried)."""
        now = fields.Datetime.now()
        self.env.flush_all()
        for _attempt in range(5):
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO clientbase_loyalty_referral (partner_id, company_id, code,
                                                             create_uid, create_date, write_uid, write_date)
                    SELECT p.id, %(company)s, 'R' || upper(substr(md5(gen_random_uuid()::text), 1, 8)),
                           %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM res_partner p
                     WHERE p.id = ANY(%(ids)s)
                       AND NOT EXISTS (SELECT 1 FROM clientbase_loyalty_referral r
                                        WHERE r.partner_id = p.id AND r.company_id = %(company)s)
                    ON CONFLICT DO NOTHING
                    """,
                    company=company.id,
                    uid=self.env.uid,
                    now=now,
                    ids=list(partner_ids),
                )
            )
            self.env.cr.execute(
                SQL(
                    "SELECT COUNT(*) FROM res_partner p WHERE p.id = ANY(%s) AND NOT EXISTS"
                    " (SELECT 1 FROM clientbase_loyalty_referral r WHERE r.partner_id = p.id AND r.company_id = %s)",
                    list(partner_ids),
                    company.id,
                )
            )
            if not self.env.cr.fetchone()[0]:
                break
        self.invalidate_model()
