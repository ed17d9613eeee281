"""Who may see and change which client data: the one place that says it.

The design (README, *Protection*): the data that belongs to one client's manager
is stored in models of its own (the client card, the purchase figures, the
interactions, consents and segment history), each behind model access and
record rules of ownership. ``res.partner`` shows that data as non-stored fields
that read, search, sort and group through those models under the current
user's rights, so every door the ORM has (read, search_read, web_read,
read_group, ORDER BY, export, related paths, ``res.users`` which inherits the
partner) meets the same rules, and no list of doors is kept here.

What is kept here:

* the groups;
* the ownership domain (the record rules in ``security/`` say the same in XML; a
  test checks they agree);
* the classification of the client base's partner fields and models, which a
  test holds against the code, so that a new ``client_*`` field or
  ``clientbase.*`` model cannot be added without deciding whether it is
  protected;
* the fields that only a client's manager (or a client base manager) may change
  on the partner itself (ownership and contact data).
"""

from odoo.osv import expression

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
}

# client_* fields of res.partner that every internal user may read: how the
# client came (channel and UTM, for marketing), its kind (mailing-only), and the
# dates the client base's rules and the manager's work keep (no personal data).
PUBLIC_FIELDS = {
    "client_currency_id",
    "client_channel_id",
    "client_source_id",
    "client_medium_id",
    "client_campaign_id",
    "client_channel_is_referral",
    "client_referrer_id",
    "client_referral_ids",
    "client_referral_count",
    "client_mailing_only",
    "client_is_client",
    "client_data_hidden",
    "client_data_verified_date",
    "client_contact_invalid",
    "client_team_id",  # the manager's team  # whether the partner's own (public) email and numbers pass the checks
    "client_paused_date",
    "client_retry_date",
    "client_birthday_reminded_on",
    "client_birthday_greeted_on",
    "client_birthday_sms_greeted_on",
    "client_forgotten_date",
    "client_forgotten_by_id",
    "client_last_mailing_response_date",
    "client_mailing_discount_tier",
    "client_is_colleague",
}

# clientbase.* models whose rows hold (or point at) one client's data: each has
# record rules of ownership for the client base users
PROTECTED_MODELS = {
    "clientbase.client.card",
    "clientbase.client.figures",
    "clientbase.interaction",
    "clientbase.consent",
    "clientbase.segment.history",
    "clientbase.segment.member",
    # the reports' rows and snapshots: figures of a manager's clients (rules of ownership)
    "clientbase.segment.snapshot",
    "clientbase.report.monthly",
    "clientbase.report.monthly.client",
    "clientbase.report.cohort",
    "clientbase.report.channel",
    "clientbase.report.mailing",
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
}

# models whose export is an export of client data (base_export_guard.py); res.users is
# guarded when a client field is exported
GUARDED_EXPORT_MODELS = {"res.partner", "clientbase.segment", "clientbase.export.log"} | PROTECTED_MODELS

# Fields of res.partner that only the client's manager (or a client base manager)
# may change on a client managed by someone else: ownership and contact data.
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
GUARDED_PARTNER_FIELDS = frozenset(OWNERSHIP_FIELDS) | frozenset(CONTACT_FIELDS)


def sees_all(env):
    """The superuser and client base managers see and change every client."""
    return env.su or env.user.has_group(MANAGER_GROUP)


def owner_ids(env):
    """Managers (``res.users`` ids, False for unassigned) whose clients the current
    user handles; the record rules' ``[user.id, False] if pool else [user.id]``."""
    if env.user.company_id.client_pool_visible:  # as the record rules read it
        return [env.uid, False]
    return [env.uid]


def own_partner_domain(env, path="commercial_partner_id"):
    """Domain on partners (or, with ``path``, on a model pointing at them) of the
    clients the current user handles: those whose commercial entity they manage,
    and the unassigned pool when the company shows it."""
    owners = owner_ids(env)
    domain = [(f"{path}.user_id", "in", [uid for uid in owners if uid])]
    if False in owners:
        domain = expression.OR([domain, [(f"{path}.user_id", "=", False)]])
    return domain
