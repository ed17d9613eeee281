import ast
import base64
import json
import os
import struct
from datetime import timedelta
from unittest.mock import patch

from lxml import etree

from odoo import fields
from odoo.tests import new_test_user, tagged
from odoo.tests.common import ChromeBrowser
from odoo.tools import config
from odoo.tools.safe_eval import safe_eval

from ..tools.client_definition import client_domain, client_sql
from .common import MANAGER_GROUPS, USER_GROUPS, ClientbaseHttpCommon, ClientbaseSalesCommon


def as_the_menu_opens(env, user, action_id):
    """The model and the domain a user's report shows when opened from its menu: the action's
    domain and the filters of its search view that its context turns on."""
    action = env["ir.actions.act_window"].browse(action_id).with_user(user)
    data = action._get_action_dict()
    domain = list(ast.literal_eval(data.get("domain") or "[]"))
    context = safe_eval(data.get("context") or "{}", {"uid": user.id})
    Model = env[data["res_model"]].with_user(user)
    search_view = data.get("search_view_id") and data["search_view_id"][0]
    arch = etree.fromstring(Model.get_view(search_view, "search")["arch"])
    for node in arch.iter("filter"):
        if context.get(f"search_default_{node.get('name')}") and node.get("domain"):
            domain += safe_eval(node.get("domain"), {"uid": user.id})
    return Model, domain


def dashboard_tiles(env, user):
    """The dashboard's tiles as ``user`` gets them: (title, action id, view type, measures,
    row group-bys)."""
    view = env.ref("clientbase_crm.clientbase_dashboard_view")
    arch = etree.fromstring(env["board.board"].with_user(user).get_view(view.id, "form")["arch"])
    for tile in arch.iter("action"):
        context = ast.literal_eval(tile.get("context") or "{}")
        kind = tile.get("view_mode")
        if kind == "pivot":
            measures, groupby = context["pivot_measures"], context["pivot_row_groupby"]
        else:
            measures, groupby = [context["graph_measure"]], context["graph_groupbys"]
        yield tile.get("string"), int(tile.get("name")), kind, measures, groupby


def report_figures(Model, domain, measures, groupby):
    """What a report shows for ``measures`` by ``groupby`` (date granularity included): the
    digits of each measure, the total and the rows of the groups (ORM's read_group)."""
    digits = []
    specs = []
    for measure in measures:
        if measure == "__count":
            digits.append(0)
            continue
        field = Model._fields[measure]
        specs.append(f"{measure}:{field.aggregator or 'sum'}")
        digits.append(0 if field.type == "integer" else (field.get_digits(Model.env) or (16, 2))[1])

    def values(group):
        # as computed (a pivot rounds them to the digits, a chart shows them as they are)
        return [round(group["__count"] if m == "__count" else group[m] or 0, 6) for m in measures]

    [total] = Model.read_group(domain, specs, [], lazy=False)
    rows = [values(group) for group in Model.read_group(domain, specs, groupby, lazy=False)]
    return {"digits": digits, "total": values(total), "rows": rows}


@tagged("post_install", "-at_install", "clientbase_report")
class TestDashboardTiles(ClientbaseSalesCommon):
    """Every tile of the dashboard shows, to the head of sales and to a salesperson, the figures
    of the report it is made of as the menu opens it (the action's domain and the filters its
    context turns on), group by group; and "client" means the same partners everywhere."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.head = new_test_user(
            cls.env, login="tiles_head", groups="base.group_user,clientbase_crm.group_clientbase_manager"
        )
        cls.rep = new_test_user(
            cls.env, login="tiles_rep", groups="base.group_user,clientbase_crm.group_clientbase_user"
        )
        cls.other = new_test_user(
            cls.env, login="tiles_other", groups="base.group_user,clientbase_crm.group_clientbase_user"
        )
        company = cls._client("Tiles Company", user_id=cls.rep.id)
        contact = cls.Partner.create({"name": "Tiles Contact", "parent_id": company.id})
        person = cls._client("Tiles Person", is_company=False, user_id=cls.rep.id)
        foreign = cls._client("Tiles Foreign", user_id=cls.other.id)
        cls.mailing_only = cls._client("Tiles Reader", client_mailing_only=True)
        cls.employee = new_test_user(cls.env, login="tiles_employee", name="Tiles Employee").partner_id
        cls.employee.user_id = cls.rep
        for partner, amount in (
            (contact, 100),
            (company, 50),
            (person, 70),
            (foreign, 300),
            (cls.employee, 40),
        ):
            cls._order(partner, amount, days_ago=10)
        cls.portal = new_test_user(cls.env, login="tiles_portal", groups="base.group_portal").partner_id
        cls.portal.user_id = cls.rep
        cls.varied = company | contact | person | foreign | cls.mailing_only | cls.employee | cls.portal
        cls.varied |= cls.env.company.partner_id
        cls.clients = company | person | foreign | cls.portal
        cls.figures._recompute_all(full=True)
        cls.env["clientbase.report.monthly"]._cron_refresh()

    def test_the_domain_and_the_sql_select_the_same_clients(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT cp.id FROM res_partner cp WHERE cp.id = ANY(%s) AND " + client_sql("cp").code,
            [self.varied.ids],
        )
        by_sql = {row[0] for row in self.env.cr.fetchall()}
        by_domain = set(self.Partner.search([*client_domain(), ("id", "in", self.varied.ids)]).ids)
        by_field = set(
            self.Partner.search([("client_is_client", "=", True), ("id", "in", self.varied.ids)]).ids
        )
        self.assertEqual(by_sql, set(self.clients.ids))
        self.assertEqual(by_domain, by_sql)
        self.assertEqual(by_field, by_sql)
        self.assertEqual(set(self.varied.filtered("client_is_client").ids), by_sql)
        self.assertEqual(
            set(self.Partner.search([("client_is_client", "=", False), ("id", "in", self.varied.ids)]).ids),
            set(self.varied.ids) - by_sql,
        )

    def _as_the_menu_opens(self, user, action_id):
        return as_the_menu_opens(self.env, user, action_id)

    def _figures(self, Model, domain, measures, groupby):
        specs = [f"{m}:{Model._fields[m].aggregator or 'sum'}" for m in measures if m != "__count"]
        groups = Model.read_group(domain, specs, groupby, lazy=False)
        return {
            tuple(str(g[f]) for f in groupby): tuple(
                round(g["__count"] if m == "__count" else g[m] or 0, 2) for m in measures
            )
            for g in groups
        }

    def test_every_tile_shows_its_report(self):
        view = self.env.ref("clientbase_crm.clientbase_dashboard_view")
        for user in (self.head, self.rep):
            arch = etree.fromstring(self.env["board.board"].with_user(user).get_view(view.id, "form")["arch"])
            tiles = list(arch.iter("action"))
            self.assertEqual(len(tiles), 8)
            for tile in tiles:
                context = ast.literal_eval(tile.get("context") or "{}")
                measures = context.get("pivot_measures") or [context.get("graph_measure")]
                groupby = context.get("pivot_row_groupby") or context.get("graph_groupbys") or []
                groupby = [g for g in groupby if ":" not in g]
                Model, report_domain = self._as_the_menu_opens(user, int(tile.get("name")))
                tile_domain = ast.literal_eval(tile.get("domain") or "[]")
                self.assertEqual(
                    self._figures(Model, tile_domain, measures, groupby),
                    self._figures(Model, report_domain, measures, groupby),
                    (user.login, tile.get("string")),
                )
                if Model._name == "res.partner":
                    shown = Model.search(tile_domain)
                    self.assertFalse(shown & (self.employee | self.mailing_only), tile.get("string"))
                    expected = (
                        self.clients
                        if user == self.head
                        else self.clients.filtered(lambda c: c.user_id == self.rep)
                    )
                    self.assertEqual(shown & self.varied, expected, (user.login, tile.get("string")))


@tagged("post_install", "-at_install", "clientbase_report", "clientbase_tour")
class TestDashboardTilesInTheBrowser(ClientbaseHttpCommon):
    """In the browser, the head of sales and a salesperson (and the administrator) open the
    dashboard: every one of its seven tiles, drawn, shows the figures of its report as the menu
    opens it for them (the ORM's read_group with the action's domain, as that user), and the
    Clients Analysis opened from the menu shows the total of its tile. Pictures of the dashboard are saved at the two screen sizes
    people use (``$CLIENTBASE_SCREENSHOTS``, else Odoo's screenshots folder)."""

    SIZES = ((1366, 768), (1920, 1080))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.head = cls._user("tiles_b_head", groups=f"{MANAGER_GROUPS},sales_team.group_sale_salesman")
        cls.rep = cls._user("tiles_b_rep", groups=f"{USER_GROUPS},sales_team.group_sale_salesman")
        Partner = cls.env["res.partner"]
        cls.product = cls._product(name="Tiles product", price=10)
        channels = [
            cls.env.ref(f"clientbase_crm.clientbase_channel_{name}")
            for name in ("exhibition", "referral", "cold_call", "website_form")
        ]
        managers = [cls.rep, cls.user_salesman_2, cls.rep, cls.env["res.users"]]
        clients = Partner
        for i in range(16):
            client = Partner.create(
                {
                    "name": f"Tiles Client {i:02d}",
                    "is_company": i % 3 != 0,
                    "email": f"tiles{i}@example.com",
                    "user_id": managers[i % 4].id,
                    "client_channel_id": channels[i % 4].id,
                }
            )
            clients |= client
            buyer = (
                Partner.create({"name": f"Tiles Contact {i:02d}", "parent_id": client.id})
                if i % 5 == 0
                else client
            )
            for k in range(i % 4 + (i % 7 == 0)):
                cls._order(buyer, 40 + 15 * ((i * 7 + k * 3) % 11), days_ago=20 + 70 * k + 9 * i)
        employee = new_test_user(cls.env, login="tiles_b_employee", name="Tiles Employee").partner_id
        employee.user_id = cls.rep
        cls._order(employee, 55, days_ago=30)
        mailing = cls.env["mailing.mailing"].create(
            {
                "subject": "Tiles offer",
                "mailing_model_id": cls.env["ir.model"]._get_id("res.partner"),
                "body_html": "<p>Hi</p>",
            }
        )
        sent_at = fields.Datetime.now() - timedelta(days=15)
        cls.env["mailing.trace"].create(
            [
                {
                    "model": "res.partner",
                    "res_id": client.id,
                    "mass_mailing_id": mailing.id,
                    "trace_status": "open" if i % 2 else "sent",
                    "sent_datetime": sent_at,
                    "open_datetime": sent_at if i % 2 else False,
                }
                for i, client in enumerate(clients[:10])
            ]
        )
        # a journey's entrants, half held out, 40 days ago (the journeys' tile)
        journey = cls.env["clientbase.journey"].create(
            {"name": "Tiles journey", "trigger": "first_order", "goal": "none", "active": False}
        )
        cls.env["clientbase.journey.member"].create(
            [
                {
                    "journey_id": journey.id,
                    "partner_id": client.id,
                    "company_id": cls.env.company.id,
                    "event_key": "tiles",
                    "holdout": bool(i % 2),
                    "state": "holdout" if i % 2 else "running",
                    "entered_on": fields.Datetime.now() - timedelta(days=40),
                }
                for i, client in enumerate(clients)
            ]
        )
        cls.env["clientbase.client.figures"]._recompute_all(full=True)
        cls.env["clientbase.report.monthly"]._cron_refresh()

    def _expected_tiles(self, user):
        expected = {}
        for title, action_id, kind, measures, groupby in dashboard_tiles(self.env, user):
            Model, domain = as_the_menu_opens(self.env, user, action_id)
            figures = report_figures(Model, domain, measures, groupby)
            self.assertTrue(figures["rows"], f"{title}: the test base gives {user.login} figures to compare")
            expected[title] = dict(figures, kind=kind)
        self.assertEqual(len(expected), 8)
        return expected

    def _dashboard_tour(self, user, size):
        """Runs the tiles' tour as ``user`` on a screen of ``size``; returns the picture taken
        when the tour ends (PNG bytes)."""
        tour = "clientbase_dashboard_tiles_tour"
        url = f"/odoo/action-{self.env.ref('clientbase_crm.clientbase_dashboard_action').id}"
        options = {"stepDelay": 0, "keepWatchBrowser": False, "debug": False, "startUrl": url}
        code = (
            f"window.clientbaseTiles = {json.dumps(self._expected_tiles(user))};"
            f" odoo.startTour({tour!r}, {json.dumps(options)})"
        )
        pictures = []
        wait_code_ok = ChromeBrowser._wait_code_ok

        def wait_then_picture(browser, *args, **kwargs):
            wait_code_ok(browser, *args, **kwargs)
            shot = browser._websocket_request("Page.captureScreenshot", params={"format": "png"}, timeout=30)
            pictures.append(base64.b64decode(shot["data"]))

        self.browser_size = "%dx%d" % size
        with patch.object(ChromeBrowser, "_wait_code_ok", wait_then_picture):
            self.start_tour(url, tour, login=user.login, code=code, timeout=120)
        self.assertEqual(len(pictures), 1)
        return pictures[0]

    def _save_picture(self, data, name):
        folder = os.environ.get("CLIENTBASE_SCREENSHOTS") or os.path.join(
            config["screenshots"], self.env.cr.dbname, "screenshots"
        )
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, name), "wb") as picture:
            picture.write(data)

    def test_tiles_equal_their_reports_in_the_browser(self):
        action = self.env.ref("clientbase_crm.clientbase_dashboard_action")
        # the administrator sees what the head of sales sees: one screen suffices
        admin = self.env.ref("base.user_admin")
        self._dashboard_tour(admin, self.SIZES[0])
        for role, user in (("head_of_sales", self.head), ("salesperson", self.rep)):
            # the Clients by stage tile and Clients Analysis opened from the menu, side by side
            self.start_tour(
                f"/odoo/action-{action.id}", "clientbase_dashboard_figures_tour", login=user.login
            )
            for width, height in self.SIZES:
                picture = self._dashboard_tour(user, (width, height))
                self.assertEqual(picture[:8], b"\x89PNG\r\n\x1a\n")
                self.assertEqual(struct.unpack(">II", picture[16:24]), (width, height), "the screen's size")
                self._save_picture(picture, f"dashboard_{role}_{width}x{height}.png")
