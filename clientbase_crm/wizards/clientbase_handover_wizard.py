from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError


class ClientbaseHandoverWizard(models.TransientModel):
    _name = "clientbase.handover.wizard"
    _description = "Hand Clients Over to Another Manager"

    from_user_id = fields.Many2one(
        "res.users",
        string="From Manager",
        help="Hand over all clients of this manager (when no client is chosen).",
    )
    partner_ids = fields.Many2many("res.partner", string="Clients")
    to_user_id = fields.Many2one(
        "res.users", string="New Manager", required=True, domain="[('share', '=', False)]"
    )
    reason = fields.Text(required=True)
    move_opportunities = fields.Boolean(string="Reassign Open Opportunities", default=True)
    move_activities = fields.Boolean(string="Reassign Planned Activities", default=True)

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        context = self.env.context
        if (
            "partner_ids" in fields_list
            and not res.get("partner_ids")
            and context.get("active_model") == "res.partner"
            and context.get("active_ids")
        ):
            partners = self.env["res.partner"].browse(context["active_ids"]).commercial_partner_id
            res["partner_ids"] = [fields.Command.set(partners.ids)]
        return res

    def _get_clients(self):
        self.ensure_one()
        if self.partner_ids:
            return self.partner_ids.commercial_partner_id
        if self.from_user_id:
            return self.env["res.partner"].search(
                [("user_id", "=", self.from_user_id.id), ("is_company", "=", True)]
            ) | self.env["res.partner"].search(
                [("user_id", "=", self.from_user_id.id), ("parent_id", "=", False)]
            )
        raise UserError(
            self.env._("Choose the clients to hand over, or the manager whose clients to hand over.")
        )

    def _check_salesperson_handover(self, clients):
        """A salesperson hands over his own clients to anyone, and takes clients of the
        unassigned pool (where his company shows it) for himself; a colleague's client, or a
        pool client given to someone else, is a Client Base manager's decision."""
        user = self.env.user
        foreign = clients.filtered(lambda c: c.user_id and c.user_id != user)
        if foreign:
            raise UserError(
                self.env._(
                    "You can only hand over your own clients; %(clients)s are managed by someone else. "
                    "Ask a Client Base manager.",
                    clients=", ".join(foreign.mapped("display_name")),
                )
            )
        pool = clients.filtered(lambda c: not c.user_id)
        if pool and self.to_user_id != user:
            raise UserError(
                self.env._(
                    "%(clients)s have no manager yet: you can take them yourself (choose yourself as "
                    "the new manager); a Client Base manager assigns them to a colleague.",
                    clients=", ".join(pool.mapped("display_name")),
                )
            )

    def action_handover(self):
        self.ensure_one()
        clients = self._get_clients()
        user = self.env.user
        if not user.has_group("clientbase_crm.group_clientbase_manager"):
            self._check_salesperson_handover(clients)
        clients = clients.filtered(lambda c: c.user_id != self.to_user_id)
        if not clients:
            raise UserError(self.env._("The chosen clients are already managed by %s.", self.to_user_id.name))
        old_by_client = {client.id: client.user_id for client in clients}
        old_users = clients.user_id
        contacts = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("commercial_partner_id", "in", clients.ids)])
        )
        # contacts follow (res.partner.write); the change is logged by the door "handover"
        clients.sudo().with_context(clientbase_change_door="handover").write({"user_id": self.to_user_id.id})
        if self.move_opportunities and old_users:
            leads = (
                self.env["crm.lead"]
                .sudo()
                .search(
                    [
                        ("partner_id", "in", contacts.ids),
                        ("user_id", "in", old_users.ids),
                        ("stage_id.is_won", "=", False),
                    ]
                )
            )
            leads.write({"user_id": self.to_user_id.id})
        if old_users:
            # the rules' reminders (contact due, birthday, win back...) belong to whoever manages
            # the client: they always move; other planned activities when asked
            domain = [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", contacts.ids),
                ("user_id", "in", old_users.ids),
            ]
            if not self.move_activities:
                domain.append(("client_rule", "!=", False))
            self.env["mail.activity"].sudo().search(domain).write({"user_id": self.to_user_id.id})
        bodies = {
            client.id: Markup("<p>%s</p><p>%s</p>")
            % (
                self.env._(
                    "Client handed over from %(old)s to %(new)s by %(user)s.",
                    old=old_by_client[client.id].name or self.env._("nobody"),
                    new=self.to_user_id.name,
                    user=user.name,
                ),
                self.env._("Reason: %s", self.reason),
            )
            for client in clients
        }
        clients.sudo()._message_log_batch(bodies=bodies)
        return {"type": "ir.actions.act_window_close"}
