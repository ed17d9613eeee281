"""What of the loyalty data is a client's, declared to the client base's protection.

``clientbase_crm.models.protection.clientbase_security`` is the one place that
classifies the client base's partner fields and models (a test of clientbase_crm
fails on an unclassified one, and its marker test reads every protected field
through every door). This addon's partner fields and models join its sets when the
addon is loaded; the record rules of ownership that guard the models are in
``security/clientbase_loyalty_rules.xml``.
"""

from odoo.addons.clientbase_crm.models.protection import clientbase_security as security

# partner fields that show a client's loyalty data (read through the status model's rules)
PARTNER_FIELDS = {
    "client_loyalty_status_ids",
    "client_loyalty_level_id",
    "client_loyalty_level_date",
    "client_loyalty_receipts",
    "client_loyalty_next_level_id",
    "client_loyalty_to_next",
    "client_loyalty_progress",
    "client_loyalty_level_manual_id",
    "client_loyalty_level_reason",
}
# rows of one client's data: record rules of ownership
PROTECTED_MODELS = {"clientbase.loyalty.status", "clientbase.loyalty.report"}
# settings and campaigns (their counts are totals, their codes are loyalty cards)
CONFIG_MODELS = {"clientbase.loyalty.level", "clientbase.loyalty.campaign"}
# Odoo's models that hold a client's codes and points: their export is an export of client data
EXPORT_MODELS = {"loyalty.card", "loyalty.history"}

security.DERIVED_FIELDS.update(PARTNER_FIELDS)
security.PROTECTED_MODELS.update(PROTECTED_MODELS)
security.CONFIG_MODELS.update(CONFIG_MODELS)
security.GUARDED_EXPORT_MODELS.update(PROTECTED_MODELS | EXPORT_MODELS)
