import logging

from odoo import Command, api, models

_logger = logging.getLogger(__name__)

DEMO_LANG = "ru_RU"
# the marketer of the demo: prepares mailings for the whole base, handles no client
DEMO_MARKETER = ("marketer", "Соколова Анна Павловна")
# where each demo user lands after login (their home action)
HOME_SALESPERSON = "clientbase_crm.res_partner_action_clients"  # opens on My Clients for them
HOME_HEAD_OF_SALES = "clientbase_crm.clientbase_dashboard_action"
HOME_MARKETER = "clientbase_crm.clientbase_segment_action"
HOME_ADMIN = "clientbase_crm.res_partner_action_clients"


class ClientbaseDemoGenerator(models.AbstractModel):
    """The demo company and its people: a Russian company selling in rubles, Russian installed,
    the demo users with the rights of their role and the screen each lands on after login."""

    _inherit = "clientbase.demo.generator"

    @api.model
    def _demo_install_language(self, lang=DEMO_LANG):
        """Activate ``lang`` and load its translations of every installed module, once: the
        admin may switch to it in his preferences, the demo users work in it."""
        Lang = self.env["res.lang"].with_context(active_test=False)
        if Lang.search([("code", "=", lang), ("active", "=", True)]):
            return False
        Lang._activate_lang(lang)
        self.env["ir.module.module"].search([("state", "=", "installed")])._update_translations(lang)
        return True

    @api.model
    def _demo_setup_company(self):
        """The demo company is Russian and counts in rubles. Its currency changes only on a
        base without orders or journal items (a first run): a later run keeps what is there."""
        company = self.env.company
        rub = self.env.ref("base.RUB")
        company.partner_id.write({"country_id": self.env.ref("base.ru").id, "city": "Москва"})
        if company.currency_id == rub:
            return company
        has_moves = "account.move.line" in self.env and self.env["account.move.line"].search_count(
            [("company_id", "=", company.id)], limit=1
        )
        if has_moves or self.env["sale.order"].search_count([("company_id", "=", company.id)], limit=1):
            _logger.info("Demo company %s keeps its currency: it has orders or entries", company.name)
            return company
        rub.active = True
        company.currency_id = rub
        pricelists = (
            self.env["product.pricelist"]
            .with_context(active_test=False)
            .search([("company_id", "in", (company.id, False))])
        )
        pricelists.write({"currency_id": rub.id})
        return company

    @api.model
    def _demo_setup_users(self, managers):
        """Rights and landing screen of each demo user; Russian for the demo staff. Returns the
        marketer. Idempotent: a later ``make run`` gives an existing demo base the same roles."""
        mailing_group = self.env.ref("mass_mailing.group_mass_mailing_user")
        head_group = self.env.ref("clientbase_crm.group_clientbase_manager")
        lang = DEMO_LANG if self.env["res.lang"]._lang_get(DEMO_LANG) else False
        users = self.env["res.users"].with_context(active_test=False)
        login, name = DEMO_MARKETER
        marketer = users.search([("login", "=", login)], limit=1) or users.create(
            {
                "login": login,
                "password": login,
                "name": name,
                "email": f"{login}@example.ru",
                "groups_id": [Command.link(head_group.id)],
            }
        )
        heads = managers.filtered(lambda u: u.has_group("clientbase_crm.group_clientbase_manager"))
        # the head of sales and the marketer prepare mailings (Email and SMS Marketing)
        (heads | marketer).write({"groups_id": [Command.link(mailing_group.id)]})
        # the head of sales reads every order of the team: his role implies Sales: All Documents
        for xmlid, people in (
            (HOME_SALESPERSON, managers - heads),
            (HOME_HEAD_OF_SALES, heads),
            (HOME_MARKETER, marketer),
            (HOME_ADMIN, self.env.ref("base.user_admin")),
        ):
            people.write({"action_id": self.env.ref(xmlid).id})
        if lang:
            (managers | marketer).write({"lang": lang})
        return marketer
