//! A submission's answers as (question label, answer) lines in a language, for reading on
//! screen: in the definition's order, only answered questions, choices by their labels, dates
//! and numbers in the language's style.

use super::definition::{FormDefinition, Question, tr};
use super::{AnswerValue, Answers};

/// One answered question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerRow {
    pub question_id: String,
    pub label: String,
    pub answer: String,
}

fn choice_label(question: &Question, choice_id: &str, language: &str) -> String {
    question
        .choices
        .iter()
        .find(|c| c.id == choice_id)
        .map_or_else(
            || choice_id.to_owned(),
            |c| tr(&c.label, language).to_owned(),
        )
}

/// The answered questions of `answers` under `definition`, in `language`.
pub fn answer_rows(
    definition: &FormDefinition, answers: &Answers, language: &str,
) -> Vec<AnswerRow> {
    definition
        .questions()
        .filter_map(|q| {
            let answer = answers.get(&q.id)?;
            let text = match answer {
                AnswerValue::Text(t) => t.clone(),
                AnswerValue::Date(t) => super::identity::parse_date_of_birth(t)
                    .map(|d| super::dates::long_date(d, language))
                    .unwrap_or_else(|_| t.clone()),
                AnswerValue::YesNo(true) => "✓".into(),
                AnswerValue::YesNo(false) => "✗".into(),
                AnswerValue::Number(n) => super::numbers::format_number(*n, language),
                AnswerValue::Choice(c) => choice_label(q, c, language),
                AnswerValue::Choices(cs) => cs
                    .iter()
                    .map(|c| choice_label(q, c, language))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            Some(AnswerRow {
                question_id: q.id.clone(),
                label: tr(&q.label, language).to_owned(),
                answer: text,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_follow_the_definition_and_the_language() {
        let form = FormDefinition::built_in();
        let mut answers = Answers::default();
        answers.set("allergies_detail", AnswerValue::Text("latex".into()));
        answers.set("pregnant", AnswerValue::YesNo(false));
        // An answer to no question of the form is not shown.
        answers.set("not_a_question", AnswerValue::Text("stray".into()));
        let rows = answer_rows(&form, &answers, "fr");
        assert_eq!(rows.len(), 2);
        let allergies = rows
            .iter()
            .find(|r| r.question_id == "allergies_detail")
            .unwrap();
        assert_eq!(allergies.answer, "latex");
        assert_ne!(allergies.label, "", "labelled in French");
        assert!(rows.iter().any(|r| r.answer == "✗"));
    }
}
