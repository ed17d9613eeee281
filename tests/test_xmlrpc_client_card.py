"""The client card through XML-RPC, as an integration or a script would use it."""

import xmlrpc.client
from datetime import date, timedelta

import pytest


def _years_back(day, years):
    """``day`` moved ``years`` back (a multiple of 4, so a Feb 29 stays valid)."""
    return day.replace(year=day.year - years)


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
    birthday = _years_back(date.today() + timedelta(days=3), 28)

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
            "client_birthday": birthday.isoformat(),
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
            "client_days_to_birthday",
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
    # qualified on / by are stamped by the server
    assert card["client_qualified_by_id"][0] == rpc.uid
    qualified_on = date.fromisoformat(card["client_qualified_date"])
    assert abs((qualified_on - date.today()).days) <= 1
    assert card["client_birthday"] == birthday.isoformat()
    assert 2 <= card["client_days_to_birthday"] <= 4
    assert card["client_family_status"] == "married" and card["client_children_count"] == 2
    assert card["client_referrer_id"][0] == referrer
    assert sorted(card["client_interest_ids"]) == sorted(interests)
    # channel defaults: UTM source and medium filled server-side from the channel
    assert card["client_channel_id"][0] == referral["id"]
    assert card["client_source_id"] and card["client_source_id"][0] == referral["source_id"][0]
    assert card["client_medium_id"] and card["client_medium_id"][0] == referral["medium_id"][0]

    # the referrer sees the referral
    [ref_card] = rpc("res.partner", "read", [referrer], fields=["client_referral_count"])
    assert ref_card["client_referral_count"] == 1

    # changing the channel brings its own source
    website = rpc.ref("clientbase_crm.clientbase_channel_website_form")
    [web_channel] = rpc("clientbase.channel", "read", [website], fields=["source_id"])
    rpc("res.partner", "write", [client], {"client_channel_id": website, "client_source_id": False})
    [card] = rpc("res.partner", "read", [client], fields=["client_source_id"])
    assert card["client_source_id"][0] == web_channel["source_id"][0]


def test_search_upcoming_birthdays(rpc, unique, cleanup):
    soon, later = (
        rpc(
            "res.partner",
            "create",
            {
                "name": f"E2E Birthday {days} {unique}",
                "client_birthday": _years_back(date.today() + timedelta(days=days), 32).isoformat(),
            },
        )
        for days in (2, 40)
    )
    cleanup.append(("res.partner", [soon, later]))
    found = rpc(
        "res.partner",
        "search",
        [("client_days_to_birthday", "<=", 7), ("name", "like", f"E2E Birthday % {unique}")],
    )
    assert found == [soon]
    # by month too
    month = str((date.today() + timedelta(days=40)).month)
    found = rpc("res.partner", "search", [("client_birthday_month", "=", month), ("name", "like", unique)])
    assert later in found


def test_future_birthday_is_refused(rpc, unique):
    name = f"E2E Future {unique}"
    with pytest.raises(xmlrpc.client.Fault) as fault:
        rpc(
            "res.partner",
            "create",
            {"name": name, "client_birthday": (date.today() + timedelta(days=30)).isoformat()},
        )
    assert "cannot be in the future" in fault.value.faultString
    assert rpc("res.partner", "search", [("name", "=", name)]) == []
