"""What every addon of the client base holds of its Russian translation (Russian is our first
market): the test of clientbase_crm and of the addons beside it (clientbase_loyalty) alike."""

import os

import polib

from odoo.modules.module import get_module_path
from odoo.tools.translate import TranslationModuleReader


class RussianTranslationChecks:
    """Mixed into a ``TransactionCase`` that names ``MODULE`` and a menu (``MENU``, its
    Russian name ``MENU_RU``) that must show in Russian once the language is loaded."""

    MODULE = None
    MENU = None
    MENU_RU = None
    # Odoo's loader runs only the test methods a class defines itself, unless told otherwise
    allow_inherited_tests_method = True

    def test_every_term_has_a_russian_translation(self):
        po_path = os.path.join(get_module_path(self.MODULE), "i18n", "ru.po")
        self.assertTrue(os.path.exists(po_path), f"{self.MODULE}/i18n/ru.po is missing")
        translated = {entry.msgid for entry in polib.pofile(po_path) if entry.msgstr and not entry.obsolete}
        reader = TranslationModuleReader(self.env.cr, modules=[self.MODULE])
        sources = {source for module, _type, _name, _res_id, source, _value, _comments in reader if source}
        missing = sorted(sources - translated)
        self.assertFalse(
            missing,
            "%d term(s) lack a Russian translation in i18n/ru.po, e.g.: %s" % (len(missing), missing[:15]),
        )

    def test_russian_loads_and_translates_the_menu(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms([self.MODULE], ["ru_RU"], overwrite=True)
        menu = self.env.ref(self.MENU).with_context(lang="ru_RU")
        self.assertEqual(menu.name, self.MENU_RU)
