from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_datetime

INTERACTION_KINDS = [
    ("incoming_call", "Incoming Call"),
    ("outgoing_call", "Outgoing Call"),
    ("meeting", "Meeting"),
    ("email", "Email"),
    ("messenger", "Messenger"),
    ("support_request", "Support Request"),
    ("complaint", "Complaint"),
    ("review", "Review"),
]

INTERACTION_RESULTS = [
    ("reached", "Reached"),
    ("no_answer", "No Answer"),
    ("call_back", "Call Back"),
    ("offer_accepted", "Offer Accepted"),
    ("offer_declined", "Offer Declined"),
    ("info_sent", "Information Sent"),
    ("meeting_scheduled", "Meeting Scheduled"),
    ("complaint_registered", "Complaint Registered"),
    ("complaint_resolved", "Complaint Resolved"),
    ("other", "Other"),
]

# An unanswered call is an attempt, not a contact: it does not move the last contact date.
NOT_A_CONTACT_RESULTS = ("no_answer",)
# A call whose time has come is finished: it has a result (reached, no answer...).
CALL_KINDS = ("incoming_call", "outgoing_call")


class ClientbaseInteraction(models.Model):
    _name = "clientbase.interaction"
    _description = "Client Interaction"
    _order = "date desc, id desc"
    _rec_name = "client_id"

    client_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        ondelete="cascade",
        help="The client (commercial entity) the interaction belongs to.",
    )
    contact_id = fields.Many2one(
        "res.partner",
        string="Contact Person",
        ondelete="set null",
        domain="[('commercial_partner_id', '=', client_id)]",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Logged By",
        required=True,
        index=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    client_manager_id = fields.Many2one(
        "res.users", string="Client Manager", related="client_id.user_id", store=False
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    kind = fields.Selection(INTERACTION_KINDS, required=True, default="outgoing_call", index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    duration = fields.Integer(string="Duration (minutes)")
    result = fields.Selection(INTERACTION_RESULTS, index=True)
    sale_order_id = fields.Many2one(
        "sale.order",
        string="Offer",
        ondelete="set null",
        domain="[('partner_id', 'child_of', client_id)]",
        help="The quotation or order this interaction answers.",
    )
    mailing_id = fields.Many2one(
        "mailing.mailing", ondelete="set null", help="The mailing this interaction answers."
    )
    note = fields.Text(string="Notes")
    next_step = fields.Char(help="What to do next; creates a call-back activity for the client's manager.")
    next_step_date = fields.Date()
    activity_id = fields.Many2one(
        "mail.activity", string="Call-back Activity", ondelete="set null", readonly=True
    )

    @api.constrains("duration")
    def _check_duration(self):
        if any(interaction.duration < 0 for interaction in self):
            raise ValidationError(self.env._("The duration of an interaction cannot be negative."))

    @api.constrains("kind", "result")
    def _check_call_result(self):
        """A call logged once its time has come has a result, and keeps one. Checked when a
        call is logged, when its result or kind changes, and when a planned call is moved
        into the past (``write``): a call logged before results were required, or planned and
        never completed, keeps its blank when only its note, date or next step is edited."""
        now = fields.Datetime.now()
        if any(i.kind in CALL_KINDS and not i.result and i.date <= now for i in self):
            raise ValidationError(
                self.env._(
                    "Choose the result of the call (reached, no answer, call back...) before saving it."
                )
            )

    @api.onchange("contact_id")
    def _onchange_contact_id(self):
        if self.contact_id and self.contact_id.commercial_partner_id != self.client_id:
            self.client_id = self.contact_id.commercial_partner_id

    @api.onchange("client_id")
    def _onchange_client_id(self):
        """Warn in the form: someone else's client, or contacted too recently."""
        client = self.client_id.commercial_partner_id
        if not client:
            return None
        if client != self.client_id:
            self.client_id = client
        messages = []
        manager_warning = client._client_check_manager(self.env._("log an interaction"), warn_only=True)
        if manager_warning:
            messages.append(manager_warning)
        cadence_warning = client._client_contact_too_soon_message()
        if cadence_warning:
            messages.append(cadence_warning)
        if messages:
            return {"warning": {"title": self.env._("Please check"), "message": "\n\n".join(messages)}}
        return None

    # --- CRUD -------------------------------------------------------------
    @api.model
    def _normalize_client_vals(self, vals):
        """The client is always the commercial entity; a person picked as client
        becomes the contact person."""
        vals = dict(vals)
        if vals.get("client_id"):
            partner = self.env["res.partner"].browse(vals["client_id"])
            commercial = partner.commercial_partner_id
            if commercial != partner:
                vals["client_id"] = commercial.id
                vals.setdefault("contact_id", partner.id)
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._normalize_client_vals(vals) for vals in vals_list]
        clients = self.env["res.partner"].browse(
            [vals["client_id"] for vals in vals_list if vals.get("client_id")]
        )
        clients._client_check_manager(self.env._("log an interaction"))
        interactions = super().create(vals_list)
        interactions._create_next_step_activities()
        interactions._post_chatter_notes()
        interactions.client_id._client_update_last_contact_date()
        interactions.client_id._client_after_contact()
        return interactions

    def write(self, vals):
        vals = self._normalize_client_vals(vals)
        if vals.get("client_id"):
            self.env["res.partner"].browse(vals["client_id"])._client_check_manager(
                self.env._("log an interaction")
            )
        old_clients = self.client_id
        now = fields.Datetime.now()
        planned = self.filtered(lambda i: i.date > now) if "date" in vals else self.browse()
        res = super().write(vals)
        if planned and not {"kind", "result"} & set(vals):
            # a planned call moved to a past date is a call logged now: it needs its result
            planned._check_call_result()
        if {"client_id", "date", "result"} & set(vals):
            (old_clients | self.client_id)._client_update_last_contact_date()
        if {"next_step", "next_step_date"} & set(vals):
            self.filtered(lambda i: not i.activity_id)._create_next_step_activities()
        return res

    def unlink(self):
        clients = self.client_id
        res = super().unlink()
        clients._client_update_last_contact_date()
        return res

    # --- business ---------------------------------------------------------
    def _post_chatter_notes(self):
        """A short note in the client's chatter for each interaction: its kind, date and who
        logged it, in the language and time zone of the user who logged it (the note's author),
        whatever the language of the request, the server or the client. The chatter is read by
        everyone who reads the partner, so the note carries nothing the interaction's record
        rules protect (no result, notes or next step). One insert for the batch, as Odoo's
        ``_message_log_batch`` does. Responses to a mailing, logged by the mailing's
        processing, have their own trace and get none."""
        logged = self.filtered(lambda i: not i.mailing_id)
        if not logged:
            return
        subtype = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        # the kinds' labels, once per language of the loggers
        envs, kinds = {}, {}
        vals_list = []
        for interaction in logged:
            author = interaction.user_id.sudo()
            lang = author.lang or self.env.lang or "en_US"
            if lang not in envs:
                envs[lang] = self.with_context(lang=lang).env
                kinds[lang] = dict(self._fields["kind"]._description_selection(envs[lang]))
            env = envs[lang]
            body = env._(
                "%(kind)s logged, %(date)s",
                kind=kinds[lang].get(interaction.kind, interaction.kind),
                date=format_datetime(
                    env, interaction.date, tz=author.tz or False, dt_format="short", lang_code=lang
                ),
            )
            vals_list.append(
                {
                    "model": "res.partner",
                    "res_id": interaction.client_id.id,
                    "message_type": "notification",
                    "subtype_id": subtype,
                    "author_id": author.partner_id.id,
                    "body": Markup("<p>%s</p>") % body,
                }
            )
        self.env["mail.message"].sudo().create(vals_list)

    def _create_next_step_activities(self):
        """A next step becomes a call-back activity for the client's manager."""
        todo = self.filtered(lambda i: i.next_step and not i.activity_id)
        if not todo:
            return
        call_type = self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False)
        model_id = self.env["ir.model"]._get_id("res.partner")
        today = fields.Date.context_today(self)
        vals_list = [
            {
                "res_model_id": model_id,
                "res_id": interaction.client_id.id,
                "activity_type_id": call_type.id if call_type else False,
                "summary": interaction.next_step,
                "note": interaction.note or False,
                "date_deadline": interaction.next_step_date or today + timedelta(days=1),
                "user_id": (interaction.client_id.user_id or interaction.user_id).id,
                "client_rule": "call_back",
            }
            for interaction in todo
        ]
        # the logger may not manage the client: the activity is the manager's, created on their behalf
        activities = self.env["mail.activity"].sudo().create(vals_list)
        for interaction, activity in zip(todo, activities, strict=True):
            interaction.activity_id = activity

    @api.model
    def _get_last_contact_query(self, client_ids):
        """SQL updating ``client_last_contact_date`` of the given clients in one statement."""
        return SQL(
            """
            UPDATE res_partner p
               SET client_last_contact_date = sub.last_date
              FROM (
                    SELECT c.id,
                           (SELECT MAX(i.date)::date
                              FROM clientbase_interaction i
                             WHERE i.client_id = c.id
                               AND (i.result IS NULL OR i.result NOT IN %(skip)s)) AS last_date
                      FROM res_partner c
                     WHERE c.id IN %(ids)s
                   ) sub
             WHERE p.id = sub.id
               AND p.client_last_contact_date IS DISTINCT FROM sub.last_date
            """,
            skip=NOT_A_CONTACT_RESULTS,
            ids=tuple(client_ids),
        )
