from . import test_demo_generator  # the demo base's shape: Russian, consents, mailings, leads, duplicates
from . import test_demo_screens  # every menu shows records; the head of sales' mailing reaches clients
from . import test_demo_translations  # the demo addon's terms in Russian
from . import test_demo_orders  # set-based orders equal the ORM's, field by field
from . import test_demo_clients  # set-based clients equal the ORM's, column by column
from . import test_demo_interactions  # set-based interactions equal the ORM's, notes and activities included
