//! The census against hand edits: rows deleted, and rows put back from an older copy.

use chrono::Utc;

use crate::staff::Role;
use crate::store::older_copies::{copy_of, put_back, put_back_sealed, with_older};
use crate::store::{Actor, OpenStore, Store, StoreError, SyncRole};
use crate::vault::Passphrase;

fn unlock(path: &std::path::Path) -> Result<(OpenStore, Actor), StoreError> {
    unlock_as(path, SyncRole::Desk)
}

fn unlock_as(path: &std::path::Path, side: SyncRole) -> Result<(OpenStore, Actor), StoreError> {
    let store = Store::open_for(path, side)?;
    let passphrase = Passphrase::new(crate::demo::DEMO_PASSPHRASE);
    let (open, manager) = OpenStore::unlock(store, &passphrase, Utc::now()).map_err(|f| f.error)?;
    Ok((open, Actor::new(manager, Role::Manager)))
}

fn edited(path: &std::path::Path, sql: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    assert_eq!(conn.execute(sql, []).unwrap(), 1, "{sql}");
}

/// A demo desk in a folder of its own (kept as long as the folder lives).
fn demo_desk() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite3");
    crate::demo::create_demo_desk(&path).unwrap();
    (dir, path)
}

/// The demo desk's clinician and their PIN.
fn clinician(open: &OpenStore) -> (String, crate::vault::Pin) {
    let (name, _, pin) = crate::demo::DEMO_STAFF[1];
    let member = open
        .list_staff(Utc::now())
        .unwrap()
        .into_iter()
        .find(|m| m.name == name)
        .unwrap();
    (member.id, crate::vault::Pin::new(pin))
}

/// The table named when the database at `path`, edited by `sql`, is refused at the unlock.
fn refused_once_edited(path: &std::path::Path, sql: &str) -> String {
    edited(path, sql);
    refused_for(path)
}

fn refused_for(path: &std::path::Path) -> String {
    match unlock(path) {
        Err(StoreError::Tampered { table, .. }) => table,
        other => panic!("opened: {:?}", other.map(|_| ())),
    }
}

/// The census as the installation row holds it now.
fn census_of(open: &OpenStore) -> super::Census {
    super::stored(open.conn(), open.vault())
        .unwrap()
        .unwrap()
        .unwrap()
}

/// The census set back by `set_back` to what an earlier build wrote (by the app, so under the
/// row's tag), the desk closed and unlocked again. Returns the desk, the census as set back and
/// as the unlock adopted it (of today's shape).
fn adopted_after(
    path: &std::path::Path, (open, manager): (OpenStore, Actor),
    set_back: impl FnOnce(&mut super::Census),
) -> (OpenStore, Actor, super::Census, super::Census) {
    let mut census = census_of(&open);
    set_back(&mut census);
    super::store(open.conn(), open.vault(), &census).unwrap();
    open.close(Some(&manager), Utc::now()).unwrap();
    let (open, manager) = unlock(path).unwrap();
    let adopted = census_of(&open);
    assert_eq!(adopted.shape, super::SHAPE);
    (open, manager, census, adopted)
}

#[test]
fn a_setting_deleted_by_hand_is_not_replaced_by_its_default() {
    let (_dir, path) = demo_desk();
    let (open, manager) = unlock(&path).unwrap();
    open.set_setting(&manager, "retention.adult_years", "15", Utc::now())
        .unwrap();
    // Written again with another value: still one setting, listed once.
    open.set_setting(&manager, "retention.adult_years", "20", Utc::now())
        .unwrap();
    open.close(Some(&manager), Utc::now()).unwrap();
    let (open, manager) = unlock(&path).unwrap();
    open.verify_everything().unwrap();
    open.close(Some(&manager), Utc::now()).unwrap();
    assert_eq!(
        refused_once_edited(
            &path,
            "DELETE FROM settings WHERE key = 'retention.adult_years'"
        ),
        "settings"
    );
}

#[test]
fn a_register_entry_deleted_by_hand_is_noticed() {
    let (dir, path) = demo_desk();
    for (table, sql) in [
        ("rights_requests", "DELETE FROM rights_requests"),
        ("breaches", "DELETE FROM breaches"),
    ] {
        let copy = dir.path().join(format!("{table}.sqlite3"));
        std::fs::copy(&path, &copy).unwrap();
        edited(&copy, sql);
        assert_eq!(refused_for(&copy), table);
    }
}

#[test]
fn a_kiosks_security_event_deleted_by_hand_is_noticed_and_an_older_census_counts_them_once() {
    use rusqlite::types::Value;
    let (_dir, path) = demo_desk();
    let (open, manager) = unlock(&path).unwrap();
    for seq in 1..=2 {
        let event = [
            ("kiosk_id", Value::Text("kiosk-1".into())),
            ("seq", Value::Integer(seq)),
            ("at", Value::Text("2026-12-01T10:00:00+00:00".into())),
            ("kind", Value::Text("sign_in_failed".into())),
        ];
        super::super::insert(open.conn(), open.vault(), "kiosk_security_events", &event).unwrap();
    }
    // A census of the earlier shape: the events are counted at the next unlock, once.
    let (open, manager, _, census) = adopted_after(&path, (open, manager), |census| {
        census.counts.remove("kiosk_security_events");
        census.shape = 0;
    });
    open.verify_everything().unwrap();
    assert_eq!(census.counts["kiosk_security_events"], 2);
    open.close(Some(&manager), Utc::now()).unwrap();
    assert_eq!(
        refused_once_edited(&path, "DELETE FROM kiosk_security_events WHERE seq = 2"),
        "kiosk_security_events"
    );
}

#[test]
fn the_census_is_covered_by_the_installation_rows_tag() {
    let (dir, path) = demo_desk();
    // Taken away (as if from before the census), or made to agree with a deletion.
    for sql in [
        "UPDATE installation SET census = NULL",
        r#"UPDATE installation SET census = '{"counts":{},"settings":[]}'"#,
    ] {
        let copy = dir.path().join("copy.sqlite3");
        std::fs::copy(&path, &copy).unwrap();
        edited(&copy, sql);
        assert_eq!(refused_for(&copy), "installation", "{sql}");
        std::fs::remove_file(&copy).unwrap();
    }
}

/// A demo desk and where to keep an older copy of it (both in the folder returned).
fn demo_desk_and_older() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let (dir, path) = demo_desk();
    let older = dir.path().join("older");
    (dir, path, older)
}

/// The desk closed, then [`put_back`]: it does not open again, naming `table`.
fn closed_and_refused_once_put_back(
    (open, manager): (OpenStore, Actor), path: &std::path::Path, older: &std::path::Path,
    table: &str, condition: &str,
) {
    open.close(Some(&manager), Utc::now()).unwrap();
    put_back(path, older, table, condition);
    assert_eq!(refused_for(path), table);
}

#[test]
fn a_retired_members_row_put_back_from_an_older_copy_neither_signs_in_nor_opens() {
    use crate::store::SignInError;
    use crate::vault::Pin;
    let (dir, path) = demo_desk();
    let (older, retired) = (dir.path().join("older"), dir.path().join("retired"));
    let (mut open, manager) = unlock(&path).unwrap();
    let rita = open
        .list_staff(Utc::now())
        .unwrap()
        .into_iter()
        .find(|m| m.role == Role::Reception)
        .unwrap()
        .id;
    copy_of(&path, &older);
    open.retire_staff(&manager, &rita, Utc::now()).unwrap();
    copy_of(&path, &retired);
    // While the desk is open: her row as it was before she was retired (its tag sound).
    let hers = format!("id = '{rita}'");
    put_back(&path, &older, "staff", &hers);
    let pin = Pin::new("560193");
    match open.sign_in(&rita, &pin, Utc::now()) {
        Err(SignInError::Store(StoreError::Tampered { table, .. })) => {
            assert_eq!(table, "staff")
        }
        other => panic!("not refused: {:?}", other.map(|a| a.staff_id().to_owned())),
    }
    drop(open);
    assert_eq!(refused_for(&path), "staff");
    // Her row as the app last wrote it: the desk opens again, and she stays retired.
    put_back(&path, &retired, "staff", &hers);
    let (mut open, _) = unlock(&path).unwrap();
    assert!(matches!(
        open.sign_in(&rita, &pin, Utc::now()),
        Err(SignInError::Retired)
    ));
}

#[test]
fn a_visit_state_put_back_from_before_its_restriction_is_refused_by_the_marketing_list() {
    let (_dir, path, older) = demo_desk_and_older();
    let (open, manager) = unlock(&path).unwrap();
    let patient = restricted_with_older(&open, &manager, &path, &older);
    // Set and lifted by the app: the census follows.
    open.verify_everything().unwrap();
    // The patient's visit state as it was before the restriction, its tag sound.
    let row = format!("patient_id = '{patient}'");
    put_back(&path, &older, "visit_state", &row);
    match open.marketing_list(&manager, "marketing_email", Utc::now()) {
        Err(StoreError::Tampered { table, .. }) => assert_eq!(table, "visit_state"),
        other => panic!("listed: {:?}", other.map(|l| l.len())),
    }
    open.close(Some(&manager), Utc::now()).unwrap();
    assert_eq!(refused_for(&path), "visit_state");
}

/// The demo desk's first patient, their visit state as it is now kept in `older`, then their
/// record restricted by the app (the state rewritten, the census following).
fn restricted_with_older(
    open: &OpenStore, manager: &Actor, path: &std::path::Path, older: &std::path::Path,
) -> String {
    let patient: String = open
        .conn()
        .query_row("SELECT patient_id FROM visit_state LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    copy_of(path, older);
    open.set_restricted(manager, &patient, true, Utc::now())
        .unwrap();
    patient
}

#[test]
fn a_visit_state_put_back_by_another_connection_is_refused_at_the_next_sign_in_after_ones_that_left_the_sum_out()
 {
    use crate::store::SignInError;
    let (_dir, path, older) = demo_desk_and_older();
    let (mut open, manager) = unlock(&path).unwrap();
    let (member, pin) = clinician(&open);
    // The first sign-in takes the sum; the app's own writes since keep it agreeing, so the
    // sign-ins after them leave it out.
    open.sign_in(&member, &pin, Utc::now()).unwrap();
    let patient = restricted_with_older(&open, &manager, &path, &older);
    open.sign_in(&member, &pin, Utc::now()).unwrap();
    open.sign_in(&member, &pin, Utc::now()).unwrap();
    // Another connection (sqlite3, a script) puts the state from before the restriction back:
    // SQLite's count of other connections' commits moves, and the sum is taken again.
    put_back(
        &path,
        &older,
        "visit_state",
        &format!("patient_id = '{patient}'"),
    );
    match open.sign_in(&member, &pin, Utc::now()) {
        Err(SignInError::Store(StoreError::Tampered { table, .. })) => {
            assert_eq!(table, "visit_state")
        }
        other => panic!("signed in: {:?}", other.map(|a| a.staff_id().to_owned())),
    }
    // And again at the next try: a failed check is not remembered as passed.
    assert!(open.sign_in(&member, &pin, Utc::now()).is_err());
}

#[test]
fn a_sign_in_leaves_the_sum_out_only_while_no_other_connection_has_written() {
    let (_dir, path, older) = demo_desk_and_older();
    let (mut open, manager) = unlock(&path).unwrap();
    let (member, pin) = clinician(&open);
    open.sign_in(&member, &pin, Utc::now()).unwrap();
    let patient = restricted_with_older(&open, &manager, &path, &older);
    // The same put-back written through the desk's own connection, behind the store's back (no
    // store transaction: what the app never does): SQLite does not count it as another's
    // commit, so the next sign-in leaves the sum out and lets it by. This is the limit the gate
    // rests on; the unlock and `verify` take the sum every time.
    let theirs = format!("patient_id = '{patient}'");
    open.conn()
        .execute("ATTACH DATABASE ?1 AS older", [older.to_str().unwrap()])
        .unwrap();
    open.conn()
        .execute_batch(&format!(
            "DELETE FROM main.visit_state WHERE {theirs};
             INSERT INTO main.visit_state SELECT * FROM older.visit_state WHERE {theirs};
             DETACH DATABASE older;"
        ))
        .unwrap();
    open.sign_in(&member, &pin, Utc::now()).unwrap();
    assert!(matches!(
        open.verify_everything(),
        Err(StoreError::Tampered { table, .. }) if table == "visit_state"
    ));
    // Any commit by another connection (here a harmless one) and the sum is taken again.
    edited(&path, "UPDATE installation SET id = id WHERE id = 1");
    assert!(open.sign_in(&member, &pin, Utc::now()).is_err());
}

/// A patient on the demo desk's e-mail marketing list, and the desk with them held for erasure
/// (asked for while their forms are kept), an older copy taken before the request.
/// The demo desk opened, the first patient on its e-mail marketing list, and an older copy of it
/// taken now.
fn listed_with_older(
    path: &std::path::Path, older: &std::path::Path,
) -> (OpenStore, Actor, String) {
    let (open, manager) = unlock(path).unwrap();
    let listed = open
        .marketing_list(&manager, "marketing_email", Utc::now())
        .unwrap();
    let patient = listed[0].patient_id.clone();
    copy_of(path, older);
    (open, manager, patient)
}

fn held_for_erasure_with_older(
    path: &std::path::Path, older: &std::path::Path,
) -> (OpenStore, Actor, String) {
    let (open, manager, patient) = listed_with_older(path, older);
    open.request_erasure(&manager, &patient, Utc::now())
        .unwrap();
    let held: Option<String> = open
        .conn()
        .query_row(
            "SELECT erasure_requested_at FROM patients WHERE id = ?1",
            [&patient],
            |r| r.get(0),
        )
        .unwrap();
    assert!(held.is_some(), "held, not erased");
    assert!(
        open.marketing_list(&manager, "marketing_email", Utc::now())
            .unwrap()
            .iter()
            .all(|p| p.patient_id != patient)
    );
    open.verify_everything().unwrap();
    (open, manager, patient)
}

/// The patient's consent chain and visit state put back from `older`, and their identity's
/// sealed value (contact details and all): what an erasure took away, back, each row's tag sound.
fn old_chain_and_details_put_back(path: &std::path::Path, older: &std::path::Path, patient: &str) {
    let theirs = format!("patient_id = '{patient}'");
    put_back(path, older, "consent_records", &theirs);
    put_back(path, older, "visit_state", &theirs);
    put_back_sealed(path, older, "patients", "sealed_identity", patient);
}

#[test]
fn a_patients_row_put_back_from_before_their_erasure_request_is_refused() {
    let (_dir, path, older) = demo_desk_and_older();
    let (open, manager, patient) = held_for_erasure_with_older(&path, &older);
    // Everything of the patient as it was before the request, their own row too.
    old_chain_and_details_put_back(&path, &older, &patient);
    put_back(&path, &older, "patients", &format!("id = '{patient}'"));
    match open.marketing_list(&manager, "marketing_email", Utc::now()) {
        Err(StoreError::Tampered { table, .. }) => assert_eq!(table, "patients"),
        other => panic!("listed: {:?}", other.map(|l| l.len())),
    }
    open.close(Some(&manager), Utc::now()).unwrap();
    assert_eq!(refused_for(&path), "patients");
}

#[test]
fn a_census_from_before_the_held_digest_gets_it_once_with_a_record_already_held() {
    let (_dir, path, older) = demo_desk_and_older();
    let (open, manager, _patient) = held_for_erasure_with_older(&path, &older);
    // As session 55 left it: shape 3, no digest of whose record is held.
    let (open, _, census, adopted) = adopted_after(&path, (open, manager), |census| {
        assert!(census.digests.remove(super::HELD_FOR_ERASURE).is_some());
        census.shape = 3;
    });
    assert!(adopted.digests.contains_key(super::HELD_FOR_ERASURE));
    assert_eq!(
        adopted.digests.get(super::RESTRICTED),
        census.digests.get(super::RESTRICTED),
        "the digests written as they went are kept"
    );
    open.verify_everything().unwrap();
}

#[test]
fn a_held_records_old_marketing_decisions_put_back_are_refused_by_the_marketing_list() {
    let (_dir, path, older) = demo_desk_and_older();
    let (open, manager, patient) = held_for_erasure_with_older(&path, &older);
    // The request stays marked; the chain from before it, and the details, put back.
    old_chain_and_details_put_back(&path, &older, &patient);
    // The visit state put back no longer agrees with the sum of them all.
    match open.marketing_list(&manager, "marketing_email", Utc::now()) {
        Err(StoreError::Tampered { table, .. }) => assert_eq!(table, "visit_state"),
        other => panic!("listed: {:?}", other.map(|l| l.len())),
    }
    // Were the sum matched (it takes the row key), the rule behind it still refuses: a record
    // held for erasure keeps no marketing grant.
    sums_taken_again(&open);
    match open.marketing_list(&manager, "marketing_email", Utc::now()) {
        Err(StoreError::Tampered { table, row }) => {
            assert_eq!(table, "consent_records");
            assert!(
                row.starts_with(&format!(
                    "{patient}: a marketing_email grant on a record held"
                )),
                "{row}"
            );
        }
        other => panic!("listed: {:?}", other.map(|l| l.len())),
    }
}

#[test]
fn an_old_passphrases_key_wrap_put_back_does_not_open_the_desk() {
    let (_dir, path, older) = demo_desk_and_older();
    let (mut open, manager) = unlock(&path).unwrap();
    copy_of(&path, &older);
    let new = Passphrase::new("a new and longer clinic passphrase");
    open.change_my_passphrase(
        &manager,
        &Passphrase::new(crate::demo::DEMO_PASSPHRASE),
        &new,
        &new,
        Utc::now(),
    )
    .unwrap();
    // The wrap under the old passphrase (which someone may know) put back: it opens the
    // data key, and the desk refuses to go on.
    let wrap = format!("label = '{}'", manager.staff_id());
    closed_and_refused_once_put_back((open, manager), &path, &older, "key_wraps", &wrap);
}

#[test]
fn a_setting_set_back_from_an_older_copy_is_refused() {
    let (_dir, path, older) = demo_desk_and_older();
    let (open, manager) = unlock(&path).unwrap();
    open.set_setting(&manager, "retention.adult_years", "15", Utc::now())
        .unwrap();
    copy_of(&path, &older);
    open.set_setting(&manager, "retention.adult_years", "20", Utc::now())
        .unwrap();
    let setting = "key = 'retention.adult_years'";
    closed_and_refused_once_put_back((open, manager), &path, &older, "settings", setting);
}

#[test]
fn a_census_from_before_the_digests_gets_them_once_and_a_lifted_lockout_is_noticed() {
    use crate::vault::Pin;
    let (_dir, path, older) = demo_desk_and_older();
    let (open, manager) = unlock(&path).unwrap();
    let (mut open, manager, _, adopted) = adopted_after(&path, (open, manager), |census| {
        // The tables written since the desk was made (staff, key wraps, settings, …).
        assert!(census.digests.contains_key("staff"), "{census:?}");
        census.digests.clear();
        census.shape = 1;
    });
    // Each digested table's, who is restricted, whose record is held for erasure and the sum
    // of the visit states.
    assert_eq!(
        adopted.digests.len(),
        super::DIGESTED.len() + super::FEW_ROWS.len() + super::row_sums::SUMMED.len()
    );
    open.verify_everything().unwrap();
    // A wrong PIN counted against the manager; then the row from before it put back (the
    // count, and with it any lockout, lifted).
    copy_of(&path, &older);
    assert!(
        open.sign_in(manager.staff_id(), &Pin::new("000000"), Utc::now())
            .is_err()
    );
    let row = format!("id = '{}'", manager.staff_id());
    closed_and_refused_once_put_back((open, manager), &path, &older, "staff", &row);
}

/// The census's sums taken again from the rows as they are, as the app would after its own
/// writes: what only someone with the row key could do, to reach the checks behind the sums.
fn sums_taken_again(open: &OpenStore) {
    let mut census = census_of(open);
    census
        .digests
        .extend(super::sums_now(open.conn(), open.vault()).unwrap());
    super::store(open.conn(), open.vault(), &census).unwrap();
}

/// A patient on the demo desk's e-mail marketing list, the desk with their e-mail consent
/// withdrawn, and an older copy taken before the withdrawal.
fn withdrawn_with_older(
    path: &std::path::Path, older: &std::path::Path,
) -> (OpenStore, Actor, String) {
    let (open, manager, patient) = listed_with_older(path, older);
    open.withdraw_consent(&manager, &patient, "marketing_email", Utc::now())
        .unwrap();
    let on_list = |open: &OpenStore| {
        open.marketing_list(&manager, "marketing_email", Utc::now())
            .map(|l| l.iter().any(|p| p.patient_id == patient))
    };
    assert!(!on_list(&open).unwrap(), "withdrawn");
    open.verify_everything().unwrap();
    (open, manager, patient)
}

/// The withdrawal undone as one can with an older copy and no key: the patient's visit state
/// put back from before it (its chain's head and count as they were) and the ledger row the
/// withdrawal added deleted. Every row left is sound and the chain agrees with the head.
fn withdrawal_undone(path: &std::path::Path, older: &std::path::Path, patient: &str) {
    let theirs = format!("patient_id = '{patient}'");
    let conn = with_older(path, older);
    let deleted = conn
        .execute(
            &format!(
                "DELETE FROM main.consent_records WHERE {theirs}
                 AND seq > (SELECT max(seq) FROM older.consent_records WHERE {theirs})"
            ),
            [],
        )
        .unwrap();
    assert_eq!(deleted, 1, "the withdrawal's row");
    drop(conn);
    put_back(path, older, "visit_state", &theirs);
}

#[test]
fn a_withdrawal_undone_with_an_older_visit_state_is_refused_by_the_marketing_list_and_the_unlock() {
    let (_dir, path, older) = demo_desk_and_older();
    let (mut open, manager, patient) = withdrawn_with_older(&path, &older);
    withdrawal_undone(&path, &older, &patient);
    // The patient's own chain reads as sound: the head and the rows agree.
    assert!(open.consent_history(&manager, &patient, Utc::now()).is_ok());
    match open.marketing_list(&manager, "marketing_email", Utc::now()) {
        Err(StoreError::Tampered { table, row }) => {
            assert_eq!(table, "visit_state");
            assert!(row.contains("put back from an older copy"), "{row}");
        }
        other => panic!("listed: {:?}", other.map(|l| l.len())),
    }
    assert!(matches!(
        open.verify_everything(),
        Err(StoreError::Tampered { table, .. }) if table == "visit_state"
    ));
    // The next sign-in, before any record is opened.
    let (member, pin) = clinician(&open);
    assert!(matches!(
        open.sign_in(&member, &pin, Utc::now()),
        Err(crate::store::SignInError::Store(StoreError::Tampered { table, .. }))
            if table == "visit_state"
    ));
    open.close(Some(&manager), Utc::now()).unwrap();
    assert_eq!(refused_for(&path), "visit_state");
}

#[test]
fn a_visit_state_deleted_by_hand_is_refused_at_the_unlock() {
    let (_dir, path) = demo_desk();
    assert_eq!(
        refused_once_edited(
            &path,
            "DELETE FROM visit_state WHERE patient_id = (SELECT max(patient_id) FROM visit_state)"
        ),
        "visit_state"
    );
}

#[test]
fn the_sum_follows_every_write_and_forgets_a_transaction_not_committed() {
    let (_dir, path) = demo_desk();
    let (open, manager) = unlock(&path).unwrap();
    let patient: String = open
        .conn()
        .query_row("SELECT max(patient_id) FROM visit_state", [], |r| r.get(0))
        .unwrap();
    // Written, then rolled back: the sum is as before.
    {
        let tx = crate::store::writing::Writing::begin(open.conn()).unwrap();
        let key = crate::store::row_auth::text_key(&patient);
        let changes = [(
            "last_visit_at",
            rusqlite::types::Value::Text("2020-01-01".into()),
        )];
        crate::store::row_auth::update_one(&tx, open.vault(), "visit_state", &key, &changes)
            .unwrap();
        // Dropped without a commit.
    }
    open.verify_everything().unwrap();
    // Restricted, lifted, erased (held, or the visit state deleted): each written through the sum.
    for restricted in [true, false] {
        open.set_restricted(&manager, &patient, restricted, Utc::now())
            .unwrap();
        open.verify_everything().unwrap();
    }
    open.request_erasure(&manager, &patient, Utc::now())
        .unwrap();
    open.verify_everything().unwrap();
    // Outside a store transaction, a visit state is not written at all.
    let other: String = open
        .conn()
        .query_row("SELECT min(patient_id) FROM visit_state", [], |r| r.get(0))
        .unwrap();
    let key = crate::store::row_auth::text_key(&other);
    let changes = [(
        "last_visit_at",
        rusqlite::types::Value::Text("2020-01-01".into()),
    )];
    assert!(matches!(
        crate::store::row_auth::update_one(
            open.conn(),
            open.vault(),
            "visit_state",
            &key,
            &changes
        ),
        Err(StoreError::Encoding(_))
    ));
}

#[test]
fn a_census_from_before_the_sums_gets_them_once() {
    let (_dir, path) = demo_desk();
    let (open, manager) = unlock(&path).unwrap();
    let sum = census_of(&open).digests[super::VISIT_STATES].clone();
    // As session 56 left it: shape 4, no sum of the visit states.
    let (open, _, _, adopted) = adopted_after(&path, (open, manager), |census| {
        census.digests.remove(super::VISIT_STATES);
        census.shape = 4;
    });
    assert_eq!(adopted.digests.get(super::VISIT_STATES), Some(&sum));
    open.verify_everything().unwrap();
}

/// How long the audit log of the database at `path` is, and its head says it is.
fn log_and_head(path: &std::path::Path) -> (i64, i64) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(
        "SELECT (SELECT count(*) FROM audit_log), (SELECT length FROM audit_head)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

/// The audit log cut back to where it was in `older` and its head put back from there: every
/// entry left sound, the head agreeing with them, the entries since gone.
fn log_cut_back(path: &std::path::Path, older: &std::path::Path) {
    let (was, _) = log_and_head(older);
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(&format!(
        "DROP TRIGGER IF EXISTS audit_log_no_delete;
         DELETE FROM audit_log WHERE seq > {was};"
    ))
    .unwrap();
    drop(conn);
    put_back(path, older, "audit_head", "id = 1");
    let (entries, head) = log_and_head(path);
    assert_eq!(
        (entries, head),
        (was, was),
        "a log that agrees with its head"
    );
}

#[test]
fn an_audit_log_cut_back_to_an_older_head_is_refused_at_the_unlock_and_the_next_sign_in() {
    use crate::store::SignInError;
    let (_dir, path, older) = demo_desk_and_older();
    let (mut open, manager) = unlock(&path).unwrap();
    copy_of(&path, &older);
    // Someone looks at a record (logged), then cuts the log back to before it.
    let patient: String = open
        .conn()
        .query_row("SELECT min(patient_id) FROM visit_state", [], |r| r.get(0))
        .unwrap();
    open.patient_identity(&manager, &patient, Utc::now())
        .unwrap();
    open.verify_everything().unwrap();
    log_cut_back(&path, &older);
    let (member, pin) = clinician(&open);
    match open.sign_in(&member, &pin, Utc::now()) {
        Err(SignInError::Store(StoreError::Tampered { table, row })) => {
            assert_eq!(table, "audit_log");
            assert!(row.contains("cut back"), "{row}");
        }
        other => panic!("signed in: {:?}", other.map(|a| a.staff_id().to_owned())),
    }
    assert!(matches!(
        open.verify_everything(),
        Err(StoreError::Tampered { table, .. }) if table == "audit_log"
    ));
    drop(open);
    assert_eq!(refused_for(&path), "audit_log");
}

#[test]
fn audit_entries_cut_off_the_end_are_refused_at_the_unlock() {
    let (_dir, path) = demo_desk();
    let (open, manager) = unlock(&path).unwrap();
    open.close(Some(&manager), Utc::now()).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS audit_log_no_delete;
         DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log);",
    )
    .unwrap();
    drop(conn);
    assert_eq!(refused_for(&path), "audit_log");
}

#[test]
fn a_census_from_before_the_logs_length_gets_it_once() {
    let (_dir, path) = demo_desk();
    let (open, manager) = unlock(&path).unwrap();
    // As the first build of session 57 left it: shape 5, no length of the log.
    let (open, manager, _, _) = adopted_after(&path, (open, manager), |census| {
        assert!(census.counts.remove(super::AUDIT_LOG).is_some());
        census.shape = 5;
    });
    open.verify_everything().unwrap();
    open.close(Some(&manager), Utc::now()).unwrap();
    let (entries, head) = log_and_head(&path);
    assert_eq!(entries, head);
    let (open, _) = unlock(&path).unwrap();
    let census = census_of(&open);
    // The unlock's own entry counted as it was written.
    assert_eq!(
        census.counts[super::AUDIT_LOG],
        u64::try_from(entries + 1).unwrap()
    );
}

/// A demo kiosk in a folder of its own, unlocked, with a pairing offer open (expiring in ten
/// minutes).
fn kiosk_with_an_offer() -> (tempfile::TempDir, std::path::PathBuf, OpenStore, Actor) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.sqlite3");
    crate::demo::create_demo_clinic(&path).unwrap();
    let (open, manager) = unlock_as(&path, SyncRole::Kiosk).unwrap();
    let now = Utc::now();
    open.save_pairing_offer(&manager, "offer-1", &[7; 32], now.timestamp() + 600, now)
        .unwrap();
    (dir, path, open, manager)
}

fn offers_refused<T: std::fmt::Debug>(result: Result<T, StoreError>) -> bool {
    match result {
        Err(StoreError::Tampered { table, .. }) => table == "pairing_offers",
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn a_withdrawn_pairing_offer_put_back_from_an_older_copy_pairs_nothing() {
    let (dir, path, open, manager) = kiosk_with_an_offer();
    let older = dir.path().join("older.sqlite3");
    copy_of(&path, &older);
    // The code was photographed: withdrawn.
    assert!(matches!(
        open.withdraw_pairing_offer(&manager, Utc::now()).unwrap(),
        crate::store::Withdrawal::Withdrawn(_)
    ));
    assert!(open.latest_pairing_offer().unwrap().is_none());
    // Its row put back while the kiosk runs: the answer's read (which takes the offer's secret)
    // and a second withdrawal are refused, and so is a new code, which would bless the table.
    put_back(&path, &older, "pairing_offers", "id = 'offer-1'");
    assert!(offers_refused(open.latest_pairing_offer().map(|_| ())));
    assert!(offers_refused(
        open.withdraw_pairing_offer(&manager, Utc::now())
    ));
    let now = Utc::now();
    assert!(offers_refused(open.save_pairing_offer(
        &manager,
        "offer-2",
        &[8; 32],
        now.timestamp() + 600,
        now
    )));
    open.close(Some(&manager), Utc::now()).unwrap();
    match unlock_as(&path, SyncRole::Kiosk) {
        Err(StoreError::Tampered { table, .. }) => assert_eq!(table, "pairing_offers"),
        other => panic!("opened: {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_used_pairing_offer_put_back_unused_is_refused() {
    let (dir, path, open, manager) = kiosk_with_an_offer();
    let older = dir.path().join("older.sqlite3");
    copy_of(&path, &older);
    // A new code replaces the first; the first's row, put back, would be answerable again.
    let now = Utc::now();
    open.save_pairing_offer(&manager, "offer-2", &[8; 32], now.timestamp() + 600, now)
        .unwrap();
    assert_eq!(open.latest_pairing_offer().unwrap().unwrap().id, "offer-2");
    put_back(&path, &older, "pairing_offers", "1");
    assert!(offers_refused(open.latest_pairing_offer().map(|_| ())));
}

#[test]
fn a_census_from_before_the_offers_digest_gets_it_once_with_an_offer_open() {
    let (_dir, path, open, manager) = kiosk_with_an_offer();
    // As session 66 left it: shape 6, no digest of the pairing offers.
    let mut census = census_of(&open);
    assert!(census.digests.remove(super::OFFERS).is_some());
    census.shape = 6;
    super::store(open.conn(), open.vault(), &census).unwrap();
    open.close(Some(&manager), Utc::now()).unwrap();
    let (open, manager) = unlock_as(&path, SyncRole::Kiosk).unwrap();
    let adopted = census_of(&open);
    assert_eq!(adopted.shape, super::SHAPE);
    assert!(adopted.digests.contains_key(super::OFFERS));
    // The open offer stands as it was and is withdrawn as before.
    assert_eq!(open.latest_pairing_offer().unwrap().unwrap().id, "offer-1");
    open.verify_everything().unwrap();
    assert!(matches!(
        open.withdraw_pairing_offer(&manager, Utc::now()).unwrap(),
        crate::store::Withdrawal::Withdrawn(_)
    ));
}
