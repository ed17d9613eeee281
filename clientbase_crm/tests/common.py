from odoo.tests import TransactionCase, new_test_user


class ClientbaseCommon(TransactionCase):
    """Shared fixtures: a manager, a salesperson and a small client base."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.user_salesman = new_test_user(
            cls.env,
            login="cb_salesman",
            name="Sales Person",
            groups="base.group_user,clientbase_crm.group_clientbase_user",
        )
        cls.user_salesman_2 = new_test_user(
            cls.env,
            login="cb_salesman_2",
            name="Other Sales Person",
            groups="base.group_user,clientbase_crm.group_clientbase_user",
        )
        cls.user_manager = new_test_user(
            cls.env,
            login="cb_manager",
            name="Sales Manager",
            groups="base.group_user,clientbase_crm.group_clientbase_manager",
        )
        Partner = cls.env["res.partner"]
        cls.client_company = Partner.create(
            {
                "name": "Romashka LLC",
                "is_company": True,
                "email": "info@romashka.example.com",
                "user_id": cls.user_salesman.id,
            }
        )
        cls.client_employee = Partner.create(
            {
                "name": "Ivan Petrov",
                "parent_id": cls.client_company.id,
                "function": "Purchasing Director",
                "client_is_decision_maker": True,
            }
        )
        cls.client_person = Partner.create(
            {"name": "Anna Smirnova", "email": "anna@example.com", "user_id": cls.user_salesman.id}
        )
