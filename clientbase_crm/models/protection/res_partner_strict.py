from odoo import SUPERUSER_ID, api, models

from .clientbase_security import MANAGER_GROUP, USER_GROUP

# the fields that name a partner: a hidden client's read as "Hidden client"
HIDDEN_NAME_FIELDS = frozenset({"name", "display_name", "complete_name", "commercial_company_name"})


def salesperson_in_mode(env, company_flag):
    """The user of ``env`` is a client base user (not a manager) of a company whose visibility
    mode ``company_flag`` (a boolean field of the company) is on; never the superuser itself
    (crons, Odoo's own flows). The one test of who a visibility mode applies to."""
    if env.uid == SUPERUSER_ID:
        return False
    user = env.user
    return bool(
        user.sudo().company_id[company_flag]
        and user.has_group(USER_GROUP)
        and not user.has_group(MANAGER_GROUP)
    )


def strict_user(env):
    """The current user is a client base user (not a manager) of a company in strict mode."""
    return salesperson_in_mode(env, "client_strict_visibility")


class ResPartner(models.Model):
    """Strict mode: a client of another manager is named nowhere to a salesperson.

    The strict rule already hides the client from every search (lists, name search, import
    matching): but Odoo names the partner of a many2one with superuser rights (the customer of a
    document, the author of a message, a follower, the record of an activity). Its display name
    is the one place every such door reads: for a salesperson of a strict company it is "Hidden
    client" for the partners of other managers, whatever the rights it is read with.
    """

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    @api.depends_context(
        "show_address", "partner_show_db_id", "address_inline", "show_email", "show_vat", "lang", "uid"
    )
    def _compute_display_name(self):
        res = super()._compute_display_name()
        hidden = self._client_strict_hidden()
        if hidden:
            label = self.env._("Hidden client")
            for partner in hidden:
                partner.display_name = label
        return res

    def _read_format(self, fnames, load="_classic_read"):
        # the rule refuses a hidden client to the salesperson's own reads: what still reads one is
        # code with superuser rights on his behalf (the chatter's authors, recipients, followers),
        # which gets no value of it but the label
        values = super()._read_format(fnames, load)
        hidden = set(self._client_strict_hidden().ids) if values else ()
        if hidden:
            label = self.env._("Hidden client")
            for row in values:
                if row.get("id") in hidden:
                    for name in row:
                        if name != "id":
                            row[name] = label if name in HIDDEN_NAME_FIELDS else False
        return values

    def fetch(self, field_names):
        # printing: a hidden client is read as blank instead of refused, so that the document
        # the user may print (his invoice of that client) prints without naming it
        if self.env.context.get("clientbase_strict_print") and not self.env.su and strict_user(self.env):
            hidden = self._client_strict_hidden()
            if hidden:
                super(ResPartner, self - hidden).fetch(field_names)
                label = self.env._("Hidden client")
                for name in field_names:
                    field = self._fields[name]
                    if name == "id" or not field.store:
                        continue
                    value = label if name in HIDDEN_NAME_FIELDS and field.type in ("char", "text") else False
                    self.env.cache.update(
                        hidden, field, [field.convert_to_cache(value, hidden)] * len(hidden)
                    )
                return
        return super().fetch(field_names)

    def _fetch_query(self, query, fields):
        # printing (``ir_actions_report_strict.py``): what a report reads of a hidden client
        # directly (``o.partner_id.vat``, its street, its email) is in cache as "Hidden client"
        # for its names and nothing for the rest of its texts, for the time of the printing
        fetched = super()._fetch_query(query, fields)
        if not self.env.context.get("clientbase_strict_print") or not strict_user(self.env):
            return fetched
        hidden = fetched._client_strict_hidden()
        if hidden:
            label = self.env._("Hidden client")
            for field in fields:
                if field.type in ("char", "text", "html") and field.name != "id":
                    value = label if field.name in HIDDEN_NAME_FIELDS else False
                    self.env.cache.update(hidden, field, [value] * len(hidden))
        return fetched

    def _client_strict_hidden(self):
        """The records of ``self`` that the current (strict) user may not know of: partners whose
        commercial entity another manager handles (the complement of the strict rule)."""
        if not strict_user(self.env):
            return self.browse()
        own = self.env.user.partner_id.id
        return self.browse(
            [
                partner.id
                for partner in self.sudo()
                if isinstance(partner.id, int)
                and partner.id != own
                and partner.commercial_partner_id.user_id
                and partner.commercial_partner_id.user_id.id != self.env.uid
            ]
        )


def blank_hidden(records, values_list, link, copies):
    """Blank, in ``values_list`` (``read`` results of ``records``), the fields ``copies`` that
    copy the identity of the partner ``link(record)`` when the current user may not know of it."""
    if not strict_user(records.env) or not any(name in values for values in values_list for name in copies):
        return values_list
    by_id = {record.id: link(record.sudo()) for record in records}
    partners = records.env["res.partner"].browse({pid for pid in by_id.values() if pid})
    hidden = set(partners._client_strict_hidden().ids)
    for values in values_list:
        if by_id.get(values.get("id")) in hidden:
            for name in copies:
                if name in values:
                    values[name] = False
    return values_list


class MailFollowers(models.Model):
    _inherit = "mail.followers"

    def _read_format(self, fnames, load="_classic_read"):
        values = super()._read_format(fnames, load)
        return blank_hidden(self, values, lambda f: f.partner_id.id, ("name", "email"))


class MailMessage(models.Model):
    _inherit = "mail.message"

    def _read_format(self, fnames, load="_classic_read"):
        values = super()._read_format(fnames, load)
        return blank_hidden(self, values, lambda m: m.author_id.id, ("email_from", "reply_to"))


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _read_format(self, fnames, load="_classic_read"):
        values = super()._read_format(fnames, load)
        return blank_hidden(
            self, values, lambda a: a.res_id if a.res_model == "res.partner" else False, ("res_name",)
        )


class ResPartnerStrictLists(models.Model):
    """Strict mode in lists of partners (a message's recipients, a meeting's attendees): the web
    client reads the partners of a many2many it shows with the user's rights, and a hidden
    client among them would refuse the whole form of the salesperson's own record. Read there, a
    hidden client is a row with the label for its names and nothing else, like in the chatter
    (its form, opened by id, is that blank row too: no more than the refusal says); ``read``
    and every search still refuse it."""

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    @api.readonly
    def web_read(self, specification):
        hidden = self._client_strict_hidden() if not self.env.su else self.browse()
        if not hidden:
            return super().web_read(specification)
        visible = self - hidden
        rows = super(ResPartnerStrictLists, visible).web_read(specification) if visible else []
        shown = {row["id"]: row for row in rows}
        label = self.env._("Hidden client")
        for partner in hidden:
            shown[partner.id] = {
                "id": partner.id,
                **{
                    name: label if name in HIDDEN_NAME_FIELDS else False
                    for name in specification
                    if name != "id"
                },
            }
        return [shown[pid] for pid in self._ids if pid in shown]


class MailNotification(models.Model):
    """Strict mode in the chatter: which notifications of a message are shown is decided from
    their recipients' records, read with superuser rights so that a message sent to a hidden
    client does not refuse the salesperson's whole chatter (the recipient itself is shown as
    "Hidden client", ``ResPartner._read_format``)."""

    _inherit = "mail.notification"

    def _filtered_for_web_client(self):
        if self.env.su or not strict_user(self.env):
            return super()._filtered_for_web_client()
        return self.browse(super(MailNotification, self.sudo())._filtered_for_web_client().ids)
