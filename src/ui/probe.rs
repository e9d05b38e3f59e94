//! Test builds only (the `probe` feature): the running window writes what it shows to the file
//! named by `INTAKE_KIOSK_PROBE`, so the real-window harness (tests/real_window.rs) can tell the
//! screens apart and find where to tap. The taps themselves are real X events; this only reads.
//!
//! The file is rewritten (atomically, through a rename) every 100 ms of the event loop. Its lines:
//! `tick=N` (how many times the loop has written it: a harness can tell that the window has run
//! for a while without a change, whatever the load on the machine), `screen=…`, `step=…`,
//! `kind=…`, `window=W×H`, then one line per labelled element:
//! `role\tlabel\tvalue\tchecked\tx\ty\tw\th` (logical pixels, window-relative).

use std::fmt::Write as _;
use std::path::PathBuf;

use i_slint_backend_testing::{AccessibleRole, ElementQuery};
use slint::ComponentHandle;

/// The variable that names the file; nothing is written without it.
pub const PROBE_VAR: &str = "INTAKE_KIOSK_PROBE";

/// Starts writing the probe file for `window` if the variable is set; keep the timer alive.
/// `header` gives the lines that name the screen.
pub fn start<C: ComponentHandle + 'static>(
    window: &C, header: impl Fn(&C) -> String + 'static,
) -> Option<slint::Timer> {
    let path = PathBuf::from(std::env::var_os(PROBE_VAR)?);
    let weak = window.as_weak();
    let timer = slint::Timer::default();
    let mut tick: u64 = 0;
    timer.start(
        slint::TimerMode::Repeated,
        std::time::Duration::from_millis(100),
        move || {
            let Some(window) = weak.upgrade() else { return };
            tick += 1;
            let text = describe(&window, &format!("tick={tick}\n{}", header(&window)));
            let tmp = path.with_extension("tmp");
            if std::fs::write(&tmp, &text).is_ok() {
                let _ = std::fs::rename(&tmp, &path);
            }
        },
    );
    Some(timer)
}

fn describe<C: ComponentHandle>(window: &C, header: &str) -> String {
    let size = window.window().size();
    let scale = window.window().scale_factor();
    let mut out = format!(
        "{header}window={}x{}\n",
        (size.width as f32 / scale).round(),
        (size.height as f32 / scale).round()
    );
    for e in ElementQuery::from_root(window).find_all() {
        let Some(role) = e.accessible_role() else {
            continue;
        };
        if role == AccessibleRole::None {
            continue;
        }
        let label = clean(e.accessible_label());
        if label.is_empty() && role != AccessibleRole::TextInput {
            continue;
        }
        let p = e.absolute_position();
        let s = e.size();
        let _ = writeln!(
            out,
            "{role:?}\t{label}\t{}\t{}\t{:.0}\t{:.0}\t{:.0}\t{:.0}",
            clean(e.accessible_value()),
            e.accessible_checked().unwrap_or(false),
            p.x,
            p.y,
            s.width,
            s.height
        );
    }
    out
}

fn clean(s: Option<slint::SharedString>) -> String {
    s.map(|s| s.replace(['\t', '\n'], " ")).unwrap_or_default()
}

/// The header lines of the kiosk window.
pub fn kiosk_header(w: &super::AppWindow) -> String {
    let k = w.global::<super::KioskAdapter>();
    let h = w.global::<super::HandoverAdapter>();
    let r = w.global::<super::ReceiptAdapter>();
    let f = w.global::<super::FieldFocus>();
    format!(
        "screen={:?}\nstep={}\nkind={}\ntitle={}\nlanguage={}\nbusy={}\nmessage={}\nreceipt={}\nreference={}\nfocus-serial={}\nfocus-top={}\n",
        k.get_screen(),
        h.get_step(),
        h.get_step_kind(),
        h.get_step_title(),
        h.get_language(),
        k.get_busy(),
        k.get_message().replace('\n', " "),
        r.get_visible(),
        r.get_reference(),
        f.get_serial(),
        f.get_top(),
    )
}

/// The header lines of the desk window.
pub fn desk_header(w: &super::DeskWindow) -> String {
    let d = w.global::<super::DeskAdapter>();
    format!(
        "screen={:?}\nmessage={}\nmessage-good={}\nbusy={}\nfocus-serial={}\n",
        d.get_screen(),
        d.get_message().replace('\n', " "),
        d.get_message_good(),
        d.get_busy(),
        w.global::<super::FieldFocus>().get_serial(),
    )
}
