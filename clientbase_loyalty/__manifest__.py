{
    "name": "Client Base Loyalty",
    "summary": "Loyalty for the client base on Odoo's loyalty apps: discount levels by total "
    "receipts, personal promo codes with a deadline for a segment, loyalty report",
    "version": "18.0.1.1.0",
    "category": "Sales/CRM",
    "website": "https://github.com/clientbase/clientbase_crm",
    "author": "clientbase_crm contributors",
    "license": "LGPL-3",
    "depends": [
        "clientbase_crm",
        "loyalty",
        "sale_loyalty",
        "sale_loyalty_delivery",
    ],
    "data": [
        "security/ir.model.access.csv",
        "security/clientbase_loyalty_rules.xml",
        "security/clientbase_loyalty_ownership_rules.xml",
        "data/clientbase_loyalty_level_data.xml",
        "data/ir_cron_data.xml",
        "views/clientbase_loyalty_level_views.xml",
        "views/clientbase_loyalty_status_views.xml",
        "views/clientbase_loyalty_campaign_views.xml",
        "views/clientbase_loyalty_report_views.xml",
        "views/clientbase_loyalty_grant_views.xml",
        "views/loyalty_program_views.xml",
        "views/res_company_views.xml",
        "views/res_partner_views.xml",
        "views/sale_order_views.xml",
        "views/portal_templates.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "clientbase_loyalty/static/src/tours/*.js",
        ],
    },
}
