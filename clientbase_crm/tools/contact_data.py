"""The one place where clients' emails and phone numbers are checked.

- An email is checked by a maintained validator (``email_validator``: syntax only, no network
  lookup) and kept **as typed** (surrounding spaces aside): a wrong address is refused with its
  reason, never "repaired" (Odoo's lenient ``email_normalize`` turns ``anna smirnova@bk.ru``
  into ``smirnova@bk.ru`` and ``oleg@mail,ru`` into ``oleg@mail``).
- A phone number is parsed by ``phonenumbers`` (the library of Odoo's ``phone_validation``)
  with the client's country, else the company's, and stored in one international format (E.164,
  ``+79161234567``). Letters are refused (``phonenumbers`` would read them as a keypad's).
"""

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from odoo.addons.phone_validation.tools.phone_validation import phone_parse
from odoo.exceptions import UserError
from odoo.tools import SQL, email_normalize

# what people type around the digits of a number
PHONE_CHARACTERS = re.compile(r"^\+?[\d\s()\-./]+$")  # one leading + at most


def check_email(value):
    """``(address, None)`` for a valid address (as typed), ``(None, reason)`` otherwise."""
    address = (value or "").strip()
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        return None, str(error)
    return address, None


def check_phone(value, country_code=None):
    """``(number in E.164, None)`` for a valid number, ``(None, reason)`` otherwise.
    ``country_code``: the client's country, else the company's (ISO, e.g. "RU").
    Parsed by Odoo's ``phone_validation`` (``phonenumbers`` with Odoo's metadata patches)."""
    number = (value or "").strip()
    if not PHONE_CHARACTERS.match(number):
        return None, "only digits, spaces, brackets, dashes and a leading + belong in a phone number"
    try:
        parsed = phone_parse(number, (country_code or "").upper() or None)
    except UserError as error:
        return None, str(error.args[0])
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), None


def phone_match_key(number):
    """What two numbers share when they are the same line, whatever their format: the last
    ten digits (``8 (916) 123-45-67`` and ``+7 916 123 45 67`` match). ``None`` for fewer
    than six digits."""
    digits = re.sub(r"\D", "", number or "")
    return digits[-10:] if len(digits) >= 6 else None


def phone_match_key_sql(column):
    """:func:`phone_match_key` of a column, in SQL (NULL for fewer than six digits)."""
    digits = SQL("REGEXP_REPLACE(COALESCE(%s, ''), '\\D', '', 'g')", column)
    return SQL("CASE WHEN LENGTH(%s) >= 6 THEN RIGHT(%s, 10) END", digits, digits)


def contact_is_invalid(email, phone, mobile, country_code):
    """A client's stored address or numbers do not pass the checks above (verify-data queue)."""
    if email and not check_email(email)[0]:
        return True
    return any(number and not check_phone(number, country_code)[0] for number in (phone, mobile))


def normalized_email(address):
    """Odoo's ``email_normalized`` of an address :func:`check_email` accepted: the address in
    lower case when it is all ASCII (Odoo's rule, without its costly parsing), else Odoo's own
    function."""
    return address.lower() if address.isascii() else email_normalize(address)
