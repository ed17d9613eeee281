from odoo.addons.clientbase_crm.tests.translation_common import RussianTranslationChecks
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install", "clientbase_loyalty_i18n")
class TestRussianTranslation(RussianTranslationChecks, TransactionCase):
    """Russian is our first market: every string the addon adds is translated."""

    MODULE = "clientbase_loyalty"
    MENU = "clientbase_loyalty.clientbase_loyalty_menu"
    MENU_RU = "Лояльность"
