from odoo import api, fields, models
from odoo.addons.clientbase_crm.models.protection.clientbase_security import USER_GROUP
from odoo.tools import format_amount

from .clientbase_loyalty_security import PARTNER_FIELDS


class ResPartner(models.Model):
    """The client card's loyalty: the level held in the current company, since when, the
    receipts it is computed from and the progress to the next level ("12,400 more to
    Gold"), and the level set by hand with its reason. Read through the status model's
    record rules: another manager's client shows them blank."""

    _inherit = "res.partner"

    client_loyalty_status_ids = fields.One2many(
        "clientbase.loyalty.status", "partner_id", string="Loyalty Levels", groups=USER_GROUP
    )
    client_loyalty_level_id = fields.Many2one(
        "clientbase.loyalty.level",
        string="Loyalty Level",
        compute="_compute_client_loyalty",
        search="_search_client_loyalty_level_id",
        groups=USER_GROUP,
    )
    client_loyalty_level_date = fields.Datetime(
        string="Level Since", compute="_compute_client_loyalty", groups=USER_GROUP
    )
    client_loyalty_receipts = fields.Monetary(
        string="Receipts for the Level",
        currency_field="client_currency_id",
        compute="_compute_client_loyalty",
        groups=USER_GROUP,
        help="Untaxed amount of the confirmed orders the level is computed from (all time or the company's "
        "rolling window).",
    )
    client_loyalty_next_level_id = fields.Many2one(
        "clientbase.loyalty.level", string="Next Level", compute="_compute_client_loyalty", groups=USER_GROUP
    )
    client_loyalty_to_next = fields.Monetary(
        string="Left to the Next Level",
        currency_field="client_currency_id",
        compute="_compute_client_loyalty",
        groups=USER_GROUP,
    )
    client_loyalty_progress = fields.Char(
        string="Progress", compute="_compute_client_loyalty", groups=USER_GROUP
    )
    client_loyalty_level_manual_id = fields.Many2one(
        "clientbase.loyalty.level",
        string="Level Set by Hand",
        compute="_compute_client_loyalty",
        inverse="_inverse_client_loyalty_manual",
        groups=USER_GROUP,
        help="Wins over the level by receipts until it is cleared.",
    )
    client_loyalty_level_reason = fields.Char(
        string="Reason for the Level Set by Hand",
        compute="_compute_client_loyalty",
        inverse="_inverse_client_loyalty_manual",
        groups=USER_GROUP,
    )

    def _compute_client_loyalty(self):
        company = self.env.company
        Status = self.env["clientbase.loyalty.status"]
        foreign = self._get_client_data_foreign()
        own = self.filtered(lambda p: p.id and p not in foreign)
        clients = own.commercial_partner_id
        # under the user's rules: only the statuses of the clients they handle
        statuses = {
            s.partner_id.id: s
            for s in Status.search([("partner_id", "in", clients.ids), ("company_id", "=", company.id)])
        }
        receipts = Status.sudo()._receipts_of(clients, company)
        levels = self.env["clientbase.loyalty.level"].search(
            [("company_id", "=", company.id)], order="threshold"
        )
        for partner in self:
            client = partner.commercial_partner_id
            status = statuses.get(client.id, Status) if partner in own else Status
            amount = receipts.get(client.id, 0.0) if partner in own else 0.0
            level = status.level_id
            following = levels.filtered(lambda lv, a=amount, cur=level: lv.threshold > max(a, cur.threshold))[
                :1
            ]
            partner.client_loyalty_level_id = level
            partner.client_loyalty_level_date = status.level_date
            partner.client_loyalty_receipts = amount
            partner.client_loyalty_level_manual_id = status.manual_level_id
            partner.client_loyalty_level_reason = status.manual_reason
            if partner not in own:
                following = levels.browse()  # another manager's client: nothing to show
            partner.client_loyalty_next_level_id = following
            partner.client_loyalty_to_next = following.threshold - amount if following else 0.0
            partner.client_loyalty_progress = (
                self.env._(
                    "%(amount)s more to %(level)s",
                    amount=format_amount(self.env, following.threshold - amount, company.currency_id),
                    level=following.name,
                )
                if following
                else False
            )

    def _inverse_client_loyalty_manual(self):
        company = self.env.company
        Status = self.env["clientbase.loyalty.status"]
        for partner in self:
            client = partner.commercial_partner_id
            status = Status.search([("partner_id", "=", client.id), ("company_id", "=", company.id)])
            vals = {
                "manual_level_id": partner.client_loyalty_level_manual_id.id,
                "manual_reason": partner.client_loyalty_level_reason
                if partner.client_loyalty_level_manual_id
                else False,
            }
            if status:
                status.write(vals)
            elif vals["manual_level_id"]:
                status = Status.create({"partner_id": client.id, "company_id": company.id})
                status.write(vals)

    @api.model
    def _search_client_loyalty_level_id(self, operator, value):
        """Clients by the level they hold in the current company (under the user's rules:
        another manager's client holds none)."""
        Status = self.env["clientbase.loyalty.status"]
        company = [("company_id", "=", self.env.company.id)]
        if operator in ("=", "!=") and not value:
            holders = Status._search([("level_id", "!=", False), *company])
            return [
                (
                    "commercial_partner_id",
                    "not in" if operator == "=" else "in",
                    holders.subselect("partner_id"),
                )
            ]
        statuses = Status._search([("level_id", operator, value), *company])
        return [("commercial_partner_id", "in", statuses.subselect("partner_id"))]

    def _get_client_protected_fields(self):
        return super()._get_client_protected_fields() | {f for f in PARTNER_FIELDS if f in self._fields}
