import html as html_lib
import re
from ast import literal_eval

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import is_html_empty

from ..models.mailing.clientbase_consent import CONSENT_PURPOSES
from ..tools.client_definition import audience_domain

# Above this many recipients the mailing keeps the target domain instead of a
# list of ids; eligibility is then applied when sending (mailing._get_recipients).
MAX_IDS_IN_DOMAIN = 10000
PREVIEW_LIMIT = 3
PLACEHOLDER_RE = re.compile(r"\{\{\s*(.+?)\s*\}\}")
TEXT_RE = re.compile(r">([^<]*)<")


def body_to_qweb(html):
    """Turn ``{{ expr }}`` typed in the text of an email body into ``<t t-out="expr"/>``.

    Email bodies are rendered with QWeb, where ``{{ }}`` has no meaning in text;
    marketers type the same placeholders as in the subject and get them
    rendered per recipient. Placeholders inside attributes are left alone.
    """
    if not html:
        return html

    def convert_text(match):
        text = PLACEHOLDER_RE.sub(
            lambda m: str(Markup('<t t-out="%s"/>') % html_lib.unescape(m.group(1))), match.group(1)
        )
        return f">{text}<"

    return Markup(TEXT_RE.sub(convert_text, str(html)))


class ClientbaseMailingWizard(models.TransientModel):
    """Prepare an Email or SMS Marketing mailing for a group of clients.

    The group comes from a selection of clients, a segment or any filter
    (``target_domain``). The wizard shows who will receive the message and who
    is left out and why, previews it for real recipients, then creates an Odoo
    mailing flagged with the consent purpose, so that sending re-checks
    eligibility.
    """

    _name = "clientbase.mailing.wizard"
    _description = "Client Base Mailing Wizard"

    target_domain = fields.Char(string="Clients", required=True, default="[]")
    target_description = fields.Char(string="Target", readonly=True)
    channel = fields.Selection([("email", "Email"), ("sms", "SMS")], required=True, default="email")
    purpose = fields.Selection(CONSENT_PURPOSES, required=True, default="marketing")
    name = fields.Char(string="Mailing Title")
    mail_template_id = fields.Many2one(
        "mail.template", string="Email Template", domain="[('model', '=', 'res.partner')]"
    )
    sms_template_id = fields.Many2one(
        "sms.template", string="SMS Template", domain="[('model', '=', 'res.partner')]"
    )
    subject = fields.Char(help="Placeholders like {{ object.name }} are replaced for every client.")
    body_html = fields.Html(string="Email Body", sanitize="email_outgoing")
    body_plaintext = fields.Text(string="SMS Text")
    # counts before sending
    target_count = fields.Integer(string="Clients in Target", compute="_compute_recipients")
    eligible_count = fields.Integer(string="Will Receive", compute="_compute_recipients")
    no_address_count = fields.Integer(string="No Valid Address or Number", compute="_compute_recipients")
    blacklisted_count = fields.Integer(string="Blacklisted", compute="_compute_recipients")
    opted_out_count = fields.Integer(string="Opted Out", compute="_compute_recipients")
    no_consent_count = fields.Integer(string="No Consent", compute="_compute_recipients")
    too_often_count = fields.Integer(string="Mailed Too Often", compute="_compute_recipients")
    preview_html = fields.Html(string="Preview", compute="_compute_recipients", sanitize=False)
    placeholder_help = fields.Html(compute="_compute_placeholder_help", sanitize=False)

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        ctx = self.env.context
        model, active_ids = ctx.get("active_model"), ctx.get("active_ids") or []
        if ctx.get("active_id") and not active_ids:
            active_ids = [ctx["active_id"]]
        if (
            model == "clientbase.segment"
            and active_ids
            and "client_segment_ids" in self.env["res.partner"]._fields
        ):
            segments = self.env["clientbase.segment"].browse(active_ids)
            res["target_domain"] = repr([("client_segment_ids", "in", segments.ids)])
            res["target_description"] = ", ".join(segments.mapped("display_name"))
            res.setdefault("name", res["target_description"])
        elif model == "res.partner":
            domain = ctx.get("active_domain")
            # all clients of the filter selected: keep the filter (scales to any size)
            if domain is not None and (
                not active_ids or len(active_ids) == self.env["res.partner"].search_count(domain)
            ):
                res["target_domain"] = repr(domain)
                res["target_description"] = self.env._("All clients of the filter")
            elif active_ids:
                res["target_domain"] = repr([("id", "in", active_ids)])
                res["target_description"] = self.env._("%(count)s selected clients", count=len(active_ids))
        return res

    # --- computes ---------------------------------------------------------
    def _get_target_domain(self):
        self.ensure_one()
        try:
            domain = literal_eval(self.target_domain or "[]")
        except (ValueError, SyntaxError) as exc:
            raise UserError(self.env._("The filter of clients is not a valid domain.")) from exc
        if not isinstance(domain, list):
            raise UserError(self.env._("The filter of clients is not a valid domain."))
        # whatever the filter or the selection, only the client base's audience is mailed as
        # clients (tools/client_definition.py): never an employee, a contact person, the company
        domain = expression.AND([audience_domain(), domain])
        # the wizard is a door to the clients' personal data (placeholders, preview): users who
        # are not managers reach only the clients they manage, as everywhere else
        Partner = self.env["res.partner"]
        if not Partner._client_data_sees_all():
            domain = expression.AND([domain, Partner._get_client_data_own_domain()])
        return domain

    def _classify(self):
        self.ensure_one()
        Eligibility = self.env["clientbase.mailing.eligibility"]
        candidates = Eligibility._candidates_from_domain(self._get_target_domain())
        return Eligibility._classify(candidates, self.channel, self.purpose)

    @api.depends("target_domain", "channel", "purpose", "subject", "body_html", "body_plaintext")
    def _compute_recipients(self):
        """The counts and the preview from one classification of the target, counted by the
        database: on a segment of 100,000 clients no id is read into Python."""
        Eligibility = self.env["clientbase.mailing.eligibility"]
        for wizard in self:
            # counted by the database, in the statement that decides the send
            counts, first = Eligibility._count_classes(
                Eligibility._candidates_from_domain(wizard._get_target_domain()),
                wizard.channel,
                wizard.purpose,
                sample=PREVIEW_LIMIT,
            )
            wizard.target_count = sum(counts.values())
            wizard.eligible_count = counts["eligible"]
            wizard.no_address_count = counts["no_address"]
            wizard.blacklisted_count = counts["blacklisted"]
            wizard.opted_out_count = counts["opted_out"]
            wizard.no_consent_count = counts["no_consent"]
            wizard.too_often_count = counts["too_often"]
            recipients = self.env["res.partner"].browse(first)
            if not recipients:
                wizard.preview_html = Markup("<p>%s</p>") % self.env._("Nobody will receive this mailing.")
                continue
            try:
                wizard.preview_html = wizard._render_preview(recipients)
            except Exception as exc:
                wizard.preview_html = Markup("<p class='text-danger'>%s</p>") % self.env._(
                    "The message cannot be rendered: %(error)s", error=str(exc)
                )

    def _render_preview(self, recipients):
        Render = self.env["mail.render.mixin"]
        parts = []
        if self.channel == "sms":
            bodies = Render._render_template(self.body_plaintext or "", "res.partner", recipients.ids)
            for partner in recipients:
                parts.append(
                    Markup("<div class='mb-3'><strong>%s</strong> (%s)<pre>%s</pre></div>")
                    % (partner.name, partner.phone_sanitized or "", bodies[partner.id])
                )
        else:
            subjects = Render._render_template(self.subject or "", "res.partner", recipients.ids)
            bodies = Render._render_template(
                body_to_qweb(self.body_html) or "", "res.partner", recipients.ids, engine="qweb"
            )
            for partner in recipients:
                parts.append(
                    Markup(
                        "<div class='mb-3 border-bottom'><strong>%s</strong> &lt;%s&gt;<br/><em>%s</em>%s</div>"
                    )
                    % (
                        partner.name,
                        partner.email_normalized or "",
                        subjects[partner.id],
                        Markup(bodies[partner.id]),
                    )
                )
        return Markup("").join(parts)

    def _compute_placeholder_help(self):
        partner_fields = self.env["res.partner"]._fields
        placeholders = [
            (self.env._("Name"), "object.name"),
            (self.env._("Company"), "object.commercial_company_name or ''"),
            (self.env._("Manager"), "object.user_id.name or ''"),
            (self.env._("Birthday"), "format_date(object.client_birthday)"),
        ]
        if "client_last_order_date" in partner_fields:
            placeholders.append((self.env._("Last order"), "format_date(object.client_last_order_date)"))
        placeholders.append((self.env._("Discount tier"), "object.client_mailing_discount_tier or ''"))
        rows = Markup("").join(
            Markup("<tr><td>%s</td><td><code>{{ %s }}</code></td></tr>") % (label, expr)
            for label, expr in placeholders
        )
        header = Markup("<tr><th>%s</th><th>%s</th></tr>") % (
            self.env._("Field"),
            self.env._("Type in the subject, body or SMS"),
        )
        html = Markup("<table class='table table-sm'>%s%s</table>") % (header, rows)
        for wizard in self:
            wizard.placeholder_help = html

    # --- onchanges --------------------------------------------------------
    @api.onchange("mail_template_id")
    def _onchange_mail_template_id(self):
        if self.mail_template_id:
            self.subject = self.mail_template_id.subject
            self.body_html = self.mail_template_id.body_html

    @api.onchange("sms_template_id")
    def _onchange_sms_template_id(self):
        if self.sms_template_id:
            self.body_plaintext = self.sms_template_id.body

    # --- actions ----------------------------------------------------------
    def _prepare_mailing_values(self, eligible_ids):
        self.ensure_one()
        if len(eligible_ids) <= MAX_IDS_IN_DOMAIN:
            mailing_domain = [("id", "in", eligible_ids)]
        else:
            mailing_domain = self._get_target_domain()
        vals = {
            "subject": self.subject or self.name,
            "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
            "mailing_domain": repr(mailing_domain),
            "clientbase_consent_purpose": self.purpose,
            "user_id": self.env.user.id,
        }
        if self.channel == "sms":
            vals.update(
                {
                    "mailing_type": "sms",
                    "body_plaintext": self.body_plaintext,
                    "sms_template_id": self.sms_template_id.id,
                    "subject": self.name or self.subject,
                }
            )
        else:
            body = body_to_qweb(self.body_html)
            vals.update({"mailing_type": "mail", "body_arch": body, "body_html": body})
        return vals

    def action_create_mailing(self):
        self.ensure_one()
        if self.channel == "sms" and not (self.body_plaintext or "").strip():
            raise UserError(self.env._("Write the text of the SMS."))
        if self.channel == "email" and (not (self.subject or "").strip() or is_html_empty(self.body_html)):
            raise UserError(self.env._("Write a subject and a body, or pick an email template."))
        eligible_ids = self._classify()["eligible"]
        if not eligible_ids:
            raise UserError(
                self.env._(
                    "Nobody in this group can receive the mailing: check consents, addresses and opt-outs."
                )
            )
        mailing = self.env["mailing.mailing"].create(self._prepare_mailing_values(eligible_ids))
        view = self.env.ref(
            "mass_mailing_sms.mailing_mailing_view_form_sms"
            if self.channel == "sms"
            else "mass_mailing.view_mail_mass_mailing_form"
        )
        return {
            "type": "ir.actions.act_window",
            "name": mailing.subject,
            "res_model": "mailing.mailing",
            "res_id": mailing.id,
            "views": [(view.id, "form")],
            "target": "current",
        }
