import logging
import re

import psycopg2

from odoo import models
from odoo.tools import SQL

from ...tools.forget_markers import (
    FORGOTTEN_TEXT,
    email_pattern,
    join_patterns,
    name_pattern,
    name_word_patterns,
    phone_pattern,
)
from .clientbase_security import FORGET_KEPT_COLUMNS

_logger = logging.getLogger(__name__)

# the opportunity's copies of the client's contact data and its free text about the client
LEAD_ERASED_FIELDS = (
    "street",
    "street2",
    "city",
    "zip",
    "state_id",
    "country_id",
    "website",
    "description",
    "email_cc",
)
# drafts that hold files as they were uploaded (possibly compressed): they cannot be searched for
# the client, so every pending one is dropped (the user uploads the file again)
IMPORT_PREVIEW_MODELS = ("clientbase.import.wizard", "base_import.import")
PREVIEW_BATCH = 1000
TEXT_COLUMN_TYPES = ("text", "character varying", "jsonb")
# tables of free text about many clients, linked to none: the filters typed for an export ("name
# contains ...") are kept in the export log; the client's names are cleared from every row
NAME_SCRUBBED_TABLES = ("clientbase_export_log",)


class ResPartner(models.Model):
    """Forget this client, everywhere: the copies other records keep of its data.

    Three passes, after the partner itself is blanked (``res_partner_privacy.py``):

    1. the copies known by their link to the client: its opportunities' address, website, free
       text, chatter, attachments and activities; its bank accounts; the mailing contacts with its
       address or number; what it wrote in any chatter; the queued emails to it; the pending import
       previews and every transient row holding its data;
    2. every stored text column of every table is cleared of its email addresses and phone numbers,
       and every row linked to it (any many2one to the partner, and the messages, activities and
       attachments of those rows) of its names;
    3. what a stated retention keeps (``FORGET_KEPT_COLUMNS``) is left as it is.
    """

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    # --- the markers ------------------------------------------------------------
    def _client_forget_markers(self):
        """Regular expressions of the client's addresses and numbers, and of its names, taken
        before the partners are blanked: ``{"addresses": ..., "names": ...}``."""
        emails = self.mapped("email") + self.mapped("email_normalized")
        phones = self.mapped("phone") + self.mapped("mobile") + self.mapped("phone_sanitized")
        names = self.mapped("name") + [p.complete_name for p in self]
        return {
            "addresses": join_patterns(
                [email_pattern(e) for e in emails] + [phone_pattern(p) for p in phones]
            ),
            "names": join_patterns(
                [name_pattern(n) for n in names] + [p for n in names for p in name_word_patterns(n)]
            ),
        }

    # --- pass 1: the copies known by link ------------------------------------------
    def _client_forget_linked_copies(self, partners, markers):
        env = partners.env(su=True)
        addresses = markers["addresses"]
        # opportunities: their address, website and free text; their chatter, files and to-dos
        Lead = env["crm.lead"].with_context(active_test=False, tracking_disable=True)
        leads = Lead.search([("partner_id", "in", partners.ids)])
        if addresses:
            leads |= Lead.browse(
                self._client_forget_rows_matching("crm_lead", ("email_from", "phone"), addresses)
            )
        if leads:
            leads.write({name: False for name in LEAD_ERASED_FIELDS if name in Lead._fields})
            self._client_forget_record_traces("crm.lead", leads.ids)
        # bank accounts: emptied, then deleted unless an entry still points at one. In SQL: Odoo's
        # own unlink only archives them, and its write logs the old number in the client's chatter
        # (and refuses to change a trusted account)
        Bank = env["res.partner.bank"]
        Bank.flush_model()
        bank_ids = Bank.with_context(active_test=False).search([("partner_id", "in", partners.ids)]).ids
        if bank_ids:
            env.cr.execute(
                SQL(
                    """UPDATE res_partner_bank SET acc_number = %(text)s || ' ' || id,
                              sanitized_acc_number = %(text)s || ' ' || id, acc_holder_name = NULL, active = FALSE
                        WHERE id = ANY(%(ids)s)""",
                    text=FORGOTTEN_TEXT,
                    ids=bank_ids,
                )
            )
            for bank_id in bank_ids:
                try:
                    with env.cr.savepoint():
                        env.cr.execute(SQL("DELETE FROM res_partner_bank WHERE id = %s", bank_id))
                except psycopg2.IntegrityError:
                    continue  # a posted entry refers to it: it stays, emptied and archived
            Bank.invalidate_model()
        # mailing lists: the client's address or number stays mailable through a list otherwise
        Contact = env["mailing.contact"].with_context(active_test=False)
        emails = [e for e in partners.mapped("email_normalized") if e]
        contact_domain = [("email_normalized", "in", emails or [""])]
        phones = [p for p in partners.mapped("phone_sanitized") if p]
        if phones and "phone_sanitized" in Contact._fields:
            contact_domain = ["|", ("phone_sanitized", "in", phones)] + contact_domain
        contacts = Contact.search(contact_domain)
        if addresses:
            contacts |= Contact.browse(
                self._client_forget_rows_matching("mailing_contact", ("email",), addresses)
            )
        contacts.unlink()
        # what the client wrote, on any record: its words and its addresses
        authored = env["mail.message"].search([("author_id", "in", partners.ids)])
        if addresses:
            authored |= env["mail.message"].browse(
                self._client_forget_rows_matching("mail_message", ("email_from", "reply_to"), addresses)
            )
        authored.write({"body": False, "subject": False, "email_from": False, "reply_to": False})
        # queued emails to the client or about it (the notifications of its chatter)
        Mail = env["mail.mail"]
        mails = Mail.search(
            [
                "|",
                ("recipient_ids", "in", partners.ids),
                "&",
                ("model", "=", "res.partner"),
                ("res_id", "in", partners.ids),
            ]
        )
        if addresses:
            mails |= Mail.browse(
                self._client_forget_rows_matching("mail_mail", ("email_to", "email_cc"), addresses)
            )
        mails.unlink()
        # pending import previews, and any transient row (a wizard) holding the client's data
        for model in IMPORT_PREVIEW_MODELS:
            if model in env:
                while previews := env[model].search([], limit=PREVIEW_BATCH):
                    previews.unlink()
        pattern = join_patterns([addresses, markers["names"]])
        for Model in (env[name] for name in env.registry.models if env[name]._transient):
            if Model._abstract or not Model._table:
                continue
            columns = [
                f.name
                for f in Model._fields.values()
                if f.store and f.column_type and f.type in ("char", "text", "html")
            ]
            if pattern and columns:
                Model.browse(self._client_forget_rows_matching(Model._table, columns, pattern)).unlink()

    def _client_forget_record_traces(self, model, res_ids):
        """The chatter, files and to-dos of records about the client: words and files gone, the
        to-dos kept without their text (someone may still have to call)."""
        env = self.env(su=True)
        messages = env["mail.message"].search([("model", "=", model), ("res_id", "in", res_ids)])
        messages.tracking_value_ids.unlink()
        messages.attachment_ids.unlink()
        messages.write({"body": False, "subject": False})
        env["ir.attachment"].search([("res_model", "=", model), ("res_id", "in", res_ids)]).unlink()
        env["mail.activity"].search([("res_model", "=", model), ("res_id", "in", res_ids)]).write(
            {"note": False, "summary": False}
        )

    def _client_forget_rows_matching(self, table, columns, pattern):
        """Ids of the rows of ``table`` where one of ``columns`` matches ``pattern``."""
        if not pattern:
            return []
        for model in self.env.registry.models.values():
            if model._table == table:
                self.env[model._name].flush_model()
        condition = SQL(" OR ").join(
            SQL("%s::text ~* %s", SQL.identifier(column), pattern) for column in columns
        )
        return [
            row[0]
            for row in self.env.execute_query(
                SQL("SELECT id FROM %s WHERE %s", SQL.identifier(table), condition)
            )
        ]

    # --- pass 2: every text column of every table ---------------------------------
    def _client_forget_everywhere(self, partners, markers):
        """Clear every stored text column of the client's addresses and numbers, and the rows
        linked to the client of its names; then delete the files whose text holds them."""
        env = partners.env(su=True)
        env.flush_all()
        addresses, names = markers["addresses"], markers["names"]
        columns = {}
        for table, column, data_type in env.execute_query(
            SQL(
                """SELECT c.table_name, c.column_name, c.data_type
                     FROM information_schema.columns c
                     JOIN information_schema.tables t
                       ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                    WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
                      AND c.is_generated = 'NEVER' AND c.data_type IN %s""",
                TEXT_COLUMN_TYPES,
            )
        ):
            if (table, column) not in FORGET_KEPT_COLUMNS:
                columns.setdefault(table, []).append((column, data_type))
        self._client_forget_attachments(partners, markers)
        if addresses:
            for table, table_columns in columns.items():
                self._client_forget_redact(table, table_columns, addresses)
        if names:
            # names are cleared from the free text only (text fields of the models), never from
            # technical values (selections, model names, references)
            free_text = self._client_forget_free_text_columns(columns)
            for table, links in self._client_forget_links(partners).items():
                if free_text.get(table):
                    self._client_forget_redact(table, free_text[table], names, links)
            for table in NAME_SCRUBBED_TABLES:
                self._client_forget_redact(table, free_text[table], names)
            self._client_forget_tracked_names(partners, names)
        env.invalidate_all()

    def _client_forget_free_text_columns(self, columns):
        """``{table: [(column, type)]}`` of ``columns`` that store char, text or html fields."""
        result = {}
        for model in self.env.registry.models.values():
            if model._abstract or not model._auto or model._table not in columns or model._table in result:
                continue
            names = {
                name
                for name, field in model._fields.items()
                if field.store and field.column_type and field.type in ("char", "text", "html")
            }
            kept = [(column, data_type) for column, data_type in columns[model._table] if column in names]
            if kept:
                result[model._table] = kept
        return result

    def _client_forget_redact(self, table, columns, pattern, where=None):
        """Replace the matches of ``pattern`` in ``columns`` of ``table`` (the rows ``where``):
        one scan finds the columns that hold a match, then only those are rewritten."""

        def matches(column):
            return SQL("%s::text ~* %s", SQL.identifier(column), pattern)

        any_match = SQL(" OR ").join(matches(column) for column, _type in columns)
        condition = SQL("(%s) AND (%s)", where, any_match) if where else any_match
        flags = self.env.execute_query(
            SQL(
                "SELECT %s FROM %s WHERE %s",
                SQL(", ").join(SQL("bool_or(%s)", matches(column)) for column, _type in columns),
                SQL.identifier(table),
                condition,
            )
        )[0]
        for (column, data_type), found in zip(columns, flags, strict=True):
            if not found:
                continue
            value = SQL(
                "regexp_replace(%s::text, %s, %s, 'gi')", SQL.identifier(column), pattern, FORGOTTEN_TEXT
            )
            if data_type == "jsonb":
                value = SQL("%s::jsonb", value)
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET %s = %s WHERE %s",
                    SQL.identifier(table),
                    SQL.identifier(column),
                    value,
                    SQL("(%s) AND %s", where, matches(column)) if where else matches(column),
                )
            )
            _logger.info("Forget: %s rows of %s.%s cleared", self.env.cr.rowcount, table, column)

    def _client_forget_links(self, partners):
        """``{table: SQL condition}`` of the rows linked to the partners: any foreign key to
        res_partner, and the messages, activities and files of the linked records of models."""
        links = {}
        for table, column in self.env.execute_query(
            SQL(
                """SELECT cl.relname, a.attname
                     FROM pg_constraint con
                     JOIN pg_class cl ON cl.oid = con.conrelid
                     JOIN pg_namespace ns ON ns.oid = cl.relnamespace AND ns.nspname = current_schema()
                     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
                    WHERE con.contype = 'f' AND con.confrelid = 'res_partner'::regclass
                      AND array_length(con.conkey, 1) = 1"""
            )
        ):
            links.setdefault(table, []).append(SQL("%s = ANY(%s)", SQL.identifier(column), partners.ids))
        records = self._client_forget_linked_records(partners)
        result = {table: SQL(" OR ").join(conditions) for table, conditions in links.items()}
        for table, model_column, id_column in (
            ("mail_message", "model", "res_id"),
            ("mail_activity", "res_model", "res_id"),
            ("ir_attachment", "res_model", "res_id"),
        ):
            about = [
                SQL(
                    "(%s = %s AND %s = ANY(%s))",
                    SQL.identifier(model_column),
                    model,
                    SQL.identifier(id_column),
                    ids,
                )
                for model, ids in records.items()
            ]
            if about:
                conditions = [result[table]] if table in result else []
                result[table] = SQL(" OR ").join(conditions + about)
        return result

    def _client_forget_tracked_names(self, partners, names):
        """The tracked changes of a many2one to the client keep its name as text."""
        self._client_forget_redact(
            "mail_tracking_value",
            [("old_value_char", "character varying"), ("new_value_char", "character varying")],
            names,
            SQL("old_value_integer = ANY(%s) OR new_value_integer = ANY(%s)", partners.ids, partners.ids),
        )

    def _client_forget_attachments(self, partners, markers):
        """Files whose text (as indexed) holds the client's address or number, or, for the files of
        records linked to it, its name: deleted, except those of a retained invoice."""
        env = self.env(su=True)
        Attachment = env["ir.attachment"].with_context(active_test=False)
        found = Attachment.browse(
            self._client_forget_rows_matching(
                "ir_attachment", ("index_content", "description"), markers["addresses"]
            )
        )
        if markers["names"]:
            for model, ids in self._client_forget_linked_records(partners).items():
                found |= Attachment.search([("res_model", "=", model), ("res_id", "in", ids)]).filtered(
                    lambda a: a.index_content and re.search(markers["names"], a.index_content, re.IGNORECASE)
                )
        retained = env["account.move"].search([("client_retained_buyer", "!=", False)]).ids
        found.filtered(lambda a: not (a.res_model == "account.move" and a.res_id in retained)).unlink()

    def _client_forget_linked_records(self, partners):
        records = {}
        for model in self.env.registry.models.values():
            if model._abstract or not model._auto or model._transient:
                continue
            links = [
                name
                for name, field in model._fields.items()
                if field.type == "many2one" and field.comodel_name == "res.partner" and field.store
            ]
            if not links:
                continue
            domain = ["|"] * (len(links) - 1) + [(name, "in", partners.ids) for name in links]
            ids = self.env[model._name].sudo().with_context(active_test=False).search(domain).ids
            if ids:
                records[model._name] = ids
        return records
