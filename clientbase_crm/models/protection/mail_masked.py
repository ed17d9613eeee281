from contextlib import ExitStack

from odoo import models

from ...tools.contact_mask import mask, mask_email
from .base_masked import document_customers
from .clientbase_security import MASKED_CONTACT_FIELDS
from .res_partner_masked import masked_user
from .res_partner_strict import strict_user


class MailRenderMixin(models.AbstractModel):
    """Masked-contacts mode in what a user renders (a mailing's or a template's preview, a test
    mailing, the composer's body): the records rendered and the partners they point at show their
    masked emails and phones (``{{ object.phone }}``, ``{{ object.partner_id.email }}``). Mails
    sent by the mailing queue render as superuser, with the real values."""

    _inherit = "mail.render.mixin"

    def _render_template(
        self, template_src, model, res_ids, engine="inline_template", add_context=None, options=None
    ):
        if not model or not res_ids or model not in self.env or not masked_user(self.env):
            return super()._render_template(template_src, model, res_ids, engine, add_context, options)
        Base = self.env["base"]
        records = self.env[model].browse([rid for rid in res_ids if isinstance(rid, int)])
        links = [
            fname
            for fname, field in records._fields.items()
            if field.type in ("many2one", "many2many") and field.comodel_name == "res.partner" and field.store
        ]
        partners = (
            self.env["res.partner"]
            .browse({pid for fname in links for pid in records.sudo().mapped(fname).ids})
            .with_env(self.env)
        )
        if model == "res.partner":
            partners -= records
        with ExitStack() as stack:
            stack.enter_context(Base._clientbase_masked_cache(records, records._clientbase_masked_paths()))
            if partners:
                stack.enter_context(Base._clientbase_masked_cache(partners, tuple(MASKED_CONTACT_FIELDS)))
            rendered = super()._render_template(template_src, model, res_ids, engine, add_context, options)
        # whatever path the template took to a client (its partners' partners, a many2many, a
        # computed text), the rendered text shows no full address or number of a masked client
        keys = list(rendered)
        texts = self.env["res.partner"]._client_mask_texts([rendered[key] for key in keys], partners)
        return dict(zip(keys, texts, strict=True))


class MailTrackingValue(models.Model):
    """The chatter's tracked changes of an email or phone show them masked (the old and the new
    value) on a partner the user sees masked."""

    _inherit = "mail.tracking.value"

    def _tracking_value_format_model(self, model):
        formatted = super()._tracking_value_format_model(model)
        if not model or model not in self.env or not masked_user(self.env):
            return formatted
        paths = self.env[model]._clientbase_masked_paths()
        trackings = self.browse([info["id"] for info in formatted if info["fieldName"] in paths]).sudo()
        if not trackings:
            return formatted
        by_tracking = {tracking.id: tracking.mail_message_id.res_id for tracking in trackings}
        names = {info["fieldName"] for info in formatted if info["fieldName"] in paths}
        masked = self.env[model].browse(set(by_tracking.values()))._clientbase_masked_ids(names)
        for info in formatted:
            fname = info["fieldName"]
            if fname in names and by_tracking.get(info["id"]) in masked[fname]:
                for side in ("oldValue", "newValue"):
                    info[side]["value"] = mask(info[side]["value"], paths[fname][1])
        return formatted


class MailMessage(models.Model):
    """The sender's address of a message written by a client the user sees masked is masked; by a
    client strict mode hides from him, it is not given at all (the author shows as "Hidden
    client"): in RPC reads and in the chatter's feed, which reads it directly."""

    _inherit = "mail.message"

    def _clientbase_sender_copies(self):
        """{message id: what the user is shown of its sender's address, when not the address}."""
        authors = {message.id: message.author_id for message in self.sudo() if message.author_id}
        partners = self.env["res.partner"].browse({author.id for author in authors.values()})
        hidden = set(partners._client_strict_hidden().ids)
        masked = set(partners._client_masked().ids) - hidden
        return {
            message.id: (False if authors[message.id].id in hidden else mask_email(message.sudo().email_from))
            for message in self.sudo()
            if message.id in authors and authors[message.id].id in hidden | masked
        }

    def _read_format(self, fnames, load="_classic_read"):
        values = super()._read_format(fnames, load)
        if not values or not masked_user(self.env):
            return values
        texts = [fname for fname in ("body", "subject", "preview") if fname in fnames]
        if texts:
            self._clientbase_mask_texts(values, texts)
        copies = [fname for fname in ("email_from", "reply_to") if fname in fnames]
        if not copies:
            return values
        shown = self._clientbase_sender_copies()
        for row in values:
            if row.get("id") in shown:
                for fname in copies:
                    row[fname] = mask_email(row.get(fname))
        return values

    def _clientbase_mask_texts(self, values, texts):
        """Mask, in ``values`` (``_read_format`` rows of ``self``), the emails and numbers of the
        clients the user sees masked written in the ``texts`` fields (a client's signature in
        the email he sent, an address typed in a note), found by the addresses themselves and
        by the message's author and its record's customer (or the partner whose chatter it is).
        A message tied to a masked client (his chatter, his record's, or written by him) has
        every address and number masked but those of partners the user sees whole: a second
        number of the client, on no record, is masked too."""
        messages = self.sudo()
        Partner = self.env["res.partner"].sudo()
        customers = document_customers(
            self.env, {message.id: (message.model, message.res_id) for message in messages}
        )
        linked_of = {
            message.id: message.author_id | customers.get(message.id, Partner) for message in messages
        }
        linked = Partner.union(*linked_of.values())
        masked = set(linked.with_env(self.env)._client_masked().ids)
        keys = [(row, fname) for row in values for fname in texts if fname in row]
        tied = [bool(set(linked_of.get(row.get("id"), Partner).ids) & masked) for row, __ in keys]
        cleaned = self.env["res.partner"]._client_mask_texts(
            [row[fname] for row, fname in keys], linked, tied=tied
        )
        for (row, fname), value in zip(keys, cleaned, strict=True):
            row[fname] = value

    def _author_to_store(self, store):
        shown = self._clientbase_sender_copies() if masked_user(self.env) or strict_user(self.env) else {}
        if not shown:
            return super()._author_to_store(store)
        messages = self.browse(list(shown))
        messages.flush_recordset(["email_from"])
        field = self._fields["email_from"]
        for message in messages:
            self.env.cache.set(message, field, shown[message.id])
        try:
            return super()._author_to_store(store)
        finally:
            messages.invalidate_recordset(["email_from"], flush=False)


class MailThread(models.AbstractModel):
    """The chatter's suggested recipients of a record (its customer, its contact) show a masked
    client's address masked and a client strict mode hides as "Hidden client", without address."""

    _inherit = "mail.thread"

    def _mail_find_partner_from_emails(self, emails, records=None, force_create=False, extra_domain=False):
        # an address typed in a new message finds no client the user sees masked (Odoo looks also
        # among the record's followers and the users with superuser rights): the full value is
        # no oracle of who has it
        partners = super()._mail_find_partner_from_emails(
            emails, records=records, force_create=force_create, extra_domain=extra_domain
        )
        if not masked_user(self.env):
            return partners
        found = self.env["res.partner"].union(*[partner for partner in partners if partner])
        masked = found._client_masked()
        return [self.env["res.partner"] if partner in masked else partner for partner in partners]

    def _message_add_suggested_recipient(self, result, partner=None, email=None, lang=None, reason=""):
        before = len(result)
        result = super()._message_add_suggested_recipient(
            result, partner=partner, email=email, lang=lang, reason=reason
        )
        for info in result[before:]:
            recipient = self.env["res.partner"].browse(info.get("partner_id") or [])
            if recipient and recipient._client_strict_hidden():
                info.update(name=self.env._("Hidden client"), email=False)
            elif recipient and recipient._client_masked():
                info["email"] = mask_email(info.get("email"))
        return result
