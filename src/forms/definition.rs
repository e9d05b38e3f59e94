//! Form definitions as data: sections, questions, consent items and the privacy notice, each text
//! per language. The built-in default lives in `forms/default_form.json`; its content hash is
//! stored with every submission.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::answers::{AnswerValue, Answers};

/// Text per language code ("en", "fr", …). English is required; others fall back to it.
pub type Localised = BTreeMap<String, String>;

/// Reads `text` in `language`, falling back to English.
pub fn tr<'a>(text: &'a Localised, language: &str) -> &'a str {
    text.get(language)
        .or_else(|| text.get("en"))
        .map(String::as_str)
        .unwrap_or("")
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    ShortText,
    LongText,
    YesNo,
    Choice,
    MultiChoice,
    Date,
    Number,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub label: Localised,
}

/// "Show this question when question `question` was answered yes".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShowWhen {
    pub question: String,
    pub equals: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    pub label: Localised,
    #[serde(default)]
    pub help: Localised,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub choices: Vec<Choice>,
    #[serde(default)]
    pub show_when: Option<ShowWhen>,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    /// Identity fields map to the patient record rather than the medical answers.
    #[serde(default)]
    pub identity: bool,
    /// The longest typed answer, in characters; absent: the kind's default
    /// ([`Question::max_length`]). Left out of the canonical JSON when absent, so older
    /// definitions keep their content hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
}

impl Question {
    /// Whether the patient types this answer (the kinds a length cap applies to).
    pub fn is_typed(&self) -> bool {
        matches!(
            self.kind,
            QuestionKind::ShortText
                | QuestionKind::LongText
                | QuestionKind::Date
                | QuestionKind::Number
        )
    }

    /// The longest answer accepted, in characters: the definition's `max_length`, else a
    /// sensible maximum for the kind.
    pub fn max_length(&self) -> usize {
        self.max_length.unwrap_or(match self.kind {
            QuestionKind::ShortText => DEFAULT_SHORT_TEXT_LENGTH,
            QuestionKind::LongText => DEFAULT_LONG_TEXT_LENGTH,
            QuestionKind::Date | QuestionKind::Number => DEFAULT_NUMBER_OR_DATE_LENGTH,
            QuestionKind::YesNo | QuestionKind::Choice | QuestionKind::MultiChoice => {
                DEFAULT_SHORT_TEXT_LENGTH
            }
        })
    }
}

/// Default caps per kind: a name, postcode or e-mail fits in 200; a list of medicines in 2,000;
/// a date or a number in 20.
pub const DEFAULT_SHORT_TEXT_LENGTH: usize = 200;
pub const DEFAULT_LONG_TEXT_LENGTH: usize = 2_000;
pub const DEFAULT_NUMBER_OR_DATE_LENGTH: usize = 20;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub id: String,
    pub title: Localised,
    pub questions: Vec<Question>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsentItem {
    pub id: String,
    pub title: Localised,
    pub text: Localised,
    pub version: String,
    /// Only the treatment consent may be required; marketing and photo items never are.
    #[serde(default)]
    pub required: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrivacyNotice {
    pub version: String,
    pub summary: Localised,
    pub full_text: Localised,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormDefinition {
    pub id: String,
    pub version: String,
    pub title: Localised,
    pub languages: Vec<String>,
    pub notice: PrivacyNotice,
    pub sections: Vec<Section>,
    pub consents: Vec<ConsentItem>,
}

/// Why a filled form cannot be submitted yet: one entry per problem, naming the question.
/// `TooLong`: longer than the question's cap ([`Question::max_length`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormProblem {
    Required {
        question: String,
    },
    NotANumber {
        question: String,
    },
    OutOfRange {
        question: String,
    },
    BadDate {
        question: String,
    },
    /// The patient's email address does not read as one ([`super::check_email`]).
    NotAnEmail {
        question: String,
    },
    TooLong {
        question: String,
    },
    ConsentRequired {
        item: String,
    },
}

impl FormProblem {
    /// The question the problem is about (none for a consent).
    pub fn question(&self) -> Option<&str> {
        match self {
            FormProblem::Required { question }
            | FormProblem::NotANumber { question }
            | FormProblem::OutOfRange { question }
            | FormProblem::BadDate { question }
            | FormProblem::NotAnEmail { question }
            | FormProblem::TooLong { question } => Some(question),
            FormProblem::ConsentRequired { .. } => None,
        }
    }
}

impl FormDefinition {
    /// The built-in form for an aesthetic / skincare clinic.
    pub fn built_in() -> FormDefinition {
        serde_json::from_str(DEFAULT_FORM).expect("the built-in form definition parses (tested)")
    }

    /// The canonical JSON of the definition: what is hashed and what is stored beside submissions.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).expect("a definition always serialises")
    }

    /// Content hash of the definition's canonical JSON: what each submission records.
    pub fn content_hash(&self) -> String {
        crate::vault::content_hash(self.canonical_json().as_bytes())
    }

    /// A definition as stored beside old submissions (already checked when it was first used).
    pub fn from_stored(json: &str) -> Result<FormDefinition, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// `url|version` as FHIR's `QuestionnaireResponse.questionnaire` wants it.
    pub fn canonical(&self) -> String {
        format!("urn:intake-kiosk:form:{}|{}", self.id, self.version)
    }

    /// The hash of the privacy notice text shown in `language`.
    pub fn notice_hash(&self, language: &str) -> String {
        let shown = format!(
            "{}\x1f{}\x1f{}\x1f{}",
            self.notice.version,
            language,
            tr(&self.notice.summary, language),
            tr(&self.notice.full_text, language)
        );
        crate::vault::content_hash(shown.as_bytes())
    }

    /// The hash of a consent item's exact text in `language`.
    pub fn consent_text_hash(&self, item: &ConsentItem, language: &str) -> String {
        let shown = format!(
            "{}\x1f{}\x1f{}\x1f{}",
            item.version,
            language,
            tr(&item.title, language),
            tr(&item.text, language)
        );
        crate::vault::content_hash(shown.as_bytes())
    }

    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.sections.iter().flat_map(|s| s.questions.iter())
    }

    /// Is `question` shown, given the answers so far?
    pub fn is_visible(&self, question: &Question, answers: &Answers) -> bool {
        match &question.show_when {
            None => true,
            Some(cond) => {
                matches!(answers.get(&cond.question), Some(AnswerValue::YesNo(v)) if *v == cond.equals)
            }
        }
    }

    /// Checks required answers, ranges, dates and the email address of visible questions, and
    /// required consents.
    pub fn validate(&self, answers: &Answers, granted: &dyn Fn(&str) -> bool) -> Vec<FormProblem> {
        let mut problems = Vec::new();
        for q in self.questions().filter(|q| self.is_visible(q, answers)) {
            let answer = answers.get(&q.id);
            let blank = match answer {
                None => true,
                Some(AnswerValue::Text(t) | AnswerValue::Choice(t) | AnswerValue::Date(t)) => {
                    t.trim().is_empty()
                }
                Some(AnswerValue::Choices(v)) => v.is_empty(),
                Some(AnswerValue::YesNo(_) | AnswerValue::Number(_)) => false,
            };
            if blank {
                if q.required {
                    problems.push(FormProblem::Required {
                        question: q.id.clone(),
                    });
                }
                continue;
            }
            let typed_length = match answer {
                Some(AnswerValue::Text(t) | AnswerValue::Date(t)) if q.is_typed() => {
                    t.chars().count()
                }
                _ => 0,
            };
            if typed_length > q.max_length() {
                problems.push(FormProblem::TooLong {
                    question: q.id.clone(),
                });
                continue;
            }
            match (&q.kind, answer) {
                (QuestionKind::Number, Some(AnswerValue::Number(n)))
                    if q.min.is_some_and(|m| *n < m) || q.max.is_some_and(|m| *n > m) =>
                {
                    problems.push(FormProblem::OutOfRange {
                        question: q.id.clone(),
                    });
                }
                (QuestionKind::Number, Some(AnswerValue::Number(_))) => {}
                (QuestionKind::Number, _) => problems.push(FormProblem::NotANumber {
                    question: q.id.clone(),
                }),
                (QuestionKind::Date, Some(AnswerValue::Date(d)))
                    if super::identity::parse_date_of_birth(d).is_err() =>
                {
                    problems.push(FormProblem::BadDate {
                        question: q.id.clone(),
                    });
                }
                (_, Some(AnswerValue::Text(t)))
                    if q.identity
                        && q.id == super::form_used::identity_ids::EMAIL
                        && super::check_email(t).is_err() =>
                {
                    problems.push(FormProblem::NotAnEmail {
                        question: q.id.clone(),
                    });
                }
                _ => {}
            }
        }
        for item in self.consents.iter().filter(|c| c.required) {
            if !granted(&item.id) {
                problems.push(FormProblem::ConsentRequired {
                    item: item.id.clone(),
                });
            }
        }
        problems
    }
}

const DEFAULT_FORM: &str = include_str!("default_form.json");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_form_has_what_a_clinic_needs() {
        let f = FormDefinition::built_in();
        for id in [
            "given_name",
            "family_name",
            "date_of_birth",
            "postcode",
            "allergies_any",
            "medications",
            "pregnant",
            "smoking",
            "sun_exposure",
            "gp_name",
        ] {
            assert!(f.questions().any(|q| q.id == id), "{id}");
        }
        let consents: Vec<&str> = f.consents.iter().map(|c| c.id.as_str()).collect();
        for id in [
            "treatment",
            "marketing_email",
            "marketing_sms",
            "marketing_whatsapp",
            "photo_clinical",
            "photo_website",
            "photo_social",
            "photo_print",
        ] {
            assert!(consents.contains(&id), "{id}");
        }
        assert!(
            f.consents
                .iter()
                .all(|c| c.required == (c.id == "treatment")),
            "only treatment is required"
        );
        for lang in &f.languages {
            for q in f.questions() {
                assert!(q.label.contains_key(lang), "{} lacks {lang}", q.id);
            }
            for c in &f.consents {
                assert!(
                    c.text.contains_key(lang) && c.title.contains_key(lang),
                    "{} lacks {lang}",
                    c.id
                );
            }
        }
    }

    #[test]
    fn hash_is_stable_and_changes_with_content() {
        let a = FormDefinition::built_in();
        assert_eq!(a.content_hash(), FormDefinition::built_in().content_hash());
        let mut b = a.clone();
        b.version.push('x');
        assert_ne!(a.content_hash(), b.content_hash());
        assert_ne!(a.notice_hash("en"), a.notice_hash("fr"));
    }

    #[test]
    fn conditions_and_validation() {
        let f = FormDefinition::built_in();
        let mut answers = Answers::default();
        let detail = f
            .questions()
            .find(|q| q.id == "allergies_detail")
            .expect("detail question");
        assert!(!f.is_visible(detail, &answers));
        answers.set("allergies_any", AnswerValue::YesNo(true));
        assert!(f.is_visible(detail, &answers));
        let problems = f.validate(&answers, &|_| false);
        assert!(problems.contains(&FormProblem::Required {
            question: "allergies_detail".into()
        }));
        assert!(problems.contains(&FormProblem::ConsentRequired {
            item: "treatment".into()
        }));
        assert!(problems.contains(&FormProblem::Required {
            question: "given_name".into()
        }));
        // Refusing marketing and photos never blocks: only treatment is checked.
        let problems = f.validate(&answers, &|item| item == "treatment");
        assert!(
            !problems
                .iter()
                .any(|p| matches!(p, FormProblem::ConsentRequired { .. }))
        );
    }

    #[test]
    fn typed_answers_are_capped_by_the_definition_or_the_kind() {
        let mut f = FormDefinition::built_in();
        // The built-in form sets no cap: every typed question has its kind's default, and a
        // definition without the field keeps its canonical JSON (and so its hash).
        assert!(f.questions().all(|q| q.max_length.is_none()));
        assert!(!f.canonical_json().contains("max_length"));
        let medications = f.questions().find(|q| q.id == "medications").expect("q");
        assert_eq!(medications.kind, QuestionKind::LongText);
        assert_eq!(medications.max_length(), DEFAULT_LONG_TEXT_LENGTH);
        let mut answers = Answers::default();
        answers.set(
            "medications",
            AnswerValue::Text("x".repeat(DEFAULT_LONG_TEXT_LENGTH)),
        );
        let problem = FormProblem::TooLong {
            question: "medications".into(),
        };
        assert!(!f.validate(&answers, &|_| true).contains(&problem));
        answers.set(
            "medications",
            AnswerValue::Text("é".repeat(DEFAULT_LONG_TEXT_LENGTH + 1)),
        );
        assert!(f.validate(&answers, &|_| true).contains(&problem));
        // A clinic's own cap.
        for section in &mut f.sections {
            for q in &mut section.questions {
                if q.id == "medications" {
                    q.max_length = Some(10);
                }
            }
        }
        answers.set("medications", AnswerValue::Text("x".repeat(11)));
        assert!(f.validate(&answers, &|_| true).contains(&problem));
        assert!(f.canonical_json().contains("\"max_length\":10"));
    }

    #[test]
    fn the_patients_email_address_must_read_as_one_when_given() {
        let f = FormDefinition::built_in();
        let problem = FormProblem::NotAnEmail {
            question: "email".into(),
        };
        let mut answers = Answers::default();
        assert!(
            !f.validate(&answers, &|_| true).contains(&problem),
            "optional"
        );
        answers.set("email", AnswerValue::Text("ada@gmail".into()));
        assert!(f.validate(&answers, &|_| true).contains(&problem));
        answers.set("email", AnswerValue::Text(" ada@example.org ".into()));
        assert!(!f.validate(&answers, &|_| true).contains(&problem));
    }
}
