"""The client base's wizards, extended."""

# the mailing's placeholders: the client's promo code and its deadline
from . import clientbase_mailing_wizard
from . import clientbase_movement_wizard  # the loyalty level as a segment of the movement matrix
from . import clientbase_mailing_wizard_campaign  # a mailing tied to one promo campaign: its clients, codes
