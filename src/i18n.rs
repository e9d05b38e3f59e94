//! Rust-side text in the staff's language, from the same gettext catalogues as the Slint UI
//! (`locales/<lang>/LC_MESSAGES/intake-kiosk.po`, built into the binary). `locales/extract.py`
//! collects every `t(lang, "…")` in `src/desk/` under the context `desk`, so the translations
//! test covers them like the UI's own strings.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Languages with a catalogue; English is the source text.
pub const LANGUAGES: [&str; 8] = ["en", "fr", "es", "de", "pl", "ro", "pt", "ar"];

const CATALOGUES: [(&str, &str); 7] = [
    (
        "fr",
        include_str!("../locales/fr/LC_MESSAGES/intake-kiosk.po"),
    ),
    (
        "es",
        include_str!("../locales/es/LC_MESSAGES/intake-kiosk.po"),
    ),
    (
        "de",
        include_str!("../locales/de/LC_MESSAGES/intake-kiosk.po"),
    ),
    (
        "pl",
        include_str!("../locales/pl/LC_MESSAGES/intake-kiosk.po"),
    ),
    (
        "ro",
        include_str!("../locales/ro/LC_MESSAGES/intake-kiosk.po"),
    ),
    (
        "pt",
        include_str!("../locales/pt/LC_MESSAGES/intake-kiosk.po"),
    ),
    (
        "ar",
        include_str!("../locales/ar/LC_MESSAGES/intake-kiosk.po"),
    ),
];

/// The context under which Rust-side strings are catalogued.
const CONTEXT: &str = "desk";

type Catalogue = HashMap<String, String>;

fn unquote(line: &str, key: &str) -> Option<String> {
    let rest = line.strip_prefix(key)?.trim();
    let inner = rest.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// The `desk` entries of one .po file (single-line entries, as extract.py writes them).
fn parse(po: &str) -> Catalogue {
    let mut out = Catalogue::new();
    let (mut ctx, mut id) = (None, None);
    for line in po.lines() {
        if let Some(c) = unquote(line, "msgctxt ") {
            ctx = Some(c);
        } else if let Some(i) = unquote(line, "msgid ") {
            id = Some(i);
        } else if let Some(text) = unquote(line, "msgstr ") {
            if let (Some(c), Some(i)) = (ctx.take(), id.take())
                && c == CONTEXT
                && !text.is_empty()
            {
                out.insert(i, text);
            }
        }
    }
    out
}

fn catalogue(lang: &str) -> Option<&'static Catalogue> {
    static ALL: OnceLock<HashMap<&'static str, Catalogue>> = OnceLock::new();
    ALL.get_or_init(|| CATALOGUES.iter().map(|(l, po)| (*l, parse(po))).collect())
        .get(lang)
}

/// `msgid` in `lang` (English when there is no translation), with each `{}` replaced by the
/// next of `args`.
pub fn t(lang: &str, msgid: &str, args: &[&str]) -> String {
    let template = catalogue(lang)
        .and_then(|c| c.get(msgid))
        .map_or(msgid, String::as_str);
    let mut out = String::with_capacity(template.len() + 16);
    let mut args = args.iter();
    let mut rest = template;
    while let Some(at) = rest.find("{}") {
        out.push_str(&rest[..at]);
        out.push_str(args.next().copied().unwrap_or(""));
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out
}

/// The UI language from the environment (`LC_ALL`, `LC_MESSAGES`, `LANG`), if it is one with a
/// catalogue; English otherwise.
pub fn language_from_env() -> &'static str {
    let found = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_default();
    let code = found.get(..2).unwrap_or("");
    LANGUAGES
        .iter()
        .find(|l| **l == code)
        .copied()
        .unwrap_or("en")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_arguments_and_falls_back_to_english() {
        assert_eq!(t("en", "{} found.", &["3"]), "3 found.");
        assert_eq!(t("xx", "Born {}", &["1988-04-12"]), "Born 1988-04-12");
        // Every desk string has a translation in every catalogue (see tests/translations.rs
        // for completeness); here: one is picked up and filled.
        assert_eq!(t("de", "Born {}", &["1988-04-12"]), "Geboren 1988-04-12");
    }

    #[test]
    fn parses_escapes() {
        let po = "msgctxt \"desk\"\nmsgid \"A \\\"b\\\"\"\nmsgstr \"C \\\"d\\\"\\n\"\n";
        assert_eq!(
            parse(po).get("A \"b\"").map(String::as_str),
            Some("C \"d\"\n")
        );
    }
}
