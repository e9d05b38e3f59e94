//! Forms, answers, patient identity and the consent model. Plain Rust: no UI, no I/O.

pub mod answer_rows;
pub mod answers;
pub mod consent;
pub mod consent_runs;
pub mod dates;
pub mod definition;
pub mod definition_text;
pub mod form_used;
pub mod identity;
pub mod numbers;
pub mod validate;

pub use answer_rows::{AnswerRow, answer_rows};
pub use answers::{AnswerValue, Answers, Signature, answer_from_text};
pub use consent::{ConsentDecision, ConsentEvent, Decision, current_events, current_state};
pub use definition::{ConsentItem, FormDefinition, FormProblem, Question, QuestionKind, tr};
pub use definition_text::DefinitionText;
pub use form_used::{FormNotStored, FormUsed, TREATMENT_CONSENT, form_used, identity_ids};
pub use identity::{IdentityError, PatientIdentity, check_email};
pub use validate::DefinitionError;
