"""The demo's sale orders, placed set-based.

Creating an order through ``sale.order.create`` and ``action_confirm`` costs milliseconds of
Python per order and a few queries per line (the pricelist's rule, the product's description,
taxes, the sequence, followers): half of the demo's time. The orders here are the same rows
written with multi-row ``INSERT`` statements (``bulk_insert``):

* what depends on the client (invoice and delivery address, pricelist, fiscal position,
  payment terms) is read once per client;
* what depends on the product and quantity (description, unit of measure, price, taxes,
  amounts) is computed by the ORM once per pricelist, fiscal position, product and quantity,
  on an unsaved prototype order, and copied to every line like it;
* every other stored field (the sales team, invoicing status, quantities to invoice, the
  related fields...) is left to the ORM's batched recomputation, as ``create`` would;
* names come from the orders' sequence, numbers drawn at once;
* confirmed orders (and cancelled ones, which were confirmed first) are followed by their
  client, as ``action_confirm`` does.

A test compares orders placed this way with the same orders created and confirmed through the
ORM, field by field (``tests/test_demo_orders.py``). Prices are taken as of today: a pricelist
rule bounded by dates would price a past order as today (the demo's pricelist has none).
"""

from collections import defaultdict

from odoo import Command, api, models
from odoo.addons.clientbase_crm.tools.bulk_insert import bulk_insert
from odoo.tools import SQL, split_every

# line fields computed on the prototype and copied: those that depend on the product, the
# quantity, the pricelist and the fiscal position only (the rest is the ORM's, per line)
PROTOTYPE_LINE_FIELDS = (
    "name",
    "product_uom",
    "price_unit",
    "technical_price_unit",
    "discount",
    "pricelist_item_id",
    "price_subtotal",
    "price_tax",
    "price_total",
    "price_reduce_taxexcl",
    "price_reduce_taxinc",
    "product_packaging_id",
    "product_packaging_qty",
    "customer_lead",
)
# order fields read from the client, once per client
CLIENT_ORDER_FIELDS = (
    "partner_invoice_id",
    "partner_shipping_id",
    "pricelist_id",
    "currency_id",
    "fiscal_position_id",
    "payment_term_id",
)
BATCH = 2000


class ClientbaseDemoGenerator(models.AbstractModel):
    _inherit = "clientbase.demo.generator"

    @api.model
    def _demo_place_orders(self, rng, plan, extra=None):
        """Orders of the plan ``[(partner, order datetime, final state)]`` (``extra``: more values
        of each order, e.g. its UTM), placed set-based: quotations, confirmed orders and cancelled
        ones, dated as planned, their salesperson the client's manager. Returns the orders, in
        the plan's order."""
        if not plan:
            return self.env["sale.order"]
        products = self._demo_get_products()
        SaleOrder = self.env["sale.order"]
        company = self.env.company
        # the lines of each order, drawn as the ORM path drew them: (product, quantity)
        drawn = []
        for __ in plan:
            lines = []
            for product in rng.sample(list(products), rng.randint(1, 3)):
                qty = rng.randint(1, 3) if product.type == "service" else rng.randint(1, 20)
                lines.append((product, qty))
            drawn.append(lines)
        clients = self._demo_order_client_values(
            self.env["res.partner"].browse(list(dict.fromkeys(partner.id for partner, __, __ in plan)))
        )
        prototypes = self._demo_line_prototypes(plan, drawn, clients)
        names = self._demo_order_names(len(plan))
        locked = self.env.user.has_group("sale.group_auto_done_setting")
        order_vals, line_vals = [], []
        for index, ((partner, when, state), lines) in enumerate(zip(plan, drawn, strict=True)):
            client = clients[partner.id]
            key = self._demo_prototype_key(partner, client)
            rows = [prototypes[key, product.id, qty] for product, qty in lines]
            vals = {
                **client,
                "name": names[index],
                "partner_id": partner.id,
                "user_id": partner.user_id.id,
                "company_id": company.id,
                "date_order": when,
                "create_date": when,
                "state": state,
                "locked": locked and state == "sale",
                "amount_untaxed": sum(row["price_subtotal"] for row in rows),
                "amount_tax": sum(row["price_tax"] for row in rows),
                "amount_total": sum(row["price_total"] for row in rows),
            }
            vals.update(extra[index] if extra else {})
            order_vals.append(vals)
            line_vals.append(
                [
                    dict(
                        row,
                        product_id=product.id,
                        product_uom_qty=qty,
                        create_date=when,
                        # no analytic distribution models in the demo: skip their per-line lookup
                        analytic_distribution=False,
                    )
                    for (product, qty), row in zip(lines, rows, strict=True)
                ]
            )
        orders = SaleOrder.browse()
        for start in range(0, len(order_vals), BATCH):
            batch = bulk_insert(SaleOrder, order_vals[start : start + BATCH])
            self._demo_insert_lines(batch, line_vals[start : start + BATCH])
            orders |= batch
        self._demo_orders_followed(
            orders.browse([o.id for o, (__, __, state) in zip(orders, plan, strict=True) if state != "draft"])
        )
        self.env.invalidate_all()
        return orders

    @api.model
    def _demo_insert_lines(self, orders, line_vals):
        """Insert the lines of ``orders`` (``line_vals``: a list of line values per order), their
        taxes, and recompute the orders' fields that the lines make (invoicing status...)."""
        Line = self.env["sale.order.line"]
        flat, taxes = [], []
        for order, lines in zip(orders, line_vals, strict=True):
            for vals in lines:
                vals = dict(vals, order_id=order.id)
                taxes.append(vals.pop("tax_ids", ()))
                flat.append(vals)
        lines = bulk_insert(Line, flat)
        tax_field = Line._fields["tax_id"]
        rows = [
            (line_id, tax_id) for line_id, tax_ids in zip(lines.ids, taxes, strict=True) for tax_id in tax_ids
        ]
        for batch in split_every(5000, rows):
            self.env.cr.execute(
                SQL(
                    "INSERT INTO %s (%s, %s) VALUES %s",
                    SQL.identifier(tax_field.relation),
                    SQL.identifier(tax_field.column1),
                    SQL.identifier(tax_field.column2),
                    SQL(", ").join(SQL("(%s, %s)", *row) for row in batch),
                )
            )
        # the orders' stored fields made of their lines, computed at insert without them
        for field in self._demo_order_fields_of_lines():
            self.env.add_to_compute(field, orders)
        orders.flush_recordset()

    @api.model
    def _demo_order_fields_of_lines(self):
        """Stored computed fields of ``sale.order`` that depend on its lines and that the
        orders' values do not give (the amounts are given)."""
        SaleOrder = self.env["sale.order"]
        given = {"amount_untaxed", "amount_tax", "amount_total"}
        return [
            field
            for name, field in SaleOrder._fields.items()
            if field.store
            and field.compute
            and name not in given
            and any(dep.split(".")[0] == "order_line" for dep in self.env.registry.field_depends[field])
        ]

    @api.model
    def _demo_order_client_values(self, partners):
        """``{partner id: values}`` of the order fields that depend only on the client: what
        ``sale.order`` computes from its partner, read once per client."""
        SaleOrder = self.env["sale.order"]
        company = self.env.company
        pricelists = self.env["product.pricelist"]._get_partner_pricelist_multi(partners.ids)
        FiscalPosition = self.env["account.fiscal.position"].with_company(company)
        # without positions applied automatically, a client's position is the one set on it
        # (account.fiscal.position._get_fiscal_position, which searches them once per call)
        automatic = FiscalPosition.search_count(
            [*FiscalPosition._check_company_domain(company), ("auto_apply", "=", True)], limit=1
        )
        values = {}
        for partner in partners.with_company(company):
            addresses = partner.address_get(["invoice", "delivery"])
            shipping = partner.browse(addresses["delivery"])
            if automatic:
                position = FiscalPosition._get_fiscal_position(partner, shipping)
            else:
                position = shipping.property_account_position_id or partner.property_account_position_id
            pricelist = pricelists.get(partner.id) or SaleOrder.browse().pricelist_id
            values[partner.id] = {
                "partner_invoice_id": addresses["invoice"],
                "partner_shipping_id": addresses["delivery"],
                "pricelist_id": pricelist.id,
                "currency_id": (pricelist.currency_id or company.currency_id).id,
                "fiscal_position_id": position.id,
                "payment_term_id": partner.property_payment_term_id.id,
            }
        return values

    @api.model
    def _demo_prototype_key(self, partner, client):
        """What a line's price, taxes and description depend on besides its product and
        quantity: the order's pricelist, fiscal position and the client's language."""
        return client["pricelist_id"], client["fiscal_position_id"], partner.lang

    @api.model
    def _demo_line_prototypes(self, plan, drawn, clients):
        """``{(prototype key, product id, quantity): line values}``: the values the ORM
        computes for such a line (price, taxes, amounts, description), on one unsaved order
        per prototype key (:meth:`_demo_prototype_key`) holding a line of each."""
        SaleOrder = self.env["sale.order"]
        wanted = defaultdict(set)
        sample = {}
        for (partner, __, __), lines in zip(plan, drawn, strict=True):
            key = self._demo_prototype_key(partner, clients[partner.id])
            sample.setdefault(key, partner)
            wanted[key].update((product, qty) for product, qty in lines)
        line_fields = [name for name in PROTOTYPE_LINE_FIELDS if name in self.env["sale.order.line"]._fields]
        prototypes = {}
        for key, combos in wanted.items():
            pricelist_id, position_id, __ = key
            partner = sample[key]
            combos = sorted(combos, key=lambda combo: (combo[0].id, combo[1]))
            order = SaleOrder.new(
                {
                    "partner_id": partner.id,
                    "user_id": partner.user_id.id,
                    "company_id": self.env.company.id,
                    "pricelist_id": pricelist_id,
                    "fiscal_position_id": position_id,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": qty})
                        for product, qty in combos
                    ],
                }
            )
            for line in order.order_line:
                vals = {name: line._fields[name].convert_to_write(line[name], line) for name in line_fields}
                vals["tax_ids"] = line.tax_id.ids
                # a quantity is a whole number here: 3.0 and 3 are the same key
                prototypes[key, line.product_id.id, line.product_uom_qty] = vals
        return prototypes

    @api.model
    def _demo_order_names(self, count):
        """``count`` order names from the company's order sequence, drawn at once (a
        PostgreSQL sequence; a sequence without gaps or by date ranges draws one by one)."""
        Sequence = self.env["ir.sequence"].sudo()
        sequence = Sequence.search(
            [("code", "=", "sale.order"), ("company_id", "in", [self.env.company.id, False])],
            order="company_id",
            limit=1,
        )
        if not sequence or sequence.implementation != "standard" or sequence.use_date_range:
            return [Sequence.next_by_code("sale.order") or "/" for __ in range(count)]
        rows = self.env.execute_query(
            SQL("SELECT nextval(%s) FROM generate_series(1, %s)", f"ir_sequence_{sequence.id:03d}", count)
        )
        return [sequence.get_next_char(row[0]) for row in rows]

    @api.model
    def _demo_orders_followed(self, orders):
        """The clients follow their confirmed orders, as ``action_confirm`` subscribes them: with
        the default subtypes of the model, those for customers when the client has no user."""
        if not orders:
            return
        default, __, external = self.env["mail.message.subtype"].default_subtypes("sale.order")
        self.env["mail.followers"].flush_model()
        self.env["res.partner"].flush_model(["partner_share"])
        for batch in split_every(BATCH, orders.ids):
            self.env.cr.execute(
                SQL(
                    """WITH new AS (
                           INSERT INTO mail_followers (res_model, res_id, partner_id)
                           SELECT 'sale.order', o.id, o.partner_id FROM sale_order o WHERE o.id IN %(ids)s
                           ON CONFLICT DO NOTHING
                           RETURNING id, partner_id
                       )
                       INSERT INTO mail_followers_mail_message_subtype_rel (mail_followers_id, mail_message_subtype_id)
                       SELECT new.id, s.id
                         FROM new JOIN res_partner p ON p.id = new.partner_id
                        CROSS JOIN LATERAL unnest(CASE WHEN p.partner_share THEN %(external)s::int[]
                                                       ELSE %(default)s::int[] END) AS s(id)""",
                    ids=tuple(batch),
                    external=external.ids,
                    default=default.ids,
                )
            )
