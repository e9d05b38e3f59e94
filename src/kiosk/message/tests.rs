//! Every message kind has words in every catalogue; counts take their plural forms; values are
//! filled in.

use super::*;
use crate::i18n::LANGUAGES;

/// One message of each kind, in the enum's order. `template` is an exhaustive match with one
/// catalogued literal per kind (a kind that counts, a pair in `counted`), so a new kind cannot
/// go without words; list it here too.
fn one_of_each() -> Vec<Message> {
    let name = || "Maya".to_owned();
    vec![
        Message::WrongPassphrase,
        Message::PassphraseEmpty,
        Message::PinEmpty,
        Message::WrongRecoveryKey,
        Message::PassphraseTooShort,
        Message::PassphraseMismatch,
        Message::NamesMissing,
        Message::PinNotAllowed,
        Message::PinNotAllowedFor(name()),
        Message::WrongPin {
            tries_before_pause: 2,
        },
        Message::Wait { seconds: 30 },
        Message::AccountLocked,
        Message::DiskFull,
        Message::ReadOnly,
        Message::StorageProblem,
        Message::Tampered("staff".into()),
        Message::PatientFound,
        Message::PatientNotFound,
        Message::LookupIncomplete,
        Message::StaffAdded,
        Message::StaffUnlocked,
        Message::NotAllowed,
        Message::FormLoaded,
        Message::FormFileRejected {
            count: 3,
            first: "sections[0]: no questions".into(),
        },
        Message::FormFileUnreadable("not JSON".into()),
        Message::StoredFormDamaged,
        Message::PairingShown,
        Message::CompareCodes,
        Message::Paired,
        Message::PairingRejected,
        Message::PairingCancelled,
        Message::NoPairingOpen,
        Message::PairingAlreadyAnswered,
        Message::NewKioskId("3f9c0a12".into()),
        Message::PairingExpired,
        Message::PairingAnswerInvalid,
        Message::PairingCodeUsed,
        Message::NoPairingAnswer,
        Message::NotPaired,
        Message::Exported(4),
        Message::NothingToExport,
        Message::ReceiptsRead(4),
        Message::ReceiptsReadOldCopiesRemain(4),
        Message::ReceiptsSomeRefused(2),
        Message::ReceiptFromOtherDesk,
        Message::SyncFileInvalid,
        Message::ExchangeUnreachable,
        Message::NoExchangeFolder,
        Message::ExchangeFolderNotAbsolute,
        Message::ExchangeFolderSaved("/media/usb".into()),
        Message::ExchangeFolderNowhere,
        Message::IdleLimitOutOfRange("60–900".into()),
        Message::HandoverIdleSaved(300),
        Message::StaffIdleSaved(300),
        Message::SavedAsNewPatient,
        Message::PassphraseNotAllowed,
        Message::PassphraseChanged,
        Message::StaffRetired,
        Message::PinReset,
        Message::PinChanged,
        Message::RecoveryKeyReplaced,
        Message::KeyRotated,
        Message::LastManager,
        Message::ManagerPassphraseNeeded(name()),
        Message::OldCopiesRemain,
        Message::AnswerRequired,
        Message::AnswerOutOfRange,
        Message::AnswerNotANumber,
        Message::AnswerNotADate,
        Message::AnswerNotAnEmail,
        Message::AnswerTooLong,
        Message::FormProblems,
        Message::TreatmentConsentNeeded,
        Message::SignatureMissing,
        Message::ClockBehind {
            reads: "2000-01-01 00:04".into(),
            passed: "2026-12-06 17:30".into(),
        },
        Message::ClockConfirmed,
        Message::SignAgain,
    ]
}

#[test]
fn every_message_kind_has_a_translated_text_in_every_catalogue() {
    let all = one_of_each();
    let kinds: std::collections::HashSet<_> = all.iter().map(std::mem::discriminant).collect();
    assert_eq!(kinds.len(), all.len(), "each kind once");
    let english: std::collections::HashSet<String> = all.iter().map(|m| m.text("en")).collect();
    assert_eq!(english.len(), all.len(), "each kind has words of its own");
    for message in &all {
        let source = message.text("en");
        for lang in &LANGUAGES[1..] {
            let text = message.text(lang);
            assert!(
                !text.is_empty() && text != source,
                "{lang}: no translation of {message:?} ({source:?})"
            );
        }
    }
    // The one value a message carries is filled in, in every language.
    for lang in LANGUAGES {
        assert!(
            Message::PinNotAllowedFor("Maya".into())
                .text(lang)
                .contains("Maya")
        );
        assert!(Message::Exported(4).text(lang).contains('4'), "{lang}");
        let behind = Message::ClockBehind {
            reads: "2000-01-01 00:04".into(),
            passed: "2026-12-06 17:30".into(),
        }
        .text(lang);
        let (reads, passed) = (behind.find("2000-01-01"), behind.find("2026-12-06"));
        assert!(
            reads.is_some() && passed.is_some() && reads < passed,
            "{lang}: both times, the clock's first: {behind}"
        );
    }
}

/// "1 forms were sealed" was on the kiosk's screen until session 64: a count's words take
/// the language's plural form for it.
#[test]
fn a_count_takes_the_plural_form_for_it_in_every_language() {
    assert_eq!(
        Message::ReceiptsRead(1).text("en"),
        "Receipts read: 1 delivered form was removed from this kiosk."
    );
    assert_eq!(
        Message::ReceiptsRead(2).text("en"),
        "Receipts read: 2 delivered forms were removed from this kiosk."
    );
    assert!(
        Message::Exported(1)
            .text("en")
            .starts_with("1 form was sealed")
    );
    for lang in &LANGUAGES[1..] {
        for n in [1, 2, 5] {
            let counted = [
                Message::Exported(n),
                Message::ReceiptsRead(n),
                Message::ReceiptsReadOldCopiesRemain(n),
                Message::ReceiptsSomeRefused(n),
            ];
            for message in counted {
                let text = message.text(lang);
                assert!(
                    text.contains(&n.to_string()) && text != message.text("en"),
                    "{lang}, {n}: {text}"
                );
            }
        }
    }
    // Polish has a form for one, a few and many files.
    let pl = |n: usize| {
        Message::ReceiptsSomeRefused(n)
            .text("pl")
            .replace(&n.to_string(), "N")
    };
    let forms = std::collections::HashSet::from([pl(1), pl(2), pl(5)]);
    assert_eq!(forms.len(), 3, "{forms:?}");
}

#[test]
fn a_rejected_form_file_names_its_first_problem_and_how_many_more() {
    let one = Message::FormFileRejected {
        count: 1,
        first: "no title".into(),
    };
    let three = Message::FormFileRejected {
        count: 3,
        first: "no title".into(),
    };
    assert!(one.text("en").ends_with("First problem: no title"));
    assert!(three.text("en").ends_with("First problem: no title (+2)"));
}

#[test]
fn a_tampered_database_is_named_to_staff_not_hidden_as_a_storage_problem() {
    let message = Message::from_store(&StoreError::tampered("staff", "abc"));
    assert_eq!(message, Message::Tampered("staff".to_owned()));
    let text = message.text("en");
    assert!(
        text.contains("(table staff)") && !text.contains("abc"),
        "the table is shown, the row id is not: {text}"
    );
}
