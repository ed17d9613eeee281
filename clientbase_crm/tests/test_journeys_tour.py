from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .common import ClientbaseHttpCommon
from .test_first_day_tours import screenshot_at_the_end


@tagged("post_install", "-at_install", "clientbase_journeys", "clientbase_tour")
class TestJourneyTours(ClientbaseHttpCommon):
    """Journeys in the browser: a marketer previews, tests and switches on the ready win-back
    journey; a salesperson pauses it on his client's card."""

    def test_marketer_and_salesperson_tours(self):
        marketer = self._marketer()
        lapsed = self.env["res.partner"].create(
            {"name": "Tour Lapsed", "email": "lapsed@tourmail.example.com", "user_id": self.user_salesman.id}
        )
        self._consent(lapsed)
        journey = self.env.ref("clientbase_crm.journey_winback")
        history = self.env["clientbase.segment.history"].sudo()
        event = {
            "partner_id": lapsed.id,
            "company_id": self.env.company.id,
            "dimension": "stage",
            "old_value": "active",
            "new_value": "inactive",
        }
        history.create(event)
        sent = []
        with patch.object(type(self.env["mail.mail"]), "send", lambda mails, *a, **k: sent.extend(mails.ids)):
            self.start_tour(
                "/odoo/action-clientbase_crm.clientbase_journey_action",
                "clientbase_journey_marketer_tour",
                login=marketer.login,
            )
        self.assertTrue(journey.active)
        self.assertFalse(journey.member_ids, "previewing and testing enrol nobody")
        mail = self.env["mail.mail"].sudo().browse(sent)
        self.assertEqual(mail.email_to, marketer.email)
        self.assertIn("Tour Lapsed", mail.body_html)
        # switched on, it takes the events from then on
        history.create(event)
        self.env["clientbase.journey"]._run_enrolment(journey)
        member = journey.member_ids
        self.assertEqual(member.partner_id, lapsed)
        if member.holdout:
            member.sudo().write({"holdout": False, "state": "running"})
        self.start_tour(
            f"/odoo/action-base.action_partner_form/{lapsed.id}",
            "clientbase_journey_salesperson_tour",
            login=self.user_salesman.login,
        )
        self.assertTrue(member.paused)


@tagged("post_install", "-at_install", "clientbase_journeys", "clientbase_tour")
class TestJourneyResultsInTheBrowser(ClientbaseHttpCommon):
    """A marketer working in Russian reads the win-back journey three weeks after switching it
    on: its form and its results by step. With $CLIENTBASE_SCREENSHOTS set, both are saved there
    (``journey_form.png``, ``journey_results.png``)."""

    def _three_weeks_of_winback(self):
        """30 clients became inactive 21 days ago: the message, a week's wait, the branch on
        "opened", a call for those who read it; some ordered, one unsubscribed."""
        journey = self.env.ref("clientbase_crm.journey_winback")
        self.env.company.partner_id.tz = "UTC"
        self.env.company.write({"client_mailing_cap_count": 0, "client_mailing_cap_days": 0})
        start = fields.Datetime.now().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=21)
        names = ["Иван Петров", "Анна Смирнова", "ООО Ромашка", "ИП Соколов", "Мария Кузнецова", "АО Вектор"]
        clients = self.env["res.partner"].create(
            [
                {
                    "name": f"{names[i % len(names)]} {i + 1}",
                    "email": f"winback{i}@example.com",
                    "is_company": True,
                    "user_id": self.user_salesman.id,
                }
                for i in range(30)
            ]
        )
        for client in clients:
            self._consent(client, date=start - timedelta(days=30))
        with freeze_time(start - timedelta(hours=1)):
            journey.write({"active": True, "holdout_percent": 20})
        with freeze_time(start):
            self.env["clientbase.segment.history"].sudo().create(
                [
                    {
                        "partner_id": client.id,
                        "company_id": self.env.company.id,
                        "dimension": "stage",
                        "old_value": "active",
                        "new_value": "inactive",
                    }
                    for client in clients
                ]
            )
            self.env["clientbase.journey"]._run(journey)
            history = self.env["clientbase.journey.history"].search(
                [("journey_id", "=", journey.id), ("result", "=", "queued")]
            )
            history.mailing_id.action_send_mail()
            traces = self.env["mailing.trace"].search([("mass_mailing_id", "in", history.mailing_id.ids)])
            traces.set_sent()
            traces.filtered(lambda t: t.res_id % 2).set_opened()
            traces.filtered(lambda t: t.res_id % 4 == 1).set_clicked()
        treated = history.partner_id
        with freeze_time(start + timedelta(days=3)):
            for client in treated[:4]:
                self._order(client, amount=1500)
            self.env["mail.blacklist"].sudo()._add(treated[-1].email)
            for client in (clients - treated)[:1]:
                self._order(client, amount=1200)
        with freeze_time(start + timedelta(days=8)):
            self.env["clientbase.journey"]._run(journey)
        with freeze_time(start + timedelta(days=12)):
            for client in treated[4:6]:
                self._order(client, amount=2300)
        return journey

    def test_journey_form_and_results(self):
        journey = self._three_weeks_of_winback()
        self.assertTrue(journey.result_treated and journey.result_holdout)
        steps = self.env["clientbase.journey.step.result"]._read_group(
            [("journey_id", "=", journey.id)], ["step_id"], ["reached:sum"]
        )
        # the entry and every step, each reached (clientbase_loyalty adds a code step to win-back)
        self.assertEqual(len(steps), len(journey.step_ids) + 1, "the entry and every step, each reached")
        # the marketer works in Russian: the README's pictures show the Russian screens
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(["clientbase_crm"], ["ru_RU"], overwrite=True)
        marketer = self._marketer()
        marketer.lang = "ru_RU"
        self.browser_size = "1920x1080"
        url = f"/odoo/action-clientbase_crm.clientbase_journey_action/{journey.id}"
        with screenshot_at_the_end("journey_form.png"):
            self.start_tour(url, "clientbase_journey_form_tour", login=marketer.login)
        with screenshot_at_the_end("journey_results.png"):
            self.start_tour(url, "clientbase_journey_results_tour", login=marketer.login)
