"""The client base's wizards, extended."""

from . import (
    clientbase_mailing_wizard,
)  # the mailing's placeholders: the client's promo code and its deadline
from . import clientbase_movement_wizard  # the loyalty level as a segment of the movement matrix
