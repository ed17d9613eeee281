import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.clientbase_crm.tools.client_definition import client_sql
from odoo.addons.clientbase_crm.tools.sql_planning import analyze_if_stale
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

GRANT_EVENTS = [
    ("birthday", "Birthday"),
    ("questionnaire", "Questionnaire Completed"),
    ("subscription", "Subscription Consent Given"),
    ("referrer", "Referred a Friend"),
    ("referred", "Came by Referral"),
    ("journey", "Journey Step"),
]
# the company's points for each event (res_company_bonus.py)
EVENT_POINTS_FIELDS = {
    "birthday": "client_bonus_birthday",
    "questionnaire": "client_bonus_questionnaire",
    "subscription": "client_bonus_subscription",
    "referrer": "client_bonus_referrer",
    "referred": "client_bonus_referred",
}
# a birthday missed by a job that did not run (a server down) is still granted this many days after
BIRTHDAY_GRACE_DAYS = 6
GRANT_UNIQUE_INDEX = "clientbase_loyalty_grant_occasion_uniq"
# the unposted grants, read by every posting (the posted ones are the table's bulk)
GRANT_UNPOSTED_INDEX = "clientbase_loyalty_grant_unposted_idx"
POST_BATCH = 20_000  # grants posted per statement


class ClientbaseLoyaltyGrant(models.Model):
    """Bonus points granted to a client for a client-base event, once per occasion.

    One row per (client, company, event, occasion), enforced by a unique index: the
    birthday of a year (occasion: the year), the questionnaire and the subscription consent
    (occasion ``once``), a referred friend's first order (occasion: the friend), coming by
    referral (``once``), a journey step (occasion: the client's entry in the journey and the
    step; granted by the step itself, ``clientbase_journey_step_loyalty.py``).
    :meth:`_grant_events` inserts the rows of the events that happened
    (``ON CONFLICT DO NOTHING``) and posts the new ones to the client's card of the company's
    bonus program (its points and a line of its history) in one statement, so a run repeated
    or killed and rerun grants nothing twice and loses nothing.
    """

    _name = "clientbase.loyalty.grant"
    _description = "Client Bonus Points Grant"
    _order = "date desc, id desc"
    _rec_name = "event"

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    program_id = fields.Many2one("loyalty.program", required=True, ondelete="cascade")
    card_id = fields.Many2one(
        "loyalty.card", string="Loyalty Card", ondelete="set null", readonly=True, index="btree_not_null"
    )
    event = fields.Selection(GRANT_EVENTS, required=True)
    occasion = fields.Char(
        required=True, help="What makes the grant once: the year of a birthday, the friend..."
    )
    friend_id = fields.Many2one(
        "res.partner",
        string="Referred Friend",
        ondelete="set null",
        help="The new client who came by referral.",
    )
    journey_step_id = fields.Many2one(
        "clientbase.journey.step",
        ondelete="set null",
        readonly=True,
        help="The journey step that granted the points (occasion: the client's entry in the journey).",
    )
    description = fields.Char(
        readonly=True, help="The line of the card's history, when the event's name does not say it all."
    )
    points = fields.Float(required=True, digits=(16, 2))
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    posted = fields.Boolean(readonly=True, default=False, help="The points are on the client's card.")

    def init(self):
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON clientbase_loyalty_grant"
                " (partner_id, company_id, event, occasion)",
                SQL.identifier(GRANT_UNIQUE_INDEX),
            )
        )
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS %s ON clientbase_loyalty_grant (company_id, id) WHERE NOT posted",
                SQL.identifier(GRANT_UNPOSTED_INDEX),
            )
        )

    @api.depends("event", "occasion", "friend_id", "description")
    def _compute_display_name(self):
        labels = dict(self._fields["event"]._description_selection(self.env))
        for grant in self:
            name = labels.get(grant.event, "")
            if grant.event == "birthday":
                name = f"{name} {grant.occasion}"
            elif grant.event == "referrer" and grant.friend_id:
                name = f"{name}: {grant.friend_id.sudo().display_name}"
            elif grant.description:
                name = grant.description
            grant.display_name = name

    # ------------------------------------------------------------------
    # The events (each ``SELECT partner_id, occasion, friend_id``)
    # ------------------------------------------------------------------
    @api.model
    def _client_scope_sql(self, company, scope):
        """The active clients of ``company`` (or of all companies) in ``scope`` (a condition on ``p.id``)."""
        return SQL(
            "p.active AND %s AND (p.company_id IS NULL OR p.company_id = %s) AND %s",
            client_sql("p"),
            company.id,
            scope,
        )

    @api.model
    def _event_birthday_sql(self, company, scope, today):
        """Clients whose birthday (their card's) fell in the last days up to today; the occasion is
        the year of that birthday (a birthday on 31 December found on 2 January is the past year's)."""
        Partner = self.env["res.partner"]
        return SQL(" UNION ALL ").join(
            SQL(
                """SELECT p.id, %(year)s, NULL::int FROM res_partner p
                     JOIN clientbase_client_card card ON card.partner_id = p.id AND card.birthday IS NOT NULL
                    WHERE %(clients)s AND %(day)s BETWEEN %(since)s AND %(today)s""",
                year=str(year),
                clients=self._client_scope_sql(company, scope),
                day=Partner._get_birthday_in_year_sql(year, "card"),
                since=today - timedelta(days=BIRTHDAY_GRACE_DAYS),
                today=today,
            )
            for year in (today.year - 1, today.year)
        )

    @api.model
    def _event_questionnaire_sql(self, company, scope, today):
        """Clients whose questionnaire is complete: the card has the birthday, the gender, the family
        status and at least one hobby or interest."""
        return SQL(
            """SELECT p.id, 'once', NULL::int FROM res_partner p
                 JOIN clientbase_client_card card ON card.partner_id = p.id
                WHERE %s AND card.birthday IS NOT NULL AND card.gender IS NOT NULL
                  AND card.family_status IS NOT NULL
                  AND EXISTS (SELECT 1 FROM clientbase_client_card_interest_rel r WHERE r.card_id = card.id)""",
            self._client_scope_sql(company, scope),
        )

    @api.model
    def _event_subscription_sql(self, company, scope, today):
        """Clients whose current consent to the newsletter is given, by email or SMS (the client's or
        one of its contacts')."""
        Consent = self.env["clientbase.consent"]
        return SQL(
            """SELECT p.id, 'once', NULL::int FROM res_partner p
                WHERE %s AND p.id IN (SELECT c.commercial_partner_id FROM res_partner c
                                       WHERE c.id IN (%s UNION %s))""",
            self._client_scope_sql(company, scope),
            Consent._get_given_partners_query("email", "newsletter"),
            Consent._get_given_partners_query("sms", "newsletter"),
        )

    @api.model
    def _event_referrer_sql(self, company, scope, today):
        """The referrer of each new client whose first order carried its referral code (the order
        confirmed); the occasion is the friend."""
        return SQL(
            """SELECT DISTINCT o.clientbase_referrer_id, f.commercial_partner_id::text, f.commercial_partner_id
                 FROM sale_order o JOIN res_partner f ON f.id = o.partner_id
                 JOIN res_partner p ON p.id = o.clientbase_referrer_id
                WHERE o.state = 'sale' AND o.company_id = %s AND %s""",
            company.id,
            self._client_scope_sql(company, scope),
        )

    @api.model
    def _event_referred_sql(self, company, scope, today):
        """New clients whose first order carried another client's referral code (the order confirmed)."""
        return SQL(
            """SELECT DISTINCT p.id, 'once', NULL::int
                 FROM sale_order o JOIN res_partner f ON f.id = o.partner_id
                 JOIN res_partner p ON p.id = f.commercial_partner_id
                WHERE o.state = 'sale' AND o.company_id = %s AND o.clientbase_referrer_id IS NOT NULL AND %s""",
            company.id,
            self._client_scope_sql(company, scope),
        )

    # ------------------------------------------------------------------
    # Granting and posting
    # ------------------------------------------------------------------
    @api.model
    def _cron_grant_events(self):
        """The daily job: every event of every company with a bonus program."""
        return self._grant_events()

    @api.model
    def _grant_events(self, partner_ids=None, events=None, companies=None):
        """Grant the points of ``events`` (all when None) to the clients ``partner_ids``
        (commercial partners; all when None) in ``companies`` (those with a bonus program when
        None), each once per occasion. Set-based: per company one ``INSERT ... SELECT`` of the new
        grants and one statement posting them to the cards.

        :return: grants posted
        """
        if partner_ids is not None and not partner_ids:
            return 0
        today = fields.Date.context_today(self)
        companies = companies or self.env["res.company"].sudo().search(
            [("client_bonus_program_id", "!=", False)]
        )
        companies = companies.filtered(lambda c: c.client_bonus_program_id.active)
        scope = SQL("TRUE") if partner_ids is None else SQL("p.id = ANY(%s)", list(partner_ids))
        self.env.flush_all()
        posted = 0
        for company in companies:
            selects = []
            for event in events or EVENT_POINTS_FIELDS:
                points = company[EVENT_POINTS_FIELDS[event]]
                if points <= 0:
                    continue
                query = getattr(self, f"_event_{event}_sql")(company, scope, today)
                selects.append(
                    SQL("SELECT e.*, %s AS event, %s::float AS points FROM (%s) e", event, points, query)
                )
            if selects:
                self.env.cr.execute(self._get_insert_query(company, SQL(" UNION ALL ").join(selects)))
            posted += self._post_grants(company)
        if posted:
            self.invalidate_model()
            self.env["loyalty.card"].invalidate_model(["points", "points_display", "history_ids"])
            self.env["loyalty.history"].invalidate_model()
        return posted

    @api.model
    def _get_insert_query(self, company, events):
        now = fields.Datetime.now()
        return SQL(
            """
            INSERT INTO clientbase_loyalty_grant
                   (partner_id, company_id, program_id, event, occasion, friend_id, points, date, posted,
                    create_uid, create_date, write_uid, write_date)
            SELECT e.partner_id, %(company)s, %(program)s, e.event, e.occasion, e.friend_id, e.points, %(now)s, FALSE,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM (%(events)s) e (partner_id, occasion, friend_id, event, points)
            ON CONFLICT (partner_id, company_id, event, occasion) DO NOTHING
            """,
            company=company.id,
            program=company.client_bonus_program_id.id,
            now=now,
            uid=self.env.uid,
            events=events,
        )

    @api.model
    def _post_grants(self, company, batch=POST_BATCH):
        """Put the company's unposted grants on the clients' cards of their program (a card made for a
        client who has none), with a line of the card's history each; the grants are marked posted in
        the same statement. In batches of ``batch`` grants (the oldest first), each one statement
        for the missing cards and one for the posting.

        :return: grants posted
        """
        cr = self.env.cr
        now = fields.Datetime.now()
        labels = dict(self._fields["event"]._description_selection(self.env))
        description = SQL(
            "COALESCE(t.description, CASE t.event %s END"
            " || CASE WHEN t.event = 'birthday' THEN ' ' || t.occasion ELSE '' END)",
            SQL(" ").join(SQL("WHEN %s THEN %s", key, label) for key, label in labels.items()),
        )
        count = 0
        while True:
            # the batch: the unposted grants of the company (partial index), locked for the posting
            cr.execute(
                SQL(
                    """SELECT id FROM clientbase_loyalty_grant
                        WHERE company_id = %s AND NOT posted ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED""",
                    company.id,
                    batch,
                )
            )
            ids = [row[0] for row in cr.fetchall()]
            if not ids:
                break
            cr.execute(
                SQL(
                    """
                    INSERT INTO loyalty_card (program_id, company_id, partner_id, code, points, active,
                                              create_uid, create_date, write_uid, write_date)
                    SELECT DISTINCT g.program_id, pr.company_id, g.partner_id,
                           '044' || substr(md5(gen_random_uuid()::text), 1, 13), 0, TRUE,
                           %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM clientbase_loyalty_grant g JOIN loyalty_program pr ON pr.id = g.program_id
                     WHERE g.id = ANY(%(ids)s)
                       AND NOT EXISTS (SELECT 1 FROM loyalty_card c WHERE c.program_id = g.program_id
                                          AND c.partner_id = g.partner_id AND c.active)
                    """,
                    ids=ids,
                    uid=self.env.uid,
                    now=now,
                )
            )
            # the cards just made (one per new grant at least) are joined next: fresh statistics when
            # they are many (planned on those of an empty table, posting 10,000 grants took 100 s for 15)
            made = cr.rowcount
            analyze_if_stale(
                cr,
                ["loyalty_card", "clientbase_loyalty_grant"],
                written={"loyalty_card": made, "clientbase_loyalty_grant": made},
            )
            cr.execute(
                SQL(
                    """
                    WITH todo AS (
                        SELECT g.id, g.points, g.event, g.occasion, g.description, c.id AS card_id
                          FROM clientbase_loyalty_grant g
                          JOIN LATERAL (SELECT c.id FROM loyalty_card c
                                         WHERE c.program_id = g.program_id AND c.partner_id = g.partner_id
                                           AND c.active
                                         ORDER BY c.id LIMIT 1) c ON TRUE
                         WHERE g.id = ANY(%(ids)s)
                    ),
                    history AS (
                        INSERT INTO loyalty_history (card_id, description, issued, used,
                                                     create_uid, create_date, write_uid, write_date)
                        SELECT t.card_id, %(description)s, t.points, 0,
                               %(uid)s, %(now)s, %(uid)s, %(now)s
                          FROM todo t
                    ),
                    cards AS (
                        UPDATE loyalty_card c SET points = c.points + s.points, write_uid = %(uid)s,
                               write_date = %(now)s
                          FROM (SELECT card_id, SUM(points) AS points FROM todo GROUP BY card_id) s
                         WHERE c.id = s.card_id
                    )
                    UPDATE clientbase_loyalty_grant g SET posted = TRUE, card_id = t.card_id
                      FROM todo t WHERE g.id = t.id
                    """,
                    ids=ids,
                    description=description,
                    uid=self.env.uid,
                    now=now,
                )
            )
            count += cr.rowcount
            if cr.rowcount < len(ids):  # a grant without a card (none made): not looped over again
                break
        if count:
            _logger.info("Client bonus points: company %s, %s grants posted", company.id, count)
        return count
