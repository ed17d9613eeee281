"""The client's portal."""

from . import portal  # /my shows the client's level, progress, referral code and valid personal codes
