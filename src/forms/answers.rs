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
