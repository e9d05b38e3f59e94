//! Staff home: starting a handover (new or returning patient), today's forms and opening one, adding staff, lifting a lockout, locking and closing for the day.

use super::*;

/// A submission opened on staff home by a clinician or manager: (question, answer) in the
/// staff language, rendered with the exact form the patient filled. Wiped when dropped.
#[derive(Default)]
pub struct RecordView {
    pub patient_name: String,
    pub rows: Vec<(String, String)>,
}

impl Drop for RecordView {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.patient_name.zeroize();
        for (q, a) in &mut self.rows {
            q.zeroize();
            a.zeroize();
        }
    }
}

impl Kiosk {
    /// Runs a staff-home panel action for the signed-in staff member (a manager unless
    /// `anyone` may) through a port of the open store; `None` from `run` (the store has no such
    /// port) is refused. A refusal becomes the message.
    pub(super) fn in_panel<T, E>(
        &mut self, anyone: bool, message_for: fn(&E) -> Message,
        run: impl FnOnce(&mut (dyn KioskRecords + Send), &Actor) -> Option<Result<T, E>>,
    ) -> Option<T> {
        if self.screen() != Screen::StaffHome {
            return None;
        }
        let actor = self.signed.actor.clone()?;
        if !anyone && !actor.role().may_manage() {
            return None;
        }
        match self.open_store_mut().and_then(|store| run(store, &actor)) {
            Some(Ok(value)) => Some(value),
            Some(Err(e)) => {
                self.message = Some(message_for(&e));
                None
            }
            None => {
                self.message = Some(Message::NotAllowed);
                None
            }
        }
    }

    pub(super) fn refresh_staff(&mut self) {
        if let Some(store) = self.open_store() {
            match store.list_staff(self.now()) {
                Ok(list) => self.staff = list,
                Err(e) => self.message = Some(Message::from_store(&e)),
            }
        }
    }

    pub(super) fn refresh_today(&mut self) {
        let (Some(store), Some(actor)) = (self.open_store(), self.signed.actor.as_ref()) else {
            return;
        };
        // Today by the kiosk's own clock (the one its forms are dated by), not the machine's.
        let now = self.now();
        let midnight = now
            .with_timezone(&Local)
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(Local).earliest())
            .map_or(now, |t| t.with_timezone(&Utc));
        match store.submissions_since(actor, midnight, now) {
            Ok(list) => self.todays = list,
            Err(e) => self.message = Some(Message::from_store(&e)),
        }
    }

    pub fn start_new_handover(&mut self) {
        if self.screen() != Screen::StaffHome {
            return;
        }
        self.signed.returning = None;
        self.begin_handover();
    }

    pub fn start_returning_handover(&mut self) {
        if self.screen() == Screen::StaffHome && self.signed.returning.is_some() {
            self.begin_handover();
        }
    }

    pub(super) fn begin_handover(&mut self) {
        if let Err(message) = self.clock_may_date() {
            self.message = Some(message);
            return;
        }
        let subject = self.signed.returning.clone().unwrap_or_default();
        // The search's answer was about this patient: it is not shown to the next one's staff.
        self.signed.lookup_message = None;
        self.audit(AuditKind::HandoverStarted, &subject);
        self.apply(Event::StartHandover);
    }

    /// The three-point check: name, date of birth and postcode must all match.
    pub fn find_returning(&mut self, given: &str, family: &str, dob: &str, postcode: &str) {
        let (Some(store), Some(actor)) = (self.open_store(), self.signed.actor.as_ref()) else {
            return;
        };
        let mut identity = crate::forms::PatientIdentity::default();
        identity.given_name = given.to_owned();
        identity.family_name = family.to_owned();
        identity.date_of_birth = dob.to_owned();
        identity.postcode = postcode.to_owned();
        if identity.lookup_key().is_err() {
            self.signed.returning = None;
            self.signed.lookup_message = Some(Message::LookupIncomplete);
            return;
        }
        match store.find_returning_patient(actor, &identity, self.now()) {
            Ok(Some(id)) => {
                self.signed.returning = Some(id);
                self.signed.lookup_message = Some(Message::PatientFound);
            }
            Ok(None) => {
                self.signed.returning = None;
                self.signed.lookup_message = Some(Message::PatientNotFound);
            }
            Err(e) => self.message = Some(Message::from_store(&e)),
        }
    }

    /// Opens a listed submission (clinicians and managers; the store refuses anyone else).
    pub fn open_record(&mut self, submission_id: &str) {
        if self.screen() != Screen::StaffHome {
            return;
        }
        let now = self.now();
        let (Some(store), Some(actor)) = (self.open_store(), self.signed.actor.as_ref()) else {
            return;
        };
        match store.read_medical(actor, submission_id, now) {
            Ok(record) => {
                let definition =
                    crate::forms::form_used(record.form_definition_json.as_deref()).definition;
                let rows =
                    crate::forms::answer_rows(&definition, &record.answers, &self.staff_language)
                        .into_iter()
                        .map(|r| (r.label, r.answer))
                        .collect();
                self.home.record_view = Some(RecordView {
                    patient_name: record.identity.display_name(),
                    rows,
                });
                self.message = None;
            }
            Err(e) => self.message = Some(Message::from_store(&e)),
        }
    }

    pub fn close_record(&mut self) {
        self.home.record_view = None;
    }

    pub fn lock_now(&mut self) {
        if self.screen() == Screen::StaffHome {
            self.audit(AuditKind::SignedOut, "");
            self.apply(Event::LockNow);
            self.refresh_staff();
        }
    }

    /// Lifts a staff member's PIN lockout (managers, with their passphrase). Slow (key derivation).
    pub fn unlock_staff(&mut self, staff_id: &str, passphrase: &str) {
        let now = self.now();
        if !self
            .signed
            .actor
            .as_ref()
            .is_some_and(|a| a.role().may_manage())
        {
            self.message = Some(Message::NotAllowed);
            return;
        }
        let Some(store) = self.open_store_mut() else {
            return;
        };
        match store.reset_lockout(&Passphrase::new(passphrase), staff_id, now) {
            Ok(()) => {
                self.message = Some(Message::StaffUnlocked);
                self.refresh_staff();
            }
            Err(e) => self.message = Some(Message::from_store(&e)),
        }
    }

    pub fn close_for_day(&mut self) {
        if self.screen() == Screen::StaffHome
            && self
                .signed
                .actor
                .as_ref()
                .is_some_and(|a| a.role().may_manage())
        {
            self.apply(Event::CloseForDay);
        }
    }

    /// Adds a clinician or receptionist (managers only). Slow (PIN hashing).
    pub fn add_staff(&mut self, name: &str, role: &str, pin: &str) {
        let now = self.now();
        let Some(actor) = self.signed.actor.clone() else {
            return;
        };
        let role = match Role::parse(role) {
            Some(r @ (Role::Clinician | Role::Reception)) => r,
            _ => return,
        };
        if name.trim().is_empty() {
            self.message = Some(Message::NamesMissing);
            return;
        }
        let Some(admin) = self.open_store_mut().and_then(|s| s.staff_admin()) else {
            return;
        };
        match admin.add_staff(&actor, name.trim(), role, &Pin::new(pin), now) {
            Ok(_) => {
                self.message = Some(Message::StaffAdded);
                self.refresh_staff();
            }
            Err(e) => self.message = Some(Message::from_sign_in(&e, now)),
        }
    }

    pub fn set_staff_language(&mut self, language: &str) {
        self.staff_language = language.to_owned();
    }

    /// Closing for the day: the store closes (logged) and the keys go with it.
    pub(super) fn drop_keys(&mut self) {
        let actor = self.signed.actor.clone();
        if let Backend::Open(open) = std::mem::replace(&mut self.backend, Backend::Moving) {
            let path = open.data_path();
            self.backend = match open.close(actor.as_ref(), self.now()) {
                Ok(Some(store)) => Backend::Closed(store),
                Ok(None) => Backend::Moving,
                // The audit write failed: reopen closed so the keys are gone all the same.
                Err(_) => path
                    .and_then(|p| open_kiosk_store(&p))
                    .map_or(Backend::Moving, Backend::Closed),
            };
        }
        self.staff.clear();
        self.todays.clear();
    }

    /// The process is stopping (SIGTERM, SIGINT): a handover in progress is wiped (audited),
    /// the form cleared, the store closed and the keys dropped.
    pub fn shut_down(&mut self) {
        if self.screen() == Screen::Handover {
            self.audit(AuditKind::HandoverWiped, "");
            tracing::info!("handover wiped: the kiosk is stopping");
        }
        self.form = FormState::blank(&self.staff_language.clone(), None);
        self.drop_keys();
        tracing::info!("store closed, keys dropped");
    }
}
