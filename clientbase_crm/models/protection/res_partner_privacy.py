import base64
import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ...tools.forget_markers import redact
from .clientbase_security import CARD_FIELDS, PERSONAL_FIELDS, PERSONAL_KEPT_FIELDS

MANAGER_GROUP = "clientbase_crm.group_clientbase_manager"


class ResPartner(models.Model):
    """Personal-data requests: export everything the base holds on a client, or forget it."""

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    client_forgotten_date = fields.Datetime(string="Forgotten On", readonly=True, copy=False)
    client_forgotten_by_id = fields.Many2one("res.users", string="Forgotten By", readonly=True, copy=False)

    def _check_client_privacy_right(self):
        if not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(self.env._("Only client base managers handle personal data requests."))

    def _get_client_privacy_partners(self):
        """The commercial entity of each client with all its contacts and addresses."""
        commercial = self.commercial_partner_id
        return self.sudo().with_context(active_test=False).search([("id", "child_of", commercial.ids)])

    # --- what is personal (clientbase_security.PERSONAL_FIELDS and its siblings) ---
    @api.model
    def _get_client_privacy_export_fields(self):
        """The partner fields the personal-data export gives: the personal ones (erased on
        forget or kept) and the client card's values (read through the card), but no file."""
        return [
            name
            for name, field in self._fields.items()
            if (
                name in CARD_FIELDS
                or (field.store and (name in PERSONAL_FIELDS or name in PERSONAL_KEPT_FIELDS))
            )
            and field.type not in ("binary", "one2many")
        ]

    @api.model
    def _get_client_forget_fields(self):
        """The partner fields "Forget this client" blanks: the personal ones that can be written
        (a read-only computed copy follows its blanked source)."""
        return {
            name
            for name, field in self._fields.items()
            if name in PERSONAL_FIELDS and field.store and not (field.compute and field.readonly)
        }

    # --- export ---------------------------------------------------------------
    def _client_privacy_values(self, records, field_names):
        rows = []
        fields_info = records.fields_get(field_names, ["string"])
        for values in records.read(field_names):
            row = {}
            for name in field_names:
                value = values.get(name)
                field = records._fields[name]
                if field.type == "many2one":
                    value = value[1] if value else None
                elif field.type in ("many2many", "one2many"):
                    value = records.env[field.comodel_name].browse(value).mapped("display_name")
                elif field.type == "selection" and value:
                    value = dict(field._description_selection(records.env)).get(value, value)
                if value not in (False, None, [], ""):
                    row[fields_info[name]["string"]] = value
            rows.append(row)
        return rows

    def _get_client_privacy_data(self):
        self.ensure_one()
        partners = self._get_client_privacy_partners()
        Partner = partners.browse()
        names = Partner._get_client_privacy_export_fields()
        data = {
            "exported_on": fields.Datetime.to_string(fields.Datetime.now()),
            "exported_by": self.env.user.name,
            "client": self._client_privacy_values(
                partners.filtered(lambda p: p == p.commercial_partner_id), names
            ),
            "contacts": self._client_privacy_values(
                partners.filtered(lambda p: p != p.commercial_partner_id), names
            ),
        }
        sections = {
            "interactions": ("clientbase.interaction", "client_id"),
            "consents": ("clientbase.consent", "partner_id"),
            "orders": ("sale.order", "partner_id"),
            "opportunities": ("crm.lead", "partner_id"),
        }
        for section, (model, link) in sections.items():
            if model not in self.env:
                continue
            Model = self.env[model].sudo().with_context(active_test=False)
            records = Model.search([(link, "in", partners.ids)])
            names = [
                name
                for name, field in Model._fields.items()
                if field.store
                and not field.automatic
                and field.type not in ("binary", "one2many")
                and name not in ("message_main_attachment_id",)
                and not name.startswith(("message_", "activity_", "access_"))
            ]
            data[section] = self._client_privacy_values(records, names)
        return data

    def _client_privacy_file_name(self):
        return f"personal_data_{self.commercial_partner_id.id}.json"

    def action_client_privacy_export(self):
        """Download, as a readable JSON file, all that the base holds on the client."""
        self.ensure_one()
        self._check_client_privacy_right()
        data = self._get_client_privacy_data()
        content = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
        # an attachment of no record: only the user who asked for it (and the system
        # administrator) can read it, not everybody who can open the partner
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": self._client_privacy_file_name(),
                    "datas": base64.b64encode(content),
                    "mimetype": "application/json",
                    "public": False,
                }
            )
        )
        self.env["clientbase.export.log"]._log_export(
            "res.partner",
            len(data["client"]) + len(data["contacts"]),
            list(data),
            "privacy",
            partner=self.commercial_partner_id,
            note=self.env._("Personal data export"),
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    # --- forget ---------------------------------------------------------------
    def _client_forget(self, reason=None):
        """Anonymise the client, its contacts, interactions' free text and consents' proofs.

        Orders, opportunities and figures stay (linked to the anonymous client);
        the old values are not kept anywhere: the writes are not tracked and the
        client's chatter history is emptied. Irreversible.
        """
        self._check_client_privacy_right()
        commercials = self.commercial_partner_id
        if commercials.filtered("client_forgotten_date"):
            raise UserError(self.env._("This client has already been forgotten."))
        partners = self._get_client_privacy_partners().with_context(
            tracking_disable=True, clientbase_change_door="forget"
        )
        vals = dict.fromkeys(partners._get_client_forget_fields(), False)
        markers = partners._client_forget_markers()
        retained = self.env["account.move"]._client_retain_buyers(partners)
        # what other records copied from the client, found before it is erased
        copies = {
            "emails": [e for e in partners.mapped("email_normalized") + partners.mapped("email") if e],
            "phones": [p for p in partners.mapped("phone_sanitized") + partners.mapped("phone") if p],
            "names": [n for n in partners.mapped("name") if n],
        }
        now = fields.Datetime.now()
        for partner in partners:
            partner.write(
                dict(
                    vals,
                    name=self.env._("Forgotten client #%s", partner.id),
                    client_forgotten_date=now,
                    client_forgotten_by_id=self.env.uid,
                )
            )
        # the change log keeps who changed which field when, not the values (nor the erased ones)
        self.env["clientbase.change.log"].sudo()._erase_values(partners)
        self._client_forget_related(partners)
        self._client_forget_copies(partners, commercials, copies)
        self._client_forget_linked_copies(partners, markers)
        self._client_forget_everywhere(partners, markers)
        retained._client_restore_retained_names()
        # the typed reason is kept as the request's reference, without the client's identity
        reason = redact(redact(reason or "", markers["addresses"]), markers["names"])
        for commercial in commercials:
            self.env["clientbase.export.log"]._log_export(
                "res.partner", len(partners), [], "privacy", partner=commercial, note=self.env._("Forgotten")
            )
            commercial.sudo().message_post(
                body=self.env._(
                    "Personal data erased on request by %(user)s. %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                ),
            )
        return True

    def _client_forget_copies(self, partners, commercials, copies):
        """Erase the copies of the client's data that other records keep: the churn text of its
        figures, the reminders, Excel export files, the opportunities' contact details and their
        tracking, mailing traces, queued emails, message headers, and its portal account."""
        env = partners.env(su=True)
        emails, phones = copies["emails"], copies["phones"]
        env["clientbase.client.figures"].flush_model()
        env.cr.execute(
            SQL(
                "UPDATE clientbase_client_figures SET churn_reason = NULL WHERE partner_id IN %s",
                tuple(commercials.ids),
            )
        )
        env["clientbase.client.figures"].invalidate_model(["churn_reason"])
        env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)]
        ).unlink()
        # any Excel file made before may list the client: export files are downloads, not records
        env["clientbase.xlsx.export.wizard"].search([("file_name", "!=", False)]).unlink()
        Lead = env["crm.lead"].with_context(active_test=False, tracking_disable=True)
        lead_domain = [("partner_id", "in", partners.ids)]
        if emails:
            lead_domain = ["|", ("email_normalized", "in", emails)] + lead_domain
        leads = Lead.search(lead_domain)
        lead_fields = ("email_from", "phone", "mobile", "contact_name", "partner_name", "function", "title")
        leads.write({name: False for name in lead_fields if name in Lead._fields})
        lead_messages = env["mail.message"].search([("model", "=", "crm.lead"), ("res_id", "in", leads.ids)])
        lead_messages.tracking_value_ids.unlink()
        Trace = env["mailing.trace"]
        trace_domain = [("model", "=", "res.partner"), ("res_id", "in", partners.ids)]
        if emails:
            trace_domain = ["|", ("email", "in", emails)] + trace_domain
        if phones and "sms_number" in Trace._fields:
            trace_domain = ["|", ("sms_number", "in", phones)] + trace_domain
        traces = Trace.search(trace_domain)
        traces.write({name: False for name in ("email", "sms_number") if name in Trace._fields})
        Mail = env["mail.mail"]
        mail_domain = [("recipient_ids", "in", partners.ids)]
        if emails:
            mail_domain = ["|", ("email_to", "in", emails)] + mail_domain
        Mail.search(mail_domain).unlink()
        messages = env["mail.message"].search([("model", "=", "res.partner"), ("res_id", "in", partners.ids)])
        for partner in partners:
            messages.filtered(lambda m, p=partner: m.res_id == p.id).write({"record_name": partner.name})
        authored = env["mail.message"].search(
            ["|", ("author_id", "in", partners.ids), ("email_from", "in", emails or [""])]
        )
        authored.write({"email_from": False})
        users = env["res.users"].with_context(active_test=False).search([("partner_id", "in", partners.ids)])
        for user in users:
            user.write({"active": False, "login": f"forgotten-{user.id}", "signature": False})

    def _client_forget_related(self, partners):
        env = partners.env
        # the client cards hold the personal, qualifying and informal data: gone whole
        env["clientbase.client.card"].sudo().search([("partner_id", "in", partners.ids)]).unlink()
        messages = (
            env["mail.message"].sudo().search([("model", "=", "res.partner"), ("res_id", "in", partners.ids)])
        )
        messages.tracking_value_ids.unlink()
        messages.attachment_ids.unlink()
        messages.write({"body": False, "subject": False})
        env["ir.attachment"].sudo().search(
            [("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)]
        ).unlink()
        # the personal-data exports made for the client (attachments of no record)
        env["ir.attachment"].sudo().search(
            [
                ("res_model", "=", False),
                ("name", "in", [partner._client_privacy_file_name() for partner in partners]),
            ]
        ).unlink()
        for model, link in (("clientbase.interaction", "client_id"), ("clientbase.consent", "partner_id")):
            if model not in env:
                continue
            Model = env[model].sudo().with_context(active_test=False, tracking_disable=True)
            records = Model.search([(link, "in", partners.ids)])
            free_text = {
                name: False
                for name, field in Model._fields.items()
                if field.store
                and not field.required
                and not field.compute
                and not field.automatic
                and field.type in ("char", "text", "html", "binary")
                and not name.startswith(("message_", "activity_", "access_"))
            }
            if records and free_text:
                records.write(free_text)
