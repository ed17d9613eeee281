from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.clientbase_crm.tools.bulk_insert import bulk_insert
from odoo.tools import SQL, split_every

from . import clientbase_demo_values as values
from .clientbase_demo_values import HISTORY_DAYS

# where a consent was given (the sources of clientbase.consent) and how often
CONSENT_SOURCES = ["web_form", "web_form", "paper", "import", "verbal"]
# (type, title, days ago sent, campaign index or None, purpose, text): the mailings the demo
# company sent; every one more than the frequency cap's week ago, so that a new mailing reaches
# its recipients again. Demo content in Russian.
DEMO_MAILINGS = [
    (
        "mail",
        "Весенняя акция: −10% на обучение сотрудников",
        160,
        0,
        "marketing",
        "<p>Здравствуйте, {{ object.name }}!</p><p>До конца апреля — скидка 10% на обучение.</p>",
    ),
    (
        "mail",
        "Новый каталог и условия доставки",
        100,
        None,
        "newsletter",
        "<p>Здравствуйте, {{ object.name }}!</p><p>Мы обновили каталог: смотрите новинки сезона.</p>",
    ),
    (
        "sms",
        "Чёрная пятница: −20% до воскресенья",
        45,
        1,
        "marketing",
        "Чёрная пятница: −20% на всё до воскресенья. Промокод BF20",
    ),
    (
        "mail",
        "Приведите друга — скидка вам обоих",
        21,
        2,
        "marketing",
        "<p>Здравствуйте, {{ object.name }}!</p><p>Приведите друга и получите скидку 15%.</p>",
    ),
]
# what a lead asked for: demo content
LEAD_TITLES = [
    "Заявка с сайта",
    "Запрос цены",
    "Звонок: интерес к обучению",
    "Заявка из чат-бота",
    "Контакт с выставки",
    "Запрос коммерческого предложения",
]


class ClientbaseDemoGenerator(models.AbstractModel):
    """The marketing side of the demo: consents with their sources and a few withdrawals, email
    and SMS mailings sent with opens, clicks, replies and the orders they brought, leads by
    channel with their UTM, and likely duplicates in other formats."""

    _inherit = "clientbase.demo.generator"

    def _generate_demo_extras(self, rng, partners):
        res = super()._generate_demo_extras(rng, partners)
        consents = self._demo_consents(rng, partners)
        mailings = self._demo_mailings(rng, partners, consents)
        leads = self._demo_leads(rng, partners)
        duplicates = self._demo_duplicates(rng, partners)
        return dict(
            res, consents=len(consents), mailings=len(mailings), leads=len(leads), duplicates=len(duplicates)
        )

    # --- consents ----------------------------------------------------------
    @api.model
    def _demo_consents(self, rng, partners):
        """Email and SMS marketing consents of most clients, newsletter consents of the
        subscribers, greetings of some; a few withdrawn later. Returns ``{(partner id, channel,
        purpose): date given}`` of the consents still given."""
        now = fields.Datetime.now()
        vals_list, given = [], {}

        def consent(partner, channel, purpose, days):
            when = now - timedelta(days=days, minutes=rng.randint(0, 600))
            source = rng.choice(CONSENT_SOURCES)
            vals_list.append(
                {
                    "partner_id": partner.id,
                    "channel": channel,
                    "purpose": purpose,
                    "state": "given",
                    "date": when,
                    "source": source,
                    "text_version": "2024-01",
                    "proof": "Анкета № %s" % rng.randint(1000, 9999) if source == "paper" else False,
                    "user_id": partner.user_id.id,
                }
            )
            given[(partner.id, channel, purpose)] = when

        for partner in partners["clients"]:
            days = rng.randint(200, HISTORY_DAYS)
            if partner.client_mailing_only:
                consent(partner, "email", "newsletter", days)
                if rng.random() < 0.6:
                    consent(partner, "email", "marketing", days)
                continue
            if partner.email and rng.random() < 0.75:
                consent(partner, "email", "marketing", days)
            if partner.phone and rng.random() < 0.5:
                consent(partner, "sms", "marketing", days)
            if rng.random() < 0.3:
                consent(partner, "email", "newsletter", days)
            if partner.client_birthday and rng.random() < 0.5:
                consent(partner, "email", "greetings", days)
        # a few changed their mind: a withdrawal is a new row, the consent stays as proof
        withdrawn = [key for key in sorted(given) if rng.random() < 0.04] or sorted(given)[:1]
        for partner_id, channel, purpose in withdrawn:
            vals_list.append(
                {
                    "partner_id": partner_id,
                    "channel": channel,
                    "purpose": purpose,
                    "state": "withdrawn",
                    "date": now - timedelta(days=rng.randint(5, 150)),
                    "source": "unsubscribe",
                    "proof": "Отписался по ссылке в письме" if channel == "email" else "Ответил СТОП на SMS",
                }
            )
            del given[(partner_id, channel, purpose)]
        # set-based, as the import of a consent file (the rows are what create would store)
        bulk_insert(self.env["clientbase.consent"], vals_list)
        return given

    # --- mailings ----------------------------------------------------------
    @api.model
    def _demo_mailings(self, rng, partners, consents):
        """The mailings sent, their traces (opens, clicks, replies) and the orders placed after
        them with the mailing's UTM; the responses brought back to the client base."""
        now = fields.Datetime.now()
        campaigns = self._demo_get_campaigns()
        mediums = {
            "mail": self.env.ref("utm.utm_medium_email"),
            "sms": self.env["utm.medium"]._fetch_or_create_utm_medium("sms"),
        }
        author = self.env["res.users"].search([("login", "=", "manager1")], limit=1)
        partner_model = self.env["ir.model"]._get_id("res.partner")
        buyers = set(partners["buyers"].ids)
        clients = {p.id: p for p in partners["clients"]}
        trace_vals, order_plan = [], []
        mailings = self.env["mailing.mailing"]
        for mtype, title, days, campaign, purpose, text in DEMO_MAILINGS:
            sent_at = now - timedelta(days=days, hours=rng.randint(0, 6))
            channel = "sms" if mtype == "sms" else "email"
            audience = [
                clients[pid]
                for (pid, ch, pu), since in sorted(consents.items())
                if ch == channel and pu == purpose and since < sent_at and pid in clients
            ]
            audience = [p for p in audience if rng.random() < 0.85]
            if not audience:
                continue
            vals = {
                "subject": title,
                "mailing_type": mtype,
                "mailing_model_id": partner_model,
                "mailing_domain": repr([("id", "in", [p.id for p in audience])]),
                "campaign_id": campaigns[campaign].id if campaign is not None else False,
                "medium_id": mediums[mtype].id,
                "clientbase_consent_purpose": purpose,
                "user_id": author.id,
                "state": "done",
                "sent_date": sent_at,
            }
            if mtype == "sms":
                vals["body_plaintext"] = text
            else:
                vals.update(body_arch=text, body_html=text)
            mailing = self.env["mailing.mailing"].create(vals)
            mailings |= mailing
            for partner in audience:
                sent = sent_at + timedelta(minutes=rng.randint(0, 30))
                trace = {
                    "trace_type": mtype,
                    "model": "res.partner",
                    "res_id": partner.id,
                    "mass_mailing_id": mailing.id,
                    "trace_status": "sent",
                    "sent_datetime": sent,
                }
                if mtype == "sms":
                    trace.update(sms_number=partner.phone_sanitized, sms_code=f"{rng.randint(0, 99999):05d}")
                    responded = rng.random() < 0.12
                    if responded:
                        trace["links_click_datetime"] = sent + timedelta(minutes=rng.randint(2, 300))
                else:
                    trace["email"] = partner.email_normalized
                    responded = rng.random() < 0.4
                    if responded:
                        trace.update(
                            trace_status="open", open_datetime=sent + timedelta(hours=rng.randint(1, 48))
                        )
                        if rng.random() < 0.4:
                            trace["links_click_datetime"] = trace["open_datetime"] + timedelta(minutes=3)
                        if rng.random() < 0.15:
                            trace.update(
                                trace_status="reply",
                                reply_datetime=trace["open_datetime"] + timedelta(hours=2),
                            )
                trace_vals.append(trace)
                # some of those who responded ordered within the attribution window
                if responded and partner.id in buyers and rng.random() < 0.35:
                    when = min(sent + timedelta(days=rng.randint(1, 25), hours=rng.randint(1, 8)), now)
                    order_plan.append((partner, when, "sale", mailing))
        # set-based; each trace dated when it was sent (the frequency cap reads its creation date)
        for trace in trace_vals:
            trace["create_date"] = trace["sent_datetime"]
        bulk_insert(self.env["mailing.trace"], trace_vals)
        self._demo_place_orders(
            rng,
            [(p, when, state) for p, when, state, __ in order_plan],
            extra=[
                {
                    "source_id": m.source_id.id,
                    "medium_id": m.medium_id.id,
                    "campaign_id": m.campaign_id.id,
                }
                for __, __, __, m in order_plan
            ],
        )
        # opens, clicks, replies and orders back to the client base (its nightly job)
        self.env["mailing.trace"]._cron_sync_mailing_responses()
        return mailings

    # --- leads ---------------------------------------------------------------
    @api.model
    def _demo_leads(self, rng, partners):
        """Leads by acquisition channel with their UTM source, medium and campaign: a lead before
        the first order of many clients, and leads that did not become clients, spread over the
        two years (the Acquisition Channels report: leads and conversion)."""
        now = fields.Datetime.now()
        channels = self.env["clientbase.channel"].search([("source_id", "!=", False)])
        managers = partners["managers"]
        vals_list, dates = [], []
        for partner in partners["buyers"]:
            channel = partner.client_channel_id
            if not channel.source_id or rng.random() > 0.3:
                continue
            vals_list.append(
                {
                    "name": f"{rng.choice(LEAD_TITLES)}: {partner.name}",
                    "type": "opportunity",
                    "partner_id": partner.id,
                    "user_id": partner.user_id.id,
                    "source_id": channel.source_id.id,
                    "medium_id": channel.medium_id.id,
                    "campaign_id": partner.client_campaign_id.id,
                }
            )
            dates.append(partner.create_date - timedelta(days=rng.randint(1, 20)))
        for seq in range(max(len(partners["buyers"]) // 8, len(channels))):
            channel = channels[seq % len(channels)] if seq < len(channels) else rng.choice(channels)
            name, email, phone, __ = values.person(rng, f"lead{seq}")
            vals_list.append(
                {
                    "name": f"{rng.choice(LEAD_TITLES)}: {name}",
                    "type": "lead",
                    "contact_name": name,
                    "email_from": email,
                    "phone": phone,
                    "user_id": rng.choice(managers).id,
                    "source_id": channel.source_id.id,
                    "medium_id": channel.medium_id.id,
                }
            )
            dates.append(now - timedelta(days=rng.randint(0, HISTORY_DAYS)))
        if "iap_enrich_done" in self.env["crm.lead"]._fields:
            for vals in vals_list:
                vals["iap_enrich_done"] = True
        leads = self.env["crm.lead"].browse()
        for batch in split_every(1000, vals_list, list):
            leads |= self.env["crm.lead"].create(batch)
        self.env.flush_all()
        for batch in split_every(1000, list(zip(leads.ids, dates, strict=True))):
            rows = SQL(", ").join(SQL("(%s, %s::timestamp)", lid, when) for lid, when in batch)
            self.env.cr.execute(
                SQL(
                    "UPDATE crm_lead SET create_date = v.d FROM (VALUES %s) AS v(id, d) WHERE crm_lead.id = v.id",
                    rows,
                )
            )
        leads.invalidate_recordset(["create_date"])
        return leads

    # --- likely duplicates -----------------------------------------------------
    @api.model
    def _demo_duplicates(self, rng, partners):
        """The same person entered again, as happens with imports and a second manager: the
        phone written the other way (8 912 ... for +7 (912) ...), the e-mail in other case."""
        persons = partners["buyers"].filtered(lambda p: not p.is_company and p.phone and p.email)
        managers = partners["managers"]
        originals = [p for p in persons if rng.random() < 0.02] or persons[:3]
        vals_list = []
        for original in originals:
            digits = "".join(ch for ch in original.phone if ch.isdigit())
            last, first, *__ = original.name.split(" ")
            local, domain = original.email.split("@")
            vals_list.append(
                {
                    "name": f"{first} {last}",
                    "phone": "8" + digits[1:],
                    "email": f"{local.capitalize()}@{domain.upper()}",
                    "city": original.city,
                    "country_id": original.country_id.id,
                    "user_id": rng.choice(managers).id if rng.random() < 0.5 else original.user_id.id,
                    "client_channel_id": original.client_channel_id.id,
                    "customer_rank": 1,
                }
            )
        return self.env["res.partner"].create(vals_list)
