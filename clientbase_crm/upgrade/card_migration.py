"""Upgrade from 18.0.1: the client card's values move from res_partner to clientbase_client_card.

Version 18.0.1 stored the personal, qualifying and informal data as columns of
``res_partner`` (protected by overridden read methods). From 18.0.2 they live
in ``clientbase_client_card`` behind record rules. The move is set-based: one
``INSERT ... SELECT`` for the cards, one for their interests, then the old
columns and the old interests table are dropped, so that no copy of the values
stays where the rules do not reach. Minutes on a million partners, and safe to
run again (a second run finds no old column and does nothing).
"""

import logging

from odoo.tools import SQL
from odoo.tools.sql import column_exists, table_exists

_logger = logging.getLogger(__name__)

# old res_partner column -> (card column, SQL test that the old value is worth a card)
LEGACY_COLUMNS = {
    "client_needs": ("needs", "IS NOT NULL"),
    "client_pains": ("pains", "IS NOT NULL"),
    "client_budget": ("budget", "<> 0"),
    "client_decision_maker_id": ("decision_maker_id", "IS NOT NULL"),
    "client_is_decision_maker": ("is_decision_maker", "IS TRUE"),
    "client_qualification": ("qualification", "IS NOT NULL"),
    "client_qualification_reason": ("qualification_reason", "IS NOT NULL"),
    "client_qualified_date": ("qualified_date", "IS NOT NULL"),
    "client_qualified_by_id": ("qualified_by_id", "IS NOT NULL"),
    "client_birthday": ("birthday", "IS NOT NULL"),
    "client_birthday_month": ("birthday_month", "IS NOT NULL"),
    "client_birthday_day": ("birthday_day", "<> 0"),
    "client_gift_preferences": ("gift_preferences", "IS NOT NULL"),
    "client_family_status": ("family_status", "IS NOT NULL"),
    "client_children_count": ("children_count", "<> 0"),
    "client_children_note": ("children_note", "IS NOT NULL"),
    "client_pets": ("pets", "IS NOT NULL"),
    "client_favourite_brand": ("favourite_brand", "IS NOT NULL"),
    "client_profession": ("profession", "IS NOT NULL"),
    "client_income_band": ("income_band", "IS NOT NULL"),
    "client_churn_date": ("churn_date", "IS NOT NULL"),
    "client_churn_reason_id": ("churn_reason_id", "IS NOT NULL"),
    "client_winback_date": ("winback_date", "IS NOT NULL"),
    "client_churn_competitor": ("churn_competitor", "IS NOT NULL"),
    "client_churn_note": ("churn_note", "IS NOT NULL"),
}
LEGACY_INTEREST_TABLE = "clientbase_interest_res_partner_rel"
LEGACY_SEGMENT_TABLE = "clientbase_segment_res_partner_rel"


def move_partner_data_to_cards(cr):
    """Move the 18.0.1 card columns of res_partner into client cards; return the cards created."""
    present = {old: spec for old, spec in LEGACY_COLUMNS.items() if column_exists(cr, "res_partner", old)}
    has_interests = table_exists(cr, LEGACY_INTEREST_TABLE)
    created = 0
    if present:
        worth = [SQL("p.%s %s", SQL.identifier(old), SQL(test)) for old, (_new, test) in present.items()]
        if has_interests:
            worth.append(SQL("p.id IN (SELECT partner_id FROM %s)", SQL.identifier(LEGACY_INTEREST_TABLE)))
        cr.execute(
            SQL(
                """INSERT INTO clientbase_client_card (partner_id, %(new)s, create_uid, write_uid, create_date, write_date)
                   SELECT p.id, %(old)s, 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                     FROM res_partner p
                    WHERE %(worth)s
                   ON CONFLICT (partner_id) DO NOTHING""",
                new=SQL(", ").join(SQL.identifier(new) for new, _test in present.values()),
                old=SQL(", ").join(SQL("p.%s", SQL.identifier(old)) for old in present),
                worth=SQL(" OR ").join(worth),
            )
        )
        created = cr.rowcount
    if has_interests:
        cr.execute(
            SQL(
                """INSERT INTO clientbase_client_card_interest_rel (card_id, interest_id)
                   SELECT card.id, rel.interest_id
                     FROM %s rel JOIN clientbase_client_card card ON card.partner_id = rel.partner_id
                   ON CONFLICT DO NOTHING""",
                SQL.identifier(LEGACY_INTEREST_TABLE),
            )
        )
        cr.execute(SQL("DROP TABLE %s", SQL.identifier(LEGACY_INTEREST_TABLE)))
    if present:
        cr.execute(
            SQL(
                "ALTER TABLE res_partner %s",
                SQL(", ").join(SQL("DROP COLUMN %s", SQL.identifier(old)) for old in present),
            )
        )
    _logger.info(
        "clientbase_crm: %s client cards created from %s old partner columns%s",
        created,
        len(present),
        " and their interests" if has_interests else "",
    )
    return created


def move_segment_members(cr):
    """Move the 18.0.1 segment membership relation into clientbase_segment_member."""
    if not table_exists(cr, LEGACY_SEGMENT_TABLE):
        return 0
    cr.execute(
        SQL(
            """INSERT INTO clientbase_segment_member (segment_id, partner_id)
               SELECT segment_id, partner_id FROM %s
               ON CONFLICT DO NOTHING""",
            SQL.identifier(LEGACY_SEGMENT_TABLE),
        )
    )
    moved = cr.rowcount
    cr.execute(SQL("DROP TABLE %s", SQL.identifier(LEGACY_SEGMENT_TABLE)))
    _logger.info("clientbase_crm: %s segment memberships moved", moved)
    return moved
