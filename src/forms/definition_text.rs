//! A form definition as a submission records it: its canonical JSON and that JSON's content hash.

use std::sync::Arc;

use super::FormDefinition;

/// The definition a form was filled with, as stored beside the submission: the canonical JSON and
/// its content hash, made together, so the two cannot disagree. The hash is taken once, when a
/// definition is put to use, not at every submit; a clone shares the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefinitionText {
    json: Arc<str>,
    hash: Arc<str>,
}

impl DefinitionText {
    pub fn of(definition: &FormDefinition) -> DefinitionText {
        let json = definition.canonical_json();
        DefinitionText {
            hash: crate::vault::content_hash(json.as_bytes()).into(),
            json: json.into(),
        }
    }

    /// The canonical JSON (see [`FormDefinition::canonical_json`]).
    pub fn json(&self) -> &str {
        &self.json
    }

    /// `sha256:…` of [`Self::json`].
    pub fn hash(&self) -> &str {
        &self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_the_canonical_json_and_its_hash() {
        let form = FormDefinition::built_in();
        let text = DefinitionText::of(&form);
        assert_eq!(text.json(), form.canonical_json());
        assert_eq!(
            text.hash(),
            crate::vault::content_hash(text.json().as_bytes())
        );
        assert_eq!(text.hash(), form.content_hash());
        let mut other = form.clone();
        other.version.push_str("-b");
        assert_ne!(DefinitionText::of(&other).hash(), text.hash());
    }
}
