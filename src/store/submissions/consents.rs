//! Consent events: the ledger of each patient's decisions, sealed per row (the decisions taken
//! together share one, see `ledger`), each row tagged, and chained per patient (the head kept in
//! the patient's checked visit state, see `patient_records`), so a deleted, added or reordered
//! row is refused. Appended with a
//! submission, or later at the desk (a withdrawal, a row of one decision).

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

use crate::forms::{ConsentDecision, ConsentEvent, Decision};
use crate::store::audit::AuditKind;
use crate::store::patient_records::form_seals::Seals;
use crate::store::patient_records::{
    CONSENT_HEAD, Listed, STATE, adding_ledger, ledger_link, relink, set_state, state_row,
};
use crate::store::patients::patient_row;
use crate::store::row_auth::{self, text_key};
use crate::store::transfer::PackedRun;
use crate::store::{Actor, OpenStore, StoreError};
use crate::vault::{Vault, random_id};

use super::ledger::{Scope, delete_patient_rows, first_row_where, prepare_rows, read_ledger};

/// Appends consent events of one patient inside the caller's transaction: one tagged row per run
/// of decisions taken together (see `ledger`), and the patient's consent chain carried forward
/// over them.
pub(in crate::store) fn append_consent_events(
    conn: &Connection, vault: &Vault, patient_id: &str, events: &[ConsentEvent],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let state = state_row(conn, vault, patient_id)?;
    let under = FiledUnder::Own(patient_id);
    append_consent_events_to(conn, vault, under, state, events, Vec::new())
}

/// Whose decisions a ledger write files: the patient they go under, and what the events' own
/// `patient_id` is worth.
#[derive(Clone, Copy)]
pub(in crate::store) enum FiledUnder<'a> {
    /// This store's own decisions: each event already names this patient (checked; another
    /// patient's id there is a mistake in the caller, refused).
    Own(&'a str),
    /// A kiosk's decisions as its bundle carried them, filed under this desk's patient: the id
    /// the kiosk gave its patient is the kiosk's own and is not kept (the rows hold this one).
    /// `as_sent`: their runs' values as the bundle carried them (see `ledger::prepare_rows`).
    Imported {
        patient_id: &'a str,
        as_sent: &'a [PackedRun],
    },
}

impl<'a> FiledUnder<'a> {
    fn patient_id(self) -> &'a str {
        match self {
            FiledUnder::Own(id) | FiledUnder::Imported { patient_id: id, .. } => id,
        }
    }
}

/// [`append_consent_events`] for the patient's visit state `state`, read (checked) by the
/// caller in the same transaction, written back once with the chain's new head, the ledger
/// rows linked, and the caller's `changes` to it.
fn append_consent_events_to(
    conn: &Connection, vault: &Vault, under: FiledUnder<'_>, state: row_auth::Row,
    events: &[ConsentEvent], mut changes: Vec<(&'static str, Value)>,
) -> Result<(), StoreError> {
    let patient_id = under.patient_id();
    if !events.is_empty() {
        let rows = ledger_rows(conn, vault, under, ledger_link(&state)?, events)?;
        let head = chain_over(vault, state.opt_blob(CONSENT_HEAD)?, &rows);
        for row in &rows {
            row_auth::insert_prepared(conn, row)?;
        }
        changes.push((CONSENT_HEAD, head.map_or(Value::Null, Value::Blob)));
        changes.extend(adding_ledger(&state, &seqs_of(&rows))?);
    }
    if changes.is_empty() {
        return Ok(());
    }
    row_auth::update_checked(conn, vault, STATE, &text_key(patient_id), state, &changes)
}

/// The ledger rows for a patient's `events`, sealed and tagged, not yet written.
/// Linked after the patient's ledger row `prev` (their newest, `None` for their first).
fn ledger_rows(
    conn: &Connection, vault: &Vault, under: FiledUnder<'_>, prev: Option<i64>,
    events: &[ConsentEvent],
) -> Result<Vec<row_auth::PreparedRow>, StoreError> {
    let patient_id = under.patient_id();
    if matches!(under, FiledUnder::Own(_)) && events.iter().any(|e| e.patient_id != patient_id) {
        return Err(StoreError::Encoding(
            "internal: a consent event for another patient".into(),
        ));
    }
    let as_sent = match under {
        FiledUnder::Own(_) => &[],
        FiledUnder::Imported { as_sent, .. } => as_sent,
    };
    prepare_rows(conn, vault, patient_id, prev, events, as_sent)
}

/// The `seq` of each of `rows` (ledger rows as prepared).
fn seqs_of(rows: &[row_auth::PreparedRow]) -> Vec<i64> {
    rows.iter().filter_map(|row| row.int("seq")).collect()
}

/// The chain's head carried from `head` over `rows` (`None`: no rows at all), as wide as
/// `head` ([`row_auth::head_width`]).
fn chain_over(
    vault: &Vault, head: Option<Vec<u8>>, rows: &[row_auth::PreparedRow],
) -> Option<Vec<u8>> {
    let width = row_auth::head_width(head.as_deref());
    rows.iter().fold(head, |head, row| {
        let previous = head.as_deref().unwrap_or_default();
        Some(row_auth::consent_head(vault, previous, row.tag(), width))
    })
}

/// A new patient's first consent decisions, sealed and tagged before the patient's visit state
/// is written, so that row takes its chain's head as it is inserted instead of being written,
/// read back and written again (one write per new patient, at a submit and for each imported
/// form of a new patient). [`FirstDecisions::write`] puts the rows in once the patient and its form are.
pub(in crate::store) struct FirstDecisions {
    rows: Vec<row_auth::PreparedRow>,
    head: Option<Vec<u8>>,
}

impl FirstDecisions {
    /// `events` are all of the patient about to be inserted, filed `under` them.
    pub(in crate::store) fn prepare(
        conn: &Connection, vault: &Vault, under: FiledUnder<'_>, events: &[ConsentEvent],
    ) -> Result<Self, StoreError> {
        let rows = ledger_rows(conn, vault, under, None, events)?;
        let head = chain_over(vault, None, &rows);
        Ok(FirstDecisions { rows, head })
    }

    /// The `consent_head` the new patient's visit state is inserted with.
    pub(in crate::store) fn head(&self) -> Value {
        self.head.clone().map_or(Value::Null, Value::Blob)
    }

    /// What the new patient's chains hold: `form_id` (the form these decisions came with) and
    /// these rows.
    pub(in crate::store) fn listed(&self, form_id: &str) -> Listed {
        Listed::first(form_id, seqs_of(&self.rows))
    }

    /// Inserts the rows, after the patient's row (and their form's) inside the same transaction.
    pub(in crate::store) fn write(self, conn: &Connection) -> Result<(), StoreError> {
        for row in &self.rows {
            row_auth::insert_prepared(conn, row)?;
        }
        Ok(())
    }
}

/// The patient's visit state once their form (`form_id`, whose seal is `seal`) is in: a new
/// patient's decisions inserted (their state went in with their row), or a returning patient's
/// `state` written once with `changes`, the form linked and its seal added, and `events`
/// appended to the consent chain.
#[allow(clippy::too_many_arguments)]
pub(in crate::store) fn finish_visit(
    conn: &Connection, vault: &Vault, under: FiledUnder<'_>, first: Option<FirstDecisions>,
    state: Option<row_auth::Row>, (form_id, seal): (&str, Seals), events: &[ConsentEvent],
    mut changes: Vec<(&'static str, Value)>,
) -> Result<(), StoreError> {
    match (first, state) {
        (Some(first), _) => first.write(conn),
        (None, Some(state)) => {
            changes.extend(crate::store::patient_records::adding_form(
                &state, form_id, seal,
            )?);
            append_consent_events_to(conn, vault, under, state, events, changes)
        }
        (None, None) => unreachable!("a returning patient's visit state is read before the form"),
    }
}

/// The decisions taken with one form, filed under `patient_id`, each row checked (the patient's
/// chain is not: for lists that show a form's decisions beside it).
pub(in crate::store) fn form_consent_events(
    conn: &Connection, vault: &Vault, patient_id: &str, submission_id: &str,
) -> Result<Vec<ConsentEvent>, StoreError> {
    let listed = Listed::of_patient(conn, vault, patient_id)?.ledger;
    let mut events = Vec::new();
    let scope = Scope::Form {
        patient_id,
        submission_id,
        listed: &listed,
    };
    read_ledger(conn, vault, scope, |row| {
        events.extend(row.events);
        Ok(())
    })?;
    Ok(events)
}

/// Every consent event of a patient, oldest first: each row checked, and the chain over them
/// checked against the head in the patient's (checked) visit state, so a deleted, added or reordered
/// event is refused.
pub(in crate::store) fn patient_consent_events(
    conn: &Connection, vault: &Vault, patient_id: &str,
) -> Result<Vec<ConsentEvent>, StoreError> {
    let patient = patient_row(conn, vault, patient_id)?;
    let state = state_row(conn, vault, patient_id)?;
    let listed = Listed::read(conn, vault, patient_id, &state)?;
    consent_events_in(conn, vault, patient_id, &patient, &state, &listed.ledger)
}

/// [`patient_consent_events`] from the patient's row, visit state and ledger chain (`ledger`,
/// [`Listed::read`]) as the caller has already read and checked them.
pub(in crate::store) fn consent_events_in(
    conn: &Connection, vault: &Vault, patient_id: &str, patient: &row_auth::Row,
    state: &row_auth::Row, ledger: &[i64],
) -> Result<Vec<ConsentEvent>, StoreError> {
    let stored = state.opt_blob(CONSENT_HEAD)?.unwrap_or_default();
    let width = row_auth::head_width(Some(&stored));
    let chain = chain_of(conn, vault, patient_id, ledger, width)?;
    // A decision taken with a form belongs to that form's patient (or to the record it was
    // merged into, which took the forms): one whose form is gone, or went elsewhere, is refused.
    let merged_into = patient.opt_text("merged_into")?;
    let mut owner_of = conn.prepare_cached("SELECT patient_id FROM submissions WHERE id = ?1")?;
    for form in &chain.forms {
        let owner: Option<String> = owner_of.query_row([form], |r| r.get(0)).optional()?;
        let belongs = owner.as_deref() == Some(patient_id)
            || (owner.is_some() && owner.as_deref() == merged_into.as_deref());
        if !belongs {
            return Err(StoreError::tampered(
                "submissions",
                format!("{form}, of a consent decision of {patient_id}"),
            ));
        }
    }
    if !crate::vault::constant_time_eq(chain.head.as_deref().unwrap_or_default(), &stored) {
        return Err(StoreError::tampered("consent ledger", patient_id));
    }
    Ok(chain.events)
}

/// A patient's ledger, read whole.
struct Chain {
    /// The head over the rows' tags (`None` when there are none).
    head: Option<Vec<u8>>,
    /// Their events, oldest first.
    events: Vec<ConsentEvent>,
    /// The forms the rows name, each once.
    forms: Vec<String>,
}

/// A patient's ledger rows (the second shape's as `listed`), each checked, and the chain's
/// head over them `width` bytes wide ([`row_auth::head_width`]).
fn chain_of(
    conn: &Connection, vault: &Vault, patient_id: &str, listed: &[i64], width: usize,
) -> Result<Chain, StoreError> {
    let mut chain = Chain {
        head: None,
        events: Vec::new(),
        forms: Vec::new(),
    };
    read_ledger(conn, vault, Scope::Patient { patient_id, listed }, |row| {
        let previous = chain.head.as_deref().unwrap_or_default();
        chain.head = Some(row_auth::consent_head(vault, previous, &row.tag, width));
        if let Some(form) = row.submission_id
            && !chain.forms.contains(&form)
        {
            chain.forms.push(form);
        }
        chain.events.extend(row.events);
        Ok(())
    })?;
    Ok(chain)
}

/// What of `before` (a patient's chains as read before some of their rows were deleted, by a
/// purge) is still held.
pub(in crate::store) fn still_listed(
    conn: &Connection, before: Listed,
) -> Result<Listed, StoreError> {
    let mut form_held = conn.prepare_cached("SELECT 1 FROM submissions WHERE id = ?1")?;
    let mut row_held = conn.prepare_cached("SELECT 1 FROM consent_records WHERE seq = ?1")?;
    let mut forms = Vec::with_capacity(before.forms.len());
    for id in before.forms {
        if form_held.exists([&id])? {
            forms.push(id);
        }
    }
    let mut ledger = Vec::with_capacity(before.ledger.len());
    for seq in before.ledger {
        if row_held.exists([seq])? {
            ledger.push(seq);
        }
    }
    Ok(Listed { forms, ledger })
}

/// Carries a patient's chains and consent chain over the rows `left` after some were deleted
/// (purge, or a database's first chains): the rows `left` names are linked in its order
/// ([`still_listed`]) and the consent chain is carried over the ledger rows that stay, each
/// checked. The caller checked the whole chain before deleting.
pub(in crate::store) fn rechain_consents(
    conn: &Connection, vault: &Vault, patient_id: &str, left: &Listed,
) -> Result<(), StoreError> {
    let mut changes = relink(conn, vault, left)?;
    // The head is written anew, so at today's width.
    let chain = chain_of(
        conn,
        vault,
        patient_id,
        &left.ledger,
        row_auth::STATE_HASH_BYTES,
    )?;
    changes.push((CONSENT_HEAD, chain.head.map_or(Value::Null, Value::Blob)));
    set_state(conn, vault, patient_id, &changes)
}

/// Deletes every ledger row of a patient (erasure), leaving the patient's consent chain and
/// chain of ledger rows empty, inside the caller's transaction.
pub(in crate::store) fn clear_ledger(
    conn: &Connection, vault: &Vault, patient_id: &str,
) -> Result<(), StoreError> {
    let listed = Listed::of_patient(conn, vault, patient_id)?;
    delete_patient_rows(conn, patient_id, &listed.ledger)?;
    let left = Listed {
        forms: listed.forms,
        ledger: Vec::new(),
    };
    let mut changes = relink(conn, vault, &left)?;
    changes.push((CONSENT_HEAD, Value::Null));
    set_state(conn, vault, patient_id, &changes)
}

fn every_patient(conn: &Connection) -> Result<Vec<String>, StoreError> {
    Ok(conn
        .prepare("SELECT id FROM patients")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Sets every patient's consent head from the events it has (tagged just before): the one-time
/// step of a database written before consent chains were kept.
pub(in crate::store) fn start_every_consent_chain(
    conn: &Connection, vault: &Vault,
) -> Result<(), StoreError> {
    for id in every_patient(conn)? {
        let listed = Listed::of_patient(conn, vault, &id)?;
        rechain_consents(conn, vault, &id, &listed)?;
    }
    Ok(())
}

/// Checks every patient's consent chain (the whole-database check).
pub(in crate::store) fn check_every_consent_chain(
    conn: &Connection, vault: &Vault,
) -> Result<(), StoreError> {
    for id in every_patient(conn)? {
        patient_consent_events(conn, vault, &id)?;
    }
    // An event whose patient is gone belongs to no chain: refused too (a row of the second shape
    // that no patient lists, by `patient_records::check_every_list`).
    let orphan = first_row_where(conn, "e.patient_id NOT IN (SELECT id FROM patients)", &[])?;
    if let Some((table, seq)) = orphan {
        return Err(StoreError::tampered(table, seq));
    }
    Ok(())
}

impl OpenStore {
    /// Every consent event of a patient, oldest first. Any role (consent state is not medical).
    pub fn consent_history(
        &self, actor: &Actor, patient_id: &str, now: DateTime<Utc>,
    ) -> Result<Vec<ConsentEvent>, StoreError> {
        let events = patient_consent_events(self.conn(), self.vault(), patient_id)?;
        self.record_event(actor.staff_id(), AuditKind::RecordViewed, patient_id, now)?;
        Ok(events)
    }

    /// Records a later consent decision (e.g. withdrawal of SMS marketing) as a new event, which
    /// is the item's current decision from now on. It is dated now — or, when the item's current
    /// decision carries a later time (a kiosk whose clock runs up to the allowed skew ahead), at
    /// that time, which the tie rule of [`crate::forms::current_events`] gives to this later
    /// event: a withdrawal at the desk always takes effect at once.
    pub fn record_consent(
        &self, actor: &Actor, patient_id: &str, decision: &ConsentDecision, now: DateTime<Utc>,
    ) -> Result<ConsentEvent, StoreError> {
        let kind = AuditKind::ConsentRecorded;
        self.logged_change(actor, kind, patient_id, now, |tx, at| {
            crate::store::merge::refuse_if_merged(tx, self.vault(), patient_id)?;
            let history = patient_consent_events(tx, self.vault(), patient_id)?;
            let decided_at = crate::forms::current_events(&history)
                .get(&decision.item_id)
                .and_then(|current| DateTime::parse_from_rfc3339(current.recorded_at.trim()).ok())
                .map(|t| t.with_timezone(&Utc))
                .filter(|t| *t > now)
                .map_or_else(|| at.to_owned(), |t| t.to_rfc3339());
            let event = self.consent_event(patient_id, None, decision, &decided_at)?;
            append_consent_events(tx, self.vault(), patient_id, std::slice::from_ref(&event))?;
            Ok(event)
        })
    }

    /// A new ledger event for `decision`. A decision taken with a signed submission refers to
    /// that submission's signature; a later one (e.g. a withdrawal at the desk) has none.
    pub(super) fn consent_event(
        &self, patient_id: &str, submission_id: Option<&str>, decision: &ConsentDecision, at: &str,
    ) -> Result<ConsentEvent, StoreError> {
        Ok(ConsentEvent {
            id: random_id()?,
            patient_id: patient_id.to_owned(),
            submission_id: submission_id.map(str::to_owned),
            item_id: decision.item_id.clone(),
            decision: decision.decision,
            text_hash: decision.text_hash.clone(),
            text_version: decision.text_version.clone(),
            language: decision.language.clone(),
            recorded_at: at.to_owned(),
            device_id: self.device_id().to_owned(),
            signature_ref: submission_id.map(str::to_owned),
        })
    }

    /// A patient's current decision per consent item, derived from the ledger. Logged.
    pub fn current_consents(
        &self, actor: &Actor, patient_id: &str, now: DateTime<Utc>,
    ) -> Result<std::collections::BTreeMap<String, Decision>, StoreError> {
        Ok(crate::forms::current_state(
            &self.consent_history(actor, patient_id, now)?,
        ))
    }
}
