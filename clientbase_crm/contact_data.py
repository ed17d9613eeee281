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

# what people type around the digits of a number
PHONE_CHARACTERS = re.compile(r"^[\d\s()+\-./]+$")


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
    ``country_code``: the client's country, else the company's (ISO, e.g. "RU")."""
    number = (value or "").strip()
    if not PHONE_CHARACTERS.match(number):
        return None, "only digits, spaces, brackets, dashes and a leading + belong in a phone number"
    try:
        parsed = phonenumbers.parse(number, (country_code or "").upper() or None)
    except phonenumbers.NumberParseException as error:
        return None, str(error)
    if not phonenumbers.is_valid_number(parsed):
        return None, "not a valid number" + (f" for {country_code.upper()}" if country_code else "")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), None
