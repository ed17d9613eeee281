"""Mailing the base: consent, who may receive a mailing, and what mailings brought back."""

from . import clientbase_consent  # the consent ledger
from . import clientbase_mailing_eligibility  # who may receive a mailing, decided set-based
from . import mail_compose_message  # the mail composer in mass mode honours the consent ledger
from . import mail_blacklist  # blacklisting an email withdraws the email consents
from . import mailing_mailing  # a mailing's consent purpose
from . import mailing_trace  # responses to mailings brought back to the client base
from . import phone_blacklist  # blacklisting a number withdraws the SMS and phone consents
from . import res_company_mailing  # the company's mailing settings (frequency cap)
from . import res_config_settings_mailing  # those settings in Settings
from . import res_partner_mailing  # consents and mailing responses on the client card
from . import sms_composer  # the SMS composer in mass mode honours the consent ledger
