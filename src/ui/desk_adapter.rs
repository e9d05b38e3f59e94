//! The desk window's adapter: maps `DeskAdapter` callbacks to the desk controller and the
//! controller's views to the global's properties. Nothing else.

use std::cell::RefCell;
use std::rc::Rc;

use chrono::{DateTime, Utc};
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::{
    DeskAdapter, DeskAnswer, DeskConsent, DeskLine, DeskPatient, DeskScreen, DeskStaff, DeskWindow,
};
use crate::desk::{self, Desk, Line};
use crate::staff::Role;

/// The clock the desk runs on (tests give a controllable one).
pub type Clock = Rc<dyn Fn() -> DateTime<Utc>>;

/// The running desk window with its adapter wired.
pub struct DeskUi {
    pub window: DeskWindow,
    desk: Rc<RefCell<Desk>>,
    clock: Clock,
    _tick: slint::Timer,
}

fn model<T: Clone + 'static>(items: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(items))
}

fn lines(items: &[Line]) -> ModelRc<DeskLine> {
    model(
        items
            .iter()
            .map(|l| DeskLine {
                text: l.text.as_str().into(),
                alert: l.alert,
                id: l.id.as_str().into(),
            })
            .collect(),
    )
}

fn refresh(window: &DeskWindow, desk: &Desk, now: DateTime<Utc>) {
    let g = window.global::<DeskAdapter>();
    g.set_screen(match desk.screen() {
        desk::DeskScreen::Closed => DeskScreen::Closed,
        desk::DeskScreen::SignIn => DeskScreen::SignIn,
        desk::DeskScreen::Home => DeskScreen::Home,
        desk::DeskScreen::Record => DeskScreen::Record,
    });
    g.set_clinic_name(desk.clinic_name().into());
    let (message, good) = desk.message();
    g.set_message(message.into());
    g.set_message_good(good);
    g.set_staff(model(
        desk.staff(now)
            .into_iter()
            .map(|t| DeskStaff {
                id: t.id.into(),
                name: t.name.into(),
                note: t.note.into(),
            })
            .collect(),
    ));
    g.set_selected_staff(desk.selected_staff().unwrap_or("").into());
    let role = desk.signed_in_as(now);
    g.set_signed_in_as(
        role.as_ref()
            .map(|(name, _)| SharedString::from(name.as_str()))
            .unwrap_or_default(),
    );
    g.set_is_manager(role.as_ref().is_some_and(|(_, r)| *r == Role::Manager));
    g.set_sees_medical(role.as_ref().is_some_and(|(_, r)| r.may_read_medical()));
    // The home lists verify the audit chain and scan a week of it: built when home is shown,
    // kept while a record is open over it, cleared when nobody is signed in.
    match desk.screen() {
        desk::DeskScreen::Home => {
            let home = desk.home(now);
            g.set_alerts(lines(&home.alerts));
            g.set_requests(lines(&home.requests));
            g.set_breaches(lines(&home.breaches));
            g.set_audit(lines(&home.audit));
            g.set_pending_kiosks(lines(&home.pending_kiosks));
        }
        desk::DeskScreen::Record => {}
        desk::DeskScreen::Closed | desk::DeskScreen::SignIn => {
            for set in [
                DeskAdapter::set_alerts,
                DeskAdapter::set_requests,
                DeskAdapter::set_breaches,
                DeskAdapter::set_audit,
                DeskAdapter::set_pending_kiosks,
            ] {
                set(&g, lines(&[]));
            }
        }
    }
    g.set_results(model(
        desk.results()
            .iter()
            .map(|p| DeskPatient {
                id: p.id.as_str().into(),
                name: p.name.as_str().into(),
                born: p.born.as_str().into(),
            })
            .collect(),
    ));
    match desk.form() {
        Some(f) => {
            g.set_form_open(true);
            g.set_form_title(f.title.as_str().into());
            g.set_form_rows(model(
                f.rows
                    .iter()
                    .map(|r| DeskAnswer {
                        question_id: r.question_id.as_str().into(),
                        label: r.label.as_str().into(),
                        answer: r.answer.as_str().into(),
                    })
                    .collect(),
            ));
            g.set_form_signature(f.signature_path.as_str().into());
            g.set_form_history(lines(&f.history));
        }
        None => {
            // Answers and signature leave the window's properties with the form.
            g.set_form_open(false);
            g.set_form_title(SharedString::new());
            g.set_form_rows(model(Vec::new()));
            g.set_form_signature(SharedString::new());
            g.set_form_history(lines(&[]));
        }
    }
    match desk.record() {
        Some(r) => {
            g.set_record_title(r.title.as_str().into());
            g.set_record_id(r.patient_id.as_str().into());
            g.set_record_details(lines(&r.details));
            g.set_restricted(r.restricted.as_str().into());
            g.set_consents(model(
                r.consents
                    .iter()
                    .map(|c| DeskConsent {
                        item: c.item.as_str().into(),
                        title: c.title.as_str().into(),
                        state: c.state.as_str().into(),
                        history: c.history.as_str().into(),
                        can_withdraw: c.can_withdraw,
                    })
                    .collect(),
            ));
            g.set_submissions(lines(r.submissions.as_deref().unwrap_or_default()));
            g.set_access(lines(r.access.as_deref().unwrap_or_default()));
            g.set_statement(r.statement.as_str().into());
            g.set_postcode(r.postcode.as_str().into());
            g.set_email(r.email.as_str().into());
            g.set_phone(r.phone.as_str().into());
            g.set_merge_candidates(lines(&r.merge_candidates));
            g.set_record_merged(r.merged);
        }
        None => {
            // Nothing of a closed record stays in the window's properties.
            g.set_record_title(SharedString::new());
            g.set_record_id(SharedString::new());
            g.set_record_details(lines(&[]));
            g.set_restricted(SharedString::new());
            g.set_consents(model(Vec::new()));
            g.set_submissions(lines(&[]));
            g.set_access(lines(&[]));
            g.set_statement(SharedString::new());
            g.set_postcode(SharedString::new());
            g.set_email(SharedString::new());
            g.set_phone(SharedString::new());
            g.set_merge_candidates(lines(&[]));
            g.set_record_merged(false);
        }
    }
}

impl DeskUi {
    pub fn new(desk: Desk, clock: Clock) -> Result<DeskUi, slint::PlatformError> {
        let window = DeskWindow::new()?;
        let desk = Rc::new(RefCell::new(desk));
        let g = window.global::<DeskAdapter>();

        // Every callback: note the activity, act, refresh.
        macro_rules! wire {
            ($on:ident, |$d:ident, $now:ident $(, $arg:ident)*| $body:expr) => {{
                let (weak, desk, clock) = (window.as_weak(), desk.clone(), clock.clone());
                g.$on(move |$($arg),*| {
                    let $now = clock();
                    {
                        let mut $d = desk.borrow_mut();
                        $d.activity($now);
                        $body;
                    }
                    if let Some(w) = weak.upgrade() {
                        refresh(&w, &desk.borrow(), $now);
                    }
                });
            }};
        }
        wire!(on_unlock, |d, now, passphrase| d.unlock(&passphrase, now));
        wire!(on_select_staff, |d, now, id| d.select_staff(&id));
        wire!(on_sign_in, |d, now, pin| d.sign_in(&pin, now));
        wire!(on_lock, |d, now| d.lock(now));
        wire!(on_search, |d, now, given, family, dob| d
            .search(&given, &family, &dob, now));
        wire!(on_open_patient, |d, now, id| d.open_patient(&id, now));
        wire!(on_back, |d, now| d.back());
        wire!(on_withdraw, |d, now, item| d.withdraw(&item, now));
        wire!(on_export_data, |d, now| d.export_data(now));
        wire!(on_toggle_restriction, |d, now| d.toggle_restriction(now));
        wire!(on_erase, |d, now| d.erase(now));
        wire!(on_run_retention, |d, now| d.run_retention(now));
        wire!(on_log_request, |d, now, kind, who, check| d
            .log_request(&kind, &who, &check, now));
        wire!(on_amend_contact, |d,
                                 now,
                                 postcode,
                                 email,
                                 phone,
                                 reason| d
            .amend_contact(&postcode, &email, &phone, &reason, now));
        wire!(on_close_request, |d, now, id| d.close_request(&id, now));
        wire!(on_extend_request, |d, now, id, reason| d
            .extend_request(&id, &reason, now));
        wire!(on_export_marketing, |d, now, channel| d
            .export_marketing(&channel, now));
        wire!(on_open_form, |d, now, id| d.open_form(&id, now));
        wire!(on_close_form, |d, now| d.close_form());
        wire!(on_amend_answer, |d, now, question, value, reason| d
            .amend_answer(&question, &value, &reason, now));
        wire!(on_record_breach, |d, now, what, risk| d
            .record_breach(&what, &risk, now));
        wire!(on_breach_reported, |d, now, id, reference| d
            .breach_reported(&id, &reference, now));
        wire!(on_confirm_kiosk, |d, now, id, code| d
            .confirm_kiosk(&id, &code, now));
        wire!(on_merge, |d, now, duplicate, reason| d
            .merge_into_open(&duplicate, &reason, now));
        {
            let (desk, clock) = (desk.clone(), clock.clone());
            g.on_activity(move || desk.borrow_mut().activity(clock()));
        }

        // The idle lock: checked every second.
        let tick = slint::Timer::default();
        {
            let (weak, desk, clock) = (window.as_weak(), desk.clone(), clock.clone());
            tick.start(
                slint::TimerMode::Repeated,
                std::time::Duration::from_secs(1),
                move || {
                    let now = clock();
                    let before = desk.borrow().screen();
                    desk.borrow_mut().tick(now);
                    if desk.borrow().screen() != before
                        && let Some(w) = weak.upgrade()
                    {
                        refresh(&w, &desk.borrow(), now);
                    }
                },
            );
        }
        refresh(&window, &desk.borrow(), clock());
        Ok(DeskUi {
            window,
            desk,
            clock,
            _tick: tick,
        })
    }

    /// Runs a closure against the controller, then refreshes (tests).
    pub fn with_desk<R>(&self, f: impl FnOnce(&mut Desk) -> R) -> R {
        let r = f(&mut self.desk.borrow_mut());
        refresh(&self.window, &self.desk.borrow(), (self.clock)());
        r
    }

    pub fn run(&self) -> Result<(), slint::PlatformError> {
        self.window.run()
    }
}
