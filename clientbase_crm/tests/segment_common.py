from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, new_test_user


class SegmentCommon(TransactionCase):
    """Fixtures of the segmentation engine: a product, clients and a helper that
    makes confirmed orders dated N days ago."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.today = fields.Date.today()
        cls.figures = cls.env["clientbase.client.figures"]
        cls.user_manager = new_test_user(
            cls.env,
            login="seg_manager",
            name="Segment Manager",
            groups="base.group_user,clientbase_crm.group_clientbase_manager",
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Segment Widget", "list_price": 100.0, "taxes_id": [(5, 0, 0)], "type": "service"}
        )
        cls.Partner = cls.env["res.partner"]

    @classmethod
    def _client(cls, name, **vals):
        return cls.env["res.partner"].create(dict({"name": name, "is_company": True}, **vals))

    @classmethod
    def _order(cls, partner, amount=100.0, days_ago=0, discount=0.0, state="sale", company=None):
        """An order of ``amount`` (untaxed) dated ``days_ago`` days back, confirmed by default."""
        env = cls.env if not company else cls.env["res.company"].browse(company.id).with_company(company).env
        order = env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": (company or cls.env.company).id,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": cls.product.id,
                            "product_uom_qty": 1,
                            "price_unit": amount / (1 - discount / 100.0) if discount else amount,
                            "discount": discount,
                            "tax_id": [(5, 0, 0)],
                        },
                    )
                ],
            }
        )
        if state in ("sale", "cancel"):
            order.action_confirm()
        if state == "cancel":
            order._action_cancel()
        order.date_order = fields.Datetime.now() - timedelta(days=days_ago)
        return order

    def _recompute(self, **kwargs):
        self.figures._recompute_all(**kwargs)
        self.env.invalidate_all()

    def _snapshot(self):
        """Every figures value and history count, to compare two runs."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT partner_id, company_id, first_order_date, last_order_date, order_count, revenue::float,"
            " stage, warmth, rfm_recency, rfm_frequency, rfm_monetary, rfm_segment, abc_class,"
            " persona_suggested, stage_manual, vip_manual FROM clientbase_client_figures"
            " ORDER BY partner_id, company_id"
        )
        rows = self.env.cr.fetchall()
        self.env.cr.execute("SELECT segment_id, partner_id FROM clientbase_segment_member ORDER BY 1, 2")
        return rows, self.env.cr.fetchall()
