from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

from ...tools.typed_values import check_value
from ..protection.clientbase_security import USER_GROUP
from ..protection.res_partner_bookkeeping import bookkeeping_field
from .clientbase_interaction import NOT_A_CONTACT_RESULTS

# Plain stored columns of "working the base"; created before the ORM so that an
# install on a base of millions of partners is one ALTER TABLE, not a recompute (the
# bookkeeping dates of the rules: res_partner_bookkeeping.py).
WORK_COLUMNS = {
    "client_last_contact_date": "date",
    "client_paused_date": "date",
    "client_retry_date": "date",
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    # --- Interactions ---------------------------------------------------------
    client_interaction_ids = fields.One2many("clientbase.interaction", "client_id", string="Interactions")
    client_interaction_count = fields.Integer(
        string="Interaction Count", compute="_compute_client_interaction_count", groups=USER_GROUP
    )
    # The column (kept by the interactions, read by the rules' crons) has no stored field: the
    # field reads the interactions through their record rules, so that another manager's
    # client's contact history neither reads, sorts nor searches.
    client_last_contact_date = fields.Date(
        string="Last Contact",
        compute="_compute_client_last_contact_date",
        search="_search_client_last_contact_date",
        groups=USER_GROUP,
        help="Day of the last logged interaction with the client (unanswered calls do not count).",
    )

    client_days_since_last_contact = fields.Integer(
        string="Days Since Last Contact",
        compute="_compute_client_last_contact_date",
        search="_search_client_days_since_last_contact",
        groups=USER_GROUP,
        help="Days since the last logged interaction; empty when the client was never contacted.",
    )

    # --- Fresh data -----------------------------------------------------------
    client_data_verified_date = bookkeeping_field("client_data_verified_date", "Data Verified On")

    # --- Potentials going nowhere -------------------------------------------
    client_paused_date = fields.Date(string="Paused On", copy=False, readonly=True)
    client_retry_date = fields.Date(
        string="Try Again On",
        copy=False,
        index="btree_not_null",
        help="A potential client without a deal is paused until this day; then the manager gets a reminder.",
    )

    # --- Birthday rule marker (one reminder per birthday) --------------------
    # (protected: the day of a reminder tells the birthday; the greetings are a journey now, its
    # entries are the markers)
    client_birthday_reminded_on = bookkeeping_field(
        "client_birthday_reminded_on", "Birthday Reminded On", readonly=True
    )

    # --- Churn ------------------------------------------------------------------

    def _auto_init(self):
        cr = self.env.cr
        for column, column_type in WORK_COLUMNS.items():
            if not column_exists(cr, "res_partner", column):
                create_column(cr, "res_partner", column, column_type)
        return super()._auto_init()

    @api.depends_context("uid")
    def _compute_client_last_contact_date(self):
        Interaction = self.env["clientbase.interaction"]
        ids = [pid for pid in self._origin._ids if pid]
        last = {}
        if ids and Interaction.has_access("read"):
            groups = Interaction._read_group(
                [
                    ("client_id", "in", ids),
                    "|",
                    ("result", "=", False),
                    ("result", "not in", NOT_A_CONTACT_RESULTS),
                ],
                ["client_id"],
                ["date:max"],
            )
            last = {client.id: date_max.date() for client, date_max in groups if date_max}
        today = fields.Date.context_today(self)
        for partner in self:
            partner.client_last_contact_date = last.get(partner._origin.id, False)
            contact = partner.client_last_contact_date
            partner.client_days_since_last_contact = (today - contact).days if contact else False

    def _search_client_days_since_last_contact(self, operator, value):
        """N days since the last contact, as a condition on the day of the last contact."""
        if value is False or value is None:
            return [("client_last_contact_date", operator, False)]
        if operator not in ("=", "!=", "<", "<=", ">", ">="):
            raise ValidationError(
                self.env._("Days since the last contact can only be compared with a number.")
            )
        value = check_value(
            self.env,
            self._fields["client_days_since_last_contact"]._description_string(self.env),
            "integer",
            value,
        )
        day = fields.Date.context_today(self) - timedelta(days=value)
        # more days since the contact = an earlier contact
        mirrored = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}[operator]
        domain = [("client_last_contact_date", mirrored, day)]
        if operator == "!=":
            domain = ["|", ("client_last_contact_date", "=", False)] + domain
        return domain

    def _search_client_last_contact_date(self, operator, value):
        """The column the interactions keep, among the clients the user handles."""
        return self._search_client_bookkeeping("client_last_contact_date", operator, value)

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        if fname != "client_last_contact_date":
            return super()._field_to_sql(alias, fname, query=query, flush=flush)
        self.check_field_access_rights("read", [fname])
        value = SQL.identifier(alias, "client_last_contact_date")
        if self._client_data_sees_all():
            return value
        own = (
            self._client_own_condition_sql(alias, query) if query is not None else self._client_own_sql(alias)
        )
        return SQL("(CASE WHEN %s THEN %s END)", own, value)

    def _compute_client_interaction_count(self):
        counts = dict(
            self.env["clientbase.interaction"]._read_group(
                [("client_id", "in", self.ids)], ["client_id"], ["__count"]
            )
        )
        for partner in self:
            partner.client_interaction_count = counts.get(partner, 0)

    # --- one manager per client ------------------------------------------------
    @api.model
    def _client_manager_follows(self, documents):
        """The client's manager follows the ``documents`` (quotations, opportunities) a
        colleague made for the client."""
        for document in documents.sudo():
            manager = document.partner_id.commercial_partner_id.user_id
            if (
                manager
                and manager != document.user_id
                and manager.partner_id not in document.message_partner_ids
            ):
                document.message_subscribe(partner_ids=manager.partner_id.ids)

    def _client_check_manager(self, what, warn_only=False):
        """Check that the current user may work these clients.

        The client's manager is the salesperson of its commercial entity. Anyone
        else gets a warning, or an error in strict mode; members of the Manager
        group (and the superuser) may always act. Returns the warning text, if any.
        """
        user = self.env.user
        if self.env.su or user.has_group("clientbase_crm.group_clientbase_manager"):
            return False
        if not user.has_group(USER_GROUP):
            # Odoo's own sales and accounting flows, outside the client base: not its rule
            return False
        clients = self.commercial_partner_id.filtered(lambda c: c.user_id and c.user_id != user)
        if not clients:
            return False
        message = self.env._(
            "%(clients)s is managed by %(managers)s: only the client's manager should %(what)s.",
            clients=", ".join(clients.mapped("display_name")),
            managers=", ".join(clients.user_id.mapped("name")),
            what=what,
        )
        if not warn_only and self.env.company.clientbase_strict_manager:
            raise UserError(
                message
                + "\n"
                + self.env._("Ask the manager or a Client Base manager to hand the client over to you.")
            )
        if not warn_only:
            # tell the manager, in the client's chatter, that a colleague is working their client
            for client in clients:
                client.sudo().message_post(
                    body=self.env._("%(user)s is about to %(what)s.", user=user.name, what=what)
                    + " "
                    + message,
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                    partner_ids=client.user_id.partner_id.ids,
                )
        return message

    # --- contacts -----------------------------------------------------------------
    def _client_update_last_contact_date(self):
        clients = self.exists()
        if not clients:
            return
        self.env["clientbase.interaction"].flush_model(["client_id", "date", "result"])
        self.env.cr.execute(self.env["clientbase.interaction"]._get_last_contact_query(clients.ids))
        self.invalidate_model(["client_last_contact_date"])

    def _client_contact_too_soon_message(self):
        """Warning when the last contact is more recent than the company's minimum gap."""
        self.ensure_one()
        min_days = self.env.company.clientbase_contact_min_days
        # the schedule holds for colleagues too: the real date, said only to the client's manager
        last = self.sudo().client_last_contact_date
        if not (min_days and last):
            return False
        today = fields.Date.context_today(self)
        if (today - last).days >= min_days:
            return False
        if self._get_client_data_foreign():
            # a colleague's client: the schedule is said, the manager's contact history is not
            return self.env._(
                "%(client)s was contacted less than %(days)s days ago; the contact schedule asks "
                "for at least %(days)s days between contacts.",
                client=self.display_name,
                days=min_days,
            )
        return self.env._(
            "%(client)s was last contacted on %(date)s; the contact schedule asks for at least "
            "%(days)s days between contacts.",
            client=self.display_name,
            date=fields.Date.to_string(last),
            days=min_days,
        )

    def _client_after_contact(self):
        """A logged contact answers the "contact due" reminder."""
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", self.ids),
                    ("client_rule", "=", "contact_due"),
                ]
            )
        )
        activities.unlink()

    # --- actions --------------------------------------------------------------------
    def action_client_log_call(self):
        """Quick form in a dialog: choose the result and save."""
        self.ensure_one()
        client = self.commercial_partner_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a Call"),
            "res_model": "clientbase.interaction",
            "view_mode": "form",
            "views": [(self.env.ref("clientbase_crm.clientbase_interaction_view_form_quick").id, "form")],
            "target": "new",
            "context": {
                "default_client_id": client.id,
                "default_contact_id": self.id if self != client else False,
                "default_kind": "outgoing_call",
            },
        }

    def action_client_open_interactions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("clientbase_crm.clientbase_interaction_action")
        client = self.commercial_partner_id
        action["domain"] = [("client_id", "=", client.id)]
        action["context"] = {"default_client_id": client.id}
        return action

    def action_client_verify_data(self):
        """The manager checked the data: stamp today and forget old bounces."""
        today = fields.Date.context_today(self)
        self.write({"client_data_verified_date": today})
        bounced = self.filtered("message_bounce")
        if bounced:
            bounced.write({"message_bounce": 0})
        self.env["mail.activity"].sudo().search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", self.ids),
                ("client_rule", "=", "verify_data"),
            ]
        ).unlink()
        return True

    def action_client_resume(self):
        """Take a paused potential client up again now."""
        self.write({"client_retry_date": False, "client_paused_date": False})
        return True

    def action_client_mark_lost(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Mark as Lost"),
            "res_model": "clientbase.churn.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_ids": self.commercial_partner_id.ids},
        }

    def action_client_handover(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Hand Over Clients"),
            "res_model": "clientbase.handover.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_ids": self.commercial_partner_id.ids},
        }

    @api.model
    def _client_default_winback_date(self):
        return fields.Date.context_today(self) + timedelta(days=180)
