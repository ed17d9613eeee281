"""The segmentation engine: plain SQL over an environment's cursor, no ORM models.

- ``rules``: each rule (stage, warmth, RFM, ABC, VIP, persona) written once;
- ``changes``: which clients' inputs changed since the last run (row triggers);
- ``sources``: the source query of a run as named CTE builders: the scope and
  its exceptions (which partners are clients: decided there only), the orders,
  opportunities, engagement and figures rows per client, the source rows;
- ``rankings``: where the company-wide rankings cut, found by counting;
- ``engine``: the statements that refresh the figures and rankings (temporary
  tables, upsert, history);
- ``planner``: planner settings of those statements, always restored;
- ``members``: the user-defined segments' membership, written as differences, and the
  triggers noting the partners whose membership may have changed;
- ``one_pass``: the segments whose members one pass over the partners and their figures
  computes (their conditions compiled to one row's SQL).

The Odoo models (``clientbase.client.figures``, ``res.partner``) keep the fields,
the orchestration of a run and its entry points.
"""

from . import changes, engine, members, one_pass, planner, rankings, rules, sources
