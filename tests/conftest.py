"""Shared fixtures of the end-to-end tests: they drive a running Odoo from outside.

``scripts/test.sh`` (``make test``) starts a server on a fresh database and sets
CLIENTBASE_URL (e.g. http://127.0.0.1:8169) and CLIENTBASE_DB. Without them the
tests are skipped with that reason. These tests never import odoo.
"""

import os
import uuid
import xmlrpc.client
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parent.parent
ADMIN_LOGIN = os.environ.get("CLIENTBASE_LOGIN", "admin")
ADMIN_PASSWORD = os.environ.get("CLIENTBASE_PASSWORD", "admin")


class OdooRpc:
    """A tiny XML-RPC client: ``rpc("res.partner", "search_read", domain, fields=[...])``."""

    def __init__(self, url, db, login, password):
        self.url, self.db, self.login, self.password = url, db, login, password
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common", allow_none=True)
        self.uid = common.authenticate(db, login, password, {})
        if not self.uid:
            raise RuntimeError(f"cannot log in to {url} database {db} as {login}")
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def __call__(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.db, self.uid, self.password, model, method, list(args), kwargs)

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self(
            "ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)], fields=["res_id"]
        )
        assert rows, f"no record {xmlid}"
        return rows[0]["res_id"]


@pytest.fixture(scope="session")
def odoo_server():
    url = os.environ.get("CLIENTBASE_URL")
    db = os.environ.get("CLIENTBASE_DB")
    if not url or not db:
        pytest.skip(
            "CLIENTBASE_URL and CLIENTBASE_DB are not set: the end-to-end tests need a running Odoo "
            "with clientbase_crm installed ('make test' starts one and sets them)"
        )
    return url.rstrip("/"), db


@pytest.fixture(scope="session")
def rpc(odoo_server):
    url, db = odoo_server
    return OdooRpc(url, db, ADMIN_LOGIN, ADMIN_PASSWORD)


@pytest.fixture
def unique():
    """A short marker that keeps the names of records a test creates apart from any other run."""
    return uuid.uuid4().hex[:8]


@pytest.fixture
def cleanup(rpc):
    """Records to delete after the test: ``cleanup.append(("res.partner", ids))``."""
    todo = []
    yield todo
    for model, ids in reversed(todo):
        existing = rpc(model, "search", [("id", "in", ids)], context={"active_test": False})
        if existing:
            rpc(model, "unlink", existing)
