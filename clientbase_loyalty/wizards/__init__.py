"""The client base's wizards, extended."""

from . import (
    clientbase_mailing_wizard,
)  # the mailing's placeholders: the client's promo code and its deadline
