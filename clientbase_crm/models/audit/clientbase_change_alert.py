from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..protection.clientbase_security import MANAGER_GROUP
from .clientbase_change_log import ALERT_FIELDS, DOOR_KEY

# doors whose changes are no sign of a base being taken away
QUIET_DOORS = ("import", "forget", "undo", "merge")


class ClientbaseChangeAlert(models.Model):
    """One user changed the emails, phones or manager of more clients in a period than the
    company allows (``res_company_audit.py``): the head of sales gets a to-do on this record,
    which opens the changes and undoes them.

    One alert per user and period: while the user's changes go on (the last one within the
    period), they update the alert's count and no new alert is raised.
    """

    _name = "clientbase.change.alert"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Suspicious Mass Change of Clients"
    _order = "id desc"

    user_id = fields.Many2one("res.users", string="Changed By", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    date_from = fields.Datetime(string="Changes Since", required=True, readonly=True)
    date_to = fields.Datetime(string="Last Change", required=True, readonly=True)
    client_count = fields.Integer(string="Clients Changed", readonly=True)
    state = fields.Selection(
        [("open", "Open"), ("undone", "Undone")], default="open", required=True, readonly=True
    )

    @api.depends("user_id", "client_count")
    def _compute_display_name(self):
        for alert in self:
            alert.display_name = self.env._(
                "%(user)s changed %(count)s clients", user=alert.user_id.name, count=alert.client_count
            )

    # --- detection ---------------------------------------------------------------------
    @api.model
    def _get_changed_clients_query(self, user_id, since):
        """The clients whose email, phone or manager ``user_id`` replaced or erased since ``since``."""
        return SQL(
            """SELECT COUNT(DISTINCT partner_id) FROM clientbase_change_log
               WHERE user_id = %s AND date >= %s AND field_name IN %s AND door NOT IN %s
                 AND old_value IS NOT NULL""",
            user_id,
            since,
            ALERT_FIELDS,
            QUIET_DOORS,
        )

    @api.model
    def _check_alerts(self, fnames):
        """After the current user's changes of ``fnames`` were logged: raise (once per period)
        or update the alert when the clients he changed pass the company's threshold."""
        door = self.env.context.get(DOOR_KEY)
        if not set(fnames) & set(ALERT_FIELDS) or door in QUIET_DOORS or self.env.user._is_superuser():
            return
        company = self.env.company
        threshold = company.clientbase_change_alert_threshold
        if threshold <= 0:
            return
        now = fields.Datetime.now()
        since = now - timedelta(hours=max(company.clientbase_change_alert_hours, 1))
        Alert = self.sudo()
        alert = Alert.search(
            [("user_id", "=", self.env.uid), ("company_id", "=", company.id), ("date_to", ">=", since)],
            limit=1,
        )
        self.env.cr.execute(self._get_changed_clients_query(self.env.uid, alert.date_from or since))
        count = self.env.cr.fetchone()[0]
        if alert:
            alert.write({"client_count": count, "date_to": now})
            return
        if count <= threshold:
            return
        alert = Alert.create(
            {
                "user_id": self.env.uid,
                "company_id": company.id,
                "date_from": since,
                "date_to": now,
                "client_count": count,
            }
        )
        alert._notify_head_of_sales()

    @api.model
    def _get_heads_of_sales(self, company):
        """Who is told: the company's head of sales, or else its client base managers."""
        if company.clientbase_change_alert_user_id:
            return company.clientbase_change_alert_user_id
        users = self.env.ref(MANAGER_GROUP).sudo().users
        return users.filtered(lambda u: company in u.company_ids and u.active and not u.share)

    def _notify_head_of_sales(self):
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        for alert in self:
            heads = alert._get_heads_of_sales(alert.company_id) - alert.user_id
            for head in heads[:1]:
                alert.sudo().activity_schedule(
                    activity_type_id=todo.id if todo else False,
                    summary=self.env._("Check a mass change of clients"),
                    note=self.env._(
                        "%(user)s changed the emails, phones or manager of %(count)s clients since "
                        "%(since)s. Open the alert to see the changes or undo them.",
                        user=alert.user_id.name,
                        count=alert.client_count,
                        since=fields.Datetime.to_string(alert.date_from),
                    ),
                    user_id=head.id,
                )

    # --- actions -----------------------------------------------------------------------
    def _get_changes(self):
        self.ensure_one()
        return (
            self.env["clientbase.change.log"]
            .sudo()
            .search(
                [
                    ("user_id", "=", self.user_id.id),
                    ("date", ">=", self.date_from),
                    ("date", "<=", self.date_to),
                    ("field_name", "in", ALERT_FIELDS),
                    ("door", "not in", QUIET_DOORS),
                    ("undone", "=", False),
                ],
                order="date, id",
            )
        )

    def action_open_changes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("clientbase_crm.clientbase_change_log_action")
        action["domain"] = [("id", "in", self._get_changes().ids)]
        action["context"] = {}
        return action

    def action_undo(self):
        """Put back the values the alert's changes replaced (each client's field as it was
        before the first of them); the restoring is logged by the door "undo"."""
        self.ensure_one()
        if not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(self.env._("Only client base managers can undo a mass change."))
        if self.state == "undone":
            raise UserError(self.env._("This mass change has already been undone."))
        changes = self._get_changes()
        first = {}
        for change in changes:
            first.setdefault((change.partner_id.id, change.field_name), change.old_value)
        Partner = self.env["res.partner"].with_context(**{DOOR_KEY: "undo"})
        by_value = {}
        for (partner_id, fname), raw in first.items():
            field = Partner._fields[fname]
            value = int(raw) if raw and field.type == "many2one" else (raw or False)
            by_value.setdefault((fname, value), []).append(partner_id)
        for (fname, value), partner_ids in by_value.items():
            Partner.browse(partner_ids).write({fname: value})
        changes.write({"undone": True})
        self.state = "undone"
        self.activity_ids.sudo().action_feedback(feedback=self.env._("Undone"))
        return True
