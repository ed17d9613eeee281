"""The client base's models, one sub-package per capability (docs/developers.md, *Layout*)."""

from . import audit, mailing, partner, protection, reports, segmentation, work
from . import journeys  # triggered campaigns; a sub-package that can move out whole
