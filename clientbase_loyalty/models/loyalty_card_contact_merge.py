import logging

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# contact cards merged per statement batch (each batch deletes its cards: the loop ends)
MERGE_BATCH = 10_000


class LoyaltyCard(models.Model):
    """The one-off merge of the contacts' own cards of the company's bonus program.

    Since a company client's contacts earn and spend the company's bonus points on its card
    (``sale_order_bonus_card.py``), a contact keeps no card of that program. A contact's card made
    before (Odoo's card of the order's partner) is merged into its client's card by
    :meth:`_clientbase_merge_contact_cards`, run by the migration to 18.0.1.2.0.
    """

    _inherit = "loyalty.card"

    @api.model
    def _clientbase_merge_contact_cards(self, batch=MERGE_BATCH):
        """Move the points of the contacts' active cards of every company's bonus program to their
        client's (commercial entity's) card of the program, the oldest active one, made when it has
        none; everything of the contact's card goes with them: its history lines, the points
        entries of its orders (a cancelled order takes them back from the client's card), the
        reward lines and the orders it is applied to, the grants, its chatter. The emptied
        contact's cards are deleted. Other programs' cards stay Odoo's, per customer.

        Set-based, ``batch`` contact cards per round; idempotent (a second run finds no contact's
        card of the program).

        :return: the contact cards merged
        """
        cr = self.env.cr
        self.env.flush_all()
        programs = (
            self.env["res.company"]
            .sudo()
            .with_context(active_test=False)
            .search([("client_bonus_program_id", "!=", False)])
            .client_bonus_program_id
        )
        if not programs:
            return 0
        now = fields.Datetime.now()
        uid = self.env.uid
        merged = 0
        cr.execute(
            "CREATE TEMP TABLE IF NOT EXISTS clientbase_card_merge"
            " (card_id int PRIMARY KEY, client_id int NOT NULL, program_id int NOT NULL, target_id int)"
            " ON COMMIT DROP"
        )
        while True:
            cr.execute("TRUNCATE clientbase_card_merge")
            cr.execute(
                SQL(
                    """
                    INSERT INTO clientbase_card_merge (card_id, client_id, program_id)
                    SELECT c.id, p.commercial_partner_id, c.program_id
                      FROM loyalty_card c JOIN res_partner p ON p.id = c.partner_id
                     WHERE c.program_id = ANY(%s) AND c.active
                       AND p.commercial_partner_id IS NOT NULL AND p.commercial_partner_id <> p.id
                     ORDER BY c.id
                     LIMIT %s
                    """,
                    programs.ids,
                    batch,
                )
            )
            if not cr.rowcount:
                break
            count = cr.rowcount
            # the clients without an active card of the program get one
            cr.execute(
                SQL(
                    """
                    INSERT INTO loyalty_card (program_id, company_id, partner_id, code, points, active,
                                              create_uid, create_date, write_uid, write_date)
                    SELECT DISTINCT m.program_id, pr.company_id, m.client_id,
                           '044' || substr(md5(gen_random_uuid()::text), 1, 13), 0, TRUE,
                           %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM clientbase_card_merge m JOIN loyalty_program pr ON pr.id = m.program_id
                     WHERE NOT EXISTS (SELECT 1 FROM loyalty_card c WHERE c.program_id = m.program_id
                                          AND c.partner_id = m.client_id AND c.active)
                    """,
                    uid=uid,
                    now=now,
                )
            )
            cr.execute(
                """
                UPDATE clientbase_card_merge m
                   SET target_id = (SELECT c.id FROM loyalty_card c
                                     WHERE c.program_id = m.program_id AND c.partner_id = m.client_id
                                       AND c.active
                                     ORDER BY c.id LIMIT 1)
                """
            )
            cr.execute(
                SQL(
                    """
                    WITH moved AS (
                        SELECT m.target_id, SUM(c.points) AS points
                          FROM clientbase_card_merge m JOIN loyalty_card c ON c.id = m.card_id
                         GROUP BY m.target_id
                    )
                    UPDATE loyalty_card c SET points = c.points + moved.points,
                           write_uid = %s, write_date = %s
                      FROM moved WHERE c.id = moved.target_id AND moved.points <> 0
                    """,
                    uid,
                    now,
                )
            )
            # history lines, grants, reward lines: they point to the client's card instead
            for table, column in (
                ("loyalty_history", "card_id"),
                ("clientbase_loyalty_grant", "card_id"),
                ("sale_order_line", "coupon_id"),
            ):
                cr.execute(
                    SQL(
                        "UPDATE %(table)s t SET %(column)s = m.target_id FROM clientbase_card_merge m"
                        " WHERE t.%(column)s = m.card_id",
                        table=SQL.identifier(table),
                        column=SQL.identifier(column),
                    )
                )
            # an order's points entries: one per order and card (the entries of one order on
            # several of a client's cards are added up on the client's card)
            cr.execute(
                """
                WITH entries AS (
                    DELETE FROM sale_order_coupon_points e USING clientbase_card_merge m
                     WHERE e.coupon_id = m.card_id
                 RETURNING e.order_id, m.target_id, e.points, e.create_uid, e.create_date
                )
                INSERT INTO sale_order_coupon_points (order_id, coupon_id, points, create_uid, create_date,
                                                      write_uid, write_date)
                SELECT order_id, target_id, SUM(points), MIN(create_uid), MIN(create_date), %s, %s
                  FROM entries GROUP BY order_id, target_id
                ON CONFLICT (order_id, coupon_id)
                DO UPDATE SET points = sale_order_coupon_points.points + EXCLUDED.points
                """,
                (uid, now),
            )
            cr.execute(
                """
                INSERT INTO loyalty_card_sale_order_rel (sale_order_id, loyalty_card_id)
                SELECT DISTINCT r.sale_order_id, m.target_id
                  FROM loyalty_card_sale_order_rel r JOIN clientbase_card_merge m ON m.card_id = r.loyalty_card_id
                ON CONFLICT DO NOTHING
                """
            )
            cr.execute(
                """
                UPDATE mail_message msg SET res_id = m.target_id FROM clientbase_card_merge m
                 WHERE msg.model = 'loyalty.card' AND msg.res_id = m.card_id
                """
            )
            cr.execute(
                """
                DELETE FROM mail_followers f USING clientbase_card_merge m
                 WHERE f.res_model = 'loyalty.card' AND f.res_id = m.card_id
                """
            )
            # the emptied cards (their order links and wizard lines go with them by cascade)
            cr.execute("DELETE FROM loyalty_card c USING clientbase_card_merge m WHERE c.id = m.card_id")
            merged += count
        if merged:
            _logger.info("Bonus points: %s contacts' cards merged into their clients' cards", merged)
            self.env.invalidate_all()
        return merged
