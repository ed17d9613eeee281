from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL


class SaleOrder(models.Model):
    """A new client's first order may carry another client's referral code: when it is confirmed,
    both get their bonus points (once: ``clientbase.loyalty.grant``)."""

    _inherit = "sale.order"

    clientbase_referral_code = fields.Char(
        string="Referral Code",
        copy=False,
        help="Another client's referral code, on a new client's first order.",
    )
    clientbase_referrer_id = fields.Many2one(
        "res.partner",
        string="Referred By",
        compute="_compute_clientbase_referrer_id",
        store=True,
        index="btree_not_null",
        readonly=True,
    )

    @api.depends("clientbase_referral_code", "company_id")
    def _compute_clientbase_referrer_id(self):
        codes = {(o.clientbase_referral_code or "").strip().upper() for o in self} - {""}
        referrals = {
            (r.code, r.company_id.id): r.partner_id
            for r in self.env["clientbase.loyalty.referral"].sudo().search([("code", "in", list(codes))])
        }
        for order in self:
            code = (order.clientbase_referral_code or "").strip().upper()
            order.clientbase_referrer_id = referrals.get((code, order.company_id.id), False)

    @api.constrains("clientbase_referral_code", "partner_id")
    def _check_clientbase_referral_code(self):
        for order in self.filtered("clientbase_referral_code"):
            if not order.clientbase_referrer_id:
                raise ValidationError(
                    self.env._(
                        "%(code)s is no referral code of this company.", code=order.clientbase_referral_code
                    )
                )
            if order.clientbase_referrer_id == order.partner_id.commercial_partner_id:
                raise ValidationError(self.env._("A client cannot use its own referral code."))

    def _clientbase_has_ordered_before(self):
        """Whether the order's client has another confirmed order in the company."""
        self.ensure_one()
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                "SELECT 1 FROM sale_order o JOIN res_partner p ON p.id = o.partner_id"
                " WHERE p.commercial_partner_id = %s AND o.company_id = %s AND o.state = 'sale' AND o.id != %s"
                " LIMIT 1",
                self.partner_id.commercial_partner_id.id,
                self.company_id.id,
                self.id,
            )
        )
        return bool(rows)

    def action_confirm(self):
        referred = self.filtered("clientbase_referrer_id")
        for order in referred:
            if order._clientbase_has_ordered_before():
                raise UserError(
                    self.env._(
                        "A referral code is for a new client's first order: %(client)s has ordered before.",
                        client=order.partner_id.commercial_partner_id.display_name,
                    )
                )
        result = super().action_confirm()
        for company in referred.company_id:
            orders = referred.filtered(lambda o, c=company: o.company_id == c)
            self.env["clientbase.loyalty.grant"].sudo()._grant_events(
                partner_ids=(orders.partner_id.commercial_partner_id | orders.clientbase_referrer_id).ids,
                events=["referrer", "referred"],
                companies=company,
            )
        return result
