from . import test_levels
from . import test_level_discount
from . import test_campaign
from . import test_loyalty_access
from . import test_loyalty_report
from . import test_translations
