import re

from markupsafe import Markup

from odoo import api, models
from odoo.tools import SQL, email_normalize

from ...tools.client_definition import handled_sql
from ...tools.contact_mask import EMAIL_PATTERN, mask_email, mask_phone
from .clientbase_security import MASKED_CONTACT_FIELDS
from .res_partner_strict import salesperson_in_mode

# a number as people type it in a text: digits, spaces, dashes, dots, brackets, a leading +
PHONE_PATTERN = re.compile(r"\+?\d[\d\s().\-]{7,}\d")
# what such a run of digits is when it is a date (2026-06-01, 01.06.2026), not a number
DATE_PATTERN = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}")


def number_key(value):
    """What two ways of writing one number have in common: its last ten digits (a Russian number
    with ``+7`` or ``8``, or without either), None for fewer than nine digits."""
    digits = re.sub(r"\D", "", value or "")
    return digits[-10:] if len(digits) >= 9 else None


def masked_user(env):
    """The user of ``env`` sees other managers' clients' contacts masked: a client base user (not
    a manager) of a company in masked-contacts mode. Decided by the user, also when code reads
    with superuser rights on his behalf (the chatter, the mail composer); never for the superuser
    itself (crons, Odoo's own flows, which need the real address)."""
    return salesperson_in_mode(env, "client_masked_contacts")


class ResPartner(models.Model):
    """Masked-contacts mode: other managers' clients show their emails and phones masked.

    Which partners: the clients the client base handles (``_get_client_clients``, with their
    contacts) whose manager is someone else (``_get_client_data_foreign``): the complement of the
    clients the user handles, as in strict mode, but the clients stay visible by name.

    Every door is closed at one of two places:

    * the values: ``_read_format`` of every model (``base_masked.py``: read, search_read, web_read,
      the chatter's partners, followers, res.users), exports, contact cards and the mails a user
      renders show the masked value of every field that resolves to a partner's email or phone
      (``MASKED_CONTACT_FIELDS``);
    * the SQL: the partner's email and phone columns, wherever a query of the user uses them (a
      search condition, a related path from another model, a sort order, a group-by, an
      aggregate), read as empty for the masked clients, so that no full value finds, ranks or
      groups them. The fetch of the values themselves (what the ORM caches) reads the real column:
      code with superuser rights (sending a mail) needs the real address.
    """

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    def _client_masked(self):
        """The records of ``self`` whose emails and phones the current user sees masked."""
        env = self.env(su=False)
        if not masked_user(env):
            return self.browse()
        own = env.user.partner_id.id
        records = env["res.partner"].browse([pid for pid in self._origin._ids if pid and pid != own])
        if not records:
            return self.browse()
        foreign = records._get_client_data_foreign()
        return self.browse(foreign._get_client_clients().ids) if foreign else self.browse()

    # --- the SQL: no search, sort or group by a masked value -----------------------------------
    # (the fetch of the values reads the real columns: ``Base._fetch_query`` in ``base_masked.py``)
    def _field_to_sql(self, alias, fname, query=None, flush=True):
        sql = super()._field_to_sql(alias, fname, query, flush)
        if (
            fname in MASKED_CONTACT_FIELDS
            and query is not None
            and not getattr(query, "_clientbase_fetch", False)
            and not self.env.su
            and masked_user(self.env)
        ):
            sql = SQL("(CASE WHEN %s THEN NULL ELSE %s END)", self._client_masked_sql(alias, query), sql)
        return sql

    @api.model
    def _client_masked_sql(self, alias, query):
        """Condition, inside ``query``, that the partner ``alias`` is a client whose contacts the
        current user sees masked (the SQL of :meth:`_client_masked`): a client the client base
        handles, whose manager is someone else. The manager is read from the partner's own row
        (``res_partner_commercial_owner.py``), as the record rules' ownership is; whether the
        client base handles it (its commercial entity is a client, or a mailing-only contact,
        with a manager, a card or figures: ``handled_sql``) reads the commercial entity's row,
        LEFT JOINed once."""
        entity = query.make_alias(alias, "clientbase_owner")
        query.add_join(
            "LEFT JOIN",
            entity,
            self._table,
            SQL("%s = %s", SQL.identifier(entity, "id"), SQL.identifier(alias, "commercial_partner_id")),
        )
        return SQL(
            "(%s AND NOT COALESCE(%s, FALSE) AND %s != %s)",
            handled_sql(alias, entity),
            self._client_own_condition_sql(alias, query),
            SQL.identifier(alias, "id"),
            self.env.user.partner_id.id,
        )

    def _search_phone_mobile_search(self, operator, value):
        # Odoo searches the numbers with SQL of its own: the masked clients are taken out after
        domain = super()._search_phone_mobile_search(operator, value)
        if not masked_user(self.env) or self.env.su or value is True or not value:
            return domain
        found = self.sudo().with_context(active_test=False).search(domain)
        return [("id", "in", (found - found._client_masked()).ids)]

    # --- free texts: message bodies, notes, descriptions ---------------------------------------
    @api.model
    def _client_mask_texts(self, texts, linked=None, tied=None):
        """``texts`` (strings or markup; anything else kept) with the emails and numbers of the
        clients the current user sees masked masked, wherever they are written.

        Which values are a masked client's: his own (found from the texts themselves, every
        address by its normalised form, every number by its sanitised form, compared by its last
        ten digits; and the ``linked`` partners, a message's author, its record's customer, by
        any of their numbers) and the copies the records linked to him keep (a lead's email and
        numbers, their normalised forms: :meth:`_client_copy_owners`).

        ``tied`` (one flag per text) marks the texts that belong to a masked client's record (a
        message in his chatter or written by him, his lead's description): there a second address
        or number of his that no record holds is masked too, as every address and valid number
        is, except those known as another partner's whom the user sees whole (his own, the
        company's, a colleague's, a vendor's)."""
        if not masked_user(self.env) or not any(isinstance(text, str) and text for text in texts):
            return texts
        tied = list(tied) if tied is not None else [False] * len(texts)
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        strings = [text for text in texts if isinstance(text, str) and text]
        emails = {email_normalize(m.group(0)) for text in strings for m in EMAIL_PATTERN.finditer(text)}
        emails.discard(False)
        numbers = {}
        for text in strings:
            for found in PHONE_PATTERN.finditer(text):
                numbers.setdefault(found.group(0), number_key(found.group(0)))
        candidates = (linked or Partner.browse()).sudo()
        if emails:
            candidates |= Partner.search([("email_normalized", "in", sorted(emails))])
        sanitized = {Partner._phone_format(number=number) for number in numbers} | {
            f"+7{key}" for key in numbers.values() if key
        }
        sanitized.discard(False)
        if sanitized:
            candidates |= Partner.search([("phone_sanitized", "in", sorted(sanitized))])
        copies = self._client_copy_owners(emails, set(numbers) | sanitized)
        candidates |= Partner.browse(copies)
        masked = candidates.with_env(self.env)._client_masked().sudo()
        if not masked and not any(tied):
            return texts

        def known(partners, values):
            found_emails = {email for email in partners.mapped("email_normalized") if email}
            found_numbers = {
                number_key(partner[fname]) for partner in partners for fname in ("phone", "mobile")
            }
            for pid in partners.ids:
                for kind, value in values.get(pid, ()):
                    if kind == "email":
                        found_emails.add(email_normalize(value))
                    else:
                        found_numbers.add(number_key(value))
            found_numbers.discard(None)
            return found_emails, found_numbers

        masked_emails, masked_numbers = known(masked, copies)
        seen_emails, seen_numbers = known(candidates - masked, copies)
        valid = {
            number
            for number in numbers
            if not DATE_PATTERN.search(number) and Partner._phone_format(number=number)
        }

        def masker(whole):
            def masked_email(match):
                text = match.group(0)
                email = email_normalize(text)
                hidden = email in masked_emails or (whole and email and email not in seen_emails)
                return mask_email(text) if hidden else text

            def masked_phone(match):
                text = match.group(0)
                key = numbers.get(text)
                hidden = key in masked_numbers or (whole and text in valid and key not in seen_numbers)
                return mask_phone(text) if hidden else text

            return masked_email, masked_phone

        result = []
        for text, whole in zip(texts, tied, strict=True):
            if isinstance(text, str) and text:
                masked_email, masked_phone = masker(whole)
                cleaned = PHONE_PATTERN.sub(masked_phone, EMAIL_PATTERN.sub(masked_email, str(text)))
                text = Markup(cleaned) if isinstance(text, Markup) else cleaned
            result.append(text)
        return result

    @api.model
    def _client_copy_owners(self, emails, numbers):
        """``{partner id: {(kind, value)}}``: the partners whose linked records keep, in a copy of
        their email or number (a lead's ``email_from``, ``email_normalized``, ``phone``,
        ``phone_sanitized``: ``Base._clientbase_copy_fields``), one of ``emails`` or ``numbers``
        as written or normalised."""
        owners = {}
        if not emails and not numbers:
            return owners
        values = {"email": sorted(emails), "phone": sorted(numbers)}
        for model, fname, path, kind in self.env["base"]._clientbase_copy_fields():
            if not values[kind]:
                continue
            Model = self.env[model].sudo().with_context(active_test=False)
            for record in Model.search([(fname, "in", values[kind])]):
                partner = record.mapped(path)[:1]
                if partner and record[fname]:
                    owners.setdefault(partner.id, set()).add((kind, record[fname]))
        return owners

    # --- names with an email (``show_email``) and contact cards --------------------------------
    # (the whole list of Odoo's and strict mode's: the last override's list is the field's)
    @api.depends_context(
        "show_address", "partner_show_db_id", "address_inline", "show_email", "show_vat", "lang", "uid"
    )
    def _compute_display_name(self):
        res = super()._compute_display_name()
        if self.env.context.get("show_email"):
            for partner in self._client_masked():
                partner.display_name = mask_email(partner.display_name)
        return res

    def _build_vcard(self):
        with self.env["base"]._clientbase_masked_cache(self, ("email", "phone", "mobile")):
            return super()._build_vcard()
