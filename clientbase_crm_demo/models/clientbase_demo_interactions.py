"""The demo's logged contacts, inserted set-based.

``clientbase.interaction.create`` checks, for each batch, that the user may work the clients
(the demo runs as superuser: nothing to check), writes the rows, then makes what a logged
contact makes: a call-back activity for a next step, a short note in the client's chatter, the
client's last contact date, and the "contact due" reminder answered. Here the rows are written
with multi-row ``INSERT`` statements (``bulk_insert``: defaults, the stored computed fields by
the ORM's batched recomputation, the constraints checked), then the same methods make the rest,
once for the whole demo. A test compares interactions inserted this way with those ``create``
makes of the same values, notes in the chatter included (``tests/test_demo_interactions.py``).
"""

from odoo import api, models
from odoo.addons.clientbase_crm.tools.bulk_insert import bulk_insert


class ClientbaseDemoGenerator(models.AbstractModel):
    _inherit = "clientbase.demo.generator"

    @api.model
    def _demo_insert_interactions(self, vals_list):
        """Insert the interactions of ``vals_list`` (values as ``create`` takes them) and what
        logging them makes; return them in order."""
        Interaction = self.env["clientbase.interaction"]
        if not vals_list:
            return Interaction
        Interaction.check_access("create")
        interactions = bulk_insert(
            Interaction, [Interaction._normalize_client_vals(vals) for vals in vals_list]
        )
        interactions._create_next_step_activities()
        interactions._post_chatter_notes()
        clients = interactions.client_id
        clients._client_update_last_contact_date()
        clients._client_after_contact()
        return interactions
