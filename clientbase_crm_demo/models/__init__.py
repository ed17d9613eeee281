from . import clientbase_demo_generator  # the generator: managers, clients, orders, history, reports
from . import (
    clientbase_demo_setup,
)  # the demo company (rubles, Russian) and its users' roles and home screens
from . import clientbase_demo_clients  # clients and key employees inserted set-based, as create stores them
from . import clientbase_demo_interactions  # logged contacts inserted set-based, as create makes them
from . import clientbase_demo_orders  # sale orders placed set-based, as the ORM would make them
from . import clientbase_demo_marketing  # consents, mailings with their responses, leads, duplicates
from . import clientbase_demo_protection  # export requests and log, a mass change alert
from . import clientbase_demo_journeys  # two ready journeys switched on and run over the recent past
