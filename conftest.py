"""pytest-odoo parity with Odoo's own test runner, for the addon's tests run under pytest.

Odoo's runner marks the module under test in ``odoo.modules.module.current_test``; Odoo uses it
to keep tests from talking to the outside world (no real SMTP connection when a mailing is
sent, for example). pytest-odoo does not set it, so we do, for the whole session.
"""

import pytest

from odoo.modules import module as odoo_module


@pytest.fixture(scope="session", autouse=True)
def odoo_current_test():
    previous = odoo_module.current_test
    odoo_module.current_test = "clientbase_crm"
    yield
    odoo_module.current_test = previous
