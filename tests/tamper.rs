//! A tampered database is refused, never obeyed.
//!
//! - The tamper matrix: generated from the schema itself (`sqlite_schema` + `pragma table_info`),
//!   so a column added later is covered without editing this file. On a closed kiosk database and
//!   a closed desk database made by a scripted day, every column of a row of every table is changed
//!   (a flipped bit, another row's value, NULL where allowed), and every table loses a row and
//!   gains a copied one. After each mutation the database is reopened and the read paths run (sign
//!   in, lists, open record, export, import, marketing lists, retention, audit verify): the outcome
//!   is a refusal, or the mutation is on the short allow-list below, each entry with its reason.
//! - Each hole of the issue, written as the attack.
//! - A database written by schema 5 (before rows were authenticated) upgrades at its first unlock
//!   and reads as before; removing its head afterwards to have edits re-tagged is refused.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::Duration;
use common::*;
use intake_kiosk::exchange::{desk_side, kiosk_side, submission_entry};
use intake_kiosk::forms::{ConsentDecision, Decision};
use intake_kiosk::rights::{RequestKind, Risk};
use intake_kiosk::staff::Role;
use intake_kiosk::store::{
    Actor, AuditHead, ChainCheck, NewBreach, NewRightsRequest, OfferedKey, OpenStore, SignInError,
    Store, StoreError,
};
use intake_kiosk::vault::{Passphrase, Pin};
use rusqlite::Connection;
use rusqlite::types::Value;

/// Mutations that change nothing any read obeys, each with why.
const HARMLESS: &[(&str, &str, &str)] = &[
    (
        "installation",
        "failed_unlocks",
        "counted before the passphrase is checked, with no key in memory; whoever can edit the \
         file can copy it and guess offline, so the count only slows guessing at the screen",
    ),
    (
        "sqlite_sequence",
        "*",
        "SQLite's own bookkeeping of AUTOINCREMENT counters: no decision reads it",
    ),
    (
        "pairing_offers",
        "sealed_secret",
        "a used offer's secret is never opened again; an unused one that was changed fails to \
         open (AEAD) when its answer comes back, and pairing stops",
    ),
    (
        "visit_state",
        "duplicate",
        "a visit state copied under another key is no patient's: every read starts from a \
         patient, so none reaches it, and the whole-database check refuses it",
    ),
    (
        "patients",
        "name_dob_index",
        "a changed index only hides the patient from the search by name (a denial, like a \
         deleted row); an index copied from another patient makes the search find this row, \
         whose check then fails",
    ),
];

/// Deleting a row of these tables only takes something away that the app then lacks (a wrap
/// that no longer opens, a staff member who can no longer sign in, a pairing that has to be
/// made again): it denies, it does not mislead. Deleting what misleads (a consent event, an audit
/// entry, the audit head; a setting, whose default may be less strict; an import or erasure list
/// entry, which let an old bundle back in; a breach or rights request, hidden from its register;
/// a kiosk's security event, hidden from the desk's flags) is refused: the census counts those
/// tables (`store/row_auth/census.rs`).
const DELETE_DENIES: &[(&str, &str)] = &[
    (
        "pairing_offers",
        "an offer already used: nothing reads it again",
    ),
    (
        "export_bundles",
        "the kiosk's own list of bundles written; receipts still purge by the marks",
    ),
    (
        "export_marks",
        "the submission is offered again in the next bundle; the desk imports it once",
    ),
    (
        "amendments",
        "an earlier version lost; the current value is unchanged and checked",
    ),
    (
        "form_definitions",
        "a record whose form is gone is shown with the fallback form and says so",
    ),
    (
        "patients",
        "the record is gone from search (a loss, not a decision changed); its orphaned forms and \
         consent events are refused by `verify`, and the audit log still names it",
    ),
];

#[derive(Debug)]
enum Outcome {
    Harmless,
    Refused(String),
}

struct Day {
    _dir: tempfile::TempDir,
    kiosk: PathBuf,
    desk: PathBuf,
    /// A bundle the kiosk exported after the desk's last import: the desk imports it in the
    /// import read path.
    pending: PathBuf,
}

fn day() -> &'static Day {
    static DAY: OnceLock<Day> = OnceLock::new();
    DAY.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut kiosk = setup_clinic();
        let mut desk = setup_clinic();
        let k_manager = sign_in(&mut kiosk.store, Role::Manager);
        let d_manager = sign_in(&mut desk.store, Role::Manager);
        let exchange = tempfile::tempdir().expect("exchange");
        let outbox = tempfile::tempdir().expect("outbox");
        let (code, _) = kiosk_side::start_pairing(&kiosk.store, &k_manager, t0()).expect("offer");
        let answered = desk_side::answer_pairing(
            &desk.store,
            &d_manager,
            &code,
            exchange.path(),
            desk_side::KnownKiosk::Refuse,
            t0(),
        )
        .expect("answer");
        let link = kiosk_side::read_pairing_answer(&kiosk.store, &k_manager, exchange.path(), t0())
            .expect("read answer");
        desk_side::confirm_pairing(
            &desk.store,
            &d_manager,
            Some(&answered.kiosk_id),
            &link.comparison_code,
            exchange.path(),
            t0(),
        )
        .expect("confirm at the desk");
        kiosk_side::confirm_pairing(&kiosk.store, &k_manager, t0()).expect("confirm");
        let clinician = sign_in(&mut kiosk.store, Role::Clinician);
        kiosk
            .store
            .save_submission(&clinician, submission("Ada", "Lovelace", "latex"), t0())
            .expect("save");
        let mut grace = submission("Grace", "Hopper", "nickel");
        grace
            .consents
            .push(consent("marketing_email", Decision::Granted));
        kiosk
            .store
            .save_submission(&clinician, grace, t0())
            .expect("save");
        kiosk_side::export(
            &kiosk.store,
            &k_manager,
            exchange.path(),
            t0(),
            &mut |_, _| {},
        )
        .expect("export");
        desk_side::import_folder(
            &mut desk.store,
            &d_manager,
            exchange.path(),
            outbox.path(),
            t0(),
            &mut |_, _, _| {},
        )
        .expect("import");
        kiosk_side::read_receipts(&kiosk.store, &k_manager, exchange.path(), t0())
            .expect("receipts");
        for f in std::fs::read_dir(exchange.path()).expect("list") {
            std::fs::remove_file(f.expect("entry").path()).expect("clear exchange");
        }
        // Two more forms stay on the kiosk, exported in a bundle the desk has not seen yet.
        let mut linus = submission("Linus", "Torvalds", "penicillin");
        linus
            .consents
            .push(consent("marketing_sms", Decision::Granted));
        kiosk
            .store
            .save_submission(&clinician, linus, t0())
            .expect("save");
        kiosk
            .store
            .save_submission(&clinician, submission("Alan", "Turing", "none"), t0())
            .expect("save");
        kiosk
            .store
            .set_setting(&k_manager, "flags.window_minutes", "15", t0())
            .expect("setting");
        let pending = kiosk_side::export(
            &kiosk.store,
            &k_manager,
            exchange.path(),
            t0(),
            &mut |_, _| {},
        )
        .expect("export")
        .expect("a bundle")
        .file;
        let pending_kept = dir
            .path()
            .join(pending.file_name().expect("bundle file name"));
        std::fs::copy(&pending, &pending_kept).expect("keep bundle");
        // The desk's day.
        let reception = sign_in(&mut desk.store, Role::Reception);
        let grace_id = desk
            .store
            .find_patients(&reception, "grace", "hopper", "1987-06-15", t0())
            .expect("find")[0]
            .clone();
        desk.store
            .withdraw_consent(&reception, &grace_id, "marketing_email", t0())
            .expect("withdraw");
        let mut moved = identity("Grace", "Hopper");
        moved.email = "grace.hopper@example.org".into();
        desk.store
            .amend_identity(&reception, &grace_id, &moved, "new address", t0())
            .expect("amend");
        desk.store
            .log_rights_request(
                &reception,
                &NewRightsRequest {
                    patient_id: Some(grace_id.clone()),
                    kind: RequestKind::Access,
                    received_on: t0().date_naive(),
                    requester: "the patient".into(),
                    identity_check: "photo ID".into(),
                    notes: String::new(),
                },
                t0(),
            )
            .expect("request");
        desk.store
            .record_breach(
                &d_manager,
                &NewBreach {
                    discovered_at: t0(),
                    what_happened: "tablet left unlocked".into(),
                    records: vec![grace_id],
                    risk: Risk::Unlikely,
                },
                t0(),
            )
            .expect("breach");
        desk.store
            .set_setting(&d_manager, "retention.adult_years", "10", t0())
            .expect("setting");
        let keep = |clinic: Clinic, name: &str| -> PathBuf {
            let store = clinic.store.close(None, t0()).expect("close");
            store.checkpoint().expect("checkpoint");
            let target = dir.path().join(name);
            std::fs::copy(store.path(), &target).expect("copy");
            target
        };
        let kiosk_path = keep(kiosk, "kiosk.sqlite3");
        let desk_path = keep(desk, "desk.sqlite3");
        Day {
            _dir: dir,
            kiosk: kiosk_path,
            desk: desk_path,
            pending: pending_kept,
        }
    })
}

fn later() -> chrono::DateTime<chrono::Utc> {
    t0() + Duration::minutes(5)
}

/// What an error says of the table it blames, for the report.
fn refusal(error: impl std::fmt::Debug) -> String {
    let text = format!("{error:?}");
    match text.find("table: \"") {
        Some(at) => {
            let rest = &text[at + 8..];
            format!("tampered {}", &rest[..rest.find('"').unwrap_or(rest.len())])
        }
        None => text.chars().take(120).collect(),
    }
}

fn unlock(path: &Path) -> Result<OpenStore, String> {
    let store = Store::open(path).map_err(refusal)?;
    let (open, _) = OpenStore::unlock(store, &Passphrase::new(PASSPHRASE), later())
        .map_err(|f| refusal(f.error))?;
    Ok(open)
}

fn manager_of(store: &mut OpenStore) -> Result<Actor, String> {
    let id = store
        .list_staff(later())
        .map_err(refusal)?
        .into_iter()
        .find(|m| m.role == Role::Manager)
        .ok_or("no manager listed")?
        .id;
    store
        .sign_in(&id, &Pin::new(MANAGER_PIN), later())
        .map_err(refusal)
}

fn audit_intact(store: &OpenStore) -> Result<(), String> {
    match store.verify_audit().map_err(refusal)? {
        ChainCheck::Intact { .. } => Ok(()),
        ChainCheck::BrokenAt { seq } => Err(format!("tampered audit_log at {seq}")),
    }
}

/// The kiosk's read paths: unlock, sign in, today's forms opened, consents, what export would
/// send, the desk link, settings, the active form, a returning-patient look-up, audit verify.
fn kiosk_reads(path: &Path) -> Result<(), String> {
    let mut store = unlock(path)?;
    let manager = manager_of(&mut store)?;
    let forms = store
        .submissions_since(&manager, t0() - Duration::days(1), later())
        .map_err(refusal)?;
    for form in &forms {
        let record = store
            .read_medical(&manager, &form.id, later())
            .map_err(refusal)?;
        // The returning-patient look-up of each of today's patients.
        store
            .find_returning_patient(&manager, &record.identity, later())
            .map_err(refusal)?;
        store
            .current_consents(&manager, &form.patient_id, later())
            .map_err(refusal)?;
    }
    let exchange = tempfile::tempdir().map_err(refusal)?;
    kiosk_side::export(&store, &manager, exchange.path(), later(), &mut |_, _| {})
        .map_err(refusal)?
        .ok_or("nothing to export")?;
    store.sync_status().map_err(refusal)?;
    store.setting("flags.window_minutes").map_err(refusal)?;
    store.active_form().map_err(refusal)?;
    audit_intact(&store)
}

/// The desk's read paths: unlock, sign in, search and open each record, consent history, the
/// marketing lists, retention, registers, access export, importing the pending bundle, audit.
fn desk_reads(path: &Path, pending: &Path) -> Result<(), String> {
    let mut store = unlock(path)?;
    let manager = manager_of(&mut store)?;
    for (given, family) in [("Ada", "Lovelace"), ("Grace", "Hopper")] {
        let found = store
            .find_patients(&manager, given, family, "1987-06-15", later())
            .map_err(refusal)?;
        for id in found {
            store.open_record(&manager, &id, later()).map_err(refusal)?;
            store
                .patient_data(&manager, &id, later())
                .map_err(refusal)?;
        }
    }
    for channel in ["marketing_email", "marketing_sms", "marketing_whatsapp"] {
        store
            .marketing_list(&manager, channel, later())
            .map_err(refusal)?;
    }
    store.run_retention(&manager, later()).map_err(refusal)?;
    store.rights_requests(&manager).map_err(refusal)?;
    store.breaches(&manager).map_err(refusal)?;
    store.kiosk_links().map_err(refusal)?;
    store.imported_bundles().map_err(refusal)?;
    store
        .unusual_access(&manager, t0() - Duration::days(7))
        .map_err(refusal)?;
    audit_intact(&store)?;
    let exchange = tempfile::tempdir().map_err(refusal)?;
    let outbox = tempfile::tempdir().map_err(refusal)?;
    std::fs::copy(
        pending,
        exchange.path().join(pending.file_name().ok_or("name")?),
    )
    .map_err(refusal)?;
    let outcomes = desk_side::import_folder(
        &mut store,
        &manager,
        exchange.path(),
        outbox.path(),
        later(),
        &mut |_, _, _| {},
    )
    .map_err(refusal)?;
    for outcome in outcomes {
        if let desk_side::BundleOutcome::Refused { error, .. } = outcome {
            return Err(refusal(error));
        }
    }
    audit_intact(&store)
}

/// One change to a closed database file.
#[derive(Clone, Debug)]
struct Mutation {
    table: String,
    /// A column, or "delete" / "duplicate" for a whole row.
    column: String,
    what: String,
    sql: String,
    params: Vec<Value>,
}

struct Column {
    name: String,
    not_null: bool,
    key: i64,
}

fn columns(conn: &Connection, table: &str) -> Vec<Column> {
    let mut stmt = conn
        .prepare(&format!("PRAGMA table_info(\"{table}\")"))
        .expect("table_info");
    stmt.query_map([], |r| {
        Ok(Column {
            name: r.get(1)?,
            not_null: r.get(3)?,
            key: r.get(5)?,
        })
    })
    .expect("columns")
    .collect::<Result<_, _>>()
    .expect("columns")
}

fn flipped(value: &Value) -> Value {
    match value {
        Value::Null => Value::Text("x".into()),
        Value::Integer(i) => Value::Integer(i ^ 1),
        Value::Real(r) => Value::Real(r + 1.0),
        Value::Text(t) => {
            let mut bytes = t.clone().into_bytes();
            match bytes.iter().rposition(u8::is_ascii_alphanumeric) {
                Some(i) => bytes[i] ^= 1,
                None => bytes.push(b'x'),
            }
            Value::Text(String::from_utf8(bytes).unwrap_or_else(|_| "x".into()))
        }
        Value::Blob(b) => {
            let mut b = b.clone();
            match b.first_mut() {
                Some(first) => *first ^= 1,
                None => b.push(1),
            }
            Value::Blob(b)
        }
    }
}

/// Every mutation of `db`, from its schema and its rows.
fn mutations(db: &Path) -> Vec<Mutation> {
    let conn = Connection::open(db).expect("open raw");
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .expect("tables")
        .query_map([], |r| r.get(0))
        .expect("tables")
        .collect::<Result<_, _>>()
        .expect("tables");
    let mut out = Vec::new();
    for table in tables {
        let cols = columns(&conn, &table);
        let mut key: Vec<&Column> = cols.iter().filter(|c| c.key > 0).collect();
        key.sort_by_key(|c| c.key);
        let (select_key, where_key): (String, String) = if key.is_empty() {
            ("rowid".into(), "rowid = ?".into())
        } else {
            (
                key.iter()
                    .map(|c| format!("\"{}\"", c.name))
                    .collect::<Vec<_>>()
                    .join(", "),
                key.iter()
                    .map(|c| format!("\"{}\" = ?", c.name))
                    .collect::<Vec<_>>()
                    .join(" AND "),
            )
        };
        let names: Vec<String> = cols.iter().map(|c| format!("\"{}\"", c.name)).collect();
        let rows: Vec<(Vec<Value>, Vec<Value>)> = {
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT {select_key}, {} FROM \"{table}\" ORDER BY {select_key} LIMIT 2",
                    names.join(", ")
                ))
                .expect("rows");
            let width = if key.is_empty() { 1 } else { key.len() };
            stmt.query_map([], |r| {
                let k = (0..width).map(|i| r.get(i)).collect::<Result<_, _>>()?;
                let v = (0..cols.len())
                    .map(|i| r.get(width + i))
                    .collect::<Result<_, _>>()?;
                Ok((k, v))
            })
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("rows")
        };
        let Some((first_key, first)) = rows.first() else {
            continue;
        };
        let other = rows.get(1).map(|(_, v)| v);
        for (i, col) in cols.iter().enumerate() {
            let set = |what: &str, value: Value| Mutation {
                table: table.clone(),
                column: col.name.clone(),
                what: what.into(),
                sql: format!(
                    "UPDATE \"{table}\" SET \"{}\" = ? WHERE {where_key}",
                    col.name
                ),
                params: std::iter::once(value)
                    .chain(first_key.iter().cloned())
                    .collect(),
            };
            out.push(set("flipped", flipped(&first[i])));
            if let Some(other) = other.filter(|o| o[i] != first[i]) {
                out.push(set("another row's value", other[i].clone()));
            }
            if !col.not_null && first[i] != Value::Null {
                out.push(set("NULL", Value::Null));
            }
        }
        out.push(Mutation {
            table: table.clone(),
            column: "delete".into(),
            what: "a row deleted".into(),
            sql: format!("DELETE FROM \"{table}\" WHERE {where_key}"),
            params: first_key.clone(),
        });
        if let Some(last_key) = key.last() {
            let changed_key = match &first[cols
                .iter()
                .position(|c| c.name == last_key.name)
                .expect("key column")]
            {
                Value::Integer(_) => format!(
                    "(SELECT max(\"{0}\") + 1000 FROM \"{table}\")",
                    last_key.name
                ),
                _ => format!("\"{}\" || '-copy'", last_key.name),
            };
            let select: Vec<String> = cols
                .iter()
                .map(|c| {
                    if c.name == last_key.name {
                        changed_key.clone()
                    } else {
                        format!("\"{}\"", c.name)
                    }
                })
                .collect();
            out.push(Mutation {
                table: table.clone(),
                column: "duplicate".into(),
                what: "a row copied under another key".into(),
                sql: format!(
                    "INSERT INTO \"{table}\" ({}) SELECT {} FROM \"{table}\" WHERE {where_key}",
                    names.join(", "),
                    select.join(", ")
                ),
                params: first_key.clone(),
            });
        }
    }
    out
}

/// Edits the closed file as an attacker with it would: foreign keys off, every trigger dropped
/// for the edit and put back after it.
fn as_attacker<T>(db: &Path, edit: impl FnOnce(&Connection) -> T) -> T {
    let conn = Connection::open(db).expect("open raw");
    conn.execute_batch("PRAGMA foreign_keys = OFF;")
        .expect("pragma");
    let triggers: Vec<(String, String)> = conn
        .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'")
        .expect("triggers")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("triggers")
        .collect::<Result<_, _>>()
        .expect("triggers");
    for (name, _) in &triggers {
        conn.execute_batch(&format!("DROP TRIGGER \"{name}\";"))
            .expect("drop trigger");
    }
    let done = edit(&conn);
    for (_, sql) in &triggers {
        conn.execute_batch(sql).expect("trigger back");
    }
    done
}

/// Applies a mutation. `false` when SQLite itself refuses the change (a CHECK, NOT NULL or
/// uniqueness constraint): not a mutation the file can hold.
fn apply(db: &Path, m: &Mutation) -> bool {
    as_attacker(db, |conn| {
        conn.execute(&m.sql, rusqlite::params_from_iter(m.params.iter()))
            .is_ok_and(|n| n > 0)
    })
}

fn allowed(m: &Mutation) -> bool {
    HARMLESS
        .iter()
        .any(|(t, c, _)| *t == m.table && (*c == "*" || *c == m.column))
        || (m.column == "delete" && DELETE_DENIES.iter().any(|(t, _)| *t == m.table))
}

fn run_matrix(name: &str, template: &Path, reads: &(dyn Fn(&Path) -> Result<(), String> + Sync)) {
    reads(template).unwrap_or_else(|e| panic!("the untouched {name} database reads: {e}"));
    let all = mutations(template);
    let results: Vec<(Mutation, Outcome)> = std::thread::scope(|scope| {
        let chunks: Vec<Vec<Mutation>> = {
            let mut chunks = vec![Vec::new(), Vec::new()];
            for (i, m) in all.iter().enumerate() {
                chunks[i % 2].push(m.clone());
            }
            chunks
        };
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for m in chunk {
                        let dir = tempfile::tempdir().expect("tempdir");
                        let db = dir.path().join("data").join("copy.sqlite3");
                        std::fs::create_dir_all(db.parent().expect("parent")).expect("dir");
                        std::fs::copy(template, &db).expect("copy");
                        if !apply(&db, &m) {
                            continue;
                        }
                        let outcome = match reads(&db) {
                            Ok(()) => Outcome::Harmless,
                            Err(why) => Outcome::Refused(why),
                        };
                        out.push((m, outcome));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    });
    let refused = results
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Refused(_)))
        .count();
    let harmless: Vec<&Mutation> = results
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Harmless))
        .map(|(m, _)| m)
        .collect();
    println!(
        "tamper matrix ({name}): {} mutations, {refused} refused, {} harmless",
        results.len(),
        harmless.len()
    );
    for (m, o) in &results {
        if let Outcome::Refused(why) = o {
            println!("  {}.{} ({}): refused — {why}", m.table, m.column, m.what);
        }
    }
    let obeyed: Vec<String> = harmless
        .iter()
        .filter(|m| !allowed(m))
        .map(|m| format!("{}.{} ({})", m.table, m.column, m.what))
        .collect();
    assert!(
        obeyed.is_empty(),
        "{name}: mutations read as if sound, not on the allow-list:\n{}",
        obeyed.join("\n")
    );
    assert!(refused > results.len() / 2, "most mutations are refused");
}

#[test]
fn tamper_matrix_kiosk() {
    let day = day();
    run_matrix("kiosk", &day.kiosk, &|db| kiosk_reads(db));
}

#[test]
fn tamper_matrix_desk() {
    let day = day();
    run_matrix("desk", &day.desk, &|db| desk_reads(db, &day.pending));
}

// ---------------------------------------------------------------------------------------------
// Each hole, written as the attack: the file is edited with the app closed, as anyone who can
// copy or write the data folder could, with no key at all.

/// A clinic whose store is closed after `prepare`, edited with `edit` (triggers dropped first,
/// foreign keys off), and reopened with the manager's passphrase.
fn edited(
    clinic: Clinic, edit: impl FnOnce(&Connection),
) -> (Result<OpenStore, String>, tempfile::TempDir) {
    let Clinic { store, dir, .. } = clinic;
    let closed = store.close(None, t0()).expect("close");
    closed.checkpoint().expect("checkpoint");
    drop(closed);
    as_attacker(&db_path(&dir), edit);
    (unlock(&db_path(&dir)), dir)
}

fn tampered_table(result: impl std::fmt::Debug) -> String {
    refusal(result)
}

#[test]
fn reception_who_makes_herself_manager_is_refused_at_sign_in() {
    let clinic = setup_clinic();
    let reception = staff_id(&clinic.store, Role::Reception);
    let (store, _dir) = edited(clinic, |raw| {
        raw.execute(
            "UPDATE staff SET role = 'manager' WHERE id = ?1",
            [&reception],
        )
        .expect("edit");
    });
    // The whole staff table is checked when the store opens: nobody signs in on edited roles.
    assert_eq!(store.err().as_deref(), Some("tampered staff"));
}

#[test]
fn a_lockout_reset_by_hand_is_refused() {
    let mut clinic = setup_clinic();
    let clinician = staff_id(&clinic.store, Role::Clinician);
    for _ in 0..3 {
        assert!(matches!(
            clinic.store.sign_in(&clinician, &Pin::new("111111"), t0()),
            Err(SignInError::WrongPin { .. })
        ));
    }
    let (store, _dir) = edited(clinic, |raw| {
        raw.execute(
            "UPDATE staff SET failed_pins = 0, last_failed_at = NULL WHERE id = ?1",
            [&clinician],
        )
        .expect("edit");
    });
    assert_eq!(store.err().as_deref(), Some("tampered staff"));
}

#[test]
fn a_pin_hash_copied_from_another_staff_row_is_refused() {
    let clinic = setup_clinic();
    let (store, _dir) = edited(clinic, |raw| {
        raw.execute(
            "UPDATE staff SET pin_hash_json = (SELECT pin_hash_json FROM staff WHERE role = 'reception')
             WHERE role = 'manager'",
            [],
        )
        .expect("edit");
    });
    assert_eq!(store.err().as_deref(), Some("tampered staff"));
}

#[test]
fn a_desk_key_swapped_into_the_kiosk_seals_nothing_to_it() {
    let day = day();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data").join("kiosk.sqlite3");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    std::fs::copy(&day.kiosk, &db).unwrap();
    let raw = Connection::open(&db).unwrap();
    raw.execute(
        "UPDATE desk_link SET kem_public = ?1, sign_public = ?1",
        [&[9u8; 32][..]],
    )
    .unwrap();
    drop(raw);
    let store = Store::open(&db).unwrap();
    let failure =
        OpenStore::unlock(store, &Passphrase::new(PASSPHRASE), later()).expect_err("refused");
    assert!(matches!(
        failure.error,
        StoreError::Tampered { ref table, .. } if table == "desk_link"
    ));
    // Nothing was written to an exchange folder: the refusal comes before any export.
}

#[test]
fn a_retention_setting_or_a_back_dated_visit_erases_nothing() {
    // The setting: refused at open, before any retention run.
    let day = day();
    for edit in [
        "UPDATE settings SET value = '1' WHERE key = 'retention.adult_years'",
        "UPDATE patients SET last_visit_at = '2001-01-01T00:00:00+00:00'",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("data").join("desk.sqlite3");
        std::fs::create_dir_all(db.parent().unwrap()).unwrap();
        std::fs::copy(&day.desk, &db).unwrap();
        Connection::open(&db).unwrap().execute(edit, []).unwrap();
        let outcome = unlock(&db).and_then(|mut store| {
            let manager = manager_of(&mut store)?;
            store
                .run_retention(&manager, later())
                .map(|r| r.erased_adults.len() + r.erased_children.len())
                .map_err(refusal)
        });
        assert!(
            matches!(&outcome, Err(why) if why.starts_with("tampered")),
            "{edit}: {outcome:?}"
        );
        // The records are all still there.
        let left: i64 = Connection::open(&db)
            .unwrap()
            .query_row("SELECT count(*) FROM submissions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 2, "{edit}");
    }
}

#[test]
fn a_form_slipped_into_the_file_is_never_shown_to_a_patient() {
    let clinic = setup_clinic();
    let (store, _dir) = edited(clinic, |raw| {
        raw.execute(
            "INSERT INTO form_definitions (hash, definition_json, first_used_at) VALUES ('sha256:evil', '{}', '2026-11-23')",
            [],
        )
        .unwrap();
        raw.execute(
            "INSERT INTO settings (key, value) VALUES ('active_form', 'sha256:evil')",
            [],
        )
        .unwrap();
    });
    let refused = store.expect_err("refused");
    assert!(refused.starts_with("tampered"), "{refused}");
}

/// A clinic where Ada and Grace each saved a form; with a manager and Ada's form's id.
fn ada_and_grace() -> (Clinic, Actor, String) {
    let mut clinic = setup_clinic();
    let manager = sign_in(&mut clinic.store, Role::Manager);
    let ada = clinic
        .store
        .save_submission(&manager, submission("Ada", "Lovelace", "latex"), t0())
        .unwrap();
    clinic
        .store
        .save_submission(&manager, submission("Grace", "Hopper", "none"), t0())
        .unwrap();
    (clinic, manager, ada)
}

/// The patient id of `given family` (born 1987-06-15, as [`submission`] makes them).
fn patient_id(clinic: &Clinic, manager: &Actor, given: &str, family: &str) -> String {
    clinic
        .store
        .find_patients(manager, given, family, "1987-06-15", t0())
        .unwrap()[0]
        .clone()
}

#[test]
fn erasing_a_patient_does_not_take_a_record_marked_as_merged_into_them_by_hand() {
    let (clinic, manager, _) = ada_and_grace();
    let (grace, ada) = (
        patient_id(&clinic, &manager, "Grace", "Hopper"),
        patient_id(&clinic, &manager, "Ada", "Lovelace"),
    );
    let (store, dir) = edited(clinic, |raw| {
        raw.execute(
            "UPDATE patients SET merged_into = ?1 WHERE id = ?2",
            [&ada, &grace],
        )
        .unwrap();
    });
    let mut store = store.expect("opens: patients are checked as read");
    let manager = manager_of(&mut store).unwrap();
    let erased = store.request_erasure(&manager, &ada, later());
    assert_eq!(tampered_table(erased.err()), "tampered patients");
    drop(store);
    // Nothing was erased: both patients and both forms are still there.
    let raw = Connection::open(db_path(&dir)).unwrap();
    let count = |sql: &str| raw.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(count("SELECT count(*) FROM patients"), 2);
    assert_eq!(count("SELECT count(*) FROM submissions"), 2);
}

#[test]
fn a_submission_pointed_at_another_patient_is_refused() {
    let (clinic, manager, ada) = ada_and_grace();
    let (grace, ada_patient) = (
        patient_id(&clinic, &manager, "Grace", "Hopper"),
        patient_id(&clinic, &manager, "Ada", "Lovelace"),
    );
    let (store, _dir) = edited(clinic, |raw| {
        raw.execute(
            "UPDATE submissions SET patient_id = ?1 WHERE id = ?2",
            [&grace, &ada],
        )
        .unwrap();
    });
    let mut store = store.expect("opens: the large tables are checked as read");
    let manager = manager_of(&mut store).unwrap();
    let read = store.read_medical(&manager, &ada, later());
    assert_eq!(tampered_table(read.err()), "tampered submissions");
    // Ada's record lists the form (in her row, under its tag): refused there…
    let record = store.open_record(&manager, &ada_patient, later());
    assert!(tampered_table(record.err()).starts_with("tampered"));
    // …and Grace's never lists it, so it is not shown as hers.
    let grace_record = store.open_record(&manager, &grace, later()).unwrap();
    let shown = grace_record.submissions.unwrap_or_default();
    assert!(shown.iter().all(|s| s.id != ada), "{shown:?}");
}

/// How many forms Ada's record shows after `edit` (given Ada's patient id) of `clinic`, or
/// which table its opening refuses.
fn ada_record_in(
    clinic: Clinic, manager: &Actor, edit: impl FnOnce(&Connection, &str),
) -> Result<usize, String> {
    let ada = clinic
        .store
        .find_patients(manager, "Ada", "Lovelace", "1987-06-15", t0())
        .unwrap()[0]
        .clone();
    let (store, _dir) = edited(clinic, |raw| edit(raw, &ada));
    let mut store = store.expect("opens: the large tables and the chains are checked as read");
    let manager = manager_of(&mut store).unwrap();
    store
        .open_record(&manager, &ada, later())
        .map(|r| r.submissions.unwrap_or_default().len())
        .map_err(tampered_table)
}

/// Ada's record after `edit` of a clinic where Ada and Grace each saved a form (`edit` is given
/// Ada's patient id and her form's id).
fn ada_record_after(edit: impl FnOnce(&Connection, &str, &str)) -> Result<usize, String> {
    let (clinic, manager, ada_form) = ada_and_grace();
    ada_record_in(clinic, &manager, |raw, ada| edit(raw, ada, &ada_form))
}

#[test]
fn a_form_deleted_by_hand_is_missed_in_its_record() {
    assert_eq!(ada_record_after(|_, _, _| ()), Ok(1));
    let refused = ada_record_after(|raw, _, form| {
        raw.execute("DELETE FROM submissions WHERE id = ?1", [form])
            .unwrap();
    });
    assert_eq!(refused, Err("tampered submissions".into()));
}

#[test]
fn a_form_taken_off_its_patients_chain_is_refused() {
    // The count lowered: the visit state's tag covers it.
    let refused = ada_record_after(|raw, patient, _| {
        raw.execute(
            "UPDATE visit_state SET form_count = 0, form_head = NULL WHERE patient_id = ?1",
            [patient],
        )
        .unwrap();
    });
    assert_eq!(refused, Err("tampered visit_state".into()));
    // The form given to nobody's chain but its own patient's column: its tag covers that.
    let refused = ada_record_after(|raw, _, form| {
        raw.execute(
            "UPDATE submissions SET patient_id = 'someone-else' WHERE id = ?1",
            [form],
        )
        .unwrap();
    });
    assert_eq!(refused, Err("tampered submissions".into()));
}

/// A clinic where Ada came three times (three forms, three ledger rows, one chain each).
fn ada_three_times() -> (Clinic, Actor, Vec<String>) {
    let mut clinic = setup_clinic();
    let manager = sign_in(&mut clinic.store, Role::Manager);
    let mut forms = Vec::new();
    for visit in 0..3 {
        let at = t0() + Duration::days(visit);
        let mut ada = submission("Ada", "Lovelace", "none");
        if let Some(id) = clinic
            .store
            .find_patients(&manager, "Ada", "Lovelace", "1987-06-15", at)
            .unwrap()
            .first()
        {
            ada.patient = returning(&clinic.store, &manager, id);
        }
        forms.push(clinic.store.save_submission(&manager, ada, at).unwrap());
    }
    (clinic, manager, forms)
}

/// How Ada's record opens after `edit` of [`ada_three_times`] (given her forms, oldest first).
fn ada_chain_after(edit: impl FnOnce(&Connection, &[String])) -> Result<usize, String> {
    let (clinic, manager, forms) = ada_three_times();
    ada_record_in(clinic, &manager, |raw, _| edit(raw, &forms))
}

#[test]
fn a_chain_of_forms_cut_anywhere_is_refused() {
    assert_eq!(ada_chain_after(|_, _| ()), Ok(3));
    // The oldest, the middle or the newest form deleted.
    for gone in 0..3 {
        let refused = ada_chain_after(|raw, forms| {
            raw.execute("DELETE FROM submissions WHERE id = ?1", [&forms[gone]])
                .unwrap();
        });
        assert_eq!(refused, Err("tampered submissions".into()), "form {gone}");
    }
    // A link taken away: the row's tag covers it.
    let refused = ada_chain_after(|raw, forms| {
        raw.execute(
            "UPDATE submissions SET prev_form = NULL WHERE id = ?1",
            [&forms[2]],
        )
        .unwrap();
    });
    assert_eq!(refused, Err("tampered submissions".into()));
    // The middle decision row deleted, or the newest one's link taken away.
    for (edit, table) in [
        (
            "DELETE FROM consent_records WHERE seq = (SELECT min(seq) + 1 FROM consent_records)",
            "consent ledger",
        ),
        (
            "UPDATE consent_records SET prev_seq = NULL WHERE seq = (SELECT max(seq) FROM consent_records)",
            "consent_records",
        ),
    ] {
        let refused = ada_chain_after(|raw, _| raw.execute_batch(edit).unwrap());
        assert_eq!(refused, Err(format!("tampered {table}")), "{edit}");
    }
}

#[test]
fn decisions_whose_form_was_deleted_by_hand_do_not_travel() {
    let (clinic, manager, ada) = ada_and_grace();
    assert_eq!(
        clinic.store.outgoing(&manager).unwrap().submissions.len(),
        2
    );
    // Ada's form goes; her decisions taken with it stay in the ledger.
    let (store, _dir) = edited(clinic, |raw| {
        raw.execute("DELETE FROM submissions WHERE id = ?1", [&ada])
            .unwrap();
    });
    let mut store = store.expect("opens: the ledger's chains are whole");
    let manager = manager_of(&mut store).unwrap();
    let out = store.outgoing(&manager);
    assert!(
        out.is_err(),
        "the export is refused, not sent without the form"
    );
    assert_eq!(tampered_table(out.err()), "tampered submissions");
}

/// A desk where Grace granted email marketing and then withdrew it at reception.
fn withdrawn_at_the_desk() -> (Clinic, String) {
    let mut clinic = setup_clinic();
    let manager = sign_in(&mut clinic.store, Role::Manager);
    let mut grace = submission("Grace", "Hopper", "none");
    grace
        .consents
        .push(consent("marketing_email", Decision::Granted));
    clinic.store.save_submission(&manager, grace, t0()).unwrap();
    let id = clinic
        .store
        .find_patients(&manager, "Grace", "Hopper", "1987-06-15", t0())
        .unwrap()[0]
        .clone();
    clinic
        .store
        .withdraw_consent(
            &manager,
            &id,
            "marketing_email",
            t0() + Duration::minutes(1),
        )
        .unwrap();
    (clinic, id)
}

fn marketing_after(store: Result<OpenStore, String>) -> Result<usize, String> {
    let mut store = store?;
    let manager = manager_of(&mut store)?;
    store
        .marketing_list(&manager, "marketing_email", later())
        .map(|l| l.len())
        .map_err(refusal)
}

/// Why the marketing list is refused after `edit` of the ledger of a desk where Grace's
/// withdrawal followed her form's grant.
fn marketing_refusal_after(edit: impl FnOnce(&Connection)) -> String {
    let (clinic, _) = withdrawn_at_the_desk();
    let (store, _dir) = edited(clinic, edit);
    marketing_after(store).err().unwrap_or_default()
}

fn run(sql: &str) -> impl FnOnce(&Connection) + '_ {
    move |raw| raw.execute_batch(sql).unwrap()
}

#[test]
fn a_deleted_withdrawal_does_not_put_the_patient_back_on_a_list() {
    let refused = marketing_refusal_after(run(
        "DELETE FROM consent_records WHERE seq = (SELECT max(seq) FROM consent_records)",
    ));
    assert_eq!(refused, "tampered consent ledger");
}

#[test]
fn an_old_grant_put_back_with_a_higher_seq_is_refused() {
    let refused = marketing_refusal_after(run(
        "INSERT INTO consent_records
             (seq, id, patient_id, submission_id, recorded_at, decision_count, sealed_decisions, row_tag)
         SELECT 1000, id, patient_id, submission_id, recorded_at, decision_count, sealed_decisions, row_tag
         FROM consent_records WHERE seq = (SELECT max(seq) - 1 FROM consent_records)",
    ));
    assert!(refused.starts_with("tampered consent_records"), "{refused}");
}

#[test]
fn a_form_and_a_later_withdrawal_are_two_ledger_rows_and_their_order_holds() {
    let refused = marketing_refusal_after(|raw| {
        let rows: i64 = raw
            .query_row("SELECT count(*) FROM consent_records", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            rows, 2,
            "the form's decisions in one row, the withdrawal in another"
        );
        // The two rows swap places in the chain (each keeps its own tag).
        run("UPDATE consent_records SET seq = -seq; UPDATE consent_records SET seq = 3 + seq;")(
            raw,
        );
    });
    assert!(refused.starts_with("tampered consent_records"), "{refused}");
}

#[test]
fn a_ledger_row_whose_decision_count_is_edited_is_refused() {
    let refused = marketing_refusal_after(run(
        "UPDATE consent_records SET decision_count = 1 WHERE decision_count > 1",
    ));
    assert!(refused.starts_with("tampered consent_records"), "{refused}");
}

#[test]
fn entries_cut_off_the_end_of_the_audit_log_are_noticed() {
    let clinic = setup_clinic();
    let (store, _dir) = edited(clinic, |raw| {
        raw.execute(
            "DELETE FROM audit_log WHERE seq > (SELECT max(seq) - 2 FROM audit_log)",
            [],
        )
        .unwrap();
    });
    // The head now runs ahead of the log: the unlock refuses it (since session 57 it compares the
    // log's end with the head and the census, without walking the chain).
    assert_eq!(store.err().as_deref(), Some("tampered audit_log"));
    // Cutting the head back too: the first unlock already refuses (the log says rows were
    // authenticated before, so a missing head is tampering, not an old database).
    let clinic = setup_clinic();
    let (store, _dir) = edited(clinic, |raw| {
        raw.execute("DELETE FROM audit_head", []).unwrap();
    });
    assert_eq!(store.err().as_deref(), Some("tampered audit_head"));
}

#[test]
fn a_log_cut_back_to_before_its_mark_with_the_head_gone_does_not_pass_for_an_old_database() {
    // The attack (triggers dropped and put back by `as_attacker`): the log cut from its mark of row authentication on, the head deleted and an
    // edited row left untagged, so that the first unlock would tag it as if the file were old.
    let clinic = setup_clinic();
    let reception = staff_id(&clinic.store, Role::Reception);
    let (store, _dir) = edited(clinic, |raw| {
        raw.execute_batch(
            "DELETE FROM audit_log WHERE seq >= (SELECT min(seq) FROM audit_log
                                                 WHERE kind = 'rows_authenticated');
             DELETE FROM audit_head;",
        )
        .unwrap();
        raw.execute(
            "UPDATE staff SET role = 'manager', row_tag = NULL WHERE id = ?1",
            [&reception],
        )
        .unwrap();
    });
    assert_eq!(store.err().as_deref(), Some("tampered audit_head"));
    // Every tag taken away as well (the file made to look wholly old): still refused.
    let clinic = setup_clinic();
    let (store, _dir) = edited(clinic, |raw| {
        raw.execute_batch("DELETE FROM audit_log; DELETE FROM audit_head;")
            .unwrap();
        for table in [
            "installation",
            "key_wraps",
            "staff",
            "settings",
            "sync_identity",
        ] {
            raw.execute(&format!("UPDATE {table} SET row_tag = NULL"), [])
                .unwrap();
        }
    });
    assert_eq!(store.err().as_deref(), Some("tampered audit_head"));
}

#[test]
fn two_kiosk_chains_of_equal_length_are_refused_and_flagged() {
    let mut kiosk = setup_clinic();
    let mut desk = setup_clinic();
    let k_manager = sign_in(&mut kiosk.store, Role::Manager);
    let d_manager = sign_in(&mut desk.store, Role::Manager);
    desk.store
        .link_kiosk(
            &d_manager,
            OfferedKey {
                kiosk_id: "kiosk-1",
                sign_public: &[7u8; 32],
                comparison_code: "123 456",
            },
            t0(),
        )
        .unwrap();
    desk.store
        .confirm_kiosk(&d_manager, "kiosk-1", "123 456", t0())
        .unwrap();
    kiosk
        .store
        .save_submission(&k_manager, submission("Ada", "Lovelace", "latex"), t0())
        .unwrap();
    let out = kiosk.store.outgoing(&k_manager).unwrap();
    let head = |tag: u8| AuditHead {
        length: 12,
        last_tag: format!("{tag:02x}").repeat(32),
        previous: None,
    };
    desk.store
        .import_bundle(&d_manager, "kiosk-1", 1, &head(1), "h1", &out, t0())
        .unwrap();
    // A second copy of the tablet (restored from an image) sends its own history of that length.
    let forked = desk
        .store
        .import_bundle(&d_manager, "kiosk-1", 2, &head(2), "h2", &out, t0());
    assert!(matches!(
        forked,
        Err(StoreError::AuditForked { length: 12, .. })
    ));
    let link = desk.store.kiosk_link("kiosk-1").unwrap().unwrap();
    assert!(link.audit_fork_at.is_some(), "flagged for the manager");
    assert_eq!(desk.store.imported_bundles().unwrap().len(), 1);
}

/// A desk of schema 16 as session 57's build wrote it (the demo desk: tests/fixtures/v16), its
/// visit states tagged before they had a sum of their forms' seals (migration 17): it opens,
/// each state gets its sum and reads check, and an answer put back afterwards is refused.
#[test]
fn a_desk_of_schema_16_gets_its_form_sums_once_and_reads_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.sqlite3");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v16/desk-v16.sqlite3");
    std::fs::copy(fixture, &db).unwrap();
    let version = |db: &Path| -> i64 {
        Connection::open(db)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(version(&db), 16);
    let passphrase = Passphrase::new(intake_kiosk::demo::DEMO_PASSPHRASE);
    let store = Store::open(&db).unwrap();
    let (mut store, manager) = OpenStore::unlock(store, &passphrase, later())
        .map_err(|f| refusal(f.error))
        .unwrap_or_else(|e| panic!("the schema-16 desk upgrades: {e}"));
    let (_, _, pin) = intake_kiosk::demo::DEMO_STAFF[0];
    let manager = store.sign_in(&manager, &Pin::new(pin), later()).unwrap();
    assert!(version(&db) > 16);
    let unsummed: i64 = Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM visit_state WHERE forms_sum IS NULL OR length(identity_mac) <> 16",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unsummed, 0, "every visit state summed");
    store.verify_everything().unwrap();
    let forms = store
        .submissions_since(&manager, later() - Duration::days(3650), later())
        .unwrap();
    assert_eq!(forms.len(), 3, "the demo's three forms");
    for form in &forms {
        store.read_medical(&manager, &form.id, later()).unwrap();
        store
            .open_record(&manager, &form.patient_id, later())
            .unwrap();
    }
    assert!(
        !store
            .marketing_list(&manager, "marketing_email", later())
            .unwrap()
            .is_empty()
    );
    // An answer put back from the fixture (as before the upgrade, as if before a correction).
    let form = &forms[0].id;
    let older = dir.path().join("older");
    Connection::open(&db)
        .unwrap()
        .execute("VACUUM INTO ?1", [older.to_str().unwrap()])
        .unwrap();
    let mut answers = store.read_medical(&manager, form, later()).unwrap().answers;
    answers.set(
        "allergies_detail",
        intake_kiosk::forms::AnswerValue::Text("latex".into()),
    );
    store
        .amend_answers(&manager, form, &answers, "corrected", later())
        .unwrap();
    let conn = Connection::open(&db).unwrap();
    conn.execute("ATTACH DATABASE ?1 AS older", [older.to_str().unwrap()])
        .unwrap();
    conn.execute(
        "UPDATE main.submissions SET sealed_answers =
             (SELECT sealed_answers FROM older.submissions WHERE id = ?1) WHERE id = ?1",
        [form],
    )
    .unwrap();
    assert!(matches!(
        store.read_medical(&manager, form, later()),
        Err(StoreError::Tampered { .. })
    ));
}

#[test]
fn a_database_written_before_rows_were_authenticated_upgrades_and_reads_as_before() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v5");
    for (name, recovery) in [
        ("kiosk-v5", "recovery-kiosk.txt"),
        ("desk-v5", "recovery-desk.txt"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("data").join("db.sqlite3");
        std::fs::create_dir_all(db.parent().unwrap()).unwrap();
        std::fs::copy(fixtures.join(format!("{name}.sqlite3")), &db).unwrap();
        let mut store = unlock(&db).unwrap_or_else(|e| panic!("{name} upgrades: {e}"));
        assert!(
            store.verify_everything().unwrap() > 10,
            "{name}: every row checks"
        );
        let manager = manager_of(&mut store).unwrap();
        let forms = store
            .submissions_since(&manager, t0() - Duration::days(1), later())
            .unwrap();
        for form in &forms {
            store.read_medical(&manager, &form.id, later()).unwrap();
            store
                .consent_history(&manager, &form.patient_id, later())
                .unwrap();
        }
        if name == "desk-v5" {
            assert_eq!(forms.len(), 2, "the desk's two imported forms");
            let grace = store
                .find_patients(&manager, "Grace", "Hopper", "1987-06-15", later())
                .unwrap();
            let record = store.open_record(&manager, &grace[0], later()).unwrap();
            assert_eq!(record.identity.email, "grace.hopper@example.org");
            assert!(
                store
                    .marketing_list(&manager, "marketing_email", later())
                    .unwrap()
                    .is_empty(),
                "the withdrawal made before the upgrade still holds"
            );
            assert_eq!(store.rights_requests(&manager).unwrap().len(), 1);
            assert_eq!(store.breaches(&manager).unwrap().len(), 1);
            // A decision taken after the upgrade is written in the ledger's new shape and joins
            // the same chain, after the old rows: both read, in order, and check.
            let before = store.consent_history(&manager, &grace[0], later()).unwrap();
            let granted = store
                .record_consent(
                    &manager,
                    &grace[0],
                    &ConsentDecision {
                        item_id: "marketing_email".into(),
                        decision: Decision::Granted,
                        text_hash: before[0].text_hash.clone(),
                        text_version: before[0].text_version.clone(),
                        language: "en".into(),
                    },
                    later(),
                )
                .unwrap();
            let after = store.consent_history(&manager, &grace[0], later()).unwrap();
            assert_eq!(after[..before.len()], before[..]);
            assert_eq!(after[before.len()..], [granted]);
            assert_eq!(
                store
                    .marketing_list(&manager, "marketing_email", later())
                    .unwrap()
                    .len(),
                1,
                "the new grant, after the old withdrawal, decides"
            );
            store.verify_everything().unwrap();
            // A data-key rotation rewrites both shapes of the ledger, in chain order, on a copy
            // (the recovery-key check below needs the key this one was written under).
            let copy = store
                .backup_into(&dir.path().join("backups"), "desk", later())
                .unwrap()
                .file;
            let mut rotated = unlock(&copy).unwrap();
            let manager = manager_of(&mut rotated).unwrap();
            rotated
                .rotate_data_key(
                    &manager,
                    &[Passphrase::new(PASSPHRASE)],
                    later(),
                    &mut |_, _| {},
                )
                .unwrap();
            assert_eq!(
                rotated
                    .consent_history(&manager, &grace[0], later())
                    .unwrap(),
                after,
                "old rows and the new one read as before the rotation"
            );
            rotated.verify_everything().unwrap();
            drop(rotated);
            let mut reopened = unlock(&copy).unwrap();
            let manager = manager_of(&mut reopened).unwrap();
            assert_eq!(
                reopened
                    .consent_history(&manager, &grace[0], later())
                    .unwrap(),
                after
            );
        } else {
            assert_eq!(forms.len(), 1, "the kiosk's one form not yet delivered");
            assert!(store.desk_link().unwrap().is_some());
            // Its decisions, in the ledger's first shape (a row each), travel as runs of one
            // and come out of the bundle's entry as its history shows them.
            let history = store
                .consent_history(&manager, &forms[0].patient_id, later())
                .unwrap();
            assert!(!history.is_empty());
            let mut sent = Vec::new();
            store
                .each_outgoing(&manager, &mut |s| {
                    let (mut json, mut entry) = (Vec::new(), Vec::new());
                    submission_entry::write(&s, &mut json, &mut entry).unwrap();
                    sent.push(
                        submission_entry::read(submission_entry::WRITTEN_KIND, &entry).unwrap(),
                    );
                    Ok::<(), StoreError>(())
                })
                .unwrap();
            assert_eq!(sent.len(), 1);
            assert_eq!(sent[0].consents, history);
        }
        assert!(matches!(
            store.verify_audit().unwrap(),
            ChainCheck::Intact { .. }
        ));
        drop(store);
        // The recovery key printed before the upgrade still opens it.
        let key = std::fs::read_to_string(fixtures.join(recovery)).unwrap();
        let key = intake_kiosk::vault::RecoveryKey::parse(key.trim()).unwrap();
        OpenStore::unlock_with_recovery(Store::open(&db).unwrap(), &key, later())
            .unwrap_or_else(|f| panic!("{name}: recovery key: {:?}", f.error));
        // After the upgrade an edit is refused like any other, and taking the head away to have
        // the edit tagged as if it were old is refused too.
        for edit in [
            "UPDATE staff SET role = 'manager' WHERE role = 'reception'",
            "DELETE FROM audit_head; UPDATE staff SET role = 'manager' WHERE role = 'reception'; UPDATE staff SET row_tag = NULL",
        ] {
            let copy = dir.path().join("data").join("copy.sqlite3");
            std::fs::copy(&db, &copy).unwrap();
            Connection::open(&copy)
                .unwrap()
                .execute_batch(edit)
                .unwrap();
            let refused = unlock(&copy).err().unwrap_or_default();
            assert!(
                refused.starts_with("tampered"),
                "{name}: {edit}: {refused:?}"
            );
        }
    }
}
