//! Hand-off: one submitted intake form turned into what a clinic's records system takes — an HL7
//! FHIR R4 Bundle ([`fhir_bundle`]) and a self-contained printable HTML page ([`printable_html`]).
//!
//! Pure functions: typed values in, `serde_json::Value` or `String` out, or the same bytes
//! appended to a caller's buffer ([`write_fhir_bundle`], [`write_printable_html`]: the outbox
//! writes thousands and reuses one); no file, database, clock or UI. Invariants kept here:
//! - both outputs show the same answers: visible, answered, non-identity questions, in the order
//!   of the definition ([`SubmissionView::answered_sections`]). Identity questions go to the
//!   Patient resource / the patient block instead (the store keeps them apart from the answers
//!   too), and an answer left behind by a question that is now hidden is never handed off;
//! - the signature is drawn from path data only ([`signature_svg`] keeps SVG path characters and
//!   nothing else), so a stored path cannot smuggle markup into either output;
//! - the same submission always gives byte-identical output (ids are derived, not random).

pub mod fhir;
pub mod printable;

pub use fhir::{FormFacts, fhir_bundle, write_fhir_bundle};
pub use printable::{
    escape_html, printable_body, printable_html, printable_style, write_printable_html,
};

use std::fmt::Write as _;

use crate::forms::definition::Section;
use crate::forms::{
    AnswerValue, Answers, ConsentEvent, FormDefinition, PatientIdentity, Question, Signature,
};

/// One submitted form, borrowed from wherever it was read (see `store::MedicalRecord`).
pub struct SubmissionView<'a> {
    pub submission_id: &'a str,
    pub patient_id: &'a str,
    pub kiosk_id: &'a str,
    /// RFC 3339.
    pub submitted_at: &'a str,
    /// The language the patient filled the form in.
    pub language: &'a str,
    pub identity: &'a PatientIdentity,
    pub answers: &'a Answers,
    pub signature: &'a Signature,
    /// The consent events of this submission, in recorded order.
    pub consents: &'a [ConsentEvent],
    /// The exact definition the patient filled.
    pub form: &'a FormDefinition,
    /// Hash of the privacy notice as shown (`FormDefinition::notice_hash`).
    pub notice_hash: &'a str,
    /// The answers were rectified after submission (FHIR status `amended`).
    pub amended: bool,
}

/// A section with the questions of it that are handed off, each with its answer.
pub struct AnsweredSection<'a> {
    pub section: &'a Section,
    pub answered: Vec<(&'a Question, &'a AnswerValue)>,
}

impl<'a> SubmissionView<'a> {
    /// The answers to hand off, per section in the definition's order: questions that are not
    /// identity questions, are visible given the other answers, and have a non-blank answer.
    /// Sections with none are left out.
    pub fn answered_sections(&self) -> Vec<AnsweredSection<'a>> {
        let (form, answers) = (self.form, self.answers);
        form.sections
            .iter()
            .map(|section| AnsweredSection {
                section,
                answered: section
                    .questions
                    .iter()
                    .filter(|q| !q.identity && form.is_visible(q, answers))
                    .filter_map(|q| answers.get(&q.id).map(|a| (q, a)))
                    .filter(|(_, a)| !is_blank(a))
                    .collect(),
            })
            .filter(|s| !s.answered.is_empty())
            .collect()
    }

    /// The form's URL: its canonical without the `|version`.
    pub fn form_url(&self) -> String {
        let canonical = self.form.canonical();
        match canonical.split_once('|') {
            Some((url, _)) => url.to_owned(),
            None => canonical,
        }
    }
}

/// An answer that says nothing: blank text, no choice, a number that is not one.
fn is_blank(answer: &AnswerValue) -> bool {
    match answer {
        AnswerValue::Text(t) | AnswerValue::Choice(t) | AnswerValue::Date(t) => t.trim().is_empty(),
        AnswerValue::Choices(v) => v.iter().all(|c| c.trim().is_empty()),
        AnswerValue::Number(n) => !n.is_finite(),
        AnswerValue::YesNo(_) => false,
    }
}

/// The signature box's size (see `kiosk::FormState::sign_point`).
const SIGNATURE_WIDTH: u32 = 600;
const SIGNATURE_HEIGHT: u32 = 200;

/// The signature's path data with every character that SVG path syntax does not use removed:
/// commands, digits, signs, dots, exponents, commas and spaces survive; quotes, angle brackets
/// and anything else do not. Line breaks count as spaces; runs of spaces become one, and none
/// is left at either end. Appended to `out` in one pass (a signature is a few KB, written
/// twice per form handed on).
fn push_clean_path_data(out: &mut String, path: &str) {
    let start = out.len();
    let mut space = false;
    for c in path.chars() {
        match c {
            ' ' | '\n' => space = out.len() > start,
            c if c.is_ascii_digit() || is_path_syntax(c) => {
                if space {
                    out.push(' ');
                    space = false;
                }
                out.push(c);
            }
            _ => {}
        }
    }
}

/// SVG path syntax other than digits and spaces: separators, signs, decimal points, exponents
/// and the commands.
fn is_path_syntax(c: char) -> bool {
    matches!(
        c,
        ',' | '.'
            | '-'
            | '+'
            | 'e'
            | 'E'
            | 'M'
            | 'm'
            | 'L'
            | 'l'
            | 'H'
            | 'h'
            | 'V'
            | 'v'
            | 'C'
            | 'c'
            | 'S'
            | 's'
            | 'Q'
            | 'q'
            | 'T'
            | 't'
            | 'A'
            | 'a'
            | 'Z'
            | 'z'
    )
}

/// The drawn signature as a standalone `<svg>` element (600×200 viewBox, black strokes on no
/// fill), fit for inline HTML; prefix an XML declaration for a standalone `.svg` document.
pub fn signature_svg(signature: &Signature) -> String {
    let (w, h) = (SIGNATURE_WIDTH, SIGNATURE_HEIGHT);
    let mut svg = String::with_capacity(signature.svg_path.len() + 256);
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">\
         <path d=\""
    );
    push_clean_path_data(&mut svg, &signature.svg_path);
    svg.push_str(
        "\" fill=\"none\" stroke=\"#000000\" stroke-width=\"3\" \
         stroke-linecap=\"round\" stroke-linejoin=\"round\"/></svg>",
    );
    svg
}

#[cfg(test)]
pub(crate) mod test_support {
    //! A realistic submission of the built-in form, shared by the unit tests of this module.

    use crate::forms::{
        AnswerValue, Answers, ConsentEvent, Decision, FormDefinition, PatientIdentity, Signature,
    };

    pub struct Fixture {
        pub form: FormDefinition,
        pub identity: PatientIdentity,
        pub answers: Answers,
        pub signature: Signature,
        pub consents: Vec<ConsentEvent>,
        pub notice_hash: String,
    }

    impl Fixture {
        pub fn view(&self) -> super::SubmissionView<'_> {
            super::SubmissionView {
                submission_id: "5b0c3f9e8a7d4c2b9e1f0a6d3c8b7e21",
                patient_id: "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                kiosk_id: "front-desk-1",
                submitted_at: "2026-11-23T10:15:30+00:00",
                language: "fr",
                identity: &self.identity,
                answers: &self.answers,
                signature: &self.signature,
                consents: &self.consents,
                form: &self.form,
                notice_hash: &self.notice_hash,
                amended: false,
            }
        }
    }

    pub fn event(form: &FormDefinition, item: &str, decision: Decision, n: u32) -> ConsentEvent {
        let consent = form
            .consents
            .iter()
            .find(|c| c.id == item)
            .expect("item of the built-in form");
        ConsentEvent {
            id: format!("ev{n:02}"),
            patient_id: "0f1e2d3c4b5a69788796a5b4c3d2e1f0".into(),
            submission_id: Some("5b0c3f9e8a7d4c2b9e1f0a6d3c8b7e21".into()),
            item_id: item.into(),
            decision,
            text_hash: form.consent_text_hash(consent, "fr"),
            text_version: consent.version.clone(),
            language: "fr".into(),
            recorded_at: format!("2026-11-23T10:15:{n:02}+00:00"),
            device_id: "front-desk-1".into(),
            signature_ref: Some("5b0c3f9e8a7d4c2b9e1f0a6d3c8b7e21".into()),
        }
    }

    pub fn fixture() -> Fixture {
        let form = FormDefinition::built_in();
        let mut identity = PatientIdentity::default();
        identity.given_name = "Zoé".into();
        identity.family_name = "Martin".into();
        identity.date_of_birth = "1990-04-12".into();
        identity.postcode = "75011".into();
        identity.email = "zoe@example.org".into();
        identity.phone = "+33 6 12 34 56 78".into();
        let mut answers = Answers::default();
        answers.set("conditions_any", AnswerValue::YesNo(false));
        // Left behind when the patient changed "conditions_any" to no: hidden, never handed off.
        answers.set("conditions_detail", AnswerValue::Text("stale".into()));
        answers.set(
            "skin_conditions",
            AnswerValue::Choices(vec!["acne".into(), "rosacea".into()]),
        );
        answers.set("pregnant", AnswerValue::YesNo(false));
        answers.set("allergies_any", AnswerValue::YesNo(true));
        answers.set(
            "allergies_detail",
            AnswerValue::Text("Pénicilline\nLatex".into()),
        );
        answers.set("medications", AnswerValue::Text("   ".into()));
        answers.set("smoking", AnswerValue::Choice("sometimes".into()));
        answers.set("stress", AnswerValue::Number(7.0));
        answers.set("gp_name", AnswerValue::Text("Dr Dupont".into()));
        let signature = Signature {
            svg_path: "M 10 150 L 11 151 L 40 120 L 80 160 M 100 100 L 101 101".into(),
        };
        let consents = vec![
            event(&form, "treatment", Decision::Granted, 1),
            event(&form, "marketing_email", Decision::Refused, 2),
            event(&form, "photo_clinical", Decision::Granted, 3),
            event(&form, "marketing_sms", Decision::Withdrawn, 4),
        ];
        let notice_hash = form.notice_hash("fr");
        Fixture {
            form,
            identity,
            answers,
            signature,
            consents,
            notice_hash,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::fixture;
    use super::*;

    #[test]
    fn hidden_blank_and_identity_questions_are_left_out() {
        let f = fixture();
        let view = f.view();
        let ids: Vec<&str> = view
            .answered_sections()
            .iter()
            .flat_map(|s| s.answered.iter().map(|(q, _)| q.id.as_str()))
            .collect();
        assert_eq!(
            ids,
            [
                "conditions_any",
                "skin_conditions",
                "pregnant",
                "allergies_any",
                "allergies_detail",
                "smoking",
                "stress",
                "gp_name"
            ]
        );
        let sections: Vec<&str> = view
            .answered_sections()
            .iter()
            .map(|s| s.section.id.as_str())
            .collect();
        assert_eq!(
            sections,
            ["medical", "allergies", "lifestyle", "gp"],
            "personal (identity only) and medications (blank) have nothing to hand off"
        );
    }

    #[test]
    fn signature_path_cannot_carry_markup() {
        let sig = Signature {
            svg_path: "M 1 2 L 3 4\"/><script>alert(1)</script><path d=\"".into(),
        };
        let svg = signature_svg(&sig);
        assert!(!svg.contains("script"), "{svg}");
        assert_eq!(svg.matches('<').count(), 3, "svg, path, /svg only: {svg}");
        let clean = signature_svg(&Signature {
            svg_path: "M 1 2".into(),
        });
        assert_eq!(
            svg.matches('"').count(),
            clean.matches('"').count(),
            "{svg}"
        );
        assert!(svg.contains("d=\"M 1 2 L 3 4"), "{svg}");
    }

    #[test]
    fn path_data_is_cleaned_in_one_pass_as_it_always_was() {
        let clean = |path: &str| {
            let mut out = String::from("<");
            push_clean_path_data(&mut out, path);
            out
        };
        // The filter first (a tab is dropped, not a space), then line breaks as spaces, runs of
        // spaces as one, none at the ends.
        assert_eq!(clean("  M 1\n2\t3   L 4,5e-1 Z \n"), "<M 1 23 L 4,5e-1 Z");
        assert_eq!(clean("\n \n"), "<");
        assert_eq!(clean("M 1 2 <x> L 3"), "<M 1 2 L 3");
        assert_eq!(clean("M 10 150 L 11 151"), "<M 10 150 L 11 151");
    }
}
