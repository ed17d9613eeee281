"""Locust load test of the Client Base: the web client's JSON-RPC calls, as real sessions make them.

Run by bench/load/load.sh (``make load``). A sales floor: salespeople (weight 4) and heads of sales
(weight 1), each logged in with its own login and password (/web/session/authenticate), then
calling /web/dataset/call_kw/<model>/<method> with the browser's arguments and context.
Every action is a named request, so that locust's statistics are per action; every request is
also appended to a per-request log (``LOAD_REQUEST_LOG``: time, action, role, ms, error) from
which the report splits "while the nightly job ran" from "quiet".

Environment: LOAD_DB (database), LOAD_USERS_FILE (CSV login,password,role,uid written by
bench/load/load_setup.py), LOAD_REQUEST_LOG (CSV written here).
"""

import csv
import itertools
import os
import random
import threading
import time

from locust import HttpUser, between, events, task

DB = os.environ.get("LOAD_DB", "clientbase_bench_s")
USERS_FILE = os.environ.get("LOAD_USERS_FILE", "users.csv")
REQUEST_LOG = os.environ.get("LOAD_REQUEST_LOG", "requests.csv")

# a salesperson's Clients page and funnels open on *My Clients* (the actions' default for them,
# clientbase_crm/models/ir_actions_act_window.py); this share of their visits removes the filter
# and works on the whole base, the heavier path (a separate action in the report)
WHOLE_BASE_SHARE = 0.2

# the actions' domains, as the menus' actions define them
CLIENTS_DOMAIN = ["|", ("is_company", "=", True), ("parent_id", "=", False), ("partner_share", "=", True)]
FUNNEL_DOMAIN = [
    "|",
    ("is_company", "=", True),
    ("parent_id", "=", False),
    ("client_mailing_only", "=", False),
    ("partner_share", "=", True),
]
LIST_SPEC = {
    "display_name": {},
    "email": {},
    "phone": {},
    "city": {},
    "user_id": {"fields": {"display_name": {}}},
    "client_stage": {},
    "client_warmth": {},
    "client_revenue": {},
    "client_is_vip": {},
}
CARD_SPEC = {
    **LIST_SPEC,
    "name": {},
    "is_company": {},
    "street": {},
    "country_id": {"fields": {"display_name": {}}},
    "client_birthday": {},
    "client_order_count": {},
    "client_average_order": {},
    "client_last_order_date": {},
    "client_rfm_segment": {},
}
WIZARD_SPEC = {
    name: {}
    for name in (
        "target_domain",
        "target_description",
        "channel",
        "purpose",
        "name",
        "target_count",
        "eligible_count",
        "no_consent_count",
        "blacklisted_count",
        "opted_out_count",
        "no_address_count",
        "too_often_count",
    )
}


def load_logins():
    logins = {"sales": [], "head": []}
    with open(USERS_FILE, newline="") as users:
        for row in csv.DictReader(users):
            logins[row["role"]].append((row["login"], row["password"]))
    return logins


LOGINS = load_logins()
NEXT_LOGIN = {role: itertools.cycle(pairs) for role, pairs in LOGINS.items() if pairs}
_log_lock = threading.Lock()
_log = open(REQUEST_LOG, "a", newline="")
_log_writer = csv.writer(_log)
if _log.tell() == 0:
    _log_writer.writerow(["time", "action", "role", "ms", "error"])


@events.request.add_listener
def log_request(request_type, name, response_time, response_length, exception, context, **_kwargs):
    """One line per request: the report splits the quiet time from the nightly job's."""
    with _log_lock:
        _log_writer.writerow(
            [
                f"{time.time():.3f}",
                name,
                (context or {}).get("role", ""),
                f"{response_time:.1f}",
                str(exception)[:300] if exception else "",
            ]
        )


@events.quitting.add_listener
def close_log(**_kwargs):
    _log.flush()


class RpcError(Exception):
    pass


class ClientBaseUser(HttpUser):
    abstract = True
    wait_time = between(3, 8)
    role = "sales"

    def context(self):
        return {"role": self.role}

    def on_start(self):
        self.login, password = next(NEXT_LOGIN[self.role])
        self.rpc_id = 0
        self.uid = None
        result = self.jsonrpc(
            "/web/session/authenticate", {"db": DB, "login": self.login, "password": password}, "log in"
        )
        if not result:
            self.stop()  # the error is in the statistics
            return
        self.uid = result["uid"]
        companies = result.get("user_companies") or {}
        company = companies.get("current_company") or result.get("company_id")
        user_context = result.get("user_context") or {}
        self.ctx = {
            "lang": user_context.get("lang", "en_US"),
            "tz": user_context.get("tz") or "Europe/Brussels",
            "uid": self.uid,
            "allowed_company_ids": [company] if company else [],
        }
        # the user's own clients: the cards it opens and the calls it logs
        page = self.call(
            "res.partner",
            "web_search_read",
            [],
            {"domain": CLIENTS_DOMAIN + [("user_id", "=", self.uid)], "specification": {}, "limit": 200},
            "log in: my clients",
        )
        self.my_clients = [rec["id"] for rec in (page or {}).get("records", [])]
        self.any_clients = list(self.my_clients)

    def jsonrpc(self, url, params, name):
        self.rpc_id += 1
        payload = {"jsonrpc": "2.0", "method": "call", "id": self.rpc_id, "params": params}
        with self.client.post(
            url, json=payload, name=name, catch_response=True, context=self.context()
        ) as resp:
            try:
                body = resp.json()
            except ValueError:
                resp.failure(f"HTTP {resp.status_code}, not JSON: {resp.text[:200]!r}")
                return None
            if "error" in body:
                data = body["error"].get("data") or {}
                resp.failure(
                    RpcError(f"{data.get('name', 'error')}: {data.get('message', body['error'])}"[:300])
                )
                return None
            resp.success()
            return body.get("result")

    def call(self, model, method, args, kwargs, name):
        kwargs = dict(kwargs)
        kwargs["context"] = {**self.ctx, **kwargs.get("context", {})}
        return self.jsonrpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
            name,
        )

    # --- the actions ---------------------------------------------------------
    def scope(self, domain, name):
        """The domain and the action's name as the user opens it: a salesperson on *My Clients*
        (the filter the action sets for them), sometimes removed; a head of sales on the base."""
        if self.role != "sales":
            return domain, name
        if random.random() < WHOLE_BASE_SHARE:
            return domain, f"{name}, filter removed"
        return domain + [("user_id", "=", self.uid)], f"{name}, my clients"

    def clients_list(self):
        domain, name = self.scope(CLIENTS_DOMAIN, "Clients page (80 rows + count)")
        page = self.call(
            "res.partner",
            "web_search_read",
            [],
            {
                "domain": domain,
                "specification": LIST_SPEC,
                "offset": 0,
                "order": "",
                "limit": 80,
                "count_limit": 10001,
                "context": {"res_partner_search_mode": "customer", "bin_size": True},
            },
            name,
        )
        if page and page.get("records"):
            self.any_clients = [rec["id"] for rec in page["records"]]

    def funnel(self, field, name):
        domain, name = self.scope(FUNNEL_DOMAIN, name)
        self.call(
            "res.partner",
            "web_read_group",
            [],
            {
                "domain": domain,
                "fields": ["client_revenue:sum"],
                "groupby": [field],
                "orderby": "",
                "lazy": True,
                "context": {"group_by": field},
            },
            name,
        )

    def client_card(self):
        ids = self.my_clients if self.role == "sales" else self.any_clients
        if not ids:
            return
        self.call(
            "res.partner",
            "web_read",
            [[random.choice(ids)]],
            {"specification": CARD_SPEC, "context": {"bin_size": True}},
            "client card",
        )

    def log_call(self):
        ids = self.my_clients if self.role == "sales" else self.any_clients
        if not ids:
            return
        self.call(
            "clientbase.interaction",
            "create",
            [
                {
                    "client_id": random.choice(ids),
                    "kind": random.choice(["outgoing_call", "outgoing_call", "incoming_call"]),
                    "result": random.choice(["reached", "reached", "no_answer", "call_back", "info_sent"]),
                    "duration": random.randint(1, 20),
                    "note": "Load test call",
                }
            ],
            {},
            "log a call",
        )

    def search_name(self):
        self.call(
            "res.partner",
            "web_search_read",
            [],
            {
                "domain": CLIENTS_DOMAIN + [("name", "ilike", str(random.randint(10, 999)))],
                "specification": LIST_SPEC,
                "offset": 0,
                "order": "",
                "limit": 80,
                "count_limit": 10001,
            },
            "search by name",
        )

    def report_monthly(self):
        self.call(
            "clientbase.report.monthly",
            "web_read_group",
            [],
            {
                "domain": [],
                "fields": [
                    "new_clients:sum",
                    "won_back:sum",
                    "became_inactive:sum",
                    "lost:sum",
                    "churn_rate:avg",
                ],
                "groupby": ["month:month"],
                "orderby": "",
                "lazy": False,
            },
            "Growth and Churn report (by month)",
        )

    def analysis_pivot(self):
        self.call(
            "res.partner",
            "web_read_group",
            [],
            {
                "domain": CLIENTS_DOMAIN,
                "fields": ["client_revenue:sum", "client_order_count:sum", "client_average_order:avg"],
                "groupby": ["client_stage"],
                "orderby": "",
                "lazy": False,
            },
            "Clients Analysis pivot",
        )

    def prepare_mailing(self):
        segments = self.call(
            "clientbase.segment",
            "web_search_read",
            [],
            {
                "domain": [],
                "specification": {"name": {}, "color": {}, "partner_count": {}, "last_refresh": {}},
                "offset": 0,
                "order": "",
                "limit": 80,
                "count_limit": 10001,
            },
            "mailing: segments list",
        )
        records = (segments or {}).get("records") or []
        if not records:
            return
        segment = random.choice(records)["id"]
        # the "Prepare Mailing" button of the segment: the wizard's new record (default_get and
        # the recipients' counts), the way the form view asks for it; nothing is sent
        self.call(
            "clientbase.mailing.wizard",
            "onchange",
            [[], {}, [], WIZARD_SPEC],
            {
                "context": {
                    "active_model": "clientbase.segment",
                    "active_id": segment,
                    "active_ids": [segment],
                }
            },
            "mailing: wizard with recipients count",
        )


class Salesperson(ClientBaseUser):
    weight = 4
    role = "sales"

    @task(6)
    def t_card(self):
        self.client_card()

    @task(5)
    def t_list(self):
        self.clients_list()

    @task(4)
    def t_call(self):
        self.log_call()

    @task(2)
    def t_search(self):
        self.search_name()

    @task(2)
    def t_stage(self):
        self.funnel("client_stage", "stage funnel")

    @task(1)
    def t_warmth(self):
        self.funnel("client_warmth", "warmth funnel")

    @task(1)
    def t_report(self):
        self.report_monthly()


class HeadOfSales(ClientBaseUser):
    weight = 1
    role = "head"

    @task(3)
    def t_list(self):
        self.clients_list()

    @task(3)
    def t_stage(self):
        self.funnel("client_stage", "stage funnel")

    @task(2)
    def t_warmth(self):
        self.funnel("client_warmth", "warmth funnel")

    @task(3)
    def t_pivot(self):
        self.analysis_pivot()

    @task(3)
    def t_report(self):
        self.report_monthly()

    @task(2)
    def t_card(self):
        self.client_card()

    @task(2)
    def t_mailing(self):
        self.prepare_mailing()

    @task(1)
    def t_search(self):
        self.search_name()

    @task(1)
    def t_call(self):
        self.log_call()
