"""The change log of the client base: who changed what, when, from what, by which door."""

from . import base_partner_merge_automatic_wizard  # a merge of partners is logged as the door "merge"
from . import clientbase_change_alert  # alerts on suspicious mass changes, and their undo
from . import clientbase_change_log  # the log itself: one row per changed value, protected like the client
from . import clientbase_change_log_retention  # the retention period and its purge cron
from . import ir_rule_change_log  # the rule hiding the changes of fields a user may not read
from . import res_company_audit  # the company's settings of the log (alert threshold, retention)
from . import res_config_settings_audit  # the same settings on the settings screen
from . import res_partner_change_log  # the partner's write hooks that fill the log, the card's History
