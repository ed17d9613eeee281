"""Uninstalling clientbase_crm leaves the database clean (run last: it removes the addon).

Destructive, so it only runs when CLIENTBASE_ALLOW_UNINSTALL=1 (``make test`` sets it in a
separate, final pytest call on its throw-away database).
"""

import os

import pytest

pytestmark = pytest.mark.skipif(
    os.environ.get("CLIENTBASE_ALLOW_UNINSTALL") != "1",
    reason="destructive: set CLIENTBASE_ALLOW_UNINSTALL=1 on a throw-away database",
)


def test_uninstall_leaves_no_trace(rpc):
    admin = rpc
    module_ids = admin("ir.module.module", "search", [("name", "=", "clientbase_crm")])
    assert admin("ir.module.module", "read", module_ids, ["state"])[0]["state"] == "installed"
    partners_before = admin("res.partner", "search_count", [])
    admin("ir.module.module", "button_immediate_uninstall", module_ids)

    assert admin("ir.module.module", "read", module_ids, ["state"])[0]["state"] == "uninstalled"
    demo_ids = admin("ir.module.module", "search", [("name", "=", "clientbase_crm_demo")])
    assert admin("ir.module.module", "read", demo_ids, ["state"])[0]["state"] == "uninstalled", (
        "its demo addon too"
    )
    # the loyalty addon depends on the base: it goes too
    loyalty_ids = admin("ir.module.module", "search", [("name", "=", "clientbase_loyalty")])
    loyalty_states = {m["state"] for m in admin("ir.module.module", "read", loyalty_ids, ["state"])}
    assert loyalty_states <= {"uninstalled"}, "the loyalty addon too"
    for addon in ("clientbase_crm", "clientbase_loyalty"):
        leftovers = admin("ir.model.data", "search_count", [("module", "=", addon)])
        assert leftovers == 0, f"records of {addon} remain after uninstall"
    loyalty_fields_left = admin(
        "ir.model.fields",
        "search_count",
        [("name", "=like", "clientbase\\_%"), ("model", "in", ["loyalty.card", "loyalty.program"])],
    )
    assert loyalty_fields_left == 0, "the loyalty addon's fields on Odoo's loyalty models remain"
    fields_left = admin(
        "ir.model.fields", "search_count", [("model", "=", "res.partner"), ("name", "=like", "client\\_%")]
    )
    assert fields_left == 0
    models_left = admin("ir.model", "search_count", [("model", "=like", "clientbase.%")])
    assert models_left == 0
    # the contacts themselves stay
    assert admin("res.partner", "search_count", []) == partners_before
    # and Odoo's own screens still work
    assert admin("res.partner", "search_read", [], fields=["name", "email"], limit=5)
    # nothing of ours is left on Odoo's tables: the tables the segmentation engine watched
    # through triggers (orders, lines, contacts, opportunities) are written as before
    company = admin("res.partner", "create", {"name": "After uninstall Ltd", "is_company": True})
    person = admin("res.partner", "create", {"name": "After uninstall person"})
    admin("res.partner", "write", [person], {"parent_id": company})
    product = admin("product.product", "create", {"name": "After uninstall product", "list_price": 10})
    order = admin(
        "sale.order",
        "create",
        {"partner_id": person, "order_line": [(0, 0, {"product_id": product, "discount": 5})]},
    )
    admin("sale.order", "action_confirm", [order])
    assert admin("sale.order", "read", [order], ["state"])[0]["state"] == "sale"
    lead = admin(
        "crm.lead", "create", {"name": "After uninstall", "partner_id": company, "type": "opportunity"}
    )
    admin("crm.lead", "write", [lead], {"probability": 70})
    admin("crm.lead", "unlink", [lead])
