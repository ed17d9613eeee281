"""The first day in the browser, in Russian (issue 28): a salesperson on a 1366x768 screen, and
the head of sales and the administrator on a 1920x1080 one, log in and land on the client base,
open a client card, a colleague's client, the funnel by stage and the dashboard; the head of
sales and the marketer prepare a mailing for a segment. With $CLIENTBASE_SCREENSHOTS set (as `make screenshots` does), the
card and the dashboard are saved there at both sizes, and the mailing the marketer prepared."""

import base64
import contextlib
import os
import pathlib
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tests.common import ChromeBrowser

from .common import ClientbaseHttpCommon

SCREENSHOTS = os.environ.get("CLIENTBASE_SCREENSHOTS")


def screenshot_at_the_end(name):
    """Save what the browser shows when the tour ends (only with $CLIENTBASE_SCREENSHOTS)."""
    stop = ChromeBrowser.stop

    def stop_after_screenshot(browser):
        if SCREENSHOTS and hasattr(browser, "ws"):
            shot = browser._websocket_request("Page.captureScreenshot", params={"format": "png"}, timeout=30)
            path = pathlib.Path(SCREENSHOTS) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(base64.b64decode(shot["data"]))
        return stop(browser)

    return patch.object(ChromeBrowser, "stop", stop_after_screenshot)


@tagged("post_install", "-at_install", "clientbase_work", "clientbase_tour")
class TestFirstDayTours(ClientbaseHttpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.client_pool_visible = False
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.env["ir.module.module"]._load_module_terms(["clientbase_crm"], ["ru_RU"], overwrite=True)
        (cls.user_salesman | cls.user_manager).write({"lang": "ru_RU"})
        cls.colleague_client = cls._client("Клиент коллеги", user_id=cls.user_salesman_2.id)
        product = cls._product(price=100.0)
        for client, amount, days_ago in (
            (cls.client_company, 700, 20),
            (cls.client_company, 300, 5),
            (cls.client_person, 150, 40),
            (cls.colleague_client, 900, 10),
        ):
            cls._order(client, amount=amount, days_ago=days_ago, product=product)
        cls._log_interaction(cls.client_company, user=cls.user_salesman)
        cls.env["clientbase.client.figures"]._recompute_all(full=True)
        cls.env["clientbase.report.monthly"]._cron_refresh()

    def _screens(self, user, size, hidden_expected, shots=True):
        self.browser_size = size
        # the login lands on the client base (a salesperson on his own clients)
        landing = "clientbase_fd_landing_mine_tour" if hidden_expected else "clientbase_fd_landing_tour"
        self.start_tour("/odoo", landing, login=user.login)
        client_url = f"/odoo/action-clientbase_crm.res_partner_action_clients/{self.client_company.id}"
        with self._screenshot_at_the_end(f"client_card_{size}.png" if shots else None):
            self.start_tour(client_url, "clientbase_fd_card_tour", login=user.login)
        colleague_url = f"/odoo/action-clientbase_crm.res_partner_action_clients/{self.colleague_client.id}"
        if hidden_expected:
            self.start_tour(colleague_url, "clientbase_fd_hidden_card_tour", login=user.login)
        else:
            # the head of sales reads every client: the colleague's client shows its header
            self.start_tour(colleague_url, "clientbase_fd_card_tour", login=user.login)
        self.start_tour(
            "/odoo/action-clientbase_crm.res_partner_action_clientbase_by_stage",
            "clientbase_fd_funnel_tour",
            login=user.login,
        )
        with self._screenshot_at_the_end(f"dashboard_{size}.png" if shots else None):
            self.start_tour(
                "/odoo/action-clientbase_crm.clientbase_dashboard_action",
                "clientbase_fd_dashboard_tour",
                login=user.login,
            )

    def _screenshot_at_the_end(self, name):
        return screenshot_at_the_end(name) if name else contextlib.nullcontext()

    def test_head_of_sales_prepares_a_mailing(self):
        """The head of sales (Email Marketing user, as in the demo), in Russian, prepares a
        mailing for a segment: the wizard counts the clients who consented, whichever
        salesperson handles them, and the mailing goes to them and to nobody else."""
        self.user_manager.groups_id |= self.env.ref("mass_mailing.group_mass_mailing_user")
        self._prepare_a_mailing(self.user_manager)

    def test_marketer_prepares_a_mailing_1366(self):
        """The marketer of the demo (a client base manager with Email Marketing), in Russian on
        a 1366x768 screen, prepares the same mailing: a non-zero audience, all of it consented."""
        marketer = self._marketer()
        marketer.lang = "ru_RU"
        self.browser_size = "1366x768"
        with self._screenshot_at_the_end("mailing_marketer_1366x768.png"):
            self._prepare_a_mailing(marketer)

    def _prepare_a_mailing(self, user):
        clients, segment = self._mailing_segment(
            "Подписчики весны",
            "@fdmail.example.com",
            [
                (f"Рассылка Клиент {n}", f"client{n}@fdmail.example.com", user)
                for n, user in enumerate((self.user_salesman, self.user_salesman_2, self.user_salesman), 1)
            ],
            consented=2,
            template=(
                "Весеннее предложение",
                "Весеннее предложение для {{ object.name }}",
                '<p>Здравствуйте, <t t-out="object.name"/></p>',
            ),
        )
        consented = clients[:2]
        self._start_tour_warm(
            f"/odoo/action-clientbase_crm.clientbase_segment_action/{segment.id}",
            "clientbase_fd_mailing_tour",
            user,
        )
        mailing = self.env["mailing.mailing"].search([("subject", "=like", "Весеннее предложение%")])
        self.assertEqual(len(mailing), 1)
        self.assertEqual(mailing.create_uid, user)
        self.assertEqual(set(mailing._get_recipients()), set(consented.ids))
        # Odoo's mailing job sends it: the consenting clients receive it, the third does not
        mailing.action_send_mail()
        self.assertEqual(set(mailing.mailing_trace_ids.mapped("res_id")), set(consented.ids))

    def test_salesperson_first_day_1366(self):
        self._screens(self.user_salesman, "1366x768", hidden_expected=True)

    def test_head_of_sales_first_day_1920(self):
        self._screens(self.user_manager, "1920x1080", hidden_expected=False)

    def test_admin_first_day_1920(self):
        """The administrator, in Russian, walks the same screens as the head of sales: he lands
        on the client base, reads every client's card, the funnel's counts and the dashboard."""
        admin = self.env.ref("base.user_admin")
        admin.write(
            {"lang": "ru_RU", "groups_id": [(4, self.env.ref("clientbase_crm.group_clientbase_manager").id)]}
        )
        self.assertTrue(admin.action_id, "the admin lands on the client base")
        self._screens(admin, "1920x1080", hidden_expected=False, shots=False)
