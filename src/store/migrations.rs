//! Numbered, append-only schema migrations. Never edit a step that has shipped: add a new one.
//! `user_version` holds how many steps have run; all pending steps run in one transaction.

/// Step N (1-based) is `MIGRATIONS[N - 1]`.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: the first schema. No column holds a patient value in plaintext: identities, answers,
    // signatures, consent decisions and staff names are sealed blobs; look-ups use blind indexes.
    r#"
    CREATE TABLE installation (
        id                INTEGER PRIMARY KEY CHECK (id = 1),
        installation_id   TEXT NOT NULL,
        clinic_name       TEXT NOT NULL,
        created_at        TEXT NOT NULL,
        failed_unlocks    INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE key_wraps (
        label             TEXT PRIMARY KEY,
        wrap_json         TEXT NOT NULL
    );
    CREATE TABLE staff (
        id                TEXT PRIMARY KEY,
        role              TEXT NOT NULL CHECK (role IN ('manager', 'clinician', 'reception')),
        sealed_name       BLOB NOT NULL,
        pin_hash_json     TEXT NOT NULL,
        failed_pins       INTEGER NOT NULL DEFAULT 0,
        last_failed_at    INTEGER,
        active            INTEGER NOT NULL DEFAULT 1,
        created_at        TEXT NOT NULL
    );
    CREATE TABLE patients (
        id                TEXT PRIMARY KEY,
        lookup_index      BLOB NOT NULL,
        name_dob_index    BLOB NOT NULL,
        sealed_identity   BLOB NOT NULL,
        created_at        TEXT NOT NULL,
        last_visit_at     TEXT NOT NULL
    );
    CREATE INDEX patients_lookup ON patients (lookup_index);
    CREATE INDEX patients_name_dob ON patients (name_dob_index);
    CREATE TABLE submissions (
        id                TEXT PRIMARY KEY,
        patient_id        TEXT NOT NULL REFERENCES patients (id),
        staff_id          TEXT NOT NULL REFERENCES staff (id),
        created_at        TEXT NOT NULL,
        form_hash         TEXT NOT NULL,
        notice_hash       TEXT NOT NULL,
        language          TEXT NOT NULL,
        sealed_answers    BLOB NOT NULL,
        sealed_signature  BLOB NOT NULL,
        export_state      TEXT NOT NULL DEFAULT 'pending'
                          CHECK (export_state IN ('pending', 'exported', 'delivered')),
        exported_at       TEXT,
        bundle_seq        INTEGER
    );
    CREATE INDEX submissions_created ON submissions (created_at);
    CREATE INDEX submissions_patient ON submissions (patient_id);
    -- Rowids only grow here (append-only, never deleted but by erasure), so no AUTOINCREMENT;
    -- the 128-bit random id needs no UNIQUE index. Both would cost a B-tree write per submit.
    CREATE TABLE consent_events (
        seq               INTEGER PRIMARY KEY,
        id                TEXT NOT NULL,
        patient_id        TEXT NOT NULL REFERENCES patients (id),
        submission_id     TEXT REFERENCES submissions (id),
        recorded_at       TEXT NOT NULL,
        sealed_event      BLOB NOT NULL
    );
    CREATE INDEX consent_events_patient ON consent_events (patient_id);
    CREATE TRIGGER consent_events_append_only BEFORE UPDATE ON consent_events
        BEGIN SELECT RAISE(ABORT, 'consent events are append-only'); END;
    CREATE TABLE audit_log (
        seq               INTEGER PRIMARY KEY,
        at                TEXT NOT NULL,
        actor             TEXT NOT NULL,
        kind              TEXT NOT NULL,
        subject           TEXT NOT NULL,
        tag               BLOB NOT NULL
    );
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TABLE settings (
        key               TEXT PRIMARY KEY,
        value             TEXT NOT NULL
    );
    "#,
    // 2: every form definition a submission was filled with, by content hash, so an old
    // submission can still be shown with the exact questions and texts its patient saw.
    // Definitions are the clinic's published text, not patient data.
    r#"
    CREATE TABLE form_definitions (
        hash              TEXT PRIMARY KEY,
        definition_json   TEXT NOT NULL,
        first_used_at     TEXT NOT NULL
    );
    "#,
    // 3: sync between kiosks and the back office ("desk"). One program, one schema: a kiosk uses
    // sync_identity, pairing_offers, desk_link and export_bundles; a desk uses sync_identity,
    // kiosk_links and imported_bundles. Private keys are sealed; public keys are not secrets.
    r#"
    CREATE TABLE sync_identity (
        id                INTEGER PRIMARY KEY CHECK (id = 1),
        role              TEXT NOT NULL CHECK (role IN ('kiosk', 'desk')),
        node_id           TEXT NOT NULL,
        sealed_keys       BLOB NOT NULL,
        created_at        TEXT NOT NULL
    );
    CREATE TABLE pairing_offers (
        id                TEXT PRIMARY KEY,
        sealed_secret     BLOB NOT NULL,
        expires_at        INTEGER NOT NULL,
        created_at        TEXT NOT NULL,
        used_at           TEXT
    );
    CREATE TABLE desk_link (
        desk_id           TEXT PRIMARY KEY,
        kem_public        BLOB NOT NULL,
        sign_public       BLOB NOT NULL,
        comparison_code   TEXT NOT NULL,
        paired_at         TEXT NOT NULL,
        confirmed_at      TEXT,
        revoked_at        TEXT
    );
    CREATE TABLE export_bundles (
        seq               INTEGER PRIMARY KEY,
        desk_id           TEXT NOT NULL,
        created_at        TEXT NOT NULL,
        submission_count  INTEGER NOT NULL,
        delivered_at      TEXT,
        purged            INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE kiosk_links (
        kiosk_id          TEXT PRIMARY KEY,
        sign_public       BLOB NOT NULL,
        comparison_code   TEXT NOT NULL,
        paired_at         TEXT NOT NULL,
        revoked_at        TEXT,
        audit_length      INTEGER NOT NULL DEFAULT 0,
        audit_tag         TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE imported_bundles (
        kiosk_id          TEXT NOT NULL REFERENCES kiosk_links (kiosk_id),
        seq               INTEGER NOT NULL,
        file_hash         TEXT NOT NULL,
        imported_at       TEXT NOT NULL,
        added             INTEGER NOT NULL,
        duplicates        INTEGER NOT NULL,
        audit_length      INTEGER NOT NULL,
        PRIMARY KEY (kiosk_id, seq)
    );
    -- On a kiosk: which bundle last carried a submission. Kept apart from the submission row so
    -- marking an export does not rewrite the row's sealed blobs (UPDATE rewrites whole records).
    CREATE TABLE export_marks (
        submission_id     TEXT PRIMARY KEY REFERENCES submissions (id) ON DELETE CASCADE,
        bundle_seq        INTEGER NOT NULL,
        exported_at       TEXT NOT NULL
    ) WITHOUT ROWID;
    -- On a desk: the kiosk a submission came from (NULL for one taken on this machine).
    ALTER TABLE submissions ADD COLUMN source TEXT;
    "#,
    // 4: patient rights at the desk. Amendments keep the value they replaced (sealed) with who,
    // when and why; the erased-submission list stops a late bundle from bringing an erased record
    // back (submission ids are random, not personal data); rights requests and breaches keep their
    // free text sealed. Erasure deletes rows (secure_delete zeroes them, a checkpoint clears the WAL).
    r#"
    ALTER TABLE patients ADD COLUMN restricted_at TEXT;
    ALTER TABLE patients ADD COLUMN erasure_requested_at TEXT;
    CREATE TABLE amendments (
        seq               INTEGER PRIMARY KEY,
        id                TEXT NOT NULL,
        patient_id        TEXT NOT NULL REFERENCES patients (id),
        submission_id     TEXT REFERENCES submissions (id),
        staff_id          TEXT NOT NULL,
        amended_at        TEXT NOT NULL,
        sealed_previous   BLOB NOT NULL,
        sealed_reason     BLOB NOT NULL
    );
    CREATE INDEX amendments_patient ON amendments (patient_id);
    CREATE INDEX amendments_submission ON amendments (submission_id);
    CREATE TRIGGER amendments_append_only BEFORE UPDATE ON amendments
        BEGIN SELECT RAISE(ABORT, 'amendments are append-only'); END;
    CREATE TABLE erased_submissions (
        submission_id     TEXT PRIMARY KEY,
        erased_at         TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE rights_requests (
        id                TEXT PRIMARY KEY,
        patient_id        TEXT REFERENCES patients (id) ON DELETE SET NULL,
        kind              TEXT NOT NULL,
        received_on       TEXT NOT NULL,
        logged_by         TEXT NOT NULL,
        due_on            TEXT NOT NULL,
        extended_months   INTEGER NOT NULL DEFAULT 0,
        status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'refused')),
        closed_at         TEXT,
        sealed_details    BLOB NOT NULL
    );
    CREATE TABLE breaches (
        id                TEXT PRIMARY KEY,
        discovered_at     TEXT NOT NULL,
        recorded_by       TEXT NOT NULL,
        risk              TEXT NOT NULL CHECK (risk IN ('unlikely', 'risk', 'high')),
        reported_at       TEXT,
        sealed_details    BLOB NOT NULL
    );
    "#,
    // 5: kiosks' security events (wrong PINs, lockouts, failed unlocks) as their bundles carry
    // them, kept once per kiosk audit position, for the desk's unusual-access flags.
    r#"
    CREATE TABLE kiosk_security_events (
        kiosk_id          TEXT NOT NULL,
        seq               INTEGER NOT NULL,
        at                TEXT NOT NULL,
        kind              TEXT NOT NULL,
        PRIMARY KEY (kiosk_id, seq)
    ) WITHOUT ROWID;
    CREATE INDEX kiosk_security_events_at ON kiosk_security_events (at);
    "#,
    // 6: every row authenticated (see store/row_auth.rs). Each table but the audit log gets
    // `row_tag`, a MAC over the row's columns; a patient's consent events form a chain whose head
    // is kept in the patient's row; the audit log's length and last tag are kept, MAC'd, in
    // `audit_head`, so a cut tail shows. Rows of an older database are tagged at the first unlock
    // after the upgrade. A kiosk whose audit chain forked (same length, another tag) is flagged.
    r#"
    ALTER TABLE installation ADD COLUMN row_tag BLOB;
    ALTER TABLE key_wraps ADD COLUMN row_tag BLOB;
    ALTER TABLE staff ADD COLUMN row_tag BLOB;
    ALTER TABLE patients ADD COLUMN row_tag BLOB;
    ALTER TABLE submissions ADD COLUMN row_tag BLOB;
    ALTER TABLE consent_events ADD COLUMN row_tag BLOB;
    ALTER TABLE settings ADD COLUMN row_tag BLOB;
    ALTER TABLE form_definitions ADD COLUMN row_tag BLOB;
    ALTER TABLE sync_identity ADD COLUMN row_tag BLOB;
    ALTER TABLE pairing_offers ADD COLUMN row_tag BLOB;
    ALTER TABLE desk_link ADD COLUMN row_tag BLOB;
    ALTER TABLE export_bundles ADD COLUMN row_tag BLOB;
    ALTER TABLE kiosk_links ADD COLUMN row_tag BLOB;
    ALTER TABLE imported_bundles ADD COLUMN row_tag BLOB;
    ALTER TABLE export_marks ADD COLUMN row_tag BLOB;
    ALTER TABLE amendments ADD COLUMN row_tag BLOB;
    ALTER TABLE erased_submissions ADD COLUMN row_tag BLOB;
    ALTER TABLE rights_requests ADD COLUMN row_tag BLOB;
    ALTER TABLE breaches ADD COLUMN row_tag BLOB;
    ALTER TABLE kiosk_security_events ADD COLUMN row_tag BLOB;
    ALTER TABLE patients ADD COLUMN consent_head BLOB;
    ALTER TABLE kiosk_links ADD COLUMN audit_fork_at TEXT;
    -- Append-only still, but a row written before this step may be given its tag once.
    DROP TRIGGER consent_events_append_only;
    CREATE TRIGGER consent_events_append_only BEFORE UPDATE ON consent_events
        WHEN OLD.row_tag IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'consent events are append-only'); END;
    DROP TRIGGER amendments_append_only;
    CREATE TRIGGER amendments_append_only BEFORE UPDATE ON amendments
        WHEN OLD.row_tag IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'amendments are append-only'); END;
    CREATE TABLE audit_head (
        id                INTEGER PRIMARY KEY CHECK (id = 1),
        length            INTEGER NOT NULL,
        last_tag          BLOB NOT NULL,
        row_tag           BLOB
    );
    "#,
    // 7: a kiosk's pairing at the desk is pending until a manager types, at the desk, the code
    // the kiosk shows (`confirmed_at`); a manager's replacement of a known kiosk's key is noted
    // (`key_replaced_at`; `paired_at` keeps the first pairing). Links made before this step have
    // been importing already: they count as confirmed. A revoked link is final: no update may
    // lift the revocation or give it a new key (the store refuses first; this is the backstop).
    r#"
    ALTER TABLE kiosk_links ADD COLUMN confirmed_at TEXT;
    ALTER TABLE kiosk_links ADD COLUMN key_replaced_at TEXT;
    UPDATE kiosk_links SET confirmed_at = paired_at;
    CREATE TRIGGER kiosk_links_revoked_is_final
        BEFORE UPDATE OF revoked_at, sign_public, confirmed_at ON kiosk_links
        WHEN OLD.revoked_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'a revoked kiosk stays revoked'); END;
    "#,
    // 8: merging a duplicate record into the right one at the desk. The duplicate is kept (its
    // consent events are append-only and its details stay in the history) and points at the
    // record it was merged into; look-ups no longer find it.
    r#"
    ALTER TABLE patients ADD COLUMN merged_into TEXT REFERENCES patients (id);
    ALTER TABLE patients ADD COLUMN merged_at TEXT;
    CREATE INDEX patients_merged_into ON patients (merged_into);
    "#,
    // 9: data-key rotation. PIN hashes cannot be recomputed without the PINs, so the PIN pepper
    // is carried from one data key to the next, sealed under the current one (NULL until the
    // first rotation: the pepper then still follows from the data key).
    r#"
    ALTER TABLE installation ADD COLUMN sealed_pin_pepper BLOB;
    "#,
    // 10: the consent ledger's second shape: one sealed row for the decisions taken together (a
    // form's, or one later decision at the desk) instead of one row per decision, so a submit or
    // an imported form writes one ledger row and one index entry, not eight. Rows of
    // `consent_events` (one decision each) written before stay as they are, readable; a
    // patient's chain runs over them first, then over this table's rows (nothing writes to
    // `consent_events` any more). `decision_count` says how many decisions the sealed value holds.
    r#"
    CREATE TABLE consent_records (
        seq               INTEGER PRIMARY KEY,
        id                TEXT NOT NULL,
        patient_id        TEXT NOT NULL REFERENCES patients (id),
        submission_id     TEXT REFERENCES submissions (id),
        recorded_at       TEXT NOT NULL,
        decision_count    INTEGER NOT NULL,
        sealed_decisions  BLOB NOT NULL,
        row_tag           BLOB
    );
    CREATE INDEX consent_records_patient ON consent_records (patient_id);
    CREATE TRIGGER consent_records_append_only BEFORE UPDATE ON consent_records
        BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;
    "#,
    // 11: only merged records in the `merged_into` index (look-ups ask `merged_into = ?`, which
    // a partial index answers): a new patient, kiosk or desk, no longer writes an index entry
    // holding NULL.
    r#"
    DROP INDEX patients_merged_into;
    CREATE INDEX patients_merged_into ON patients (merged_into) WHERE merged_into IS NOT NULL;
    "#,
    // 12: a patient's forms and consent-ledger rows listed in the patient's own row (see
    // store/patient_records.rs) instead of found through an index on `patient_id`: a returning
    // patient's form rewrites that row anyway, where each index cost a B-tree leaf at a random
    // place (at 1,000,000 forms, half the import's time). NULL until the first unlock lists the
    // records of a row written before this step (it needs the key to tag the row again).
    r#"
    ALTER TABLE patients ADD COLUMN form_ids BLOB;
    ALTER TABLE patients ADD COLUMN ledger_seqs BLOB;
    DROP INDEX submissions_patient;
    DROP INDEX consent_records_patient;
    CREATE INDEX patients_unlisted ON patients (id) WHERE form_ids IS NULL OR ledger_seqs IS NULL;
    -- Whether any record is held for erasure, asked once per imported bundle: answered without
    -- reading every patient's row (an index of the few held records only).
    CREATE INDEX patients_held_for_erasure ON patients (erasure_requested_at)
        WHERE erasure_requested_at IS NOT NULL;
    "#,
    // 13: the census of the tables that only grow (store/row_auth/census.rs), in the installation
    // row: a row deleted from them by hand changes a decision and leaves no tag to fail. NULL
    // until the first unlock after this step counts what they hold.
    r#"
    ALTER TABLE installation ADD COLUMN census TEXT;
    "#,
    // 14: what a visit changes, in a small row of its own (store/patient_records.rs) instead of
    // the patient's row: the last visit, the consent chain's head, the newest form and ledger
    // row and how many of each, the restriction, and a keyed hash of the identity as held. The
    // forms and ledger rows are linked, each to the patient's previous one (`prev_form`,
    // `prev_seq`), instead of listed in a column that grew with every visit. A returning
    // patient's form then writes that small row and appends its own, leaving the patient's row
    // (identity, indexes) as it was: at 1,000,000 forms the patients' rows, rewritten page by
    // page with each bundle, were most of an import's time. The patient's row keeps the columns
    // that moved, emptied when its records move over at the first unlock after this step (it
    // needs the key to tag the new rows): `last_visit_at` is '' in a row that has moved, which
    // the partial index below (empty once every row has moved) finds. The look-up index covers
    // the patient's id, so a returning patient is found without reading their row. Consent
    // records stay append-only but for their link, set when a purge or merge relinks a chain.
    r#"
    CREATE TABLE visit_state (
        patient_id        TEXT PRIMARY KEY,
        last_visit_at     TEXT NOT NULL,
        restricted_at     TEXT,
        consent_head      BLOB,
        form_head         TEXT,
        form_count        INTEGER NOT NULL,
        ledger_head       INTEGER,
        ledger_count      INTEGER NOT NULL,
        identity_mac      BLOB,
        row_tag           BLOB
    ) WITHOUT ROWID;
    ALTER TABLE submissions ADD COLUMN prev_form TEXT;
    ALTER TABLE consent_records ADD COLUMN prev_seq INTEGER;
    DROP TRIGGER consent_records_append_only;
    CREATE TRIGGER consent_records_append_only
        BEFORE UPDATE OF seq, id, patient_id, submission_id, recorded_at, decision_count,
            sealed_decisions ON consent_records
        BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;
    DROP INDEX patients_lookup;
    CREATE INDEX patients_lookup ON patients (lookup_index, id);
    DROP INDEX patients_unlisted;
    CREATE INDEX patients_not_moved ON patients (id) WHERE last_visit_at <> '';
    "#,
    // 15: the patient's newest form as the 16 bytes of its id (`newest_form`) instead of its 32
    // hex digits (`form_head`, kept for rows written before and for an id of another shape):
    // 16 bytes fewer in a row that a bundle of returning patients rewrites on nearly every page
    // of its table (store/patient_records.rs). NULL until a form is filed after this step.
    r#"
    ALTER TABLE visit_state ADD COLUMN newest_form BLOB;
    "#,
    // 16: the restricted patients' visit states, indexed (a handful of rows): the census's digest
    // of who is restricted since when (store/row_auth/census.rs) is taken from them at every
    // change of a restriction and checked before every import and marketing list, without reading
    // the whole table. A visit state put back from before its restriction lifts it for the
    // marketing lists and the EMR outbox; the digest no longer agrees.
    r#"
    CREATE INDEX visit_state_restricted ON visit_state (restricted_at)
        WHERE restricted_at IS NOT NULL;
    "#,
    // 17: a keyed sum of what is sealed in each of the patient's forms (answers and signature),
    // in their visit state (store/patient_records/form_seals.rs): a form's row put back from an
    // older copy (an answer from before its correction) carries a tag that still matches, and
    // AES-GCM binds a sealed value to its row, not to a version; the sum, under the visit
    // state's tag and the census's sum of visit states, no longer agrees. NULL until the first
    // unlock after this step takes it from the forms held (census shape 7).
    r#"
    ALTER TABLE visit_state ADD COLUMN forms_sum BLOB;
    CREATE INDEX visit_state_unsummed ON visit_state (patient_id) WHERE forms_sum IS NULL;
    "#,
    // 18: where a kiosk's audit log stood at each bundle, on both sides. The kiosk notes each
    // bundle's log length (`export_bundles.audit_length`) and puts in the next bundle the tag its
    // log has at that length now; the desk keeps each bundle's last tag
    // (`imported_bundles.audit_tag`) and compares. A kiosk file put back from an older copy and
    // used since (or restored from a backup) grows another log past the one the desk saw: until
    // now only the same length with another tag showed it. NULL in rows written before.
    r#"
    ALTER TABLE export_bundles ADD COLUMN audit_length INTEGER;
    ALTER TABLE imported_bundles ADD COLUMN audit_tag TEXT;
    "#,
    // 19: the audit log by time, and its clock confirmations: the newest time recorded since the
    // last confirmation (store/own_clock.rs), asked before a handover starts and before the desk
    // dates a correction, request or breach, is found without reading the whole log (years of
    // record opens on a desk).
    r#"
    CREATE INDEX audit_log_at ON audit_log (at);
    CREATE INDEX audit_log_clock_confirmed ON audit_log (seq) WHERE kind = 'clock_confirmed';
    "#,
];
