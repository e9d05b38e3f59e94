//! The patient's form page: the step shown, its questions and consents, and the one problem
//! under the page. Rebuilt only when the controller's form revision changes (typing does not
//! rebuild it, so a field never loses focus under the patient's finger); the countdown, PIN
//! prompt and signature change on their own ([`HandoverChrome`]).

use zeroize::Zeroize;

use super::with_clinic;
use crate::forms::{
    AnswerValue, Decision, FormDefinition, FormProblem, Question, QuestionKind, tr,
};
use crate::kiosk::{DOB_ATTEMPTS, FormState, Kiosk, Message, Step};
use crate::session::Screen;

/// What changes on the handover page without a new revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandoverChrome {
    /// Seconds left before an idle handover is wiped, while the warning shows.
    pub countdown: Option<u32>,
    pub pin_prompt: bool,
    pub signature_path: String,
    pub show_full_notice: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChoiceView {
    pub id: String,
    pub label: String,
    pub selected: bool,
}

/// One question of the step shown. `text` is what the patient typed (wiped when dropped).
#[derive(Clone, Debug, PartialEq)]
pub struct QuestionView {
    pub id: String,
    pub kind: QuestionKind,
    pub label: String,
    pub help: String,
    pub required: bool,
    /// False while a condition on another answer hides it.
    pub visible: bool,
    pub text: String,
    pub yes: bool,
    pub no: bool,
    /// The options in the order they are laid out: a one-choice question's in a row, reversed
    /// for a language written right to left (read from the right, the first option first); a
    /// multi-choice question's in a column, as the form lists them.
    pub choices: Vec<ChoiceView>,
    /// The first problem with its answer, in words ("" for none).
    pub problem: String,
    /// The longest answer taken, in characters.
    pub max_length: usize,
}

impl Drop for QuestionView {
    fn drop(&mut self) {
        self.text.zeroize();
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentView {
    pub id: String,
    pub title: String,
    pub text: String,
    pub granted: bool,
    pub required: bool,
    /// The returning patient's earlier decision (after their date of birth matched).
    pub previous: Option<Decision>,
}

/// A returning patient's date-of-birth check (the wrong-patient guard) before their earlier
/// choices show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DobCheck {
    /// A new patient: nothing to check.
    NotAsked,
    /// Waiting for the date of birth; `failed` after a wrong one.
    Asked {
        failed: bool,
    },
    /// Too many wrong dates of birth: the earlier choices stay hidden for this handover.
    Locked,
    Confirmed,
}

impl DobCheck {
    pub fn of(form: &FormState) -> DobCheck {
        if form.returning_patient.is_none() {
            DobCheck::NotAsked
        } else if form.dob_confirmed() {
            DobCheck::Confirmed
        } else if form.dob_attempts >= DOB_ATTEMPTS {
            DobCheck::Locked
        } else {
            DobCheck::Asked {
                failed: form.dob_failed,
            }
        }
    }
}

/// The handover page in the patient's language.
#[derive(Clone, Debug, PartialEq)]
pub struct HandoverView {
    pub language: String,
    pub step: usize,
    pub step_count: usize,
    pub kind: Step,
    /// The form's title on the notice, a section's title, "" on the later steps.
    pub title: String,
    pub notice_summary: String,
    pub notice_full: String,
    /// The questions of the section shown (none on the other steps).
    pub questions: Vec<QuestionView>,
    pub consents: Vec<ConsentView>,
    pub dob: DobCheck,
    /// The one problem under the page ("" for none; a message for staff takes its place).
    pub problems: String,
}

impl Kiosk {
    pub fn handover_chrome(&self) -> HandoverChrome {
        HandoverChrome {
            countdown: self.countdown(),
            pin_prompt: self.pin_prompt(),
            signature_path: self.form.signature.svg_path.clone(),
            show_full_notice: self.form.show_full_notice,
        }
    }

    /// The handover page, and the revision it was built at: (form revision, screen).
    pub fn handover_view(&self) -> ((u64, Screen), HandoverView) {
        (
            (self.form_revision, self.screen()),
            handover_view(
                self.definition(),
                &self.form,
                self.clinic_name(),
                self.message(),
            ),
        )
    }
}

/// The page for `form` under `definition`; `message` is what the controller has to say (it
/// stands in for the page's own problem).
pub fn handover_view(
    definition: &FormDefinition, form: &FormState, clinic: &str, message: Option<&Message>,
) -> HandoverView {
    let lang = form.language.as_str();
    let step = form.step(definition);
    let title = match step {
        Step::Notice => with_clinic(tr(&definition.title, lang), clinic),
        Step::Section(i) => tr(&definition.sections[i].title, lang).to_owned(),
        Step::Consents | Step::Review | Step::Sign => String::new(),
    };
    let questions = match step {
        Step::Section(i) => definition.sections[i]
            .questions
            .iter()
            .map(|q| question_view(definition, form, q))
            .collect(),
        _ => Vec::new(),
    };
    let consents = definition
        .consents
        .iter()
        .map(|c| ConsentView {
            id: c.id.clone(),
            title: with_clinic(tr(&c.title, lang), clinic),
            text: with_clinic(tr(&c.text, lang), clinic),
            granted: form.is_ticked(&c.id),
            required: c.required,
            previous: form.previous_consents.get(&c.id).copied(),
        })
        .collect();
    HandoverView {
        language: lang.to_owned(),
        step: form.step_index,
        step_count: FormState::step_count(definition),
        kind: step,
        title,
        notice_summary: with_clinic(tr(&definition.notice.summary, lang), clinic),
        notice_full: with_clinic(tr(&definition.notice.full_text, lang), clinic),
        questions,
        consents,
        dob: DobCheck::of(form),
        problems: page_problem(definition, form, step, message)
            .map_or_else(String::new, |m| m.text(lang)),
    }
}

fn question_view(definition: &FormDefinition, form: &FormState, q: &Question) -> QuestionView {
    let lang = form.language.as_str();
    let answer = form.answers.get(&q.id);
    let mut choices: Vec<ChoiceView> = q
        .choices
        .iter()
        .map(|c| ChoiceView {
            id: c.id.clone(),
            label: tr(&c.label, lang).to_owned(),
            selected: match answer {
                Some(AnswerValue::Choice(x)) => *x == c.id,
                Some(AnswerValue::Choices(v)) => v.contains(&c.id),
                _ => false,
            },
        })
        .collect();
    if q.kind == QuestionKind::Choice && crate::i18n::right_to_left(lang) {
        choices.reverse();
    }
    QuestionView {
        id: q.id.clone(),
        kind: q.kind.clone(),
        label: tr(&q.label, lang).to_owned(),
        help: tr(&q.help, lang).to_owned(),
        required: q.required,
        visible: definition.is_visible(q, &form.answers),
        text: form.text_of(&q.id),
        yes: matches!(answer, Some(AnswerValue::YesNo(true))),
        no: matches!(answer, Some(AnswerValue::YesNo(false))),
        choices,
        problem: first_problem(&form.problems, &q.id).map_or_else(String::new, |m| m.text(lang)),
        max_length: q.max_length(),
    }
}

/// The first of `problems` about `question` (the checks list them in the order they matter).
pub fn first_problem(problems: &[FormProblem], question: &str) -> Option<Message> {
    problems
        .iter()
        .filter(|p| p.question() == Some(question))
        .find_map(Message::for_answer)
}

/// The one problem under the page: a missing treatment consent on the consents page; else a note
/// that answers need attention, on a section that has one of them and on the review and signing
/// pages (the review checks the answers as they stand, as Submit will); else, on the signing
/// page, a missing signature or one wiped by a later change. Nothing while the controller has a
/// message of its own.
pub fn page_problem(
    definition: &FormDefinition, form: &FormState, step: Step, message: Option<&Message>,
) -> Option<Message> {
    if message.is_some() {
        return None;
    }
    let live;
    let problems = if step == Step::Review {
        live = form.check(definition);
        &live
    } else {
        &form.problems
    };
    let consent_missing = problems
        .iter()
        .any(|p| matches!(p, FormProblem::ConsentRequired { .. }));
    let on_this_page = |p: &FormProblem| match (step, p.question()) {
        (Step::Section(i), Some(question)) => definition
            .sections
            .get(i)
            .is_some_and(|s| s.questions.iter().any(|q| q.id == question)),
        (Step::Review | Step::Sign, _) => true,
        _ => false,
    };
    if consent_missing && step == Step::Consents {
        Some(Message::TreatmentConsentNeeded)
    } else if problems.iter().any(on_this_page) {
        Some(Message::FormProblems)
    } else if step == Step::Sign && form.signature_missing {
        Some(Message::SignatureMissing)
    } else if step == Step::Sign && form.sign_again {
        Some(Message::SignAgain)
    } else {
        None
    }
}
