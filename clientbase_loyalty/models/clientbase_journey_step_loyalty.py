"""The journeys' loyalty steps: grant bonus points, issue a personal promo code with a deadline.

Done like every other step (``clientbase_crm/models/journeys/clientbase_journey_run.py``): for
the due members of a batch at once, in the transaction that writes their history and moves them
on, so a run repeated, or killed and rerun, gives nothing twice. Besides, each gift is keyed by
the client's entry in the journey: the points are a ``clientbase.loyalty.grant`` whose occasion
is the entry and the step (the grants' unique index), the code a ``loyalty.card`` unique per
entry and step. Held-out members do no step, so they get neither.
"""

import logging
from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .clientbase_loyalty_campaign import CODE_ATTEMPTS

_logger = logging.getLogger(__name__)

LOYALTY_STEP_KINDS = [
    ("loyalty_points", "Grant bonus points"),
    ("promo_code", "Issue a personal promo code"),
]
# the program type each loyalty step needs
STEP_PROGRAM_TYPES = {"loyalty_points": "loyalty", "promo_code": "coupons"}


def _to_wait(steps):
    """Uninstalling the addon turns its steps into waits of no days: the journeys go on."""
    steps.write({"kind": "wait", "wait_days": 0})


class ClientbaseJourneyStep(models.Model):
    _inherit = "clientbase.journey.step"

    kind = fields.Selection(
        selection_add=LOYALTY_STEP_KINDS,
        ondelete={"loyalty_points": _to_wait, "promo_code": _to_wait},
    )
    loyalty_program_id = fields.Many2one(
        "loyalty.program",
        ondelete="restrict",
        domain="[('program_type', '=', 'loyalty' if kind == 'loyalty_points' else 'coupons'),"
        " ('company_id', 'in', [company_id, False])]",
        help="Points: the Loyalty Cards program whose client's card gets them. "
        "Personal code: the Coupons program whose reward the code gives.",
    )
    loyalty_points = fields.Float(string="Points", digits=(16, 2))
    promo_validity_days = fields.Integer(
        string="Valid For (Days)",
        default=14,
        help="The code is valid until this many days after it is issued (that day included), "
        "in the company's time zone, and refused after. An email of a following step shows it: "
        "the client's Personal Promo Code and Promo Code Valid Until.",
    )
    promo_code_count = fields.Integer(string="Codes Issued", compute="_compute_promo_results")
    promo_redeemed_count = fields.Integer(string="Codes Redeemed", compute="_compute_promo_results")

    @api.constrains("kind", "loyalty_program_id", "loyalty_points", "promo_validity_days")
    def _check_loyalty_step(self):
        for step in self.filtered(lambda s: s.kind in STEP_PROGRAM_TYPES):
            program = step.loyalty_program_id
            if not program:
                raise ValidationError(self.env._("Step %(step)s needs a loyalty program.", step=step.name))
            if program.program_type != STEP_PROGRAM_TYPES[step.kind]:
                raise ValidationError(
                    self.env._(
                        "Step %(step)s: points go on a program of the Loyalty Cards type, personal codes"
                        " are of a program of the Coupons type.",
                        step=step.name,
                    )
                )
            if program.company_id and program.company_id != step.journey_id.company_id:
                raise ValidationError(
                    self.env._(
                        "Step %(step)s: the loyalty program must be of the journey's company.", step=step.name
                    )
                )
            if step.kind == "loyalty_points" and step.loyalty_points <= 0:
                raise ValidationError(
                    self.env._("Step %(step)s: the points granted must be more than 0.", step=step.name)
                )
            if step.kind == "promo_code" and step.promo_validity_days <= 0:
                raise ValidationError(
                    self.env._("Step %(step)s: a code is valid for at least one day.", step=step.name)
                )

    def _compute_promo_results(self):
        """Codes issued by the step, and those whose reward line is on a confirmed order."""
        counts = {}
        ids = [step_id for step_id in self.ids if step_id]
        if ids:
            self.env["loyalty.card"].flush_model()
            self.env["sale.order.line"].flush_model(["coupon_id", "reward_id", "order_id"])
            self.env["sale.order"].flush_model(["state"])
            rows = self.env.execute_query(
                SQL(
                    """
                    SELECT c.clientbase_journey_step_id, COUNT(*),
                           COUNT(*) FILTER (WHERE EXISTS (
                               SELECT 1 FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id
                                WHERE l.coupon_id = c.id AND l.reward_id IS NOT NULL AND o.state = 'sale'))
                      FROM loyalty_card c
                     WHERE c.clientbase_journey_step_id = ANY(%s)
                     GROUP BY c.clientbase_journey_step_id
                    """,
                    ids,
                )
            )
            counts = {row[0]: (row[1], row[2]) for row in rows}
        for step in self:
            step.promo_code_count, step.promo_redeemed_count = counts.get(step.id, (0, 0))

    # --- the ready win-back journey ---------------------------------------------------------------
    @api.model
    def _loyalty_setup_winback(self, restore=False):
        """The ready win-back journey's message shows the personal code its first step issues: its
        email step takes this addon's template while it has the stock one (``restore``: back to the
        stock template, when the addon is uninstalled)."""
        step = self.env.ref("clientbase_crm.journey_winback_step_mail", raise_if_not_found=False)
        stock = self.env.ref("clientbase_crm.mail_template_journey_winback", raise_if_not_found=False)
        with_code = self.env.ref(
            "clientbase_loyalty.mail_template_journey_winback_code", raise_if_not_found=False
        )
        if not (step and stock and with_code):
            return
        old, new = (with_code, stock) if restore else (stock, with_code)
        if step.mail_template_id == old:
            step.mail_template_id = new

    # --- execution (one batch of due members, in the run's savepoint) -------------------------------
    def _company_today(self):
        journey = self.journey_id
        tz = pytz.timezone(journey.company_id.partner_id.tz or journey.user_id.tz or "UTC")
        return pytz.utc.localize(fields.Datetime.now()).astimezone(tz).date()

    def _loyalty_program_usable(self, member_ids):
        """Whether the step's program still gives anything: an archived one skips the step."""
        if self.sudo().loyalty_program_id.active:
            return True
        self._log(member_ids, "skipped", note=self.env._("The loyalty program is archived"))
        self._move(member_ids, self._next_step())
        return False

    def _execute_loyalty_points(self, member_ids, partner_ids):
        """Grant the step's points to the members' clients: one grant per entry in the journey and
        step (``ON CONFLICT DO NOTHING`` on the grants' unique index), posted to their cards."""
        if not self._loyalty_program_usable(member_ids):
            return
        journey = self.journey_id
        company = journey.company_id
        named = self.with_context(lang=company.partner_id.lang or self.env.lang)
        description = f"{named.journey_id.name}: {named.name}"
        Grant = self.env["clientbase.loyalty.grant"]
        self.env["clientbase.journey.member"].flush_model()
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO clientbase_loyalty_grant
                       (partner_id, company_id, program_id, event, occasion, journey_step_id, description,
                        points, date, posted, create_uid, create_date, write_uid, write_date)
                SELECT m.partner_id, %(company)s, %(program)s, 'journey', 'journey:' || m.id || ':' || %(step)s,
                       %(step)s, %(description)s, %(points)s, %(now)s, FALSE, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM clientbase_journey_member m
                 WHERE m.id = ANY(%(ids)s)
                ON CONFLICT (partner_id, company_id, event, occasion) DO NOTHING
                """,
                company=company.id,
                program=self.loyalty_program_id.id,
                step=self.id,
                description=description,
                points=self.loyalty_points,
                now=now,
                uid=self.env.uid,
                ids=list(member_ids),
            )
        )
        Grant._post_grants(company)
        Grant.invalidate_model()
        self.env["loyalty.card"].invalidate_model(["points", "points_display", "history_ids"])
        self.env["loyalty.history"].invalidate_model()
        self._log(member_ids, "done")
        self._move(member_ids, self._next_step())

    def _get_issue_codes_query(self, member_ids, expiration):
        """One ``INSERT ... SELECT``: a personal code of the step's program for each member of the
        batch who has none of this step yet (codes as the promo campaigns make them: 16 hexadecimal
        digits of a random UUID's digest; one colliding with an existing code is skipped and given
        by the next attempt)."""
        program = self.sudo().loyalty_program_id
        now = fields.Datetime.now()
        return SQL(
            """
            INSERT INTO loyalty_card
                   (program_id, company_id, partner_id, code, points, expiration_date, active,
                    clientbase_journey_step_id, clientbase_journey_member_id,
                    create_uid, create_date, write_uid, write_date)
            SELECT %(program)s, %(company)s, m.partner_id, upper(substr(md5(gen_random_uuid()::text), 1, 16)),
                   %(points)s, %(expiration)s, TRUE, %(step)s, m.id, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM clientbase_journey_member m
             WHERE m.id = ANY(%(ids)s)
               AND NOT EXISTS (SELECT 1 FROM loyalty_card c
                                WHERE c.clientbase_journey_member_id = m.id AND c.clientbase_journey_step_id = %(step)s)
            ON CONFLICT DO NOTHING
            """,
            program=program.id,
            company=program.company_id.id or None,  # the card's company is its program's
            points=min(program.reward_ids.mapped("required_points") or [1.0]),
            expiration=expiration,
            step=self.id,
            uid=self.env.uid,
            now=now,
            ids=list(member_ids),
        )

    def _members_without_code(self, member_ids):
        rows = self.env.execute_query(
            SQL(
                "SELECT m.id FROM clientbase_journey_member m WHERE m.id = ANY(%s) AND NOT EXISTS"
                " (SELECT 1 FROM loyalty_card c WHERE c.clientbase_journey_member_id = m.id"
                " AND c.clientbase_journey_step_id = %s)",
                list(member_ids),
                self.id,
            )
        )
        return [row[0] for row in rows]

    def _execute_promo_code(self, member_ids, partner_ids):
        """Issue each member's client a personal code valid for the step's days (until that day
        included, in the company's time zone); an email of a following step shows it."""
        if not self._loyalty_program_usable(member_ids):
            return
        self.env["clientbase.journey.member"].flush_model()
        self.env["loyalty.card"].flush_model()
        expiration = self._company_today() + timedelta(days=self.promo_validity_days)
        issued = 0
        missing = list(member_ids)
        for _attempt in range(CODE_ATTEMPTS):
            self.env.cr.execute(self._get_issue_codes_query(missing, expiration))
            issued += self.env.cr.rowcount
            missing = self._members_without_code(missing)
            if not missing:
                break
        self.env["loyalty.card"].invalidate_model()
        if issued:
            _logger.info("Journey step %s: %s personal codes issued", self.id, issued)
        done = sorted(set(member_ids) - set(missing))
        self._log(done, "done")
        self._move(done, self._next_step())
        if missing:  # random codes colliding five times in a row: those members try again later
            self.env.cr.execute(
                SQL(
                    "UPDATE clientbase_journey_member SET next_run = %s WHERE id = ANY(%s)",
                    fields.Datetime.now() + timedelta(hours=1),
                    missing,
                )
            )
