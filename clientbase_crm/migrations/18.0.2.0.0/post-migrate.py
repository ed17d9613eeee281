from odoo.addons.clientbase_crm.upgrade.card_migration import (
    move_partner_data_to_cards,
    move_segment_members,
)


def migrate(cr, version):
    """18.0.1 -> 18.0.2: the client card's values move from res_partner to clientbase_client_card."""
    if version:
        move_partner_data_to_cards(cr)
        move_segment_members(cr)
