from datetime import timedelta

from odoo import api, fields, models

# (purpose, records, state) of the demo users' export requests: demo content in Russian
EXPORT_REQUESTS = [
    ("Сверка контактов с бухгалтерией", 40, "used"),
    ("Список клиентов для выставки", 120, "approved"),
    ("Выгрузка VIP-клиентов для подарков к празднику", 30, "requested"),
]
# the demo company's mass change alert: above this many clients changed by one user in a day
DEMO_ALERT_THRESHOLD = 10


class ClientbaseDemoGenerator(models.AbstractModel):
    """The protection side of the demo: each demo user's export requests and exports in the
    export log, and a salesperson who erased the phones of many of his clients in a day (a
    mass change alert the head of sales may undo)."""

    _inherit = "clientbase.demo.generator"

    @api.model
    def _demo_protection(self, rng, users, managers):
        self._demo_exports(rng, users)
        return self._demo_mass_change(managers)

    @api.model
    def _demo_exports(self, rng, users):
        """An export request and the exports of every demo user (the export log)."""
        now = fields.Datetime.now()
        heads = users.filtered(lambda u: u.has_group("clientbase_crm.group_clientbase_manager"))
        request_vals, log_vals = [], []
        for index, user in enumerate(users):
            purpose, count, state = EXPORT_REQUESTS[index % len(EXPORT_REQUESTS)]
            request_vals.append(
                {
                    "name": purpose,
                    "user_id": user.id,
                    "record_count": count,
                    "state": state,
                    "approved_by_id": heads[:1].id if state in ("approved", "used") else False,
                }
            )
            log_vals.append(
                {
                    "user_id": user.id,
                    "date": now - timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 8)),
                    "model": "res.partner",
                    "record_count": rng.randint(5, 35),
                    "field_names": "name, phone, email, city",
                    "door": "xlsx_report",
                }
            )
            if index % 3 == 1:
                # one asked for too much without approval: refused, and logged as such
                log_vals.append(
                    {
                        "user_id": user.id,
                        "date": now - timedelta(days=rng.randint(1, 30)),
                        "model": "res.partner",
                        "record_count": rng.randint(400, 900),
                        "field_names": "name, phone, email",
                        "door": "web_export",
                        "outcome": "refused",
                        "note": "Больше порога без одобренной заявки",
                    }
                )
        requests = self.env["clientbase.export.request"].create(request_vals)
        used = requests.filtered(lambda r: r.state == "used")
        for vals in log_vals:
            request = used.filtered(lambda r, v=vals: r.user_id.id == v["user_id"])[:1]
            if request and vals.get("outcome") != "refused":
                vals["request_id"] = request.id
        self.env["clientbase.export.log"].create(log_vals)
        return requests

    @api.model
    def _demo_mass_change(self, managers):
        """The salesperson with the most clients erased the phones of some of them in one day, as
        one does before leaving with the base: the client base raises a mass change alert
        (the demo company's threshold is low, ``DEMO_ALERT_THRESHOLD``)."""
        company = self.env.company
        company.clientbase_change_alert_threshold = DEMO_ALERT_THRESHOLD
        Partner = self.env["res.partner"]
        salespeople = managers.filtered(lambda u: not u.has_group("clientbase_crm.group_clientbase_manager"))
        counts = {
            user: Partner.search_count(
                [("user_id", "=", user.id), ("parent_id", "=", False), ("phone", "!=", False)]
            )
            for user in salespeople
        }
        leaver = max(counts, key=lambda user: (counts[user], -user.id)) if counts else None
        if not leaver or counts[leaver] <= DEMO_ALERT_THRESHOLD:
            return self.env["clientbase.change.alert"]
        clients = Partner.search(
            [("user_id", "=", leaver.id), ("parent_id", "=", False), ("phone", "!=", False)],
            order="id",
            limit=DEMO_ALERT_THRESHOLD + 2,
        )
        # as the salesperson himself, through the ORM: logged and checked as any change of his
        clients.with_user(leaver).with_context(tracking_disable=True).write({"phone": False})
        return self.env["clientbase.change.alert"].search([("user_id", "=", leaver.id)])
