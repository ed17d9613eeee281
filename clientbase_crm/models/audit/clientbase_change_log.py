from psycopg2.extras import execute_values

from odoo import api, fields, models
from odoo.tools import SQL, split_every
from odoo.tools.sql import create_index, drop_index, make_index_name

from ..protection.clientbase_security import CARD_FIELDS, CONTACT_FIELDS

DOORS = [
    ("form", "Form"),
    ("rpc", "RPC"),
    ("import", "Import"),
    ("merge", "Merge"),
    ("handover", "Handover"),
    ("override", "Hand Override"),
    ("cron", "Scheduled Job"),
    ("forget", "Forget"),
    ("undo", "Undo"),
]
# the context key a door sets (see readme/USAGE.md, *Change log*)
DOOR_KEY = "clientbase_change_door"

# partner fields whose changes are logged: contact data, the manager, the card, and the
# segment values a manager can set by hand (their change is the door "override")
OVERRIDE_FIELDS = ("client_stage", "client_is_vip", "client_warmth", "client_persona")
LOGGED_FIELDS = (
    *(name for name in CONTACT_FIELDS if name not in ("title", "lang", "comment")),
    "user_id",
    *(pname for pname, cname in CARD_FIELDS.items() if cname not in ("birthday_month", "birthday_day")),
    *OVERRIDE_FIELDS,
)
# the fields whose mass change raises an alert (a base taken away: numbers, addresses, manager)
ALERT_FIELDS = ("email", "phone", "mobile", "user_id")
PAGE = 1000
# clients per statement when the import logs its new clients' values
CREATED_BATCH = 10000
# the index of the alert's count (clientbase_change_alert.py): a user's replaced or erased
# numbers, addresses and managers, by date; partial, so that the rows most writes and every
# import add (other fields, values given to new clients) cost it nothing
ALERT_INDEX = "clientbase_change_log_alert_index"
ALERT_INDEX_WHERE = "old_value IS NOT NULL AND field_name IN ({})".format(
    ", ".join(f"'{fname}'" for fname in ALERT_FIELDS)
)


def to_raw(field, value):
    """The text the log stores for ``value`` (a value of ``field`` as the record holds it):
    ids for relations (comma-separated for many2many), ``None`` for an empty value."""
    if field.type == "many2one":
        return str(value.id) if value else None
    if field.type == "many2many":
        return ",".join(str(i) for i in sorted(value.ids)) or None
    if field.type == "boolean":
        return "1" if value else "0"
    if value is False or value is None or value == "":
        return None
    return str(value)


def raw_from_vals(field, value):
    """The text the log stores for ``value`` as ``create`` takes it (ids, commands, records)."""
    if isinstance(value, models.BaseModel):
        return to_raw(field, value)
    if field.type == "many2many":
        ids = set()
        for item in value or ():
            if isinstance(item, int):
                ids.add(item)
            elif item[0] == 6:
                ids = set(item[2])
            elif item[0] == 4:
                ids.add(item[1])
        return ",".join(str(i) for i in sorted(ids)) or None
    if field.type == "many2one":
        return str(value) if value else None
    if field.type == "boolean":
        return "1" if value else "0"
    if field.type in ("integer", "float", "monetary") and not value:
        return None
    if value is False or value is None or value == "":
        return None
    return str(value)


class ClientbaseChangeLog(models.Model):
    """One changed value of one client: who, when, which field, from what, to what, by which door.

    The rows are written set-based by the partner's write (``res_partner_change_log.py``)
    and by the import (one multi-row ``INSERT`` per call, never one per record) as the
    superuser: nobody creates or edits them through the ORM. A row is read under the
    client's rules: a salesperson reads the changes of the clients he handles (the generated
    ownership rules), and only of the fields he may read through any of their groups
    (``security/clientbase_change_log_rules.xml``, which follows the fields' definitions,
    ``ir_rule_change_log.py``); client base managers read all.

    Indexes, each paid by every inserted row: the client (the History tab, the rows removed
    with a client), the date (the list newest first, *This week*, the retention's purge) and
    the partial ``ALERT_INDEX`` (the mass change alert). *Changed by* and the alert's list of
    changes read the date index within their period.
    """

    _name = "clientbase.change.log"
    _description = "Client Change"
    _order = "date desc, id desc"
    _rec_name = "field_name"
    _log_access = False  # who and when are the row's own user_id and date

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, ondelete="cascade", index=True, readonly=True
    )
    user_id = fields.Many2one("res.users", string="Changed By", readonly=True, ondelete="set null")
    date = fields.Datetime(string="Changed On", required=True, index=True, readonly=True)
    # a selection, not a link to ir.model.fields: salespeople read, search and group it
    field_name = fields.Selection(
        selection="_selection_field_name", string="Field", required=True, readonly=True
    )
    door = fields.Selection(DOORS, required=True, readonly=True)
    old_value = fields.Text(string="Old Value (Raw)", readonly=True)
    new_value = fields.Text(string="New Value (Raw)", readonly=True)
    old_display = fields.Char(string="Old Value", compute="_compute_display")
    new_display = fields.Char(string="New Value", compute="_compute_display")
    undone = fields.Boolean(readonly=True, help="An undo of a mass change restored this value.")

    def init(self):
        # an older release indexed the user alone; Odoo keeps an index a field no longer asks for
        drop_index(self.env.cr, make_index_name(self._table, "user_id"), self._table)
        create_index(
            self.env.cr,
            ALERT_INDEX,
            self._table,
            ["user_id", "date"],
            where=ALERT_INDEX_WHERE,
        )

    @api.model
    def _selection_field_name(self):
        Partner = self.env["res.partner"]
        return [(fname, Partner._fields[fname]._description_string(self.env)) for fname in LOGGED_FIELDS]

    @api.depends("old_value", "new_value", "field_name")
    @api.depends_context("lang")
    def _compute_display(self):
        Partner = self.env["res.partner"]
        for row in self:
            field = Partner._fields.get(row.field_name)
            row.old_display = self._display(field, row.old_value)
            row.new_display = self._display(field, row.new_value)

    @api.model
    def _display(self, field, raw):
        """What a user reads for the stored ``raw`` value of ``field``."""
        if raw is None or raw is False or field is None:
            return raw or False
        if field.type == "boolean":
            return self.env._("Yes") if raw == "1" else self.env._("No")
        if field.type in ("many2one", "many2many"):
            ids = [int(i) for i in raw.split(",") if i]
            records = self.env[field.comodel_name].sudo().browse(ids).exists()
            return ", ".join(records.mapped("display_name"))
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(raw, raw)
        return raw

    # --- writing the log ---------------------------------------------------------------
    @api.model
    def _get_door(self, fname=None):
        """The door of a change: the one the context names (set where a door opens), a hand-set
        segment value otherwise "override", Odoo's own file import "import", a scheduled job
        "cron", else a bare RPC call."""
        door = self.env.context.get(DOOR_KEY)
        if fname in OVERRIDE_FIELDS and door in (None, "form", "rpc"):
            return "override"
        if door:
            return door
        if self.env.context.get("import_file"):  # Odoo's own import of a file (base_import)
            return "import"
        if self.env.context.get("ir_cron_progress_id"):
            return "cron"
        return "rpc"

    @api.model
    def _log_rows(self, rows, door=None):
        """Insert ``rows`` (partner id, field name, old raw, new raw) at once, as changed now by
        the current user: multi-row ``INSERT`` statements of ``PAGE`` rows, a client's rows
        together (each row's check of its client then finds the client's row at hand)."""
        if not rows:
            return
        now = fields.Datetime.now()
        uid = self.env.uid
        doors = {fname: door or self._get_door(fname) for fname in {row[1] for row in rows}}
        values = [
            (partner_id, uid, now, fname, doors[fname], old, new)
            for partner_id, fname, old, new in sorted(rows, key=lambda row: row[0])
        ]
        execute_values(
            self.env.cr._obj,
            """INSERT INTO clientbase_change_log (partner_id, user_id, date, field_name, door,
                   old_value, new_value)
               SELECT v.partner_id, v.user_id, v.date, v.field_name, v.door, v.old_value, v.new_value
               FROM (VALUES %s) AS v(partner_id, user_id, date, field_name, door, old_value, new_value)""",
            values,
            template="(%s::int, %s::int, %s::timestamp, %s, %s, %s, %s)",
            page_size=PAGE,
        )
        self.invalidate_model()
        self.env["res.partner"].invalidate_model(["client_change_log_ids"])
        self.env["clientbase.change.alert"]._check_alerts({row[1] for row in rows})

    @api.model
    def _log_created(self, partners, partner_vals, card_vals):
        """The import: log the values the new clients ``partners`` were given, read back from
        their rows (``partner_vals`` and ``card_vals`` say which fields the file filled): one
        ``INSERT ... SELECT`` per ``CREATED_BATCH`` clients, each client's row (and card) read
        once and unpivoted into one log row per non-empty value. No value goes through Python."""
        if not partners:
            return
        by_card = {cname: pname for pname, cname in CARD_FIELDS.items()}
        given = {fname for vals in partner_vals for fname in vals} | {
            by_card[cname] for card in card_vals for cname in card if cname in by_card
        }
        fnames = [fname for fname in LOGGED_FIELDS if fname in given]
        if not fnames:
            return
        self.env["res.partner"].flush_model()
        self.env["clientbase.client.card"].flush_model()
        values = SQL(", ").join(SQL("(%s, %s)", fname, self._get_new_value_sql(fname)) for fname in fnames)
        card = SQL()
        if any(fname in CARD_FIELDS for fname in fnames):
            card = SQL("LEFT JOIN clientbase_client_card card ON card.partner_id = partner.id")
        now = fields.Datetime.now()
        for ids in split_every(CREATED_BATCH, partners.ids, list):
            self.env.cr.execute(
                SQL(
                    """INSERT INTO clientbase_change_log
                           (partner_id, user_id, date, field_name, door, new_value)
                       SELECT partner.id, %(uid)s, %(now)s, given.field_name, 'import', given.value
                       FROM res_partner partner %(card)s
                       CROSS JOIN LATERAL (VALUES %(values)s) AS given(field_name, value)
                       WHERE partner.id = ANY(%(ids)s) AND given.value IS NOT NULL""",
                    uid=self.env.uid,
                    now=now,
                    card=card,
                    values=values,
                    ids=ids,
                )
            )
        self.invalidate_model()
        self.env["res.partner"].invalidate_model(["client_change_log_ids"])

    @api.model
    def _get_new_value_sql(self, fname):
        """The value of the partner field ``fname`` as the log stores it (``to_raw``), over the
        partner's row ``partner`` and its card's row ``card``; an empty value: NULL."""
        field = self.env["res.partner"]._fields[fname]
        cname = CARD_FIELDS.get(fname)
        if cname and field.type == "many2many":
            relation = self.env["clientbase.client.card"]._fields[cname]
            return SQL(
                """(SELECT string_agg(rel.%s::text, ',' ORDER BY rel.%s)
                    FROM %s rel WHERE rel.%s = card.id)""",
                SQL.identifier(relation.column2),
                SQL.identifier(relation.column2),
                SQL.identifier(relation.relation),
                SQL.identifier(relation.column1),
            )
        column = SQL.identifier("card", cname) if cname else SQL.identifier("partner", fname)
        if field.type == "boolean":
            return SQL("CASE WHEN %s THEN '1' END", column)
        if field.type in ("integer", "float", "monetary"):
            return SQL("NULLIF(%s, 0)::text", column)
        return SQL("NULLIF(%s::text, '')", column)

    @api.model
    def _erase_values(self, partners):
        """Forget: erase the values of the log rows of ``partners`` (who, when and which field stay)."""
        if not partners:
            return
        self.env.cr.execute(
            SQL(
                "UPDATE clientbase_change_log SET old_value = NULL, new_value = NULL WHERE partner_id = ANY(%s)",
                list(partners.ids),
            )
        )
        self.invalidate_model(["old_value", "new_value"])

    # --- actions -----------------------------------------------------------------------
    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
        }
