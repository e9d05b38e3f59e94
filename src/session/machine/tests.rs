use super::*;

fn at(screen: Screen) -> Session {
    let mut s = Session::new(true);
    let path: &[Event] = match screen {
        Screen::FirstRun => return Session::new(false),
        Screen::Closed => &[],
        Screen::Locked => &[Event::PassphraseAccepted],
        Screen::StaffHome => &[Event::PassphraseAccepted, Event::PinAccepted],
        Screen::Handover => &[
            Event::PassphraseAccepted,
            Event::PinAccepted,
            Event::StartHandover,
        ],
        Screen::HandBack => &[
            Event::PassphraseAccepted,
            Event::PinAccepted,
            Event::StartHandover,
            Event::FormSubmitted,
        ],
    };
    for e in path {
        let _ = s.handle(*e);
    }
    assert_eq!(s.screen(), screen);
    s
}

#[test]
fn the_day_in_order() {
    let mut s = Session::new(false);
    assert_eq!(s.screen(), Screen::FirstRun);
    let _ = s.handle(Event::SetupCompleted);
    assert_eq!(s.screen(), Screen::Locked);
    let _ = s.handle(Event::PinAccepted);
    assert_eq!(s.screen(), Screen::StaffHome);
    assert_eq!(s.handle(Event::StartHandover), vec![Effect::BlankForm]);
    let _ = s.handle(Event::PatientInput);
    assert!(s.form_dirty());
    assert_eq!(s.handle(Event::FormSubmitted), vec![Effect::WipeForm]);
    assert_eq!(s.screen(), Screen::HandBack);
    let _ = s.handle(Event::PinAccepted);
    assert_eq!(s.screen(), Screen::StaffHome);
    assert_eq!(s.handle(Event::CloseForDay), vec![Effect::DropKeys]);
    assert_eq!(s.screen(), Screen::Closed);
}

#[test]
fn only_the_passphrase_opens_a_closed_kiosk() {
    for e in all_events() {
        let mut s = at(Screen::Closed);
        let _ = s.handle(e);
        let expected = if e == Event::PassphraseAccepted {
            Screen::Locked
        } else {
            Screen::Closed
        };
        assert_eq!(s.screen(), expected, "{e:?}");
    }
}

#[test]
fn idle_in_staff_screens_locks_and_in_handover_wipes() {
    let mut s = at(Screen::StaffHome);
    let _ = s.handle(Event::IdleTimeout);
    assert_eq!(s.screen(), Screen::Locked);

    let mut s = at(Screen::Handover);
    let _ = s.handle(Event::PatientInput);
    assert_eq!(
        s.handle(Event::IdleWarning),
        vec![Effect::ShowCountdown(true)]
    );
    assert_eq!(
        s.handle(Event::StillHere),
        vec![Effect::ShowCountdown(false)]
    );
    let _ = s.handle(Event::IdleWarning);
    let fx = s.handle(Event::IdleTimeout);
    assert!(fx.contains(&Effect::WipeForm));
    assert_eq!(s.screen(), Screen::HandBack);
    assert!(!s.form_dirty());
}

#[test]
fn close_requests_are_refused_everywhere() {
    for screen in [
        Screen::FirstRun,
        Screen::Closed,
        Screen::Locked,
        Screen::StaffHome,
        Screen::Handover,
        Screen::HandBack,
    ] {
        let mut s = at(screen);
        assert_eq!(s.handle(Event::CloseRequested), vec![Effect::RefuseClose]);
        assert_eq!(s.screen(), screen);
    }
}

#[test]
fn a_pin_in_handover_counts_only_through_the_staff_prompt() {
    let mut s = at(Screen::Handover);
    let _ = s.handle(Event::PinAccepted);
    assert_eq!(
        s.screen(),
        Screen::Handover,
        "no prompt open: a stray PIN event does nothing"
    );
    let _ = s.handle(Event::StaffButton);
    assert!(s.pin_prompt());
    let _ = s.handle(Event::PinRejected);
    assert_eq!(s.screen(), Screen::Handover);
    let fx = s.handle(Event::PinAccepted);
    assert!(fx.contains(&Effect::WipeForm));
    assert_eq!(s.screen(), Screen::StaffHome);
}

fn all_events() -> Vec<Event> {
    use ShortcutKey::*;
    vec![
        Event::SetupCompleted,
        Event::PassphraseAccepted,
        Event::PassphraseRejected,
        Event::PinAccepted,
        Event::PinRejected,
        Event::StartHandover,
        Event::PatientInput,
        Event::FormSubmitted,
        Event::SubmitRejected,
        Event::StaffButton,
        Event::PinPromptCancelled,
        Event::IdleWarning,
        Event::StillHere,
        Event::IdleTimeout,
        Event::CloseRequested,
        Event::Key(Escape),
        Event::Key(AltF4),
        Event::Key(Tab),
        Event::Key(CtrlAny),
        Event::Key(MetaAny),
        Event::LockNow,
        Event::CloseForDay,
    ]
}

/// Explores every sequence of `depth` events from `start`, layer by layer. Each layer maps a
/// session to the number of distinct sequences that lead to it: the transition depends only on
/// the session, so checking each (session, event) pair once per layer checks every sequence.
/// `check(before, event, after)` is called for every transition reached. Returns how many
/// sequences were covered.
fn explore(
    start: Session, depth: u32, events: &[Event], mut check: impl FnMut(Session, Event, Session),
) -> u128 {
    use std::collections::HashMap;
    let mut layer: HashMap<Session, u128> = HashMap::from([(start, 1)]);
    for _ in 0..depth {
        let mut next_layer: HashMap<Session, u128> = HashMap::new();
        for (session, paths) in &layer {
            for e in events {
                let mut next = *session;
                let _ = next.handle(*e);
                check(*session, *e, next);
                *next_layer.entry(next).or_default() += paths;
            }
        }
        layer = next_layer;
    }
    layer.values().sum()
}

/// Every sequence of events a patient can cause (everything but a correct PIN), depth 8 from
/// Handover: the kiosk stays on patient screens, and once it leaves Handover the form is blank.
#[test]
fn no_sequence_without_a_pin_leaves_the_patient_screens() {
    let patient_events: Vec<Event> = all_events()
        .into_iter()
        .filter(|e| *e != Event::PinAccepted)
        .collect();
    let covered = explore(
        at(Screen::Handover),
        8,
        &patient_events,
        |before, e, after| {
            assert!(
                after.screen().is_patient_facing(),
                "{e:?} from {before:?} reached {:?}",
                after.screen()
            );
            if after.screen() != Screen::Handover {
                assert!(!after.form_dirty(), "answers survived leaving the handover");
            }
        },
    );
    assert_eq!(covered, (patient_events.len() as u128).pow(8));
}

/// With correct PINs too, depth 10 from Handover: every step out of the patient screens is a
/// correct PIN and lands on staff home with the form wiped; nothing reaches `Closed` or another
/// record (a new handover) without passing staff home, i.e. without a PIN.
#[test]
fn every_way_out_of_handover_is_a_correct_pin() {
    let events = all_events();
    let covered = explore(at(Screen::Handover), 10, &events, |before, e, after| {
        if before.screen().is_patient_facing() && !after.screen().is_patient_facing() {
            assert_eq!(e, Event::PinAccepted, "left {:?} by {e:?}", before.screen());
            assert_eq!(after.screen(), Screen::StaffHome);
            assert!(!after.form_dirty());
        }
        if e == Event::StartHandover
            && after.screen() == Screen::Handover
            && before.screen() != Screen::Handover
        {
            assert_eq!(before.screen(), Screen::StaffHome);
            assert!(!after.form_dirty(), "a new handover starts blank");
        }
    });
    assert_eq!(covered, (events.len() as u128).pow(10));
}
