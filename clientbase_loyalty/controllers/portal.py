from odoo import fields
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.http import request


class CustomerPortalClientLoyalty(CustomerPortal):
    """On ``/my`` a client sees its own loyalty: its level in the website's company, what is left
    to the next, its referral code and its personal codes still valid with their deadlines
    (Odoo's loyalty shows the points balance and history beside). Read as the superuser for the
    portal user's client (its commercial entity) only: nothing of another client.

    A company client's points live on the company (the commercial entity: the client-base events
    grant them to it), so a contact of the company who logs in sees the company's level, its codes
    and its points cards with their latest history, besides his own cards that Odoo shows."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if not counters:
            values["clientbase_loyalty"] = self._get_clientbase_loyalty_values()
        return values

    def _get_clientbase_loyalty_values(self):
        partner = request.env.user.partner_id
        client = partner.commercial_partner_id.sudo()
        company = request.env.company
        today = fields.Date.context_today(client)
        status = (
            request.env["clientbase.loyalty.status"]
            .sudo()
            .search([("partner_id", "=", client.id), ("company_id", "=", company.id)], limit=1)
        )
        codes = (
            request.env["loyalty.card"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", (partner | client).ids),
                    ("program_id.program_type", "=", "coupons"),
                    ("program_id.active", "=", True),
                    ("points", ">", 0),
                    "|",
                    ("expiration_date", ">=", today),
                    ("expiration_date", "=", False),
                ],
                order="expiration_date, id",
            )
        )
        client = client.with_company(company)
        referral = (
            request.env["clientbase.loyalty.referral"]
            .sudo()
            .search([("partner_id", "=", client.id), ("company_id", "=", company.id)], limit=1)
        )
        level = status.level_id.filtered("active")
        # the company's points, for its contacts (the company's own user sees them in Odoo's cards)
        company_cards = request.env["loyalty.card"].sudo()
        if client != partner:
            company_cards = company_cards.search(
                [
                    ("partner_id", "=", client.id),
                    ("program_id.active", "=", True),
                    ("program_id.program_type", "in", ("loyalty", "ewallet")),
                    "|",
                    ("expiration_date", ">=", today),
                    ("expiration_date", "=", False),
                ],
                order="id",
            )
        return {
            "company_name": client.name if client != partner else False,
            "company_cards": [
                {
                    "program": card.program_id.name,
                    "points": card.points_display,
                    "lines": [
                        (
                            line.description,
                            f"{'-' if line.issued < line.used else '+'}"
                            f"{card._format_points(abs(line.issued - line.used))}",
                        )
                        for line in card.history_ids[:5]
                    ],
                }
                for card in company_cards
            ],
            "level": level,
            "discount_label": level.program_id.reward_ids[:1].description if level else False,
            "progress": client.client_loyalty_progress,
            "codes": codes,
            "referral_code": referral.code,
        }
