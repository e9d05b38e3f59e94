//! States, events and transitions.

/// What the kiosk shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Screen {
    /// First run: set up the clinic.
    FirstRun,
    /// Keys dropped; a manager passphrase opens it for the day.
    Closed,
    /// PIN pad (with the list of staff names).
    Locked,
    /// Staff home: start a handover, today's submissions, staff management.
    StaffHome,
    /// One patient fills in their form. Nothing else is reachable.
    Handover,
    /// "Please hand the tablet back": only a staff PIN leaves it.
    HandBack,
}

impl Screen {
    /// Screens that show a patient's form, or nothing at all of anyone's.
    pub fn is_patient_facing(self) -> bool {
        matches!(self, Screen::Handover | Screen::HandBack)
    }
}

/// A key combination the UI reports instead of acting on (all are swallowed in handover).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShortcutKey {
    Escape,
    AltF4,
    Tab,
    CtrlAny,
    MetaAny,
}

/// Everything that can happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    SetupCompleted,
    PassphraseAccepted,
    PassphraseRejected,
    PinAccepted,
    PinRejected,
    StartHandover,
    /// The patient typed, ticked or drew something.
    PatientInput,
    /// A valid form was saved.
    FormSubmitted,
    /// A submit that failed validation (the form stays).
    SubmitRejected,
    /// The patient asked for staff (the discreet staff button): shows a PIN prompt overlay.
    StaffButton,
    /// The PIN prompt overlay was dismissed.
    PinPromptCancelled,
    /// Idle long enough to warn (countdown shows).
    IdleWarning,
    /// Any touch after the warning.
    StillHere,
    /// Idle too long.
    IdleTimeout,
    CloseRequested,
    Key(ShortcutKey),
    LockNow,
    CloseForDay,
}

/// Side effects the caller must carry out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Clear the half-filled form from memory.
    WipeForm,
    /// Drop the data key (close the vault).
    DropKeys,
    /// Start a blank form for a new handover.
    BlankForm,
    /// Refuse the window close request.
    RefuseClose,
    /// Show or hide the idle countdown.
    ShowCountdown(bool),
    /// Show or hide the PIN prompt overlay in handover.
    ShowPinPrompt(bool),
}

/// The session: the screen and the few facts the rules need.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Session {
    screen: Screen,
    /// The form holds patient input (only ever true in `Handover`).
    form_dirty: bool,
    countdown: bool,
    pin_prompt: bool,
}

impl Session {
    pub fn new(set_up: bool) -> Session {
        Session {
            screen: if set_up {
                Screen::Closed
            } else {
                Screen::FirstRun
            },
            form_dirty: false,
            countdown: false,
            pin_prompt: false,
        }
    }

    pub fn screen(&self) -> Screen {
        self.screen
    }
    pub fn form_dirty(&self) -> bool {
        self.form_dirty
    }
    pub fn countdown(&self) -> bool {
        self.countdown
    }
    pub fn pin_prompt(&self) -> bool {
        self.pin_prompt
    }

    fn go(&mut self, screen: Screen, effects: &mut Vec<Effect>) {
        if self.screen == Screen::Handover && screen != Screen::Handover {
            self.form_dirty = false;
            effects.push(Effect::WipeForm);
        }
        if self.countdown {
            self.countdown = false;
            effects.push(Effect::ShowCountdown(false));
        }
        if self.pin_prompt {
            self.pin_prompt = false;
            effects.push(Effect::ShowPinPrompt(false));
        }
        self.screen = screen;
    }

    /// Applies `event`; returns the effects to carry out. Events that do not apply change nothing.
    #[must_use = "the effects (wipe the form, drop the keys, …) must be carried out"]
    pub fn handle(&mut self, event: Event) -> Vec<Effect> {
        use Event as E;
        use Screen as S;
        let mut fx = Vec::new();
        match (self.screen, event) {
            // Close requests and shortcuts are refused everywhere: the kiosk is closed for the day
            // from the staff screen, which drops the keys properly.
            (_, E::CloseRequested) => fx.push(Effect::RefuseClose),
            (_, E::Key(_)) => {}

            (S::FirstRun, E::SetupCompleted) => self.go(S::Locked, &mut fx),
            (S::Closed, E::PassphraseAccepted) => self.go(S::Locked, &mut fx),
            (S::Locked, E::PinAccepted) => self.go(S::StaffHome, &mut fx),
            (S::Locked, E::IdleTimeout) => {}

            (S::StaffHome, E::StartHandover) => {
                self.go(S::Handover, &mut fx);
                self.form_dirty = false;
                fx.push(Effect::BlankForm);
            }
            (S::StaffHome, E::LockNow | E::IdleTimeout) => self.go(S::Locked, &mut fx),
            (S::StaffHome, E::CloseForDay) => {
                self.go(S::Closed, &mut fx);
                fx.push(Effect::DropKeys);
            }

            (S::Handover, E::PatientInput | E::StillHere) => {
                if event == E::PatientInput {
                    self.form_dirty = true;
                }
                if self.countdown {
                    self.countdown = false;
                    fx.push(Effect::ShowCountdown(false));
                }
            }
            (S::Handover, E::IdleWarning) if !self.countdown => {
                self.countdown = true;
                fx.push(Effect::ShowCountdown(true));
            }
            (S::Handover, E::IdleTimeout) => self.go(S::HandBack, &mut fx),
            (S::Handover, E::FormSubmitted) => self.go(S::HandBack, &mut fx),
            (S::Handover, E::StaffButton) if !self.pin_prompt => {
                self.pin_prompt = true;
                fx.push(Effect::ShowPinPrompt(true));
            }
            (S::Handover, E::PinPromptCancelled) if self.pin_prompt => {
                self.pin_prompt = false;
                fx.push(Effect::ShowPinPrompt(false));
            }
            // Staff end a handover early only through the PIN prompt.
            (S::Handover, E::PinAccepted) if self.pin_prompt => self.go(S::StaffHome, &mut fx),
            (S::HandBack, E::PinAccepted) => self.go(S::StaffHome, &mut fx),

            _ => {}
        }
        fx
    }
}

#[cfg(test)]
mod tests;
