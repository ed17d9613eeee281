"""Purchase figures and segments kept by the engine (``clientbase_crm.segmentation``)."""

from . import clientbase_client_figures  # one client's purchase figures and segments per company
from . import clientbase_client_forecast  # the expected next purchase and revenue, calibrated
from . import clientbase_client_margin  # the client's historic gross margin
from . import clientbase_segment  # user-defined segments (a domain on clients)
from . import clientbase_segment_history  # every change of a client's stage, VIP, warmth, RFM...
from . import clientbase_segment_member  # one client in one user-defined segment
from . import clientbase_segment_snapshot  # monthly snapshots of every client's segments
from . import res_company_segment  # the company's segment thresholds
from . import res_config_settings_segment  # the thresholds in Settings
from . import res_partner_funnel  # funnels show every stage and warmth column
from . import res_partner_grouping  # grouping by a figure, without JIT compilation
from . import res_partner_segment  # the figures and segments on the partner, under the figures' rules
from . import sale_order  # the orders' discount flag the engine reads
