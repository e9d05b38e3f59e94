//! The desk window's adapter: maps `DeskAdapter` callbacks to the desk controller and the
//! controller's views to the global's properties. Nothing else.
//!
//! Slow steps (opening with a passphrase, signing in with a PIN, the retention run, adding staff,
//! a PIN reset, a passphrase change: key derivations of ~130 ms; a sweep of the register; a
//! data-key rotation, which seals every row again) run on a worker thread with `busy` set,
//! as the kiosk's do ([`WorkMode`]); quick calls and the idle tick skip while a worker holds the
//! controller, and the worker's result refreshes the window. A scheduled backup runs the same
//! way when the once-a-second tick finds one due; it is not the user's activity, so the idle
//! lock is not held off by it.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use slint::{ComponentHandle, ModelRc, SharedString};

use super::refresh::{model, rows, update_rows};
use super::{
    DeskAdapter, DeskAnswer, DeskConsent, DeskLine, DeskPatient, DeskScreen, DeskSetting,
    DeskStaff, DeskStaffKeysRow, DeskWindow, WorkMode,
};
use super::{clipboard, rotation_slots};
use crate::desk::{self, Desk, Line};
use crate::staff::Role;

/// The clock the desk runs on (tests give a controllable one).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The running desk window with its adapter wired.
pub struct DeskUi {
    pub window: DeskWindow,
    ctx: Ctx,
    _tick: slint::Timer,
}

/// What every callback holds.
#[derive(Clone)]
struct Ctx {
    window: slint::Weak<DeskWindow>,
    desk: Arc<Mutex<Desk>>,
    clock: Clock,
    mode: WorkMode,
    /// The desk's count of locks when the clipboard was last cleared ([`clipboard`]).
    wipes_seen: Arc<AtomicU64>,
}

fn lock(desk: &Mutex<Desk>) -> MutexGuard<'_, Desk> {
    desk.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Ctx {
    fn refresh(&self, now: DateTime<Utc>) {
        if let (Some(w), Ok(desk)) = (self.window.upgrade(), self.desk.try_lock()) {
            refresh(&w, &desk, now, &self.wipes_seen, self.mode);
        }
    }

    /// A quick call on the UI thread (skipped while a worker holds the desk), then a refresh.
    fn quick(&self, f: impl FnOnce(&mut Desk, DateTime<Utc>)) {
        let now = (self.clock)();
        let Ok(mut desk) = self.desk.try_lock() else {
            return;
        };
        desk.activity(now);
        f(&mut desk, now);
        drop(desk);
        self.refresh(now);
    }

    /// A slow call: off the UI thread with `busy` set, unless inline (tests).
    fn slow(&self, f: impl FnOnce(&mut Desk, DateTime<Utc>) + Send + 'static) {
        self.work(true, f);
    }

    /// Slow work; `activity` says whether it is the user's (which holds the idle lock off) or
    /// the desk's own (a scheduled backup, which does not).
    fn work(&self, activity: bool, f: impl FnOnce(&mut Desk, DateTime<Utc>) + Send + 'static) {
        let now = (self.clock)();
        if self.mode == WorkMode::Inline {
            let Ok(mut desk) = self.desk.try_lock() else {
                return;
            };
            if activity {
                desk.activity(now);
            }
            f(&mut desk, now);
            drop(desk);
            self.refresh(now);
            return;
        }
        let Some(window) = self.window.upgrade() else {
            return;
        };
        let g = window.global::<DeskAdapter>();
        if g.get_busy() {
            return;
        }
        g.set_busy(true);
        let (desk, weak, clock) = (self.desk.clone(), self.window.clone(), self.clock.clone());
        let (wipes_seen, mode) = (self.wipes_seen.clone(), self.mode);
        let ctx_desk = desk.clone();
        std::thread::spawn(move || {
            {
                let mut desk = lock(&desk);
                if activity {
                    desk.activity(now);
                }
                f(&mut desk, now);
            }
            let _ = weak.upgrade_in_event_loop(move |w| {
                w.global::<DeskAdapter>().set_busy(false);
                refresh(&w, &lock(&ctx_desk), clock(), &wipes_seen, mode);
            });
        });
    }
}

fn lines(items: &[Line]) -> ModelRc<DeskLine> {
    model(
        items
            .iter()
            .map(|l| slint_row!(DeskLine from l { text, id } [alert]))
            .collect(),
    )
}

/// Draws the desk's state, and clears the clipboard after a lock ([`clipboard`]).
fn refresh(
    window: &DeskWindow, desk: &Desk, now: DateTime<Utc>, wipes_seen: &AtomicU64, mode: WorkMode,
) {
    clipboard::forget_after_wipes(wipes_seen, desk.screen_wipes(), mode);
    let g = window.global::<DeskAdapter>();
    g.set_screen(match desk.screen() {
        desk::DeskScreen::Closed => DeskScreen::Closed,
        desk::DeskScreen::SignIn => DeskScreen::SignIn,
        desk::DeskScreen::Home => DeskScreen::Home,
        desk::DeskScreen::Record => DeskScreen::Record,
        desk::DeskScreen::StaffKeys => DeskScreen::StaffKeys,
    });
    g.set_clinic_name(desk.clinic_name().into());
    g.set_wipe_typed_secret(desk.typed_secret_abandoned(now));
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
    g.set_clock_to_confirm(desk.clock_to_confirm(now));
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
            g.set_kiosks(lines(&home.kiosks));
            // Row by row: saving one setting leaves what is typed into the others.
            let settings = desk.clinic_settings().into_iter().map(|s| DeskSetting {
                key: s.key.into(),
                label: s.label.into(),
                hint: s.hint.into(),
                value: s.value.into(),
            });
            update_rows(&g.get_settings(), settings.collect(), |m| g.set_settings(m));
        }
        desk::DeskScreen::Record | desk::DeskScreen::StaffKeys => {}
        desk::DeskScreen::Closed | desk::DeskScreen::SignIn => {
            for set in [
                DeskAdapter::set_alerts,
                DeskAdapter::set_requests,
                DeskAdapter::set_breaches,
                DeskAdapter::set_audit,
                DeskAdapter::set_pending_kiosks,
                DeskAdapter::set_kiosks,
            ] {
                set(&g, lines(&[]));
            }
            g.set_settings(model(Vec::new()));
        }
    }
    let backups = desk.backup_status(now);
    g.set_backup_status(lines(backups.as_slice()));
    g.set_import_status(lines(&desk.import_status(now)));
    staff_keys(&g, desk);
    g.set_results(model(
        desk.results()
            .iter()
            .map(|p| slint_row!(DeskPatient from p { id, name, born, postcode }))
            .collect(),
    ));
    match desk.form() {
        Some(f) => {
            g.set_form_open(true);
            g.set_form_title(f.title.as_str().into());
            g.set_form_rows(rows(
                &f.rows,
                |r| slint_row!(DeskAnswer from r { question_id, label, answer }),
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
            g.set_consents(rows(
                &r.consents,
                |c| slint_row!(DeskConsent from c { item, title, state, history } [can_withdraw]),
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

/// The "Staff and keys" screen; nothing of it (a recovery key least of all) stays once closed.
fn staff_keys(g: &DeskAdapter, desk: &Desk) {
    let view = desk.staff_keys();
    g.set_staff_keys(model(
        view.map(|v| {
            v.staff
                .iter()
                .map(|r| slint_row!(DeskStaffKeysRow from r { id, name, text } [active, me]))
                .collect()
        })
        .unwrap_or_default(),
    ));
    // One passphrase field per active manager; left as it is (with what is typed) while the
    // same managers are listed.
    if let Some(slots) =
        rotation_slots::for_signers(&g.get_rotation_slots(), desk.rotation_managers())
    {
        g.set_rotation_slots(slots);
    }
    g.set_set_anew(view.is_some_and(|v| v.set_anew));
    g.set_recovery_key(
        view.and_then(|v| v.recovery_key.as_ref())
            .map(|k| SharedString::from(k.as_str()))
            .unwrap_or_default(),
    );
}

impl DeskUi {
    pub fn new(desk: Desk, clock: Clock, mode: WorkMode) -> Result<DeskUi, slint::PlatformError> {
        let window = DeskWindow::new()?;
        // The staff's language may be written right to left: the window reads from the right.
        window
            .global::<super::Theme>()
            .set_right_to_left(crate::i18n::right_to_left(desk.language()));
        let ctx = Ctx {
            window: window.as_weak(),
            desk: Arc::new(Mutex::new(desk)),
            clock,
            mode,
            wipes_seen: Arc::default(),
        };
        let g = window.global::<DeskAdapter>();

        // Every callback: note the activity, act, refresh. `slow` ones run off the UI thread.
        macro_rules! wire {
            ($on:ident, |$d:ident, $now:ident $(, $arg:ident)*| $body:expr) => {
                wire!(quick, $on, |$d, $now $(, $arg)*| $body)
            };
            ($how:ident, $on:ident, |$d:ident, $now:ident $(, $arg:ident)*| $body:expr) => {{
                let ctx = ctx.clone();
                g.$on(move |$($arg),*| {
                    ctx.$how(move |$d: &mut Desk, $now| {
                        $body;
                    })
                });
            }};
        }
        wire!(slow, on_unlock, |d, now, passphrase| d
            .unlock(&passphrase, now));
        wire!(slow, on_unlock_with_recovery, |d, now, key| d
            .unlock_with_recovery(&key, now));
        wire!(on_select_staff, |d, _now, id| d.select_staff(&id));
        wire!(slow, on_sign_in, |d, now, pin| d.sign_in(&pin, now));
        wire!(on_lock, |d, now| d.lock(now));
        wire!(on_search, |d, now, given, family, dob| d
            .search(&given, &family, &dob, now));
        wire!(on_open_patient, |d, now, id| d.open_patient(&id, now));
        wire!(on_back, |d, _now| d.back());
        wire!(on_withdraw, |d, now, item| d.withdraw(&item, now));
        wire!(on_export_data, |d, now| d.export_data(now));
        wire!(on_toggle_restriction, |d, now| d.toggle_restriction(now));
        wire!(on_erase, |d, now| d.erase(now));
        wire!(slow, on_run_retention, |d, now| d.run_retention(now));
        wire!(on_confirm_clock, |d, now| d.confirm_clock(now));
        wire!(slow, on_import_bundles, |d, now| d.import_bundles(now));
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
        wire!(on_close_form, |d, _now| d.close_form());
        wire!(on_amend_answer, |d, now, question, value, reason| d
            .amend_answer(&question, &value, &reason, now));
        wire!(on_record_breach, |d, now, what, risk| d
            .record_breach(&what, &risk, now));
        wire!(on_breach_reported, |d, now, id, reference| d
            .breach_reported(&id, &reference, now));
        wire!(on_save_backup_schedule, |d, now, folder, time| d
            .save_backup_schedule(&folder, &time, now));
        wire!(slow, on_backup_now, |d, now| d.backup_now(now));
        wire!(on_save_setting, |d, now, key, value| d
            .save_setting(&key, &value, now));
        wire!(on_save_folders, |d, now, exchange, outbox| d
            .save_folders(&exchange, &outbox, now));
        // Slow: a photo of the QR code is decoded and searched (a 12 MP JPEG: about a second).
        wire!(slow, on_pair_kiosk, |d, now, code, replace| d
            .pair_kiosk(&code, replace, now));
        wire!(on_revoke_kiosk, |d, now, id| d.revoke_kiosk(&id, now));
        wire!(on_confirm_kiosk, |d, now, id, code| d
            .confirm_kiosk(&id, &code, now));
        wire!(on_merge, |d, now, duplicate, reason| d
            .merge_into_open(&duplicate, &reason, now));
        wire!(on_open_staff_keys, |d, _now| d.open_staff_keys());
        wire!(on_close_staff_keys, |d, _now| d.close_staff_keys());
        wire!(
            slow,
            on_add_staff,
            |d, now, name, role, pin, passphrase, again| d.add_staff(
                &name,
                &role,
                &pin,
                &passphrase,
                &again,
                now
            )
        );
        wire!(on_retire_staff, |d, now, id| d.retire_staff(&id, now));
        wire!(slow, on_reset_pin, |d, now, id, pin| d
            .reset_staff_pin(&id, &pin, now));
        wire!(slow, on_change_passphrase, |d, now, current, new, again| d
            .change_passphrase(&current, &new, &again, now));
        wire!(on_new_recovery_key, |d, now| d.new_recovery_key(now));
        g.on_rotate_key(taking_typed!(ctx, DeskAdapter, |c, typed| {
            c.slow(move |d, now| d.rotate_key(&rotation_slots::as_strs(&typed), now))
        }));
        wire!(on_recovery_key_noted, |d, _now| d.recovery_key_noted());
        {
            let ctx = ctx.clone();
            g.on_activity(move || {
                if let Ok(mut desk) = ctx.desk.try_lock() {
                    desk.activity((ctx.clock)());
                }
            });
        }

        // The idle lock (and the backup schedule): checked every second (skipped while a
        // worker holds the desk).
        let tick = slint::Timer::default();
        {
            let ctx = ctx.clone();
            tick.start(
                slint::TimerMode::Repeated,
                std::time::Duration::from_secs(1),
                move || {
                    let now = (ctx.clock)();
                    let Ok(mut desk) = ctx.desk.try_lock() else {
                        return;
                    };
                    let before = desk.screen();
                    desk.tick(now);
                    if let Some(w) = ctx.window.upgrade() {
                        if desk.screen() != before {
                            refresh(&w, &desk, now, &ctx.wipes_seen, ctx.mode);
                        }
                        w.global::<DeskAdapter>()
                            .set_wipe_typed_secret(desk.typed_secret_abandoned(now));
                    }
                    // A scheduled backup, off the UI thread like any slow step.
                    let due = desk.backup_due(now);
                    drop(desk);
                    if due {
                        ctx.work(false, |d, now| d.run_scheduled_backup(now));
                    }
                },
            );
        }
        refresh(
            &window,
            &lock(&ctx.desk),
            (ctx.clock)(),
            &ctx.wipes_seen,
            ctx.mode,
        );
        Ok(DeskUi {
            window,
            ctx,
            _tick: tick,
        })
    }

    /// Runs a closure against the controller, then refreshes (tests).
    pub fn with_desk<R>(&self, f: impl FnOnce(&mut Desk) -> R) -> R {
        let r = f(&mut lock(&self.ctx.desk));
        refresh(
            &self.window,
            &lock(&self.ctx.desk),
            (self.ctx.clock)(),
            &self.ctx.wipes_seen,
            self.ctx.mode,
        );
        r
    }

    /// Runs the window until it closes; what was copied from it is cleared as it goes.
    pub fn run(&self) -> Result<(), slint::PlatformError> {
        let result = self.window.run();
        if self.ctx.mode == WorkMode::Background {
            clipboard::forget();
        }
        result
    }
}
