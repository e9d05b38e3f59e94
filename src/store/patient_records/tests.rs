//! The visit states, the chains and the move from the lists of a database before migration 14.

use super::*;
use crate::store::{OpenStore, Store, SyncRole};
use crate::vault::Passphrase;

fn unlock(path: &std::path::Path) -> OpenStore {
    let store = Store::open_for(path, SyncRole::Desk).unwrap();
    let passphrase = Passphrase::new(crate::demo::DEMO_PASSPHRASE);
    OpenStore::unlock(store, &passphrase, chrono::Utc::now())
        .map_err(|f| f.error)
        .unwrap()
        .0
}

/// A patient's id, chains and visit state (but the identity's hash).
type Record = (String, Listed, Vec<(&'static str, Value)>);

/// Every patient's [`Record`], by id.
fn every_record(store: &OpenStore) -> Vec<Record> {
    let ids: Vec<String> =
        first_column(store.conn(), "SELECT id FROM patients ORDER BY id", []).unwrap();
    ids.into_iter()
        .map(|id| {
            let state = state_row(store.conn(), store.vault(), &id).unwrap();
            let listed = Listed::read(store.conn(), store.vault(), &id, &state).unwrap();
            let mut values = state.into_values();
            values.retain(|(name, _)| *name != IDENTITY_MAC);
            (id, listed, values)
        })
        .collect()
}

/// Puts the database back as it was before migration 14 (the lists in the patient's row,
/// or, `with_lists` false, before migration 12: none), each row tagged as it was then.
fn back_before_visit_states(store: &OpenStore, with_lists: bool) {
    let (conn, vault) = (store.conn(), store.vault());
    for (id, listed, _) in every_record(store) {
        let state = state_row(conn, vault, &id).unwrap();
        let mut columns = vec![
            (LAST_VISIT, Value::Text(state.text(LAST_VISIT).unwrap())),
            (
                RESTRICTED,
                state
                    .opt_text(RESTRICTED)
                    .unwrap()
                    .map_or(Value::Null, Value::Text),
            ),
            (
                CONSENT_HEAD,
                state
                    .opt_blob(CONSENT_HEAD)
                    .unwrap()
                    .map_or(Value::Null, Value::Blob),
            ),
        ];
        if with_lists {
            columns.extend(legacy::columns(&listed));
        }
        crate::store::patients::set_patient(conn, vault, &id, &columns).unwrap();
    }
    for id in first_column::<String>(conn, "SELECT id FROM submissions", []).unwrap() {
        let none = [("prev_form", Value::Null)];
        row_auth::update_one(conn, vault, "submissions", &text_key(&id), &none).unwrap();
    }
    for seq in first_column::<i64>(conn, "SELECT seq FROM consent_records", []).unwrap() {
        let none = [("prev_seq", Value::Null)];
        row_auth::update_one(
            conn,
            vault,
            "consent_records",
            &[Value::Integer(seq)],
            &none,
        )
        .unwrap();
    }
    conn.execute_batch(
        "DROP TABLE visit_state;
         ALTER TABLE submissions DROP COLUMN prev_form;
         ALTER TABLE consent_records DROP COLUMN prev_seq;
         DROP TRIGGER consent_records_append_only;
         CREATE TRIGGER consent_records_append_only BEFORE UPDATE ON consent_records
             BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;
         DROP INDEX patients_lookup;
         CREATE INDEX patients_lookup ON patients (lookup_index);
         DROP INDEX patients_not_moved;
         CREATE INDEX patients_unlisted ON patients (id)
             WHERE form_ids IS NULL OR ledger_seqs IS NULL;
         ALTER TABLE export_bundles DROP COLUMN audit_length;
         ALTER TABLE imported_bundles DROP COLUMN audit_tag;
         DROP INDEX audit_log_at;
         DROP INDEX audit_log_clock_confirmed;
         PRAGMA user_version = 13;",
    )
    .unwrap();
    // Its census from before the sum of the visit states (shape 4), as the app wrote it.
    row_auth::census::as_before_the_sums(conn, vault);
}

#[test]
fn a_database_from_before_visit_states_moves_at_the_first_unlock() {
    for with_lists in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.sqlite3");
        crate::demo::create_demo_desk(&path).unwrap();
        let store = unlock(&path);
        let manager: String = first_column::<String>(
            store.conn(),
            "SELECT id FROM staff WHERE role = 'manager'",
            [],
        )
        .unwrap()[0]
            .clone();
        let manager = crate::store::Actor::new(manager, crate::staff::Role::Manager);
        let first: String =
            first_column::<String>(store.conn(), "SELECT id FROM patients ORDER BY id", [])
                .unwrap()[0]
                .clone();
        store
            .set_restricted(&manager, &first, true, chrono::Utc::now())
            .unwrap();
        let records = every_record(&store);
        assert!(records.len() > 1);
        assert!(records.iter().all(|(_, l, _)| !l.forms.is_empty()));
        back_before_visit_states(&store, with_lists);
        store.close(None, chrono::Utc::now()).unwrap();
        // Opened, the store takes step 14; the unlock moves every patient, links their
        // records in the order they had, and every check holds.
        let store = unlock(&path);
        assert_eq!(every_record(&store), records, "lists kept: {with_lists}");
        let not_moved: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM patients WHERE last_visit_at <> ''
                 OR consent_head IS NOT NULL OR form_ids IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(not_moved, 0);
        store.verify_everything().unwrap();
    }
}

#[test]
fn a_visit_state_written_with_whole_hashes_reads_and_grows_as_it_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite3");
    crate::demo::create_demo_desk(&path).unwrap();
    let store = unlock(&path);
    let (conn, vault) = (store.conn(), store.vault());
    let manager: String =
        first_column::<String>(conn, "SELECT id FROM staff WHERE role = 'manager'", []).unwrap()[0]
            .clone();
    let manager = crate::store::Actor::new(manager, crate::staff::Role::Manager);
    let (id, listed, _) = every_record(&store)
        .into_iter()
        .find(|(_, listed, _)| !listed.ledger.is_empty())
        .unwrap();
    // Written today: 16-byte hashes and form id, the last visit to the millisecond.
    let state = state_row(conn, vault, &id).unwrap();
    assert_eq!(state.opt_blob(CONSENT_HEAD).unwrap().unwrap().len(), 16);
    assert_eq!(state.blob("newest_form").unwrap().len(), 16);
    assert_eq!(state.opt_text("form_head").unwrap(), None);
    assert_eq!(state.text(LAST_VISIT).unwrap().len(), 24);
    if let Some(mac) = state.opt_blob(IDENTITY_MAC).unwrap() {
        assert_eq!(mac.len(), 16);
    }

    // As a row was written before: the chain's whole 32-byte head, the form's id as text,
    // nanoseconds and `+00:00`.
    let mut head = Vec::new();
    for seq in &listed.ledger {
        let tag: Vec<u8> = conn
            .query_row(
                "SELECT row_tag FROM consent_records WHERE seq = ?1",
                [seq],
                |r| r.get(0),
            )
            .unwrap();
        head = row_auth::consent_head(vault, &head, &tag, 32);
    }
    let last = chrono::DateTime::parse_from_rfc3339(&state.text(LAST_VISIT).unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    let written_before = (last + chrono::Duration::nanoseconds(123_456)).to_rfc3339();
    assert_eq!(written_before.len(), 35);
    let tx = crate::store::writing::Writing::begin(conn).unwrap();
    set_state(
        &tx,
        vault,
        &id,
        &[
            (CONSENT_HEAD, Value::Blob(head)),
            (
                "form_head",
                Value::Text(listed.forms.last().unwrap().clone()),
            ),
            ("newest_form", Value::Null),
            (LAST_VISIT, Value::Text(written_before.clone())),
        ],
    )
    .unwrap();
    tx.commit(vault).unwrap();

    // It reads as it is, and a decision taken now carries the chain at its own width.
    assert_eq!(Listed::of_patient(conn, vault, &id).unwrap(), listed);
    let now = last + chrono::Duration::days(1);
    let history = store.consent_history(&manager, &id, now).unwrap();
    let granted = crate::forms::current_events(&history)
        .into_iter()
        .find(|(_, e)| e.decision == crate::forms::Decision::Granted)
        .map(|(item, _)| item.to_owned())
        .unwrap();
    store
        .withdraw_consent(&manager, &id, &granted, now)
        .unwrap();
    let state = state_row(conn, vault, &id).unwrap();
    assert_eq!(state.opt_blob(CONSENT_HEAD).unwrap().unwrap().len(), 32);
    assert_eq!(
        store.consent_history(&manager, &id, now).unwrap().len(),
        history.len() + 1
    );
    store.verify_everything().unwrap();

    // The longer time orders against the shorter as the times do: a visit a second before it
    // does not move it, one a millisecond after it does.
    let at = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339();
    let earlier =
        crate::store::returning::visit_noted(&state, &at(last - chrono::Duration::seconds(1)));
    assert!(earlier.unwrap().is_empty());
    let later =
        crate::store::returning::visit_noted(&state, &at(last + chrono::Duration::milliseconds(1)))
            .unwrap();
    assert_eq!(
        later,
        vec![(
            LAST_VISIT,
            Value::Text(visit_time(&at(last + chrono::Duration::milliseconds(1))))
        )]
    );
}

#[test]
fn a_newest_form_of_the_wrong_length_is_named_as_such() {
    let state = |bytes: Option<Vec<u8>>, text: Option<&str>| {
        Row::checked_for_test(vec![
            ("newest_form", bytes.map_or(Value::Null, Value::Blob)),
            (
                "form_head",
                text.map_or(Value::Null, |t| Value::Text(t.into())),
            ),
        ])
    };
    let id = "0123456789abcdef0123456789abcdef";
    assert_eq!(
        form_head(&state(Some(crate::hex::decode(id).unwrap()), None)).unwrap(),
        Some(id.to_owned())
    );
    assert_eq!(
        form_head(&state(None, Some("older-id"))).unwrap(),
        Some("older-id".to_owned())
    );
    let short = form_head(&state(Some(vec![1; 15]), None)).unwrap_err();
    assert!(short.to_string().contains("15 bytes, not 16"), "{short}");
    let twice = form_head(&state(Some(vec![1; 16]), Some(id))).unwrap_err();
    assert!(twice.to_string().contains("twice"), "{twice}");
}
