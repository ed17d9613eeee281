import ast

from lxml import etree

from odoo import api, models
from odoo.osv import expression

from ..protection.clientbase_security import MANAGER_GROUP, USER_GROUP
from ..protection.ir_actions_act_window import MY_CLIENTS_ACTIONS


class Board(models.AbstractModel):
    """The dashboard's tiles are the client base's reports as their menus open them.

    Odoo's board shows an action with the domain and context written on its tile, not the
    action's own: a tile would count every partner where its report counts the clients. Every
    tile of a client base action (the shipped dashboard, and any a user added or rearranged) gets
    the action's domain, and for a salesperson the *My Clients* filter the action opens with, so
    that a tile and the report opened from the menu show the same figures to the same user.
    """

    _inherit = "board.board"

    @api.model
    def _arch_preprocessing(self, arch):
        arch = super()._arch_preprocessing(arch)
        root = etree.fromstring(arch)
        changed = False
        for node in root.iter("action"):
            domain = self._clientbase_tile_domain(node.get("name"), node.get("domain"))
            if domain is not None:
                node.set("domain", repr(domain))
                changed = True
        return etree.tostring(root, pretty_print=True, encoding="unicode") if changed else arch

    @api.model
    def _clientbase_tile_domain(self, action_ref, tile_domain):
        """The domain a tile of the action ``action_ref`` (its id) must show: the tile's own, the
        action's, and the salesperson's *My Clients*; None for an action of another module."""
        try:
            action = self.env["ir.actions.act_window"].sudo().browse(int(action_ref)).exists()
        except (TypeError, ValueError):
            return None
        xmlid = action and action.get_external_id().get(action.id, "")
        if not xmlid.startswith("clientbase_crm."):
            return None
        domains = []
        for text in (tile_domain, action.domain):
            try:
                value = ast.literal_eval(text or "[]")
            except (ValueError, SyntaxError):
                value = []  # an expression: left to the action
            if value:
                domains.append(value)
        user = self.env.user
        if xmlid in MY_CLIENTS_ACTIONS and user.has_group(USER_GROUP) and not user.has_group(MANAGER_GROUP):
            domains.append([("user_id", "=", user.id)])
        return expression.AND(domains) if domains else None
