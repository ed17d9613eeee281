from odoo.addons.clientbase_crm.tests import test_protection
from odoo.tests import tagged


@tagged("post_install", "-at_install", "clientbase_loyalty", "clientbase_protection")
class TestLoyaltyMarkers(test_protection.TestProtectionMarkers):
    """The base's marker test (every door to a client's protected values, opened by a colleague
    and by the client's own manager) with the client's loyalty rows in place: its bonus points
    granted by a journey step on its card, its personal code issued by another step, its referral
    code, the code and the referral code carrying the marker. The loyalty models' doors must then
    be among those counted as proven (the owner reads the client there, the colleague does not),
    not doors that lead nowhere. (The reports, SQL views, are no doors of the marker test: their
    rules are tested in ``test_loyalty_access.py``. Odoo's loader runs only the tests a class defines: the base's
    writes test is not run again here.)"""

    # doors of this addon's models that must be proven, for the colleague and for the exporter
    LOYALTY_DOORS = (
        "loyalty.card.partner_id web_read",
        "clientbase.loyalty.grant.partner_id web_read",
        "clientbase.loyalty.referral.partner_id web_read",
    )
    LOYALTY_EXPORT_DOORS = (
        "loyalty.card.partner_id export",
        "clientbase.loyalty.grant.partner_id export",
        "clientbase.loyalty.referral.partner_id export",
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        points = cls.env["loyalty.program"].create(
            {"name": "Marker points", "program_type": "loyalty", "rule_ids": [(5, 0, 0)]}
        )
        coupons = cls.env["loyalty.program"].create({"name": "Marker code", "program_type": "coupons"})
        journey = cls.env["clientbase.journey"].create(
            {
                "name": "Loyalty steps journey",
                "trigger": "first_order",
                "goal": "none",
                "active": False,
                "step_ids": [
                    (
                        0,
                        0,
                        {
                            "sequence": 1,
                            "name": "Points",
                            "kind": "loyalty_points",
                            "loyalty_program_id": points.id,
                            "loyalty_points": 7,
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            "sequence": 2,
                            "name": "Code",
                            "kind": "promo_code",
                            "loyalty_program_id": coupons.id,
                            "promo_validity_days": 30,
                        },
                    ),
                ],
            }
        )
        member = cls.env["clientbase.journey.member"].create(
            {
                "journey_id": journey.id,
                "partner_id": cls.secret.id,
                "company_id": cls.company.id,
                "event_key": f"{cls.MARKER}-loyalty",
                "step_id": journey.step_ids[0].id,
            }
        )
        for step in journey.step_ids.sorted("sequence"):
            step._execute(member.ids, cls.secret.ids)
        cls.secret.action_client_referral_code()
        cls.env.invalidate_all()
        Card = cls.env["loyalty.card"]
        cls.code_card = Card.search([("clientbase_journey_member_id", "=", member.id)])
        cls.points_card = Card.search([("program_id", "=", points.id), ("partner_id", "=", cls.secret.id)])
        cls.grant = cls.env["clientbase.loyalty.grant"].search([("partner_id", "=", cls.secret.id)])
        cls.referral = cls.env["clientbase.loyalty.referral"].search([("partner_id", "=", cls.secret.id)])
        # the client's codes carry the marker: the card's derived fields show it to the owner only
        cls.code_card.code = f"{cls.MARKER}CODE"
        cls.referral.code = f"{cls.MARKER}REF"
        cls.env.invalidate_all()
        cls.env.flush_all()

    def _knock(self, user, exports=False):
        answered, proven = super()._knock(user, exports=exports)
        self.knocked[user.login] = (answered, proven)
        return answered, proven

    def test_markers_never_reach_a_colleague(self):
        self.assertEqual(self.points_card.points, 7)
        self.assertEqual(len(self.grant), 1)
        self.assertTrue(self.code_card and self.referral)
        self.assertEqual(self.secret.client_promo_code, f"{self.MARKER}CODE")
        self.assertEqual(self.secret.client_referral_code, f"{self.MARKER}REF")
        self.knocked = {}
        result = super().test_markers_never_reach_a_colleague()
        _answered, proven = self.knocked[self.colleague.login]
        for door in self.LOYALTY_DOORS:
            self.assertIn(door, proven, "the owner reads the client's loyalty rows, the colleague not")
        _answered, proven = self.knocked[self.exporter.login]
        for door in self.LOYALTY_DOORS + self.LOYALTY_EXPORT_DOORS:
            self.assertIn(door, proven, "the owner exports the client's loyalty rows, the exporter not")
        for field in ("client_promo_code", "client_referral_code"):
            self.assertFalse(self.secret.with_user(self.colleague)[field], field)
        return result
