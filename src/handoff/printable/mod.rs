//! One submission as a self-contained, print-friendly HTML5 page in the patient's language: the
//! form's title, who the patient is, when they submitted, every answered question with its
//! answer as the patient saw the labels, the signature as inline SVG, and a consent table.
//!
//! Invariants: no scripts and no external resources (styles are inline, the signature is inline
//! SVG); every text that reaches the page — the patient's and the form definition's alike — goes
//! through [`escape_html`], and the patient's own text sits in `<bdi>` so a bidirectional control
//! character in it (U+202E …) cannot reorder anything outside it.

use std::fmt::Write as _;

use chrono::DateTime;

use super::SubmissionView;
use crate::forms::dates::long_date;
use crate::forms::identity::parse_date_of_birth;
use crate::forms::{AnswerValue, Decision, Question, tr};
use labels::{Labels, labels};

mod labels;
#[cfg(test)]
mod tests;

/// `text` with `& < > " '` as character references and control characters (other than tab and
/// line breaks) as U+FFFD, safe in element content and in quoted attribute values. Everything
/// else, combining marks and bidirectional controls included, is kept as written.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_escaped(&mut out, text);
    out
}

/// [`escape_html`] appended to `out`.
fn push_escaped(out: &mut String, text: &str) {
    // Runs of characters that need nothing are copied whole.
    let mut plain = 0;
    for (at, c) in text.char_indices() {
        let replacement = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            '\t' | '\n' | '\r' => continue,
            c if c.is_control() => "\u{FFFD}",
            _ => continue,
        };
        out.push_str(&text[plain..at]);
        out.push_str(replacement);
        plain = at + c.len_utf8();
    }
    out.push_str(&text[plain..]);
}

/// Text the patient typed, escaped and isolated, appended to `out`.
fn push_patient_text(out: &mut String, text: &str) {
    out.push_str("<bdi>");
    push_escaped(out, text.trim());
    out.push_str("</bdi>");
}

const STYLE: &str = "\
:root{color:#111;background:#fff;font-family:system-ui,-apple-system,'Segoe UI',Roboto,\
'Noto Sans',sans-serif;font-size:11pt;line-height:1.4}
body{max-width:48rem;margin:1.5rem auto;padding:0 1rem}
h1{font-size:1.6em;margin:0 0 .2em}
h2{font-size:1.15em;margin:1.4em 0 .4em;border-bottom:1px solid #999;padding-bottom:.15em}
.meta{color:#444;margin:0}
dl{display:grid;grid-template-columns:minmax(10rem,40%) 1fr;gap:.25em 1em;margin:0}
dt{font-weight:600}
dd{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #999;padding:.25em .4em;text-align:start;vertical-align:top}
th{background:#eee}
.signature svg{display:block;width:100%;max-width:600px;height:auto;border:1px solid #999}
code{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:.9em}
footer{margin-top:2em;color:#444;font-size:.85em}
@page{size:A4;margin:15mm}
@media print{body{max-width:none;margin:0;padding:0}h2{break-after:avoid}\
.signature,tr,dt,dd{break-inside:avoid}th{background:none}}
";

/// The printable page for one submission.
pub fn printable_html(view: &SubmissionView) -> String {
    let mut page = String::with_capacity(16 * 1024);
    write_printable_html(view, &mut page);
    page
}

/// [`printable_html`] appended to `page` (a caller writing many pages reuses one buffer).
pub fn write_printable_html(view: &SubmissionView, page: &mut String) {
    let lang = view.language;
    page.push_str("<!DOCTYPE html>\n<html lang=\"");
    push_escaped(page, lang);
    // Arabic reads right to left: the whole page is mirrored (tables, lists, alignment).
    page.push_str(if lang == "ar" {
        "\" dir=\"rtl\">\n<head>\n"
    } else {
        "\">\n<head>\n"
    });
    page.push_str("<meta charset=\"utf-8\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    page.push_str("<title>");
    push_escaped(page, tr(&view.form.title, lang));
    page.push_str(" — ");
    push_escaped(page, &view.identity.display_name());
    page.push_str("</title>\n<style>\n");
    page.push_str(STYLE);
    page.push_str("</style>\n</head>\n<body>\n");
    write_body(view, page);
    page.push_str("</body>\n</html>\n");
}

/// The page's style sheet, for other pages that embed [`printable_body`].
pub fn printable_style() -> &'static str {
    STYLE
}

/// The content of the printable page's `<body>` (header to footer), for embedding one
/// submission in a longer document (a patient's access export).
pub fn printable_body(view: &SubmissionView) -> String {
    let mut page = String::with_capacity(16 * 1024);
    write_body(view, &mut page);
    page
}

fn write_body(view: &SubmissionView, page: &mut String) {
    let lang = view.language;
    let l = labels(lang);
    page.push_str("<article>\n<header>\n<h1>");
    push_escaped(page, tr(&view.form.title, lang));
    let _ = write!(page, "</h1>\n<p class=\"meta\">{} ", l.submitted);
    push_escaped(page, &date_time(view.submitted_at, lang, "%H:%M"));
    page.push_str("</p>\n</header>\n");

    patient_block(view, l, page);

    for s in view.answered_sections() {
        page.push_str("<section>\n<h2>");
        push_escaped(page, tr(&s.section.title, lang));
        page.push_str("</h2>\n<dl>\n");
        for (question, answer) in &s.answered {
            page.push_str("<dt>");
            push_escaped(page, tr(&question.label, lang));
            page.push_str("</dt><dd>");
            answer_html(question, answer, lang, l, page);
            page.push_str("</dd>\n");
        }
        page.push_str("</dl>\n</section>\n");
    }

    let _ = write!(
        page,
        "<section class=\"signature\">\n<h2>{}</h2>\n",
        l.signature
    );
    if view.signature.is_empty() {
        let _ = writeln!(page, "<p>{}</p>", l.no_signature);
    } else {
        // Path data only, filtered to SVG path characters (see `signature_svg`).
        let svg = super::signature_svg(view.signature);
        let rest = svg.strip_prefix("<svg ").expect("an <svg> element");
        let _ = writeln!(
            page,
            "<svg role=\"img\" aria-label=\"{}\" {rest}",
            l.signature
        );
    }
    page.push_str("</section>\n");

    consent_table(view, l, page);

    page.push_str("<footer>\n<dl>\n");
    let canonical = view.form.canonical();
    let notice = short_hash(view.notice_hash);
    let footer = [
        (l.reference, view.submission_id),
        (l.form, canonical.as_str()),
        (l.notice, notice.as_str()),
        (l.kiosk, view.kiosk_id),
    ];
    for (label, value) in footer {
        let _ = write!(page, "<dt>{label}</dt><dd><code>");
        push_escaped(page, value);
        page.push_str("</code></dd>\n");
    }
    page.push_str("</dl>\n</footer>\n</article>\n");
}

fn patient_block(view: &SubmissionView, l: &Labels, page: &mut String) {
    let who = view.identity;
    let born = match parse_date_of_birth(&who.date_of_birth) {
        Ok(date) => long_date(date, view.language),
        Err(_) => who.date_of_birth.clone(),
    };
    let name = who.display_name();
    let rows = [
        (l.name, name.as_str()),
        (l.date_of_birth, born.as_str()),
        (l.postcode, who.postcode.as_str()),
        (l.email, who.email.as_str()),
        (l.phone, who.phone.as_str()),
    ];
    let _ = write!(page, "<section>\n<h2>{}</h2>\n<dl>\n", l.patient);
    for (label, value) in rows.iter().filter(|(_, v)| !v.trim().is_empty()) {
        let _ = write!(page, "<dt>{label}</dt><dd>");
        push_patient_text(page, value);
        page.push_str("</dd>\n");
    }
    page.push_str("</dl>\n</section>\n");
}

/// An answer as the patient saw it: choice labels, yes/no, dates and numbers in their language.
fn answer_html(
    question: &Question, answer: &AnswerValue, lang: &str, l: &Labels, page: &mut String,
) {
    let choice_label =
        |page: &mut String, id: &str| match question.choices.iter().find(|c| c.id == id) {
            Some(c) => push_escaped(page, tr(&c.label, lang)),
            None => push_patient_text(page, id),
        };
    match answer {
        AnswerValue::Text(t) => push_patient_text(page, t),
        AnswerValue::YesNo(b) => page.push_str(if *b { l.yes } else { l.no }),
        AnswerValue::Choice(c) => choice_label(page, c),
        AnswerValue::Choices(cs) => {
            for (i, c) in cs.iter().filter(|c| !c.trim().is_empty()).enumerate() {
                if i > 0 {
                    page.push_str(", ");
                }
                choice_label(page, c);
            }
        }
        AnswerValue::Date(d) => match parse_date_of_birth(d) {
            Ok(date) => push_escaped(page, &long_date(date, lang)),
            Err(_) => push_patient_text(page, d),
        },
        AnswerValue::Number(n) => push_escaped(page, &number(*n, lang)),
    }
}

/// A number with the language's decimal separator; whole numbers without decimals.
fn number(n: f64, lang: &str) -> String {
    let text = if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        n.to_string()
    };
    match lang {
        "fr" | "es" | "de" | "pl" | "ro" | "pt" => text.replace('.', ","),
        _ => text,
    }
}

/// An RFC 3339 time as "23 November 2026, 10:15 UTC+01:00" (`time_format` "%H:%M"); anything
/// else as given.
fn date_time(rfc3339: &str, lang: &str, time_format: &str) -> String {
    match DateTime::parse_from_rfc3339(rfc3339.trim()) {
        Ok(at) => {
            let offset = at.offset().to_string();
            let zone = if offset == "+00:00" {
                "UTC".to_owned()
            } else {
                format!("UTC{offset}")
            };
            format!(
                "{}, {} {zone}",
                long_date(at.date_naive(), lang),
                at.format(time_format)
            )
        }
        Err(_) => rfc3339.to_owned(),
    }
}

/// `sha256:` and the first 12 hex digits, then an ellipsis: enough to compare by eye.
fn short_hash(hash: &str) -> String {
    let keep = hash.find(':').map_or(0, |i| i + 1) + 12;
    match hash.char_indices().nth(keep) {
        Some((at, _)) => format!("{}…", &hash[..at]),
        None => hash.to_owned(),
    }
}

fn consent_table(view: &SubmissionView, l: &Labels, page: &mut String) {
    let lang = view.language;
    let _ = write!(
        page,
        "<section>\n<h2>{}</h2>\n<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th>\
         <th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        l.consents, l.consent, l.decision, l.text_version, l.text_hash, l.time
    );
    for event in view.consents {
        let title = view
            .form
            .consents
            .iter()
            .find(|c| c.id == event.item_id)
            .map_or(event.item_id.as_str(), |c| tr(&c.title, lang));
        let decision = match event.decision {
            Decision::Granted => l.granted,
            Decision::Refused => l.refused,
            Decision::Withdrawn => l.withdrawn,
        };
        page.push_str("<tr><td>");
        push_escaped(page, title);
        let _ = write!(page, "</td><td>{decision}</td><td>");
        push_escaped(page, &event.text_version);
        page.push_str("</td><td><code title=\"");
        push_escaped(page, &event.text_hash);
        page.push_str("\">");
        push_escaped(page, &short_hash(&event.text_hash));
        page.push_str("</code></td><td>");
        push_escaped(page, &date_time(&event.recorded_at, lang, "%H:%M:%S"));
        page.push_str("</td></tr>\n");
    }
    page.push_str("</tbody>\n</table>\n</section>\n");
}
