"""Who may see and change which client data: the one place that says it.

The design (docs/protection.md): the data that belongs to one client's manager
is stored in models of its own (the client card, the purchase figures, the
interactions, consents and segment history), each behind model access and
record rules of ownership. ``res.partner`` shows that data as non-stored fields
that read, search, sort and group through those models under the current
user's rights, so every door the ORM has (read, search_read, web_read,
read_group, ORDER BY, export, related paths, ``res.users`` which inherits the
partner) meets the same rules, and no list of doors is kept here.

What is kept here:

* the groups;
* who handles a client (:func:`owner_ids`) and, in :data:`CLIENT_OWNERSHIP`, how
  the rows of every protected model reach their client: the salespeople's and the
  managers' record rules are generated from these two at every install and
  upgrade (``ir_rule.py``), so the ownership is written nowhere else; a test holds
  every record rule of the client base against them;
* the classification of the client base's partner fields and models, which a
  test holds against the code, so that a new ``client_*`` field or
  ``clientbase.*`` model cannot be added without deciding whether it is
  protected;
* the fields that only a client's manager (or a client base manager) may change
  on the partner itself (ownership and contact data);
* which of the partner's fields hold personal data: what the personal-data export
  gives and what "Forget this client" erases, held by a test against every stored
  text and date field of ``res.partner`` from any installed module.
"""

from typing import NamedTuple

USER_GROUP = "clientbase_crm.group_clientbase_user"
MANAGER_GROUP = "clientbase_crm.group_clientbase_manager"
EXPORT_GROUP = "clientbase_crm.group_clientbase_export"
ADMIN_GROUP = "clientbase_crm.group_clientbase_admin"

# partner field -> field of clientbase.client.card that stores it
CARD_FIELDS = {
    "client_needs": "needs",
    "client_pains": "pains",
    "client_budget": "budget",
    "client_decision_maker_id": "decision_maker_id",
    "client_is_decision_maker": "is_decision_maker",
    "client_qualification": "qualification",
    "client_qualification_reason": "qualification_reason",
    "client_qualified_date": "qualified_date",
    "client_qualified_by_id": "qualified_by_id",
    "client_birthday": "birthday",
    "client_birthday_month": "birthday_month",
    "client_birthday_day": "birthday_day",
    "client_gift_preferences": "gift_preferences",
    "client_interest_ids": "interest_ids",
    "client_family_status": "family_status",
    "client_children_count": "children_count",
    "client_children_note": "children_note",
    "client_pets": "pets",
    "client_favourite_brand": "favourite_brand",
    "client_profession": "profession",
    "client_gender": "gender",
    "client_income_band": "income_band",
    "client_churn_date": "churn_date",
    "client_churn_user_id": "churn_user_id",
    "client_churn_reason_id": "churn_reason_id",
    "client_winback_date": "winback_date",
    "client_churn_competitor": "churn_competitor",
    "client_churn_note": "churn_note",
}

# Bookkeeping columns of the client base's rules on res_partner (set by the crons with SQL):
# their fields read, search, sort and group them for the client's circle only.
BOOKKEEPING_FIELDS = {
    "client_data_verified_date",
    "client_birthday_reminded_on",
    "client_last_mailing_response_date",
}

# Protected partner fields that are not stored on the card: computed from the
# figures table (res_partner_segment.FIGURE_FIELDS and the manual flags), from
# a protected model (interactions, consents, segments, history), or bookkeeping
# of the client's manager. Each reads through its model's record rules.
DERIVED_FIELDS = {
    "client_first_order_date",
    "client_last_order_date",
    "client_order_count",
    "client_revenue",
    "client_average_order",
    "client_days_since_last_order",
    "client_stage",
    "client_churn_reason",
    "client_rfm_recency",
    "client_rfm_frequency",
    "client_rfm_monetary",
    "client_rfm_segment",
    "client_abc_class",
    "client_is_vip",
    "client_warmth",
    "client_persona",
    "client_persona_suggested",
    "client_purchase_interval",
    "client_next_purchase_date",
    "client_purchase_overdue",
    "client_expected_revenue",
    "client_margin",
    "client_stage_is_manual",
    "client_vip_is_manual",
    "client_warmth_is_manual",
    "client_segment_ids",
    "client_segment_history_ids",
    "client_days_to_birthday",
    "client_birthday_age",
    "client_interaction_ids",
    "client_interaction_count",
    "client_consent_ids",
    "client_consent_count",
    "client_consent_email_marketing",
    "client_consent_email_newsletter",
    "client_consent_email_greetings",
    "client_consent_sms_marketing",
    "client_consent_sms_greetings",
    "client_consent_phone_marketing",
    "client_do_not_call",
    "client_card_ids",
    "client_segment_member_ids",
    "client_last_contact_date",
    "client_days_since_last_contact",
    "client_age",
    "client_age_band",
    "client_change_log_ids",
} | BOOKKEEPING_FIELDS

# client_* fields of res.partner that every internal user may read, each with the reason why
# that is harmless (a test asserts every public field has one). Everything else of the client
# base is protected; the client base's bookkeeping that tells when something happened to a
# client (birthday greetings, data checks, mailing responses) is protected, as it gives away
# the birthday or the manager's work (res_partner_bookkeeping.py).
PUBLIC_FIELDS = {
    "client_currency_id": "the company's currency, the same for every client",
    "client_channel_id": "how the client came: marketing reference data shown on sales documents",
    "client_source_id": "UTM source of the channel, as Odoo's own documents show it",
    "client_medium_id": "UTM medium of the channel, as Odoo's own documents show it",
    "client_campaign_id": "UTM campaign, as Odoo's own documents show it",
    "client_channel_is_referral": "a property of the channel (reference data), not of the client",
    "client_referrer_id": "who recommended the client: a partner name every employee may read",
    "client_referral_ids": "the partners this one recommended: names every employee may read",
    "client_referral_count": "a count of the public referrals above",
    "client_mailing_only": "the kind of partner Odoo's flows must know (no personal data)",
    "client_contact_invalid": "whether the partner's own public email and numbers pass the checks",
    "client_team_id": "the team of the client's manager, who is public on the partner",
    "client_paused_date": "the day a potential client without a deal was paused (no personal data)",
    "client_retry_date": "the day a paused potential is taken up again (no personal data)",
    "client_forgotten_date": "that the person asked to be forgotten: what every door must honour",
    "client_forgotten_by_id": "who carried out the request to forget (accountability)",
    "client_mailing_discount_tier": "reads the protected ABC class through its rules (blank for others)",
    "client_is_colleague": "whether the partner is one of the company's own users",
    "client_is_client": "whether the partner is a client at all (the one definition, no personal data)",
    "client_data_hidden": "whether the current user may read the client's data: says only that it is hidden",
    "client_hidden_notice": "who handles a hidden client: the manager, who is public on the partner",
}


class Owned(NamedTuple):
    """How the rows of a protected model belong to a client's manager.

    ``manager`` is the path from a row to the ``res.users`` who manages its
    client (the salesperson of the client's commercial entity, or the manager
    the row itself carries, as the reports' rows do). ``author`` names the field
    of a row's own author when salespeople also read the rows they made
    themselves and change only those (interactions)."""

    manager: str
    author: str = ""
    # a row without a client (e.g. a bearer coupon) is everyone's: the field that is then empty
    open_without: str = ""
    # the addon whose xml ids name the generated rules (an addon registering its own models)
    module: str = "clientbase_crm"


# clientbase.* models whose rows hold (or point at) one client's data, and how each row
# reaches its client's manager. Every model here gets a record rule of ownership for the
# client base users and one of all clients for the managers, generated from this table
# (models/protection/ir_rule.py) on every install and upgrade. A new protected model is
# one line here: nothing to write in security/ but its access rights and its
# multi-company rule.
CLIENT_OWNERSHIP = {
    "clientbase.client.card": Owned("partner_id.commercial_partner_id.user_id"),
    # figures rows are those of commercial entities: partner_id is the client itself
    "clientbase.client.figures": Owned("partner_id.user_id"),
    "clientbase.interaction": Owned("client_id.user_id", author="user_id"),
    "clientbase.consent": Owned("partner_id.commercial_partner_id.user_id"),
    "clientbase.segment.history": Owned("partner_id.commercial_partner_id.user_id"),
    "clientbase.segment.member": Owned("partner_id.commercial_partner_id.user_id"),
    # the reports' rows and snapshots: figures of a manager's clients
    "clientbase.segment.snapshot": Owned("partner_id.user_id"),
    "clientbase.report.monthly": Owned("user_id"),
    # the clients behind each number of Growth and Churn
    "clientbase.report.monthly.client": Owned("user_id"),
    "clientbase.report.cohort": Owned("user_id"),
    "clientbase.report.channel": Owned("user_id"),
    "clientbase.report.mailing": Owned("user_id"),
    # the change log: old and new values of a client's fields (and, declared in
    # security/clientbase_change_log_rules.xml, a global rule hiding the fields a user may not read)
    "clientbase.change.log": Owned("partner_id.commercial_partner_id.user_id"),
}

# Odoo's documents of a client that its manager reads whoever carries them (read only; Odoo's
# Own Documents rule gives a salesperson the ones he carries): a client handed over with its
# history, a quotation a colleague made. The card's Sales count then opens the orders behind the
# client's Orders and Revenue. Their rules are generated with the others (ir_rule.py) from these
# paths to the client's manager; the domain names only base's fields (``user.id``, not the owners
# of the evaluation context), because Odoo evaluates rules on sale.order also while a module
# below the client base is being updated: the client's own manager, and the unassigned pool
# unless the user's company hides it, those companies listed by id (their figures are shown, so
# are the orders behind them, whoever carried them).
CLIENT_DOCUMENTS = {
    "sale.order": "partner_id.commercial_partner_id.user_id",
    "sale.order.line": "order_partner_id.commercial_partner_id.user_id",
}

# the protected models are those of the table: classified, guarded on export, ruled by ownership
# (a set kept equal to the table's keys by register_owned())
PROTECTED_MODELS = set(CLIENT_OWNERSHIP)

# clientbase.* models whose rows belong to one company: a global rule keeps them within the
# user's companies, generated with the rules of ownership (models/protection/ir_rule.py)
COMPANY_SCOPED_MODELS = (
    "clientbase.client.figures",
    "clientbase.segment",
    "clientbase.segment.history",
    "clientbase.interaction",
    "clientbase.report.monthly",
    "clientbase.report.monthly.client",
    "clientbase.report.cohort",
    "clientbase.report.channel",
    "clientbase.report.mailing",
    "clientbase.channel.cost",
    "clientbase.export.log",
    "clientbase.export.request",
    "clientbase.change.alert",
    "clientbase.journey",
    "clientbase.journey.member",
    "clientbase.journey.history",
    "clientbase.journey.result",
    "clientbase.journey.step.result",
)


class OwnRows(NamedTuple):
    """Rows that belong to the user who made them: ``author`` names that user's field.
    With ``groups``, those groups read their own rows and the client base managers all
    (the export log and requests); without, a global rule gives every user their own rows
    only (files and matrices a user computed)."""

    author: str
    groups: tuple = ()


OWN_ROWS = {
    "clientbase.export.log": OwnRows("user_id", (USER_GROUP, EXPORT_GROUP)),
    "clientbase.export.request": OwnRows("user_id", (USER_GROUP, EXPORT_GROUP)),
    # an Excel export's file is an attachment of its wizard: /web/content checks the wizard
    "clientbase.xlsx.export.wizard": OwnRows("create_uid"),
    "clientbase.movement.wizard": OwnRows("create_uid"),
    "clientbase.movement.line": OwnRows("create_uid"),
}

# clientbase.* models without a client's data, or guarded otherwise: reference data,
# settings, the export guard's own records, wizards that act through the partner
CONFIG_MODELS = {
    "clientbase.channel",
    "clientbase.interest",
    "clientbase.churn.reason",
    "clientbase.segment",
    "clientbase.export.log",
    "clientbase.export.request",
    "clientbase.duplicate",
    "clientbase.mailing.eligibility",
    "clientbase.channel.cost",
    # a mass change alert names a user and a count, for the client base managers only
    "clientbase.change.alert",
}

# models whose export is an export of client data (base_export_guard.py); res.users is
# guarded when a client field is exported
GUARDED_EXPORT_MODELS = {"res.partner", "clientbase.segment", "clientbase.export.log"} | PROTECTED_MODELS


def register_owned(model, owned):
    """Protect ``model`` of another addon (e.g. clientbase_loyalty) as the client base's own:
    classified, guarded on export and ruled by ownership. The addon calls this when it is
    imported and runs ``ir.rule._clientbase_generate_rules`` from its data (install and
    upgrade), which writes the rules under ``owned.module``'s xml ids."""
    CLIENT_OWNERSHIP[model] = owned
    PROTECTED_MODELS.add(model)
    GUARDED_EXPORT_MODELS.add(model)


# Fields of res.partner that only the client's circle (its manager, client base managers,
# administrators) may change on a client: ownership and contact data, and every field of the
# client base (WRITE_GUARDED_FIELDS). Who is a client and what others may do: docs/protection.md,
# "Protection", and res_partner_access.py.
OWNERSHIP_FIELDS = {
    "user_id",
    "parent_id",
    "child_ids",
    "commercial_partner_id",
    "is_company",
    "active",
    "company_id",
    "client_mailing_only",
}
CONTACT_FIELDS = (
    "name",
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "city",
    "zip",
    "state_id",
    "country_id",
    "vat",
    "website",
    "function",
    "title",
    "lang",
    "comment",
)
# Masked-contacts mode (res_partner_masked.py): the partner's fields that carry its email address
# or phone number, each with the kind of mask it gets. Every field of any model that resolves to
# one of them (a related field such as a follower's email, res.users' inherited ones) is masked
# with it: found by resolving the fields, not by their names.
MASKED_CONTACT_FIELDS = {
    "email": "email",
    "email_normalized": "email",
    "email_formatted": "email",
    "phone": "phone",
    "mobile": "phone",
    "phone_sanitized": "phone",
}
# Copies of a partner's values that a model writes from its customer in code when a record is
# made (plain fields: neither related, nor computed, nor declared to Odoo's mail and SMS mixins),
# so that no resolving finds them: {model: (the many2one to the partner, {field: what it copies})},
# what it copies being a mask kind of MASKED_CONTACT_FIELDS ("email", "phone": masked in masked
# mode, hidden in strict mode), "name" (the partner's name: "Hidden client" in strict mode) or
# "text" (another text of the partner's record: hidden in strict mode). A test checks, by the
# values a new record really holds, that every stored text of such a model that holds its
# customer's email or phone is named here.
WRITTEN_COPIES = {
    "payment.transaction": (
        "partner_id",
        {
            "partner_email": "email",
            "partner_phone": "phone",
            "partner_name": "name",
            "partner_address": "text",
            "partner_zip": "text",
            "partner_city": "text",
        },
    ),
}
GUARDED_PARTNER_FIELDS = frozenset(OWNERSHIP_FIELDS) | frozenset(CONTACT_FIELDS)
# every classified field of the client base on res.partner
CLIENT_BASE_FIELDS = frozenset(CARD_FIELDS) | frozenset(DERIVED_FIELDS) | frozenset(PUBLIC_FIELDS)
WRITE_GUARDED_FIELDS = GUARDED_PARTNER_FIELDS | CLIENT_BASE_FIELDS

# --- personal data: what the personal-data export gives and "Forget this client" erases ---
# Every stored field of res.partner that can hold a person's words or dates (the types below),
# whichever module adds it, and every stored ``client_*`` field, is in exactly one of the three
# classes that follow; a test fails on any that is not, so that a module which adds such a field
# (Odoo's, the OCA's or a customer's) is not installed unnoticed: it is decided whether the
# export carries it and whether forgetting erases it. Fields of other types are named where they
# hold personal data (the state, the tags, the photo). The client card's values (CARD_FIELDS)
# are exported through the card and erased with it.
PRIVACY_FIELD_TYPES = ("char", "text", "html", "date", "datetime")

# Personal: in the export, and blanked when the client is forgotten (a read-only computed copy,
# such as the normalised email, follows its blanked source).
PERSONAL_FIELDS = frozenset(
    {
        # contact data (base, mail)
        "email",
        "email_normalized",
        "phone",
        "phone_sanitized",
        "mobile",
        "street",
        "street2",
        "city",
        "zip",
        "state_id",
        "function",
        "title",
        "website",
        "comment",
        "image_1920",
        "category_id",
        # identifiers of the client or of its company
        "ref",
        "barcode",
        "vat",
        "company_registry",
        "company_name",
        "peppol_endpoint",
        "additional_info",  # the company's data found by partner_autocomplete
        # free text about the client shown on its invoices and orders
        "invoice_warn_msg",
        "sale_warn_msg",
        # dates of the client base's work with this client (the birthday reminders tell the birthday)
        "client_birthday_reminded_on",
        "client_data_verified_date",
        "client_last_mailing_response_date",
        "client_paused_date",
        "client_retry_date",
    }
)

# Personal, in the export, but not blanked when the client is forgotten: why.
PERSONAL_KEPT_FIELDS = {
    "name": "replaced by “Forgotten client #id”",
    "complete_name": "computed from the names, which are replaced",
    "commercial_company_name": "computed from the company's name, which is replaced",
    "country_id": "kept with the orders (taxes, sales by country); alone it identifies nobody",
    "lang": "kept with the orders (the language of their documents); alone it identifies nobody",
    "user_id": "the client's manager: the orders and anonymous figures stay theirs",
    "create_date": "when the client entered the base: the reports' cohorts count it",
    "client_channel_id": "how the client came: the channel statistics stay right",
    "client_source_id": "how the client came: the channel statistics stay right",
    "client_medium_id": "how the client came: the channel statistics stay right",
    "client_campaign_id": "how the client came: the channel statistics stay right",
    "client_referrer_id": "who recommended the client: the referrer's count stays right",
    "client_mailing_only": "the kind of client, no data about the person",
    "client_contact_invalid": "computed from the contact data, which is erased",
    "client_forgotten_date": "the record of the erasure itself",
    "client_forgotten_by_id": "the record of the erasure itself",
}

# Not personal: neither exported nor erased, why.
NOT_PERSONAL_FIELDS = {
    "write_date": "technical: when the row last changed (forgetting changes it)",
    "calendar_last_notif_ack": "technical: when the partner's user last saw the calendar alerts",
    "signup_type": "technical: the kind of the pending sign-up link (the link itself is not kept)",
    "invoice_edi_format_store": "a setting: the e-invoicing format of the client's invoices",
}


def sees_all(env):
    """The superuser and client base managers see and change every client."""
    return env.su or env.user.has_group(MANAGER_GROUP)


def owner_ids(env):
    """Managers (``res.users`` ids, False for unassigned) whose clients the current
    user handles: their own, and the unassigned pool when their company shows it.

    This is the one definition of ownership: the generated record rules read it
    from their evaluation context (``clientbase_owner_ids``, see ``ir_rule.py``)."""
    if env.user.sudo().company_id.client_pool_visible:
        return [env.uid, False]
    return [env.uid]


def own_partner_domain(env, path="commercial_partner_id"):
    """Domain on partners (or, with ``path``, on a model pointing at them) of the
    clients the current user handles: those whose commercial entity they manage,
    and the unassigned pool when the company shows it."""
    return [(f"{path}.user_id", "in", owner_ids(env))]


# --- what "Forget this client" keeps in other tables, and why -------------------------------------
# After forgetting, no stored text column of any table holds the client's names, email addresses or
# phone numbers (``res_partner_forget.py`` erases the copies it knows by link, then every column of
# every table is cleared of the client's addresses and numbers, and the rows linked to the client of
# its names), except the columns below, each kept for a stated reason. A test scans the whole
# database after a forget and fails on any other column that still holds a marker.
FORGET_KEPT_COLUMNS = {
    ("mail_blacklist", "email"): "the suppression list: a forgotten person who unsubscribed must never be "
    "mailed again (Odoo's mailings match the address as typed, so it is kept, not hashed)",
    ("phone_blacklist", "number"): "the suppression list of SMS numbers, for the same reason",
    ("account_move", "client_retained_buyer"): "the statutory retention of posted invoices: the buyer's "
    "legal identity and address, kept for the company's retention period, then erased by a daily job",
    ("account_move", "invoice_partner_display_name"): "the buyer's name shown on a posted invoice still "
    "in its retention period (restored from the retained identity; recomputed when the period ends)",
}
