{
    "name": "Client Base: Demo Data",
    "summary": "A living demo client base for clientbase_crm: managers, clients, two years of orders, "
    "lost and won-back clients, channel costs and monthly snapshots",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/clientbase/clientbase_crm",
    "author": "clientbase_crm contributors",
    "license": "LGPL-3",
    "depends": ["clientbase_crm"],
}
