from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install", "clientbase_segment")
class TestStatementPlanning(TransactionCase):
    """The addon's statements over the whole base run without PostgreSQL's JIT compilation
    (it costs more CPU than it saves on them, see clientbase_crm.tools.sql_planning), whatever the
    server's setting: the nightly jobs as the cron worker runs them, and the classification of
    a mailing's recipients."""

    def _jit(self):
        self.env.cr.execute("SHOW jit")
        return self.env.cr.fetchone()[0]

    def setUp(self):
        super().setUp()
        self.env.cr.execute("SET LOCAL jit = on")  # as PostgreSQL ships; reverted after the test

    def test_a_nightly_job_runs_without_jit(self):
        cron = self.env.ref("clientbase_crm.ir_cron_client_contact_cadence")
        self.assertEqual(self._jit(), "on")
        self.env["res.partner"].with_context(cron_id=cron.id)._cron_client_contact_cadence()
        self.assertEqual(self._jit(), "off")

    def test_the_mailing_classification_runs_without_jit(self):
        client = self.env["res.partner"].create({"name": "Planned client", "email": "planned@example.com"})
        self.assertEqual(self._jit(), "on")
        classes = self.env["clientbase.mailing.eligibility"]._classify([client.id], "email", "marketing")
        self.assertEqual(classes["no_consent"], [client.id])
        self.assertEqual(self._jit(), "off")

    def test_the_journeys_run_without_jit(self):
        # the enrolment and the steps of the journeys (the cron commits between batches, and the
        # steps set it again for the next transaction, see clientbase_journey_run._commit)
        Journey = self.env["clientbase.journey"]
        for run in (Journey._run_enrolment, Journey._run_steps):
            self.env.cr.execute("SET LOCAL jit = on")
            self.assertEqual(self._jit(), "on")
            run(Journey)
            self.assertEqual(self._jit(), "off", run.__name__)
