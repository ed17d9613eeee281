import logging
import random
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)
DEMO_BONUS_PROGRAM = "Bonus Points"
# redemptions of the demo's past campaign (orders confirmed with a code)
DEMO_REDEMPTIONS = 25


class ClientbaseLoyaltyDemo(models.AbstractModel):
    """Loyalty on the demo client base (``make run``, after clientbase_crm_demo's generator):
    the example levels on, a bonus program with cards and points, the VIP perks switched on (a VIP
    client's quotation shows them), and a past win-back campaign with redemptions. Run once per database: a second call does nothing."""

    _name = "clientbase.loyalty.demo"
    _description = "Client Base Loyalty Demo"

    @api.model
    def _generate_demo(self, seed=42):
        """Set up the demo's loyalty; return a summary dict, or False when it is already there."""
        company = self.env.ref("base.main_company")
        if company.client_bonus_program_id:
            return False
        self = self.with_company(company).with_context(tracking_disable=True, mail_notrack=True)
        rng = random.Random(seed)
        # the example levels, on
        levels = self.env["clientbase.loyalty.level"]
        for name in ("silver", "gold", "platinum"):
            levels |= (
                self.env.ref(f"clientbase_loyalty.clientbase_loyalty_level_{name}", raise_if_not_found=False)
                or levels
            )
        levels.active = True
        # the bonus program: 1 point per 100 spent, 5% off for 500 points; points for the events
        program = self.env["loyalty.program"].create(
            {
                "name": DEMO_BONUS_PROGRAM,
                "program_type": "loyalty",
                "trigger": "auto",
                "applies_on": "both",
                "company_id": company.id,
                "portal_visible": True,
                "rule_ids": [(0, 0, {"reward_point_mode": "money", "reward_point_amount": 0.01})],
                "reward_ids": [(0, 0, {"reward_type": "discount", "discount": 5, "required_points": 500})],
            }
        )
        company.write(
            {
                "client_bonus_program_id": program.id,
                "client_bonus_birthday": 200,
                "client_bonus_questionnaire": 100,
                "client_bonus_subscription": 50,
                "client_bonus_referrer": 300,
                "client_bonus_referred": 150,
            }
        )
        Status = self.env["clientbase.loyalty.status"].sudo()
        Status._refresh_levels(companies=company)
        cards = self._give_points_for_past_orders(program, company)
        grants = self.env["clientbase.loyalty.grant"].sudo()._grant_events(companies=company)
        # after the cards: the quotation finds the VIP client's card of the bonus program
        vip_quotation = self._create_vip_perks(company)
        redeemed = self._past_campaign(company, rng)
        # referral codes for the clients with a level: the ones most likely to bring a friend
        referrers = Status.search([("company_id", "=", company.id), ("level_id", "!=", False)]).partner_id
        self.env["clientbase.loyalty.referral"].sudo()._generate(referrers.ids, company)
        summary = {
            "levels": len(levels),
            "clients with a level": Status.search_count(
                [("company_id", "=", company.id), ("level_id", "!=", False)]
            ),
            "cards with points": cards,
            "grants": grants,
            "campaign codes redeemed": redeemed,
            "referral codes": len(referrers),
            "VIP quotation with perks": vip_quotation.name or "",
        }
        _logger.info("Loyalty demo: %s", summary)
        return summary

    @api.model
    def _create_vip_perks(self, company):
        """The VIP perks that ship archived (data/clientbase_loyalty_vip_perks_data.xml) switched
        on, and a VIP client's quotation showing them (the gift; free delivery shows once a
        delivery method is added). Returns that quotation, or an empty recordset."""
        programs = self.env["loyalty.program"].browse()
        for xmlid in ("loyalty_program_vip_free_delivery", "loyalty_program_vip_gift"):
            programs |= self.env.ref(f"clientbase_loyalty.{xmlid}", raise_if_not_found=False) or programs
        programs.write({"active": True, "company_id": company.id})
        vip = (
            self.env["clientbase.client.figures"]
            .sudo()
            .search([("company_id", "=", company.id), ("is_vip", "=", True)], order="revenue desc", limit=1)
            .partner_id
        )
        gifts = programs.reward_ids.reward_product_id
        product = self.env["product.product"].search(
            [
                ("sale_ok", "=", True),
                ("type", "=", "consu"),
                ("list_price", ">", 0),
                ("id", "not in", gifts.ids),
            ],
            limit=1,
        )
        if not (vip and product and programs):
            return self.env["sale.order"]
        order = self.env["sale.order"].create(
            {
                "partner_id": vip.id,
                "company_id": company.id,
                "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 2})],
            }
        )
        order._update_programs_and_rewards()
        for coupon, rewards in order._get_claimable_rewards().items():
            for reward in rewards.filtered(lambda r: r.program_id in programs):
                order._apply_program_reward(reward, coupon)
        return order

    @api.model
    def _give_points_for_past_orders(self, program, company):
        """The demo's orders were confirmed before the program existed: each client's card gets the
        points of its past receipts (one statement) with a history line saying so."""
        now = fields.Datetime.now()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH inserted AS (
                    INSERT INTO loyalty_card (program_id, company_id, partner_id, code, points, active,
                                              create_uid, create_date, write_uid, write_date)
                    SELECT %(program)s, %(company)s, f.partner_id, '044' || substr(md5(gen_random_uuid()::text), 1, 13),
                           floor(f.revenue / 100), TRUE, %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM clientbase_client_figures f
                     WHERE f.company_id = %(company)s AND f.revenue >= 100
                    RETURNING id, points
                )
                INSERT INTO loyalty_history (card_id, description, issued, used, create_uid, create_date,
                                             write_uid, write_date)
                SELECT id, %(description)s, points, 0, %(uid)s, %(now)s, %(uid)s, %(now)s FROM inserted
                """,
                program=program.id,
                company=company.id,
                uid=self.env.uid,
                now=now,
                description=self.env._("Points for the orders before the program"),
            )
        )
        self.env.invalidate_all()
        return self.env.cr.rowcount

    @api.model
    def _past_campaign(self, company, rng):
        """A win-back campaign of last month for the inactive clients: a personal 10% code each, a
        few redeemed on confirmed orders, the codes expired since."""
        coupon_program = self.env["loyalty.program"].create(
            {
                "name": "Win-back 10%",
                "program_type": "coupons",
                "trigger": "with_code",
                "applies_on": "current",
                "company_id": company.id,
                "reward_ids": [
                    (0, 0, {"reward_type": "discount", "discount": 10, "discount_applicability": "order"})
                ],
            }
        )
        today = fields.Date.context_today(self)
        campaign = self.env["clientbase.loyalty.campaign"].create(
            {
                "name": "Win-back: we miss you",
                "company_id": company.id,
                "program_id": coupon_program.id,
                "stage": "inactive",
                "expiration_date": today + timedelta(days=1),
            }
        )
        campaign.action_generate_codes()
        product = self.env["product.product"].search(
            [("sale_ok", "=", True), ("type", "=", "consu"), ("list_price", ">", 0)], limit=1
        )
        cards = campaign.card_ids
        redeemed = 0
        for card in rng.sample(list(cards), min(DEMO_REDEMPTIONS, len(cards))) if product else []:
            order = self.env["sale.order"].create(
                {
                    "partner_id": card.partner_id.id,
                    "company_id": company.id,
                    "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": rng.randint(1, 5)})],
                }
            )
            result = order._try_apply_code(card.code)
            if "error" in result:
                continue
            for coupon, rewards in result.items():
                order._apply_program_reward(rewards[:1], coupon)
            order.action_confirm()
            order.date_order = fields.Datetime.now() - timedelta(days=rng.randint(10, 30))
            redeemed += 1
        # the campaign is over: its codes expired ten days ago
        past = today - timedelta(days=10)
        cards.write({"expiration_date": past})
        campaign.write(
            {"expiration_date": past, "generated_date": fields.Datetime.now() - timedelta(days=40)}
        )
        return redeemed
