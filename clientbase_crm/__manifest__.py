{
    "name": "Client Base",
    "summary": "Turn Odoo contacts into a managed client base: client card, "
    "segments, funnels, mailings and protection of personal data",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/clientbase/clientbase_crm",
    "author": "clientbase_crm contributors",
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "depends": [
        "contacts",
        "crm",
        "sale_management",
        "mass_mailing",
    ],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/clientbase_crm_groups.xml",
        "security/ir.model.access.csv",
        "data/clientbase_channel_data.xml",
        "data/clientbase_interest_data.xml",
        "views/clientbase_channel_views.xml",
        "views/clientbase_interest_views.xml",
        "views/res_partner_views.xml",
        "views/menus.xml",
    ],
}
