from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    client_export_threshold = fields.Integer(
        string="Export Approval Threshold",
        default=500,
        help="An export of more client records than this needs an approved export request "
        "(managers excepted); such exports are reported to the client base managers.",
    )
    client_export_period_hours = fields.Integer(
        string="Export Quota Period (Hours)",
        default=24,
        help="The approval threshold counts every record a user exported over this many hours.",
    )
    client_pool_visible = fields.Boolean(
        string="Users See Unassigned Clients",
        default=True,
        help="Users of the client base see and edit the personal data of clients without a manager "
        "(the unassigned pool), not only of the clients they manage.",
    )

    client_strict_visibility = fields.Boolean(
        string="Salespeople See Only Their Clients",
        help="Strict mode: users of the client base who are not managers do not see the clients of "
        "other managers at all (lists, funnels, search, contact details, import matches); the "
        "documents, messages, followers and activities that point at such a client show “Hidden client”.",
    )

    client_masked_contacts = fields.Boolean(
        string="Mask Other Managers' Contacts",
        help="Masked-contacts mode, between open and strict: users of the client base who are not managers "
        "see other managers' clients by name, with their emails and phone numbers masked (i•••@mail.ru, "
        "+7 9•• •••-••-12) in every list, form, search, export, contact card, mailing preview and chatter, "
        "and cannot find them by the full address or number. The client's manager and the client base "
        "managers see them whole.",
    )

    client_invoice_retention_years = fields.Integer(
        string="Invoice Retention (Years)",
        default=5,
        help="When a client is forgotten, its posted invoices of the last so many years (the statutory "
        "period of the company's country: 5 years in Russia) keep the buyer's legal name, address and tax "
        "id until the period ends; older invoices and every other record lose them at once. 0: none kept.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        if any(vals.get("client_strict_visibility") for vals in vals_list):
            self.env["ir.rule"].sudo()._clientbase_sync_strict_rules()
        if any(not vals.get("client_pool_visible", True) for vals in vals_list):
            self.env["ir.rule"].sudo()._clientbase_sync_document_rules()
        return companies

    def write(self, vals):
        res = super().write(vals)
        if "client_strict_visibility" in vals:
            # strict visibility is a rule of its own, switched on for the strict companies
            # (models/protection/ir_rule.py)
            self.env["ir.rule"].sudo()._clientbase_sync_strict_rules()
        if "client_pool_visible" in vals:
            # the client documents of the unassigned pool are read where the pool is shown
            self.env["ir.rule"].sudo()._clientbase_sync_document_rules()
        if {"client_pool_visible", "client_strict_visibility", "client_masked_contacts"} & set(vals):
            # the record rules of the client base read these settings, and values computed
            # under them are cached
            self.env.registry.clear_cache()
            self.env.invalidate_all()
        return res

    @api.constrains("client_invoice_retention_years")
    def _check_client_invoice_retention_years(self):
        if any(company.client_invoice_retention_years < 0 for company in self):
            raise ValidationError(self.env._("The invoice retention period cannot be negative."))

    @api.constrains("client_export_threshold", "client_export_period_hours")
    def _check_client_export_threshold(self):
        if any(company.client_export_threshold < 1 for company in self):
            raise ValidationError(self.env._("The export approval threshold must be at least one record."))
        if any(company.client_export_period_hours < 1 for company in self):
            raise ValidationError(self.env._("The export quota period must be at least one hour."))
