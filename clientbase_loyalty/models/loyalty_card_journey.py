from odoo import fields, models
from odoo.tools import SQL, sql

JOURNEY_MEMBER_INDEX = "loyalty_card_clientbase_journey_member_step_uniq"


class LoyaltyCard(models.Model):
    """A personal code issued by a journey step: the step and the client's entry in the journey
    (``clientbase_journey_step_loyalty.py``)."""

    _inherit = "loyalty.card"

    clientbase_journey_step_id = fields.Many2one(
        "clientbase.journey.step",
        string="Journey Step",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        help="The journey step that issued this personal code.",
    )
    clientbase_journey_member_id = fields.Many2one(
        "clientbase.journey.member",
        string="Journey Entry",
        readonly=True,
        ondelete="set null",
        help="The client's entry in the journey this code was issued for.",
    )

    def init(self):
        res = super().init()
        # one code per entry in a journey and step, whatever runs twice or at once
        if not sql.index_exists(self.env.cr, JOURNEY_MEMBER_INDEX):
            self.env.cr.execute(
                SQL(
                    "CREATE UNIQUE INDEX %s ON loyalty_card (clientbase_journey_member_id, clientbase_journey_step_id)"
                    " WHERE clientbase_journey_member_id IS NOT NULL",
                    SQL.identifier(JOURNEY_MEMBER_INDEX),
                )
            )
        return res
