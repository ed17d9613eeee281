"""Loyalty of the client base on Odoo's loyalty apps."""

# first: this addon's data declared to the client base's protection (classification)
from . import clientbase_loyalty_security

# discount levels: the level table, the client's level (kept set-based) and its triggers
from . import clientbase_loyalty_level  # the levels of a company and their promotion programs
from . import clientbase_loyalty_status  # each client's level, receipts and manual override
from . import clientbase_client_figures  # the level refresh after the engine's runs
from . import clientbase_segment  # the levels of the partners the nightly segments refresh takes
from . import clientbase_segment_history  # the "level" dimension of the segment history
from . import clientbase_segment_snapshot  # the level in the movement matrix, from that history
from . import res_company  # the rolling window of the levels' receipts
from . import res_partner  # the client card: level and progress to the next
from . import res_partner_privacy  # forgetting a client forgets its cards, codes and points history
from . import loyalty_program  # a promotion program that belongs to a level
from . import sale_order  # the level's discount on the client's quotations

# personal promo codes with a deadline for a segment
from . import clientbase_loyalty_campaign  # a campaign: segment, coupon program, validity, codes
from . import loyalty_card  # the campaign of a personal code
from . import res_partner_promo_code  # the client's own code and its deadline, for the mailings
from . import sale_order_promo_code  # the client's code and its deadline on the quotation
from . import mailing_mailing_promo_campaign  # a mailing tied to one campaign renders its codes
from . import clientbase_loyalty_campaign_mailing  # the campaign's button preparing its mailing

# bonus points, referral and VIP perks
from . import res_company_bonus  # the company's bonus program and the points of each event
from . import clientbase_loyalty_grant  # points granted once per client-base event, posted to the cards
from . import loyalty_history  # a points line without an order (a grant) describes itself
from . import clientbase_loyalty_referral  # a client's referral code
from . import res_partner_referral  # the client card's referral code and the button that gives one
from . import sale_order_referral  # a new client's first order with a code rewards both
from . import sale_order_vip  # VIP perks for VIP clients only, the personal manager on the quotation
from . import sale_order_bonus_card  # a contact's order earns and spends its company's bonus points
from . import loyalty_card_contact_merge  # contacts' old bonus cards merged into their client's (migration)
from . import loyalty_card_expiry  # points expire by age, the oldest first, in a nightly set-based run
from . import res_company_points_expiry  # the bonus points' lifetime among the company's bonus settings

# journeys: steps that grant points or issue a personal code with a deadline
from . import loyalty_card_journey  # the journey step and the client's entry of a personal code
from . import clientbase_journey_step_loyalty  # the loyalty steps, done set-based for a batch of members
from . import clientbase_journey_loyalty  # the journeys' triggers: reached a level, points about to expire
from . import clientbase_journey_result_loyalty  # the journeys' codes issued and redeemed in their results

# results
from . import clientbase_loyalty_report  # per level: clients, revenue, average check, discount
from . import clientbase_loyalty_points_report  # bonus points issued, spent and expired
from . import clientbase_loyalty_campaign_report  # per campaign: codes sent, redeemed, revenue, discount

# demo
from . import clientbase_loyalty_demo  # loyalty on the demo client base (make run)
