//! The desk's controller: what the back-office window shows and does, over the store, with no
//! UI. The adapter (`ui::desk_adapter`) maps it to the Slint globals; tests drive it directly.
//!
//! Invariants: nothing about a patient is held unless a staff member is signed in; signing out,
//! locking and the idle lock drop the search results and the open record; every record view goes
//! through the store, which checks the role and writes the audit entry.

mod search_input;
mod views;

use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};

pub use views::{ConsentRow, FormView, HomeView, Line, PatientRow, RecordView};

use crate::i18n::t;
use crate::staff::{Lockout, Role};
use crate::store::{Actor, OpenStore, SignInError, Store, StoreError};
use crate::vault::{Passphrase, Pin};

/// Which screen the desk shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeskScreen {
    /// Opened with a manager's passphrase first.
    Closed,
    SignIn,
    Home,
    Record,
}

/// A staff tile on the sign-in screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffTile {
    pub id: String,
    pub name: String,
    /// "locked", "wait until 10:42", or "".
    pub note: String,
}

pub struct Desk {
    closed: Option<Store>,
    open: Option<OpenStore>,
    actor: Option<Actor>,
    selected_staff: Option<String>,
    results: Vec<PatientRow>,
    record: Option<RecordView>,
    /// A submission opened in full on the record (clinicians and managers).
    form: Option<FormView>,
    message: String,
    message_good: bool,
    last_activity: DateTime<Utc>,
    idle_lock: Duration,
    export_dir: PathBuf,
    /// The staff's language for the desk's own text (the window's follows the same choice).
    lang: String,
}

impl Desk {
    /// A desk over a closed store; exports (access requests, statements) go to `export_dir`.
    pub fn new(store: Store, export_dir: PathBuf, now: DateTime<Utc>) -> Desk {
        Desk {
            closed: Some(store),
            open: None,
            actor: None,
            selected_staff: None,
            results: Vec::new(),
            record: None,
            form: None,
            message: String::new(),
            message_good: false,
            last_activity: now,
            idle_lock: Duration::seconds(300),
            export_dir,
            lang: "en".into(),
        }
    }

    /// Shows the desk's own text in `language` (one of `i18n::LANGUAGES`; English otherwise).
    pub fn with_language(mut self, language: &str) -> Desk {
        if crate::i18n::LANGUAGES.contains(&language) {
            self.lang = language.to_owned();
        }
        self
    }

    pub fn language(&self) -> &str {
        &self.lang
    }

    pub fn screen(&self) -> DeskScreen {
        match (&self.open, &self.actor, &self.record) {
            (None, _, _) => DeskScreen::Closed,
            (Some(_), None, _) => DeskScreen::SignIn,
            (Some(_), Some(_), None) => DeskScreen::Home,
            (Some(_), Some(_), Some(_)) => DeskScreen::Record,
        }
    }

    pub fn message(&self) -> (&str, bool) {
        (&self.message, self.message_good)
    }
    fn say(&mut self, text: impl Into<String>, good: bool) {
        self.message = text.into();
        self.message_good = good;
    }

    /// Says `template` in the staff's language, with `{}` filled from `args`.
    fn say_t(&mut self, template: &str, args: &[&str], good: bool) {
        let text = t(&self.lang, template, args);
        self.say(text, good);
    }

    pub fn clinic_name(&self) -> String {
        let store = self
            .open
            .as_ref()
            .map(OpenStore::store)
            .or(self.closed.as_ref());
        store
            .and_then(|s| s.clinic_name().ok().flatten())
            .unwrap_or_default()
    }

    /// Seconds without activity before a signed-in desk locks (setting `desk.idle_seconds`).
    pub fn idle_lock(&self) -> Duration {
        self.idle_lock
    }

    /// Opens the desk with a manager's passphrase, then runs the retention check as that manager
    /// (erasing what passed its period) and reports it.
    pub fn unlock(&mut self, passphrase: &str, now: DateTime<Utc>) {
        let Some(store) = self.closed.take() else {
            return;
        };
        match OpenStore::unlock_as_manager(store, &Passphrase::new(passphrase), now) {
            Ok((open, manager)) => {
                if let Some(secs) = open
                    .setting("desk.idle_seconds")
                    .ok()
                    .flatten()
                    .and_then(|v| v.parse::<i64>().ok())
                {
                    self.idle_lock = Duration::seconds(secs.clamp(30, 3600));
                }
                match open.run_retention(&manager, now) {
                    Ok(report) => {
                        let erased = report.erased_adults.len() + report.erased_children.len();
                        let text = if report.old_copies_remain {
                            t(
                                &self.lang,
                                "Desk open. Retention check: {} record(s) past their retention period erased; old copies remain in the WAL until the other window closes.",
                                &[&erased.to_string()],
                            )
                        } else {
                            t(
                                &self.lang,
                                "Desk open. Retention check: {} record(s) past their retention period erased.",
                                &[&erased.to_string()],
                            )
                        };
                        self.say(text, !report.old_copies_remain);
                    }
                    Err(e) => self.say_t(
                        "Desk open, but the retention check failed: {}",
                        &[&e.to_string()],
                        false,
                    ),
                }
                self.open = Some(open);
                self.last_activity = now;
            }
            Err(failure) => {
                self.closed = Some(failure.store);
                self.say(failure.error.to_string(), false);
            }
        }
    }

    /// The staff tiles, with their lockout state.
    pub fn staff(&self, now: DateTime<Utc>) -> Vec<StaffTile> {
        let Some(open) = &self.open else {
            return Vec::new();
        };
        open.list_staff(now)
            .unwrap_or_default()
            .into_iter()
            .map(|m| StaffTile {
                note: match m.lockout {
                    Lockout::Open => String::new(),
                    Lockout::Locked => t(&self.lang, "locked: a manager must reset it", &[]),
                    Lockout::WaitUntil(at) => t(
                        &self.lang,
                        "wait until {}",
                        &[&at.format("%H:%M:%S").to_string()],
                    ),
                },
                id: m.id,
                name: m.name,
            })
            .collect()
    }

    pub fn selected_staff(&self) -> Option<&str> {
        self.selected_staff.as_deref()
    }

    pub fn select_staff(&mut self, id: &str) {
        self.selected_staff = Some(id.to_owned());
        self.say("", false);
    }

    /// Signs the selected staff member in with their PIN (same lockout rules as the kiosk).
    pub fn sign_in(&mut self, pin: &str, now: DateTime<Utc>) {
        let (Some(open), Some(id)) = (self.open.as_mut(), self.selected_staff.clone()) else {
            return;
        };
        match open.sign_in(&id, &Pin::new(pin), now) {
            Ok(actor) => {
                self.actor = Some(actor);
                self.last_activity = now;
                self.say("", false);
            }
            Err(SignInError::WrongPin { failures, lockout }) => match lockout {
                Lockout::Open => self.say_t(
                    "Wrong PIN ({} wrong so far).",
                    &[&failures.to_string()],
                    false,
                ),
                Lockout::WaitUntil(at) => self.say_t(
                    "Wrong PIN. Too many tries: wait until {}.",
                    &[&at.format("%H:%M:%S").to_string()],
                    false,
                ),
                Lockout::Locked => self.say_t(
                    "Wrong PIN. The account is locked: a manager must reset it.",
                    &[],
                    false,
                ),
            },
            Err(e) => self.say(e.to_string(), false),
        }
    }

    /// Signs out: the record and results are dropped.
    pub fn lock(&mut self, now: DateTime<Utc>) {
        if let (Some(open), Some(actor)) = (&self.open, &self.actor) {
            let _ = open.record_event(
                actor.staff_id(),
                crate::store::AuditKind::SignedOut,
                "",
                now,
            );
        }
        self.actor = None;
        self.selected_staff = None;
        self.results.clear();
        self.record = None;
        self.form = None;
    }

    pub fn activity(&mut self, now: DateTime<Utc>) {
        self.last_activity = now;
    }

    /// Locks a signed-in desk left idle too long.
    pub fn tick(&mut self, now: DateTime<Utc>) {
        if self.actor.is_some() && now - self.last_activity >= self.idle_lock {
            self.lock(now);
            self.say_t("Locked after a time without use.", &[], false);
        }
    }

    fn signed_in(&self) -> Option<(&OpenStore, &Actor)> {
        Some((self.open.as_ref()?, self.actor.as_ref()?))
    }

    /// Who is signed in, for the header.
    pub fn signed_in_as(&self, now: DateTime<Utc>) -> Option<(String, Role)> {
        let (_, actor) = self.signed_in()?;
        let name = self
            .staff(now)
            .into_iter()
            .find(|t| t.id == actor.staff_id())
            .map(|t| t.name)
            .unwrap_or_default();
        Some((name, actor.role()))
    }

    pub fn results(&self) -> &[PatientRow] {
        &self.results
    }

    /// Finds patients by name and date of birth on the blind index.
    pub fn search(&mut self, given: &str, family: &str, dob: &str, now: DateTime<Utc>) {
        if let Some(problem) = search_input::search_problem(&self.lang, given, family, dob) {
            self.results.clear();
            self.say(problem, false);
            return;
        }
        let Some((open, actor)) = self.signed_in() else {
            return;
        };
        let found = open
            .find_patients(actor, given, family, dob, now)
            .and_then(|ids| views::patient_rows(open, actor, &ids, now));
        match found {
            Ok(rows) => {
                let n = rows.len();
                self.results = rows;
                if n == 0 {
                    self.say_t("No patient with that name and date of birth.", &[], false);
                } else {
                    self.say_t("{} found.", &[&n.to_string()], true);
                }
            }
            Err(e) => self.say_t_error(&e),
        }
    }

    pub fn record(&self) -> Option<&RecordView> {
        self.record.as_ref()
    }

    /// Opens a patient's record (an audited view, by the signed-in role).
    pub fn open_patient(&mut self, patient_id: &str, now: DateTime<Utc>) {
        let Some((open, actor)) = self.signed_in() else {
            return;
        };
        match views::record_view(open, actor, patient_id, &self.staff(now), &self.lang, now) {
            Ok(mut view) => {
                if actor.role().may_manage() && !view.merged {
                    view.merge_candidates = self
                        .results
                        .iter()
                        .filter(|r| r.id != view.patient_id)
                        .map(|r| Line {
                            text: t(
                                &self.lang,
                                "{} — born {}, reference {}",
                                &[&r.name, &r.born, r.id.get(..8).unwrap_or(&r.id)],
                            ),
                            alert: false,
                            id: r.id.clone(),
                        })
                        .collect();
                }
                if self
                    .record
                    .as_ref()
                    .is_none_or(|r| r.patient_id != view.patient_id)
                {
                    self.form = None;
                }
                self.record = Some(view);
                self.say("", false);
            }
            Err(e) => self.say_t_error(&e),
        }
    }

    pub fn back(&mut self) {
        self.record = None;
        self.form = None;
    }

    pub fn form(&self) -> Option<&FormView> {
        self.form.as_ref()
    }

    /// Opens one of the record's submissions in full: answers as the patient gave them (in the
    /// exact form they filled), the signature, and earlier versions. An audited medical read:
    /// the store refuses reception.
    pub fn open_form(&mut self, submission_id: &str, now: DateTime<Utc>) {
        let Some((open, actor)) = self.signed_in() else {
            return;
        };
        match views::form_view(
            open,
            actor,
            submission_id,
            &self.staff(now),
            &self.lang,
            now,
        ) {
            Ok(view) => {
                self.form = Some(view);
                self.say("", false);
            }
            Err(e) => self.say_t_error(&e),
        }
    }

    pub fn close_form(&mut self) {
        self.form = None;
    }

    /// Corrects one answer of the open form (rectification: a new version with who, when and
    /// why; the old answers stay in the history). Clinicians and managers.
    pub fn amend_answer(
        &mut self,
        question_id: &str,
        value: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) {
        let Some(submission_id) = self.form.as_ref().map(|f| f.submission_id.clone()) else {
            return;
        };
        let Some((open, actor)) = self.signed_in() else {
            return;
        };
        let result = open
            .read_medical(actor, &submission_id, now)
            .and_then(|record| {
                let form = record
                    .form_definition_json
                    .as_deref()
                    .and_then(|json| crate::forms::FormDefinition::from_stored(json).ok())
                    .unwrap_or_else(crate::forms::FormDefinition::built_in);
                let question = form
                    .questions()
                    .find(|q| q.id == question_id && !q.identity)
                    .ok_or(StoreError::NotFound)?;
                let answer =
                    crate::forms::answer_from_text(question, value).map_err(StoreError::Invalid)?;
                let mut answers = record.answers.clone();
                answers.set(question_id, answer);
                open.amend_answers(actor, &submission_id, &answers, reason, now)
            });
        match result {
            Ok(_) => {
                self.open_form(&submission_id, now);
                self.reopen_keeping_form(now);
                self.say_t(
                    "Answer corrected; the earlier version is kept in the history.",
                    &[],
                    true,
                );
            }
            Err(e) => self.say_t_error(&e),
        }
    }

    /// Reopens the record (its form list shows the new version) without closing the open form.
    fn reopen_keeping_form(&mut self, now: DateTime<Utc>) {
        let form = self.form.take();
        self.reopen(now);
        self.form = form;
    }

    fn reopen(&mut self, now: DateTime<Utc>) {
        if let Some(id) = self.record.as_ref().map(|r| r.patient_id.clone()) {
            let statement = self
                .record
                .as_ref()
                .map(|r| r.statement.clone())
                .unwrap_or_default();
            self.open_patient(&id, now);
            if let Some(r) = self.record.as_mut() {
                r.statement = statement;
            }
        }
    }

    fn current_patient(&self) -> Option<String> {
        self.record.as_ref().map(|r| r.patient_id.clone())
    }

    /// Withdraws one consent item of the open record (any role), effective at once.
    pub fn withdraw(&mut self, item: &str, now: DateTime<Utc>) {
        let (Some(patient), Some((open, actor))) = (self.current_patient(), self.signed_in())
        else {
            return;
        };
        let result = open.withdraw_consent(actor, &patient, item, now);
        match result {
            Ok(_) => {
                self.reopen(now);
                let title = self
                    .record
                    .as_ref()
                    .and_then(|r| r.consents.iter().find(|c| c.item == item))
                    .map_or(item.to_owned(), |c| c.title.clone());
                self.say_t("Withdrawn: {}.", &[&title], true);
            }
            Err(e) => self.say_t_error(&e),
        }
    }

    /// Writes the patient's data (JSON, FHIR, readable page) to the export folder. Managers.
    pub fn export_data(&mut self, now: DateTime<Utc>) {
        let (Some(patient), Some((open, actor))) = (self.current_patient(), self.signed_in())
        else {
            return;
        };
        match crate::exchange::access::export_patient(open, actor, &patient, &self.export_dir, now)
        {
            Ok(files) => {
                self.reopen(now);
                let dir = files
                    .html
                    .parent()
                    .unwrap_or(&self.export_dir)
                    .display()
                    .to_string();
                self.say_t("The patient's data is in {}", &[&dir], true);
            }
            Err(e) => self.say(e.to_string(), false),
        }
    }

    /// Restricts processing of the open record, or lifts it. Managers.
    pub fn toggle_restriction(&mut self, now: DateTime<Utc>) {
        let (Some(patient), Some((open, actor))) = (self.current_patient(), self.signed_in())
        else {
            return;
        };
        let restricted = self
            .record
            .as_ref()
            .is_some_and(|r| !r.restricted.is_empty());
        match open.set_restricted(actor, &patient, !restricted, now) {
            Ok(()) => {
                self.reopen(now);
                if restricted {
                    self.say_t("Restriction lifted.", &[], true);
                } else {
                    self.say_t("Processing restricted: stored only.", &[], true);
                }
            }
            Err(e) => self.say_t_error(&e),
        }
    }

    /// Erases what can be erased now and shows the statement for the patient. Managers.
    pub fn erase(&mut self, now: DateTime<Utc>) {
        let (Some(patient), Some((open, actor))) = (self.current_patient(), self.signed_in())
        else {
            return;
        };
        let clinic = open
            .store()
            .clinic_name()
            .ok()
            .flatten()
            .unwrap_or_default();
        match open.request_erasure(actor, &patient, now) {
            Ok(statement) => {
                let text = statement.to_text(&clinic);
                let file = self.export_dir.join(format!("erasure-{patient}.txt"));
                let saved = crate::exchange::files::write_atomically(
                    &self.export_dir,
                    &format!("erasure-{patient}.txt"),
                    text.as_bytes(),
                    crate::exchange::files::Readers::OwnerOnly,
                );
                if statement.held_until.is_some() {
                    self.reopen(now);
                } else {
                    self.record = None;
                    self.results.retain(|r| r.id != patient);
                }
                if let Some(r) = self.record.as_mut() {
                    r.statement = text;
                }
                match saved {
                    Ok(_) if statement.old_copies_remain => self.say_t(
                        "Erased; old copies remain in the WAL until the other window closes. Statement saved to {}",
                        &[&file.display().to_string()],
                        false,
                    ),
                    Ok(_) => self.say_t(
                        "Erasure statement saved to {}",
                        &[&file.display().to_string()],
                        true,
                    ),
                    Err(e) => self.say_t(
                        "Erased, but the statement was not saved: {}",
                        &[&e.to_string()],
                        false,
                    ),
                }
            }
            Err(e) => self.say_t_error(&e),
        }
    }

    /// Merges the record `duplicate` into the open one (managers; see
    /// [`OpenStore::merge_patients`]): its forms and consent decisions become this patient's,
    /// this patient's details stay, and the duplicate is kept, marked merged, with its details
    /// and `reason` in the history.
    pub fn merge_into_open(&mut self, duplicate: &str, reason: &str, now: DateTime<Utc>) {
        let (Some(patient), Some((open, actor))) = (self.current_patient(), self.signed_in())
        else {
            return;
        };
        let duplicate = duplicate.trim();
        if duplicate.is_empty() {
            self.say_t(
                "Choose the duplicate record to merge into this one.",
                &[],
                false,
            );
            return;
        }
        match open.merge_patients(actor, &patient, duplicate, reason, now) {
            Ok(report) => {
                self.results.retain(|r| r.id != duplicate);
                self.reopen(now);
                self.say_t(
                    "Record {} merged into this one: {} form(s) and {} consent decision(s) moved; its details are kept in the history.",
                    &[
                        duplicate.get(..8).unwrap_or(duplicate),
                        &report.submissions.to_string(),
                        &report.consent_events.to_string(),
                    ],
                    true,
                );
            }
            Err(e) => self.say_t_error(&e),
        }
    }

    /// Logs a rights request from the open record's patient (any role: requests often arrive
    /// at reception), received today.
    pub fn log_request(
        &mut self,
        kind: &str,
        requester: &str,
        identity_check: &str,
        now: DateTime<Utc>,
    ) {
        let (Some(patient), Some((open, actor))) = (self.current_patient(), self.signed_in())
        else {
            return;
        };
        let Some(kind) = crate::rights::RequestKind::parse(kind) else {
            return;
        };
        let request = crate::store::NewRightsRequest {
            patient_id: Some(patient),
            kind,
            received_on: now.date_naive(),
            requester: requester.to_owned(),
            identity_check: identity_check.to_owned(),
            notes: String::new(),
        };
        match open.log_rights_request(actor, &request, now) {
            Ok(_) => self.say_t(
                "Request logged ({}): due {}.",
                &[
                    kind.as_str(),
                    &crate::rights::due_date(request.received_on).to_string(),
                ],
                true,
            ),
            Err(e) => self.say_t_error(&e),
        }
    }

    /// Corrects the open record's contact details (rectification: the old ones are kept in the
    /// history with who, when and why). Any role.
    pub fn amend_contact(
        &mut self,
        postcode: &str,
        email: &str,
        phone: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) {
        let (Some(patient), Some((open, actor))) = (self.current_patient(), self.signed_in())
        else {
            return;
        };
        let result = open
            .patient_identity(actor, &patient, now)
            .and_then(|mut identity| {
                identity.postcode = postcode.trim().to_owned();
                identity.email = email.trim().to_owned();
                identity.phone = phone.trim().to_owned();
                open.amend_identity(actor, &patient, &identity, reason, now)
            });
        match result {
            Ok(_) => {
                self.reopen(now);
                self.say_t(
                    "Contact details corrected; the old ones are kept in the history.",
                    &[],
                    true,
                );
            }
            Err(e) => self.say_t_error(&e),
        }
    }

    /// Extends an open request by two further months, with the reason told to the patient
    /// (UK GDPR Art. 12(3); managers).
    pub fn extend_request(&mut self, id: &str, reason: &str, now: DateTime<Utc>) {
        let Some((open, actor)) = self.signed_in() else {
            return;
        };
        match open.extend_rights_request(actor, id, 2, reason, now) {
            Ok(due) => self.say_t("Request extended: now due {}.", &[&due.to_string()], true),
            Err(e) => self.say_t_error(&e),
        }
    }

    /// Writes the marketing list of one channel (`email`, `sms`, `whatsapp`) as CSV to the
    /// export folder for the clinic's mailing tool (managers; logged).
    pub fn export_marketing(&mut self, channel: &str, now: DateTime<Utc>) {
        let Some((open, actor)) = self.signed_in() else {
            return;
        };
        let written = crate::exchange::marketing::marketing_csv(open, actor, channel, now)
            .map_err(crate::exchange::ExchangeError::from)
            .and_then(|(csv, count)| {
                let name = format!("marketing-{channel}-{}.csv", now.format("%Y-%m-%d"));
                crate::exchange::files::write_atomically(
                    &self.export_dir,
                    &name,
                    csv.as_bytes(),
                    crate::exchange::files::Readers::OwnerOnly,
                )
                .map(|path| (path, count))
            });
        match written {
            Ok((path, count)) => self.say_t(
                "{} patient(s) on the list: {}",
                &[&count.to_string(), &path.display().to_string()],
                true,
            ),
            Err(e) => self.say(e.to_string(), false),
        }
    }

    /// Closes a rights request as done (managers).
    pub fn close_request(&mut self, id: &str, now: DateTime<Utc>) {
        let by = self
            .signed_in_as(now)
            .map(|(name, _)| name)
            .unwrap_or_default();
        let Some((open, actor)) = self.signed_in() else {
            return;
        };
        match open.close_rights_request(
            actor,
            id,
            crate::rights::RequestStatus::Done,
            &format!("done at the desk by {by}"),
            now,
        ) {
            Ok(()) => self.say_t("Request marked as done.", &[], true),
            Err(e) => self.say_t_error(&e),
        }
    }

    /// Records a breach discovered now (managers). The records concerned are those opened,
    /// looked up or changed in the last 24 hours (from the audit log), for the manager to
    /// narrow down with `desk breach` when they know more.
    pub fn record_breach(&mut self, what: &str, risk: &str, now: DateTime<Utc>) {
        let Some((open, actor)) = self.signed_in() else {
            return;
        };
        let Some(risk) = crate::rights::Risk::parse(risk) else {
            return;
        };
        let result = open
            .records_touched(actor, None, now - Duration::hours(24), now)
            .and_then(|records| {
                open.record_breach(
                    actor,
                    &crate::store::NewBreach {
                        discovered_at: now,
                        what_happened: what.to_owned(),
                        records,
                        risk,
                    },
                    now,
                )
            });
        match result {
            Ok(_) if risk.must_report() => self.say_t(
                "Breach recorded: report it to the ICO within 72 hours (the clock is on this screen).",
                &[],
                true,
            ),
            Ok(_) => self.say_t("Breach recorded (risk unlikely: not reportable).", &[], true),
            Err(e) => self.say_t_error(&e),
        }
    }

    /// Notes that a breach was reported to the regulator, with their reference (managers).
    pub fn breach_reported(&mut self, id: &str, reference: &str, now: DateTime<Utc>) {
        let Some((open, actor)) = self.signed_in() else {
            return;
        };
        if reference.trim().is_empty() {
            self.say_t("Give the regulator's reference for the report.", &[], false);
            return;
        }
        match open.mark_breach_reported(actor, id, reference, now) {
            Ok(()) => self.say_t("Breach marked as reported.", &[], true),
            Err(e) => self.say_t_error(&e),
        }
    }

    /// Confirms a kiosk's pairing (managers): `typed` is the code the kiosk's screen shows. A code
    /// that does not match leaves the kiosk waiting (and is logged); nothing of it is imported
    /// until this succeeds.
    pub fn confirm_kiosk(&mut self, kiosk_id: &str, typed: &str, now: DateTime<Utc>) {
        let Some((open, actor)) = self.signed_in() else {
            return;
        };
        if typed.trim().is_empty() {
            self.say_t("Type the code the kiosk's screen shows.", &[], false);
            return;
        }
        match crate::exchange::desk_side::confirm_pairing(open, actor, Some(kiosk_id), typed, now) {
            Ok(confirmed) => self.say_t(
                "Kiosk paired: the codes match ({}). Its forms are imported from now on.",
                &[&confirmed.comparison_code],
                true,
            ),
            Err(crate::exchange::ExchangeError::Store(e)) => self.say_t_error(&e),
            Err(e) => self.say(e.to_string(), false),
        }
    }

    /// The home screen: alerts (overdue requests, breach clocks, unusual access) and registers.
    pub fn home(&self, now: DateTime<Utc>) -> HomeView {
        match self.signed_in() {
            Some((open, actor)) => views::home_view(open, actor, &self.lang, now),
            None => HomeView::default(),
        }
    }

    /// Runs the retention check now (managers) and reports it.
    pub fn run_retention(&mut self, now: DateTime<Utc>) {
        let Some((open, actor)) = self.signed_in() else {
            return;
        };
        match open.run_retention(actor, now) {
            Ok(report) => {
                let erased = report.erased_adults.len() + report.erased_children.len();
                let counts = [
                    report.checked.to_string(),
                    report.erased_adults.len().to_string(),
                    report.erased_children.len().to_string(),
                ];
                let counts = counts.each_ref().map(String::as_str);
                if report.old_copies_remain {
                    self.say_t(
                        "Retention check: {} looked at, {} adult and {} child record(s) erased; old copies remain in the WAL until the other window closes.",
                        &counts,
                        false,
                    );
                } else {
                    self.say_t(
                        "Retention check: {} looked at, {} adult and {} child record(s) erased.",
                        &counts,
                        true,
                    );
                }
                if erased > 0 {
                    self.results.clear();
                }
            }
            Err(e) => self.say_t_error(&e),
        }
    }

    /// The open store, for tests and the command line.
    pub fn open_store(&self) -> Option<&OpenStore> {
        self.open.as_ref()
    }
}

impl Desk {
    /// A store error in words for staff (role and not-found in their language; the rest as the
    /// store words it).
    fn say_t_error(&mut self, e: &StoreError) {
        match e {
            StoreError::Forbidden => self.say_t("Your role may not do this.", &[], false),
            StoreError::NotFound => self.say_t(
                "Nothing to do: no such record or nothing granted.",
                &[],
                false,
            ),
            other => self.say(other.to_string(), false),
        }
    }
}
