//! The review page before signing: every answer as the clinic will read it (the same wording as
//! staff see: [`crate::forms::answer_rows`]), grouped by section with the step to "Edit" it, and
//! each consent with the patient's choice. Plain data for the UI adapter; no Slint types.
//!
//! Only questions shown to the patient appear (an answer to a question hidden since is not saved,
//! so it is not shown either); a shown question left blank says so, so the patient can see what
//! they skipped. The view holds patient data: its texts are wiped when it is dropped.

use std::collections::BTreeMap;

use zeroize::Zeroize;

use super::pages::first_problem;
use super::{FormState, Kiosk, Message, Step};
use crate::forms::{AnswerValue, FormDefinition, FormProblem, answer_rows, tr};

/// One answer as the review shows it. Yes and no are words the UI translates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReviewAnswer {
    /// Text, a number, a date or the chosen labels, as the clinic reads them.
    Text(String),
    Yes,
    No,
    NotAnswered,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewRow {
    pub question_id: String,
    pub label: String,
    pub required: bool,
    pub answer: ReviewAnswer,
    /// What Submit would refuse about this answer, in words ("" for nothing; an unanswered
    /// required question says so in its answer instead).
    pub problem: String,
}

/// One section of the form: its title, its answers and the step that edits it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewSection {
    pub step: usize,
    pub title: String,
    pub rows: Vec<ReviewRow>,
}

/// One consent item and the patient's choice (unticked is "no").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewConsent {
    pub item_id: String,
    pub title: String,
    pub required: bool,
    pub granted: bool,
    /// Why Submit would refuse the choice ("" for nothing): a required consent not given.
    pub problem: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewView {
    pub sections: Vec<ReviewSection>,
    pub consents: Vec<ReviewConsent>,
    /// The step of the consents page (its "Edit").
    pub consents_step: usize,
}

impl Drop for ReviewView {
    fn drop(&mut self) {
        for row in self.sections.iter_mut().flat_map(|s| s.rows.iter_mut()) {
            if let ReviewAnswer::Text(text) = &mut row.answer {
                text.zeroize();
            }
        }
    }
}

/// The review of `form` under `definition`, in the patient's language; `{clinic}` in consent
/// titles is filled with `clinic`.
pub fn review_view(definition: &FormDefinition, form: &FormState, clinic: &str) -> ReviewView {
    let language = form.language.as_str();
    // The checks Submit runs, on the answers as they stand: the review marks all they refuse.
    let problems = form.check(definition);
    let problem_of = |question: &str| match first_problem(&problems, question) {
        Some(Message::AnswerRequired) | None => String::new(),
        Some(message) => message.text(language),
    };
    let mut worded: BTreeMap<String, String> = answer_rows(definition, &form.answers, language)
        .into_iter()
        .map(|row| (row.question_id, row.answer))
        .collect();
    let sections = definition
        .sections
        .iter()
        .enumerate()
        .map(|(i, section)| ReviewSection {
            step: i + 1,
            title: tr(&section.title, language).to_owned(),
            rows: section
                .questions
                .iter()
                .filter(|q| definition.is_visible(q, &form.answers))
                .map(|q| ReviewRow {
                    question_id: q.id.clone(),
                    label: tr(&q.label, language).to_owned(),
                    required: q.required,
                    answer: match form.answers.get(&q.id) {
                        Some(AnswerValue::YesNo(true)) => ReviewAnswer::Yes,
                        Some(AnswerValue::YesNo(false)) => ReviewAnswer::No,
                        Some(_) => match worded.remove(&q.id) {
                            Some(text) if !text.trim().is_empty() => ReviewAnswer::Text(text),
                            _ => ReviewAnswer::NotAnswered,
                        },
                        None => ReviewAnswer::NotAnswered,
                    },
                    problem: problem_of(&q.id),
                })
                .collect(),
        })
        .collect();
    for text in worded.values_mut() {
        text.zeroize();
    }
    let consents = definition
        .consents
        .iter()
        .map(|item| ReviewConsent {
            item_id: item.id.clone(),
            title: tr(&item.title, language).replace("{clinic}", clinic),
            required: item.required,
            granted: form.is_ticked(&item.id),
            problem: if problems
                .iter()
                .any(|p| matches!(p, FormProblem::ConsentRequired { item: i } if *i == item.id))
            {
                Message::TreatmentConsentNeeded.text(language)
            } else {
                String::new()
            },
        })
        .collect();
    ReviewView {
        sections,
        consents,
        consents_step: definition.sections.len() + 1,
    }
}

impl Kiosk {
    /// The review, while the patient is on the review page.
    pub fn review(&self) -> Option<ReviewView> {
        (self.in_handover() && self.form.step(&self.definition) == Step::Review)
            .then(|| review_view(&self.definition, &self.form, &self.clinic_name))
    }

    /// "Edit" on the review page: back to a section (or the consents), which then offers the way
    /// back to the review. Any other step is ignored.
    pub fn edit_from_review(&mut self, step: usize) {
        if !self.in_handover() || self.form.step(&self.definition) != Step::Review {
            return;
        }
        if matches!(
            self.form.step_index_kind(&self.definition, step),
            Some(Step::Section(_) | Step::Consents)
        ) {
            self.form.step_index = step;
            self.form.editing_from_review = true;
            self.apply(crate::session::Event::PatientInput);
            self.form_revision += 1;
        }
    }

    /// From a part opened by "Edit" straight back to the review page.
    pub fn back_to_review(&mut self) {
        if self.in_handover() && self.form.editing_from_review {
            self.form.editing_from_review = false;
            self.form.step_index = self.definition.sections.len() + 2;
            self.apply(crate::session::Event::PatientInput);
            self.form_revision += 1;
        }
    }
}

impl FormState {
    /// The step a given index would show (None past the end).
    fn step_index_kind(&self, definition: &FormDefinition, index: usize) -> Option<Step> {
        (index < FormState::step_count(definition)).then(|| {
            let probe = FormState {
                step_index: index,
                ..FormState::default()
            };
            probe.step(definition)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{kiosk, sign_in};
    use super::*;
    use crate::session::Screen;

    fn filled(language: &str) -> FormState {
        let def = FormDefinition::built_in();
        let mut form = FormState::blank(language, None);
        form.set_text(&def, "given_name", "Ada");
        form.set_text(&def, "date_of_birth", "1985-12-10");
        form.set_text(&def, "stress", "7");
        form.answers.set("pregnant", AnswerValue::YesNo(false));
        form.answers.set("allergies_any", AnswerValue::YesNo(true));
        form.set_text(&def, "allergies_detail", "latex");
        form.toggle_choice(&def, "smoking", "never");
        form.ticked.insert("treatment".into(), true);
        form
    }

    fn row<'a>(view: &'a ReviewView, id: &str) -> Option<&'a ReviewRow> {
        view.sections
            .iter()
            .flat_map(|s| s.rows.iter())
            .find(|r| r.question_id == id)
    }

    #[test]
    fn every_shown_answer_reads_as_the_clinic_reads_it() {
        let def = FormDefinition::built_in();
        let form = filled("en");
        let view = review_view(&def, &form, "Glow");
        assert_eq!(view.sections.len(), def.sections.len());
        assert_eq!(view.sections[0].step, 1);
        assert_eq!(view.sections[0].title, "About you");
        let text = |id: &str| row(&view, id).map(|r| r.answer.clone());
        assert_eq!(text("given_name"), Some(ReviewAnswer::Text("Ada".into())));
        assert_eq!(text("pregnant"), Some(ReviewAnswer::No));
        assert_eq!(text("allergies_any"), Some(ReviewAnswer::Yes));
        assert_eq!(
            text("allergies_detail"),
            Some(ReviewAnswer::Text("latex".into()))
        );
        assert_eq!(text("stress"), Some(ReviewAnswer::Text("7".into())));
        // The same words staff read: choices by label, dates in long form.
        let rows = answer_rows(&def, &form.answers, "en");
        let clinic = |id: &str| {
            rows.iter()
                .find(|r| r.question_id == id)
                .map(|r| ReviewAnswer::Text(r.answer.clone()))
        };
        for id in ["smoking", "date_of_birth", "stress"] {
            assert_eq!(text(id), clinic(id), "{id}");
        }
        assert_ne!(
            text("date_of_birth"),
            Some(ReviewAnswer::Text("1985-12-10".into()))
        );
        // Skipped questions say so.
        assert_eq!(text("family_name"), Some(ReviewAnswer::NotAnswered));
        assert!(row(&view, "family_name").is_some_and(|r| r.required));
    }

    #[test]
    fn the_review_marks_everything_submit_would_refuse() {
        let def = FormDefinition::built_in();
        let mut form = filled("en");
        let view = review_view(&def, &form, "");
        assert!(
            view.sections
                .iter()
                .flat_map(|s| &s.rows)
                .all(|r| r.problem.is_empty()),
            "an unanswered required question says so in its answer, not twice"
        );
        assert!(view.consents.iter().all(|c| c.problem.is_empty()));
        // Before any submit: a number out of range and the treatment consent not given.
        form.set_text(&def, "stress", "15");
        form.set_consent(&def, "treatment", false);
        let view = review_view(&def, &form, "");
        let stress = row(&view, "stress").expect("shown");
        assert_eq!(stress.answer, ReviewAnswer::Text("15".into()));
        assert_eq!(stress.problem, Message::AnswerOutOfRange.text("en"));
        assert_eq!(
            view.consents[0].problem,
            Message::TreatmentConsentNeeded.text("en")
        );
        assert!(view.consents[1..].iter().all(|c| c.problem.is_empty()));
        // The page says so too, before the patient goes on to sign.
        form.step_index = def.sections.len() + 2;
        assert_eq!(
            crate::kiosk::handover_view(&def, &form, "", None).problems,
            Message::FormProblems.text("en")
        );
    }

    #[test]
    fn hidden_questions_are_left_out() {
        let def = FormDefinition::built_in();
        let mut form = filled("en");
        assert!(row(&review_view(&def, &form, ""), "allergies_detail").is_some());
        form.answers.set("allergies_any", AnswerValue::YesNo(false));
        let view = review_view(&def, &form, "");
        assert!(
            row(&view, "allergies_detail").is_none(),
            "not saved, not shown"
        );
        assert!(row(&view, "conditions_detail").is_none());
    }

    #[test]
    fn consents_show_the_choice_and_edit_goes_to_the_consents() {
        let def = FormDefinition::built_in();
        let view = review_view(&def, &filled("fr"), "Glow");
        assert_eq!(view.consents.len(), def.consents.len());
        let treatment = &view.consents[0];
        assert!(treatment.granted && treatment.required);
        assert!(view.consents[1..].iter().all(|c| !c.granted && !c.required));
        assert_eq!(
            view.consents_step,
            def.sections.len() + 1,
            "the consents page"
        );
        assert_eq!(view.sections[0].title, tr(&def.sections[0].title, "fr"));
        assert!(view.consents.iter().all(|c| !c.title.contains("{clinic}")));
    }

    #[test]
    fn edit_returns_to_the_section_and_back_to_the_review() {
        let (mut k, _) = kiosk();
        sign_in(&mut k, 1);
        k.start_new_handover();
        assert_eq!(k.screen(), Screen::Handover);
        assert!(k.review().is_none(), "not on the review page");
        k.set_text("given_name", "Ada");
        let review_step = k.definition().sections.len() + 2;
        while k.form.step_index < review_step {
            k.next_step();
        }
        let view = k.review().expect("on the review page");
        let lifestyle = view
            .sections
            .iter()
            .find(|s| s.title == "Lifestyle")
            .expect("lifestyle");
        k.edit_from_review(lifestyle.step);
        assert_eq!(
            k.form.step(k.definition()),
            Step::Section(lifestyle.step - 1)
        );
        assert!(k.form.editing_from_review);
        k.set_text("stress", "4");
        k.back_to_review();
        assert_eq!(k.form.step(k.definition()), Step::Review);
        assert!(!k.form.editing_from_review);
        let view = k.review().expect("review");
        assert_eq!(
            row(&view, "stress").map(|r| r.answer.clone()),
            Some(ReviewAnswer::Text("4".into()))
        );
        // Edit takes only the sections and the consents; nothing else moves.
        for step in [0, review_step, review_step + 1, 99] {
            k.edit_from_review(step);
            assert_eq!(k.form.step(k.definition()), Step::Review, "{step}");
        }
        k.edit_from_review(view.consents_step);
        assert_eq!(k.form.step(k.definition()), Step::Consents);
        k.back_to_review();
        k.next_step();
        assert_eq!(k.form.step(k.definition()), Step::Sign);
        k.back_to_review();
        assert_eq!(k.form.step(k.definition()), Step::Sign, "only after Edit");
    }

    #[test]
    fn typed_answers_stop_at_the_cap() {
        let def = FormDefinition::built_in();
        let mut form = FormState::blank("en", None);
        let cap = def
            .questions()
            .find(|q| q.id == "given_name")
            .map(crate::forms::Question::max_length)
            .expect("q");
        form.set_text(&def, "given_name", &"é".repeat(cap + 50));
        assert_eq!(form.text_of("given_name").chars().count(), cap);
    }
}
