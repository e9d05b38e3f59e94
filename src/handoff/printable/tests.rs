//! The printable page: escaping, language, self-containment.

use super::*;
use crate::handoff::test_support::fixture;

#[test]
fn escape_covers_markup_quotes_and_controls_and_keeps_unicode() {
    assert_eq!(
        escape_html("<script>alert('x')</script>"),
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
    );
    assert_eq!(
        escape_html("\"Tom & Jerry\" <b>"),
        "&quot;Tom &amp; Jerry&quot; &lt;b&gt;"
    );
    assert_eq!(escape_html("&amp;"), "&amp;amp;", "no double meaning");
    // Combining marks and bidi controls are the patient's text: kept, not mangled.
    assert_eq!(escape_html("JOSE\u{301}"), "JOSE\u{301}");
    assert_eq!(escape_html("abc\u{202E}fed"), "abc\u{202E}fed");
    assert_eq!(
        escape_html("a\u{0}b\u{1b}c\u{9f}"),
        "a\u{FFFD}b\u{FFFD}c\u{FFFD}"
    );
    assert_eq!(escape_html("line\nbreak\ttab"), "line\nbreak\ttab");
}

#[test]
fn hostile_text_is_escaped_and_isolated() {
    let mut f = fixture();
    f.identity.given_name = "<script>alert(1)</script>".into();
    f.identity.family_name = "O'Brien \"&\" \u{202E}nosmaS".into();
    f.answers.set(
        "gp_name",
        AnswerValue::Text("</dd><img src=x onerror=alert(1)>".into()),
    );
    f.answers
        .set("smoking", AnswerValue::Choice("<i>not-a-choice</i>".into()));
    f.form.title.insert("fr".into(), "Clinique <b>&</b>".into());
    let page = printable_html(&f.view());
    assert!(!page.contains("<script"), "script tag");
    assert!(!page.contains("<img"), "injected element");
    assert!(!page.contains("<i>"), "injected choice markup");
    assert!(!page.contains("<b>"), "definition text is escaped too");
    assert!(page.contains("<dd><bdi>&lt;script&gt;alert(1)&lt;/script&gt; O&#39;Brien"));
    assert!(page.contains("O&#39;Brien &quot;&amp;&quot; \u{202E}nosmaS</bdi>"));
    assert!(page.contains("&lt;/dd&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert!(page.contains("Clinique &lt;b&gt;&amp;&lt;/b&gt;"));
    // The only elements are ours: every '<' opens a known tag.
    for tag in page.split('<').skip(1) {
        let name: String = tag
            .trim_start_matches(['/', '!'])
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        assert!(
            [
                "DOCTYPE", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2",
                "p", "section", "dl", "dt", "dd", "bdi", "svg", "path", "table", "thead", "tbody",
                "tr", "th", "td", "code", "footer", "article"
            ]
            .contains(&name.as_str()),
            "unexpected <{name}"
        );
    }
}

#[test]
fn page_is_in_the_patients_language_and_self_contained() {
    let f = fixture();
    let page = printable_html(&f.view());
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"));
    assert!(page.contains("@media print"));
    for external in ["<script", "<link", "src=", "href=", "url(", "@import"] {
        assert!(!page.contains(external), "{external}");
    }
    assert!(page.contains(&escape_html(tr(&f.form.title, "fr"))));
    let smoking = f.form.questions().find(|q| q.id == "smoking").expect("q");
    assert!(page.contains(&escape_html(tr(&smoking.label, "fr"))));
    assert!(page.contains(&escape_html(tr(&smoking.choices[1].label, "fr"))));
    assert!(page.contains("<dd>Non</dd>"), "yes/no in French");
    assert!(page.contains("12 avril 1990"), "date of birth in French");
    assert!(page.contains("Envoyé le 23 novembre 2026, 10:15 UTC"));
    assert!(
        page.contains("<td>23 novembre 2026, 10:15:04 UTC</td>"),
        "consent time"
    );
    assert!(!page.contains("stale"), "hidden question's answer");
    assert!(page.contains("<svg role=\"img\" aria-label=\"Signature\""));
    assert!(page.contains("d=\"M 10 150 L 11 151"));
    // One consent row per event, with its decision in French.
    assert_eq!(page.matches("<tr><td>").count(), f.consents.len());
    for word in ["Accordé", "Refusé", "Retiré"] {
        assert!(page.contains(&format!("<td>{word}</td>")), "{word}");
    }
    assert!(page.contains(&short_hash(&f.consents[0].text_hash)));
    assert_eq!(number(7.5, "fr"), "7,5");
    assert_eq!(number(7.0, "en"), "7");
}

#[test]
fn arabic_page_reads_right_to_left_and_polish_in_polish() {
    let f = fixture();
    let mut view = f.view();
    view.language = "ar";
    let page = printable_html(&view);
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"ar\" dir=\"rtl\">"));
    assert!(page.contains(&escape_html(tr(&f.form.title, "ar"))));
    assert!(page.contains("<dd>لا</dd>"), "yes/no in Arabic");
    assert!(page.contains("12 أبريل 1990"), "date of birth in Arabic");
    view.language = "pl";
    let page = printable_html(&view);
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"pl\">"));
    assert!(page.contains("<dd>Nie</dd>"), "yes/no in Polish");
    assert!(page.contains("12 kwietnia 1990"), "date of birth in Polish");
    assert_eq!(number(7.5, "pl"), "7,5");
}

#[test]
fn short_hash_keeps_prefix_and_twelve_digits() {
    assert_eq!(
        short_hash("sha256:0123456789abcdef0123"),
        "sha256:0123456789ab…"
    );
    assert_eq!(short_hash("sha256:00"), "sha256:00");
}
