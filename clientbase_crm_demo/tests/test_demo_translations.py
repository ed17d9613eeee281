from odoo.addons.clientbase_crm.tests.translation_common import RussianTranslationChecks
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install", "clientbase_demo")
class TestDemoTranslations(TransactionCase):
    """The demo addon's own terms have their Russian translation, as the base's do (the demo
    addon has no menu of its own: the menu check of the base is not repeated here)."""

    MODULE = "clientbase_crm_demo"

    def test_every_term_has_a_russian_translation(self):
        RussianTranslationChecks.test_every_term_has_a_russian_translation(self)
