"""18.0.5.1.0: the ready journeys' email templates are archived while no switched-on journey
uses them (``clientbase_journey_templates``): earlier versions shipped them active, where they
filled every mail composer's list of templates on a contact."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["clientbase.journey"]._archive_idle_ready_templates()
