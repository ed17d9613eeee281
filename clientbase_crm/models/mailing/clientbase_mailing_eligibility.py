from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, email_normalize, email_split, split_every

from ...tools.client_definition import audience_sql, handled_sql
from ...tools.sql_planning import without_jit

# records of other models judged per statement (a mailing on leads or orders)
BATCH_SIZE = 5000

# Reasons a client is left out of a mailing, in the order they are checked:
# a client is counted once, under the first reason that applies.
EXCLUSION_REASONS = [
    ("no_address", "No valid address or number"),
    ("blacklisted", "Blacklisted"),
    ("opted_out", "Opted out"),
    ("no_consent", "No consent for this channel and purpose"),
    ("too_often", "Mailed too often"),
]


class ClientbaseMailingEligibility(models.AbstractModel):
    """Who may receive a mailing, decided in one set-based SQL statement.

    Used by the mailing wizard (counts and recipients before sending) and by
    ``mailing.mailing._get_recipients`` (again at send time, so that a consent
    withdrawn, a blacklist or an opt-out after the mailing was prepared still
    takes effect).
    """

    _name = "clientbase.mailing.eligibility"
    _description = "Mailing Eligibility of Clients"

    @api.model
    def _get_frequency_cap(self, company=None):
        company = company or self.env.company
        return max(company.client_mailing_cap_count, 0), max(company.client_mailing_cap_days, 0)

    @api.model
    def _get_refusal_sql(self, channel, purpose):
        """Why a channel refuses a partner, as SQL on a ``res_partner`` row aliased ``p``: its
        ``address`` (NULL: none), ``blacklisted`` and ``opted_out`` (conditions) and ``consent``
        (the state of its latest consent row for the channel and purpose, NULL when none): a lookup
        per partner, for the journeys' exits. The same rules set-based, for the send's check and
        the wizard's counts: :meth:`_get_refusal_joins` (a test checks that both agree)."""
        if channel == "sms":
            address = SQL("p.phone_sanitized")
            blacklisted = SQL(
                "EXISTS (SELECT 1 FROM phone_blacklist bl WHERE bl.active AND bl.number = p.phone_sanitized)"
            )
            if "phone_sanitized" in self.env["mailing.contact"]._fields:
                contact_match = SQL("mc.phone_sanitized = p.phone_sanitized")
            else:
                contact_match = SQL("FALSE")
        else:
            address = SQL("p.email_normalized")
            blacklisted = SQL(
                "EXISTS (SELECT 1 FROM mail_blacklist bl WHERE bl.active AND bl.email = p.email_normalized)"
            )
            contact_match = SQL("mc.email_normalized = p.email_normalized")
        opted_out = SQL(
            "EXISTS (SELECT 1 FROM mailing_contact mc JOIN mailing_subscription ms ON ms.contact_id = mc.id"
            " WHERE ms.opt_out AND %s)",
            contact_match,
        )
        consent = SQL(
            "(SELECT c.state FROM clientbase_consent c WHERE c.partner_id = p.id AND c.channel = %s"
            " AND c.purpose = %s ORDER BY c.date DESC, c.id DESC LIMIT 1)",
            channel,
            purpose,
        )
        return {"address": address, "blacklisted": blacklisted, "opted_out": opted_out, "consent": consent}

    @api.model
    def _get_refusal_joins(self, channel, purpose, candidates):
        """The rules of :meth:`_get_refusal_sql`, set-based for many candidates: instead of a
        lookup per candidate (the blacklist, the opt-outs, the latest consent), each is read
        once and joined (hashed for a large group, looked up for a few). On a ``res_partner``
        row aliased ``p`` of the candidates (``candidates``: SQL of their ids, e.g. a CTE).

        :return: ``{"ctes": [SQL], "joins": SQL, "address", "blacklisted", "opted_out",
            "consent": SQL}`` (the last four as in :meth:`_get_refusal_sql`)
        """
        if channel == "sms":
            address = SQL("p.phone_sanitized")
            blacklist = SQL("SELECT DISTINCT bl.number AS address FROM phone_blacklist bl WHERE bl.active")
            if "phone_sanitized" in self.env["mailing.contact"]._fields:
                contact_address = SQL("mc.phone_sanitized")
            else:
                contact_address = None
        else:
            address = SQL("p.email_normalized")
            blacklist = SQL("SELECT DISTINCT bl.email AS address FROM mail_blacklist bl WHERE bl.active")
            contact_address = SQL("mc.email_normalized")
        ctes = [
            SQL("refused_address AS (%s)", blacklist),
            SQL(
                # the latest consent row of each candidate for the channel and purpose
                "latest_consent AS (SELECT DISTINCT ON (c.partner_id) c.partner_id, c.state"
                " FROM clientbase_consent c WHERE c.partner_id IN (%s) AND c.channel = %s AND c.purpose = %s"
                " ORDER BY c.partner_id, c.date DESC, c.id DESC)",
                candidates,
                channel,
                purpose,
            ),
        ]
        joins = [
            SQL("LEFT JOIN refused_address bl ON bl.address = %s", address),
            SQL("LEFT JOIN latest_consent lc ON lc.partner_id = p.id"),
        ]
        if contact_address is not None:
            ctes.append(
                SQL(
                    "opted_out_address AS (SELECT DISTINCT %s AS address FROM mailing_contact mc"
                    " JOIN mailing_subscription ms ON ms.contact_id = mc.id WHERE ms.opt_out)",
                    contact_address,
                )
            )
            joins.append(SQL("LEFT JOIN opted_out_address oo ON oo.address = %s", address))
            opted_out = SQL("oo.address IS NOT NULL")
        else:
            opted_out = SQL("FALSE")
        return {
            "ctes": ctes,
            "joins": SQL(" ").join(joins),
            "address": address,
            "blacklisted": SQL("bl.address IS NOT NULL"),
            "opted_out": opted_out,
            "consent": SQL("lc.state"),
        }

    @api.model
    def _get_eligibility_query(self, candidates, channel, purpose, company=None, exclude_mailing_ids=()):
        """SQL returning ``(partner_id, reason)`` for every candidate of the client base's audience
        (``tools/client_definition.py``: a client or a mailing-only contact; an employee, a
        company's contact person or the company itself is no candidate); reason NULL = eligible.
        One statement: the candidates are read once, the blacklist, opt-outs, consents and the
        recent messages joined (:meth:`_get_refusal_joins`).

        :param candidates: SQL selecting partner ids (e.g. ``Query.subselect()``)
        :param channel: 'email' or 'sms'
        :param purpose: consent purpose ('marketing', 'newsletter', 'greetings')
        :param exclude_mailing_ids: mailings whose traces don't count for the
            frequency cap (the mailing being sent and its A/B siblings)
        """
        cap_count, cap_days = self._get_frequency_cap(company)
        refusal = self._get_refusal_joins(channel, purpose, SQL("SELECT cand.id FROM cand"))
        address, blacklisted = refusal["address"], refusal["blacklisted"]
        opted_out, consent = refusal["opted_out"], refusal["consent"]
        # the candidates once (a segment's members, a filter under the record rules)
        ctes = [SQL("cand(id) AS MATERIALIZED (%s)", candidates), *refusal["ctes"]]
        joins = [refusal["joins"]]
        if channel == "sms":
            has_number = "sms_number" in self.env["mailing.trace"]._fields
            trace_address = SQL("t.sms_number") if has_number else SQL("NULL::varchar")
        else:
            trace_address = SQL("t.email")
        if cap_count and cap_days:
            # Traces of the period are aggregated once (per client record and per address),
            # instead of a correlated count per candidate: one pass over the recent traces.
            # A client's count is the larger of the two, which is exact when its traces
            # carry its current address.
            # the messages of the period: sent ones (their traces), and the ones waiting in the
            # queue (a mailing in the queue has no trace yet, but will land in the period too)
            # Only the candidates' messages are counted (by record or by address): a batch of a
            # journey or a mailing's check costs the size of its candidates, not of the queue.
            pending = self._get_pending_messages_query(exclude_mailing_ids, cap_days)
            if pending:
                pending = SQL(
                    "UNION ALL SELECT q.model, q.res_id, q.address FROM (%s) AS q(model, res_id, address)"
                    " WHERE (q.model = 'res.partner' AND q.res_id IN (SELECT id FROM cand))"
                    " OR q.address IN (SELECT address FROM cand_address)",
                    pending,
                )
            ctes += [
                SQL(
                    "cand_address AS MATERIALIZED (SELECT p.id, %s AS address FROM res_partner p"
                    " WHERE p.id IN (SELECT cand.id FROM cand))",
                    address,
                ),
                SQL(
                    """
                    recent AS (
                        SELECT t.model, t.res_id, %(trace_address)s AS address
                          FROM mailing_trace t
                         WHERE t.create_date >= %(since)s
                           AND t.trace_status NOT IN ('cancel', 'error', 'bounce')
                           AND NOT (t.mass_mailing_id = ANY(%(exclude)s))
                           AND ((t.model = 'res.partner' AND t.res_id IN (SELECT id FROM cand))
                                OR %(trace_address)s IN (SELECT address FROM cand_address))
                        %(pending)s
                    )
                    """,
                    trace_address=trace_address,
                    since=fields.Datetime.now() - timedelta(days=cap_days),
                    exclude=list(exclude_mailing_ids),
                    pending=pending or SQL(),
                ),
                SQL(
                    "by_record AS (SELECT res_id, count(*) AS n FROM recent WHERE model = 'res.partner' GROUP BY res_id)"
                ),
                SQL(
                    "by_address AS (SELECT address, count(*) AS n FROM recent WHERE address IS NOT NULL GROUP BY address)"
                ),
            ]
            joins.append(
                SQL(
                    "LEFT JOIN by_record br ON br.res_id = p.id LEFT JOIN by_address ba ON ba.address = %s",
                    address,
                )
            )
            too_often = SQL("GREATEST(COALESCE(br.n, 0), COALESCE(ba.n, 0)) >= %s", cap_count)
        else:
            too_often = SQL("FALSE")
        return SQL(
            """
            WITH %(ctes)s
            SELECT p.id,
                   CASE WHEN %(address)s IS NULL THEN 'no_address'
                        WHEN %(blacklisted)s THEN 'blacklisted'
                        WHEN %(opted_out)s THEN 'opted_out'
                        WHEN COALESCE(%(consent)s, 'withdrawn') <> 'given' THEN 'no_consent'
                        WHEN %(too_often)s THEN 'too_often'
                   END AS reason
              FROM res_partner p
              %(joins)s
             WHERE p.active AND p.id IN (SELECT cand.id FROM cand) AND %(audience)s
            """,
            ctes=SQL(", ").join(ctes),
            audience=audience_sql("p"),
            address=address,
            blacklisted=blacklisted,
            opted_out=opted_out,
            consent=consent,
            too_often=too_often,
            joins=SQL(" ").join(joins),
        )

    @api.model
    def _pending_mailings_domain(self, exclude_mailing_ids=(), cap_days=0):
        """The mailings to clients or to mailing contacts (a mailing list's) waiting in the
        queue (not sent yet, or part of them), to be sent within the cap's period."""
        return [
            ("state", "in", ("in_queue", "sending")),
            ("mailing_model_name", "in", ("res.partner", "mailing.list", "mailing.contact")),
            ("id", "not in", list(exclude_mailing_ids)),
            "|",
            ("schedule_date", "=", False),
            ("schedule_date", "<", fields.Datetime.now() + timedelta(days=cap_days)),
        ]

    @api.model
    def _pending_address_sql(self, mailing, alias):
        """SQL of the address a message of ``mailing`` goes to, on the row ``alias`` of a partner
        or a mailing contact (NULL when the model stores none): what the cap matches traces by."""
        column = "phone_sanitized" if mailing.mailing_type == "sms" else "email_normalized"
        field = self.env[mailing.mailing_model_real]._fields.get(column)
        if not (field and field.store):
            return SQL("NULL::varchar")
        return SQL.identifier(alias, column)

    @api.model
    def _get_pending_messages_query(self, exclude_mailing_ids=(), cap_days=0):
        """SQL of ``(model, res_id, address)`` rows, one per message waiting in the queue for a
        client or a mailing contact (its mailing's recipients without a trace of it yet, with the
        address it goes to), or None: the frequency cap counts them with the messages sent (a
        contact's message counts for the clients of its address)."""
        domain = self._pending_mailings_domain(exclude_mailing_ids, cap_days)
        mailings = self.env["mailing.mailing"].sudo().search(domain)
        parts = []
        for mailing in mailings:
            model = mailing.mailing_model_real
            Target = self.env[model].sudo()
            recipients = Target._search(mailing._get_recipients_domain())
            parts.append(
                SQL(
                    "SELECT %s::varchar, r.id, %s FROM %s r WHERE r.id IN (%s)"
                    " AND NOT EXISTS (SELECT 1 FROM mailing_trace done WHERE done.mass_mailing_id = %s"
                    " AND done.model = %s AND done.res_id = r.id)",
                    model,
                    self._pending_address_sql(mailing, "r"),
                    SQL.identifier(Target._table),
                    recipients.subselect(),
                    mailing.id,
                    model,
                )
            )
        return SQL(" UNION ALL ").join(parts) if parts else None

    @api.model
    def _candidates_from_domain(self, domain):
        """SQL subselect of the partner ids matching ``domain`` (record rules applied)."""
        return self.env["res.partner"]._search(domain).subselect()

    @api.model
    def _classify(self, candidates, channel, purpose, company=None, exclude_mailing_ids=()):
        """Return ``{reason or 'eligible': [partner ids]}`` for the candidates (ids or SQL)."""
        if not isinstance(candidates, SQL):
            candidates = SQL("SELECT unnest(%s::int[])", list(candidates))
        self._flush_eligibility()
        rows = self.env.execute_query(
            SQL(
                "%s ORDER BY p.id",
                self._get_eligibility_query(candidates, channel, purpose, company, exclude_mailing_ids),
            )
        )
        result = {"eligible": []}
        result.update({reason: [] for reason, _label in EXCLUSION_REASONS})
        for partner_id, reason in rows:
            result[reason or "eligible"].append(partner_id)
        return result

    @api.model
    def _count_classes(self, candidates, channel, purpose, company=None, sample=0):
        """The counts of :meth:`_classify`, counted by the database (a segment of 100,000
        clients is not read into Python): ``({reason or 'eligible': count}, [the first
        ``sample`` eligible ids])``."""
        self._flush_eligibility()
        rows = self.env.execute_query(
            SQL(
                "SELECT e.reason, count(*), (array_agg(e.id ORDER BY e.id) FILTER (WHERE e.reason IS NULL))[1:%s]"
                " FROM (%s) e GROUP BY e.reason",
                sample,
                self._get_eligibility_query(candidates, channel, purpose, company),
            )
        )
        counts = dict.fromkeys(["eligible", *(reason for reason, _label in EXCLUSION_REASONS)], 0)
        first = []
        for reason, count, ids in rows:
            counts[reason or "eligible"] = count
            if reason is None:
                first = list(ids or [])
        return counts, first

    @api.model
    def _flush_eligibility(self):
        """Flush what the eligibility query reads; JIT off for its one statement."""
        for model in (
            "res.partner",
            "clientbase.consent",
            "mailing.trace",
            "mail.blacklist",
            "mailing.contact",
            "mailing.subscription",
            "mailing.mailing",
        ):
            self.env[model].flush_model()
        if "phone.blacklist" in self.env:
            self.env["phone.blacklist"].flush_model()
        without_jit(self.env.cr)  # one statement over every recipient: see sql_planning

    @api.model
    def _filter_eligible(self, partner_ids, channel, purpose, company=None, exclude_mailing_ids=()):
        if not partner_ids:
            return []
        return self._classify(partner_ids, channel, purpose, company, exclude_mailing_ids)["eligible"]

    # --- every marketing door: Odoo's mailings and composers in mass mode -----------------
    @api.model
    def _client_base_partner_ids(self, partner_ids):
        """The partners among ``partner_ids`` that the client base handles (the write guard's
        :func:`handled_sql`: a mailing-only contact, or a client or a client's contact whose
        client has a manager, a client card or purchase figures). Other partners (vendors,
        employees, contacts nobody manages in the client base) are left as Odoo decides, so
        that Odoo's own mailings to them behave as in Odoo."""
        if not partner_ids:
            return set()
        self.env["res.partner"].flush_model()
        rows = self.env.execute_query(
            SQL(
                """SELECT p.id FROM res_partner p JOIN res_partner e ON e.id = p.commercial_partner_id
                    WHERE p.id = ANY(%s) AND (p.client_mailing_only IS TRUE OR %s)""",
                list(partner_ids),
                handled_sql("p", "e"),
            )
        )
        return {row[0] for row in rows}

    @api.model
    def _client_base_partners_of_contacts(self, contact_ids, channel):
        """``{mailing contact id: [client base partner ids with its address]}``."""
        if not contact_ids:
            return {}
        self.env["mailing.contact"].flush_model()
        self.env["res.partner"].flush_model()
        if channel == "sms":
            if "phone_sanitized" not in self.env["mailing.contact"]._fields:
                return {}
            match = SQL("p.phone_sanitized = mc.phone_sanitized")
        else:
            match = SQL("p.email_normalized = mc.email_normalized")
        rows = self.env.execute_query(
            SQL(
                """SELECT mc.id, array_agg(p.id) FROM mailing_contact mc
                     JOIN res_partner p ON %s AND p.active
                     JOIN res_partner e ON e.id = p.commercial_partner_id
                    WHERE mc.id = ANY(%s) AND (p.client_mailing_only IS TRUE OR %s)
                    GROUP BY mc.id""",
                match,
                list(contact_ids),
                handled_sql("p", "e"),
            )
        )
        return dict(rows)

    @api.model
    def _client_base_partners_of_records(self, model, res_ids, channel, number_fields=None):
        """``{record id: [client base partner ids it reaches]}`` for records of ``model`` other
        than partners and mailing contacts: the partners of its partner fields (those Odoo's
        mailings send to, ``_mail_get_partner_fields``: many2one and many2many) and the partners
        with its address (its normalised email, or its sanitised number for SMS: stored by the
        model, or else computed from the fields Odoo sends to, ``_primary_email`` and
        ``_phone_get_number_fields``), and the partners with the values of ``number_fields``
        (the field an SMS composer is told to send to, ``number_field_name``: Odoo sends to
        what it holds, whatever the record stores as its normalised number). Read with SQL in
        batches (the told fields through the cache, with superuser rights), so that what a user
        sees (masked contacts) does not change who is judged."""
        Model = self.env[model]
        if not Model._auto:
            return {}
        getter = getattr(Model, "_mail_get_partner_fields", None)
        partner_fields = [
            Model._fields[fname]
            for fname in (getter() if getter else [])
            if fname in Model._fields
            and Model._fields[fname].type in ("many2one", "many2many")
            and Model._fields[fname].store
            and Model._fields[fname].comodel_name == "res.partner"
        ]
        links = [field.name for field in partner_fields if field.type == "many2one"]
        relations = [field for field in partner_fields if field.type == "many2many"]
        address, typed = self._record_address_fields(Model, channel)
        told = [fname for fname in number_fields or () if fname in Model._fields]
        if not (links or relations or address or typed or told):
            return {}
        Model.flush_model(
            [*links, *(field.name for field in relations), *([address] if address else []), *typed]
        )
        self.env["res.partner"].flush_model()
        reached = {}
        for batch in split_every(BATCH_SIZE, list(res_ids)):
            rows = self.env.execute_query(
                SQL(
                    "SELECT id, %s FROM %s WHERE id = ANY(%s)",
                    SQL(", ").join(
                        [SQL.identifier(fname) for fname in links]
                        + [SQL.identifier(fname) for fname in typed]
                        + [SQL.identifier(address) if address else SQL("NULL")]
                    ),
                    SQL.identifier(Model._table),
                    list(batch),
                )
            )
            by_address = {}
            for row in rows:
                reached[row[0]] = {pid for pid in row[1 : 1 + len(links)] if pid}
                values = {row[-1]} if row[-1] else set()
                values |= self._normalise_addresses(row[1 + len(links) : -1], channel)
                for value in values:
                    by_address.setdefault(value, set()).add(row[0])
            if told:
                for record in Model.sudo().with_context(active_test=False).browse(batch).exists():
                    held = [record[fname] for fname in told]
                    for value in self._normalise_addresses([v for v in held if isinstance(v, str)], channel):
                        by_address.setdefault(value, set()).add(record.id)
            for field in relations:
                for record_id, partner_id in self.env.execute_query(
                    SQL(
                        "SELECT %s, %s FROM %s WHERE %s = ANY(%s)",
                        SQL.identifier(field.column1),
                        SQL.identifier(field.column2),
                        SQL.identifier(field.relation),
                        SQL.identifier(field.column1),
                        list(batch),
                    )
                ):
                    reached.setdefault(record_id, set()).add(partner_id)
            if by_address:
                column = SQL.identifier("p", "phone_sanitized" if channel == "sms" else "email_normalized")
                for partner_id, value in self.env.execute_query(
                    SQL(
                        """SELECT p.id, %s FROM res_partner p JOIN res_partner e ON e.id = p.commercial_partner_id
                            WHERE %s = ANY(%s) AND p.active AND (p.client_mailing_only IS TRUE OR %s)""",
                        column,
                        column,
                        list(by_address),
                        handled_sql("p", "e"),
                    )
                ):
                    for record_id in by_address[value]:
                        reached.setdefault(record_id, set()).add(partner_id)
        handled = self._client_base_partner_ids({pid for pids in reached.values() for pid in pids})
        return {record_id: sorted(pids & handled) for record_id, pids in reached.items() if pids & handled}

    @api.model
    def _record_address_fields(self, Model, channel):
        """``(stored normalised field or None, [typed fields])`` of ``Model``: where its records'
        address for ``channel`` is read. The normalised form stored by Odoo's mixins
        (``email_normalized``, ``phone_sanitized``) when the model has it, or else the stored
        fields Odoo sends to (``_primary_email``; ``_phone_get_number_fields`` for SMS), whose
        values are normalised here."""
        address = "phone_sanitized" if channel == "sms" else "email_normalized"
        if address in Model._fields and Model._fields[address].store:
            return address, []
        if channel == "sms":
            getter = getattr(Model, "_phone_get_number_fields", None)
            typed = getter() if getter else []
        else:
            getter = getattr(Model, "_mail_get_primary_email_field", None)
            typed = [getter()] if getter and getter() else []
        typed = [
            fname
            for fname in typed
            if fname in Model._fields
            and Model._fields[fname].store
            and Model._fields[fname].type == "char"
            and not Model._fields[fname].company_dependent
        ]
        return None, typed

    @api.model
    def _normalise_addresses(self, values, channel):
        """The normalised emails (or sanitised numbers, for SMS) of the typed ``values``."""
        found = set()
        country = self.env.company.country_id
        for value in values:
            if not value:
                continue
            if channel == "sms":
                number = self.env["res.partner"]._phone_format_number(value, country)
                if not number and value.strip().startswith("+"):
                    # an international number needs no country (the company may have none)
                    number = "+" + "".join(char for char in value if char.isdigit())
            else:
                number = email_normalize(value)
            if number:
                found.add(number)
        return found

    @api.model
    def _filter_marketing_recipients(self, model, res_ids, channel, mailing=None, number_fields=None):
        """The records of ``model`` a marketing message may go to, and the others by reason.

        A message sent to many records at once (a mailing of Email or SMS Marketing, the mail
        or SMS composer in mass mode: the list's *Send email* / *Send SMS*) is marketing: every
        recipient that belongs to the client base must be eligible (consent given for the
        mailing's purpose, marketing by default, on the channel; not blacklisted, opted out or
        mailed too often). A partner is the recipient itself; a mailing contact is judged by the
        client base partners with its address (all must be eligible); a record of any other model
        (a lead, an order, a mailing on them) by the partners it is sent to (its partner fields)
        and those with its address (all must be eligible). Records that reach no partner of the
        client base, and partners outside the client base, are left as Odoo decides.
        ``number_fields``: the fields the sender is told to send to (the SMS composer's
        ``number_field_name``), judged too, whatever the record's normalised copy holds.

        :return: ``(kept ids, {reason: [client base partner ids left out]})``
        """
        if not res_ids or model not in self.env:
            return list(res_ids), {}
        purpose, company, exclude = self._mailing_judgement(mailing)
        if model == "res.partner":
            owners = {res_id: [res_id] for res_id in self._client_base_partner_ids(res_ids)}
        elif model == "mailing.contact":
            owners = self._client_base_partners_of_contacts(res_ids, channel)
        else:
            owners = self._client_base_partners_of_records(model, res_ids, channel, number_fields)
        judged = sorted({partner_id for ids in owners.values() for partner_id in ids})
        if not judged:
            return list(res_ids), {}
        classified = self._classify(judged, channel, purpose, company, exclude)
        eligible = set(classified.pop("eligible"))
        left_out = {reason: ids for reason, ids in classified.items() if ids}
        kept = [res_id for res_id in res_ids if all(p in eligible for p in owners.get(res_id, ()))]
        return kept, left_out

    @api.model
    def _mailing_judgement(self, mailing):
        """``(purpose, company, mailings excluded)`` by which ``mailing``'s recipients are judged:
        its consent purpose, its sender's company, itself and its A/B siblings (a client they
        already reached counts no more)."""
        purpose = (mailing and mailing.clientbase_consent_purpose) or "marketing"
        exclude = ()
        if mailing:
            exclude = mailing.ids
            if mailing.ab_testing_enabled and mailing.campaign_id:
                exclude = mailing._get_ab_testing_siblings_mailings().ids
        company = (mailing and mailing.user_id.company_id) or self.env.company
        return purpose, company, exclude

    @api.model
    def _filter_marketing_mail_values(self, mail_values, mailing=None):
        """The ``{res id: mail values}`` of a mass send whose actual recipients may receive a
        marketing email, and the others by reason: the partners the mails go to
        (``recipient_ids``) and the client base partners with an address written in their
        ``email_to`` or ``email_cc`` (a composer's template sending to ``partner_to`` or
        ``email_to``, whatever record it is sent on), judged as
        :meth:`_filter_marketing_recipients` judges records.

        :return: ``(kept {res id: values}, {reason: [client base partner ids left out]})``
        """
        reached, by_address = {}, {}
        for res_id, values in mail_values.items():
            reached[res_id] = {
                command[1]
                for command in values.get("recipient_ids") or ()
                if command[0] in (4, 6) and command[1]
            }
            typed = [values.get("email_to") or "", values.get("email_cc") or ""]
            for address in self._normalise_addresses(
                [part for text in typed for part in email_split(text)], "email"
            ):
                by_address.setdefault(address, set()).add(res_id)
        if by_address:
            self.env["res.partner"].flush_model()
            for partner_id, address in self.env.execute_query(
                SQL(
                    "SELECT id, email_normalized FROM res_partner WHERE email_normalized = ANY(%s) AND active",
                    list(by_address),
                )
            ):
                for res_id in by_address[address]:
                    reached[res_id].add(partner_id)
        handled = self._client_base_partner_ids({pid for pids in reached.values() for pid in pids})
        judged = sorted(handled)
        if not judged:
            return mail_values, {}
        purpose, company, exclude = self._mailing_judgement(mailing)
        classified = self._classify(judged, "email", purpose, company, exclude)
        eligible = set(classified.pop("eligible"))
        left_out = {reason: ids for reason, ids in classified.items() if ids}
        kept = {
            res_id: values
            for res_id, values in mail_values.items()
            if all(pid in eligible for pid in reached[res_id] & handled)
        }
        return kept, left_out

    @api.model
    def _marketing_refusal_message(self, left_out):
        """What the user is told when a mass send would reach clients who may not receive it."""
        labels = {
            "no_address": self.env._("No valid address or number"),
            "blacklisted": self.env._("Blacklisted"),
            "opted_out": self.env._("Opted out"),
            "no_consent": self.env._("No consent for this channel and purpose"),
            "too_often": self.env._("Mailed too often"),
        }
        lines = []
        for reason, ids in left_out.items():
            partners = self.env["res.partner"].sudo().browse(ids[:5])
            names = ", ".join(partners.mapped("display_name")) + (", …" if len(ids) > 5 else "")
            lines.append(f"{labels[reason]} ({len(ids)}): {names}")
        return self.env._(
            "Not sent: this is a marketing message and these clients may not receive it:\n%(lines)s\n"
            "Remove them from the selection, or send through Client Base → Mailings, which leaves them out.",
            lines="\n".join(lines),
        )
