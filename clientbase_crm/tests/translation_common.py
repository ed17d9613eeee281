"""What every addon of the client base holds of its Russian translation (Russian is our first
market): the test of clientbase_crm and of the addons beside it (clientbase_loyalty) alike."""

import os
import re

import polib

from odoo.modules.module import get_module_path
from odoo.tools.translate import TranslationModuleReader

# Words Russian users keep in Latin, by the convention of Russian CRM and marketing software
# (amoCRM, Bitrix24, Russian marketing texts): names of methods and metrics (RFM, ABC, LTV, ROI,
# UTM, B2B/B2C), of channels and formats (SMS, email, CSV, Excel, vCard, JSON, UTF-8,
# Windows-1251), of products (Odoo, Font Awesome) and the VIP of a "VIP-клиент"; a letter
# standing for a number (N) or for a class (A, B, C); and technical words a user types in a
# search (true, false), an identifier (ID), an API's name (RPC, export_data) or Odoo's UTM "medium".
LATIN_BY_CONVENTION = frozenset(
    {
        "RFM", "ABC", "LTV", "ROI", "UTM", "B2B", "B2C", "VIP",
        "SMS", "email", "Email", "CSV", "Excel", "XLSX", "vCard", "JSON", "UTF", "Windows",
        "Odoo", "Font", "Awesome",
        "N", "A", "B", "C",
        "ID", "true", "false", "RPC", "export_data", "medium",
    }
)  # fmt: skip
# what is not a word of the text: markup, placeholders, addresses, icon names
NOT_TEXT = re.compile(
    r"<[^>]*>|%\(\w+\)[sd]|%[sd]|\{\{[^}]*\}\}|\S+@\S+|https?://\S+|\b[\w.-]+\.(?:com|ru|example)\b|\bfa-[\w-]+"
)
# Russian words whose form depends on the number before them (1 день, 2 дня, 5 дней): a
# translation never puts a number or a placeholder before one, nor begins with one (the view
# would put a number before it); it says "Дней с последнего заказа: 92" instead.
COUNT_WORDS = (
    r"(?:дн(?:ей|я|ь)|лет|год(?:а|ов)?|месяц(?:а|ев)?|недел(?:ь|и|я|ю)|клиент(?:а|ов)?|заказ(?:а|ов)?|"
    r"раз(?:а)?|запис(?:ей|и|ь)|час(?:а|ов)?|минут(?:ы|а)?|получател(?:ей|я|ь)|контакт(?:а|ов)?|"
    r"строк(?:и|а)?|письм(?:а|о)|писем|сообщени(?:й|я|е))"
)
NUMBER_BEFORE_COUNT_WORD = re.compile(r"(?:%\(\w+\)[sd]|%[sd]|\{\w*\})\s+" + COUNT_WORDS + r"\b")
STARTS_WITH_COUNT_WORD = re.compile(r"^\s*" + COUNT_WORDS + r"\b")


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

    def _russian_entries(self):
        po_path = os.path.join(get_module_path(self.MODULE), "i18n", "ru.po")
        return [entry for entry in polib.pofile(po_path) if entry.msgstr and not entry.obsolete]

    def test_no_term_left_in_latin(self):
        """Every translation is Russian but for the words kept in Latin by convention."""
        latin = {}
        for entry in self._russian_entries():
            text = NOT_TEXT.sub(" ", entry.msgstr)
            words = set(re.findall(r"[A-Za-z][A-Za-z0-9_]*", text)) - LATIN_BY_CONVENTION
            if words:
                latin[entry.msgid[:60]] = sorted(words)
        self.assertFalse(latin, "Latin words left in the Russian translation: %s" % latin)

    def test_no_number_glued_to_a_count_word(self):
        """Russian plural forms depend on the number: no "%(count)s записей", no "дней с
        последнего заказа" after a number in a view; the count goes after a colon."""
        glued = []
        for entry in self._russian_entries():
            text = re.sub(r"<[^>]*>", " ", entry.msgstr)
            if NUMBER_BEFORE_COUNT_WORD.search(text) or STARTS_WITH_COUNT_WORD.search(text):
                glued.append(entry.msgstr)
        self.assertFalse(glued, "Count words after a number (wrong plural forms): %s" % glued[:10])

    def test_russian_loads_and_translates_the_menu(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms([self.MODULE], ["ru_RU"], overwrite=True)
        menu = self.env.ref(self.MENU).with_context(lang="ru_RU")
        self.assertEqual(menu.name, self.MENU_RU)
