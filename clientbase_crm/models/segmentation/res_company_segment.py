from odoo import api, fields, models
from odoo.exceptions import ValidationError

# the per-company settings the segmentation engine computes with
SEGMENT_THRESHOLD_FIELDS = (
    "client_new_days",
    "client_inactive_days",
    "client_loyal_orders",
    "client_loyal_days",
    "client_rfm_days",
    "client_abc_a_percent",
    "client_abc_b_percent",
    "client_warmth_days",
    "client_hot_probability",
)


class ResCompany(models.Model):
    _inherit = "res.company"

    client_new_days = fields.Integer(
        string="New Client Period (days)",
        default=30,
        help="A client whose first purchase is at most this many days old is New.",
    )
    client_inactive_days = fields.Integer(
        string="Inactivity Threshold (days)",
        default=180,
        help="A client with no purchase for more than this many days is Inactive.",
    )
    client_loyal_orders = fields.Integer(
        string="Loyal: Minimum Purchases",
        default=5,
        help="An active client with at least this many purchases...",
    )
    client_loyal_days = fields.Integer(
        string="Loyal: Minimum Relationship (days)",
        default=365,
        help="...whose first purchase is at least this many days old is Loyal.",
    )
    client_rfm_days = fields.Integer(
        string="RFM and ABC Window (days)",
        default=365,
        help="RFM quintiles and the ABC ranking use the purchases of this many last days.",
    )
    client_abc_a_percent = fields.Float(
        string="Class A Share (%)",
        default=80.0,
        help="Class A (VIP) is the smallest set of top clients bringing this share of revenue.",
    )
    client_abc_b_percent = fields.Float(
        string="Class B Share (%)",
        default=95.0,
        help="Class B are the next clients up to this cumulated share of revenue; C is the rest.",
    )
    client_warmth_days = fields.Integer(
        string="Warmth Window (days)",
        default=90,
        help="Orders, opened or clicked mailings and replies within this many days make a client warm.",
    )
    client_hot_probability = fields.Float(
        string="Hot Opportunity Probability (%)",
        default=50.0,
        help="An open opportunity at least this likely to be won makes its client hot.",
    )
    # progress marker of the running full recompute (resumable after a crash or timeout)
    client_segment_cursor = fields.Integer(
        string="Segment Recompute Cursor",
        default=0,
        copy=False,
        help="Last client id processed by the running full recompute; 0 when no recompute runs.",
    )
    client_segment_initial = fields.Boolean(
        string="Initial Segment Population",
        copy=False,
        help="The running full recompute is the company's first (it had no figures when it started): "
        "it records no segment history, there is no earlier state to compare with.",
    )
    client_segment_run_date = fields.Date(
        string="Segment Recompute Started",
        copy=False,
        help="Date the running (or last) recompute started: the date its rules were applied on.",
    )
    # names clients and their revenue (the last one of each quintile and class): not for
    # every user who reads the company, only for the engine (SQL) and the administrators
    client_segment_cuts = fields.Text(
        string="Segment Ranking Cuts",
        copy=False,
        groups="base.group_system",
        help="Technical: where the RFM quintiles and the ABC classes were cut by the last run (JSON).",
    )
    client_snapshot_at = fields.Datetime(
        string="Segment Snapshot Taken At",
        readonly=True,
        groups="base.group_system",
        help="When the monthly segment snapshot was last brought up to date: the next one compares "
        "only the clients whose segments changed since (their history).",
    )
    client_forecast_factors = fields.Char(
        string="Forecast Calibration",
        copy=False,
        groups="base.group_system",
        help="Technical: the expected revenue's factor per recency bucket (JSON), measured on the 12 "
        "months before the day it was calibrated; recalibrated every 30 days.",
    )
    client_forecast_calibrated_on = fields.Date(
        string="Forecast Calibrated On", copy=False, groups="base.group_system"
    )
    client_segment_done_date = fields.Date(
        string="Segment Recompute Completed",
        copy=False,
        help="Date of the last complete recompute (full or incremental). The next incremental run "
        "refreshes the clients the days since then move; a run that same day with no change of the "
        "figures' inputs has nothing to recompute.",
    )

    @api.constrains(*SEGMENT_THRESHOLD_FIELDS)
    def _check_client_segment_thresholds(self):
        for company in self:
            days = (
                company.client_new_days,
                company.client_inactive_days,
                company.client_loyal_days,
                company.client_rfm_days,
                company.client_warmth_days,
            )
            if min(days) <= 0 or company.client_loyal_orders <= 0:
                raise ValidationError(self.env._("Client base periods and counts must be positive."))
            if not 0 < company.client_abc_a_percent <= company.client_abc_b_percent <= 100:
                raise ValidationError(
                    self.env._("Class A share must be positive and not above class B share, at most 100%.")
                )
            if not 0 <= company.client_hot_probability <= 100:
                raise ValidationError(self.env._("A probability is between 0 and 100%."))
