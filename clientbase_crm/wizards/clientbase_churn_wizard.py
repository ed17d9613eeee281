from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError


class ClientbaseChurnWizard(models.TransientModel):
    _name = "clientbase.churn.wizard"
    _description = "Mark Clients as Lost"

    partner_ids = fields.Many2many("res.partner", string="Clients", required=True)
    reason_id = fields.Many2one("clientbase.churn.reason", required=True)
    ask_competitor = fields.Boolean(related="reason_id.ask_competitor")
    competitor = fields.Char()
    note = fields.Text(string="What the Client Said")
    winback_date = fields.Date(
        string="Try to Win Back On",
        default=lambda self: self.env["res.partner"]._client_default_winback_date(),
        help="The manager gets a reminder on this day.",
    )

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        context = self.env.context
        if (
            not res.get("partner_ids")
            and context.get("active_model") == "res.partner"
            and context.get("active_ids")
        ):
            partners = self.env["res.partner"].browse(context["active_ids"]).commercial_partner_id
            res["partner_ids"] = [fields.Command.set(partners.ids)]
        return res

    def action_mark_lost(self):
        self.ensure_one()
        if self.reason_id.ask_competitor and not (self.competitor or "").strip():
            raise UserError(self.env._("Name the competitor the client went to."))
        clients = self.partner_ids.commercial_partner_id
        if not self.env.user.has_group("clientbase_crm.group_clientbase_manager"):
            # the pool (no manager) is the salesperson's to work where it is shown to him;
            # a colleague's client is his colleague's, or a Client Base manager's, to close
            foreign = clients.filtered(lambda c: c.user_id and c.user_id != self.env.user)
            if foreign:
                raise UserError(
                    self.env._(
                        "You can only mark your own clients or clients without a manager as lost; "
                        "%(clients)s are managed by %(managers)s. Ask them or a Client Base manager.",
                        clients=", ".join(foreign.sudo().mapped("display_name")),
                        managers=", ".join(foreign.sudo().user_id.mapped("name")),
                    )
                )
        vals = {
            "client_churn_date": fields.Date.context_today(self),
            "client_churn_user_id": self.env.uid,
            "client_churn_reason_id": self.reason_id.id,
            "client_churn_competitor": self.competitor if self.reason_id.ask_competitor else False,
            "client_churn_note": self.note,
            "client_winback_date": self.winback_date,
            "client_retry_date": False,
            "client_paused_date": False,
        }
        body = self.env._("Client marked as lost: %s", self.reason_id.name)
        if vals["client_churn_competitor"]:
            body += " (" + vals["client_churn_competitor"] + ")"
        # the stage set by hand, with its free-text reason (the card holds the rest)
        vals["client_stage"] = "lost"
        vals["client_churn_reason"] = "\n".join(filter(None, [body, self.note]))
        clients.write(vals)
        clients._message_log_batch(bodies={client.id: Markup("<p>%s</p>") % body for client in clients})
        return {"type": "ir.actions.act_window_close"}
