"""The Clients screens in a real browser: headless Chromium over the DevTools protocol.

What only an outside client shows: a login through the login form of a server started as in
production, the Clients menu's URL and a client card, assets and all. The browser tours of
clientbase_crm/tests (Odoo's runner) drive the screens' behaviour. With $CLIENTBASE_SCREENSHOTS
set, saves screenshots of both screens there (`make screenshots` refreshes the README's pictures
in docs/screenshots from the `make run` server); `make test` takes none.
"""

import json
import os
import pathlib
import time
from datetime import date

import pytest

from conftest import ADMIN_LOGIN, ADMIN_PASSWORD
from devtools import Browser, find_chromium

SCREENSHOTS = os.environ.get("CLIENTBASE_SCREENSHOTS")
KANBAN_CARDS = ".o_kanban_view .o_kanban_record:not(.o_kanban_ghost)"


@pytest.fixture
def browser():
    binary = find_chromium()
    if not binary:
        pytest.skip("Chromium is not installed ('make setup' installs Debian's chromium)")
    with Browser(binary) as chromium:
        yield chromium


@pytest.fixture
def showcase_client(rpc, cleanup):
    """A company with a filled-in card and a key employee, to open in the browser."""
    interests = rpc("clientbase.interest", "search", [], limit=3)
    exhibition = rpc.ref("clientbase_crm.clientbase_channel_exhibition")
    company = rpc(
        "res.partner",
        "create",
        {
            "name": "Vector Trading LLC",
            "is_company": True,
            "email": "info@vector-trading.example.com",
            "phone": "+7 495 123-45-67",
            "city": "Moscow",
            "user_id": rpc.uid,
            "client_qualification": "worth",
            "client_qualification_reason": "Stable budget, regular orders, decision maker reachable",
            "client_needs": "Monthly office supplies with delivery",
            "client_pains": "The current supplier misses deadlines",
            "client_budget": 12000,
            "client_channel_id": exhibition,
            "client_interest_ids": [(6, 0, interests)],
        },
    )
    cleanup.append(("res.partner", [company]))
    employee = rpc(
        "res.partner",
        "create",
        {
            "name": "Ivan Petrov",
            "parent_id": company,
            "function": "CEO",
            "client_is_decision_maker": True,
            "client_birthday": date(1980, 2, 29).isoformat(),
        },
    )
    cleanup.append(("res.partner", [employee]))
    rpc("res.partner", "write", [company], {"client_decision_maker_id": employee})
    return company


def save_screenshot(browser, name):
    """Only when asked for (CLIENTBASE_SCREENSHOTS): a PNG of the current screen."""
    if not SCREENSHOTS:
        return
    path = browser.screenshot(str(pathlib.Path(SCREENSHOTS) / name))
    with open(path, "rb") as image:
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"


def login(browser, url, db):
    browser.navigate(f"{url}/web/login?db={db}")
    browser.wait_for(
        "!!document.querySelector('form.oe_login_form input[name=login]')", what="the login form"
    )
    browser.evaluate(
        f"""(() => {{
            const form = document.querySelector('form.oe_login_form');
            form.querySelector('input[name=login]').value = {json.dumps(ADMIN_LOGIN)};
            form.querySelector('input[name=password]').value = {json.dumps(ADMIN_PASSWORD)};
            form.querySelector('button[type=submit]').click();
        }})()"""
    )
    browser.wait_for(
        "location.pathname.startsWith('/odoo') && !!document.querySelector('.o_main_navbar')",
        timeout=40,
        what="the web client after login",
    )


def test_clients_kanban_and_card(odoo_server, browser, showcase_client):
    url, db = odoo_server
    login(browser, url, db)

    browser.navigate(f"{url}/odoo/clients")
    count = browser.wait_for(
        f"document.querySelectorAll('{KANBAN_CARDS}').length", timeout=40, what="client cards in the kanban"
    )
    assert count > 0
    assert not browser.evaluate("!!document.querySelector('.o_view_sample_data')"), (
        "real clients, not samples"
    )
    assert browser.evaluate("document.querySelector('.o_breadcrumb').innerText").strip().startswith("Clients")
    names = browser.evaluate(f"Array.from(document.querySelectorAll('{KANBAN_CARDS}')).map(c => c.innerText)")
    assert all(name.strip() for name in names)
    if SCREENSHOTS:
        time.sleep(1)  # let the avatars arrive
    save_screenshot(browser, "clients_kanban.png")

    # the client card: one screen with the client's tabs
    browser.navigate(f"{url}/odoo/clients/{showcase_client}")
    browser.wait_for(
        "!!document.querySelector('.o_form_view .o_form_sheet .o_notebook')",
        timeout=40,
        what="the client card",
    )
    title = browser.wait_for(
        "document.querySelector('.o_form_view .o_field_widget[name=name] input')?.value", what="the name"
    )
    assert title == "Vector Trading LLC"
    tabs = browser.evaluate(
        "Array.from(document.querySelectorAll('.o_notebook .nav-link')).map(t => t.innerText.trim())"
    )
    for tab in ("Qualification", "Contacts & Addresses"):
        assert tab in tabs
    browser.evaluate(
        "Array.from(document.querySelectorAll('.o_notebook .nav-link')).find(t => t.innerText.trim() === 'Qualification').click()"
    )
    reason = browser.wait_for(
        "document.querySelector('.o_notebook .tab-pane.active [name=client_qualification_reason]')?.innerText"
        " || document.querySelector('.o_notebook .tab-pane.active [name=client_qualification_reason] textarea')?.value",
        what="the qualification tab",
    )
    assert "Stable budget" in reason
    if SCREENSHOTS:
        time.sleep(1)
    save_screenshot(browser, "client_card.png")


def test_dashboard_and_reports(odoo_server, browser):
    """The dashboard shows its charts and pivots; the growth and cohort reports open."""
    url, db = odoo_server
    login(browser, url, db)
    browser.navigate(f"{url}/odoo/action-clientbase_crm.clientbase_dashboard_action")
    boxes = browser.wait_for(
        "document.querySelectorAll('.o-dashboard-action').length >= 8"
        " && document.querySelectorAll('.o-dashboard-action').length",
        timeout=40,
        what="the dashboard's charts and pivots",
    )
    assert boxes == 8  # seven tiles of the base and the journeys' results
    titles = browser.evaluate(
        "Array.from(document.querySelectorAll('.o-dashboard-action-header')).map(h => h.innerText.trim())"
    )
    assert "Growth and churn per month" in titles
    if SCREENSHOTS:
        time.sleep(3)  # let the charts draw
    save_screenshot(browser, "dashboard.png")
    for action, name in (
        ("clientbase_crm.clientbase_report_monthly_action", "report_growth_churn.png"),
        ("clientbase_crm.clientbase_report_cohort_action", "report_cohorts.png"),
    ):
        browser.navigate(f"{url}/odoo/action-{action}")
        browser.wait_for(
            "!!document.querySelector('.o_pivot_view .o_pivot, .o_pivot_view .o_view_nocontent')",
            timeout=40,
            what=f"the pivot of {action}",
        )
        if SCREENSHOTS:
            time.sleep(1)
        save_screenshot(browser, name)
