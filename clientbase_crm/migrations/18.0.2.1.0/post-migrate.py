"""18.0.2.1.0: the figures gained the orders' season strength (the "specific" persona):
the next run recomputes every client. The seeded segment "No contact for three months" reads the last logged contact
(it read the last order while no interaction history existed). Its record is ``noupdate``: the
domain is replaced only where nobody edited it."""

OLD_DOMAIN = (
    "['|', ('is_company', '=', True), ('parent_id', '=', False), ('client_days_since_last_order', '>', 90)]"
)
NEW_DOMAIN = (
    "['|', ('is_company', '=', True), ('parent_id', '=', False), ('client_mailing_only', '=', False),"
    " '|', ('client_days_since_last_contact', '>', 90), ('client_last_contact_date', '=', False)]"
)


def migrate(cr, version):
    # a NULL note asks the engine for a full run (segmentation.changes)
    cr.execute("INSERT INTO clientbase_segment_change (partner_id) VALUES (NULL)")
    cr.execute(
        """
        UPDATE clientbase_segment s SET domain = %s
          FROM ir_model_data d
         WHERE d.module = 'clientbase_crm' AND d.name = 'clientbase_segment_no_contact_3_months'
           AND d.model = 'clientbase.segment' AND d.res_id = s.id AND s.domain = %s
        """,
        [NEW_DOMAIN, OLD_DOMAIN],
    )
