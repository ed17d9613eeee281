from odoo.tests import tagged

from .test_journeys import JourneyCommon

# Odoo's mail composer lists this many templates of the record's model without an owner
COMPOSER_LIST = 7


@tagged("post_install", "-at_install", "clientbase_journeys")
class TestJourneyTemplates(JourneyCommon):
    """The ready journeys' email templates do not fill the mail composers' list on a contact
    while their journey is off, and are there as soon as it is switched on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Journey = cls.env["clientbase.journey"].with_context(active_test=False)
        cls.ready = Journey.search([("step_ids.mail_template_id", "!=", False)])
        cls.ready_templates = cls.ready.step_ids.mail_template_id
        cls.winback = cls.env.ref("clientbase_crm.journey_winback")

    def _composer_list(self, limit=COMPOSER_LIST):
        """The templates the mail composer on a contact offers a user without templates of his
        own (the same search as Odoo's template selector)."""
        return self.env["mail.template"].search(
            [("model", "=", "res.partner"), ("user_id", "=", False)], limit=limit
        )

    def test_templates_of_journeys_off_are_not_offered(self):
        self.assertTrue(self.ready_templates, "the ready journeys ship email templates")
        off = self.ready.filtered(lambda j: not j.active)
        self.assertIn(self.winback, off)
        idle = off.step_ids.mail_template_id - self.ready.filtered("active").step_ids.mail_template_id
        self.assertTrue(idle)
        self.assertFalse(idle & self._composer_list(limit=None))
        # a template of the company's own stays first in the list
        own = self.env["mail.template"].create(
            {"name": "Our offer", "model_id": self.env.ref("base.model_res_partner").id}
        )
        self.assertIn(own, self._composer_list())

    def test_a_journey_switched_on_brings_its_templates_back(self):
        template = self.winback.step_ids.mail_template_id
        self.assertFalse(template.active)
        self.winback.with_user(self.marketer).write({"active": True})
        self.assertTrue(template.active)
        self.assertIn(template, self._composer_list(limit=None))
        # a step added to a journey that is on, with an archived template, brings it back too
        other = (self.ready_templates - template).filtered(lambda t: not t.active)[:1]
        self.assertTrue(other)
        self.env["clientbase.journey.step"].with_user(self.marketer).create(
            {
                "journey_id": self.winback.id,
                "sequence": 99,
                "name": "A second message",
                "kind": "email",
                "mail_template_id": other.id,
            }
        )
        self.assertTrue(other.active)

    def test_update_step_archives_what_earlier_versions_left_active(self):
        Journey = self.env["clientbase.journey"]
        # as an earlier version left them: every shipped template active, one journey on
        self.ready_templates.write({"active": True})
        self.winback.write({"active": True})
        in_use = self.ready.filtered("active").step_ids.mail_template_id
        archived = Journey._archive_idle_ready_templates()
        self.assertEqual(archived, self.ready_templates - in_use)
        self.assertTrue(all(t.active for t in in_use))
        self.assertFalse(any(t.active for t in archived))
        # a second run archives nothing more
        self.assertFalse(Journey._archive_idle_ready_templates())
        # a journey's template still renders while archived (its journey sends it when on)
        rendered = archived[:1]._render_field("subject", self.client_person.ids)
        self.assertTrue(rendered[self.client_person.id])
