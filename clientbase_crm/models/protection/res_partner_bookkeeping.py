"""The client base's bookkeeping dates on the partner, behind ownership.

The rules' crons keep a few plain date columns on ``res_partner`` (when a birthday was
reminded or greeted, when the data was verified, when the client last answered a mailing).
They are written with SQL in bounded batches and read by the crons' SQL. They tell about
the client: a greeting date is the birthday, a verification or a response date is the
manager's work. So their fields are not stored fields: like the client card's, they read,
search, sort and group the column for the client's circle only (another manager's client
reads, sorts and groups as blank and is never found by a value), and are hidden from users
outside the client base.
"""

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

from ...tools.typed_values import check_date_condition
from .clientbase_security import BOOKKEEPING_FIELDS, USER_GROUP

SQL_OPERATORS = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _bookkeeping_search(fname):
    def search(records, operator, value):
        return records._search_client_bookkeeping(fname, operator, value)

    return search


def bookkeeping_field(fname, string, **kwargs):
    """The partner's date field ``fname``: the column of the same name, under ownership."""
    assert fname in BOOKKEEPING_FIELDS, fname
    kwargs.update(
        string=string,
        compute="_compute_client_bookkeeping",
        inverse="_inverse_client_bookkeeping",
        search=_bookkeeping_search(fname),
        groups=USER_GROUP,
        copy=False,
    )
    return fields.Date(**kwargs)


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _auto_init(self):
        # the columns exist without stored fields: created before the ORM, one ALTER TABLE each
        cr = self.env.cr
        for column in sorted(BOOKKEEPING_FIELDS):
            if not column_exists(cr, "res_partner", column):
                create_column(cr, "res_partner", column, "date")
        return super()._auto_init()

    @api.depends_context("uid")
    def _compute_client_bookkeeping(self):
        names = sorted(name for name in BOOKKEEPING_FIELDS if name in self._fields)
        ids = tuple(pid for pid in self._origin._ids if pid)
        values = {}
        if ids:
            foreign = set(self._get_client_data_foreign()._ids)
            rows = self.env.execute_query(
                SQL(
                    "SELECT id, %s FROM res_partner WHERE id IN %s",
                    SQL(", ").join(SQL.identifier(name) for name in names),
                    ids,
                )
            )
            values = {row[0]: row[1:] for row in rows if row[0] not in foreign}
        for partner in self:
            row = values.get(partner._origin.id)
            for index, name in enumerate(names):
                partner[name] = row[index] if row else False

    def _inverse_client_bookkeeping(self):
        """A date set through the ORM (the manager's "data verified", a test) goes to the
        column, on the clients of the user's circle only."""
        records = self.filtered("id")
        if not records:
            return
        foreign = records._get_client_write_foreign()
        if foreign:
            records._client_raise_foreign(foreign)
        names = sorted(name for name in BOOKKEEPING_FIELDS if name in self._fields)
        for partner in records:
            self.env.cr.execute(
                SQL(
                    "UPDATE res_partner SET %s WHERE id = %s",
                    SQL(", ").join(
                        SQL("%s = %s", SQL.identifier(name), partner[name] or None) for name in names
                    ),
                    partner.id,
                )
            )

    def _search_client_bookkeeping(self, fname, operator, value):
        """The column among the clients the user handles (a value never finds another's).
        Also the search of the last contact date the interactions keep (res_partner_work.py)."""
        label = self._fields[fname]._description_string(self.env)
        value = check_date_condition(self.env, label, operator, value, SQL_OPERATORS)
        column = SQL.identifier("res_partner", fname)
        if value is False or value is None:
            condition = SQL("%s IS NULL" if operator == "=" else "%s IS NOT NULL", column)
        else:
            condition = SQL("%s %s %s", column, SQL(SQL_OPERATORS[operator]), value)
        domain = [("id", "in", SQL("(SELECT res_partner.id FROM res_partner WHERE %s)", condition))]
        if not self._client_data_sees_all():
            domain = expression.AND([domain, self._get_client_data_own_domain()])
        return domain

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """Sorting and grouping read the column of the clients the user handles only."""
        if fname not in BOOKKEEPING_FIELDS:
            return super()._field_to_sql(alias, fname, query=query, flush=flush)
        self.check_field_access_rights("read", [fname])
        value = SQL.identifier(alias, fname)
        if self._client_data_sees_all():
            return value
        own = (
            self._client_own_condition_sql(alias, query) if query is not None else self._client_own_sql(alias)
        )
        return SQL("(CASE WHEN %s THEN %s END)", own, value)
