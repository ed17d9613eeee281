from odoo import models
from odoo.tools import SQL, Query

from ...tools.typed_values import DATE_TYPES, NUMBER_TYPES, check_condition

TYPED_TYPES = (*DATE_TYPES, *NUMBER_TYPES, "boolean")


class Base(models.AbstractModel):
    """Typed values checked before SQL on every model of the client base (``clientbase.*``):
    a word for a date, a number or a yes/no field, a list that mixes types, a day that does
    not exist, in any domain (a saved filter, an RPC call, a report's filter) is refused with
    the translated error of ``tools/typed_values.py`` rather than by PostgreSQL with the whole
    query in the log. The partner's own fields are checked where they are searched
    (``res_partner_card.py``, ``res_partner_segment.py``, ``res_partner_bookkeeping.py``)."""

    _inherit = "base"

    def _condition_to_sql(self, alias, fname, operator, value, query):
        if self._name.startswith("clientbase.") and fname != "id" and not isinstance(value, (Query, SQL)):
            field = self._fields.get(fname)
            if field is not None and field.store and field.type in TYPED_TYPES:
                value = check_condition(self.env, field, operator, value)
        return super()._condition_to_sql(alias, fname, operator, value, query)
