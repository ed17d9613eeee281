from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """The company's bonus points: its Odoo loyalty program (points on confirmed orders as Odoo
    gives them) and the points granted once per client-base event (``clientbase.loyalty.grant``);
    an event worth 0 points grants nothing."""

    _inherit = "res.company"

    client_bonus_program_id = fields.Many2one(
        "loyalty.program",
        string="Bonus Points Program",
        domain="[('program_type', '=', 'loyalty'), ('company_id', 'in', [id, False])]",
        help="The loyalty program whose cards hold the clients' bonus points: the events below add "
        "points to the client's card of this program.",
    )
    client_bonus_birthday = fields.Float(string="Points on the Birthday", digits=(16, 2))
    client_bonus_questionnaire = fields.Float(string="Points for the Questionnaire", digits=(16, 2))
    client_bonus_subscription = fields.Float(string="Points for Subscribing", digits=(16, 2))
    client_bonus_referrer = fields.Float(
        string="Points for a Referred Friend",
        digits=(16, 2),
        help="Given to the client whose code the friend used.",
    )
    client_bonus_referred = fields.Float(
        string="Points for Coming by Referral",
        digits=(16, 2),
        help="Given to the new client whose first order carries another client's referral code.",
    )

    @api.constrains(
        "client_bonus_program_id",
        "client_bonus_birthday",
        "client_bonus_questionnaire",
        "client_bonus_subscription",
        "client_bonus_referrer",
        "client_bonus_referred",
    )
    def _check_client_bonus(self):
        for company in self:
            program = company.client_bonus_program_id
            if program and (
                program.program_type != "loyalty" or program.company_id not in (company, program.browse())
            ):
                raise ValidationError(
                    self.env._("The bonus points program must be a Loyalty Cards program of the company.")
                )
            if (
                min(
                    company.client_bonus_birthday,
                    company.client_bonus_questionnaire,
                    company.client_bonus_subscription,
                    company.client_bonus_referrer,
                    company.client_bonus_referred,
                )
                < 0
            ):
                raise ValidationError(self.env._("Bonus points granted for an event cannot be negative."))
