"""The client card through XML-RPC, as an integration or a script would use it.

What only an outside client shows: the values as they cross the wire (dates as ISO strings,
many2one as [id, name], many2many as id lists), what the server stamps for the logged-in RPC
user, and a refused write arriving as an XML-RPC fault with its transaction rolled back. The
rules behind the values (birthdays, channels, referrals) are tested in-process by
clientbase_crm/tests under Odoo's runner, on frozen dates; these tests use fixed dates only.
"""

import xmlrpc.client
from datetime import date

import pytest


def test_client_card_round_trip(rpc, unique, cleanup):
    referral = rpc(
        "clientbase.channel", "search_read", [("is_referral", "=", True)], fields=["source_id", "medium_id"]
    )
    assert referral, "the Referral channel ships with the addon"
    referral = referral[0]
    interests = rpc("clientbase.interest", "search", [], limit=2)
    referrer = rpc(
        "res.partner", "create", {"name": f"E2E Referrer {unique}", "email": f"ref.{unique}@example.com"}
    )
    cleanup.append(("res.partner", [referrer]))

    client = rpc(
        "res.partner",
        "create",
        {
            "name": f"E2E Client {unique}",
            "email": f"client.{unique}@example.com",
            "phone": "+7 912 345-67-89",
            "client_qualification": "worth",
            "client_qualification_reason": "Stable budget",
            "client_needs": "Regular supplies",
            "client_pains": "Late deliveries",
            "client_budget": 5000,
            "client_birthday": "1992-02-29",
            "client_family_status": "married",
            "client_children_count": 2,
            "client_channel_id": referral["id"],
            "client_referrer_id": referrer,
            "client_interest_ids": [(6, 0, interests)],
        },
    )
    cleanup.append(("res.partner", [client]))

    [card] = rpc(
        "res.partner",
        "read",
        [client],
        fields=[
            "client_qualification",
            "client_qualification_reason",
            "client_qualified_by_id",
            "client_qualified_date",
            "client_needs",
            "client_pains",
            "client_budget",
            "client_birthday",
            "client_birthday_month",
            "client_family_status",
            "client_children_count",
            "client_channel_id",
            "client_source_id",
            "client_medium_id",
            "client_referrer_id",
            "client_interest_ids",
        ],
    )
    assert card["client_qualification"] == "worth"
    assert card["client_qualification_reason"] == "Stable budget"
    assert card["client_needs"] == "Regular supplies" and card["client_pains"] == "Late deliveries"
    assert card["client_budget"] == 5000
    # stamped by the server for the RPC user, sent as an ISO date
    assert card["client_qualified_by_id"][0] == rpc.uid
    assert date.fromisoformat(card["client_qualified_date"])
    assert card["client_birthday"] == "1992-02-29" and card["client_birthday_month"] == "2"
    assert card["client_family_status"] == "married" and card["client_children_count"] == 2
    assert card["client_referrer_id"] == [referrer, f"E2E Referrer {unique}"]
    assert sorted(card["client_interest_ids"]) == sorted(interests)
    # the channel's UTM source and medium, filled on the server
    assert card["client_channel_id"][0] == referral["id"]
    assert card["client_source_id"] and card["client_source_id"][0] == referral["source_id"][0]
    assert card["client_medium_id"] and card["client_medium_id"][0] == referral["medium_id"][0]
    # a search by a card field finds it
    assert rpc("res.partner", "search", [("client_needs", "=", "Regular supplies"), ("id", "=", client)]) == [
        client
    ]


def test_refused_value_is_a_fault_and_nothing_is_kept(rpc, unique):
    name = f"E2E Future {unique}"
    with pytest.raises(xmlrpc.client.Fault) as fault:
        rpc("res.partner", "create", {"name": name, "client_birthday": "2999-01-01"})
    assert "cannot be in the future" in fault.value.faultString
    assert rpc("res.partner", "search", [("name", "=", name)]) == []
