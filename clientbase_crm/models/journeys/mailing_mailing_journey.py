from odoo import fields, models


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    clientbase_journey_step_id = fields.Many2one(
        "clientbase.journey.step",
        string="Journey Step",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        help="The journey step whose due members this mailing was queued for.",
    )
