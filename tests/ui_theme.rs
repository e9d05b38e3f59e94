//! Every text colour meets WCAG AA (4.5:1) against the backgrounds it is drawn on, in the default
//! and the high-contrast theme; large text makes every touch target at least as large.

mod ui_common;

use intake_kiosk::ui::Theme;
use slint::ComponentHandle;

fn luminance(c: slint::Color) -> f64 {
    let channel = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.039_28 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())
}

fn contrast(a: slint::Color, b: slint::Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn text_contrast_and_target_sizes_in_every_theme() {
    i_slint_backend_testing::init_no_event_loop();
    let dir = tempfile::tempdir().expect("tempdir");
    let ui = ui_common::new_kiosk(&dir.path().join("k.sqlite3"));
    let theme = ui.window.global::<Theme>();
    for high_contrast in [false, true] {
        theme.set_high_contrast(high_contrast);
        // (foreground, background, where it is used)
        let pairs = [
            (theme.get_text(), theme.get_background(), "text on the page"),
            (
                theme.get_text(),
                theme.get_surface(),
                "text on cards, fields and buttons",
            ),
            (
                theme.get_muted(),
                theme.get_background(),
                "notes on the page",
            ),
            (theme.get_muted(), theme.get_surface(), "notes on cards"),
            (theme.get_on_accent(), theme.get_accent(), "primary buttons"),
            (theme.get_on_accent(), theme.get_danger(), "danger buttons"),
            (theme.get_danger(), theme.get_background(), "error messages"),
            (
                theme.get_danger(),
                theme.get_surface(),
                "error messages on cards",
            ),
            (theme.get_on_accent(), theme.get_selected(), "ticked boxes"),
        ];
        for (fg, bg, place) in pairs {
            let ratio = contrast(fg, bg);
            assert!(
                ratio >= 4.5,
                "{place}: {ratio:.2}:1 (high contrast: {high_contrast})"
            );
        }
    }
    theme.set_large_text(false);
    let normal = theme.get_target();
    theme.set_large_text(true);
    assert!(theme.get_target() >= normal && normal >= 48.0);
    assert!(theme.get_font() > 20.0);
}
