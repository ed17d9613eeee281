from odoo import models


class SaleOrder(models.Model):
    """A contact's order earns and spends its company's bonus points.

    The points of the company's bonus program (*Bonus Points Program* in the settings) belong to the
    client, its commercial entity: the client-base events grant them to it and its portal contacts
    see them there. Odoo's loyalty keeps the points of an order on a card of the order's partner,
    so an order of a company client's contact would start a card of the contact's own. Two hooks on
    Odoo's own flow keep them on the company's card:

    - while the quotation is updated, the company's card (with points) is among the order's
      applied cards, as Odoo loads the partner's own: the contact can claim its rewards;
    - on confirmation, just before Odoo writes the order's points to the cards' history and adds
      them to the cards, the order's points entries of the program move from the contact's card to
      the company's (made if it has none), so the history line, the points and a later
      cancellation are the company card's; the contact's card Odoo made for the quotation goes
      when nothing is left on it.

    The entries move only then because, while the order is a quotation, Odoo drops any points entry
    whose card is not of the order's partner at each update. Other programs are Odoo's as they are.
    """

    _inherit = "sale.order"

    def _get_clientbase_bonus_program(self):
        """The order company's bonus program when the order's partner is a contact of another
        client (its points are that client's), else no program."""
        self.ensure_one()
        program = self.company_id.client_bonus_program_id
        if not program.active or self.partner_id == self.partner_id.commercial_partner_id:
            return self.env["loyalty.program"]
        return program

    def _get_clientbase_bonus_card(self, program, create=False):
        """The client's card of ``program`` (the oldest active one, where the grants post too), as
        the superuser when ``create`` (made if it has none), else as the current user (as Odoo
        loads the customer's own cards)."""
        Card = self.env["loyalty.card"].sudo() if create else self.env["loyalty.card"]
        client = self.partner_id.commercial_partner_id
        card = Card.search(
            [("program_id", "=", program.id), ("partner_id", "=", client.id)], order="id", limit=1
        )
        if not card and create:
            card = Card.with_context(loyalty_no_mail=True, tracking_disable=True).create(
                {"program_id": program.id, "partner_id": client.id, "points": 0}
            )
        return card

    def _update_programs_and_rewards(self):
        program = self._get_clientbase_bonus_program()
        if program and self._allow_nominative_programs():
            card = self._get_clientbase_bonus_card(program)
            if card.points > 0 and card not in self.applied_coupon_ids:
                self.applied_coupon_ids += card
        return super()._update_programs_and_rewards()

    def _add_loyalty_history_lines(self):
        # called by Odoo's confirmation between the last update of the order and the points added
        self._move_clientbase_bonus_points()
        return super()._add_loyalty_history_lines()

    def _move_clientbase_bonus_points(self):
        """Move the order's points entries of the bonus program from the contact's cards to the
        company's card; a contact's card left with nothing goes."""
        self.ensure_one()
        program = self._get_clientbase_bonus_program()
        if not program:
            return
        entries = self.coupon_point_ids.sudo().filtered(
            lambda entry: (
                entry.coupon_id.program_id == program and entry.coupon_id.partner_id == self.partner_id
            )
        )
        if not entries:
            return
        target = self._get_clientbase_bonus_card(program, create=True)
        contact_cards = entries.coupon_id
        mine = self.coupon_point_ids.sudo().filtered(lambda entry: entry.coupon_id == target)
        if mine:  # the order already has an entry on the company's card: one entry per card
            mine.points += sum(entries.mapped("points"))
            entries.unlink()
        else:
            entries[1:].unlink()
            entries[:1].write({"coupon_id": target.id, "points": sum(entries.mapped("points"))})
        self.invalidate_recordset(["coupon_point_ids", "applied_coupon_ids"])
        self._unlink_clientbase_empty_cards(contact_cards)

    def _unlink_clientbase_empty_cards(self, cards):
        """Delete the cards without points and without anything pointing to them (history, points
        entries of any order, reward lines, orders they are applied to)."""
        env = self.env
        used = (
            set(env["loyalty.history"].sudo().search([("card_id", "in", cards.ids)]).card_id.ids)
            | set(
                env["sale.order.coupon.points"].sudo().search([("coupon_id", "in", cards.ids)]).coupon_id.ids
            )
            | set(env["sale.order.line"].sudo().search([("coupon_id", "in", cards.ids)]).coupon_id.ids)
            | set(
                env["sale.order"]
                .sudo()
                .search([("applied_coupon_ids", "in", cards.ids)])
                .applied_coupon_ids.ids
            )
        )
        cards.filtered(lambda card: card.id not in used and not card.points).sudo().unlink()
