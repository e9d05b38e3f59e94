//! Text copied from a window (Ctrl+C) or selected in it with the pointer (X11's primary
//! selection, pasted with a middle click) outlives the screen it came from: after a handover is
//! wiped or handed back, or the desk is locked, the next patient or person at the PC could paste
//! the last one's details. When the controller's count of wipes moves, both are cleared.
//!
//! Only in the running app ([`WorkMode::Background`]): the headless tests have no system
//! clipboard, and the real-window tests check this one by pasting after a lock.

use std::sync::atomic::{AtomicU64, Ordering};

use super::WorkMode;

/// Clears the clipboard and the primary selection when `wipes` differs from what `seen` last
/// held (then remembers it).
pub(super) fn forget_after_wipes(seen: &AtomicU64, wipes: u64, mode: WorkMode) {
    if seen.swap(wipes, Ordering::Relaxed) != wipes && mode == WorkMode::Background {
        forget();
    }
}

/// Clears both, at once (also when the window closes: a clipboard manager would otherwise keep
/// what it was handed at exit). A machine without a clipboard has nothing to clear.
pub(super) fn forget() {
    use arboard::{ClearExtLinux, LinuxClipboardKind};
    let mut clipboard = match arboard::Clipboard::new() {
        Ok(clipboard) => clipboard,
        Err(e) => {
            tracing::debug!("no clipboard to clear: {e}");
            return;
        }
    };
    for kind in [LinuxClipboardKind::Clipboard, LinuxClipboardKind::Primary] {
        if let Err(e) = clipboard.clear_with().clipboard(kind) {
            tracing::warn!("the {kind:?} selection could not be cleared: {e}");
        }
    }
}
