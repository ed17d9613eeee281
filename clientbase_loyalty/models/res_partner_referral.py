from odoo import api, fields, models
from odoo.addons.clientbase_crm.models.protection.clientbase_security import USER_GROUP


class ResPartner(models.Model):
    """The client card's referral code in the current company (read through the referral model's
    record rules: another manager's client shows none) and the button that gives one."""

    _inherit = "res.partner"

    client_referral_code = fields.Char(
        string="Referral Code",
        compute="_compute_client_referral_code",
        groups=USER_GROUP,
        help="A new client whose first order carries this code brings bonus points to both.",
    )

    @api.depends_context("uid", "company")
    def _compute_client_referral_code(self):
        clients = self.filtered("id").commercial_partner_id
        referrals = {
            r.partner_id.id: r.code
            for r in self.env["clientbase.loyalty.referral"].search(
                [("partner_id", "in", clients.ids), ("company_id", "=", self.env.company.id)]
            )
        }
        for partner in self:
            partner.client_referral_code = referrals.get(partner.commercial_partner_id.id, False)

    def action_client_referral_code(self):
        """Give the clients a referral code in the current company (those who have one keep it)."""
        clients = self.commercial_partner_id
        # the client's circle only (its manager, client base managers)
        foreign = clients._get_client_write_foreign()
        if foreign:
            clients._client_raise_foreign(foreign)
        self.env["clientbase.loyalty.referral"].sudo()._generate(clients.ids, self.env.company)
        self.invalidate_recordset(["client_referral_code"])
        return True
