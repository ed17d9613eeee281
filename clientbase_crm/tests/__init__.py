from . import test_client_birthday, test_client_card, test_client_channel, test_translations
from . import test_export_control
from . import test_client_access
from . import test_interaction, test_one_manager, test_work_rules, test_funnels
from . import test_work_tours
from . import test_segment_figures, test_segment_stage, test_segment_rfm_abc
from . import test_segment_user_defined, test_segment_recompute, test_segment_members
from . import test_segment_member_integrity
from . import test_xlsx_export
from . import test_mailing_consent, test_mailing_responses, test_mailing_tour, test_mailing_wizard
from . import test_import, test_import_matching
from . import test_privacy
from . import test_protection, test_ownership_rules
from . import test_segment_incremental
from . import test_client_life_cycle
from . import test_segment_seeded
from . import test_segment_personas
from . import test_client_age_gender
from . import test_dashboard_tiles
from . import test_client_definition
from . import test_report_bridge
from . import test_reports
from . import test_segment_concurrency
from . import test_sql_planning
from . import test_protection_writes
from . import test_protection_writes_portal
from . import test_protection_bookkeeping
from . import test_protection_forget
from . import test_protection_consent
from . import test_protection_strict
from . import test_protection_bulk_read
from . import test_protection_masked
from . import test_protection_typed_values
from . import test_segment_author_rights
from . import test_export_vcard
from . import test_change_log
from . import test_first_day_screens
from . import test_first_day_tours
from . import test_journeys
from . import test_journeys_rules
from . import test_journeys_features
from . import test_journey_templates
from . import test_journeys_results
from . import test_journeys_tour
from . import test_home_action
from . import test_screen_groupings
from . import test_search_indexes
from . import test_big_base
