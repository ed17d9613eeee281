"""Who may see, change and take out which client data."""

from . import account_move_retention  # posted invoices keep the forgotten buyer for the statutory period
from . import base_export_guard  # one export guard for every model whose rows reach client data
from . import clientbase_export_log  # the log of every export of client data
from . import clientbase_export_request  # requests to export more than the company's threshold
from . import clientbase_security  # groups, ownership and the classification of fields and models
from . import ir_actions_act_window  # the client base's actions open on a user's own clients
from . import ir_actions_vcard  # no Download (vCard) in the Action menu without the export right
from . import ir_rule  # the salespeople's record rules of ownership, generated from clientbase_security
from . import res_company_security  # the company's protection settings (pool, strict mode, quotas)
from . import res_partner_access  # ownership of a client checked on the partner itself
from . import res_partner_commercial_owner  # a contact's row carries its commercial entity's manager
from . import res_partner_bulk_read  # reading other managers' clients in bulk counts as an export
from . import res_partner_bookkeeping  # the rules' bookkeeping dates, read by the client's circle only
from . import res_partner_export  # exports of other models that follow a relation into a client
from . import res_partner_privacy  # personal-data requests: export all, or forget a client
from . import res_partner_forget  # forgetting a client everywhere: the copies other records keep
from . import res_partner_strict  # strict mode: a client of another manager is named nowhere
from . import res_partner_vcard  # contact cards (vCard) of clients go through the export guard
from . import partner_value_resolver  # which field shows a partner's contact or identity, by which path
from . import res_partner_masked  # masked-contacts mode: no search, sort or group by a masked value
from . import base_masked  # masked-contacts mode: every field showing a masked email or phone
from . import base_strict  # strict mode: every field showing what a hidden client's record holds
from . import base_typed_values  # typed values of the client base's models checked before SQL
from . import mail_masked  # masked-contacts mode: rendered mails, tracked changes, senders
from . import ir_qweb_field_contact  # printed address blocks follow the strict and masked modes
from . import ir_actions_report_strict  # printed documents show nothing of a hidden client
