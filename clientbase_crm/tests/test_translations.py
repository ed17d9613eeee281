from odoo.tests import TransactionCase, tagged

from .translation_common import RussianTranslationChecks


@tagged("post_install", "-at_install", "clientbase_i18n")
class TestRussianTranslation(RussianTranslationChecks, TransactionCase):
    """Russian is our first market: every string the addon adds is translated."""

    MODULE = "clientbase_crm"
    MENU = "clientbase_crm.clientbase_crm_menu_root"
    MENU_RU = "Клиентская база"
