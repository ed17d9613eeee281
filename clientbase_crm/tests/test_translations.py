import re

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

    def test_rendered_counts_read_right_for_every_number(self):
        """Where a screen writes a number of clients in words (the mailing wizard's audience, the
        export's filter sheet), the Russian text reads right for 1, 2, 5, 11 and 21 clients alike
        ("1 клиент / 2 клиента / 5 клиентов" need three forms): the count stands after a colon,
        never glued to a noun that would agree with only some numbers."""
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms([self.MODULE], ["ru_RU"], overwrite=True)
        Partner = self.env["res.partner"]
        clients = Partner.create([{"name": f"Клиент {n}", "is_company": True} for n in range(21)])
        glued = re.compile(r"\d+\s+клиент")
        for count in (1, 2, 5, 11, 21):
            with self.subTest(count=count):
                shown = (
                    self.env["clientbase.mailing.wizard"]
                    .with_context(lang="ru_RU", active_model="res.partner", active_ids=clients[:count].ids)
                    .default_get(["target_description", "target_domain"])["target_description"]
                )
                self.assertEqual(shown, f"Выбрано клиентов: {count}")
                self.assertNotRegex(shown, glued)
