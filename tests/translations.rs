//! Every string the UI shows exists in every language: the template matches the UI, each
//! catalogue translates every entry (every plural form, placeholders kept, nothing fuzzy), and
//! each passes `msgfmt --check` where gettext is installed. Standard gettext tools do not break
//! them: a catalogue re-wrapped by `msgcat` reads with the same translations, and
//! `locales/extract.py` run over re-wrapped catalogues keeps every translation.
//! The built-in form (questions, privacy notice, consent texts) is offered in every language.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use intake_kiosk::i18n::{Entry, parse_catalogue};

/// The languages with a catalogue in locales/ (English is the source text). Slint bundles every
/// one of them; the Rust side must list the same (src/i18n.rs), which this checks.
fn languages() -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir("locales")
        .expect("locales/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("LC_MESSAGES/intake-kiosk.po").is_file())
        .filter_map(|p| Some(p.file_name()?.to_str()?.to_owned()))
        .collect();
    found.sort();
    let mut rust_side: Vec<String> = intake_kiosk::i18n::LANGUAGES
        .iter()
        .filter(|l| **l != "en")
        .map(|l| (*l).to_owned())
        .collect();
    rust_side.sort();
    assert_eq!(
        rust_side, found,
        "src/i18n.rs LANGUAGES/CATALOGUES must list every catalogue in locales/"
    );
    found
}

fn catalogue_path(root: &Path, lang: &str) -> std::path::PathBuf {
    root.join(format!("locales/{lang}/LC_MESSAGES/intake-kiosk.po"))
}

/// The entries of a .po/.pot file, header skipped, read by the app's own parser.
fn entries(path: &Path) -> Vec<Entry> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse_catalogue(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .entries
}

/// What a catalogue translates: (context, msgid) → (msgid_plural, forms), confirmed entries only.
type Translations = BTreeMap<(Option<String>, String), (Option<String>, Vec<String>)>;

fn translations(path: &Path) -> Translations {
    entries(path)
        .into_iter()
        .filter(Entry::is_translated)
        .map(|e| ((e.context, e.msgid), (e.msgid_plural, e.msgstr)))
        .collect()
}

/// Whether a gettext program is here; on CI it must be.
fn have(program: &str) -> bool {
    let found = Command::new(program).arg("--version").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs gettext and python3: {program} must be there"
        );
        eprintln!("{program} not installed here; skipped");
    }
    found
}

/// Every `@tr("…")` literal in ui/.
fn ui_strings() -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut stack = vec![Path::new("ui").to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("ui dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "slint") {
                let src = std::fs::read_to_string(&path).expect("read");
                for piece in src.split("@tr(\"").skip(1) {
                    let mut s = String::new();
                    let mut chars = piece.chars();
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => s.push(chars.next().expect("escaped char")),
                            '"' => break,
                            other => s.push(other),
                        }
                    }
                    found.insert(s);
                }
            }
        }
    }
    found.extend(rust_strings());
    found
}

/// A string literal starting at `text` (just after its opening quote), unescaped.
fn literal(text: &str) -> String {
    let mut s = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => s.push(chars.next().expect("escaped char")),
            '"' => break,
            other => s.push(other),
        }
    }
    s
}

/// The Rust-side strings: `t(lang, "…")`, `tn(lang, "…", "…", n, …)`, `say_t("…")` and
/// `msgid("…")` in src/desk/ and the kiosk's messages in src/kiosk/ (see src/i18n.rs); for a
/// plural, its singular (the msgid).
fn rust_strings() -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for path in rust_files() {
        let src = std::fs::read_to_string(&path).expect("read");
        let calls = ["t(", "tn(", "msgid("].map(|name| src.match_indices(name));
        for (at, name) in calls.into_iter().flatten() {
            let before = src[..at].chars().next_back().unwrap_or(' ');
            let rest = &src[at + name.len()..];
            // say_t("…"), say_tn("…", …) and msgid("…") (a marked literal) take the text first.
            let after_name = if src[..at].ends_with("say_") || name == "msgid(" {
                Some(rest)
            } else if before.is_alphanumeric() || before == '_' || before == '.' {
                None
            } else {
                // t(<language expression>, "…"): the first argument has no comma, quote or paren.
                rest.find(',')
                    .filter(|comma| !rest[..*comma].contains(['(', ')', '"']))
                    .map(|comma| &rest[comma + 1..])
            };
            if let Some(quoted) = after_name
                .map(str::trim_start)
                .and_then(|r| r.strip_prefix('"'))
            {
                found.insert(literal(quoted));
            }
        }
    }
    found
}

/// The Rust files of src/desk/ and src/kiosk/, their subfolders included (as extract.py reads).
fn rust_files() -> Vec<std::path::PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(Path::new("src/desk"), &mut files);
    walk(Path::new("src/kiosk"), &mut files);
    files
}

/// A plural's texts are written out in its call, `tn(lang, "…", "…", n, …)` or
/// `say_tn("…", "…", …)`: extract.py collects only literals, so texts handed in through variables
/// were never in the catalogues and showed in English in every language (the desk's opening
/// message, until session 42). A plural has no `msgid("…")` marker to carry them instead.
#[test]
fn every_plural_text_is_written_in_its_call() {
    let mut unwritten = Vec::new();
    for path in rust_files() {
        let src = std::fs::read_to_string(&path).expect("read");
        for (at, _) in src.match_indices("tn(") {
            let head = &src[..at];
            let before = head.chars().next_back().unwrap_or(' ');
            let rest = &src[at + "tn(".len()..];
            let texts = if head.ends_with("fn say_") || head.ends_with("fn ") {
                continue; // the definitions
            } else if head.ends_with("say_") {
                rest
            } else if before.is_alphanumeric() || before == '_' || before == '.' {
                continue; // another name ending in "tn("
            } else {
                match rest.find(',') {
                    Some(comma) => &rest[comma + 1..],
                    None => rest,
                }
            };
            if !texts.trim_start().starts_with('"') {
                let line = head.matches('\n').count() + 1;
                unwritten.push(format!("{}:{line}", path.display()));
            }
        }
    }
    assert!(
        unwritten.is_empty(),
        "plural texts not written in the call (extract.py cannot see them): {unwritten:?}"
    );
}

#[test]
fn the_template_matches_the_ui() {
    let template: BTreeSet<String> = entries(Path::new("locales/intake-kiosk.pot"))
        .into_iter()
        .map(|e| e.msgid)
        .collect();
    let ui = ui_strings();
    let missing: Vec<_> = ui.difference(&template).collect();
    let stale: Vec<_> = template.difference(&ui).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "run locales/extract.py: missing {missing:?}, stale {stale:?}"
    );
}

#[test]
fn every_language_translates_every_string() {
    let template = entries(Path::new("locales/intake-kiosk.pot"));
    assert!(languages().len() >= 3, "{:?}", languages());
    for lang in languages() {
        let path = catalogue_path(Path::new("."), &lang);
        let text = std::fs::read_to_string(&path).expect("catalogue");
        let catalogue = parse_catalogue(&text).unwrap_or_else(|e| panic!("{lang}: {e}"));
        let nplurals = catalogue.nplurals.unwrap_or(2);
        for t in &template {
            let found = catalogue
                .entries
                .iter()
                .find(|e| e.context == t.context && e.msgid == t.msgid);
            let Some(e) = found.filter(|e| e.is_translated()) else {
                panic!(
                    "{lang}: no translation (or only a fuzzy one) for {:?}: {:?}",
                    t.context, t.msgid
                )
            };
            assert_eq!(
                e.msgid_plural, t.msgid_plural,
                "{lang}: plural of {:?}",
                t.msgid
            );
            if t.msgid_plural.is_some() {
                assert_eq!(
                    e.msgstr.len(),
                    nplurals,
                    "{lang}: plural forms of {:?}",
                    t.msgid
                );
            }
            // Placeholders must survive translation, in every form.
            let want = t.msgid.matches("{}").count();
            for form in &e.msgstr {
                assert_eq!(
                    form.matches("{}").count(),
                    want,
                    "{lang}: placeholders in {form:?}"
                );
            }
        }
    }
}

#[test]
fn catalogues_pass_msgfmt_check() {
    if !have("msgfmt") {
        return;
    }
    for lang in languages() {
        let status = Command::new("msgfmt")
            .args(["--check", "-o", "/dev/null"])
            .arg(catalogue_path(Path::new("."), &lang))
            .status()
            .expect("msgfmt runs");
        assert!(status.success(), "msgfmt --check fails for {lang}");
    }
}

#[test]
fn the_built_in_form_speaks_every_language() {
    // parse() checks every text (title, notice, questions, choices, help, consent titles and
    // texts) in every declared language.
    let source = std::fs::read_to_string("src/forms/default_form.json").expect("built-in form");
    let form = intake_kiosk::forms::FormDefinition::parse(&source)
        .unwrap_or_else(|e| panic!("the built-in form fails its checks: {e:?}"));
    for lang in languages() {
        let lang = lang.as_str();
        assert!(
            form.languages.iter().any(|l| l == lang),
            "the built-in form does not offer {lang}"
        );
        assert!(
            intake_kiosk::i18n::LANGUAGES.contains(&lang),
            "the desk's own text has no {lang}"
        );
        // The consent texts are really translated, not English copies.
        for item in &form.consents {
            assert_ne!(
                item.text.get(lang),
                item.text.get("en"),
                "{lang}: consent {} is untranslated",
                item.id
            );
        }
        assert_ne!(
            form.notice.full_text.get(lang),
            form.notice.full_text.get("en"),
            "{lang}: privacy notice untranslated"
        );
    }
}

/// `msgcat` with its default settings re-wraps every entry longer than a line; what the app
/// reads from the result is what it read before.
#[test]
fn every_catalogue_through_msgcat_reads_the_same() {
    if !have("msgcat") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rewrapped = 0;
    for lang in languages() {
        let original = catalogue_path(Path::new("."), &lang);
        let copy = dir.path().join(format!("{lang}.po"));
        let status = Command::new("msgcat")
            .arg(&original)
            .arg("-o")
            .arg(&copy)
            .status()
            .expect("msgcat runs");
        assert!(status.success(), "msgcat fails for {lang}");
        let (before, after) = (
            std::fs::read_to_string(&original).expect("read"),
            std::fs::read_to_string(&copy).expect("read"),
        );
        if before != after {
            rewrapped += 1;
        }
        let (want, got) = (translations(&original), translations(&copy));
        assert!(!want.is_empty(), "{lang}");
        assert_eq!(got, want, "{lang}: translations changed by msgcat");
        assert_eq!(
            parse_catalogue(&after).map(|c| c.nplurals).ok(),
            parse_catalogue(&before).map(|c| c.nplurals).ok(),
            "{lang}: Plural-Forms"
        );
    }
    // The test means something only if msgcat did change the files' layout.
    assert!(rewrapped > 0, "msgcat re-wrapped nothing");
}

/// extract.py run after a translator's tool re-wrapped the catalogues: no translation lost,
/// and the template is what the sources give (it is up to date in the repository).
#[test]
fn extract_keeps_every_translation_of_rewrapped_catalogues() {
    if !have("msgcat") || !have("python3") {
        return;
    }
    let copy = tempfile::tempdir().expect("temp dir");
    let status = Command::new("cp")
        .args(["-r", "ui", "locales"])
        .arg(copy.path())
        .status()
        .expect("cp runs");
    assert!(status.success());
    std::fs::create_dir(copy.path().join("src")).expect("mkdir");
    let status = Command::new("cp")
        .args(["-r", "src/desk", "src/kiosk"])
        .arg(copy.path().join("src"))
        .status()
        .expect("cp runs");
    assert!(status.success());
    for lang in languages() {
        let po = catalogue_path(copy.path(), &lang);
        let status = Command::new("msgcat")
            .arg(&po)
            .arg("-o")
            .arg(&po)
            .status()
            .expect("msgcat runs");
        assert!(status.success(), "msgcat fails for {lang}");
    }
    let out = Command::new("python3")
        .arg(copy.path().join("locales/extract.py"))
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "extract.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for lang in languages() {
        assert_eq!(
            translations(&catalogue_path(copy.path(), &lang)),
            translations(&catalogue_path(Path::new("."), &lang)),
            "{lang}: extract.py lost or changed translations"
        );
    }
    assert_eq!(
        std::fs::read_to_string(copy.path().join("locales/intake-kiosk.pot")).expect("pot"),
        std::fs::read_to_string("locales/intake-kiosk.pot").expect("pot"),
        "run locales/extract.py"
    );
}
