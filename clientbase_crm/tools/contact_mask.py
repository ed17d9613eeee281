"""How a masked email or phone number looks (masked-contacts mode, ``res_partner_masked.py``).

A masked value tells a colleague that the client has an address or a number and lets him
recognise it when the client says it (the first letter and the domain, the first digit and the
last two), never enough to reach the client: ``ivanov@mail.ru`` is ``i•••@mail.ru``,
``+79161234512`` is ``+7 9•• •••-••-12``. A text holding several addresses (``"Ivanov"
<ivanov@mail.ru>``) has each of them masked, the rest kept.
"""

import re

BULLET = "•"
EMAIL_PATTERN = re.compile(r"([^\s<>\"',;:@]+)@([^\s<>\"',;:@]+)")


def mask_email(value):
    """``value`` with every email address in it masked; anything else (False, None) as given."""
    if not isinstance(value, str) or not value:
        return value
    return EMAIL_PATTERN.sub(lambda match: f"{match.group(1)[0]}{BULLET * 3}@{match.group(2)}", value)


def mask_phone(value):
    """``value`` masked as a phone number: the country code, the first digit and the last two
    digits stay; a Russian number (``+7`` or ``8`` and ten digits) in the Russian grouping."""
    if not isinstance(value, str) or not value or BULLET in value:
        return value
    digits = re.sub(r"\D", "", value)
    if len(digits) < 5:
        return BULLET * len(digits)
    if len(digits) == 11 and (value.lstrip().startswith("+7") or digits[0] == "8"):
        return f"+7 {digits[1]}{BULLET * 2} {BULLET * 3}-{BULLET * 2}-{digits[-2:]}"
    plus = "+" if value.lstrip().startswith("+") else ""
    return f"{plus}{digits[:2]} {BULLET * (len(digits) - 4)} {digits[-2:]}"


MASKS = {"email": mask_email, "phone": mask_phone}


def mask(value, kind):
    """``value`` masked as a contact datum of ``kind`` (``email`` or ``phone``)."""
    return MASKS[kind](value)
