//! A form's answers or a patient's details put back from an older copy of the database, alone
//! or with their whole row: refused wherever they are read; and a database from before the sums
//! gets them once.

use chrono::Utc;
use rusqlite::types::Value;

use super::{FORMS_SUM, Seals};
use crate::forms::AnswerValue;
use crate::staff::Role;
use crate::store::older_copies::{copy_of, put_back, put_back_sealed};
use crate::store::patient_records::{IDENTITY_MAC, set_state, state_row};
use crate::store::row_auth::STATE_HASH_BYTES;
use crate::store::writing::Writing;
use crate::store::{Actor, OpenStore, Store, StoreError, SyncRole};
use crate::vault::Passphrase;

fn unlock(path: &std::path::Path) -> (OpenStore, Actor) {
    let store = Store::open_for(path, SyncRole::Desk).unwrap();
    let passphrase = Passphrase::new(crate::demo::DEMO_PASSPHRASE);
    let (open, manager) = OpenStore::unlock(store, &passphrase, Utc::now())
        .map_err(|f| f.error)
        .unwrap();
    (open, Actor::new(manager, Role::Manager))
}

/// The demo desk in a folder of its own, where an older copy of it will be kept.
struct Desk {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    older: std::path::PathBuf,
}

fn demo_desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite3");
    crate::demo::create_demo_desk(&path).unwrap();
    let older = dir.path().join("older");
    Desk {
        _dir: dir,
        path,
        older,
    }
}

/// The desk's first form and its patient.
fn first_form(open: &OpenStore) -> (String, String) {
    open.conn()
        .query_row(
            "SELECT id, patient_id FROM submissions ORDER BY created_at, id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

/// The desk's first form with a text answer, its patient and the question.
fn form_with_text_answer(open: &OpenStore, manager: &Actor) -> (String, String, String) {
    let forms: Vec<(String, String)> = open
        .conn()
        .prepare("SELECT id, patient_id FROM submissions ORDER BY created_at, id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    forms
        .into_iter()
        .find_map(|(form, patient)| {
            let record = open.read_medical(manager, &form, Utc::now()).unwrap();
            let question = record
                .answers
                .0
                .iter()
                .find(|(_, value)| matches!(value, AnswerValue::Text(_)))
                .map(|(question, _)| question.clone())?;
            Some((form, patient, question))
        })
        .expect("a form with a text answer")
}

const CORRECTED: &str = "Penicillin (corrected at the desk)";

/// A form's text answer corrected after an older copy was taken; returns the form and its
/// patient.
fn corrected_after_copy(desk: &Desk, open: &OpenStore, manager: &Actor) -> (String, String) {
    let (form, patient, question) = form_with_text_answer(open, manager);
    let form = form.as_str();
    let record = open.read_medical(manager, form, Utc::now()).unwrap();
    copy_of(&desk.path, &desk.older);
    let mut answers = record.answers.clone();
    answers.set(&question, AnswerValue::Text(CORRECTED.into()));
    open.amend_answers(manager, form, &answers, "allergy corrected", Utc::now())
        .unwrap();
    let read = open.read_medical(manager, form, Utc::now()).unwrap();
    assert!(read.answers.get(&question) == Some(&AnswerValue::Text(CORRECTED.into())));
    open.verify_everything().unwrap();
    (form.to_owned(), patient)
}

fn refused_naming<T>(result: Result<T, StoreError>, named: &str) {
    match result {
        Err(StoreError::Tampered { table, .. }) => assert_eq!(table, named),
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("read as sound"),
    }
}

/// Every read of the patient's answers, their record's opening, a second correction and the
/// whole-database check refuse the form put back.
fn every_read_refuses(open: &OpenStore, manager: &Actor, form: &str, patient: &str) {
    refused_naming(open.read_medical(manager, form, Utc::now()), "submissions");
    refused_naming(
        open.open_record(manager, patient, Utc::now()),
        "submissions",
    );
    refused_naming(
        open.patient_data(manager, patient, Utc::now()),
        "submissions",
    );
    let answers = crate::forms::Answers::default();
    refused_naming(
        open.amend_answers(manager, form, &answers, "again", Utc::now()),
        "submissions",
    );
    refused_naming(open.verify_everything(), "submissions");
}

#[test]
fn an_answer_put_back_from_before_its_correction_alone_or_with_its_row_is_refused() {
    for alone in [true, false] {
        let desk = demo_desk();
        let (open, manager) = unlock(&desk.path);
        let (form, patient) = corrected_after_copy(&desk, &open, &manager);
        let (path, older) = (&desk.path, &desk.older);
        if alone {
            // The sealed answers alone: the row's tag, which does not cover sealed values,
            // stays as last written, and AES-GCM opens the old value in its row.
            put_back_sealed(path, older, "submissions", "sealed_answers", &form);
        } else {
            put_back(path, older, "submissions", &format!("id = '{form}'"));
        }
        every_read_refuses(&open, &manager, &form, &patient);
    }
}

#[test]
fn a_patients_details_put_back_from_before_their_correction_are_refused() {
    let desk = demo_desk();
    let (open, manager) = unlock(&desk.path);
    // A patient on the e-mail marketing list: the list opens their details too.
    let listed = open
        .marketing_list(&manager, "marketing_email", Utc::now())
        .unwrap();
    let patient = listed[0].patient_id.clone();
    copy_of(&desk.path, &desk.older);
    let mut identity = open
        .patient_identity(&manager, &patient, Utc::now())
        .unwrap();
    identity.email = "new.address@example.org".into();
    open.amend_identity(&manager, &patient, &identity, "moved", Utc::now())
        .unwrap();
    open.verify_everything().unwrap();
    for put in [true, false] {
        if put {
            put_back_sealed(
                &desk.path,
                &desk.older,
                "patients",
                "sealed_identity",
                &patient,
            );
        } else {
            put_back(
                &desk.path,
                &desk.older,
                "patients",
                &format!("id = '{patient}'"),
            );
        }
        refused_naming(open.open_record(&manager, &patient, Utc::now()), "patients");
        refused_naming(
            open.patient_identity(&manager, &patient, Utc::now()),
            "patients",
        );
        refused_naming(
            open.marketing_list(&manager, "marketing_email", Utc::now()),
            "patients",
        );
        refused_naming(open.verify_everything(), "patients");
    }
}

/// Every visit state's sum and identity hash taken away, as a build before migration 17 left
/// them (written by the app, so under each state's tag).
fn as_before_the_sums(open: &OpenStore) {
    let ids: Vec<String> =
        crate::store::first_column(open.conn(), "SELECT patient_id FROM visit_state", []).unwrap();
    let tx = Writing::begin(open.conn()).unwrap();
    for id in &ids {
        let none = [(FORMS_SUM, Value::Null), (IDENTITY_MAC, Value::Null)];
        set_state(&tx, open.vault(), id, &none).unwrap();
    }
    tx.commit(open.vault()).unwrap();
}

#[test]
fn visit_states_from_before_the_sums_get_them_once_at_the_unlock() {
    let desk = demo_desk();
    let (open, manager) = unlock(&desk.path);
    let (form, patient) = first_form(&open);
    let sums = |open: &OpenStore| {
        crate::store::first_column::<Option<Vec<u8>>>(
            open.conn(),
            "SELECT forms_sum FROM visit_state ORDER BY patient_id",
            [],
        )
        .unwrap()
    };
    let taken = sums(&open);
    assert!(taken.len() > 1);
    assert!(
        taken
            .iter()
            .all(|s| s.as_ref().is_some_and(|s| s.len() == STATE_HASH_BYTES))
    );
    as_before_the_sums(&open);
    refused_naming(
        open.read_medical(&manager, &form, Utc::now()),
        "visit_state",
    );
    refused_naming(open.open_record(&manager, &patient, Utc::now()), "patients");
    open.close(Some(&manager), Utc::now()).unwrap();
    // The schema as it was before migration 17: its rows' tags, written without the column's
    // value (left out while NULL), are those a build of then wrote.
    rusqlite::Connection::open(&desk.path)
        .unwrap()
        .execute_batch(
            "DROP INDEX visit_state_unsummed;
             ALTER TABLE visit_state DROP COLUMN forms_sum;
             ALTER TABLE export_bundles DROP COLUMN audit_length;
             ALTER TABLE imported_bundles DROP COLUMN audit_tag;
             DROP INDEX audit_log_at;
             DROP INDEX audit_log_clock_confirmed;
             PRAGMA user_version = 16;",
        )
        .unwrap();

    let (open, manager) = unlock(&desk.path);
    assert_eq!(
        sums(&open),
        taken,
        "the same sums, taken from the forms held"
    );
    let state = state_row(open.conn(), open.vault(), &patient).unwrap();
    assert_eq!(state.blob(IDENTITY_MAC).unwrap().len(), STATE_HASH_BYTES);
    let waiting: i64 = open
        .conn()
        .query_row(
            "SELECT count(*) FROM visit_state WHERE forms_sum IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(waiting, 0);
    open.read_medical(&manager, &form, Utc::now()).unwrap();
    open.open_record(&manager, &patient, Utc::now()).unwrap();
    open.verify_everything().unwrap();
}

#[test]
fn a_patient_without_forms_holds_the_empty_sum_and_a_sum_is_its_forms_xor() {
    let desk = demo_desk();
    let (open, _) = unlock(&desk.path);
    let (_, patient) = first_form(&open);
    let state = state_row(open.conn(), open.vault(), &patient).unwrap();
    let listed =
        crate::store::patient_records::Listed::read(open.conn(), open.vault(), &patient, &state)
            .unwrap();
    let each: Vec<Seals> = listed
        .forms
        .iter()
        .map(|form| super::sum_of(open.conn(), open.vault(), std::slice::from_ref(form)).unwrap())
        .collect();
    let xor = each
        .iter()
        .fold(Seals::default(), |sum, seal| sum.plus(*seal));
    assert_eq!(Seals::held(&state, &patient).unwrap(), xor);
    assert_eq!(
        super::sum_of(open.conn(), open.vault(), &[]).unwrap(),
        Seals::default()
    );
    assert_eq!(xor.plus(xor), Seals::default(), "added twice is taken away");
}
