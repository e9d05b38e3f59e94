//! What the adapters write for each list row and for the rotation's passphrase fields, once.
//!
//! - [`slint_row!`]: a Slint row struct from a view's row with the same field names — the
//!   texts copied as `SharedString`s, other values as they are, any field that is not a plain
//!   copy given as `name: expr`.
//! - [`taking_typed!`]: the callback of a "Rotate the data key" button: the passphrases typed
//!   into a global's rotation fields taken out, the fields emptied at once (the passphrases leave
//!   the window's model before the slow work), then the rotation run with them.

/// `slint_row!(Row from view { text_fields } [copied_fields], other: expr, …)`.
macro_rules! slint_row {
    ($row:ident from $v:ident { $($text:ident),* $(,)? } $([$($copied:ident),* $(,)?])? $(, $field:ident : $value:expr)* $(,)?) => {
        $row {
            $($text: $v.$text.as_str().into(),)*
            $($($copied: $v.$copied,)*)?
            $($field: $value,)*
        }
    };
}

/// `taking_typed!(ctx, Global, |ctx, typed| run)`: for `Global.on_rotate…(…)`.
macro_rules! taking_typed {
    ($ctx:expr, $global:ty, |$c:ident, $typed:ident| $run:expr) => {{
        let $c = $ctx.clone();
        move || {
            let Some(window) = $c.window.upgrade() else {
                return;
            };
            let g = window.global::<$global>();
            let ($typed, emptied) = super::rotation_slots::take_typed(&g.get_rotation_slots());
            g.set_rotation_slots(emptied);
            $run
        }
    }};
}
