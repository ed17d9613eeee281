from odoo import api, fields, models


class ClientbaseChannel(models.Model):
    """Where a client came from (website form, referral, exhibition, ...).

    A channel is the user-facing name of an acquisition path; it carries the
    UTM source and medium that Odoo's marketing apps understand, so that a
    client tagged with a channel is reported like any other UTM-tracked record.
    """

    _name = "clientbase.channel"
    _description = "Client Acquisition Channel"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    source_id = fields.Many2one(
        "utm.source",
        string="UTM Source",
        ondelete="set null",
        help="Set as the client's UTM source when this channel is chosen.",
    )
    medium_id = fields.Many2one(
        "utm.medium",
        string="UTM Medium",
        ondelete="set null",
        help="Set as the client's UTM medium when this channel is chosen.",
    )
    is_referral = fields.Boolean(
        string="Referral",
        help="Clients from this channel were recommended by another client: "
        "the card asks for the referring client.",
    )
    description = fields.Text(translate=True)
    client_count = fields.Integer(compute="_compute_client_count")

    _sql_constraints = [
        ("name_uniq", "unique(name)", "A channel with this name already exists."),
    ]

    @api.depends_context("company")
    def _compute_client_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("client_channel_id", "in", self.ids)],
                ["client_channel_id"],
                ["__count"],
            )
        )
        for channel in self:
            channel.client_count = counts.get(channel, 0)

    def action_open_clients(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("clientbase_crm.res_partner_action_clients")
        action["domain"] = [("client_channel_id", "=", self.id)]
        action["context"] = {"default_client_channel_id": self.id}
        return action
