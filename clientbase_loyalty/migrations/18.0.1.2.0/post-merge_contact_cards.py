"""18.0.1.2.0: a company client's contacts earn and spend the company's bonus points on its card.

The contacts' own cards of a company's Bonus Points Program made before (Odoo's card of the
order's partner) are merged into their client's card, set-based: points, history lines, orders'
points entries; the emptied cards are deleted (loyalty_card_contact_merge.py). Other programs'
cards stay per customer."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["loyalty.card"]._clientbase_merge_contact_cards()
