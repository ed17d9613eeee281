"""pytest-odoo parity with Odoo's own test runner, for the addon's tests run under pytest.

Odoo's runner (odoo/tests/suite.py) sets ``odoo.modules.module.current_test`` to the running test
case; Odoo uses it to keep tests from talking to the outside world (no real SMTP connection when a
mailing is sent, for example) and to check the test cursors of HTTP tests. pytest-odoo does not
set it, so we do, around each test.
"""

import pytest

from odoo.modules import module as odoo_module


@pytest.fixture(autouse=True)
def odoo_current_test(request):
    previous = odoo_module.current_test
    odoo_module.current_test = request.instance if request.instance is not None else True
    yield
    odoo_module.current_test = previous
