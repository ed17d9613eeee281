import ast

from freezegun import freeze_time
from lxml import etree

from odoo import fields
from odoo.addons.clientbase_crm_demo.models.clientbase_demo_generator import DEMO_MANAGERS, DEMO_MARKER
from odoo.addons.clientbase_crm_demo.models.clientbase_demo_setup import DEMO_MARKETER
from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import datetime, dateutil, safe_eval

# Menus of the client base that legitimately open no list of records, and why
NO_RECORDS_MENUS = {
    # wizards: a dialog that makes something, not a list
    "clientbase_crm.clientbase_import_wizard_menu": "a wizard: imports a file",
    "clientbase_crm.clientbase_handover_wizard_menu": "a wizard: hands clients over",
    "clientbase_crm.clientbase_movement_menu": "a wizard: asks for the months to compare",
    # Odoo's board: a layout of other reports' charts (each checked by its own menu)
    "clientbase_crm.clientbase_dashboard_menu": "the board of the reports' charts",
}


def menu_opens(env, user, menu):
    """``(model, domain, context)`` of the records the window action of ``menu`` lists when
    ``user`` opens it: the action as the web client loads it for him (salespeople get *My
    Clients*), its domain, and the filters of its search view its context turns on (filters
    of one group are OR-ed, groups AND-ed, as the search panel does)."""
    action = menu.action.with_user(user)
    data = action._get_action_dict()
    today = fields.Date.context_today(action)
    evaluation = {
        "uid": user.id,
        "context_today": lambda: today,
        "datetime": datetime,
        "relativedelta": dateutil.relativedelta.relativedelta,
        "current_date": fields.Date.to_string(today),
    }
    domain = safe_eval(data.get("domain") or "[]", evaluation)
    context = safe_eval(data.get("context") or "{}", evaluation)
    Model = env[data["res_model"]].with_user(user).with_context(**context)
    search_view = data.get("search_view_id") and data["search_view_id"][0]
    arch = etree.fromstring(Model.get_view(search_view, "search")["arch"])
    groups, current = [], []
    for node in arch.iter("filter", "separator", "group"):
        if node.tag != "filter":
            if current:
                groups.append(current)
            current = []
            continue
        if context.get(f"search_default_{node.get('name')}") and node.get("domain"):
            current.append(safe_eval(node.get("domain"), evaluation))
    if current:
        groups.append(current)
    for group in groups:
        alternatives = []
        for alternative in group:
            alternatives = ["|", *alternatives, *alternative] if alternatives else list(alternative)
        domain = ["&", *domain, *alternatives] if domain else alternatives
    return Model, domain, context


@tagged("post_install", "-at_install", "clientbase_demo")
@freeze_time("2026-03-10 10:00:00")
class TestDemoScreens(TransactionCase):
    """The product tour on the demo base of ``make run`` (generated small, on a fixed day): no
    screen of the client base is empty for the user who opens it, and the head of sales
    prepares a mailing that reaches clients who consented."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(DEMO_MARKER, False)
        # Russian is loaded and checked by TestDemoGenerator; here the screens only
        cls.summary = cls.env["clientbase.demo.generator"]._generate_demo_base(
            clients=60, seed=11, lang=False
        )
        Users = cls.env["res.users"]
        cls.head = Users.search([("login", "=", DEMO_MANAGERS[0][0])])
        cls.salespeople = Users.search([("login", "in", [m[0] for m in DEMO_MANAGERS[1:]])])
        cls.marketer = Users.search([("login", "=", DEMO_MARKETER[0])])
        cls.admin = cls.env.ref("base.user_admin")
        cls.root_menu = cls.env.ref("clientbase_crm.clientbase_crm_menu_root")

    def _visible_menus(self, user):
        Menu = self.env["ir.ui.menu"].with_user(user)
        visible = Menu._visible_menu_ids()
        return Menu.browse(visible).filtered(
            lambda m: (
                m.action
                and m.parent_path.startswith(self.root_menu.parent_path)
                and m.id != self.root_menu.id
            )
        )

    def test_every_menu_shows_records(self):
        """Every window of the client base lists at least one record for each demo user who sees
        its menu (salespeople on their own clients), but the wizards and the board; with
        clientbase_loyalty installed (the gate's first step), its menus as well."""
        known = {self.env.ref(xmlid) for xmlid in NO_RECORDS_MENUS}
        checked = self.env["ir.ui.menu"]
        for user in self.head | self.salespeople | self.marketer | self.admin:
            menus = self._visible_menus(user)
            checked |= menus
            self.assertIn(
                self.env.ref("clientbase_crm.res_partner_menu_clients"),
                menus,
                f"{user.login} sees the clients",
            )
            for menu in menus:
                if menu in known:
                    continue
                with self.subTest(user=user.login, menu=menu.complete_name):
                    self.assertEqual(
                        menu.action.type, "ir.actions.act_window", "a window, else list it above"
                    )
                    Model, domain, _context = menu_opens(self.env, user, menu)
                    self.assertGreater(Model.search_count(domain), 0, f"{menu.complete_name} is empty")
        # every window menu of the client base, those of its installed addons too (the loyalty's,
        # with the demo's loyalty made by the generator), was opened by some demo user
        every = self.env["ir.ui.menu"].search(
            [("parent_path", "=like", f"{self.root_menu.parent_path}%"), ("action", "!=", False)]
        )
        unchecked = every - checked - self.root_menu
        self.assertFalse(unchecked.mapped("complete_name"), "menus no demo user sees")
        if "clientbase.loyalty.demo" in self.env:
            loyalty = every.filtered(lambda m: m.get_external_id()[m.id].startswith("clientbase_loyalty."))
            self.assertGreaterEqual(len(loyalty), 5, "the loyalty's menus are among those checked")

    def test_menus_without_records_are_wizards_or_the_board(self):
        """The exceptions above still are what they are said to be: dialogs, and the board whose
        every chart is the action of a menu checked above."""
        menu_actions = {
            menu.action.id
            for menu in self.env["ir.ui.menu"].search(
                [("parent_path", "=like", f"{self.root_menu.parent_path}%")]
            )
            if menu.action
        }
        for xmlid in NO_RECORDS_MENUS:
            action = self.env.ref(xmlid).action
            if action.res_model == "board.board":
                board = self.env["board.board"].get_view(action.view_id.id, "form")["arch"]
                charts = {int(node.get("name")) for node in etree.fromstring(board).iter("action")}
                self.assertTrue(charts)
                self.assertLessEqual(charts, menu_actions, "each chart is a menu's report")
                continue
            self.assertEqual(action.target, "new", f"{xmlid} opens a dialog")

    def test_the_head_of_sales_mailing_reaches_consenting_clients(self):
        """From a demo segment, the head of sales prepares an email and an SMS mailing: each
        reaches clients whose current consent for the channel is given, and only them."""
        segment = self.env.ref("clientbase_crm.clientbase_segment_bought_last_month")
        Consent = self.env["clientbase.consent"]
        for channel in ("email", "sms"):
            with self.subTest(channel=channel):
                wizard = (
                    self.env["clientbase.mailing.wizard"]
                    .with_user(self.head)
                    .with_context(active_model="clientbase.segment", active_ids=segment.ids)
                    .create({"channel": channel, "purpose": "marketing"})
                )
                self.assertGreater(wizard.eligible_count, 0)
                self.assertEqual(
                    wizard.target_count,
                    len(self.env["res.partner"].search([("client_segment_ids", "in", segment.ids)])),
                )
                eligible = self.env["res.partner"].browse(wizard._classify()["eligible"])
                current = Consent.search(
                    [
                        ("partner_id", "in", eligible.ids),
                        ("channel", "=", channel),
                        ("purpose", "=", "marketing"),
                        ("is_current", "=", True),
                    ]
                )
                self.assertEqual(set(current.mapped("state")), {"given"})
                self.assertEqual(current.partner_id, eligible, "every recipient consented")
                values = (
                    {"body_plaintext": "Скидка 10% до конца недели"}
                    if channel == "sms"
                    else {"subject": "Скидка 10%", "body_html": "<p>Скидка 10% до конца недели</p>"}
                )
                wizard.write(values)
                action = wizard.action_create_mailing()
                mailing = self.env["mailing.mailing"].browse(action["res_id"])
                self.assertEqual(mailing.create_uid, self.head)
                self.assertEqual(ast.literal_eval(mailing.mailing_domain), [("id", "in", eligible.ids)])
