{
    "name": "Client Base: Demo Data",
    "summary": "A living Russian demo client base for clientbase_crm: managers, a marketer, clients, "
    "two years of orders, consents, mailings and their responses, leads by channel, duplicates, "
    "lost and won-back clients, channel costs and monthly snapshots",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/clientbase/clientbase_crm",
    "author": "clientbase_crm contributors",
    "license": "LGPL-3",
    "depends": ["clientbase_crm"],
}
