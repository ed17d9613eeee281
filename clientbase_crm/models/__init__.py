from . import clientbase_channel
from . import clientbase_interest
from . import res_partner
