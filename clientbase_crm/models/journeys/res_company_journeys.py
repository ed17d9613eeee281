from odoo import api, fields, models

BIRTHDAY_JOURNEY = "clientbase_crm.journey_birthday"


class ResCompany(models.Model):
    _inherit = "res.company"

    # the setting of the former hard-wired greeting, kept as the switch of its journey
    clientbase_birthday_greeting = fields.Boolean(
        string="Send Birthday Greetings",
        compute="_compute_clientbase_birthday_greeting",
        inverse="_inverse_clientbase_birthday_greeting",
        help="Switches the company's journey Birthday greeting on or off: on the day, a greeting by email, "
        "then by SMS, to the clients who consented to greetings on that channel.",
    )

    def _birthday_journeys(self):
        return (
            self.env["clientbase.journey"]
            .sudo()
            .with_context(active_test=False)
            .search([("trigger", "=", "birthday"), ("company_id", "in", self.ids)])
        )

    @api.depends_context("uid")
    def _compute_clientbase_birthday_greeting(self):
        active = self._birthday_journeys().filtered("active").company_id
        for company in self:
            company.clientbase_birthday_greeting = company in active

    def _inverse_clientbase_birthday_greeting(self):
        journeys = self._birthday_journeys()
        ready = self.env.ref(BIRTHDAY_JOURNEY, raise_if_not_found=False)
        for company in self:
            own = journeys.filtered(lambda j, c=company: j.company_id == c)
            if not company.clientbase_birthday_greeting:
                own.filtered("active").write({"active": False})
            elif own:
                # the ready journey first, else the company's own birthday journeys
                (own.filtered(lambda j: j == ready) or own).write({"active": True})
            elif ready:
                # another company: a copy of the ready journey, its own
                ready.sudo().copy({"company_id": company.id, "name": ready.name, "active": True})
