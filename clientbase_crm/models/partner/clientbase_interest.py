from random import randint

from odoo import fields, models


class ClientbaseInterest(models.Model):
    """A hobby or interest of a client (tags on the client card)."""

    _name = "clientbase.interest"
    _description = "Client Hobby or Interest"
    _order = "name"

    def _default_color(self):
        return randint(1, 11)

    name = fields.Char(required=True, translate=True)
    color = fields.Integer(default=lambda self: self._default_color())
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_uniq", "unique(name)", "This interest already exists."),
    ]
