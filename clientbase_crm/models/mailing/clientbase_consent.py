from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

CONSENT_CHANNELS = [("email", "Email"), ("sms", "SMS"), ("phone", "Phone")]
CONSENT_PURPOSES = [("marketing", "Marketing"), ("newsletter", "Newsletter"), ("greetings", "Greetings")]
CONSENT_STATES = [("given", "Given"), ("withdrawn", "Withdrawn")]
CONSENT_SOURCES = [
    ("web_form", "Web Form"),
    ("paper", "Paper Form"),
    ("import", "Import"),
    ("verbal", "Verbal"),
    ("unsubscribe", "Unsubscribe"),
]


class ClientbaseConsent(models.Model):
    """Consent ledger: every change of a client's consent is a new row.

    The current consent of a client for a channel and a purpose is the latest
    row (by date, then id) of that triple; no current row means no consent.
    Rows are never rewritten to change a decision: a withdrawal is a new row,
    so the history stays as proof.
    """

    _name = "clientbase.consent"
    _description = "Client Consent"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, index=True, ondelete="cascade"
    )
    channel = fields.Selection(CONSENT_CHANNELS, required=True, default="email")
    purpose = fields.Selection(CONSENT_PURPOSES, required=True, default="marketing")
    state = fields.Selection(CONSENT_STATES, string="Consent", required=True, default="given")
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    source = fields.Selection(CONSENT_SOURCES, required=True, default="verbal")
    text_version = fields.Char(help="Version or wording of the consent text the client agreed to.")
    proof = fields.Text(
        help="How the consent was obtained: form number, call reference, quote of the answer..."
    )
    proof_file = fields.Binary(string="Proof Document", attachment=True)
    proof_filename = fields.Char()
    user_id = fields.Many2one(
        "res.users", string="Recorded By", default=lambda self: self.env.user, ondelete="set null"
    )
    is_current = fields.Boolean(
        string="Current",
        compute="_compute_is_current",
        search="_search_is_current",
        help="This row is the latest for its client, channel and purpose: it decides eligibility.",
    )

    def init(self):
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS clientbase_consent_latest_idx ON clientbase_consent"
                " (partner_id, channel, purpose, date DESC, id DESC)"
            )
        )

    @api.model
    def _get_current_consent_query(self):
        """SQL: the latest consent row of every (client, channel, purpose)."""
        return SQL(
            "(SELECT DISTINCT ON (partner_id, channel, purpose) id, partner_id, channel, purpose, state"
            " FROM clientbase_consent ORDER BY partner_id, channel, purpose, date DESC, id DESC)"
        )

    @api.model
    def _get_given_partners_query(self, channel, purpose):
        """SQL: ids of the clients whose current consent for channel+purpose is given."""
        return SQL(
            "SELECT cur.partner_id FROM %s cur WHERE cur.channel = %s AND cur.purpose = %s AND cur.state = 'given'",
            self._get_current_consent_query(),
            channel,
            purpose,
        )

    def _compute_is_current(self):
        self.flush_model()
        current = set()
        if self.ids:
            rows = self.env.execute_query(
                SQL(
                    "SELECT cur.id FROM %s cur WHERE cur.id IN %s",
                    self._get_current_consent_query(),
                    tuple(self.ids),
                )
            )
            current = {row[0] for row in rows}
        for consent in self:
            consent.is_current = consent.id in current

    def _search_is_current(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(self.env._("The current consent can only be searched as true or false."))
        positive = (operator == "=") == value
        query = SQL("(SELECT cur.id FROM %s cur)", self._get_current_consent_query())
        return [("id", "in" if positive else "not in", query)]

    @api.constrains("date")
    def _check_date(self):
        now = fields.Datetime.now()
        for consent in self:
            if consent.date and consent.date > now:
                raise ValidationError(
                    self.env._(
                        "The consent of %(client)s cannot be dated in the future (%(date)s).",
                        client=consent.partner_id.display_name,
                        date=consent.date,
                    )
                )

    @api.depends("partner_id", "channel", "purpose", "state")
    def _compute_display_name(self):
        channels = dict(self._fields["channel"]._description_selection(self.env))
        purposes = dict(self._fields["purpose"]._description_selection(self.env))
        states = dict(self._fields["state"]._description_selection(self.env))
        for consent in self:
            consent.display_name = (
                f"{consent.partner_id.display_name or ''}: {channels.get(consent.channel, '')} / "
                f"{purposes.get(consent.purpose, '')} ({states.get(consent.state, '')})"
            )

    @api.model
    def _withdraw_email_consents(self, email_normalized):
        """Withdraw every given email consent of the clients using this address."""
        return self._withdraw_consents(
            "email",
            SQL("p.email_normalized = %s", email_normalized),
            self.env._("Address %(email)s added to the blacklist.", email=email_normalized),
        )

    @api.model
    def _withdraw_sms_consents(self, numbers):
        """Withdraw every given SMS consent of the clients using one of these (sanitized)
        numbers: an SMS opt-out (STOP, the phone blacklist) is a withdrawal too."""
        return self._withdraw_consents(
            "sms",
            SQL("p.phone_sanitized = ANY(%s)", list(numbers)),
            self.env._("Number %(numbers)s added to the SMS blacklist.", numbers=", ".join(numbers)),
        )

    @api.model
    def _withdraw_consents(self, channel, partner_condition, proof):
        """New "withdrawn" rows, source *unsubscribe*, for every purpose of ``channel`` whose
        current consent is given, of the clients matching ``partner_condition`` (on ``p``)."""
        self.flush_model()
        self.env["res.partner"].flush_model(["email_normalized", "phone_sanitized"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT cur.partner_id, cur.purpose
                  FROM (SELECT DISTINCT ON (c.partner_id, c.purpose) c.partner_id, c.purpose, c.state
                          FROM clientbase_consent c
                          JOIN res_partner p ON p.id = c.partner_id
                         WHERE %s AND c.channel = %s
                      ORDER BY c.partner_id, c.purpose, c.date DESC, c.id DESC) cur
                 WHERE cur.state = 'given'
                """,
                partner_condition,
                channel,
            )
        )
        if not rows:
            return self.browse()
        return self.create(
            [
                {
                    "partner_id": partner_id,
                    "channel": channel,
                    "purpose": purpose,
                    "state": "withdrawn",
                    "source": "unsubscribe",
                    "proof": proof,
                }
                for partner_id, purpose in rows
            ]
        )
