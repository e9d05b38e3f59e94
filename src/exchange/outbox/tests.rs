//! The outbox's writer: a form that cannot be made, or a file the folder does not take, leaves
//! no file of the hand-off behind, named or temporary.

use super::writer::WAITING_FORMS;
use super::*;
use crate::forms::{Answers, PatientIdentity, Signature};
use crate::store::EXPORT_VERSION;
use crate::test_files::names_in;

/// Forms of the built-in definition; the one at `unreadable` cannot be read again (as an entry
/// of a bundle damaged after its import began).
struct Forms {
    bundle: Outgoing,
    unreadable: Option<usize>,
    /// The form at which the making panics (a fault in the code).
    panics: Option<usize>,
}

impl FormsToHandOn for Forms {
    fn definitions(&self) -> &[ExportedForm] {
        self.bundle.definitions()
    }

    fn form_ids(&self) -> impl Iterator<Item = &str> {
        self.bundle.form_ids()
    }

    fn form(&self, n: usize) -> Result<Cow<'_, ExportedSubmission>, ExchangeError> {
        assert!(self.panics != Some(n), "a fault in the making");
        if self.unreadable == Some(n) {
            return Err(ExchangeError::Io {
                path: "bundle".into(),
                source: std::io::Error::other("read again: damaged"),
            });
        }
        self.bundle.form(n)
    }
}

fn forms(count: usize, unreadable: Option<usize>) -> (Forms, Vec<Added>) {
    let form = FormDefinition::built_in();
    let hash = form.content_hash();
    let submissions: Vec<ExportedSubmission> = (0..count)
        .map(|n| {
            let mut identity = PatientIdentity::default();
            identity.given_name = format!("Ada{n}");
            identity.family_name = "Lovelace".into();
            identity.date_of_birth = "1990-02-03".into();
            ExportedSubmission {
                version: EXPORT_VERSION,
                submission_id: format!("sub-{n:03}"),
                kiosk_patient_id: format!("p-{n}"),
                identity,
                answers: Answers::default(),
                signature: Signature {
                    svg_path: "M 10 10 L 20 30".into(),
                },
                consents: Vec::new(),
                form_hash: hash.clone(),
                notice_hash: form.notice_hash("en"),
                language: "en".into(),
                submitted_at: "2026-12-01T10:00:00Z".into(),
                packed: Default::default(),
            }
        })
        .collect();
    let added = submissions
        .iter()
        .map(|s| Added {
            submission_id: s.submission_id.clone(),
            patient_id: format!("desk-{}", s.kiosk_patient_id),
            restricted: false,
            held_for_erasure: false,
        })
        .collect();
    let definitions = vec![ExportedForm {
        hash,
        definition_json: form.canonical_json(),
    }];
    let forms = Forms {
        bundle: Outgoing {
            submissions,
            forms: definitions,
            security: Vec::new(),
        },
        unreadable,
        panics: None,
    };
    (forms, added)
}

#[test]
fn every_form_is_handed_on_as_its_three_files() {
    let dir = tempfile::tempdir().unwrap();
    // More files than wait for the writer at once.
    let count = 2 * WAITING_FORMS;
    let (forms, added) = forms(count, None);
    assert_eq!(
        hand_on("kiosk-1", &forms, &added, dir.path()).unwrap(),
        3 * count
    );
    let names = names_in(dir.path());
    assert_eq!(names.len(), 3 * count, "{names:?}");
    for s in &forms.bundle.submissions {
        for name in file_names(&s.submission_id) {
            assert!(names.contains(&name), "{name}");
        }
        let json = std::fs::read(dir.path().join(format!("{}.json", s.submission_id))).unwrap();
        let back: ExportedSubmission = serde_json::from_slice(&json).unwrap();
        assert_eq!(back.identity.given_name, s.identity.given_name);
    }
}

#[test]
fn a_form_that_cannot_be_made_leaves_no_file_of_the_hand_off() {
    let dir = tempfile::tempdir().unwrap();
    let (forms, added) = forms(2 * WAITING_FORMS, Some(2 * WAITING_FORMS - 2));
    let error = hand_on("kiosk-1", &forms, &added, dir.path()).unwrap_err();
    assert!(error.to_string().contains("damaged"), "{error}");
    assert_eq!(names_in(dir.path()), Vec::<String>::new());
}

#[test]
fn a_file_the_folder_does_not_take_stops_the_hand_off_and_leaves_nothing_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let (forms, added) = forms(2 * WAITING_FORMS, None);
    // A folder planted under the last form's Bundle: its rename fails at the commit.
    let planted = format!(
        "{}.fhir.json",
        forms.bundle.submissions[2 * WAITING_FORMS - 1].submission_id
    );
    std::fs::create_dir(dir.path().join(&planted)).unwrap();
    std::fs::write(dir.path().join(&planted).join("x"), b"x").unwrap();
    let error = hand_on("kiosk-1", &forms, &added, dir.path()).unwrap_err();
    assert!(matches!(error, ExchangeError::Io { .. }), "{error:?}");
    assert!(!error.to_string().contains("writer stopped"), "{error}");
    // The files named before the failure stay (a re-import writes them again); no temporary
    // file is left.
    let names = names_in(dir.path());
    assert!(names.iter().all(|n| !n.ends_with(".partial")), "{names:?}");
    assert!(names.contains(&planted));

    // An outbox that is a file: refused before any form is made.
    let file = dir.path().join("emr");
    std::fs::write(&file, b"not a folder").unwrap();
    let error = hand_on("kiosk-1", &forms, &added, &file).unwrap_err();
    // The folder's own problem, not that the writer stopped.
    assert!(!error.to_string().contains("writer stopped"), "{error}");
}

#[test]
fn a_making_that_panics_leaves_no_file_of_the_hand_off() {
    let dir = tempfile::tempdir().unwrap();
    let (mut forms, added) = forms(2 * WAITING_FORMS, None);
    forms.panics = Some(2 * WAITING_FORMS - 2);
    let outbox = dir.path();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        hand_on("kiosk-1", &forms, &added, outbox)
    }));
    assert!(result.is_err(), "the panic reaches the caller");
    assert_eq!(names_in(outbox), Vec::<String>::new());
}

/// Slices of one form each, named behind the making: a form that cannot be made stops the
/// hand-off with its error; every form named is named whole (a slice ends between forms), and
/// none from the failed one on.
#[test]
fn a_slice_ends_between_forms_and_a_failure_names_no_part_of_a_form() {
    let dir = tempfile::tempdir().unwrap();
    let count = 2 * WAITING_FORMS;
    let failing = count - 3;
    let (bundle, added) = forms(count, Some(failing));
    let error = hand_on_in_slices("kiosk-1", &bundle, &added, dir.path(), 1).unwrap_err();
    assert!(error.to_string().contains("damaged"), "{error}");
    let names = names_in(dir.path());
    assert!(names.iter().all(|n| !n.ends_with(".partial")), "{names:?}");
    for (n, s) in bundle.bundle.submissions.iter().enumerate() {
        let named = file_names(&s.submission_id).map(|name| names.contains(&name));
        if n >= failing {
            assert_eq!(named, [false; 3], "form {n}");
        } else {
            assert!(
                named == [true; 3] || named == [false; 3],
                "form {n}: {named:?}"
            );
        }
    }
    // Without the failure every slice is named.
    let dir = tempfile::tempdir().unwrap();
    let (bundle, added) = forms(count, None);
    assert_eq!(
        hand_on_in_slices("kiosk-1", &bundle, &added, dir.path(), 1).unwrap(),
        3 * count
    );
    assert_eq!(names_in(dir.path()).len(), 3 * count);
}
