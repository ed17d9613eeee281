import ast

from lxml import etree

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from ..tools.client_definition import client_domain, client_sql
from .common import ClientbaseSalesCommon


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
        """The domain a user's report shows when opened from its menu: the action's domain and the
        filters of its search view that its context turns on."""
        action = self.env["ir.actions.act_window"].browse(action_id).with_user(user)
        data = action._get_action_dict()
        domain = list(ast.literal_eval(data.get("domain") or "[]"))
        context = safe_eval(data.get("context") or "{}", {"uid": user.id})
        Model = self.env[data["res_model"]].with_user(user)
        search_view = data.get("search_view_id") and data["search_view_id"][0]
        arch = etree.fromstring(Model.get_view(search_view, "search")["arch"])
        for node in arch.iter("filter"):
            if context.get(f"search_default_{node.get('name')}") and node.get("domain"):
                domain += safe_eval(node.get("domain"), {"uid": user.id})
        return Model, domain

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
            self.assertEqual(len(tiles), 7)
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
class TestDashboardTilesInTheBrowser(HttpCase):
    """In the browser, the head of sales and a salesperson read a tile's total on the dashboard
    and the same total on its report opened from the menu."""

    def test_tiles_equal_their_reports_in_the_browser(self):
        groups = "base.group_user,sales_team.group_sale_salesman,clientbase_crm.group_clientbase_"
        head = new_test_user(self.env, login="tiles_b_head", groups=groups + "manager")
        rep = new_test_user(self.env, login="tiles_b_rep", groups=groups + "user")
        Partner = self.env["res.partner"]
        company = Partner.create({"name": "Tiles Browser LLC", "is_company": True, "user_id": rep.id})
        contact = Partner.create({"name": "Tiles Browser Contact", "parent_id": company.id})
        employee = new_test_user(self.env, login="tiles_b_employee", name="Tiles Browser Employee").partner_id
        employee.user_id = rep
        product = self.env["product.product"].create({"name": "Tiles product", "list_price": 10})
        for partner, price in ((contact, 120), (company, 30), (employee, 55)):
            order = self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [(0, 0, {"product_id": product.id, "price_unit": price})],
                }
            )
            order.action_confirm()
        self.env["clientbase.client.figures"]._recompute_all(full=True)
        action = self.env.ref("clientbase_crm.clientbase_dashboard_action")
        for user in (head, rep):
            self.start_tour(
                f"/odoo/action-{action.id}", "clientbase_dashboard_figures_tour", login=user.login
            )
