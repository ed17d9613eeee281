"""A covering index for the groupings over the whole base (issue 32).

The funnels, the Clients Analysis pivot and the dashboard's charts read every active partner:
the columns of the record rules (company, whether a user's partner), of the client definition
(company or no parent, mailing-only, a user's partner, the id against the companies' partners),
of who handles it (its manager, or the one carried from its commercial entity) and the key of its
figures row (the commercial entity). A partner's row is wide (hundreds of bytes): reading them
all is most of such a grouping. This index holds exactly those columns of the active partners
(tens of bytes a row), so that PostgreSQL reads it alone (an *Index Only Scan*, the table's pages
untouched once vacuumed) instead of the table: ten times fewer pages, measured in
``bench/results/results-install-groupings.md``. ``TestBigBaseInstall`` checks that every partner
column these groupings read is in it (a new column in a rule or in the definition must be added
here, or the table is read again).

Built at install on a small base; on a big one by the job of res_partner_big_base.py (one
B-tree over the table: seconds on a million partners).
"""

from odoo import models
from odoo.tools import SQL, sql

from ..protection.res_partner_commercial_owner import OWNER_COLUMN
from .res_partner_big_base import is_big_base

GROUPING_INDEX = "res_partner_clientbase_grouping_idx"
GROUPING_KEY = "commercial_partner_id"
GROUPING_COLUMNS = (
    "id",
    "is_company",
    "parent_id",
    "client_mailing_only",
    "partner_share",
    "company_id",
    "user_id",
    OWNER_COLUMN,
)
GROUPING_WHERE = "active"


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    def init(self):
        res = super().init()
        if not self._clientbase_grouping_index_missing():
            return res
        if not is_big_base(self.env.cr):
            self._clientbase_create_grouping_index()
        return res

    def _clientbase_grouping_index_missing(self):
        return not sql.index_exists(self.env.cr, GROUPING_INDEX)

    def _clientbase_create_grouping_index(self):
        if not self._clientbase_grouping_index_missing():
            return
        self.env.cr.execute(
            SQL(
                "CREATE INDEX %s ON res_partner (%s) INCLUDE (%s) WHERE %s",
                SQL.identifier(GROUPING_INDEX),
                SQL.identifier(GROUPING_KEY),
                SQL(", ").join(SQL.identifier(column) for column in GROUPING_COLUMNS),
                SQL(GROUPING_WHERE),
            )
        )
