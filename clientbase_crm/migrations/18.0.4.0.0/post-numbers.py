"""18.0.4.0.0: one definition of a client (employees' and the company's own partners are no
clients) and Growth and Churn as the month's bridge, with the clients behind its numbers.

The engine forgets the figures of the partners that are no clients by a full run (a NULL note);
the growth report of every company is rebuilt at once, set-based, so that its numbers and their
buttons follow the new definitions before the next night."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    # a NULL note asks the engine for a full run (segmentation.changes)
    cr.execute("INSERT INTO clientbase_segment_change (partner_id) VALUES (NULL)")
    env = api.Environment(cr, SUPERUSER_ID, {})
    Report = env["clientbase.report.monthly"]
    for company in env["res.company"].search([("active", "=", True)]):
        Report._refresh(company)
