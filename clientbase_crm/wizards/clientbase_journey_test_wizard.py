from odoo import api, fields, models
from odoo.exceptions import UserError


class ClientbaseJourneyTestWizard(models.TransientModel):
    """Send a journey step to myself: the step's message rendered for a client I may read."""

    _name = "clientbase.journey.test.wizard"
    _description = "Send a Journey Step to Me"

    step_id = fields.Many2one("clientbase.journey.step", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", string="Render For Client", required=True)
    email_to = fields.Char(string="Send To", required=True, default=lambda self: self.env.user.email)

    @api.model
    def _render(self, step, partner):
        """``(subject, body)`` of the step's message for ``partner``, rendered as the current user."""
        if step.kind == "email":
            template = step.mail_template_id
            subject = template._render_field("subject", partner.ids)[partner.id]
            body = template._render_field("body_html", partner.ids)[partner.id]
            return subject or step.name, body
        if step.kind == "sms":
            body = step.sms_template_id._render_field("body", partner.ids)[partner.id]
            return self.env._("SMS of %s", step.name), f"<pre>{body}</pre>"
        raise UserError(self.env._("Only an email or SMS step can be sent to you."))

    def action_send(self):
        self.ensure_one()
        # the client is read as the current user: a client he may not read cannot be rendered
        partner = self.partner_id.with_env(self.env)
        partner.check_access("read")
        subject, body = self._render(self.step_id, partner)
        mail = (
            self.env["mail.mail"]
            .sudo()
            .create(
                {
                    "subject": self.env._("[Test] %s", subject),
                    "body_html": body,
                    "email_to": self.email_to,
                    "email_from": self.env.user.email_formatted,
                    "auto_delete": True,
                }
            )
        )
        mail.send()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("The step was sent to %s.", self.email_to),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
