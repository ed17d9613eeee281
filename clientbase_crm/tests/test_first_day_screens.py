"""The screens a salesperson meets on the first day: the client card, a colleague's client,
the funnels' columns and the birthdays list (issue 28)."""

from datetime import datetime, timedelta

from freezegun import freeze_time
from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import ClientbaseSalesCommon


@tagged("post_install", "-at_install", "clientbase_work")
class TestFirstDayScreens(ClientbaseSalesCommon):
    """Salesperson A (``user_salesman``) manages the client base of the layer; salesperson B
    (``user_salesman_2``) opens A's clients; the head of sales (``user_manager``) sees all."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.client_pool_visible = False
        cls._order(cls.client_person, amount=300, days_ago=40)
        cls._order(cls.client_person, amount=200, days_ago=10)
        cls._order(cls.client_company, amount=700, days_ago=5)
        cls.theirs = cls._client("B's Client", user_id=cls.user_salesman_2.id)
        cls._order(cls.theirs, amount=50, days_ago=3)
        cls.env["clientbase.client.figures"]._recompute_all(full=True)
        cls.env.invalidate_all()

    def _arch(self, user, view_ref=None, view_type="form"):
        view_id = self.env.ref(view_ref).id if view_ref else False
        arch = self.env["res.partner"].with_user(user).get_view(view_id, view_type)["arch"]
        return etree.fromstring(arch)

    # --- 1. the card ------------------------------------------------------------------
    def test_card_header_shows_the_client_at_a_glance(self):
        arch = self._arch(self.user_salesman)
        [stage] = arch.xpath("//header//field[@name='client_stage']")
        self.assertEqual(stage.get("widget"), "statusbar")
        [glance] = arch.xpath("//div[@name='clientbase_glance']")
        shown = {node.get("name") for node in glance.iter("field")}
        self.assertLessEqual({"client_warmth", "client_persona", "user_id"}, shown)
        self.assertIn("VIP", "".join(glance.itertext()))
        buttons = {node.get("name") for node in arch.xpath("//div[@name='button_box']/button")}
        for name in (
            "action_view_sale_order",
            "action_client_open_interactions",
            "action_view_opportunity",
            "action_open_client_consents",
        ):
            self.assertIn(name, buttons)
        # the card opens on the client base's own tab, not on Odoo's contacts
        focused = arch.xpath("//notebook/page[@autofocus]")
        self.assertEqual([page.get("name") for page in focused], ["clientbase_segments"])
        self.assertEqual(arch.xpath("//notebook/page")[0].get("name"), "clientbase_segments")
        # what the header shows is the client's
        card = self.client_person.with_user(self.user_salesman)
        self.assertEqual(card.client_stage, "active")
        self.assertEqual(card.user_id, self.user_salesman)

    def test_a_user_outside_the_client_base_keeps_odoo_card(self):
        outsider = self._user("cb_fd_outsider", groups="base.group_user,sales_team.group_sale_salesman")
        arch = self._arch(outsider)
        self.assertFalse(arch.xpath("//div[@name='clientbase_glance']"))
        # Odoo's counts stay: the condition that hides them is never true for this user
        [orders] = arch.xpath("//button[@name='action_view_sale_order']")
        self.assertEqual(orders.get("invisible"), "client_hidden_notice")
        self.assertTrue(self.client_person.with_user(outsider).client_data_hidden)
        self.assertFalse(self.client_person.with_user(outsider).client_hidden_notice)
        self.assertEqual(arch.xpath("//notebook/page")[0].get("name"), "contact_addresses")

    def test_logged_call_is_a_short_note_in_the_chatter(self):
        Message = self.env["mail.message"]
        before = Message.search([("model", "=", "res.partner"), ("res_id", "=", self.client_person.id)])
        self._log_interaction(
            self.client_person,
            user=self.user_salesman,
            result="offer_declined",
            note="SECRET-divorce",
            next_step="SECRET-next",
        )
        note = (
            Message.search([("model", "=", "res.partner"), ("res_id", "=", self.client_person.id)]) - before
        )
        self.assertEqual(len(note), 1)
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
        self.assertEqual(note.author_id, self.user_salesman.partner_id)
        self.assertIn("Outgoing Call", note.body)
        # the chatter is read by whoever reads the partner: no content of the interaction
        for secret in ("SECRET", "Offer Declined", "offer_declined"):
            self.assertNotIn(secret, note.body)
        # B reads the chatter of A's client and learns only that a call was logged
        as_b = Message.with_user(self.user_salesman_2).search([("id", "=", note.id)])
        self.assertEqual(as_b, note)

    def test_the_note_speaks_the_language_of_who_logs_it(self):
        """The note is written once for every reader: in the language and at the time of the
        user who logged the interaction, not in the request's, the server's or the client's."""
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(["clientbase_crm"], ["ru_RU"], overwrite=True)
        self.user_salesman.write({"lang": "ru_RU", "tz": "Europe/Moscow"})
        self.user_salesman_2.write({"lang": "en_US", "tz": "UTC"})
        self.theirs.lang = "ru_RU"  # a Russian-speaking client of the English-speaking colleague
        when = datetime(2026, 3, 10, 9, 0)  # 12:00 in Moscow
        Message = self.env["mail.message"]

        def note_of(client, user, context_lang):
            before = Message.search([("model", "=", "res.partner"), ("res_id", "=", client.id)])
            self.env["clientbase.interaction"].with_user(user).with_context(lang=context_lang).create(
                {"client_id": client.id, "kind": "outgoing_call", "result": "reached", "date": when}
            )
            after = Message.search([("model", "=", "res.partner"), ("res_id", "=", client.id)])
            return after - before

        # a Russian salesperson over RPC without a language, or with the server's English
        for context_lang in (None, "en_US"):
            note = note_of(self.client_person, self.user_salesman, context_lang)
            self.assertIn("Записано взаимодействие: Исходящий звонок", note.body)
            self.assertIn("12:00", note.body, "the date in the logger's time zone")
            self.assertNotIn("Outgoing", note.body)
        # an English salesperson from a Russian screen, on a Russian-speaking client
        note = note_of(self.theirs, self.user_salesman_2, "ru_RU")
        self.assertIn("Outgoing Call logged", note.body)
        self.assertIn("9:00", note.body)
        self.assertNotIn("Исходящий", note.body)

    def test_a_finished_call_requires_a_result(self):
        Interaction = self.env["clientbase.interaction"].with_user(self.user_salesman)
        with self.assertRaisesRegex(ValidationError, "result of the call"):
            Interaction.create({"client_id": self.client_person.id, "kind": "outgoing_call"})
        with self.assertRaisesRegex(ValidationError, "result of the call"):
            Interaction.create({"client_id": self.client_person.id, "kind": "incoming_call"})
        logged = Interaction.create(
            {"client_id": self.client_person.id, "kind": "outgoing_call", "result": "no_answer"}
        )
        with self.assertRaisesRegex(ValidationError, "result of the call"):
            logged.result = False
        # a meeting or an email has no call result; a call still to come has none yet
        Interaction.create({"client_id": self.client_person.id, "kind": "meeting"})
        Interaction.create(
            {
                "client_id": self.client_person.id,
                "kind": "outgoing_call",
                "date": fields.Datetime.now() + timedelta(days=1),
            }
        )
        # in Russian, the user reads the error in Russian
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(["clientbase_crm"], ["ru_RU"], overwrite=True)
        with self.assertRaisesRegex(ValidationError, "результат звонка"):
            Interaction.with_context(lang="ru_RU").create(
                {"client_id": self.client_person.id, "kind": "outgoing_call"}
            )

    def test_an_old_call_without_result_stays_editable(self):
        """A call logged before a result was required (or planned and never completed) is
        edited like any record: its note, date or next step change without a result being
        forced on it; what makes it a newly finished call (its kind, its result cleared, a
        planned call moved into the past) still asks for the result, in a clear message."""
        Interaction = self.env["clientbase.interaction"].with_user(self.user_salesman)
        old_call = Interaction.create({"client_id": self.client_person.id, "kind": "meeting"})
        # as the rows of the time before the rule: a finished call without a result
        self.env.cr.execute(
            "UPDATE clientbase_interaction SET kind = 'outgoing_call', result = NULL,"
            " date = now() at time zone 'UTC' - interval '200 days' WHERE id = %s",
            [old_call.id],
        )
        old_call.invalidate_recordset()
        # the form saves an unrelated edit (its required result does not block it)
        form_view = "clientbase_crm.clientbase_interaction_view_form"
        with Form(old_call, view=form_view) as form:
            form.note = "Called from the old phone book"
        self.assertEqual(old_call.note, "Called from the old phone book")
        old_call.write({"date": fields.Datetime.now() - timedelta(days=199), "duration": 3})
        old_call.write({"next_step": "Send the catalogue"})
        self.assertTrue(old_call.activity_id)
        self.assertFalse(old_call.result)
        # the filter finds the calls to complete
        missing = Interaction.search(
            [("kind", "in", ("incoming_call", "outgoing_call")), ("result", "=", False)]
        )
        self.assertIn(old_call, missing)
        # what makes it a call logged now asks for its result
        with self.assertRaisesRegex(ValidationError, "result of the call"):
            old_call.kind = "incoming_call"
        planned = Interaction.create(
            {
                "client_id": self.client_person.id,
                "kind": "outgoing_call",
                "date": fields.Datetime.now() + timedelta(days=2),
            }
        )
        planned.note = "Ask about the spring order"
        with self.assertRaisesRegex(ValidationError, "result of the call"):
            planned.date = fields.Datetime.now() - timedelta(hours=1)
        # completed once, it keeps a result
        old_call.result = "reached"
        with self.assertRaisesRegex(ValidationError, "result of the call"):
            old_call.result = False

    def test_the_head_of_sales_reads_the_orders_behind_the_figures(self):
        """A client base manager reads every client's Orders and Revenue: the card's Sales count
        and the orders it opens say the same, for his salespeople's clients too (his role
        implies Odoo's Sales: All Documents; a salesperson keeps his own documents)."""
        self.assertTrue(self.user_manager.has_group("sales_team.group_sale_salesman_all_leads"))
        self.assertFalse(self.user_salesman.has_group("sales_team.group_sale_salesman_all_leads"))
        for user in (self.user_manager, self.user_salesman):
            for client in (self.client_person, self.client_company):
                card = client.with_user(user)
                self.assertTrue(card.client_order_count, client.name)
                self.assertEqual(card.sale_order_count, card.client_order_count, (user.login, client.name))
                action = card.action_view_sale_order()
                orders = self.env["sale.order"].with_user(user).search(action["domain"])
                self.assertEqual(
                    sum(orders.filtered(lambda o: o.state == "sale").mapped("amount_untaxed")),
                    card.client_revenue,
                )
        # the head of sales also reads B's client's orders
        self.assertEqual(self.theirs.with_user(self.user_manager).sale_order_count, 1)

    def test_a_salesperson_reads_every_order_of_his_client(self):
        """A's client whose orders carry another salesperson (handed over with its history, a
        quotation B made): A's card counts them under Sales as its figures count them under
        Orders, the button opens them, their lines read; they stay B's to change. B keeps
        his order but not the client's figures."""
        order = self._order(self.client_person, amount=400, days_ago=2, user_id=self.user_salesman_2.id)
        quotation = self._order(
            self.client_company, amount=90, state="draft", user_id=self.user_salesman_2.id
        )
        self.env["clientbase.client.figures"]._recompute_all(full=True)
        self.env.invalidate_all()
        Order = self.env["sale.order"].with_user(self.user_salesman)
        for client, theirs in ((self.client_person, order), (self.client_company, quotation)):
            card = client.with_user(self.user_salesman)
            orders = Order.search(card.action_view_sale_order()["domain"])
            self.assertIn(theirs, orders)
            self.assertEqual(card.sale_order_count, len(orders))
            confirmed = orders.filtered(lambda o: o.state == "sale")
            # the figures are the confirmed orders the button opens, whoever made them
            self.assertEqual(card.client_order_count, len(confirmed), client.name)
            self.assertAlmostEqual(sum(confirmed.mapped("amount_untaxed")), card.client_revenue, 2)
        self.assertEqual(Order.browse(order.id).order_line.price_subtotal, 400)
        self.assertEqual(Order.browse(order.id).user_id, self.user_salesman_2)
        with self.assertRaises(AccessError):
            Order.browse(order.id).write({"client_order_ref": "A's reference"})
        # B's orders of his own clients stay his
        self.assertFalse(Order.search([("partner_id", "=", self.theirs.id)]))
        as_b = self.env["sale.order"].with_user(self.user_salesman_2)
        self.assertEqual(as_b.search([("id", "=", order.id)]), order)
        self.assertFalse(self.client_person.with_user(self.user_salesman_2).client_revenue)

    # --- 2. a colleague's client ------------------------------------------------------------
    def test_a_colleague_client_says_whose_it_is(self):
        as_b = self.client_person.with_user(self.user_salesman_2)
        self.assertTrue(as_b.client_data_hidden)
        notice = as_b.client_hidden_notice
        self.assertIn(self.user_salesman.name, notice)
        self.assertIn("managers", notice)
        # no figure stands in for the hidden ones; the stage says colleagues handle it
        self.assertFalse(as_b.client_revenue)
        self.assertEqual(as_b.client_stage, "hidden")
        self.assertEqual(as_b.client_warmth, "hidden")
        # A and the head of sales read the figures, and no notice
        for user in (self.user_salesman, self.user_manager):
            own = self.client_person.with_user(user)
            self.assertFalse(own.client_hidden_notice)
            self.assertEqual(own.client_revenue, 500)
        # B's own client is B's
        self.assertFalse(self.theirs.with_user(self.user_salesman_2).client_hidden_notice)

    def test_the_notice_replaces_the_figures_in_card_list_and_kanbans(self):
        views = (
            (None, "form"),
            ("clientbase_crm.res_partner_view_list_clientbase", "list"),
            ("clientbase_crm.res_partner_view_kanban_clientbase", "kanban"),
            ("clientbase_crm.res_partner_view_kanban_clientbase_funnel", "kanban"),
        )
        for view_ref, view_type in views:
            arch = self._arch(self.user_salesman_2, view_ref, view_type)
            self.assertTrue(arch.xpath("//field[@name='client_hidden_notice']"), view_ref)
            for name in ("client_revenue", "client_order_count", "client_stage", "client_is_vip"):
                # a kanban's fields outside its templates are loaded, not shown
                shown = (
                    f"//templates//field[@name='{name}']"
                    if view_type == "kanban"
                    else f"//field[@name='{name}']"
                )
                for node in arch.xpath(shown):
                    ancestors = (node, *node.iterancestors())
                    guarded = any(
                        "client_data_hidden" in (n.get("invisible") or "")
                        or "client_data_hidden" in (n.get("t-if") or "")
                        or n.get("t-else") is not None
                        for n in ancestors
                    )
                    self.assertTrue(guarded, (view_ref, name))

    def test_only_permitted_actions_are_offered_on_a_colleague_client(self):
        arch = self._arch(self.user_salesman_2)
        for name in ("action_client_mark_lost", "action_client_handover"):
            [button] = arch.xpath(f"//header/button[@name='{name}']")
            self.assertIn("client_data_hidden", button.get("invisible"), name)
        for name, condition in (
            ("action_view_sale_order", "client_hidden_notice"),
            ("action_view_opportunity", "client_hidden_notice"),
            ("action_client_open_interactions", "client_data_hidden"),
            ("action_open_client_consents", "client_data_hidden"),
        ):
            [button] = arch.xpath(f"//div[@name='button_box']/button[@name='{name}']")
            self.assertIn(condition, button.get("invisible"), name)
        # and what is hidden is refused too, whatever the door
        reason = self.env.ref("clientbase_crm.clientbase_churn_reason_price")
        wizard = (
            self.env["clientbase.churn.wizard"]
            .with_user(self.user_salesman_2)
            .create({"partner_ids": [(6, 0, self.client_person.ids)], "reason_id": reason.id})
        )
        with self.assertRaisesRegex(UserError, "managed by Sales Person"):
            wizard.action_mark_lost()
        handover = (
            self.env["clientbase.handover.wizard"]
            .with_user(self.user_salesman_2)
            .create(
                {
                    "partner_ids": [(6, 0, self.client_person.ids)],
                    "to_user_id": self.user_salesman_2.id,
                    "reason": "Taking it over",
                }
            )
        )
        with self.assertRaises(UserError):
            handover.action_handover()

    # --- 3. the funnels' columns --------------------------------------------------------------
    def test_funnel_columns_count_and_sum_as_the_user_searches(self):
        action = self.env.ref("clientbase_crm.res_partner_action_clientbase_by_stage")
        domain = [("client_is_client", "=", True)]
        arch = self._arch(
            self.user_salesman, "clientbase_crm.res_partner_view_kanban_clientbase_funnel", "kanban"
        )
        [progressbar] = arch.xpath("//progressbar")
        self.assertEqual(progressbar.get("sum_field"), "client_revenue")
        self.assertIn("client_stage", action.context)
        for user in (self.user_salesman, self.user_salesman_2, self.user_manager):
            Partner = self.env["res.partner"].with_user(user)
            groups = Partner.read_group(domain, ["client_revenue:sum"], ["client_stage"], lazy=False)
            self.assertTrue(groups)
            for group in groups:
                in_column = domain + [("client_stage", "=", group["client_stage"])]
                self.assertEqual(group["__count"], Partner.search_count(in_column), (user.login, group))
                revenue = sum(Partner.search(in_column).mapped("client_revenue"))
                self.assertAlmostEqual(group["client_revenue"] or 0, revenue, 2, msg=(user.login, group))
        # the head of sales' active column holds A's and B's clients alike
        head = self.env["res.partner"].with_user(self.user_manager)
        active = head.search(domain + [("client_stage", "in", ("new", "active", "one_time"))])
        self.assertTrue({self.client_person, self.theirs} <= set(active))

    def test_a_colleague_clients_stand_in_no_unnamed_funnel_column(self):
        """A salesperson who takes the My Clients filter off a funnel does not find his colleagues'
        clients in a column without a name: their stage and warmth are not his to read (a null
        group). The funnels hold the clients whose stage he reads: his own (and the unassigned
        pool when his company shows it); the head of sales' hold every client."""
        Partner = self.env["res.partner"]
        clients = Partner.search([("client_is_client", "=", True)])
        for xmlid, grouped in (
            ("clientbase_crm.res_partner_action_clientbase_by_stage", "client_stage"),
            ("clientbase_crm.res_partner_action_clientbase_by_warmth", "client_warmth"),
        ):
            action = self.env.ref(xmlid)
            for user in (self.user_salesman, self.user_salesman_2, self.user_manager):
                as_user = Partner.with_user(user)
                # as the web client loads the board, the My Clients facet taken off
                domain = safe_eval(action.with_user(user).sudo()._get_action_dict()["domain"])
                result = as_user.with_context(lang=user.lang).web_read_group(
                    domain, ["client_revenue:sum"], [grouped], lazy=True
                )
                columns = {group[grouped]: group[f"{grouped}_count"] for group in result["groups"]}
                self.assertNotIn(False, columns, (xmlid, user.login, columns))
                shown = as_user.search(domain)
                self.assertEqual(sum(columns.values()), len(shown))
                readable = clients.filtered(lambda c, u=user: not c.with_user(u).client_data_hidden)
                self.assertEqual(set(shown), set(readable), (xmlid, user.login))
                self.assertNotIn("hidden", columns, "no empty column of colleagues' clients")
            # the control: grouped without the funnel's domain, a salesperson gets the colleague's
            # clients in their own group, where the head of sales reads every stage
            bare = Partner.with_user(self.user_salesman_2).read_group(
                [("client_is_client", "=", True)], [], [grouped], lazy=True
            )
            named = [group for group in bare if group[grouped] == "hidden"]
            self.assertTrue(named and named[0][f"{grouped}_count"] >= 2)
        # whose clients each sees: his own; the head of sales all of them
        self.assertIn(self.theirs, Partner.with_user(self.user_salesman_2).search(domain))
        self.assertNotIn(self.client_person, Partner.with_user(self.user_salesman_2).search(domain))
        self.assertLessEqual(
            set(self.client_person | self.client_company | self.theirs),
            set(Partner.with_user(self.user_manager).search(domain)),
        )

    def test_the_clients_list_names_the_group_of_colleagues_clients(self):
        """Grouped by stage or warmth, a salesperson's Clients list (My Clients taken off) puts his
        colleagues' clients in a group that says so, "Handled by colleagues", not "None"; it opens
        on exactly them, and each of them says the same. Open and masked visibility alike (in
        strict mode they are not listed); the head of sales reads every stage and has no such
        group; nobody can set it."""
        action = self.env.ref("clientbase_crm.res_partner_action_clients")
        domain = safe_eval(action.domain or "[]")
        for masked in (False, True):
            self.company.client_masked_contacts = masked
            self.env.invalidate_all()
            for grouped in ("client_stage", "client_warmth"):
                Partner = self.env["res.partner"].with_user(self.user_salesman_2)
                result = Partner.web_read_group(domain, [], [grouped], lazy=True)
                groups = {group[grouped]: group for group in result["groups"] if group[f"{grouped}_count"]}
                message = (grouped, masked, sorted(map(str, groups)))
                self.assertNotIn(False, groups, message)
                listed = Partner.search(domain)
                colleagues = listed.filtered("client_data_hidden")
                self.assertIn(self.client_person, colleagues)
                self.assertEqual(groups["hidden"][f"{grouped}_count"], len(colleagues), message)
                self.assertEqual(set(Partner.search(groups["hidden"]["__domain"])), set(colleagues))
                self.assertEqual(set(colleagues.mapped(grouped)), {"hidden"})
                # his own client keeps its stage and warmth, in its own group
                own = self.theirs.with_user(self.user_salesman_2)[grouped]
                self.assertNotIn(own, ("hidden", False))
                self.assertIn(self.theirs, Partner.search(groups[own]["__domain"]))
                label = dict(Partner.fields_get([grouped], ["selection"])[grouped]["selection"])
                self.assertEqual(label["hidden"], "Handled by colleagues")
                head = self.env["res.partner"].with_user(self.user_manager)
                head_groups = head.web_read_group(domain, [], [grouped], lazy=True)["groups"]
                self.assertFalse(
                    [g for g in head_groups if g[grouped] in ("hidden", False) and g[f"{grouped}_count"]]
                )
        with self.assertRaisesRegex(UserError, "Handled by colleagues"):
            self.client_person.with_user(self.user_salesman).client_stage = "hidden"

    def test_the_clients_list_has_no_group_without_a_name(self):
        """Grouped by stage or warmth, a salesperson's Clients list puts every partner in a
        group that says something: his mailing-only contacts under "Mailing only" (no client,
        no stage of a client), the clients nobody handles under "Unassigned" when his company
        hides them, his colleagues' under "Handled by colleagues"; never "None". Each group
        opens on exactly its partners, each of whom says the same; none of these can be set."""
        Partner = self.env["res.partner"]
        reader = Partner.create(
            {"name": "Newsletter Reader", "client_mailing_only": True, "user_id": self.user_salesman.id}
        )
        pool = self._client("Nobody's Client")
        self._order(pool, amount=80, days_ago=7)
        self._recompute()
        action = self.env.ref("clientbase_crm.res_partner_action_clients")
        domain = safe_eval(action.domain or "[]")
        expected = {reader: "mailing_only", pool: "unassigned", self.theirs: "hidden"}
        for grouped in ("client_stage", "client_warmth"):
            mine = Partner.with_user(self.user_salesman)
            result = mine.web_read_group(domain, [], [grouped], lazy=True)
            groups = {group[grouped]: group for group in result["groups"] if group[f"{grouped}_count"]}
            message = (grouped, sorted(map(str, groups)))
            self.assertNotIn(False, groups, message)
            for partner, value in expected.items():
                self.assertEqual(
                    partner.with_user(self.user_salesman)[grouped], value, (grouped, partner.name)
                )
                found = mine.search(groups[value]["__domain"])
                self.assertIn(partner, found, message)
                self.assertEqual(set(found.mapped(grouped)), {value}, message)
                self.assertEqual(groups[value][f"{grouped}_count"], len(found), message)
            labels = dict(mine.fields_get([grouped], ["selection"])[grouped]["selection"])
            self.assertEqual(
                (labels["mailing_only"], labels["unassigned"], labels["hidden"]),
                ("Mailing only", "Unassigned", "Handled by colleagues"),
            )
            # the pool's card says nobody handles it, not "its manager"
            self.assertIn("nobody handles", pool.with_user(self.user_salesman).client_hidden_notice)
            # the head of sales reads every stage: only the mailing-only contacts say so
            head = Partner.with_user(self.user_manager).web_read_group(domain, [], [grouped], lazy=True)
            said = {g[grouped] for g in head["groups"] if g[f"{grouped}_count"]} & {
                "hidden",
                "unassigned",
                False,
            }
            self.assertFalse(said, grouped)
            self.assertEqual(reader.with_user(self.user_manager)[grouped], "mailing_only")
            # the funnels' columns: a client's stages and warmths only
            self.assertFalse({"hidden", "unassigned", "mailing_only"} & set(mine._client_columns(grouped)))
            for value in ("hidden", "unassigned", "mailing_only"):
                with self.assertRaises(UserError):
                    reader.with_user(self.user_manager)[grouped] = value

    def test_a_segment_selects_on_clients_own_values(self):
        """ "Handled by colleagues" and "Unassigned" are what a salesperson is shown of clients he
        may not read: a segment (computed for the whole base) cannot select on them, nor are
        they offered to those who build segments; "Mailing only" selects the mailing-only
        contacts, as the Clients list groups them."""
        marketer = self._marketer()
        Segment = self.env["clientbase.segment"].with_user(marketer)
        for domain in (
            "[('client_stage', '=', 'hidden')]",
            "[('client_warmth', 'in', ['hot', 'unassigned'])]",
            "['|', ('city', '=', 'Moscow'), ('child_ids', 'any', [('client_stage', '!=', 'hidden')])]",
        ):
            with self.assertRaisesRegex(ValidationError, "Handled by colleagues|Unassigned"):
                Segment.create({"name": "Colleagues' clients", "domain": domain})
        offered = self.env["res.partner"].with_user(marketer).fields_get(["client_stage", "client_warmth"])
        for fname, description in offered.items():
            values = [value for value, _label in description["selection"]]
            self.assertNotIn("hidden", values, fname)
            self.assertNotIn("unassigned", values, fname)
            self.assertIn("mailing_only", values, fname)
        reader = self.env["res.partner"].create({"name": "Newsletter Reader", "client_mailing_only": True})
        segment = Segment.create(
            {"name": "Mailing only", "domain": "[('client_stage', '=', 'mailing_only')]"}
        )
        segment.sudo()._refresh_members()
        self.assertIn(reader, segment.sudo().partner_ids)
        self.assertNotIn(self.client_person, segment.sudo().partner_ids)

    def test_the_pool_orders_behind_its_figures(self):
        """A client nobody handles, whose orders a colleague made: where the company shows the
        unassigned pool, every salesperson reads its figures and the orders behind them (the
        Sales count matches Orders); where it hides the pool, its card says nobody handles it
        and shows no figure, and only the colleague reads the orders he carries."""
        self.env.company.client_pool_visible = True
        pool = self._client("Walk-in Client")
        self._order(pool, amount=120, days_ago=12, user_id=self.user_salesman_2.id)
        self._order(pool, amount=80, days_ago=2, user_id=self.user_salesman_2.id)
        self._recompute()
        card = pool.with_user(self.user_salesman)
        self.assertEqual((card.client_order_count, card.client_revenue), (2, 200.0))
        self.assertFalse(card.client_data_hidden)
        self.assertEqual(card.sale_order_count, 2)
        orders = self.env["sale.order"].with_user(self.user_salesman).search([("partner_id", "=", pool.id)])
        self.assertEqual(len(orders), 2)
        self.assertEqual(sum(orders.mapped("amount_untaxed")), card.client_revenue)
        self.env.company.client_pool_visible = False
        card = pool.with_user(self.user_salesman)
        self.assertTrue(card.client_data_hidden)
        self.assertFalse(card.client_order_count)
        self.assertIn("nobody handles", card.client_hidden_notice)
        self.assertEqual(card.client_stage, "unassigned")
        self.assertFalse(
            self.env["sale.order"].with_user(self.user_salesman).search([("partner_id", "=", pool.id)])
        )
        self.assertEqual(
            len(
                self.env["sale.order"].with_user(self.user_salesman_2).search([("partner_id", "=", pool.id)])
            ),
            2,
        )
        # the rules follow the setting, as generated
        self.env.company.client_pool_visible = True
        self.assertEqual(
            len(self.env["sale.order"].with_user(self.user_salesman).search([("partner_id", "=", pool.id)])),
            2,
        )


@tagged("post_install", "-at_install", "clientbase_work")
@freeze_time("2026-12-30 09:00:00")
class TestBirthdaysList(ClientbaseSalesCommon):
    """The birthdays list, on December 30: today's birthdays first, then the coming days
    across the new year; yesterday's comes last, almost a year away."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.client_pool_visible = False
        client = cls._client
        owner = {"user_id": cls.user_salesman.id}
        cls.yesterday = client("Born Dec 29", client_birthday="1990-12-29", **owner)
        cls.today_born = client("Born Dec 30", client_birthday="1980-12-30", **owner)
        cls.tomorrow = client("Born Dec 31", client_birthday="2000-12-31", **owner)
        cls.january = client("Born Jan 2", client_birthday="1975-01-02", **owner)
        cls.leap = client("Born Feb 29", client_birthday="1996-02-29", **owner)
        cls.theirs = client("B's Born Jan 1", client_birthday="1985-01-01", user_id=cls.user_salesman_2.id)
        cls.mine = cls.yesterday | cls.today_born | cls.tomorrow | cls.january | cls.leap

    def _listed(self, user, records):
        action = self.env.ref("clientbase_crm.res_partner_action_clientbase_birthdays")
        arch = etree.fromstring(
            self.env["res.partner"].with_user(user).get_view(action.view_id.id, "list")["arch"]
        )
        order = arch.get("default_order")
        return self.env["res.partner"].with_user(user).search([("id", "in", records.ids)], order=order)

    def test_birthdays_in_the_order_of_days_to_come(self):
        listed = self._listed(self.user_salesman, self.mine)
        self.assertEqual(
            listed.ids,
            (self.today_born | self.tomorrow | self.january | self.leap | self.yesterday).ids,
        )
        self.assertEqual(listed.mapped("client_days_to_birthday"), [0, 1, 3, 60, 364])

    def test_the_age_they_turn(self):
        self.assertEqual(self.today_born.client_birthday_age, 46)
        self.assertEqual(self.tomorrow.client_birthday_age, 26)
        self.assertEqual(self.january.client_birthday_age, 52, "turns 52 in the new year")
        self.assertEqual(self.yesterday.client_birthday_age, 37, "turned 36 yesterday: 37 next")
        self.assertEqual(self.leap.client_birthday_age, 31, "Feb 29: counted on Feb 28, 2027")

    def test_a_colleague_birthday_sorts_last_and_shows_nothing(self):
        listed = self._listed(self.user_salesman, self.mine | self.theirs)
        self.assertEqual(listed[-1], self.theirs)
        self.assertEqual(listed[0], self.today_born)
        self.assertFalse(self.theirs.with_user(self.user_salesman).client_birthday_age)
        # the head of sales sees B's client in its place, on January 1
        head = self._listed(self.user_manager, self.mine | self.theirs)
        self.assertEqual(head[:4].ids, (self.today_born | self.tomorrow | self.theirs | self.january).ids)


@tagged("post_install", "-at_install", "clientbase_work")
class TestPoolClientActions(ClientbaseSalesCommon):
    """*Mark as Lost* and *Hand Over* on clients of the unassigned pool, for a salesperson whose
    company shows him the pool: he works them like his own (marks them lost, takes them), and
    what only a Client Base manager decides (giving a pool client to a colleague, closing a
    colleague's client) is refused with a message that says what he can do instead."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.client_pool_visible = True
        cls.pool_client = cls._client("Pool Client")
        cls.theirs = cls._client("B's Client", user_id=cls.user_salesman_2.id)
        cls.reason = cls.env.ref("clientbase_crm.clientbase_churn_reason_price")

    def _mark_lost(self, user, clients, lang="en_US"):
        return (
            self.env["clientbase.churn.wizard"]
            .with_user(user)
            .with_context(lang=lang)
            .create({"partner_ids": [(6, 0, clients.ids)], "reason_id": self.reason.id})
            .action_mark_lost()
        )

    def _handover(self, user, clients, to_user, lang="en_US"):
        return (
            self.env["clientbase.handover.wizard"]
            .with_user(user)
            .with_context(lang=lang)
            .create({"partner_ids": [(6, 0, clients.ids)], "to_user_id": to_user.id, "reason": "Takes it"})
            .action_handover()
        )

    def test_a_salesperson_marks_a_pool_client_lost(self):
        self.assertIn(self.pool_client, self.env["res.partner"].with_user(self.user_salesman).search([]))
        self._mark_lost(self.user_salesman, self.pool_client)
        self.assertEqual(self.pool_client.client_stage, "lost")
        self.assertEqual(self.pool_client.client_churn_user_id, self.user_salesman)
        self.assertEqual(self.pool_client.client_churn_reason_id, self.reason)
        self.assertFalse(self.pool_client.user_id, "marking lost assigns nobody")

    def test_a_salesperson_cannot_mark_a_colleague_client_lost(self):
        with self.assertRaises(UserError) as caught:
            self._mark_lost(self.user_salesman, self.pool_client | self.theirs)
        self.assertIn("B's Client", str(caught.exception))
        self.assertIn(self.user_salesman_2.name, str(caught.exception))
        self.assertNotIn("Pool Client", str(caught.exception))
        # nothing of the selection changed: the pool client is not lost either
        self.assertNotEqual(self.pool_client.client_stage, "lost")
        self.assertFalse(self.theirs.client_churn_date)
        # the head of sales closes any client
        self._mark_lost(self.user_manager, self.theirs)
        self.assertEqual(self.theirs.client_stage, "lost")

    def test_a_salesperson_takes_a_pool_client_by_handing_it_to_himself(self):
        self._handover(self.user_salesman, self.pool_client, self.user_salesman)
        self.assertEqual(self.pool_client.user_id, self.user_salesman)
        self.assertIn("Takes it", self.pool_client.message_ids[0].body)

    def test_a_pool_client_goes_to_a_colleague_only_by_a_manager(self):
        with self.assertRaisesRegex(UserError, "no manager yet") as caught:
            self._handover(self.user_salesman, self.pool_client, self.user_salesman_2)
        self.assertIn("Pool Client", str(caught.exception))
        self.assertFalse(self.pool_client.user_id)
        with self.assertRaisesRegex(UserError, "managed by someone else"):
            self._handover(self.user_salesman, self.theirs, self.user_salesman)
        self.assertEqual(self.theirs.user_id, self.user_salesman_2)
        self._handover(self.user_manager, self.pool_client, self.user_salesman_2)
        self.assertEqual(self.pool_client.user_id, self.user_salesman_2)

    def test_the_refusals_are_translated(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(["clientbase_crm"], ["ru_RU"], overwrite=True)
        for attempt in (
            lambda: self._mark_lost(self.user_salesman, self.theirs, lang="ru_RU"),
            lambda: self._handover(self.user_salesman, self.pool_client, self.user_salesman_2, lang="ru_RU"),
        ):
            with self.assertRaises(UserError) as caught:
                attempt()
            message = str(caught.exception)
            self.assertRegex(message, "[а-яА-Я]{4}", message)
