"""Working the base day by day: interactions, reminders, follow-up, opportunities."""

from . import clientbase_churn_reason  # why a client was lost
from . import clientbase_interaction  # calls, meetings, messages logged with a client
from . import crm_lead  # one manager per client on opportunities
from . import mail_activity  # reminders on clients
from . import res_company_work  # the company's working rules (contact intervals, birthdays)
from . import res_config_settings_work  # those rules in Settings
from . import (
    res_partner_reminders,
)  # the reminder crons: contact due, birthdays, paused potentials, fresh data
from . import res_partner_work  # interactions, last contact and follow-up on the client
from . import res_users_home  # client base users land on the client base after login
