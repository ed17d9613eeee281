from odoo import api, fields, models

BIRTHDAY_JOURNEY = "clientbase_crm.journey_birthday"
# the ready journey every company has, as the hard-wired rule it replaces did: a copy per company
WINBACK_REMINDER_JOURNEY = "clientbase_crm.journey_winback_reminder"


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

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._clientbase_ensure_winback_reminder()
        return companies

    @api.model
    def _clientbase_ensure_winback_reminders(self):
        """Every company gets its win-back reminder (at install and update: the companies made
        before this version)."""
        self.sudo().search([("active", "=", True)])._clientbase_ensure_winback_reminder()

    def _clientbase_ensure_winback_reminder(self):
        """A copy of the ready win-back reminder for each of these companies that has none: the
        former rule reminded the managers of every company. A company whose reminder was deleted
        gets it back at the next update; an archived one stays archived."""
        ready = self.env.ref(WINBACK_REMINDER_JOURNEY, raise_if_not_found=False)
        if not ready:
            return
        ready = ready.sudo()
        Journey = self.env["clientbase.journey"].sudo().with_context(active_test=False)
        have = Journey.search(
            [
                ("company_id", "in", self.ids),
                ("trigger", "=", "date_field"),
                ("trigger_date_field_id", "=", ready.trigger_date_field_id.id),
            ]
        ).company_id
        for company in self - have - ready.company_id:
            # run with the rights of the ready journey's user where he works, else of the user
            # who made the company when he works in the client base (the conditions are never
            # evaluated as superuser; a creator outside the client base, e.g. a sales manager
            # without its group, could not read them and the company could not be made)
            user = ready.user_id
            creator = self.env.user
            if (
                company not in user.company_ids
                and company in creator.company_ids
                and not creator._is_superuser()
                and creator.has_group("clientbase_crm.group_clientbase_user")
            ):
                user = self.env.user
            ready.copy({"company_id": company.id, "name": ready.name, "user_id": user.id})

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
