from odoo import fields, models

CLIENT_RULES = [
    ("call_back", "Call Back"),
    ("birthday", "Birthday"),
    ("contact_due", "Contact Due"),
    ("potential_retry", "Try Again"),
    ("verify_data", "Verify Data"),
    ("winback", "Win Back"),
    ("won_back", "Won Back"),
    ("vip_slipped", "VIP Slipped"),
]


class MailActivity(models.Model):
    _inherit = "mail.activity"

    client_rule = fields.Selection(
        CLIENT_RULES,
        string="Client Base Rule",
        index="btree_not_null",
        readonly=True,
        help="The client base rule that created this activity; the rule removes it when its reason is gone.",
    )

    def _action_done(self, feedback=False, attachment_ids=None):
        # The client base's reminders carry the client's protected data (a next step, notes,
        # a birthday) and are read only by their assignee (security rules); the "done" message
        # goes to the partner's chatter, which every employee reads: it keeps only the type.
        reminders = self.filtered("client_rule")
        if reminders:
            reminders.sudo().write({"summary": False, "note": False})
        # "verify data" done means the manager checked the client's data
        verified = self.filtered(lambda a: a.client_rule == "verify_data" and a.res_model == "res.partner")
        partners = self.env["res.partner"].browse(verified.mapped("res_id"))
        res = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if partners:
            partners.sudo().exists().action_client_verify_data()
        return res
