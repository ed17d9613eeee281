"""What of the journeys is a client's, declared to the client base's protection.

Membership, step history and result rows name one client: they join the base's one table
of ownership (``register_owned``), so the rules generated from it give a salesperson only
his clients' rows. Journey definitions and their steps hold no client data (config models).
"""

from ..protection import clientbase_security as security

OWNERSHIP = {
    "clientbase.journey.member": security.Owned("partner_id.commercial_partner_id.user_id"),
    # a step's row reaches its client through its member (it keeps no copy of the client)
    "clientbase.journey.history": security.Owned("member_id.partner_id.commercial_partner_id.user_id"),
    "clientbase.journey.result": security.Owned("partner_id.commercial_partner_id.user_id"),
    "clientbase.journey.step.result": security.Owned("partner_id.commercial_partner_id.user_id"),
}
CONFIG_MODELS = {"clientbase.journey", "clientbase.journey.step"}
# the client card's Journeys tab, read through the membership's and the history's rules
PARTNER_FIELDS = {"client_journey_member_ids", "client_journey_history_ids"}
# the field a journey's mailing names its recipients by (res_partner_journeys.py)
PUBLIC_PARTNER_FIELDS = {
    "client_journey_mailing_ids": "search only, it reads empty: its search gives a mailing's recipients to "
    "those who may read the mailing, as the mailing's traces do",
}

for _model, _owned in OWNERSHIP.items():
    security.register_owned(_model, _owned)
security.CONFIG_MODELS.update(CONFIG_MODELS)
security.DERIVED_FIELDS.update(PARTNER_FIELDS)
security.PUBLIC_FIELDS.update(PUBLIC_PARTNER_FIELDS)
