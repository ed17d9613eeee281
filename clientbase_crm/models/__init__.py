from . import clientbase_channel, clientbase_interest, res_partner
from . import clientbase_client_card
from . import res_partner_card
from . import clientbase_demo_generator
from . import res_company_security
from . import clientbase_export_request
from . import clientbase_export_log
from . import res_partner_export
from . import res_partner_access
from . import clientbase_interaction
from . import clientbase_churn_reason
from . import mail_activity
from . import res_company_work
from . import res_config_settings_work
from . import res_partner_work
from . import res_partner_rules
from . import crm_lead
from . import clientbase_duplicate

# before the figures: its init() watches sale_order.client_discounted, created by sale.order's _auto_init()
from . import sale_order_segment
from . import clientbase_client_figures
from . import clientbase_segment
from . import clientbase_segment_member
from . import clientbase_segment_history
from . import res_company_segment
from . import res_config_settings_segment
from . import res_partner_segment
from . import clientbase_consent
from . import clientbase_mailing_eligibility
from . import res_company_mailing
from . import res_config_settings_mailing
from . import res_partner_mailing
from . import mailing_mailing
from . import mailing_trace
from . import res_partner_funnel
from . import res_partner_privacy
from . import mail_blacklist
