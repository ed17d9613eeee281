from odoo import fields, models


class ResPartner(models.Model):
    """Funnels: every warmth and stage column shows on the kanban boards, even when empty.

    The fields themselves belong to the segmentation (``res_partner_segment.py``).
    """

    _inherit = "res.partner"

    client_warmth = fields.Selection(group_expand=True)
    client_stage = fields.Selection(group_expand=True)
