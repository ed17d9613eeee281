from odoo import fields, models
from odoo.tools import SQL


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

    def _clientbase_journey_recipients_domain(self):
        """The recipients of a journey's mailing: the clients whose history holds it (written
        with the mailing, in the same transaction), one condition however many they are, on a
        field that whoever may open the mailing may read (res_partner_journeys.py)."""
        self.ensure_one()
        return [("client_journey_mailing_ids", "in", [self.id])]

    def _get_recipients(self):
        """A journey's message still in the queue is not sent to a client who reached the
        journey's goal (ordered) since he entered: a win-back message never lands after the
        client came back, however late the queue runs."""
        res_ids = super()._get_recipients()
        journey = self.clientbase_journey_step_id.journey_id
        if not res_ids or journey.goal != "order" or self.mailing_model_real != "res.partner":
            return res_ids
        self.env["sale.order"].flush_model()
        self.env["clientbase.journey.history"].flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT m.partner_id FROM clientbase_journey_history jh
                  JOIN clientbase_journey_member m ON m.id = jh.member_id
                 WHERE jh.mailing_id = %s AND m.partner_id = ANY(%s)
                   AND EXISTS (SELECT 1 FROM sale_order so JOIN res_partner op ON op.id = so.partner_id
                                WHERE op.commercial_partner_id = m.partner_id AND so.state = 'sale'
                                  AND so.date_order >= m.entered_on)
                """,
                self.id,
                list(res_ids),
            )
        )
        came_back = {row[0] for row in rows}
        return [res_id for res_id in res_ids if res_id not in came_back]
