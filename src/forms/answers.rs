//! A patient's answers to a form, keyed by question id. Wiped from memory when dropped; no Debug.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

/// One answer. The form definition says which kind each question takes.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum AnswerValue {
    Text(String),
    YesNo(bool),
    Choice(String),
    Choices(Vec<String>),
    /// ISO 8601 date.
    Date(String),
    Number(f64),
}

impl Zeroize for AnswerValue {
    fn zeroize(&mut self) {
        match self {
            AnswerValue::Text(s) | AnswerValue::Choice(s) | AnswerValue::Date(s) => s.zeroize(),
            AnswerValue::Choices(v) => v.iter_mut().for_each(Zeroize::zeroize),
            AnswerValue::YesNo(b) => *b = false,
            AnswerValue::Number(n) => *n = 0.0,
        }
    }
}

/// All answers of one submission.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Answers(pub BTreeMap<String, AnswerValue>);

impl Answers {
    pub fn set(&mut self, question_id: &str, value: AnswerValue) {
        if let Some(mut old) = self.0.insert(question_id.to_owned(), value) {
            old.zeroize();
        }
    }
    pub fn get(&self, question_id: &str) -> Option<&AnswerValue> {
        self.0.get(question_id)
    }
    pub fn clear(&mut self) {
        self.0.values_mut().for_each(Zeroize::zeroize);
        self.0.clear();
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Drop for Answers {
    fn drop(&mut self) {
        self.clear();
    }
}

/// The patient's drawn signature: an SVG path in a 600×200 box. Wiped when dropped; no Debug.
#[derive(
    Clone, Default, PartialEq, Eq, Serialize, Deserialize, Zeroize, zeroize::ZeroizeOnDrop,
)]
pub struct Signature {
    pub svg_path: String,
}

impl Signature {
    pub fn is_empty(&self) -> bool {
        self.svg_path.trim().is_empty()
    }
}

/// The longest answer any question may take (a clinical note, not a document): the ceiling for a
/// definition's `max_length`.
pub const MAX_TYPED_ANSWER: usize = 4_000;

/// An answer to `question` typed as text (a correction at the desk): yes/no as "yes" or "no",
/// numbers within the question's range, dates as YYYY-MM-DD, choices by id (several separated
/// by commas). The error says what was expected.
pub fn answer_from_text(question: &super::Question, text: &str) -> Result<AnswerValue, String> {
    use super::definition::QuestionKind;
    let text = text.trim();
    let choice = |id: &str| -> Result<String, String> {
        question
            .choices
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.id.clone())
            .ok_or_else(|| {
                let ids: Vec<&str> = question.choices.iter().map(|c| c.id.as_str()).collect();
                format!(
                    "{id:?} is not a choice of {}: {}",
                    question.id,
                    ids.join(", ")
                )
            })
    };
    match question.kind {
        QuestionKind::ShortText | QuestionKind::LongText => {
            let cap = question.max_length().min(MAX_TYPED_ANSWER);
            if text.chars().count() > cap {
                return Err(format!(
                    "the answer to {} is too long ({cap} characters at most)",
                    question.id
                ));
            }
            Ok(AnswerValue::Text(text.to_owned()))
        }
        QuestionKind::YesNo => match text.to_lowercase().as_str() {
            "yes" | "true" => Ok(AnswerValue::YesNo(true)),
            "no" | "false" => Ok(AnswerValue::YesNo(false)),
            _ => Err(format!("{} takes yes or no", question.id)),
        },
        QuestionKind::Number => {
            let n: f64 = text
                .parse()
                .map_err(|_| format!("{} takes a number", question.id))?;
            let in_range = n.is_finite()
                && question.min.is_none_or(|min| n >= min)
                && question.max.is_none_or(|max| n <= max);
            if in_range {
                Ok(AnswerValue::Number(n))
            } else {
                Err(format!("{} is out of range for {}", text, question.id))
            }
        }
        QuestionKind::Date => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(|d| AnswerValue::Date(d.to_string()))
            .map_err(|_| format!("{} takes a date as YYYY-MM-DD", question.id)),
        QuestionKind::Choice => choice(text).map(AnswerValue::Choice),
        QuestionKind::MultiChoice => text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(choice)
            .collect::<Result<Vec<_>, _>>()
            .map(AnswerValue::Choices),
    }
}

#[cfg(test)]
mod text_answer_tests {
    use super::*;
    use crate::forms::FormDefinition;

    #[test]
    fn typed_corrections_follow_the_question_kind() {
        let form = FormDefinition::built_in();
        let find = |kind: crate::forms::definition::QuestionKind| {
            form.questions()
                .find(|q| q.kind == kind && !q.identity)
                .unwrap()
                .clone()
        };
        use crate::forms::definition::QuestionKind as K;
        assert!(answer_from_text(&find(K::YesNo), "Yes") == Ok(AnswerValue::YesNo(true)));
        assert!(answer_from_text(&find(K::YesNo), "maybe").is_err());
        let number = find(K::Number);
        assert!(answer_from_text(&number, "abc").is_err());
        assert!(answer_from_text(&number, "1e9").is_err() || number.max.is_none());
        let choice = find(K::Choice);
        let first = choice.choices[0].id.clone();
        assert!(answer_from_text(&choice, &first) == Ok(AnswerValue::Choice(first.clone())));
        assert!(answer_from_text(&choice, "not-a-choice").is_err());
        let text = find(K::LongText);
        // A correction at the desk takes no more than the kiosk would have.
        let cap = text.max_length();
        assert!(cap < MAX_TYPED_ANSWER);
        assert!(answer_from_text(&text, &"x".repeat(cap)).is_ok());
        let too_long = answer_from_text(&text, &"x".repeat(cap + 1));
        assert!(too_long.is_err_and(|e| e.contains("too long")));
    }
}
