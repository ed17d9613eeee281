from . import clientbase_handover_wizard
from . import clientbase_churn_wizard
from . import clientbase_xlsx_export_wizard
from . import clientbase_mailing_wizard
from . import clientbase_import_column
from . import clientbase_import_issue
from . import clientbase_import_wizard
from . import clientbase_forget_wizard
from . import clientbase_movement_wizard
from . import clientbase_journey_test_wizard  # a journey step rendered for a chosen client, sent to me
