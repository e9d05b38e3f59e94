//! What a crash leaves behind: nothing of a patient's and no key.
//!
//! - **No core file.** A core dump is the whole memory of the process: the data key, an open
//!   form, a decrypted record. At start the process sets its core size limit to zero and marks
//!   itself not dumpable, so neither the kernel nor systemd-coredump writes one, and another
//!   process of the same user cannot read its memory through `/proc` or a debugger.
//! - **A panic says where, not what.** The default message quotes the panic's text, and a
//!   formatted one (an `expect` on an error, an `assert_eq!`) may hold a value read from a record.
//!   Only a fixed text written in the source is printed; a formatted one is withheld. The place in
//!   the source is always printed, so a developer can still find the cause.

use std::any::Any;
use std::panic::Location;

/// Forbids core dumps and debugger access for this process. Failures are logged, not fatal:
/// the program must still run where the calls are refused (e.g. under a seccomp filter).
pub fn forbid_core_dumps() {
    let none = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain system calls with valid arguments; `none` outlives the call.
    if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &none) } != 0 {
        tracing::warn!(
            "could not forbid core files: {}",
            std::io::Error::last_os_error()
        );
    }
    // SAFETY: as above; PR_SET_DUMPABLE takes one integer argument.
    if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0 as libc::c_ulong) } != 0 {
        tracing::warn!(
            "could not mark the process not dumpable: {}",
            std::io::Error::last_os_error()
        );
    }
}

/// Replaces the panic message with [`panic_report`]'s.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("{}", panic_report(info.payload(), info.location()));
    }));
}

/// The line a panic prints: where it happened and, only when it is a fixed text from the source,
/// what it says.
fn panic_report(payload: &(dyn Any + Send), location: Option<&Location<'_>>) -> String {
    let place = location.map_or_else(
        || "an unknown place".to_owned(),
        |l| format!("{}:{}:{}", l.file(), l.line(), l.column()),
    );
    let thread = std::thread::current();
    let thread = thread.name().unwrap_or("unnamed");
    match payload.downcast_ref::<&'static str>() {
        Some(text) => format!("internal error in thread '{thread}' at {place}: {text}"),
        None => format!(
            "internal error in thread '{thread}' at {place} (its message is withheld: it may quote a patient's data)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_text_is_printed_with_its_place() {
        let place = Location::caller();
        let report = panic_report(&"the signature pad is gone", Some(place));
        assert!(report.contains("the signature pad is gone"), "{report}");
        assert!(
            report.contains(&format!("crash_guard.rs:{}", place.line())),
            "{report}"
        );
    }

    #[test]
    fn a_formatted_text_is_withheld() {
        let secret = "Penicillin: anaphylaxis".to_owned();
        let payload = format!("answer {secret} did not parse");
        let report = panic_report(&payload, Some(Location::caller()));
        assert!(!report.contains("Penicillin"), "{report}");
        assert!(report.contains("withheld"), "{report}");
        assert!(report.contains("crash_guard.rs"), "{report}");
    }

    #[test]
    fn a_real_panic_reaches_the_report_withheld() {
        // The payload a formatting panic really carries (a String), caught and reported.
        let caught = std::panic::catch_unwind(|| {
            let value = "Jane Patient";
            panic!("no record for {value}");
        })
        .unwrap_err();
        let report = panic_report(caught.as_ref(), None);
        assert!(!report.contains("Jane"), "{report}");
    }

    #[test]
    fn this_process_can_no_longer_dump_core() {
        forbid_core_dumps();
        let mut limit = libc::rlimit {
            rlim_cur: 1,
            rlim_max: 1,
        };
        // SAFETY: reads into a valid rlimit.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut limit) }, 0);
        assert_eq!((limit.rlim_cur, limit.rlim_max), (0, 0));
        // SAFETY: PR_GET_DUMPABLE takes no argument and returns the flag.
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_DUMPABLE) }, 0);
    }
}
