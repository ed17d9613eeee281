import os

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader


@tagged("post_install", "-at_install", "clientbase_loyalty_i18n")
class TestRussianTranslation(TransactionCase):
    """Russian is our first market: every string the addon adds is translated."""

    def test_every_term_has_a_russian_translation(self):
        po_path = os.path.join(get_module_path("clientbase_loyalty"), "i18n", "ru.po")
        self.assertTrue(os.path.exists(po_path), "clientbase_loyalty/i18n/ru.po is missing")
        translated = {entry.msgid for entry in polib.pofile(po_path) if entry.msgstr and not entry.obsolete}
        reader = TranslationModuleReader(self.env.cr, modules=["clientbase_loyalty"])
        sources = {source for module, _type, _name, _res_id, source, _value, _comments in reader if source}
        missing = sorted(sources - translated)
        self.assertFalse(
            missing,
            "%d term(s) lack a Russian translation in i18n/ru.po, e.g.: %s" % (len(missing), missing[:15]),
        )

    def test_russian_loads_and_translates_the_menu(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(["clientbase_loyalty"], ["ru_RU"], overwrite=True)
        menu = self.env.ref("clientbase_loyalty.clientbase_loyalty_menu").with_context(lang="ru_RU")
        self.assertEqual(menu.name, "Лояльность")
