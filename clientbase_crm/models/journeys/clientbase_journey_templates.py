"""The email templates of the ready journeys stay out of the way until their journey is used.

The ready journeys ship switched off, each with its email templates on the client
(``res.partner``). Active, those templates would fill the list every mail composer on a
contact offers (Odoo shows the first seven templates without an owner, by name), pushing the
company's own templates out of it, for messages nobody sends by hand. So they ship archived, and
a journey switched on (or a step added to a switched-on journey) brings the templates of its
steps back; an archived template still renders for its journey, and opens from the step.
Databases of earlier versions get the same state from their update step
(:meth:`_archive_idle_ready_templates`).
"""

from odoo import api, models

# the addons whose shipped email templates belong to the ready journeys
READY_JOURNEY_MODULES = ("clientbase_crm", "clientbase_loyalty")


class ClientbaseJourney(models.Model):
    _inherit = "clientbase.journey"

    @api.model_create_multi
    def create(self, vals_list):
        journeys = super().create(vals_list)
        journeys._activate_step_templates()
        return journeys

    def write(self, vals):
        res = super().write(vals)
        if vals.get("active") or "step_ids" in vals:
            self._activate_step_templates()
        return res

    def _activate_step_templates(self):
        """Bring back the archived email templates of the steps of the switched-on journeys
        among ``self`` (a marketer switching a journey on may not be a template editor: the
        templates are the journey's own)."""
        templates = self.filtered("active").step_ids.mail_template_id
        archived = templates.sudo().with_context(active_test=False).filtered(lambda t: not t.active)
        if archived:
            archived.write({"active": True})

    @api.model
    def _archive_idle_ready_templates(self):
        """Archive the shipped email templates of the ready journeys that no switched-on journey
        uses (the update step of databases where earlier versions shipped them active).

        :return: the templates archived
        """
        Template = self.env["mail.template"].sudo()
        shipped = (
            self.env["ir.model.data"]
            .sudo()
            .search([("module", "in", READY_JOURNEY_MODULES), ("model", "=", "mail.template")])
        )
        steps = self.env["clientbase.journey.step"].sudo().with_context(active_test=False)
        used = steps.search([("mail_template_id", "in", shipped.mapped("res_id"))])
        in_use = used.filtered(lambda s: s.journey_id.active).mail_template_id
        idle = Template.browse(used.mail_template_id.ids) - in_use
        idle = idle.filtered("active")
        idle.write({"active": False})
        return idle


class ClientbaseJourneyStep(models.Model):
    _inherit = "clientbase.journey.step"

    @api.model_create_multi
    def create(self, vals_list):
        steps = super().create(vals_list)
        steps.journey_id._activate_step_templates()
        return steps

    def write(self, vals):
        res = super().write(vals)
        if "mail_template_id" in vals:
            self.journey_id._activate_step_templates()
        return res
