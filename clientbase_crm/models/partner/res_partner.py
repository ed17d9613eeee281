from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ...tools.contact_data import check_email, check_phone


class ResPartner(models.Model):
    _inherit = "res.partner"

    # --- Acquisition channel -------------------------------------------
    client_channel_id = fields.Many2one(
        "clientbase.channel", string="Acquisition Channel", index="btree_not_null", ondelete="restrict"
    )
    client_source_id = fields.Many2one("utm.source", string="Source", ondelete="set null")
    client_medium_id = fields.Many2one("utm.medium", string="Medium", ondelete="set null")
    client_campaign_id = fields.Many2one("utm.campaign", string="Campaign", ondelete="set null")
    client_channel_is_referral = fields.Boolean(related="client_channel_id.is_referral")
    client_referrer_id = fields.Many2one(
        "res.partner",
        string="Referred By",
        index="btree_not_null",
        ondelete="set null",
        help="The client who recommended this one.",
    )
    client_referral_ids = fields.One2many("res.partner", "client_referrer_id", string="Referrals")
    client_referral_count = fields.Integer(string="Referral Count", compute="_compute_client_referral_count")

    # --- Team: the sales team of the client's manager (reports group by it) ---------
    client_team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        compute="_compute_client_team_id",
        search="_search_client_team_id",
        help="The main sales team of the client's manager.",
    )

    # --- Kind ------------------------------------------------------------
    client_mailing_only = fields.Boolean(
        string="Mailing-only Contact",
        index="btree_not_null",
        help="Kept only for mass mailings, with minimal personal data; "
        "stays out of sales funnels and purchase figures.",
    )

    # ------------------------------------------------------------------
    def _compute_client_referral_count(self):
        counts = dict(
            self._read_group([("client_referrer_id", "in", self.ids)], ["client_referrer_id"], ["__count"])
        )
        for partner in self:
            partner.client_referral_count = counts.get(partner, 0)

    @api.depends("user_id.sale_team_id")
    def _compute_client_team_id(self):
        for partner in self:
            partner.client_team_id = partner.user_id.sale_team_id

    def _search_client_team_id(self, operator, value):
        return [("user_id.sale_team_id", operator, value)]

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """The sales team groups and sorts through the manager's main team."""
        if fname == "client_team_id":
            if flush:
                self.env["res.users"].flush_model(["sale_team_id"])
            return SQL(
                "(SELECT team_user.sale_team_id FROM res_users team_user WHERE team_user.id = %s)",
                self._field_to_sql(alias, "user_id", query, flush),
            )
        return super()._field_to_sql(alias, fname, query=query, flush=flush)

    # --- constraints ----------------------------------------------------
    @api.constrains("client_referrer_id")
    def _check_client_referrer_id(self):
        for partner in self:
            if partner.client_referrer_id and (
                partner.client_referrer_id.commercial_partner_id == partner.commercial_partner_id
            ):
                raise ValidationError(
                    self.env._("A client cannot be referred by itself or by one of its own contacts.")
                )

    # --- onchange / CRUD -----------------------------------------------
    @api.onchange("email", "phone", "mobile")
    def _onchange_client_contact_data(self):
        """The card warns about an address or a number that is not valid (the checks of the
        import, ``contact_data``); it changes nothing the user typed."""
        if not self.env.user.has_group("clientbase_crm.group_clientbase_user"):
            return None
        problems = []
        if self.email:
            _address, reason = check_email(self.email)
            if reason:
                problems.append(
                    self.env._(
                        "“%(value)s” is not a valid email (%(reason)s)", value=self.email, reason=reason
                    )
                )
        country = (self.country_id or self.env.company.country_id).code
        for fname in ("phone", "mobile"):
            value = self[fname] if fname in self._fields else False
            if value:
                _number, reason = check_phone(value, country)
                if reason:
                    problems.append(
                        self.env._(
                            "“%(value)s” is not a valid phone number (%(reason)s)", value=value, reason=reason
                        )
                    )
        if problems:
            return {
                "warning": {"title": self.env._("Check the contact data"), "message": "\n".join(problems)}
            }
        return None

    @api.onchange("client_channel_id")
    def _onchange_client_channel_id(self):
        for partner in self:
            channel = partner.client_channel_id
            if channel.source_id:
                partner.client_source_id = channel.source_id
            if channel.medium_id:
                partner.client_medium_id = channel.medium_id

    @api.model
    def _prepare_client_vals(self, vals):
        """Complete create/write values the way the card does.

        Done on the server, not only in onchanges, so that imports and RPC
        clients get the same UTM defaults.
        """
        vals = dict(vals)
        if vals.get("client_channel_id"):
            channel = self.env["clientbase.channel"].browse(vals["client_channel_id"])
            if channel.source_id and not vals.get("client_source_id"):
                vals["client_source_id"] = channel.source_id.id
            if channel.medium_id and not vals.get("client_medium_id"):
                vals["client_medium_id"] = channel.medium_id.id
        return vals

    # --- the one create() and write() of the partner ----------------------
    # Each capability of the client base contributes hooks, called here in this order
    # (not chained through overrides whose order would be the files' import order):
    # access (res_partner_access.py), segments (res_partner_segment.py), the client card
    # (res_partner_card.py), the acquisition channel and the manager's contacts (here), and
    # last the change log (audit/res_partner_change_log.py), which notes the values before
    # the write's other hooks and logs what changed once they all ran (on create: the values
    # given, the card's included).
    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._prepare_client_vals(dict(vals)) for vals in vals_list]
        card_vals_list = self._client_card_before_create(vals_list)
        logged_fields = self._client_change_log_before_create(vals_list, card_vals_list)
        # Odoo's create writes the new records (language, address from the parent): a document
        # address made under a client by an outsider passes those writes (res_partner_access.py)
        creating = self._client_access_create_env(vals_list)
        partners = super(ResPartner, creating).create(vals_list).with_env(self.env)
        partners._client_card_after_create(card_vals_list)
        partners._client_access_after_create()
        partners._client_change_log_after_create(logged_fields)
        return partners

    def write(self, vals):
        self._client_segment_check_write(vals)
        access_checked = self._client_access_before_write(vals)
        segment_before = self._client_segment_before_write(vals)
        log_before = self._client_change_log_before_write(vals)
        stored_vals, card_vals = self._client_card_vals(self._prepare_client_vals(dict(vals)))
        res = super().write(stored_vals) if stored_vals else True
        if card_vals:
            self._client_write_card(card_vals)
        if "user_id" in stored_vals:
            self._sync_client_manager_to_contacts()
        self._client_access_after_write(access_checked)
        self._client_segment_after_write(vals, segment_before)
        self._client_change_log_after_write(log_before)
        return res

    def _sync_client_manager_to_contacts(self):
        """The client's manager is the salesperson of its commercial entity:
        its contacts (key employees, addresses) follow it."""
        commercial = self.filtered(lambda p: p.commercial_partner_id == p)
        if not commercial:
            return
        contacts = (
            self.sudo()
            .with_context(active_test=False)
            .search([("parent_id", "child_of", commercial.ids), ("is_company", "=", False)])
            - commercial
        )
        # one pass over the contacts, then one write per manager (not one scan per client)
        to_move = defaultdict(list)
        for contact in contacts:
            owner = contact.commercial_partner_id
            if owner in commercial and contact.user_id != owner.user_id:
                to_move[owner.user_id.id].append(contact.id)
        # a consequence of the logged change of the company's manager: not logged again
        contacts = contacts.with_context(clientbase_change_log_skip=True)
        for user_id, contact_ids in to_move.items():
            contacts.browse(contact_ids).write({"user_id": user_id or False})

    # --- actions ----------------------------------------------------------
    def action_open_client_referrals(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("clientbase_crm.res_partner_action_clients")
        action["domain"] = [("client_referrer_id", "=", self.id)]
        action["context"] = {"default_client_referrer_id": self.id}
        return action
