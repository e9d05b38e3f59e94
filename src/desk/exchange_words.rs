//! A refusal of the exchange (a kiosk's bundle, a pairing picture) in words for desk staff, in
//! their language: why, and where it helps, what to do. The reasons staff act on are catalogued;
//! a technical detail inside stays in English (for IT), and what is not catalogued keeps the
//! exchange's own English words, as `store_words` does for the store.

use super::store_words::{folder_words, store_failure_words};
use crate::exchange::ExchangeError;
use crate::i18n::{msgid, t};
use crate::sync::SyncError;

/// `e` in words for desk staff (see the module). The file's name is not repeated: the caller's
/// line names it.
pub fn exchange_failure_words(lang: &str, e: &ExchangeError) -> String {
    // The catalogued words, and the detail (if any) that fills their `{}`.
    let (words, detail): (&str, Option<String>) = match e {
        ExchangeError::Store(e) => return store_failure_words(lang, e),
        ExchangeError::Folder(problem) => return folder_words(lang, problem),
        ExchangeError::Format {
            error: SyncError::BadSignature | SyncError::OpenFailed,
            ..
        } => (
            msgid("it was altered, or not made by a kiosk paired with this desk."),
            None,
        ),
        ExchangeError::Format { error, .. } => (
            msgid("it is damaged or not a kiosk's bundle ({})."),
            Some(error.to_string()),
        ),
        ExchangeError::UnknownKiosk { kiosk_id, .. } => (
            msgid("it comes from kiosk {}, which is not paired with this desk (or was revoked)."),
            Some(kiosk_id.clone()),
        ),
        ExchangeError::KioskNotConfirmed { kiosk_id, .. } => (
            msgid(
                "kiosk {} waits for confirmation: type the code its screen shows under \"Kiosks waiting for confirmation\", then import again.",
            ),
            Some(kiosk_id.clone()),
        ),
        ExchangeError::TooLarge { .. } => (
            msgid("the file is larger than it can be, so it was not read."),
            None,
        ),
        ExchangeError::NotRegularFile { .. } => (
            msgid("it is a link or a folder, not an ordinary file, so it was not read."),
            None,
        ),
        ExchangeError::Io { source, .. } => (
            msgid("it could not be read ({})."),
            Some(source.to_string()),
        ),
        ExchangeError::BadTimes { error, .. } => (
            msgid("its forms carry times this desk does not accept ({})."),
            Some(error.to_string()),
        ),
        ExchangeError::NoReveal(dir) => (
            msgid(
                "the kiosk has not read this desk's answer yet (nothing from it in {}): on the kiosk, read the back office's answer first, then type the code it shows.",
            ),
            Some(dir.display().to_string()),
        ),
        ExchangeError::RevealMismatch { .. } => (
            msgid(
                "what the kiosk left for this desk does not belong to the pairing code scanned here: someone else may have answered the kiosk. Do not confirm; start pairing again on the kiosk.",
            ),
            None,
        ),
        ExchangeError::OutboxInExchange { outbox, .. } => (
            msgid(
                "the outbox {} is the exchange folder or lies inside or around it: set the outbox elsewhere (its forms are plain patient data and must not travel with the bundles).",
            ),
            Some(outbox.display().to_string()),
        ),
        ExchangeError::NotHandedOn { error, .. } => (
            msgid(
                "its forms could not be written to the outbox ({}), so the kiosk keeps them. Import again once the outbox can take them.",
            ),
            Some(error.to_string()),
        ),
        ExchangeError::BundleNumberReused { kiosk_id, .. } => (
            msgid(
                "kiosk {} sent a different bundle under this number before, as a tablet restored from a backup does: nothing was imported. On the tablet's back-office panel, Unpair, then Pair as a new kiosk, and pair it here again.",
            ),
            Some(kiosk_id.clone()),
        ),
        ExchangeError::BadContent { detail, .. } => (
            msgid("its content is not what a kiosk writes ({})."),
            Some(detail.clone()),
        ),
        other => return other.to_string(),
    };
    let args: Vec<&str> = detail.as_deref().into_iter().collect();
    t(lang, words, &args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreError;

    #[test]
    fn the_refusals_staff_act_on_are_in_their_language_without_the_file_name() {
        let altered = ExchangeError::Format {
            file: "bundle-x.ikb".into(),
            error: SyncError::BadSignature,
        };
        let words = exchange_failure_words("en", &altered);
        assert_eq!(
            words,
            "it was altered, or not made by a kiosk paired with this desk."
        );
        assert!(!words.contains("bundle-x.ikb"));
        let french = exchange_failure_words("fr", &altered);
        assert!(!french.is_empty() && french != words && french != altered.to_string());
        let waiting = ExchangeError::KioskNotConfirmed {
            file: "bundle-y.ikb".into(),
            kiosk_id: "k-1".into(),
        };
        assert!(exchange_failure_words("de", &waiting).contains("k-1"));
        assert_ne!(
            exchange_failure_words("de", &waiting),
            exchange_failure_words("en", &waiting)
        );
        // A store refusal inside reads as the store's words do.
        let full = ExchangeError::Store(StoreError::DiskFull);
        assert_eq!(
            exchange_failure_words("en", &full),
            store_failure_words("en", &StoreError::DiskFull)
        );
        // A disk not mounted under the outbox reads as it does for a folder refused when set.
        let problem =
            || crate::store::FolderProblem::NotMounted("/mnt/emr/in".into(), "/mnt/emr".into());
        let unmounted = ExchangeError::Folder(problem());
        assert_eq!(
            exchange_failure_words("en", &unmounted),
            "the disk for /mnt/emr/in is not mounted: connect or mount it, then try again"
        );
        assert_eq!(
            exchange_failure_words("pl", &unmounted),
            store_failure_words("pl", &StoreError::Folder(problem()))
        );
        assert_ne!(
            exchange_failure_words("pl", &unmounted),
            exchange_failure_words("en", &unmounted)
        );
    }
}
