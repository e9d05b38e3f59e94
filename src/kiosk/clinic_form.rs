//! The clinic's own form: a manager loads a definition file on staff home; it is checked, stored
//! by content hash and used for every handover that starts afterwards. A file that fails its
//! checks changes nothing. Opening for the day picks up the stored choice.

use super::{Kiosk, Message};
use crate::forms::validate::MAX_DEFINITION_BYTES;
use crate::forms::{DefinitionText, FormDefinition};
use crate::session::Screen;

/// What staff home shows about the form in use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormSummary {
    pub title: String,
    pub version: String,
    /// The first 12 hex digits of the content hash, as printed in submissions.
    pub hash_prefix: String,
    pub built_in: bool,
}

impl Kiosk {
    /// Keeps the form given on the command line for this run (`--form`), whatever is stored.
    pub fn pin_form(&mut self) {
        self.form_pinned = true;
    }

    pub fn form_summary(&self) -> FormSummary {
        let hash = self.definition_text.hash();
        FormSummary {
            title: crate::forms::tr(&self.definition.title, &self.staff_language).to_owned(),
            version: self.definition.version.clone(),
            hash_prefix: hash
                .trim_start_matches("sha256:")
                .chars()
                .take(12)
                .collect(),
            built_in: self.definition_text.json() == built_in_json(),
        }
    }

    /// After opening for the day: the stored active form, if one was chosen and still matches
    /// its hash. A damaged entry leaves the current form and says so.
    pub(super) fn load_active_form(&mut self) {
        if self.form_pinned {
            return;
        }
        let Some(store) = self.open_store() else {
            return;
        };
        match store.active_form() {
            Ok(Some((hash, json))) => match FormDefinition::from_stored(&json) {
                Ok(definition) => {
                    let text = DefinitionText::of(&definition);
                    if text.hash() == hash {
                        self.use_definition(definition, text);
                    } else {
                        self.message = Some(Message::StoredFormDamaged);
                    }
                }
                Err(_) => self.message = Some(Message::StoredFormDamaged),
            },
            Ok(None) => {}
            Err(e) => self.message = Some(Message::from_store(&e)),
        }
    }

    /// A manager loads a clinic's definition file. Checked first; a bad file changes nothing.
    pub fn load_form_file(&mut self, path: &str) {
        if !self.manager_at_home() {
            return;
        }
        let path = path.trim();
        let text = match read_capped(std::path::Path::new(path)) {
            Ok(text) => text,
            Err(reason) => {
                self.message = Some(Message::FormFileUnreadable(reason));
                return;
            }
        };
        match FormDefinition::parse(&text) {
            Ok(definition) => self.activate(definition),
            Err(errors) => {
                self.message = Some(Message::FormFileRejected {
                    count: errors.len(),
                    first: errors.first().map(ToString::to_string).unwrap_or_default(),
                })
            }
        }
    }

    /// Back to the form that ships with the app.
    pub fn use_built_in_form(&mut self) {
        if self.manager_at_home() {
            self.activate(FormDefinition::built_in());
        }
    }

    fn manager_at_home(&self) -> bool {
        self.screen() == Screen::StaffHome
            && self
                .signed
                .actor
                .as_ref()
                .is_some_and(|a| a.role().may_manage())
    }

    fn activate(&mut self, definition: FormDefinition) {
        let now = self.now();
        let text = DefinitionText::of(&definition);
        let Some(actor) = self.signed.actor.clone() else {
            return;
        };
        let Some(store) = self.open_store_mut() else {
            return;
        };
        match store.activate_form(&actor, text.hash(), text.json(), now) {
            Ok(()) => {
                self.form_pinned = false;
                self.use_definition(definition, text);
                self.message = Some(Message::FormLoaded);
            }
            Err(e) => self.message = Some(Message::from_store(&e)),
        }
    }

    /// `text` is `DefinitionText::of(&definition)`, made by the caller, which needed it first.
    fn use_definition(&mut self, definition: FormDefinition, text: DefinitionText) {
        self.definition_text = text;
        self.definition = definition;
        self.form_revision += 1;
    }
}

fn built_in_json() -> &'static String {
    static JSON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    JSON.get_or_init(|| FormDefinition::built_in().canonical_json())
}

/// Reads a definition file, refusing anything larger than a definition may be before reading it
/// all. The reason is for the form's author (English, like the definition checks).
fn read_capped(path: &std::path::Path) -> Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut text = String::new();
    file.take(MAX_DEFINITION_BYTES as u64 + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if text.len() > MAX_DEFINITION_BYTES {
        return Err(format!(
            "{}: larger than {MAX_DEFINITION_BYTES} bytes",
            path.display()
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::super::tests::{complete_handover, kiosk, sign_in};
    use super::*;
    use crate::store::AuditKind;

    /// The built-in form with a new version and one changed label, as a clinic would edit it.
    fn clinic_file(version: &str) -> tempfile::NamedTempFile {
        let mut json: serde_json::Value =
            serde_json::from_str(&FormDefinition::built_in().canonical_json()).unwrap();
        json["version"] = version.into();
        json["sections"][0]["title"]["en"] = "About you (Laser clinic)".into();
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(serde_json::to_string_pretty(&json).unwrap().as_bytes())
            .unwrap();
        file
    }

    #[test]
    fn a_manager_loads_a_clinic_form_and_new_handovers_use_it() {
        let (mut k, events) = kiosk();
        sign_in(&mut k, 0);
        assert!(k.form_summary().built_in);
        let file = clinic_file("2027-01");
        k.load_form_file(file.path().to_str().unwrap());
        assert_eq!(k.message(), Some(&Message::FormLoaded));
        let summary = k.form_summary();
        assert_eq!(summary.version, "2027-01");
        assert!(!summary.built_in);
        let logged = events.lock().unwrap().clone();
        assert!(
            logged
                .iter()
                .any(|(_, kind, subject)| *kind == AuditKind::SettingsChanged
                    && subject.starts_with("form:")
                    && subject.contains(&summary.hash_prefix))
        );

        k.start_new_handover();
        assert_eq!(
            crate::forms::tr(&k.definition().sections[0].title, "en"),
            "About you (Laser clinic)"
        );
        complete_handover(&mut k, &["treatment"]);
        assert_eq!(k.screen(), Screen::HandBack);

        k.receipt_done();
        sign_in(&mut k, 0);
        assert_eq!(k.screen(), Screen::StaffHome);
        k.use_built_in_form();
        assert!(k.form_summary().built_in);
    }

    #[test]
    fn a_bad_file_names_its_line_and_changes_nothing() {
        let (mut k, _) = kiosk();
        sign_in(&mut k, 0);
        let before = k.form_summary();
        let mut json: serde_json::Value =
            serde_json::from_str(&FormDefinition::built_in().canonical_json()).unwrap();
        json["sections"][1]["questions"][0]["label"]
            .as_object_mut()
            .unwrap()
            .remove("de");
        let pretty = serde_json::to_string_pretty(&json).unwrap();
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(pretty.as_bytes()).unwrap();
        k.load_form_file(file.path().to_str().unwrap());
        let Some(Message::FormFileRejected { count, first }) = k.message().cloned() else {
            panic!("expected a rejection, got {:?}", k.message());
        };
        assert_eq!(count, 1);
        assert!(
            first.starts_with("line ") && !first.starts_with("line 1:"),
            "{first}"
        );
        assert!(first.contains("\"de\""), "{first}");
        assert_eq!(k.form_summary(), before);

        let mut broken = tempfile::NamedTempFile::new().unwrap();
        broken.write_all(b"{\n  \"id\": \"x\",\n  oops\n}").unwrap();
        k.load_form_file(broken.path().to_str().unwrap());
        assert!(
            matches!(k.message(), Some(Message::FormFileRejected { first, .. }) if first.starts_with("line 3:"))
        );
        assert_eq!(k.form_summary(), before);
    }

    #[test]
    fn missing_and_oversize_files_are_refused() {
        let (mut k, _) = kiosk();
        sign_in(&mut k, 0);
        k.load_form_file("/nonexistent/clinic-form.json");
        assert!(matches!(k.message(), Some(Message::FormFileUnreadable(_))));
        let mut big = tempfile::NamedTempFile::new().unwrap();
        big.write_all(&vec![b' '; MAX_DEFINITION_BYTES + 10])
            .unwrap();
        k.load_form_file(big.path().to_str().unwrap());
        assert!(
            matches!(k.message(), Some(Message::FormFileUnreadable(r)) if r.contains("larger than"))
        );
        assert!(k.form_summary().built_in);
    }

    #[test]
    fn only_a_manager_changes_the_form() {
        let (mut k, _) = kiosk();
        sign_in(&mut k, 1);
        let file = clinic_file("2027-02");
        k.load_form_file(file.path().to_str().unwrap());
        assert!(k.form_summary().built_in);
        assert_eq!(k.message(), None);
    }
}
