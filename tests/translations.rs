//! Every string the UI shows exists in every language: the template matches the UI, each
//! catalogue translates every entry, and each passes `msgfmt --check` where gettext is installed;
//! the built-in form (questions, privacy notice, consent texts) is offered in every language.

use std::collections::BTreeSet;
use std::path::Path;

const LANGUAGES: [&str; 7] = ["fr", "es", "de", "pl", "ro", "pt", "ar"];

/// (msgctxt, msgid, msgstr) of a .po/.pot file, header skipped.
fn entries(path: &Path) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let unquote = |line: &str, key: &str| -> Option<String> {
        let rest = line.strip_prefix(key)?.trim();
        Some(
            rest.get(1..rest.len() - 1)?
                .replace("\\\"", "\"")
                .replace("\\n", "\n"),
        )
    };
    let (mut ctx, mut id) = (None, None);
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(v) = unquote(line, "msgctxt ") {
            ctx = Some(v);
        } else if let Some(v) = unquote(line, "msgid ") {
            id = Some(v);
        } else if let Some(v) = unquote(line, "msgstr ") {
            if let (Some(c), Some(i)) = (ctx.take(), id.take()) {
                out.push((c, i, v));
            }
        }
    }
    out
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
    found.extend(desk_strings());
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

/// The desk's Rust-side strings: `t(lang, "…")` and `say_t("…")` in src/desk/ (see src/i18n.rs).
fn desk_strings() -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir("src/desk").expect("src/desk") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let src = std::fs::read_to_string(&path).expect("read");
        for (at, _) in src.match_indices("t(") {
            let before = src[..at].chars().next_back().unwrap_or(' ');
            let rest = &src[at + 2..];
            let after_name = if src[..at].ends_with("say_") {
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

#[test]
fn the_template_matches_the_ui() {
    let template: BTreeSet<String> = entries(Path::new("locales/intake-kiosk.pot"))
        .into_iter()
        .map(|(_, id, _)| id)
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
    for lang in LANGUAGES {
        let path = format!("locales/{lang}/LC_MESSAGES/intake-kiosk.po");
        let po = entries(Path::new(&path));
        for (ctx, id, _) in &template {
            let translated = po
                .iter()
                .find(|(c, i, _)| c == ctx && i == id)
                .map(|(_, _, s)| s.as_str());
            assert!(
                matches!(translated, Some(s) if !s.is_empty()),
                "{lang}: no translation for {ctx}: {id:?}"
            );
            // Placeholders must survive translation.
            let want = id.matches("{}").count();
            assert_eq!(
                translated.map(|s| s.matches("{}").count()),
                Some(want),
                "{lang}: placeholders in {id:?}"
            );
        }
    }
}

#[test]
fn catalogues_pass_msgfmt_check() {
    if std::process::Command::new("msgfmt")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs gettext: msgfmt must be there"
        );
        eprintln!("msgfmt not installed here; skipped");
        return;
    }
    for lang in LANGUAGES {
        let status = std::process::Command::new("msgfmt")
            .args([
                "--check",
                "-o",
                "/dev/null",
                &format!("locales/{lang}/LC_MESSAGES/intake-kiosk.po"),
            ])
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
    for lang in LANGUAGES {
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
