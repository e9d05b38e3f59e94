//! Loading a clinic's own form definition: parsed, then checked, with errors that name the line
//! and the problem. A definition that fails is never used; the caller keeps the working one.

use std::collections::BTreeSet;

use super::answers::MAX_TYPED_ANSWER;
use super::definition::{FormDefinition, Localised, QuestionKind};

/// One problem in a definition file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct DefinitionError {
    pub line: usize,
    pub message: String,
}

/// The largest definition file accepted (a form is text: a megabyte is far beyond any clinic's).
pub const MAX_DEFINITION_BYTES: usize = 1 << 20;

use super::form_used::TREATMENT_CONSENT;
use super::form_used::identity_ids::REQUIRED as IDENTITY_QUESTIONS;

/// The line on which `"id": "<id>"` first appears (1 when it cannot be found).
fn line_of_id(source: &str, id: &str) -> usize {
    let needle = format!("\"{id}\"");
    source
        .lines()
        .position(|l| l.contains("\"id\"") && l.contains(&needle))
        .map_or(1, |i| i + 1)
}

struct Checker<'a> {
    source: &'a str,
    languages: &'a [String],
    errors: Vec<DefinitionError>,
}

impl Checker<'_> {
    fn fail(&mut self, id: &str, message: String) {
        let line = line_of_id(self.source, id);
        self.errors.push(DefinitionError { line, message });
    }

    fn texts(&mut self, id: &str, what: &str, text: &Localised, required: bool) {
        if !required && text.is_empty() {
            return;
        }
        for lang in self.languages {
            if text.get(lang).is_none_or(|t| t.trim().is_empty()) {
                self.fail(id, format!("{what} of \"{id}\" has no text in \"{lang}\""));
            }
        }
    }
}

impl FormDefinition {
    /// Parses and checks a definition file.
    pub fn parse(source: &str) -> Result<FormDefinition, Vec<DefinitionError>> {
        if source.len() > MAX_DEFINITION_BYTES {
            return Err(vec![DefinitionError {
                line: 1,
                message: format!("the file is larger than {MAX_DEFINITION_BYTES} bytes"),
            }]);
        }
        let definition: FormDefinition = serde_json::from_str(source).map_err(|e| {
            vec![DefinitionError {
                line: e.line(),
                message: format!("not a valid form definition: {e}"),
            }]
        })?;
        let errors = definition.check(source);
        if errors.is_empty() {
            Ok(definition)
        } else {
            Err(errors)
        }
    }

    fn check(&self, source: &str) -> Vec<DefinitionError> {
        let mut c = Checker {
            source,
            languages: &self.languages,
            errors: Vec::new(),
        };
        if !self.languages.iter().any(|l| l == "en") {
            c.fail(&self.id, "the languages must include \"en\"".into());
        }
        c.texts(&self.id, "the title", &self.title, true);
        c.texts(
            &self.id,
            "the privacy notice summary",
            &self.notice.summary,
            true,
        );
        c.texts(&self.id, "the privacy notice", &self.notice.full_text, true);
        if self.sections.is_empty() {
            c.fail(&self.id, "the form has no sections".into());
        }
        // Sections have their own ids; questions and consent items share one namespace (answers
        // and consent events are keyed by them).
        let mut sections_seen: BTreeSet<&str> = BTreeSet::new();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut yes_no_so_far: BTreeSet<&str> = BTreeSet::new();
        for section in &self.sections {
            if !sections_seen.insert(&section.id) {
                c.fail(
                    &section.id,
                    format!("the id \"{}\" is used twice", section.id),
                );
            }
            c.texts(&section.id, "the title", &section.title, true);
            for q in &section.questions {
                if q.id.trim().is_empty() {
                    c.fail(&q.id, "a question has an empty id".into());
                }
                if !seen.insert(&q.id) {
                    c.fail(&q.id, format!("the id \"{}\" is used twice", q.id));
                }
                c.texts(&q.id, "the label", &q.label, true);
                c.texts(&q.id, "the help", &q.help, false);
                let has_choices =
                    matches!(q.kind, QuestionKind::Choice | QuestionKind::MultiChoice);
                if has_choices && q.choices.len() < 2 {
                    c.fail(
                        &q.id,
                        format!("\"{}\" is a choice but has fewer than two choices", q.id),
                    );
                }
                if !has_choices && !q.choices.is_empty() {
                    c.fail(
                        &q.id,
                        format!("\"{}\" has choices but is not a choice question", q.id),
                    );
                }
                for choice in &q.choices {
                    c.texts(
                        &q.id,
                        &format!("the choice \"{}\"", choice.id),
                        &choice.label,
                        true,
                    );
                }
                if let (Some(min), Some(max)) = (q.min, q.max)
                    && (min > max || !min.is_finite() || !max.is_finite())
                {
                    c.fail(
                        &q.id,
                        format!(
                            "\"{}\" has a range whose minimum is above its maximum",
                            q.id
                        ),
                    );
                }
                if let Some(cap) = q.max_length {
                    if !q.is_typed() {
                        c.fail(
                            &q.id,
                            format!("\"{}\" has a max_length but is not a typed question", q.id),
                        );
                    } else if cap == 0 || cap > MAX_TYPED_ANSWER {
                        c.fail(
                            &q.id,
                            format!(
                                "\"{}\" has a max_length outside 1 to {MAX_TYPED_ANSWER}",
                                q.id
                            ),
                        );
                    }
                }
                if let Some(cond) = &q.show_when
                    && !yes_no_so_far.contains(cond.question.as_str())
                {
                    c.fail(
                        &q.id,
                        format!(
                            "\"{}\" depends on \"{}\", which is not an earlier yes/no question",
                            q.id, cond.question
                        ),
                    );
                }
                if q.kind == QuestionKind::YesNo {
                    yes_no_so_far.insert(&q.id);
                }
            }
        }
        for required in IDENTITY_QUESTIONS {
            let present = self
                .questions()
                .any(|q| q.id == required && q.identity && q.required);
            if !present {
                c.fail(
                    &self.id,
                    format!("the form needs the required identity question \"{required}\""),
                );
            }
        }
        if !self
            .consents
            .iter()
            .any(|item| item.id == TREATMENT_CONSENT && item.required)
        {
            c.fail(
                &self.id,
                "the form needs a required \"treatment\" consent".into(),
            );
        }
        for item in &self.consents {
            if !seen.insert(&item.id) {
                c.fail(&item.id, format!("the id \"{}\" is used twice", item.id));
            }
            // Marketing and photo use are never a condition of treatment.
            if item.required && item.id != TREATMENT_CONSENT {
                c.fail(
                    &item.id,
                    format!(
                        "only the treatment consent may be required, not \"{}\"",
                        item.id
                    ),
                );
            }
            c.texts(&item.id, "the consent title", &item.title, true);
            c.texts(&item.id, "the consent text", &item.text, true);
        }
        c.errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUILT_IN: &str = include_str!("default_form.json");

    fn errors(source: &str) -> Vec<DefinitionError> {
        FormDefinition::parse(source).expect_err("must be refused")
    }

    #[test]
    fn the_built_in_form_passes_its_own_checks() {
        let parsed = FormDefinition::parse(BUILT_IN).expect("valid");
        assert_eq!(parsed, FormDefinition::built_in());
    }

    #[test]
    fn a_syntax_error_names_its_line() {
        let broken = BUILT_IN.replacen("\"sections\"", "\"sections\" oops", 1);
        let e = errors(&broken);
        let expected = broken
            .lines()
            .position(|l| l.contains("oops"))
            .expect("line")
            + 1;
        assert_eq!(e[0].line, expected);
        assert!(e[0].message.contains("not a valid form definition"));
        assert_eq!(errors("").len(), 1);
        assert_eq!(errors("[1, 2, 3]")[0].line, 1);
    }

    #[test]
    fn each_semantic_problem_is_named_with_its_line() {
        let cases: [(&str, &str, &str); 4] = [
            (
                "\"id\": \"gp_practice\"",
                "\"id\": \"gp_name\"",
                "used twice",
            ),
            (
                "\"question\": \"allergies_any\"",
                "\"question\": \"no_such_question\"",
                "not an earlier yes/no question",
            ),
            ("\"min\": 1", "\"min\": 11", "minimum is above its maximum"),
            (
                "\"Stress level, 1 (low) to 10 (high)\"",
                "\"\"",
                "has no text in \"en\"",
            ),
        ];
        for (from, to, expect) in cases {
            let changed = BUILT_IN.replacen(from, to, 1);
            assert_ne!(changed, BUILT_IN, "{from} not found");
            let e = errors(&changed);
            let hit = e
                .iter()
                .find(|e| e.message.contains(expect))
                .unwrap_or_else(|| panic!("{expect}: {e:?}"));
            assert!(hit.line > 1, "{expect}: a line is named: {hit}");
        }
    }

    #[test]
    fn removing_the_treatment_consent_or_an_identity_question_is_refused() {
        let mut def: serde_json::Value = serde_json::from_str(BUILT_IN).expect("json");
        def["consents"]
            .as_array_mut()
            .expect("array")
            .retain(|c| c["id"] != "treatment");
        let e = errors(&serde_json::to_string_pretty(&def).expect("json"));
        assert!(
            e.iter()
                .any(|e| e.message.contains("\"treatment\" consent"))
        );
        let mut def: serde_json::Value = serde_json::from_str(BUILT_IN).expect("json");
        def["sections"][0]["questions"]
            .as_array_mut()
            .expect("array")
            .retain(|q| q["id"] != "postcode");
        let e = errors(&serde_json::to_string_pretty(&def).expect("json"));
        assert!(e.iter().any(|e| e.message.contains("\"postcode\"")));
        // Marketing made a condition of treatment: refused, at the item's line.
        let mut def: serde_json::Value = serde_json::from_str(BUILT_IN).expect("json");
        for item in def["consents"].as_array_mut().expect("array") {
            if item["id"] == "marketing_sms" {
                item["required"] = serde_json::Value::Bool(true);
            }
        }
        let text = serde_json::to_string_pretty(&def).expect("json");
        let e = errors(&text);
        let hit = e
            .iter()
            .find(|e| e.message.contains("only the treatment consent"))
            .expect("refused");
        assert!(
            text.lines()
                .nth(hit.line - 1)
                .is_some_and(|l| l.contains("marketing_sms")),
            "{hit}"
        );
    }

    #[test]
    fn odd_input_is_refused_not_panicked_on() {
        for junk in [
            "\u{0}",
            "{",
            "{\"id\": 5}",
            "null",
            "\u{feff}{}",
            &"[".repeat(10_000),
        ] {
            assert!(FormDefinition::parse(junk).is_err());
        }
        assert!(FormDefinition::parse(&" ".repeat(MAX_DEFINITION_BYTES + 1)).is_err());
    }

    #[test]
    fn a_max_length_must_fit_a_typed_question() {
        let set = |id: &str, cap: serde_json::Value| {
            let mut def: serde_json::Value = serde_json::from_str(BUILT_IN).expect("json");
            for section in def["sections"].as_array_mut().expect("array") {
                for q in section["questions"].as_array_mut().expect("array") {
                    if q["id"] == id {
                        q["max_length"] = cap.clone();
                    }
                }
            }
            serde_json::to_string_pretty(&def).expect("json")
        };
        let ok = FormDefinition::parse(&set("postcode", 12.into())).expect("valid");
        let postcode = ok.questions().find(|q| q.id == "postcode").expect("q");
        assert_eq!(postcode.max_length(), 12);
        for (id, cap, expect) in [
            ("postcode", 0, "outside 1 to"),
            ("postcode", MAX_TYPED_ANSWER + 1, "outside 1 to"),
            ("pregnant", 10, "not a typed question"),
        ] {
            let e = errors(&set(id, cap.into()));
            assert!(e.iter().any(|e| e.message.contains(expect)), "{id}: {e:?}");
        }
    }
}
