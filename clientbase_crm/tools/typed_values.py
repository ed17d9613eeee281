"""Values of typed fields checked before they reach SQL.

A domain from a client (a saved filter, an RPC call, a segment) may carry a value of the
wrong type: a word for a date, a number or a yes/no field, a list mixing types, a day that
does not exist. PostgreSQL would refuse it with an error that logs the whole query and
answers the user with a server error. These helpers refuse it first, with a translated
``ValidationError`` that names the field, and return the value in the type the SQL expects
(the values are bound parameters either way: this is about clear errors, not injection).
"""

from datetime import date, datetime

from odoo import fields
from odoo.exceptions import ValidationError

DATE_TYPES = ("date", "datetime")
NUMBER_TYPES = ("integer", "float", "monetary")
LIST_OPERATORS = ("in", "not in")
# operators that compare the text of a value (Odoo casts the column to text)
TEXT_OPERATORS = ("like", "not like", "ilike", "not ilike", "=like", "=ilike")


def _invalid(env, label, kind, value):
    messages = {
        "date": env._(
            "“%(value)s” is not a valid date for %(field)s (expected YYYY-MM-DD).", value=value, field=label
        ),
        "number": env._(
            "“%(value)s” is not a number: %(field)s can only be compared with numbers.",
            value=value,
            field=label,
        ),
        "integer": env._(
            "“%(value)s” is not a whole number: %(field)s can only be compared with whole numbers.",
            value=value,
            field=label,
        ),
        "boolean": env._(
            "“%(value)s” is not yes or no: %(field)s can only be compared with true or false.",
            value=value,
            field=label,
        ),
        "list": env._(
            "%(field)s: the operator “%(value)s” needs a list of values.", value=value, field=label
        ),
    }
    return ValidationError(messages[kind])


def to_date_value(env, label, value, field_type="date"):
    """``value`` as a date (a datetime for a datetime field); a clear error when it is none."""
    if isinstance(value, datetime):
        return value if field_type == "datetime" else value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise _invalid(env, label, "date", value)
    try:
        if field_type == "datetime" and len(value) > 10:
            return fields.Datetime.to_datetime(value)
        return fields.Date.to_date(value[:10] if field_type == "date" else value)
    except ValueError:
        raise _invalid(env, label, "date", value) from None


def _to_number(env, label, value, integer):
    if isinstance(value, bool):
        raise _invalid(env, label, "integer" if integer else "number", value)
    if isinstance(value, int) or (isinstance(value, float) and not integer):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, str):
        raise _invalid(env, label, "integer" if integer else "number", value)
    try:
        return int(value) if integer else float(value)
    except ValueError:
        raise _invalid(env, label, "integer" if integer else "number", value) from None


def _to_boolean(env, label, value):
    if isinstance(value, bool):
        return value
    if value in (0, 1) and not isinstance(value, float):
        return bool(value)
    raise _invalid(env, label, "boolean", value)


def check_value(env, label, field_type, value):
    """One value compared with a field of ``field_type``, in the type the SQL expects;
    ``False`` and ``None`` (no value) pass as they are."""
    if value is False or value is None:
        return value
    if field_type in DATE_TYPES:
        return to_date_value(env, label, value, field_type)
    if field_type in NUMBER_TYPES:
        return _to_number(env, label, value, integer=field_type == "integer")
    if field_type == "boolean":
        return _to_boolean(env, label, value)
    return value


def check_condition(env, field, operator, value):
    """The value of the condition ``(field, operator, value)``, checked and converted for the
    type of ``field`` (an Odoo field); text operators and relational fields are left to the ORM."""
    if operator in TEXT_OPERATORS or field.type not in (*DATE_TYPES, *NUMBER_TYPES, "boolean"):
        return value
    label = field._description_string(env)
    if operator in LIST_OPERATORS:
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
            raise _invalid(env, label, "list", operator)
        return [check_value(env, label, field.type, item) for item in value]
    return check_value(env, label, field.type, value)


def check_date_condition(env, label, operator, value, operators):
    """A condition on a date column searched with SQL: an operator of ``operators`` and a date
    (or no value, with ``=`` and ``!=``)."""
    if operator not in operators or (value in (False, None) and operator not in ("=", "!=")):
        raise ValidationError(env._("%(field)s can only be compared with a date.", field=label))
    return to_date_value(env, label, value) if value not in (False, None) else value
