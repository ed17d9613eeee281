import logging
import random
import time
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models, sql_db
from odoo.addons.clientbase_crm.tools.bulk_insert import bulk_insert
from odoo.tools import SQL, split_every

from . import clientbase_demo_values as values
from .clientbase_demo_values import HISTORY_DAYS

_logger = logging.getLogger(__name__)

DEMO_MARKER = "clientbase_crm.demo_generated"
# (login, name, is head of sales): password = login, said in the README; the salespeople and
# the head of sales share the clients (the marketer of clientbase_demo_setup.py has none)
DEMO_MANAGERS = [
    ("manager1", "Морозова Елена Викторовна", True),
    ("manager2", "Петров Иван Сергеевич", False),
    ("manager3", "Орлова Ольга Андреевна", False),
    ("manager4", "Волков Сергей Николаевич", False),
    ("manager5", "Карпов Дмитрий Олегович", False),
]
# (kind, result, minutes, note) of logged contacts; demo content in Russian, not interface text
DEMO_CONTACTS = [
    ("outgoing_call", "reached", 5, "Интересуется, попросил прайс-лист."),
    ("outgoing_call", "offer_accepted", 12, "Договорились о скидке на годовой договор."),
    ("outgoing_call", "no_answer", 0, "Не ответил, перезвоню на следующей неделе."),
    ("incoming_call", "info_sent", 7, "Спрашивал об условиях доставки, отправил их по почте."),
    ("meeting", "meeting_scheduled", 60, "Показал новый каталог, понравился план техподдержки."),
    ("email", "offer_declined", 0, "Отказался от весеннего предложения: бюджет заморожен до осени."),
    ("complaint", "complaint_resolved", 15, "Задержка доставки: извинились, предложили бесплатную доставку."),
    ("review", "other", 0, "Оставил положительный отзыв о службе поддержки."),
]
# UTM campaigns of the demo's promotions and mailings
DEMO_CAMPAIGNS = ["Весенняя акция", "Чёрная пятница", "Приведи друга"]
# full recompute of the segmentation engine (issue 4), run at the end when it exists
SEGMENT_HOOKS = [
    ("clientbase.client.figures", "_recompute_all"),
    ("res.partner", "_cron_recompute_client_segments"),
]
# the demo data of the capabilities that live in their own addons, made when they are installed
# (each runs once per database; `make run` installs them before asking again)
ADDON_DEMOS = [
    ("clientbase.loyalty.demo", "_generate_demo"),
]


def _log_step(label, since):
    """Log the time and SQL queries of a step since ``since`` (a previous call's result, or
    None for the start); return the mark of now. The query count is the measure that holds on a
    loaded machine, where times vary."""
    now = (time.monotonic(), sql_db.sql_counter)
    if since:
        _logger.info(
            "Demo client base: %s in %.1f s, %d SQL queries (%.1f s of CPU so far)",
            label,
            now[0] - since[0],
            now[1] - since[1],
            time.process_time(),
        )
    return now


class ClientbaseDemoGenerator(models.AbstractModel):
    """Builds a realistic demo client base for ``make run`` (and its test).

    Managers, a few thousand B2C/B2B clients with key employees, their card
    data, two years of sale orders and some interactions. Batched ORM creates
    in a quiet mail context; the orders are inserted set-based
    (``clientbase_demo_orders.py``).
    Running it again on a database that has the demo base does nothing.
    """

    _name = "clientbase.demo.generator"
    _description = "Client Base Demo Generator"

    @api.model
    def _demo_quiet(self):
        """The generator as the demo runs it (and its tests check it): no tracking, chatter
        notes, subscriptions, notifications or password mails per record, and the figures
        recomputed once for the whole base at the end instead of after every order."""
        return self.with_context(
            tracking_disable=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
            mail_auto_subscribe_no_notify=True,
            no_reset_password=True,
            clientbase_skip_figures_refresh=True,
        )

    @api.model
    def _generate_demo_base(self, clients=3000, seed=42, lang="ru_RU"):
        """Create the demo base; return a summary dict, or False when it already exists.
        ``lang``: the language installed beside English (the demo staff's), none when empty."""
        params = self.env["ir.config_parameter"].sudo()
        generator = self.sudo()._demo_quiet()
        tick = _log_step("start", None)
        if lang and generator._demo_install_language(lang):
            tick = _log_step(f"{lang} installed", tick)
        if params.get_param(DEMO_MARKER):
            # the roles of the demo users follow the code on an existing demo base too
            generator._demo_setup_users(generator._demo_get_managers())
            _logger.info(
                "Demo client base already generated on %s: nothing to do", params.get_param(DEMO_MARKER)
            )
            return False
        start = time.monotonic()
        generator._demo_setup_company()
        rng = random.Random(seed)
        managers = generator._demo_get_managers()
        marketer = generator._demo_setup_users(managers)
        partners = generator._demo_create_clients(rng, clients, managers)
        tick = _log_step("clients and key employees", tick)
        generator._demo_create_orders(rng, partners)
        tick = _log_step("sale orders", tick)
        leads = generator._demo_create_interactions(rng, partners)
        tick = _log_step("opportunities, reminders and interactions", tick)
        generator._demo_set_registration_dates(rng, partners)
        generator._demo_first_orders_this_month(rng, partners)
        tick = _log_step("registration dates and first orders of the month", tick)
        extras = generator._generate_demo_extras(rng, partners)
        tick = _log_step("consents, mailings, leads and duplicates", tick)
        generator._demo_replay_months()
        tick = _log_step("segments and snapshots of the past months", tick)
        for model_name, method in SEGMENT_HOOKS:
            if model_name in generator.env and hasattr(generator.env[model_name], method):
                getattr(generator.env[model_name], method)()
                tick = _log_step("segments", tick)
                break
        generator._demo_vip_by_hand(managers)
        lost = generator._demo_mark_lost(rng, partners["clients"])
        won_back = generator._demo_win_back(rng, lost)
        tick = _log_step("VIP by hand, lost and won back clients", tick)
        generator._demo_channel_costs(rng)
        generator._demo_protection(rng, managers | marketer | generator.env.ref("base.user_admin"), managers)
        journey_members = generator._demo_journeys()
        tick = _log_step("channel costs, protection and journeys", tick)
        generator.env["clientbase.report.monthly"]._cron_refresh()
        tick = _log_step("reports", tick)
        addon_demos = {}
        for model_name, method in ADDON_DEMOS:
            if model_name in generator.env:
                addon_demos[model_name] = getattr(generator.env[model_name], method)()
        params.set_param(DEMO_MARKER, fields.Datetime.to_string(fields.Datetime.now()))
        summary = {
            "managers": len(managers),
            "clients": len(partners["clients"]),
            "contacts": len(partners["contacts"]),
            # the history, the first orders of the month, after the mailings and of the won back
            "orders": generator.env["sale.order"].search_count(
                [("partner_id.commercial_partner_id", "in", partners["clients"].ids)]
            ),
            "opportunities": len(leads),
            "lost": len(lost),
            "won_back": len(won_back),
            "marketer": marketer.login,
            "journey_members": journey_members,
            "addon_demos": addon_demos,
            **extras,
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
        # every manager lost two clients (one of whom may be won back) and keeps an inactive one:
        # neither his Lost Clients nor his Inactive Clients screen is empty. A manager with too
        # few inactive clients lost a one-time buyer of long ago (who left for a competitor).
        today = fields.Date.context_today(self)
        buyers = self.env["res.partner"].search(
            [("id", "in", clients.ids), ("client_order_count", ">", 0)], order="client_last_order_date, id"
        )
        for manager in buyers.user_id:
            own_inactive = inactive.filtered(lambda p, m=manager: p.user_id == m)
            if own_inactive and not own_inactive - lost:
                lost -= own_inactive[-1:]
            kept = own_inactive - lost
            spare = (own_inactive - lost - kept[:1]) + buyers.filtered(
                lambda p, m=manager: (
                    p.user_id == m
                    and p not in inactive
                    and p.client_last_order_date < today - timedelta(days=30)
                )
            )
            missing = 2 - len(lost.filtered(lambda p, m=manager: p.user_id == m))
            if missing > 0:
                lost |= spare[:missing]
        reasons = self.env["clientbase.churn.reason"].search([("active", "=", True)])
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
                    "competitor": "ООО «Конкурент»" if reason.ask_competitor else False,
                    "note": "Перестал заказывать, сообщил по телефону.",
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
    def _demo_first_orders_this_month(self, rng, partners):
        """A client of every manager who never bought places a first order this month: new
        clients of the month, in the segment history of this month."""
        today = fields.Date.context_today(self)
        ordered = set(
            self.env["sale.order"].search([("partner_id", "in", partners["buyers"].ids)]).partner_id.ids
        )
        plan = []
        for manager in partners["managers"]:
            never = partners["buyers"].filtered(lambda p, m=manager: p.user_id == m and p.id not in ordered)
            if never:
                day = today - timedelta(days=rng.randint(0, today.day - 1))
                plan.append(
                    (never[0], datetime.combine(day, datetime.min.time()) + timedelta(hours=9), "sale")
                )
        return self._demo_place_orders(rng, plan)

    @api.model
    def _demo_vip_by_hand(self, managers):
        """A manager whose clients the rules made no VIP makes his best buyer one by hand (a
        personal manager, special terms): every salesperson's VIP funnel shows a client."""
        Partner = self.env["res.partner"]
        for manager in managers:
            own = [("user_id", "=", manager.id), ("parent_id", "=", False)]
            if Partner.search_count([*own, ("client_is_vip", "=", True)], limit=1):
                continue
            best = Partner.search(
                [*own, ("client_order_count", ">", 0)], order="client_revenue desc", limit=1
            )
            best.client_is_vip = True

    @api.model
    def _demo_win_back(self, rng, lost, share=0.15):
        """A few lost clients order again after their loss: the engine wins them back (stage back
        to automatic, the history, a to-do for the manager)."""
        today = fields.Date.context_today(self)
        # clients of managers who lost more than one: each manager keeps a lost client to show
        candidates = lost.filtered(
            lambda p: (
                p.client_churn_date
                and p.client_churn_date < today
                and len(lost.filtered(lambda q, m=p.user_id: q.user_id == m)) > 1
            )
        )
        back = candidates.filtered(lambda _p: rng.random() < share) or candidates[:1]
        plan = []
        for client in back:
            days = rng.randint(1, (today - client.client_churn_date).days)
            when = datetime.combine(client.client_churn_date + timedelta(days=days), datetime.min.time())
            plan.append((client, when + timedelta(hours=rng.randint(9, 17)), "sale"))
        self._demo_place_orders(rng, plan)
        self.env["clientbase.client.figures"]._refresh_clients(back)
        return back

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
                    "amount": rng.randint(20, 150) * 1000,
                }
                for channel in channels
                for k in range(months)
            ]
        )

    def _generate_demo_extras(self, rng, partners):
        """Hook for other capabilities to add their demo data (interactions, segments...):
        returns a dict of what they made, added to the summary."""
        return {}

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
        """The demo catalogue in rubles, with the unit cost of each product (the gross margin)."""
        products = self.env["product.product"]
        for code, name, ptype, price, cost in values.data.PRODUCTS:
            product = products.search([("default_code", "=", code)], limit=1)
            if not product:
                product = products.create(
                    {
                        "default_code": code,
                        "name": name,
                        "type": ptype,
                        "list_price": price,
                        "standard_price": cost,
                        "sale_ok": True,
                        "taxes_id": [Command.clear()],
                    }
                )
            products |= product
        return products

    @api.model
    def _demo_get_campaigns(self):
        Campaign = self.env["utm.campaign"]
        campaigns = Campaign.browse()
        for name in DEMO_CAMPAIGNS:
            campaigns |= Campaign.search([("name", "=", name)], limit=1) or Campaign.create({"name": name})
        return campaigns

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
        plain_vals, referral_vals = self._demo_client_vals(rng, count, managers)
        # inserted set-based, as create stores them (clientbase_demo_clients.py)
        clients = self._demo_insert_partners(plain_vals)
        referrers = clients.filtered(lambda p: not p.client_mailing_only)
        for vals in referral_vals:
            vals["client_referrer_id"] = rng.choice(referrers).id
        clients |= self._demo_insert_partners(referral_vals)
        self._demo_birthdays_soon(
            rng, today, clients.filtered(lambda p: p.client_birthday and not p.is_company)
        )
        companies = clients.filtered("is_company")
        self._demo_set_decision_makers(companies)
        return {
            "managers": managers,
            "clients": clients,
            "contacts": companies.child_ids,
            "buyers": clients.filtered(lambda p: not p.client_mailing_only),
        }

    @api.model
    def _demo_client_vals(self, rng, count, managers):
        """The create values of ``count`` demo clients, their key employees as ``child_ids``
        commands: ``(values of the clients, values of the referred clients)`` (a referred client
        is given its referrer once the others exist)."""
        today = fields.Date.context_today(self)
        channels = self.env["clientbase.channel"].search([("is_referral", "=", False)])
        referral = self.env.ref("clientbase_crm.clientbase_channel_referral")
        subscription = self.env.ref("clientbase_crm.clientbase_channel_subscription")
        interests = self.env["clientbase.interest"].search([], limit=50)
        industries = self.env["res.partner.industry"].search([], limit=50)
        russia = self.env.ref("base.ru").id
        campaigns = self._demo_get_campaigns()
        kinds = values.quota(rng, count, {"person": 0.62, "company": 0.25, "referral": 0.05, "mailing": 0.08})
        persons = sum(1 for kind in kinds if kind in ("person", "referral"))
        birthdays = values.quota(rng, persons, {None: 0.2, "usual": 0.72, "soon": 0.06, "leap": 0.02})
        plain_vals, referral_vals = [], []
        for seq, kind in enumerate(kinds):
            manager = managers[seq % len(managers)] if rng.random() < 0.8 else rng.choice(managers)
            name, email, phone, gender = values.person(rng, seq)
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
            place, area = values.address(rng, russia)
            vals.update(place)
            if kind == "company":
                cname, site, jobs = values.company(rng, seq)
                children = []
                for i in range(rng.randint(1, 4)):
                    cname_person, cemail, cphone, cgender = values.person(rng, f"{seq}{i}", domain=site)
                    child = {
                        "name": cname_person,
                        "type": "contact",
                        "function": jobs[0] if i == 0 else rng.choice(jobs[1:]),
                        "email": cemail,
                        "phone": cphone,
                        "user_id": manager.id,
                        "client_is_decision_maker": i == 0,
                        "client_gender": cgender,
                    }
                    if rng.random() < 0.5:
                        child["client_birthday"] = values.birthday(rng, today, "usual")
                    children.append(Command.create(child))
                vals.update(
                    name=cname,
                    is_company=True,
                    email=f"info@{site}",
                    phone=values.phone(rng, area),
                    website=f"https://{site}",
                    industry_id=industries and rng.choice(industries).id,
                    child_ids=children,
                )
            else:
                vals.update(name=name, email=email, phone=phone if rng.random() < 0.9 else False)
                vals.update(values.personal(rng, today, birthdays.pop(), gender))
            if kind == "referral":
                vals.update(client_channel_id=referral.id, client_source_id=False, client_medium_id=False)
                referral_vals.append(vals)
            else:
                plain_vals.append(vals)
        return plain_vals, referral_vals

    @api.model
    def _demo_set_decision_makers(self, companies):
        """Each company's card names its key employee who decides, set-based: one UPDATE of the
        cards there are and one INSERT of the missing ones (a write per company went through
        the partner's whole write, once per company)."""
        deciders = {
            contact.parent_id.id: contact.id
            for contact in companies.child_ids
            if contact.client_is_decision_maker
        }
        if not deciders:
            return
        Card = self.env["clientbase.client.card"]
        Card.flush_model()
        cards = dict(
            Card.search_fetch([("partner_id", "in", list(deciders))], ["partner_id"]).mapped(
                lambda card: (card.partner_id.id, card.id)
            )
        )
        if cards:
            rows = SQL(", ").join(SQL("(%s, %s)", card_id, deciders[pid]) for pid, card_id in cards.items())
            self.env.cr.execute(
                SQL(
                    "UPDATE clientbase_client_card c SET decision_maker_id = v.decider"
                    " FROM (VALUES %s) AS v(id, decider) WHERE c.id = v.id",
                    rows,
                )
            )
            Card.invalidate_model(["decision_maker_id"])
        bulk_insert(
            Card,
            [
                {"partner_id": pid, "decision_maker_id": decider}
                for pid, decider in deciders.items()
                if pid not in cards
            ],
        )
        companies.invalidate_recordset(["client_decision_maker_id", "client_card_ids"])

    @api.model
    def _demo_birthdays_soon(self, rng, today, persons):
        """Every manager has a client whose birthday comes within the month (the Birthdays screen
        opens on the next 30 days)."""
        for manager in persons.user_id:
            own = persons.filtered(lambda p, m=manager: p.user_id == m)
            if any(
                0 <= (p.client_birthday.replace(year=today.year) - today).days <= 30
                for p in own
                if (p.client_birthday.month, p.client_birthday.day) != (2, 29)
            ):
                continue
            client = own[:1]
            soon = today + timedelta(days=rng.randint(1, 25))
            if (soon.month, soon.day) == (2, 29):
                soon += timedelta(days=1)
            client.client_birthday = soon.replace(year=client.client_birthday.year)

    # --- orders (placed set-based: clientbase_demo_orders.py) -------------
    @api.model
    def _demo_create_orders(self, rng, partners):
        now = datetime.combine(fields.Date.context_today(self), datetime.min.time()) + timedelta(hours=17)
        return self._demo_place_orders(rng, values.order_plan(rng, partners["buyers"], now))

    # --- interactions ----------------------------------------------------
    @api.model
    def _demo_create_interactions(self, rng, partners):
        """Opportunities in the pipeline, call-back reminders and logged calls."""
        buyers = partners["buyers"]
        today = fields.Date.context_today(self)
        stages = self.env["crm.stage"].search([("fold", "=", False)], limit=20)
        lead_vals = [
            {
                "name": f"Предложение для {partner.name}",
                "type": "opportunity",
                "partner_id": partner.id,
                "user_id": partner.user_id.id,
                "stage_id": rng.choice(stages).id if stages else False,
                "expected_revenue": rng.choice([80000, 150000, 300000, 700000, 1200000]),
                "source_id": partner.client_channel_id.source_id.id,
                "medium_id": partner.client_channel_id.medium_id.id,
                "campaign_id": partner.client_campaign_id.id,
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
        # the managers' to-dos, without an "assigned to you" message and e-mail for each
        # (Odoo's quick creation): nobody assigned them, the demo did
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": partner_model,
                    "res_id": partner.id,
                    "activity_type_id": call.id,
                    "summary": "Перезвонить",
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
            # the interaction log of the client base (issue 5), inserted set-based
            self._demo_insert_interactions(
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
