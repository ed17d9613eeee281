"""The client itself: the partner's one create/write and the card's data."""

from . import clientbase_channel  # where a client came from (channels)
from . import clientbase_client_card  # the personal, qualifying and informal data of one client
from . import clientbase_duplicate  # likely duplicates by normalised email, phone or tax id
from . import clientbase_interest  # interests and hobbies (tags on the card)
from . import res_partner  # the partner's one create/write and its hooks, the client's kind and channel
from . import res_partner_client  # whether a partner is a client (the one definition)
from . import res_partner_card  # the card's fields on the partner, under the card's rules
from . import res_partner_big_base  # what an install on a big base defers to a job (indexes, checks)
from . import res_partner_contact_check  # whether a client's email or numbers fail the checks
from . import res_partner_grouping_index  # a covering index for the groupings over the whole base
from . import res_partner_search_index  # trigram indexes of the "contains" searches (pg_trgm)
from . import odoo_trigram_index  # Odoo's own trigram indexes, built before the update would
