//! The handover's form in memory: answers, consent ticks, signature and position. Wiped by
//! replacing it with a blank one (the old one zeroizes its answers on drop).

use std::collections::BTreeMap;

use crate::forms::{
    AnswerValue, Answers, FormDefinition, FormProblem, PatientIdentity, QuestionKind, Signature,
};
use crate::store::ConfirmedPatient;

/// Which page of the handover is showing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Notice,
    Section(usize),
    Consents,
    /// Every answer and choice as the clinic will read them, each part with an "Edit".
    Review,
    Sign,
}

#[derive(Default)]
pub struct FormState {
    pub step_index: usize,
    pub language: String,
    pub answers: Answers,
    /// Consent item → ticked. Absent means not ticked: nothing starts granted.
    pub ticked: BTreeMap<String, bool>,
    pub signature: Signature,
    pub problems: Vec<FormProblem>,
    pub signature_missing: bool,
    pub show_full_notice: bool,
    /// Set when a returning patient was found by the three-point check.
    pub returning_patient: Option<String>,
    /// The proof that the returning patient typed their own date of birth on the tablet in this
    /// handover (the wrong-patient guard): only with it are their earlier consent decisions shown
    /// and is the form saved under them. Gone with the form.
    pub confirmed: Option<ConfirmedPatient>,
    pub dob_attempts: u32,
    pub dob_failed: bool,
    /// Earlier decisions per consent item, loaded only after the date of birth matched.
    pub previous_consents: std::collections::BTreeMap<String, crate::forms::Decision>,
    /// The patient came from the review page to change a part: that part offers the way back.
    pub editing_from_review: bool,
}

/// Tries at the date-of-birth guard before the tablet asks for staff.
pub const DOB_ATTEMPTS: u32 = 3;

impl FormState {
    pub fn blank(language: &str, returning_patient: Option<String>) -> FormState {
        FormState {
            language: language.to_owned(),
            returning_patient,
            ..FormState::default()
        }
    }

    pub fn step_count(definition: &FormDefinition) -> usize {
        definition.sections.len() + 4
    }

    pub fn step(&self, definition: &FormDefinition) -> Step {
        let sections = definition.sections.len();
        match self.step_index {
            0 => Step::Notice,
            i if i <= sections => Step::Section(i - 1),
            i if i == sections + 1 => Step::Consents,
            i if i == sections + 2 => Step::Review,
            _ => Step::Sign,
        }
    }

    /// Whether the returning patient's date of birth was confirmed in this handover.
    pub fn dob_confirmed(&self) -> bool {
        self.confirmed.is_some()
    }

    pub fn is_ticked(&self, item: &str) -> bool {
        self.ticked.get(item).copied().unwrap_or(false)
    }

    /// Stores what the patient typed, by the question's kind. Blank text removes the answer.
    /// Text beyond the question's cap is not taken: the answer keeps its first `max_length`
    /// characters.
    pub fn set_text(&mut self, definition: &FormDefinition, question_id: &str, text: &str) {
        let Some(q) = definition.questions().find(|q| q.id == question_id) else {
            return;
        };
        let capped: String;
        let text = match text.char_indices().nth(q.max_length()) {
            Some((end, _)) => {
                capped = text[..end].to_owned();
                capped.as_str()
            }
            None => text,
        };
        if text.trim().is_empty() {
            if let Some(mut old) = self.answers.0.remove(question_id) {
                zeroize::Zeroize::zeroize(&mut old);
            }
            return;
        }
        let value = match q.kind {
            QuestionKind::Date => AnswerValue::Date(text.trim().to_owned()),
            QuestionKind::Number => match text.trim().replace(',', ".").parse::<f64>() {
                Ok(n) if n.is_finite() => AnswerValue::Number(n),
                _ => AnswerValue::Text(text.to_owned()),
            },
            _ => AnswerValue::Text(text.to_owned()),
        };
        self.answers.set(question_id, value);
    }

    pub fn toggle_choice(
        &mut self,
        definition: &FormDefinition,
        question_id: &str,
        choice_id: &str,
    ) {
        let Some(q) = definition.questions().find(|q| q.id == question_id) else {
            return;
        };
        if !q.choices.iter().any(|c| c.id == choice_id) {
            return;
        }
        match q.kind {
            QuestionKind::Choice => self
                .answers
                .set(question_id, AnswerValue::Choice(choice_id.to_owned())),
            QuestionKind::MultiChoice => {
                let mut chosen = match self.answers.get(question_id) {
                    Some(AnswerValue::Choices(v)) => v.clone(),
                    _ => Vec::new(),
                };
                if let Some(at) = chosen.iter().position(|c| c == choice_id) {
                    chosen.remove(at);
                } else {
                    chosen.push(choice_id.to_owned());
                }
                self.answers.set(question_id, AnswerValue::Choices(chosen));
            }
            _ => {}
        }
    }

    /// The text shown in a field for `question_id` (what was typed, or the number).
    pub fn text_of(&self, question_id: &str) -> String {
        match self.answers.get(question_id) {
            Some(AnswerValue::Text(t) | AnswerValue::Date(t)) => t.clone(),
            Some(AnswerValue::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    }

    /// The identity the patient entered (identity questions), for the patient record.
    pub fn identity(&self) -> PatientIdentity {
        let mut identity = PatientIdentity::default();
        use crate::forms::identity_ids as id;
        identity.given_name = self.text_of(id::GIVEN_NAME);
        identity.family_name = self.text_of(id::FAMILY_NAME);
        identity.date_of_birth = self.text_of(id::DATE_OF_BIRTH);
        identity.postcode = self.text_of(id::POSTCODE);
        identity.email = self.text_of(id::EMAIL);
        identity.phone = self.text_of(id::PHONE);
        identity
    }

    /// The medical answers: visible, non-identity questions only.
    pub fn medical_answers(&self, definition: &FormDefinition) -> Answers {
        let mut out = Answers::default();
        for q in definition
            .questions()
            .filter(|q| !q.identity && definition.is_visible(q, &self.answers))
        {
            if let Some(v) = self.answers.get(&q.id) {
                out.set(&q.id, v.clone());
            }
        }
        out
    }

    /// Appends a point of the finger's path to the signature (SVG path in a 600×200 box).
    pub fn sign_point(&mut self, x: f32, y: f32, new_stroke: bool) {
        let x = x.clamp(0.0, 600.0);
        let y = y.clamp(0.0, 200.0);
        let command = if new_stroke || self.signature.svg_path.is_empty() {
            'M'
        } else {
            'L'
        };
        if !self.signature.svg_path.is_empty() {
            self.signature.svg_path.push(' ');
        }
        self.signature
            .svg_path
            .push_str(&format!("{command} {x:.0} {y:.0}"));
        if command == 'M' {
            // A dot is drawn as a tiny line so that a tap shows on screen.
            self.signature
                .svg_path
                .push_str(&format!(" L {:.0} {:.0}", x + 1.0, y + 1.0));
        }
        self.signature_missing = false;
    }
}
