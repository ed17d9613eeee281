import logging
import random
import time
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.tools import SQL, split_every

from . import clientbase_demo_values as values
from .clientbase_demo_values import HISTORY_DAYS

_logger = logging.getLogger(__name__)

DEMO_MARKER = "clientbase_crm.demo_generated"
# (login, name, is head of sales): password = login, said in the README
DEMO_MANAGERS = [
    ("manager1", "Елена Морозова", True),
    ("manager2", "Иван Петров", False),
    ("manager3", "Olivia Turner", False),
    ("manager4", "Сергей Волков", False),
    ("manager5", "James Carter", False),
]
# (kind, result, minutes, note) of logged contacts; demo content, not interface text
DEMO_CONTACTS = [
    ("outgoing_call", "reached", 5, "Interested, asked for a price list."),
    ("outgoing_call", "offer_accepted", 12, "Negotiated a discount for a yearly contract."),
    ("outgoing_call", "no_answer", 0, "No answer, will try again next week."),
    ("incoming_call", "info_sent", 7, "Asked about delivery terms, sent the conditions by email."),
    ("meeting", "meeting_scheduled", 60, "Presented the new catalogue, liked the support plan."),
    ("email", "offer_declined", 0, "Declined the spring offer: budget is frozen until autumn."),
    ("complaint", "complaint_resolved", 15, "Late delivery: apologised and offered free shipping."),
    ("review", "other", 0, "Left a positive review about the support team."),
]
# full recompute of the segmentation engine (issue 4), run at the end when it exists
SEGMENT_HOOKS = [
    ("clientbase.client.figures", "_recompute_all"),
    ("res.partner", "_cron_recompute_client_segments"),
]


def _log_step(label, since):
    now = time.monotonic()
    _logger.info("Demo client base: %s in %.1f s", label, now - since)
    return now


class ClientbaseDemoGenerator(models.AbstractModel):
    """Builds a realistic demo client base for ``make run`` (and its test).

    Managers, a few thousand B2C/B2B clients with key employees, their card
    data, two years of sale orders and some interactions. Batched ORM creates
    in a quiet mail context; order dates are set back with set-based SQL.
    Running it again on a database that has the demo base does nothing.
    """

    _name = "clientbase.demo.generator"
    _description = "Client Base Demo Generator"

    @api.model
    def _generate_demo_base(self, clients=3000, seed=42):
        """Create the demo base; return a summary dict, or False when it already exists."""
        params = self.env["ir.config_parameter"].sudo()
        if params.get_param(DEMO_MARKER):
            _logger.info(
                "Demo client base already generated on %s: nothing to do", params.get_param(DEMO_MARKER)
            )
            return False
        start = time.monotonic()
        generator = self.sudo().with_context(
            tracking_disable=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
            mail_auto_subscribe_no_notify=True,
            no_reset_password=True,
            # figures are recomputed once for the whole base at the end
            clientbase_skip_figures_refresh=True,
        )
        rng = random.Random(seed)
        tick = time.monotonic()
        managers = generator._demo_get_managers()
        partners = generator._demo_create_clients(rng, clients, managers)
        tick = _log_step("clients and key employees", tick)
        orders = generator._demo_create_orders(rng, partners)
        tick = _log_step("sale orders", tick)
        leads = generator._demo_create_interactions(rng, partners)
        generator._demo_set_registration_dates(rng, partners)
        generator._generate_demo_extras(rng, partners)
        tick = _log_step("interactions", tick)
        generator._demo_replay_months()
        tick = _log_step("segments and snapshots of the past months", tick)
        for model_name, method in SEGMENT_HOOKS:
            if model_name in generator.env and hasattr(generator.env[model_name], method):
                getattr(generator.env[model_name], method)()
                _log_step("segments", tick)
                break
        lost = generator._demo_mark_lost(rng, partners["clients"])
        generator._demo_channel_costs(rng)
        generator.env["clientbase.report.monthly"]._cron_refresh()
        tick = _log_step("lost clients, channel costs and reports", tick)
        params.set_param(DEMO_MARKER, fields.Datetime.to_string(fields.Datetime.now()))
        summary = {
            "managers": len(managers),
            "clients": len(partners["clients"]),
            "contacts": len(partners["contacts"]),
            "orders": len(orders),
            "opportunities": len(leads),
            "lost": len(lost),
            "seconds": round(time.monotonic() - start, 1),
        }
        _logger.info("Demo client base generated: %s", summary)
        return summary

    @api.model
    def _demo_replay_months(self, months=24):
        """Run the segmentation engine as of the last day of each of the past ``months`` months
        (the orders up to that day) and take that month's snapshot, with the segment history
        of each run dated that day: the movement matrix, VIP moves and the history have the
        months a real base would have kept."""
        Figures = self.env["clientbase.client.figures"].with_context(clientbase_as_of=True)
        Snapshot = self.env["clientbase.segment.snapshot"]
        company = self.env.company
        cr = self.env.cr
        this_month = fields.Date.context_today(self).replace(day=1)
        for back in range(months, 0, -1):
            day = this_month - relativedelta(months=back - 1) - timedelta(days=1)
            # the last snapshot's time is still a pending write of the ORM: written before it is reset
            self.env.flush_all()
            cr.execute("SELECT COALESCE(MAX(id), 0) FROM clientbase_segment_history")
            last_history = cr.fetchone()[0]
            cr.execute(
                """UPDATE res_company c SET client_segment_run_date = %s, client_snapshot_at = NULL,
                          client_segment_initial = NOT EXISTS (
                              SELECT 1 FROM clientbase_client_figures f WHERE f.company_id = c.id)
                    WHERE c.id = %s""",
                (day, company.id),
            )
            company.invalidate_recordset()
            Figures._set_segment_cursor(company, 1)
            while Figures._recompute_step():
                pass
            cr.execute(
                "UPDATE clientbase_segment_history SET date = %s WHERE id > %s",
                (datetime.combine(day, datetime.min.time()) + timedelta(hours=20), last_history),
            )
            self.env.invalidate_all()
            Snapshot._take(company, today=day)

    @api.model
    def _demo_mark_lost(self, rng, clients, share=0.3):
        """A share of the inactive clients were lost, with a reason, some months after their
        last order (the loss and its history dated then): the churn reports have data."""
        inactive = self.env["res.partner"].search(
            [("id", "in", clients.ids), ("client_stage", "=", "inactive")], order="id"
        )
        lost = inactive.filtered(lambda _p: rng.random() < share) or inactive[:1]
        reasons = self.env["clientbase.churn.reason"].search([("active", "=", True)])
        today = fields.Date.context_today(self)
        chosen = {
            client.id: (
                rng.choice(reasons),
                min(client.client_last_order_date + timedelta(days=rng.randint(120, 300)), today),
            )
            for client in lost
        }
        # one dialog per reason, as a manager marks a selection lost
        for reason in reasons:
            ids = [pid for pid, (chosen_reason, _day) in chosen.items() if chosen_reason == reason]
            if not ids:
                continue
            self.env["clientbase.churn.wizard"].with_context(
                active_model="res.partner", active_ids=ids
            ).create(
                {
                    "reason_id": reason.id,
                    "competitor": "Konkurent LLC" if reason.ask_competitor else False,
                    "note": "Stopped ordering, said so on the phone.",
                }
            ).action_mark_lost()
        # the loss dated some months after the last order, on the card and in the history
        self.env.flush_all()
        days = SQL(", ").join(SQL("(%s, %s::date)", pid, day) for pid, (_reason, day) in chosen.items())
        self.env.cr.execute(
            SQL(
                "UPDATE clientbase_client_card c SET churn_date = v.day FROM (VALUES %s) AS v(id, day)"
                " WHERE c.partner_id = v.id",
                days,
            )
        )
        self.env.cr.execute(
            SQL(
                "UPDATE clientbase_segment_history h SET date = v.day + interval '10 hours'"
                " FROM (VALUES %s) AS v(id, day)"
                " WHERE h.partner_id = v.id AND h.dimension = 'stage' AND h.new_value = 'lost'",
                days,
            )
        )
        self.env.invalidate_all()
        return lost

    @api.model
    def _demo_channel_costs(self, rng, months=24):
        """What marketing paid for each acquisition channel, month by month."""
        first = fields.Date.context_today(self).replace(day=1)
        channels = self.env["clientbase.channel"].search([("is_referral", "=", False)])
        self.env["clientbase.channel.cost"].create(
            [
                {
                    "channel_id": channel.id,
                    "month": first - relativedelta(months=k),
                    "amount": rng.randint(5, 60) * 1000,
                }
                for channel in channels
                for k in range(months)
            ]
        )

    def _generate_demo_extras(self, rng, partners):
        """Hook for other capabilities to add their demo data (interactions, segments...)."""
        return True

    # --- managers and catalogue ------------------------------------------
    @api.model
    def _demo_get_managers(self):
        users = self.env["res.users"].with_context(active_test=False)
        user_group = self.env.ref("clientbase_crm.group_clientbase_user")
        head_group = self.env.ref("clientbase_crm.group_clientbase_manager")
        managers = users.browse()
        for login, name, is_head in DEMO_MANAGERS:
            user = users.search([("login", "=", login)], limit=1)
            if not user:
                user = users.create(
                    {
                        "login": login,
                        "password": login,
                        "name": name,
                        "email": f"{login}@example.com",
                        "groups_id": [Command.link((head_group if is_head else user_group).id)],
                    }
                )
            managers |= user
        return managers

    @api.model
    def _demo_get_products(self):
        products = self.env["product.product"]
        for code, name, ptype, price in values.data.PRODUCTS:
            product = products.search([("default_code", "=", code)], limit=1)
            if not product:
                product = products.create(
                    {"default_code": code, "name": name, "type": ptype, "list_price": price, "sale_ok": True}
                )
            products |= product
        return products

    # --- clients ---------------------------------------------------------
    @api.model
    def _demo_card(self, rng, today, manager, channels, interests, campaigns):
        """Card values every commercial client gets: manager, channel, qualification, interests."""
        channel = rng.choices(list(channels), weights=[c.sequence <= 50 and 3 or 1 for c in channels])[0]
        vals = {
            "user_id": manager.id,
            "customer_rank": 1,
            "client_channel_id": channel.id,
            "client_interest_ids": [Command.set(rng.sample(interests.ids, rng.randint(0, 3)))],
        }
        if channel.source_id.name in ("Social Network", "Coupon Site") and rng.random() < 0.6:
            vals["client_campaign_id"] = rng.choice(campaigns).id
        if rng.random() < 0.45:
            vals.update(values.qualification(rng, today, manager.id))
        return vals

    @api.model
    def _demo_create_clients(self, rng, count, managers):
        today = fields.Date.context_today(self)
        Partner = self.env["res.partner"]
        channels = self.env["clientbase.channel"].search([("is_referral", "=", False)])
        referral = self.env.ref("clientbase_crm.clientbase_channel_referral")
        subscription = self.env.ref("clientbase_crm.clientbase_channel_subscription")
        interests = self.env["clientbase.interest"].search([], limit=50)
        industries = self.env["res.partner.industry"].search([], limit=50)
        countries = {code: self.env.ref(f"base.{code}").id for code in ("ru", "uk", "us")}
        campaigns = self.env["utm.campaign"]
        for name in ("Spring promo", "Black Friday", "Bring a friend"):
            campaigns |= campaigns.search([("name", "=", name)], limit=1) or campaigns.create({"name": name})
        kinds = values.quota(rng, count, {"person": 0.62, "company": 0.25, "referral": 0.05, "mailing": 0.08})
        persons = sum(1 for kind in kinds if kind in ("person", "referral"))
        birthdays = values.quota(rng, persons, {None: 0.2, "usual": 0.74, "soon": 0.04, "leap": 0.02})
        plain_vals, referral_vals = [], []
        for seq, kind in enumerate(kinds):
            ru = rng.random() < 0.55
            manager = managers[seq % len(managers)] if rng.random() < 0.8 else rng.choice(managers)
            name, email, phone = values.person(rng, seq, ru)
            if kind == "mailing":
                plain_vals.append(
                    {
                        "name": name if rng.random() < 0.5 else email,
                        "email": email,
                        "client_mailing_only": True,
                        "client_channel_id": subscription.id,
                        "user_id": manager.id,
                    }
                )
                continue
            vals = self._demo_card(rng, today, manager, channels, interests, campaigns)
            vals.update(values.address(rng, ru, countries))
            if kind == "company":
                cname, site, jobs = values.company(rng, seq, ru)
                children = []
                for i in range(rng.randint(1, 4)):
                    cname_person, cemail, cphone = values.person(rng, f"{seq}{i}", ru, domain=site)
                    child = {
                        "name": cname_person,
                        "type": "contact",
                        "function": jobs[0] if i == 0 else rng.choice(jobs[1:]),
                        "email": cemail,
                        "phone": cphone,
                        "user_id": manager.id,
                        "client_is_decision_maker": i == 0,
                    }
                    if rng.random() < 0.5:
                        child["client_birthday"] = values.birthday(rng, today, "usual")
                    children.append(Command.create(child))
                vals.update(
                    name=cname,
                    is_company=True,
                    email=f"info@{site}",
                    phone=phone,
                    website=f"https://{site}",
                    industry_id=industries and rng.choice(industries).id,
                    child_ids=children,
                )
            else:
                vals.update(name=name, email=email, phone=phone if rng.random() < 0.9 else False)
                vals.update(values.personal(rng, today, birthdays.pop()))
            if kind == "referral":
                vals.update(client_channel_id=referral.id, client_source_id=False, client_medium_id=False)
                referral_vals.append(vals)
            else:
                plain_vals.append(vals)
        clients = Partner.browse()
        for batch in split_every(500, plain_vals, list):
            clients |= Partner.create(batch)
        referrers = clients.filtered(lambda p: not p.client_mailing_only)
        for vals in referral_vals:
            vals["client_referrer_id"] = rng.choice(referrers).id
        for batch in split_every(500, referral_vals, list):
            clients |= Partner.create(batch)
        companies = clients.filtered("is_company")
        for company in companies:
            decision_maker = company.child_ids.filtered("client_is_decision_maker")[:1]
            if decision_maker:
                company.client_decision_maker_id = decision_maker
        return {
            "managers": managers,
            "clients": clients,
            "contacts": companies.child_ids,
            "buyers": clients.filtered(lambda p: not p.client_mailing_only),
        }

    # --- orders ----------------------------------------------------------
    @api.model
    def _demo_create_orders(self, rng, partners):
        now = datetime.combine(fields.Date.context_today(self), datetime.min.time()) + timedelta(hours=17)
        products = self._demo_get_products()
        SaleOrder = self.env["sale.order"]
        plan = values.order_plan(rng, partners["buyers"], now)
        orders = SaleOrder.browse()
        for batch in split_every(2000, plan, list):
            vals_list = []
            for partner, when, __ in batch:
                lines = []
                for product in rng.sample(list(products), rng.randint(1, 3)):
                    qty = rng.randint(1, 3) if product.type == "service" else rng.randint(1, 20)
                    # no analytic distribution models in the demo: skip their per-line lookup
                    lines.append(
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": qty, "analytic_distribution": False}
                        )
                    )
                vals_list.append(
                    {
                        "partner_id": partner.id,
                        "user_id": partner.user_id.id,
                        "date_order": when,
                        "order_line": lines,
                    }
                )
            orders |= SaleOrder.create(vals_list)
        to_confirm = orders.browse(
            [o.id for o, (__, __, s) in zip(orders, plan, strict=True) if s != "draft"]
        )
        to_cancel = orders.browse(
            [o.id for o, (__, __, s) in zip(orders, plan, strict=True) if s == "cancel"]
        )
        for batch in split_every(2000, to_confirm.ids, orders.browse):
            batch.action_confirm()
        to_cancel.with_context(disable_cancel_warning=True).action_cancel()
        # action_confirm stamps date_order with now(): put the planned history back, set-based
        self.env.flush_all()
        for batch in split_every(1000, list(zip(orders.ids, (when for __, when, __ in plan), strict=True))):
            rows = SQL(", ").join(SQL("(%s, %s::timestamp)", oid, when) for oid, when in batch)
            self.env.cr.execute(
                SQL(
                    """UPDATE sale_order SET date_order = v.d, create_date = v.d
                         FROM (VALUES %s) AS v(id, d) WHERE sale_order.id = v.id""",
                    rows,
                )
            )
        SaleOrder.invalidate_model(["date_order", "create_date"])
        return orders

    # --- interactions ----------------------------------------------------
    @api.model
    def _demo_create_interactions(self, rng, partners):
        """Opportunities in the pipeline, call-back reminders and logged calls."""
        buyers = partners["buyers"]
        today = fields.Date.context_today(self)
        stages = self.env["crm.stage"].search([("fold", "=", False)], limit=20)
        lead_vals = [
            {
                "name": f"Offer for {partner.name}",
                "type": "opportunity",
                "partner_id": partner.id,
                "user_id": partner.user_id.id,
                "stage_id": rng.choice(stages).id if stages else False,
                "expected_revenue": rng.choice([800, 1500, 3000, 7000, 12000]),
            }
            for partner in buyers
            if rng.random() < 0.08
        ]
        if "iap_enrich_done" in self.env["crm.lead"]._fields:
            # demo e-mails: keep Odoo's lead enrichment cron from calling its web service about them
            for vals in lead_vals:
                vals["iap_enrich_done"] = True
        leads = self.env["crm.lead"].create(lead_vals)
        call = self.env.ref("mail.mail_activity_data_call")
        partner_model = self.env["ir.model"]._get_id("res.partner")
        self.env["mail.activity"].create(
            [
                {
                    "res_model_id": partner_model,
                    "res_id": partner.id,
                    "activity_type_id": call.id,
                    "summary": "Call back",
                    "user_id": partner.user_id.id,
                    "date_deadline": today + timedelta(days=rng.randint(-5, 20)),
                }
                for partner in buyers
                if rng.random() < 0.06
            ]
        )
        logged = [
            (
                partner,
                fields.Datetime.now() - timedelta(days=rng.randint(1, HISTORY_DAYS)),
                rng.choice(DEMO_CONTACTS),
            )
            for partner in buyers
            for __ in range(rng.choice([0, 0, 0, 1, 1, 2, 3]))
        ]
        if "clientbase.interaction" in self.env:
            # the interaction log of the client base (issue 5)
            self.env["clientbase.interaction"].create(
                [
                    {
                        "client_id": partner.id,
                        "user_id": partner.user_id.id,
                        "date": when,
                        "kind": kind,
                        "result": result,
                        "duration": duration,
                        "note": note,
                    }
                    for partner, when, (kind, result, duration, note) in logged
                ]
            )
        else:
            subtype = self.env.ref("mail.mt_note")
            self.env["mail.message"].create(
                [
                    {
                        "model": "res.partner",
                        "res_id": partner.id,
                        "message_type": "comment",
                        "subtype_id": subtype.id,
                        "body": note,
                        "author_id": partner.user_id.partner_id.id,
                        "date": when,
                    }
                    for partner, when, (__, __, __, note) in logged
                ]
            )
        return leads

    @api.model
    def _demo_set_registration_dates(self, rng, partners):
        """Registration date = first purchase (or a random day of the window for non-buyers)."""
        self.env.flush_all()
        clients = partners["clients"]
        values = [(pid, rng.randint(0, HISTORY_DAYS)) for pid in clients.ids]
        for batch in split_every(2000, values):
            rows = SQL(", ").join(SQL("(%s, %s)", pid, days) for pid, days in batch)
            self.env.cr.execute(
                SQL(
                    """UPDATE res_partner p
                          SET create_date = COALESCE(
                                (SELECT MIN(so.date_order) FROM sale_order so WHERE so.partner_id = p.id),
                                now() at time zone 'UTC' - make_interval(days => v.days))
                         FROM (VALUES %s) AS v(id, days)
                        WHERE p.id = v.id""",
                    rows,
                )
            )
        # key employees were registered with their company
        self.env.cr.execute(
            SQL(
                """UPDATE res_partner p SET create_date = parent.create_date
                     FROM res_partner parent WHERE p.parent_id = parent.id AND parent.id IN %s""",
                tuple(clients.ids) or (0,),
            )
        )
        clients.invalidate_model(["create_date"])
