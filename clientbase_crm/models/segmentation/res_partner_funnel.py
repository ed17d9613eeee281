from odoo import api, fields, models

from ..protection.clientbase_security import sees_all
from .res_partner_segment import PARTNER_DEFAULT_FIELDS, SAID_OF_FOREIGN, SAID_VALUES


class ResPartner(models.Model):
    """Funnels: every warmth and stage column shows on the kanban boards, even when empty.

    The fields themselves belong to the segmentation (``res_partner_segment.py``). What they say
    of partners without a stage or warmth of their own ("Handled by colleagues", "Unassigned",
    "Mailing only") is no column of its own: it shows only where a grouping holds such partners
    (the funnels keep to the clients whose stage and warmth the user reads).
    """

    _inherit = "res.partner"

    client_warmth = fields.Selection(group_expand="_read_group_expand_client_warmth")
    client_stage = fields.Selection(group_expand="_read_group_expand_client_stage")

    def _client_columns(self, fname):
        """Every value of ``fname`` in its order but those said of partners without one (the
        groups that hold partners are added to these, those included)."""
        return [value for value in self._fields[fname].get_values(self.env) if value not in SAID_VALUES]

    @api.model
    def _read_group_expand_client_warmth(self, values, domain):
        return self._client_columns("client_warmth")

    @api.model
    def _read_group_expand_client_stage(self, values, domain):
        return self._client_columns("client_stage")

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """A user who reads every client never meets "Handled by colleagues" nor "Unassigned"
        (what a salesperson is shown of the clients he may not read): the stage and the warmth
        do not offer them to him, in a filter or a segment's conditions."""
        result = super().fields_get(allfields, attributes)
        if sees_all(self.env):
            for fname in PARTNER_DEFAULT_FIELDS:
                if "selection" in result.get(fname, {}):
                    result[fname]["selection"] = [
                        option for option in result[fname]["selection"] if option[0] not in SAID_OF_FOREIGN
                    ]
        return result
