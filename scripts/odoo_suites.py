"""Run Odoo's own test suites of some modules (default: loyalty, sale_loyalty,
sale_loyalty_delivery) on a database where they are installed with this project's addons,
without the browser tests (HttpCase): at_install and post_install tests alike.

    python3 -m odoo shell -d <db> --addons-path="$ADDONS_PATH" --no-http < scripts/odoo_suites.py
    (ODOO_SUITES=loyalty,sale_loyalty to choose the modules)

Prints, per module, the tests run, failures and errors (the failing tests are logged as
``FAIL:`` / ``ERROR:`` lines with their tracebacks).
"""

import os

import odoo
from odoo.tests import HttpCase, loader
from odoo.tests.suite import OdooSuite

odoo.tools.config["test_enable"] = True
modules = os.environ.get("ODOO_SUITES", "loyalty,sale_loyalty,sale_loyalty_delivery").split(",")
env.cr.rollback()  # noqa: F821  (the shell's env: its cursor stays idle)
totals = [0, 0, 0]
for module_name in modules:
    tests = [
        test
        for test_module in loader.get_test_modules(module_name)
        for test in loader.get_module_test_cases(test_module)
        if not isinstance(test, HttpCase)
    ]
    result = loader.run_suite(OdooSuite(tests))
    print(
        f"SUITE {module_name}: {result.testsRun} run, {result.failures_count} failures, "
        f"{result.errors_count} errors, {result.skipped} skipped",
        flush=True,
    )
    totals = [totals[0] + result.testsRun, totals[1] + result.failures_count, totals[2] + result.errors_count]
print(f"SUITES TOTAL: {totals[0]} run, {totals[1]} failures, {totals[2]} errors")
