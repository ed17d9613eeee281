from odoo import api, fields, models

from .res_partner_segment import HIDDEN


class ResPartner(models.Model):
    """Funnels: every warmth and stage column shows on the kanban boards, even when empty.

    The fields themselves belong to the segmentation (``res_partner_segment.py``). "Handled by
    colleagues" is no column of its own: it shows only where a grouping holds such clients
    (the funnels keep to the clients whose stage and warmth the user reads).
    """

    _inherit = "res.partner"

    client_warmth = fields.Selection(group_expand="_read_group_expand_client_warmth")
    client_stage = fields.Selection(group_expand="_read_group_expand_client_stage")

    def _client_columns(self, fname):
        """Every value of ``fname`` in its order but "Handled by colleagues" (the groups that
        hold clients are added to these, that one included)."""
        return [value for value in self._fields[fname].get_values(self.env) if value != HIDDEN]

    @api.model
    def _read_group_expand_client_warmth(self, values, domain):
        return self._client_columns("client_warmth")

    @api.model
    def _read_group_expand_client_stage(self, values, domain):
        return self._client_columns("client_stage")
