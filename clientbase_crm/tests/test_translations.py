from odoo.tests import TransactionCase, tagged

from .translation_common import RussianTranslationChecks


@tagged("post_install", "-at_install", "clientbase_i18n")
class TestRussianTranslation(RussianTranslationChecks, TransactionCase):
    """Russian is our first market: every string the addon adds is translated."""

    MODULE = "clientbase_crm"
    MENU = "clientbase_crm.clientbase_crm_menu_root"
    MENU_RU = "Клиентская база"

    def test_stage_and_warmth_names_agree_with_client(self):
        """The funnels' columns read as one list: every stage and warmth of a client is an
        adjective agreeing with "клиент" (masculine, singular, nominative): "Активный" beside
        "Неактивный", never "Активно" or "Потерян"."""
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms([self.MODULE], ["ru_RU"], overwrite=True)
        Partner = self.env["res.partner"].with_context(lang="ru_RU")
        for fname in ("client_stage", "client_warmth"):
            labels = dict(Partner._fields[fname]._description_selection(Partner.env))
            self.assertTrue(labels)
            # "Handled by colleagues", "Unassigned" and "Mailing only" are no stage nor warmth of
            # a client: they say whose a hidden client is, or that a contact is no client (groups
            # of the Clients list), in words of their own
            self.assertEqual(labels.pop("hidden"), "Ведут коллеги")
            self.assertEqual(labels.pop("unassigned"), "Без менеджера")
            self.assertEqual(labels.pop("mailing_only"), "Только рассылки")
            for value, label in labels.items():
                self.assertRegex(label, r"^[А-ЯЁ][а-яё]*(?:ый|ий|ой)$", (fname, value))
        self.assertEqual(
            dict(Partner._fields["client_stage"]._description_selection(Partner.env))["active"], "Активный"
        )
