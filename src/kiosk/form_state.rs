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
    /// A signature was wiped because the answers, choices or language changed after it was
    /// drawn: the signing page asks for it again.
    pub sign_again: bool,
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
        let text = match text.char_indices().nth(q.max_length()) {
            Some((end, _)) => &text[..end],
            None => text,
        };
        let value = if text.trim().is_empty() {
            None
        } else {
            Some(match q.kind {
                QuestionKind::Date => AnswerValue::Date(text.trim().to_owned()),
                QuestionKind::Number => match text.trim().replace(',', ".").parse::<f64>() {
                    Ok(n) if n.is_finite() => AnswerValue::Number(n),
                    _ => AnswerValue::Text(text.to_owned()),
                },
                _ => AnswerValue::Text(text.to_owned()),
            })
        };
        self.set_answer(definition, question_id, value);
    }

    /// A yes or no for `question_id` (a question of the form).
    pub fn set_yes_no(&mut self, definition: &FormDefinition, question_id: &str, value: bool) {
        if definition.questions().any(|q| q.id == question_id) {
            self.set_answer(definition, question_id, Some(AnswerValue::YesNo(value)));
        }
    }

    pub fn toggle_choice(
        &mut self, definition: &FormDefinition, question_id: &str, choice_id: &str,
    ) {
        let Some(q) = definition.questions().find(|q| q.id == question_id) else {
            return;
        };
        if !q.choices.iter().any(|c| c.id == choice_id) {
            return;
        }
        let value = match q.kind {
            QuestionKind::Choice => AnswerValue::Choice(choice_id.to_owned()),
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
                AnswerValue::Choices(chosen)
            }
            _ => return,
        };
        self.set_answer(definition, question_id, Some(value));
    }

    /// Ticks or unticks one consent box.
    pub fn set_consent(&mut self, definition: &FormDefinition, item_id: &str, ticked: bool) {
        if self.is_ticked(item_id) != ticked {
            self.ticked.insert(item_id.to_owned(), ticked);
            self.changed(definition);
        }
    }

    /// The patient's language for the rest of the handover.
    pub fn set_language(&mut self, definition: &FormDefinition, language: &str) {
        if self.language != language {
            language.clone_into(&mut self.language);
            self.changed(definition);
        }
    }

    /// Every problem Submit refuses the form for: the definition's checks of these answers and
    /// ticks, in the order they matter.
    pub fn check(&self, definition: &FormDefinition) -> Vec<FormProblem> {
        definition.validate(&self.answers, &|item| self.is_ticked(item))
    }

    /// The answer to `question_id` becomes `value` (none removes it); a value equal to the one
    /// held changes nothing. What it replaces is wiped.
    fn set_answer(
        &mut self, definition: &FormDefinition, question_id: &str, value: Option<AnswerValue>,
    ) {
        if self.answers.get(question_id) == value.as_ref() {
            if let Some(mut same) = value {
                zeroize::Zeroize::zeroize(&mut same);
            }
            return;
        }
        match value {
            Some(value) => self.answers.set(question_id, value),
            None => {
                if let Some(mut old) = self.answers.0.remove(question_id) {
                    zeroize::Zeroize::zeroize(&mut old);
                }
            }
        }
        self.changed(definition);
    }

    /// After the patient changed an answer, a consent box or the language: problems already
    /// shown are checked again (a fixed one goes at once, the page's own note with it), and a
    /// signature drawn before the change is wiped — it was given to what the review showed then,
    /// and the signing page asks for it again.
    fn changed(&mut self, definition: &FormDefinition) {
        if !self.problems.is_empty() {
            self.problems = self.check(definition);
        }
        if !self.signature.is_empty() {
            self.signature = Signature::default();
            self.sign_again = true;
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
        self.sign_again = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::FormProblem;

    fn signed(definition: &FormDefinition) -> FormState {
        let mut form = FormState::blank("en", None);
        form.set_text(definition, "given_name", "Ada");
        form.set_consent(definition, "treatment", true);
        form.sign_point(10.0, 10.0, true);
        form.sign_point(40.0, 30.0, false);
        form
    }

    #[test]
    fn a_change_after_signing_wipes_the_signature() {
        let def = FormDefinition::built_in();
        type Change = fn(&mut FormState, &FormDefinition);
        let changes: [(&str, Change); 6] = [
            ("text", |f, d| f.set_text(d, "given_name", "Eve")),
            ("blanked", |f, d| f.set_text(d, "given_name", " ")),
            ("yes/no", |f, d| f.set_yes_no(d, "pregnant", true)),
            ("choice", |f, d| f.toggle_choice(d, "smoking", "never")),
            ("consent", |f, d| f.set_consent(d, "marketing_sms", true)),
            ("language", |f, d| f.set_language(d, "fr")),
        ];
        for (what, change) in changes {
            let mut form = signed(&def);
            change(&mut form, &def);
            assert!(form.signature.is_empty(), "{what}");
            assert!(form.sign_again, "{what}");
            form.sign_point(5.0, 5.0, true);
            assert!(!form.sign_again, "{what}: signed again");
        }
    }

    #[test]
    fn the_same_value_again_is_no_change() {
        let def = FormDefinition::built_in();
        let mut form = signed(&def);
        form.set_text(&def, "given_name", "Ada");
        form.set_consent(&def, "treatment", true);
        form.set_consent(&def, "marketing_sms", false);
        form.set_language(&def, "en");
        form.set_yes_no(&def, "no_such_question", true);
        form.toggle_choice(&def, "smoking", "no_such_choice");
        assert!(!form.signature.is_empty());
        assert!(!form.sign_again);
    }

    #[test]
    fn problems_shown_are_checked_again_as_the_patient_fixes_them() {
        let def = FormDefinition::built_in();
        let mut form = FormState::blank("en", None);
        form.set_text(&def, "stress", "15");
        assert!(form.problems.is_empty(), "nothing shown before a submit");
        form.problems = form.check(&def);
        let out_of_range = FormProblem::OutOfRange {
            question: "stress".into(),
        };
        let consent = FormProblem::ConsentRequired {
            item: "treatment".into(),
        };
        assert!(form.problems.contains(&out_of_range));
        assert!(form.problems.contains(&consent));
        form.set_text(&def, "stress", "5");
        assert!(
            !form.problems.contains(&out_of_range),
            "fixed: gone at once"
        );
        assert!(form.problems.contains(&consent), "the others stay");
        form.set_consent(&def, "treatment", true);
        assert!(!form.problems.contains(&consent));
    }
}
