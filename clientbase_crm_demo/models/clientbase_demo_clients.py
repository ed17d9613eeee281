"""The demo's clients and their key employees, inserted set-based.

``res.partner.create`` costs milliseconds of Python per partner (defaults, the stored computed
fields record by record, the synchronisation of a contact with its company, the client base's
hooks): the demo's clients step spent most of its time there. The partners here are the same
rows written with multi-row ``INSERT`` statements (``bulk_insert``), in two levels (the clients,
then their key employees), with what ``create`` adds beyond the values given:

* the values the client base's own ``create`` completes (the channel's UTM source and medium)
  and its hooks, called as ``create`` calls them: the card's values taken out and the cards
  created in one batch, the change log of the values given;
* what Odoo's ``res.partner.create`` synchronises into a contact of a company: its address and
  the commercial fields of its company (company-dependent ones in every company), and its
  company's language;
* every stored computed field (the commercial entity, the complete name, the normalised
  email and phone, the manager column the groupings read...) left to the ORM's batched
  recomputation, and the constraints checked, as ``create`` would.

The demo creates partners in a quiet mail context (no followers, no creation message, no
tracking), so ``mail.thread`` adds nothing. A test compares partners inserted this way with the
same partners created through the ORM, column by column, cards, interests and change log
included (``tests/test_demo_clients.py``).
"""

from collections import defaultdict

from odoo import api, models
from odoo.addons.clientbase_crm.tools.bulk_insert import bulk_insert
from odoo.fields import Command


class ClientbaseDemoGenerator(models.AbstractModel):
    _inherit = "clientbase.demo.generator"

    @api.model
    def _demo_insert_partners(self, vals_list):
        """Insert the partners of ``vals_list`` (values as ``res.partner.create`` takes them, key
        employees as ``child_ids`` create commands) set-based; return them in order (without
        their key employees), as ``create`` stores them."""
        Partner = self.env["res.partner"]
        if not vals_list:
            return Partner
        Partner.check_access("create")
        own = [{name: value for name, value in vals.items() if name != "child_ids"} for vals in vals_list]
        partners = self._demo_insert_partner_rows(own, self_referencing=["commercial_partner_id"])
        children = [
            dict(command[2], parent_id=partner.id)
            for partner, vals in zip(partners, vals_list, strict=True)
            for command in vals.get("child_ids", ())
            if command[0] == Command.CREATE
        ]
        if children:
            self._demo_insert_partner_rows(children)
        return partners

    @api.model
    def _demo_insert_partner_rows(self, vals_list, self_referencing=()):
        """Insert one level of partners (a contact's company already stored) with the values
        ``create`` completes and the client base's hooks of ``create``."""
        Partner = self.env["res.partner"]
        vals_list = [Partner._prepare_client_vals(dict(vals)) for vals in vals_list]
        for vals in vals_list:
            if vals.get("website"):
                vals["website"] = Partner._clean_website(vals["website"])
            if vals.get("parent_id"):
                vals["company_name"] = False
        # the card's values, taken out of vals_list, and the values logged (the hooks of create)
        card_vals_list = Partner._client_card_before_create(vals_list)
        logged = Partner._client_change_log_before_create(vals_list, card_vals_list)
        written = self._demo_sync_from_company(vals_list)
        partners = bulk_insert(Partner, vals_list, self_referencing=self_referencing)
        # the synchronised fields stored by an inverse (a pricelist), written as Odoo writes them
        for items, indexes in written.items():
            partners.browse([partners.ids[index] for index in indexes]).write(dict(items))
        partners._client_card_after_create(card_vals_list)
        partners._client_change_log_after_create(logged)
        self._demo_sync_other_companies(partners.filtered("parent_id"))
        return partners

    @api.model
    def _demo_sync_other_companies(self, contacts):
        """The company-dependent commercial fields of ``contacts`` in the other companies, taken
        from their company's, as ``res.partner.create`` writes them (none in a one-company
        demo)."""
        Partner = self.env["res.partner"]
        names = Partner._company_dependent_commercial_fields()
        others = self.env["res.company"].sudo().search([("id", "!=", self.env.company.id)])
        if not (names and contacts and others):
            return
        for company in others:
            for parent in contacts.parent_id:
                in_company = contacts.filtered(lambda c, p=parent: c.parent_id == p).with_company(company)
                in_company.write(in_company.commercial_partner_id[:1]._update_fields_values(names))

    @api.model
    def _demo_sync_from_company(self, vals_list):
        """Complete the values of the contacts of a company (in place) with what
        ``res.partner.create`` synchronises into them from their company: the commercial fields,
        the address of a contact of type "contact", and the company's language when none is
        given. Returns ``{values: [index in vals_list]}`` of the synchronised fields that are no
        column (stored by their inverse), to write once the contacts exist."""
        Partner = self.env["res.partner"]
        parents = Partner.browse(sorted({vals["parent_id"] for vals in vals_list if vals.get("parent_id")}))
        written = defaultdict(list)
        if not parents:
            return written
        # in the current company (the others: _demo_sync_other_companies)
        commercial_fields = Partner._commercial_fields()
        address_fields = Partner._address_fields()
        synced = {}
        for parent in parents:
            commercial = parent.commercial_partner_id
            synced[parent.id] = (
                commercial._update_fields_values(commercial_fields),
                parent._update_fields_values(address_fields)
                if any(parent[f] for f in address_fields)
                else {},
                parent.lang,
            )
        for index, vals in enumerate(vals_list):
            if not vals.get("parent_id"):
                continue
            commercial, address, lang = synced[vals["parent_id"]]
            vals.update({name: value for name, value in commercial.items() if Partner._fields[name].store})
            others = {name: value for name, value in commercial.items() if not Partner._fields[name].store}
            if others:
                written[tuple(sorted(others.items()))].append(index)
            if vals.get("type", "contact") == "contact":
                vals.update(address)
            if "lang" not in vals and lang:
                vals["lang"] = lang
        return written
