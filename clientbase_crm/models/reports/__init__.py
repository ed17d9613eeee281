"""The client base's reports: tables rebuilt set-based by the nightly job."""

from . import clientbase_report_ratios  # ratio measures of any report: the ratio of the sums (first)
from . import clientbase_channel_cost  # what an acquisition channel cost in a month
from . import board_board  # the dashboard's tiles show their reports' domain and default filter
from . import clientbase_report_channel  # acquisition channels per month
from . import clientbase_report_cohort  # cohorts by the month of the first order
from . import clientbase_report_mailing  # what the mailings to clients brought
from . import clientbase_report_mixin  # what the report tables share: rebuild, freshness, SQL
from . import clientbase_report_monthly  # growth and churn per month and manager
from . import clientbase_report_monthly_client  # the clients behind its numbers: the month's bridge
