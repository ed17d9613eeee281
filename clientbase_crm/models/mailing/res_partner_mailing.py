from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..protection.clientbase_security import USER_GROUP, sees_all
from ..protection.res_partner_bookkeeping import bookkeeping_field

# computed consent flags shown on the client card: field name -> (channel, purpose)
CONSENT_FLAGS = {
    "client_consent_email_marketing": ("email", "marketing"),
    "client_consent_email_newsletter": ("email", "newsletter"),
    "client_consent_email_greetings": ("email", "greetings"),
    "client_consent_sms_marketing": ("sms", "marketing"),
    "client_consent_sms_greetings": ("sms", "greetings"),
    "client_consent_phone_marketing": ("phone", "marketing"),
}


class ResPartner(models.Model):
    """Consent and mailing responses on the client card."""

    _inherit = "res.partner"

    client_consent_ids = fields.One2many("clientbase.consent", "partner_id", string="Consents")
    client_consent_count = fields.Integer(
        string="Consent Records", compute="_compute_client_consent_count", groups=USER_GROUP
    )
    client_consent_email_marketing = fields.Boolean(
        string="Email Marketing Consent",
        compute="_compute_client_consent_flags",
        groups=USER_GROUP,
        search="_search_client_consent_email_marketing",
    )
    client_consent_email_newsletter = fields.Boolean(
        string="Newsletter Consent",
        compute="_compute_client_consent_flags",
        groups=USER_GROUP,
        search="_search_client_consent_email_newsletter",
    )
    client_consent_email_greetings = fields.Boolean(
        string="Email Greetings Consent",
        compute="_compute_client_consent_flags",
        groups=USER_GROUP,
        search="_search_client_consent_email_greetings",
    )
    client_consent_sms_marketing = fields.Boolean(
        string="SMS Marketing Consent",
        compute="_compute_client_consent_flags",
        groups=USER_GROUP,
        search="_search_client_consent_sms_marketing",
    )
    client_consent_sms_greetings = fields.Boolean(
        string="SMS Greetings Consent",
        compute="_compute_client_consent_flags",
        groups=USER_GROUP,
        search="_search_client_consent_sms_greetings",
    )
    client_consent_phone_marketing = fields.Boolean(
        string="Phone Marketing Consent",
        compute="_compute_client_consent_flags",
        groups=USER_GROUP,
        search="_search_client_consent_phone_marketing",
    )
    client_do_not_call = fields.Boolean(
        string="Do Not Call",
        compute="_compute_client_do_not_call",
        search="_search_client_do_not_call",
        groups=USER_GROUP,
        help="The client withdrew the phone-marketing consent: out of the call list and of the "
        "contact-due reminders.",
    )
    # Filled by mailing.trace._cron_sync_mailing_responses (opens, clicks, replies, attributed orders).
    client_last_mailing_response_date = bookkeeping_field(
        "client_last_mailing_response_date",
        "Responded to Offer On",
        readonly=True,
        help="Last time the client opened, clicked, replied to a mailing or ordered from it.",
    )

    client_mailing_discount_tier = fields.Char(
        string="Discount Tier",
        compute="_compute_client_mailing_discount_tier",
        help="Tier used in personal mailings: the client's ABC class (A = best clients).",
    )

    def _compute_client_mailing_discount_tier(self):
        has_abc = "client_abc_class" in self._fields
        labels = dict(self._fields["client_abc_class"]._description_selection(self.env)) if has_abc else {}
        for partner in self:
            value = partner.client_abc_class if has_abc else False
            partner.client_mailing_discount_tier = labels.get(value, value) or False

    def _compute_client_consent_count(self):
        counts = dict(
            self.env["clientbase.consent"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.client_consent_count = counts.get(partner, 0)

    @api.depends_context("uid")
    def _compute_client_consent_flags(self):
        Consent = self.env["clientbase.consent"]
        Consent.flush_model()
        given = set()
        ids = [pid for pid in self._origin._ids if pid]
        if ids and Consent.has_access("read"):
            rows = self.env.execute_query(
                SQL(
                    "SELECT cur.partner_id, cur.channel, cur.purpose FROM %s cur"
                    " WHERE cur.state = 'given' AND cur.partner_id IN %s%s",
                    Consent._get_current_consent_query(),
                    tuple(ids),
                    self._client_visible_consents_sql("cur"),
                )
            )
            given = set(rows)
        for partner in self:
            for fname, (channel, purpose) in CONSENT_FLAGS.items():
                partner[fname] = (partner._origin.id, channel, purpose) in given

    @api.depends_context("uid")
    def _compute_client_do_not_call(self):
        refused = set()
        ids = [pid for pid in self._origin._ids if pid]
        if ids and self.env["clientbase.consent"].has_access("read"):
            self.env["clientbase.consent"].flush_model()
            refused = {
                row[0]
                for row in self.env.execute_query(
                    SQL("%s AND cur.partner_id IN %s", self._client_do_not_call_query(), tuple(ids))
                )
            }
        for partner in self:
            partner.client_do_not_call = partner._origin.id in refused

    def _search_client_do_not_call(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(self.env._("“Do Not Call” can only be searched as true or false."))
        query = self._client_do_not_call_query()
        return [("id", "in" if (operator == "=") == value else "not in", SQL("(%s)", query))]

    @api.model
    def _client_do_not_call_query(self):
        """SQL: the clients whose current phone-marketing consent is withdrawn (as the consent
        rules show them)."""
        return SQL(
            "SELECT cur.partner_id FROM %s cur WHERE cur.channel = 'phone' AND cur.purpose = 'marketing'"
            " AND cur.state = 'withdrawn'%s",
            self.env["clientbase.consent"]._get_current_consent_query(),
            self._client_visible_consents_sql("cur"),
        )

    @api.model
    def _client_visible_consents_sql(self, alias):
        """Restrict current consents ``alias`` to the partners whose consents the record rules
        show the user (nothing for users who see every client)."""
        if sees_all(self.env):
            return SQL("")
        visible = self.env["clientbase.consent"]._search([])
        return SQL(" AND %s IN (%s)", SQL.identifier(alias, "partner_id"), visible.subselect("partner_id"))

    def _search_client_consent_email_marketing(self, operator, value):
        return self._search_client_consent("email", "marketing", operator, value)

    def _search_client_consent_email_newsletter(self, operator, value):
        return self._search_client_consent("email", "newsletter", operator, value)

    def _search_client_consent_email_greetings(self, operator, value):
        return self._search_client_consent("email", "greetings", operator, value)

    def _search_client_consent_sms_marketing(self, operator, value):
        return self._search_client_consent("sms", "marketing", operator, value)

    def _search_client_consent_sms_greetings(self, operator, value):
        return self._search_client_consent("sms", "greetings", operator, value)

    def _search_client_consent_phone_marketing(self, operator, value):
        return self._search_client_consent("phone", "marketing", operator, value)

    @api.model
    def _search_client_consent(self, channel, purpose, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(
                self.env._("Consent can only be searched as given (true) or not given (false).")
            )
        positive = (operator == "=") == value
        query = self.env["clientbase.consent"]._get_given_partners_query(channel, purpose)
        if not sees_all(self.env):
            # consents given by clients whose consents the user may read (the consent rules)
            visible = self.env["clientbase.consent"]._search([])
            query = SQL(
                "SELECT given.partner_id FROM (%s) given WHERE given.partner_id IN (%s)",
                query,
                visible.subselect("partner_id"),
            )
        return [("id", "in" if positive else "not in", SQL("(%s)", query))]

    def action_open_client_consents(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("clientbase_crm.clientbase_consent_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id, "search_default_filter_current": 1}
        return action
