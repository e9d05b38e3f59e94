//! Rust-side text in the staff's language, from the same gettext catalogues as the Slint UI
//! (`locales/<lang>/LC_MESSAGES/intake-kiosk.po`, built into the binary: a new language is one
//! line in [`CATALOGUES`]; tests/translations.rs fails while a catalogue in locales/ is missing
//! from it). `locales/extract.py` collects every `t(lang, "…")` / `tn(lang, "…", "…", n, …)`
//! in `src/desk/` under the context `desk`, and every `t(lang, "…")` in `src/kiosk/` (the kiosk's
//! messages, [`crate::kiosk::Message`]) under the context `kiosk`, so the translations test
//! covers them like the UI's own strings.
//!
//! The catalogues are read with the PO parser Slint's own build uses for its bundled
//! translations (rspolib), so whatever standard gettext tools write reads the same here as in
//! the UI: entries re-wrapped over several lines (`msgcat`, `msgmerge`), escapes, comments and
//! obsolete entries. A fuzzy entry is not a translation (English is shown, as `msgfmt` and
//! Slint do). Plural forms follow each catalogue's `Plural-Forms` rule.

mod plural;

use std::collections::HashMap;
use std::sync::OnceLock;

pub use plural::PluralRule;

/// Languages with a catalogue; English is the source text.
pub const LANGUAGES: &[&str] = &["en", "fr", "es", "de", "pl", "ro", "pt", "ar"];

/// Whether `lang` is written right to left (its paragraphs end on the right, a box stands right
/// of its words): Arabic of `LANGUAGES`, and Hebrew, Persian and Urdu should a catalogue come.
pub fn right_to_left(lang: &str) -> bool {
    matches!(lang, "ar" | "he" | "fa" | "ur")
}

/// Each language's catalogue (every one of `LANGUAGES` but English).
const CATALOGUES: &[(&str, &str)] = &[
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

/// The context under which the desk's Rust-side strings are catalogued.
pub const DESK: &str = "desk";
/// The context of the kiosk's messages (`src/kiosk/message.rs`).
pub const KIOSK: &str = "kiosk";

/// One entry of a catalogue (obsolete `#~` entries are left out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub context: Option<String>,
    pub msgid: String,
    pub msgid_plural: Option<String>,
    /// The translation: one text, or one per plural form (`msgstr[i]`); empty when untranslated.
    pub msgstr: Vec<String>,
    /// Marked `#, fuzzy`: a guess a translator has not confirmed; never shown.
    pub fuzzy: bool,
}

impl Entry {
    /// Confirmed and complete: not fuzzy, and every form filled in.
    pub fn is_translated(&self) -> bool {
        !self.fuzzy && !self.msgstr.is_empty() && self.msgstr.iter().all(|s| !s.is_empty())
    }
}

/// A parsed .po file.
#[derive(Clone, Debug)]
pub struct Catalogue {
    pub entries: Vec<Entry>,
    /// The `Plural-Forms` rule (`n != 1` when the header has none).
    pub plural: PluralRule,
    /// How many plural forms the header declares, if it does.
    pub nplurals: Option<usize>,
}

/// A catalogue that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum I18nError {
    #[error("not a valid PO file: {0}")]
    Syntax(String),
    #[error("Plural-Forms header: {0}")]
    PluralForms(String),
}

/// Reads a .po (or .pot) file's text.
pub fn parse_catalogue(po: &str) -> Result<Catalogue, I18nError> {
    let file = rspolib::pofile(po).map_err(|e| I18nError::Syntax(e.to_string()))?;
    let (plural, nplurals) = match file.metadata.get("Plural-Forms") {
        Some(header) => {
            let nplurals = header.split(';').find_map(|part| {
                let (key, value) = part.split_once('=')?;
                (key.trim() == "nplurals").then(|| value.trim().parse().ok())?
            });
            (
                PluralRule::from_header(header).map_err(I18nError::PluralForms)?,
                nplurals,
            )
        }
        None => (PluralRule::germanic(), None),
    };
    let entries = file
        .entries
        .into_iter()
        .filter(|e| !e.obsolete)
        .map(|e| Entry {
            fuzzy: e.fuzzy(),
            msgstr: if e.msgid_plural.is_some() {
                e.msgstr_plural
            } else {
                e.msgstr.into_iter().collect()
            },
            context: e.msgctxt,
            msgid: e.msgid,
            msgid_plural: e.msgid_plural,
        })
        .collect();
    Ok(Catalogue {
        entries,
        plural,
        nplurals,
    })
}

/// The Rust-side translations of one language: context → msgid → its forms, and the plural rule.
struct RustText {
    forms: HashMap<String, HashMap<String, Vec<String>>>,
    plural: PluralRule,
}

impl RustText {
    fn forms(&self, context: &str, msgid: &str) -> Option<&Vec<String>> {
        self.forms.get(context)?.get(msgid)
    }
}

fn rust_text(po: &str) -> RustText {
    // A catalogue is built in and checked by tests/translations.rs; should one ever not parse,
    // its language shows English rather than failing.
    let Ok(catalogue) = parse_catalogue(po) else {
        return RustText {
            forms: HashMap::new(),
            plural: PluralRule::germanic(),
        };
    };
    let mut forms: HashMap<String, HashMap<String, Vec<String>>> = HashMap::new();
    for e in catalogue.entries {
        if let Some(context) = e.context.as_deref().filter(|c| [DESK, KIOSK].contains(c))
            && e.is_translated()
        {
            forms
                .entry(context.to_owned())
                .or_default()
                .insert(e.msgid, e.msgstr);
        }
    }
    RustText {
        forms,
        plural: catalogue.plural,
    }
}

fn catalogue(lang: &str) -> Option<&'static RustText> {
    static ALL: OnceLock<HashMap<&'static str, RustText>> = OnceLock::new();
    ALL.get_or_init(|| {
        CATALOGUES
            .iter()
            .map(|(l, po)| (*l, rust_text(po)))
            .collect()
    })
    .get(lang)
}

/// Marks a literal as a catalogued message id for locales/extract.py (gettext's `N_`), under the
/// context of the folder it is written in (`src/desk`, `src/kiosk`): the words are looked up
/// later, by [`t`] or [`t_in`].
pub const fn msgid(words: &'static str) -> &'static str {
    words
}

/// The desk's `msgid` in `lang` (English when there is no translation), with each `{}` replaced
/// by the next of `args`.
pub fn t(lang: &str, msgid: &str, args: &[&str]) -> String {
    t_in(DESK, lang, msgid, args)
}

/// [`t`] for the strings catalogued under `context` ([`DESK`] or [`KIOSK`]).
pub fn t_in(context: &str, lang: &str, msgid: &str, args: &[&str]) -> String {
    let template = catalogue(lang)
        .and_then(|c| {
            let forms = c.forms(context, msgid)?;
            // A plural entry looked up without a count: its form for one.
            forms.get(if forms.len() > 1 { c.plural.form(1) } else { 0 })
        })
        .map_or(msgid, String::as_str);
    fill(template, args)
}

/// The form of `singular` / `plural` for the count `n` in `lang` (English when there is no
/// translation: `singular` for 1, `plural` otherwise), with each `{}` replaced by the next of
/// `args` (which usually starts with `n`).
pub fn tn(lang: &str, singular: &str, plural: &str, n: u64, args: &[&str]) -> String {
    tn_in(DESK, lang, singular, plural, n, args)
}

/// [`tn`] for the strings catalogued under `context` ([`DESK`] or [`KIOSK`]).
pub fn tn_in(
    context: &str, lang: &str, singular: &str, plural: &str, n: u64, args: &[&str],
) -> String {
    let english = if n == 1 { singular } else { plural };
    let template = catalogue(lang)
        .and_then(|c| {
            let forms = c.forms(context, singular)?;
            // A translation without plural forms is used for every count.
            forms.get(if forms.len() > 1 { c.plural.form(n) } else { 0 })
        })
        .map_or(english, String::as_str);
    fill(template, args)
}

fn fill(template: &str, args: &[&str]) -> String {
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

/// `words` made to stand alone as a message of their own: the first letter a capital (where the
/// script has them) and a full stop at the end unless one is there. Refusals written to follow
/// a colon ("bundle-x.ikb: REFUSED …: the folder … does not exist") start small and end bare.
pub fn as_sentence(words: &str) -> String {
    let mut chars = words.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '!', '?', '؟', '…']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_made_to_stand_alone_start_with_a_capital_and_end_with_a_stop() {
        assert_eq!(
            as_sentence("the folder /m does not exist (is its disk connected?)"),
            "The folder /m does not exist (is its disk connected?)."
        );
        assert_eq!(as_sentence("it was altered."), "It was altered.");
        assert_eq!(as_sentence("/m is not a folder"), "/m is not a folder.");
        assert_eq!(as_sentence("émis hier"), "Émis hier.");
        assert_eq!(as_sentence("المجلد غير موجود؟"), "المجلد غير موجود؟");
        assert_eq!(as_sentence(""), "");
    }

    #[test]
    fn fills_arguments_and_falls_back_to_english() {
        assert_eq!(t("en", "{} found.", &["3"]), "3 found.");
        assert_eq!(t("xx", "Born {}", &["1988-04-12"]), "Born 1988-04-12");
        // Every desk string has a translation in every catalogue (see tests/translations.rs
        // for completeness); here: one is picked up and filled.
        assert_eq!(t("de", "Born {}", &["1988-04-12"]), "Geboren 1988-04-12");
    }

    #[test]
    fn parses_escapes_wrapped_lines_fuzzy_and_plurals() {
        let po = r#"msgid ""
msgstr ""
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || "
"n%100>=20) ? 1 : 2);\n"

msgctxt "desk"
msgid "A \"b\""
msgstr "C \"d\"\n"

# A translator's note.
msgctxt "desk"
msgid ""
"A long entry that a tool "
"wrapped."
msgstr ""
"Wpis "
"zawinięty."

#, fuzzy
msgctxt "desk"
msgid "Guessed"
msgstr "Zgadnięte"

msgctxt "desk"
msgid "{} record"
msgid_plural "{} records"
msgstr[0] "{} rekord"
msgstr[1] "{} rekordy"
msgstr[2] "{} rekordów"

#~ msgctxt "desk"
#~ msgid "Gone"
#~ msgstr "Usunięte"
"#;
        let catalogue = parse_catalogue(po).unwrap();
        assert_eq!(catalogue.nplurals, Some(3));
        let text = rust_text(po);
        let one = |id: &str| text.forms(DESK, id).map(|f| f[0].as_str());
        assert_eq!(one("A \"b\""), Some("C \"d\"\n"));
        assert_eq!(
            one("A long entry that a tool wrapped."),
            Some("Wpis zawinięty.")
        );
        assert_eq!(one("Guessed"), None, "fuzzy entries are not translations");
        assert_eq!(one("Gone"), None, "obsolete entries are not translations");
        let forms = text.forms(DESK, "{} record").expect("a plural entry");
        let pick = |n: u64| fill(&forms[text.plural.form(n)], &[&n.to_string()]);
        assert_eq!(
            [pick(1), pick(3), pick(5), pick(22), pick(112)],
            [
                "1 rekord",
                "3 rekordy",
                "5 rekordów",
                "22 rekordy",
                "112 rekordów"
            ]
        );
    }

    #[test]
    fn english_plurals_without_a_catalogue() {
        let one = tn("en", "{} record erased.", "{} records erased.", 1, &["1"]);
        let two = tn("xx", "{} record erased.", "{} records erased.", 2, &["2"]);
        assert_eq!(
            (one.as_str(), two.as_str()),
            ("1 record erased.", "2 records erased.")
        );
    }

    #[test]
    fn plural_forms_follow_each_language() {
        let list = |lang: &str, n: u64| {
            tn(
                lang,
                "{} patient on the list: {}",
                "{} patients on the list: {}",
                n,
                &[&n.to_string(), "list.csv"],
            )
        };
        assert_eq!(list("en", 0), "0 patients on the list: list.csv");
        assert_eq!(list("en", 1), "1 patient on the list: list.csv");
        // French counts 0 as singular; Spanish does not.
        assert_eq!(list("fr", 0), "0 patient sur la liste : list.csv");
        assert_eq!(list("fr", 2), "2 patients sur la liste : list.csv");
        assert_eq!(list("es", 0), "0 pacientes en la lista: list.csv");
        assert_eq!(list("de", 1), "1 Patient auf der Liste: list.csv");
    }

    #[test]
    fn every_built_in_catalogue_parses() {
        assert_eq!(LANGUAGES[0], "en");
        let with_catalogue: Vec<&str> = CATALOGUES.iter().map(|(l, _)| *l).collect();
        assert_eq!(LANGUAGES[1..], with_catalogue[..]);
        for (lang, po) in CATALOGUES {
            let c = parse_catalogue(po).unwrap_or_else(|e| panic!("{lang}: {e}"));
            assert!(!c.entries.is_empty(), "{lang}");
        }
    }
}
