"""What the rows of a client file mean for the base, and which of them are already clients.

The import wizard (``wizards/clientbase_import_wizard.py``) reads the file with
``import_file`` and maps its columns; this module takes the mapped rows from there:

- :func:`parse_date`, :func:`parse_bool`: the dates and yes/no people type;
- :func:`base_names`: the names of the base a file may use (countries, channels, managers,
  tags, selection values in every installed language);
- :class:`RowChecker`: the partner values of each row with its errors, the same email or
  phone twice in the file, and the rows that duplicate an existing client
  (:func:`existing_contacts`).

Plain Python over an Odoo environment, no model: tests call it without a wizard. Nothing
typed is altered but a phone's format; messages are translated through ``env._``.
"""

import re
from datetime import datetime

from odoo import fields
from odoo.tools import SQL

from .contact_data import check_email, check_phone, normalized_email, phone_match_key, phone_match_key_sql
from .import_file import header_key

DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y", "%Y.%m.%d", "%d.%m.%y")
TRUE_VALUES = ("1", "true", "yes", "y", "x", "+", "да", "д", "есть")
FALSE_VALUES = ("0", "false", "no", "n", "-", "нет", "н")
GENDER_WORDS = {
    "m": "male", "man": "male", "м": "male", "муж": "male", "мужской": "male", "мужчина": "male",
    "f": "female", "w": "female", "woman": "female", "ж": "female", "жен": "female",
    "женский": "female", "женщина": "female",
}  # fmt: skip
FAMILY_WORDS = {
    "холост": "single", "холоста": "single", "незамужем": "single", "неженат": "single",
    "женат": "married", "замужем": "married", "вбраке": "married", "вотношениях": "partnership",
    "гражданскийбрак": "partnership", "разведен": "divorced", "разведена": "divorced",
    "вдовец": "widowed", "вдова": "widowed",
}  # fmt: skip
CONSENT_SOURCE_WORDS = {
    "сайт": "web_form", "website": "web_form", "форманасайте": "web_form", "анкета": "paper",
    "бумага": "paper", "бумажнаяанкета": "paper", "устно": "verbal", "звонок": "verbal",
    "импорт": "import",
}  # fmt: skip
CONSENT_CHANNELS = {"consent_email": "email", "consent_sms": "sms", "consent_phone": "phone"}
# columns copied as typed: {import target: res.partner field}
SIMPLE_TARGETS = {
    "street": "street",
    "city": "city",
    "zip": "zip",
    "vat": "vat",
    "comment": "comment",
    "profession": "client_profession",
    "needs": "client_needs",
}


def parse_date(value):
    """The date of a text in one of :data:`DATE_FORMATS`, else ``None``."""
    for date_format in DATE_FORMATS:
        try:
            return datetime.strptime(value, date_format).date()
        except ValueError:
            continue
    return None


def parse_bool(value):
    """``True``/``False`` for the yes and no words of :data:`TRUE_VALUES`/:data:`FALSE_VALUES`,
    ``None`` for anything else."""
    word = value.strip().lower()
    return True if word in TRUE_VALUES else False if word in FALSE_VALUES else None


def match_keys(vals):
    """[(match key, value as shown)] of a row's email, phone and mobile: two rows, or a row and a
    client, with one key in common are the same client whatever format each was typed in."""
    pairs = [(normalized_email(vals["email"]), vals["email"])] if vals.get("email") else []
    pairs += [(phone_match_key(vals[key]), vals[key]) for key in ("phone", "mobile") if vals.get(key)]
    return [(key, shown) for key, shown in pairs if key]


def target_label(env, target):
    """The translated label of an import target (the column mapping's choice)."""
    field = env["clientbase.import.column"]._fields["target"]
    return dict(field._description_selection(env))[target]


def installed_languages(env):
    """English and the installed languages: names may be typed in any of them."""
    return ["en_US"] + [code for code, _name in env["res.lang"].get_installed() if code != "en_US"]


def selection_words(env, model, fname, extra=None):
    """{comparable word: value} of a selection: its values and labels in every installed
    language, and the ``extra`` words people use for them."""
    words = {}
    field = env[model]._fields[fname]
    for lang in installed_languages(env):
        for value, label in field._description_selection(env(context=dict(env.context, lang=lang))):
            words[header_key(value)] = value
            words[header_key(label)] = value
    for word, value in (extra or {}).items():
        words[header_key(word)] = value
    return words


def base_names(env):
    """The base's names a file may use, read once per check, as the user sees them: countries,
    channels, managers, tags, the words of the selections, and what the user may do."""
    countries, channels = {}, {}
    for lang in installed_languages(env):
        for country in env["res.country"].with_context(lang=lang).search([("code", "!=", False)]):
            countries[country.code.lower()] = country.id
            countries[country.name.lower()] = country.id
        for channel in env["clientbase.channel"].with_context(lang=lang).search([("active", "=", True)]):
            channels[channel.name.lower()] = channel.id
    managers = {}
    for user in env["res.users"].search([("share", "=", False)]):
        for key in (user.name, user.login, user.email):
            if key:
                managers.setdefault(key.strip().lower(), user.id)
    tags = {}
    for lang in installed_languages(env):
        for tag in env["res.partner.category"].with_context(lang=lang).search([("active", "=", True)]):
            tags.setdefault(tag.name.strip().lower(), tag.id)
    return {
        "countries": countries,
        "channels": channels,
        "managers": managers,
        "tags": tags,
        "may_create_tags": env["res.partner.category"].has_access("create"),
        "gender": selection_words(env, "clientbase.client.card", "gender", GENDER_WORDS),
        "family": selection_words(env, "clientbase.client.card", "family_status", FAMILY_WORDS),
        "sources": selection_words(env, "clientbase.consent", "source", CONSENT_SOURCE_WORDS),
        "sees_all": env["res.partner"]._client_data_sees_all(),
        "today": fields.Date.context_today(env["res.partner"]),
    }


def existing_contacts(env, emails, phones, hidden_matches=None):
    """{email_normalized or phone match key: (partner id, message)} for the file's values
    already in the base, archived clients and other salespeople's included (a duplicate is a
    duplicate even where the user does not see it), whatever format they were typed in there."""
    found = {}
    hidden_matches = hidden_matches if hidden_matches is not None else set()
    if not (emails or phones):
        return found
    Partner = env["res.partner"].sudo().with_context(active_test=False)
    Partner.flush_model(["email_normalized", "phone", "mobile", "name"])
    rows = env.execute_query(
        SQL(
            """
        SELECT id, name, email_normalized, %(phone_key)s, %(mobile_key)s
          FROM res_partner
         WHERE email_normalized = ANY(%(emails)s)
            OR %(phone_key)s = ANY(%(phones)s) OR %(mobile_key)s = ANY(%(phones)s)
         ORDER BY id""",
            phone_key=phone_match_key_sql(SQL("phone")),
            mobile_key=phone_match_key_sql(SQL("mobile")),
            emails=list(emails),
            phones=list(phones),
        )
    )
    # a client the user may not see (strict mode) is not named, nor linked: the row is refused
    # with a neutral message, and the match is logged for the client base managers
    visible = set(
        env["res.partner"].with_context(active_test=False).search([("id", "in", [r[0] for r in rows])]).ids
    )
    for partner_id, name, *keys in rows:
        for key in keys:
            if key and key not in found:
                if partner_id in visible:
                    found[key] = (partner_id, env._("duplicates the existing client %s; skipped", name))
                else:
                    found[key] = (
                        False,
                        env._("cannot be imported by you; skipped (a client base manager is told)"),
                    )
                    hidden_matches.add(partner_id)
    return found


class RowChecker:
    """Checks the mapped rows of one file for one user.

    ``check(rows)`` takes ``[(row number, {import target: text})]`` and returns
    ``(values to create, errors, duplicates)``; errors and duplicates are
    ``(row number, message, existing partner id or False)``. The values hold ``_tags`` and
    ``_consents`` for the import to resolve; ``new_tags`` names the tags it will create.
    """

    def __init__(self, env, consent_source):
        self.env = env
        self.consent_source = consent_source  # the file's, unless a column gives it per row
        self.look = base_names(env)
        self.new_tags = set()
        self.hidden_matches = set()  # partners the file matched that the user may not see

    def check(self, rows):
        env = self.env
        checked = []
        for number, row in rows:
            vals, row_errors = self.row_values(row)
            checked.append((number, vals, row_errors, match_keys(vals)))
        existing = existing_contacts(
            env,
            {key for *_row, pairs in checked for key, _shown in pairs if "@" in key},
            {key for *_row, pairs in checked for key, _shown in pairs if "@" not in key},
            self.hidden_matches,
        )
        vals_list, errors, duplicates, seen = [], [], [], {}
        for number, vals, row_errors, pairs in checked:
            for key, shown in pairs:
                if key in seen:
                    row_errors.append(
                        env._("%(value)s is already in row %(row)s", value=shown, row=seen[key])
                    )
                seen.setdefault(key, number)
            if row_errors:
                errors.append((number, "; ".join(row_errors), False))
                continue
            duplicate = next((existing[key] for key, _shown in pairs if key in existing), None)
            if duplicate:
                duplicates.append((number, duplicate[1], duplicate[0]))
                continue
            vals_list.append(vals)
        return vals_list, errors, duplicates

    def row_values(self, row):
        """The partner values of one row and the row's errors."""
        env, look = self.env, self.look
        row_errors = []
        name = row.get("name") or " ".join(
            part for part in (row.get("last_name"), row.get("first_name"), row.get("middle_name")) if part
        )
        vals = {"name": name, "client_contact_invalid": False}  # checked below, not again by create
        if not name:
            row_errors.append(env._("the name is empty"))
        for target, fname in SIMPLE_TARGETS.items():
            if row.get(target):
                vals[fname] = row[target]
        if row.get("is_company"):
            vals["is_company"] = parse_bool(row["is_company"])
            if vals["is_company"] is None:
                row_errors.append(env._("“%s” is neither yes nor no", row["is_company"]))
        if row.get("email"):
            email, reason = check_email(row["email"])
            if not email:
                row_errors.append(
                    env._("“%(value)s” is not a valid email (%(reason)s)", value=row["email"], reason=reason)
                )
            vals["email"] = email
        country_code = ""
        if row.get("country"):
            vals["country_id"] = look["countries"].get(row["country"].lower())
            if not vals["country_id"]:
                row_errors.append(env._("unknown country “%s”", row["country"]))
            else:
                country_code = env["res.country"].browse(vals["country_id"]).code
        country_code = country_code or env.company.country_id.code or ""
        for key in ("phone", "mobile"):
            if row.get(key):
                phone, reason = check_phone(row[key], country_code)
                if not phone:
                    row_errors.append(
                        env._(
                            "“%(value)s” is not a valid phone number (%(reason)s)",
                            value=row[key],
                            reason=reason,
                        )
                    )
                vals[key] = phone
        if row.get("birthday"):
            birthday = parse_date(row["birthday"])
            if not birthday:
                row_errors.append(env._("“%s” is not a date (use YYYY-MM-DD or DD.MM.YYYY)", row["birthday"]))
            elif birthday > look["today"]:
                row_errors.append(env._("the birthday %s is in the future", row["birthday"]))
            vals["client_birthday"] = birthday
        for target, fname, words in (
            ("gender", "client_gender", look["gender"]),
            ("family_status", "client_family_status", look["family"]),
        ):
            if row.get(target):
                vals[fname] = words.get(header_key(row[target]))
                if not vals[fname]:
                    row_errors.append(
                        env._(
                            "unknown %(what)s “%(value)s”",
                            what=target_label(env, target).lower(),
                            value=row[target],
                        )
                    )
        if row.get("channel"):
            vals["client_channel_id"] = look["channels"].get(row["channel"].lower())
            if not vals["client_channel_id"]:
                row_errors.append(env._("unknown acquisition channel “%s”", row["channel"]))
        if row.get("manager"):
            vals["user_id"] = look["managers"].get(row["manager"].lower())
            if not vals["user_id"]:
                row_errors.append(env._("unknown manager “%s”", row["manager"]))
            elif vals["user_id"] != env.uid and not look["sees_all"]:
                row_errors.append(
                    env._("only a client base manager gives clients to another manager (%s)", row["manager"])
                )
        if row.get("tags"):
            vals["_tags"] = [tag.strip() for tag in re.split(r"[,;|]", row["tags"]) if tag.strip()]
            unknown = [tag for tag in vals["_tags"] if tag.lower() not in look["tags"]]
            if unknown and not look["may_create_tags"]:
                row_errors.append(env._("unknown tags: %s", ", ".join(unknown)))
            self.new_tags.update(unknown)
        row_errors += self.consent_values(row, vals)
        return vals, row_errors

    def consent_values(self, row, vals):
        """Puts the row's given consents into ``vals["_consents"]``; returns the row's errors."""
        env, look = self.env, self.look
        row_errors, consents = [], []
        source = self.consent_source
        if row.get("consent_source"):
            source = look["sources"].get(header_key(row["consent_source"]))
            if not source:
                row_errors.append(env._("unknown consent source “%s”", row["consent_source"]))
        consent_date = False
        if row.get("consent_date"):
            consent_date = parse_date(row["consent_date"])
            if not consent_date or consent_date > look["today"]:
                row_errors.append(env._("“%s” is not a past date of consent", row["consent_date"]))
        for target, channel in CONSENT_CHANNELS.items():
            if row.get(target):
                given = parse_bool(row[target])
                if given is None:
                    row_errors.append(env._("“%s” is neither yes nor no", row[target]))
                elif given:
                    consents.append({"channel": channel, "purpose": "marketing", "state": "given", "source": source,
                                     **({"date": consent_date} if consent_date else {})})  # fmt: skip
        if consents:
            vals["_consents"] = consents
        return row_errors
