-- How far Odoo's cron worker got with the load test's mailing (psql -v id=<mailing id>): one JSON.
SELECT json_build_object(
  'state', (SELECT state FROM mailing_mailing WHERE id = :id),
  'recipients', (SELECT count(*) FROM res_partner WHERE name LIKE 'Bench client %'),
  'traces', (SELECT json_object_agg(trace_status, n)
               FROM (SELECT trace_status, count(*) AS n FROM mailing_trace WHERE mass_mailing_id = :id GROUP BY 1) t),
  'mails', (SELECT json_object_agg(state, n)
              FROM (SELECT state, count(*) AS n FROM mail_mail WHERE mailing_id = :id GROUP BY 1) m),
  'first_sent', (SELECT extract(epoch FROM min(sent_datetime)) FROM mailing_trace WHERE mass_mailing_id = :id),
  'last_sent', (SELECT extract(epoch FROM max(sent_datetime)) FROM mailing_trace WHERE mass_mailing_id = :id)
);
