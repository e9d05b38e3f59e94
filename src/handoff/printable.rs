//! One submission as a self-contained, print-friendly HTML5 page in the patient's language: the
//! form's title, who the patient is, when they submitted, every answered question with its
//! answer as the patient saw the labels, the signature as inline SVG, and a consent table.
//!
//! Invariants: no scripts and no external resources (styles are inline, the signature is inline
//! SVG); every text that reaches the page — the patient's and the form definition's alike — goes
//! through [`escape_html`], and the patient's own text sits in `<bdi>` so a bidirectional control
//! character in it (U+202E …) cannot reorder anything outside it.

use chrono::DateTime;

use super::SubmissionView;
use crate::forms::dates::long_date;
use crate::forms::identity::parse_date_of_birth;
use crate::forms::{AnswerValue, Decision, Question, tr};

/// `text` with `& < > " '` as character references and control characters (other than tab and
/// line breaks) as U+FFFD, safe in element content and in quoted attribute values. Everything
/// else, combining marks and bidirectional controls included, is kept as written.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Text the patient typed: escaped and isolated.
fn patient_text(text: &str) -> String {
    format!("<bdi>{}</bdi>", escape_html(text.trim()))
}

/// The page's own words, per language; English for any other.
struct Labels {
    patient: &'static str,
    name: &'static str,
    date_of_birth: &'static str,
    postcode: &'static str,
    email: &'static str,
    phone: &'static str,
    submitted: &'static str,
    signature: &'static str,
    no_signature: &'static str,
    consents: &'static str,
    consent: &'static str,
    decision: &'static str,
    text_version: &'static str,
    text_hash: &'static str,
    time: &'static str,
    granted: &'static str,
    refused: &'static str,
    withdrawn: &'static str,
    yes: &'static str,
    no: &'static str,
    reference: &'static str,
    form: &'static str,
    notice: &'static str,
    kiosk: &'static str,
}

const EN: Labels = Labels {
    patient: "Patient",
    name: "Name",
    date_of_birth: "Date of birth",
    postcode: "Postcode",
    email: "Email",
    phone: "Phone",
    submitted: "Submitted:",
    signature: "Signature",
    no_signature: "No signature",
    consents: "Consents",
    consent: "Consent",
    decision: "Decision",
    text_version: "Text version",
    text_hash: "Text hash",
    time: "Time",
    granted: "Granted",
    refused: "Refused",
    withdrawn: "Withdrawn",
    yes: "Yes",
    no: "No",
    reference: "Reference",
    form: "Form",
    notice: "Privacy notice",
    kiosk: "Kiosk",
};

const FR: Labels = Labels {
    patient: "Patient",
    name: "Nom",
    date_of_birth: "Date de naissance",
    postcode: "Code postal",
    email: "E-mail",
    phone: "Téléphone",
    submitted: "Envoyé le",
    signature: "Signature",
    no_signature: "Pas de signature",
    consents: "Consentements",
    consent: "Consentement",
    decision: "Décision",
    text_version: "Version du texte",
    text_hash: "Empreinte du texte",
    time: "Date et heure",
    granted: "Accordé",
    refused: "Refusé",
    withdrawn: "Retiré",
    yes: "Oui",
    no: "Non",
    reference: "Référence",
    form: "Formulaire",
    notice: "Notice d'information",
    kiosk: "Borne",
};

const ES: Labels = Labels {
    patient: "Paciente",
    name: "Nombre",
    date_of_birth: "Fecha de nacimiento",
    postcode: "Código postal",
    email: "Correo electrónico",
    phone: "Teléfono",
    submitted: "Enviado el",
    signature: "Firma",
    no_signature: "Sin firma",
    consents: "Consentimientos",
    consent: "Consentimiento",
    decision: "Decisión",
    text_version: "Versión del texto",
    text_hash: "Huella del texto",
    time: "Fecha y hora",
    granted: "Otorgado",
    refused: "Rechazado",
    withdrawn: "Retirado",
    yes: "Sí",
    no: "No",
    reference: "Referencia",
    form: "Formulario",
    notice: "Aviso de privacidad",
    kiosk: "Quiosco",
};

const DE: Labels = Labels {
    patient: "Patient",
    name: "Name",
    date_of_birth: "Geburtsdatum",
    postcode: "Postleitzahl",
    email: "E-Mail",
    phone: "Telefon",
    submitted: "Abgegeben am",
    signature: "Unterschrift",
    no_signature: "Keine Unterschrift",
    consents: "Einwilligungen",
    consent: "Einwilligung",
    decision: "Entscheidung",
    text_version: "Textversion",
    text_hash: "Prüfsumme des Textes",
    time: "Zeitpunkt",
    granted: "Erteilt",
    refused: "Verweigert",
    withdrawn: "Widerrufen",
    yes: "Ja",
    no: "Nein",
    reference: "Referenz",
    form: "Formular",
    notice: "Datenschutzhinweis",
    kiosk: "Kiosk",
};

const PL: Labels = Labels {
    patient: "Pacjent",
    name: "Imię i nazwisko",
    date_of_birth: "Data urodzenia",
    postcode: "Kod pocztowy",
    email: "E-mail",
    phone: "Telefon",
    submitted: "Przesłano:",
    signature: "Podpis",
    no_signature: "Brak podpisu",
    consents: "Zgody",
    consent: "Zgoda",
    decision: "Decyzja",
    text_version: "Wersja tekstu",
    text_hash: "Skrót tekstu",
    time: "Data i godzina",
    granted: "Udzielona",
    refused: "Odmowa",
    withdrawn: "Wycofana",
    yes: "Tak",
    no: "Nie",
    reference: "Numer referencyjny",
    form: "Formularz",
    notice: "Informacja o ochronie prywatności",
    kiosk: "Kiosk",
};

const RO: Labels = Labels {
    patient: "Pacient",
    name: "Nume",
    date_of_birth: "Data nașterii",
    postcode: "Cod poștal",
    email: "E-mail",
    phone: "Telefon",
    submitted: "Trimis:",
    signature: "Semnătură",
    no_signature: "Fără semnătură",
    consents: "Consimțăminte",
    consent: "Consimțământ",
    decision: "Decizie",
    text_version: "Versiunea textului",
    text_hash: "Amprenta textului",
    time: "Data și ora",
    granted: "Acordat",
    refused: "Refuzat",
    withdrawn: "Retras",
    yes: "Da",
    no: "Nu",
    reference: "Referință",
    form: "Formular",
    notice: "Notă de informare privind confidențialitatea",
    kiosk: "Chioșc",
};

const PT: Labels = Labels {
    patient: "Paciente",
    name: "Nome",
    date_of_birth: "Data de nascimento",
    postcode: "Código postal",
    email: "E-mail",
    phone: "Telefone",
    submitted: "Enviado em",
    signature: "Assinatura",
    no_signature: "Sem assinatura",
    consents: "Consentimentos",
    consent: "Consentimento",
    decision: "Decisão",
    text_version: "Versão do texto",
    text_hash: "Impressão digital do texto",
    time: "Data e hora",
    granted: "Dado",
    refused: "Recusado",
    withdrawn: "Retirado",
    yes: "Sim",
    no: "Não",
    reference: "Referência",
    form: "Formulário",
    notice: "Aviso de privacidade",
    kiosk: "Quiosque",
};

const AR: Labels = Labels {
    patient: "المريض",
    name: "الاسم",
    date_of_birth: "تاريخ الميلاد",
    postcode: "الرمز البريدي",
    email: "البريد الإلكتروني",
    phone: "الهاتف",
    submitted: "تاريخ التقديم:",
    signature: "التوقيع",
    no_signature: "لا يوجد توقيع",
    consents: "الموافقات",
    consent: "الموافقة",
    decision: "القرار",
    text_version: "إصدار النص",
    text_hash: "بصمة النص",
    time: "الوقت",
    granted: "ممنوحة",
    refused: "مرفوضة",
    withdrawn: "مسحوبة",
    yes: "نعم",
    no: "لا",
    reference: "المرجع",
    form: "النموذج",
    notice: "إشعار الخصوصية",
    kiosk: "الكشك",
};

fn labels(language: &str) -> &'static Labels {
    match language {
        "fr" => &FR,
        "es" => &ES,
        "de" => &DE,
        "pl" => &PL,
        "ro" => &RO,
        "pt" => &PT,
        "ar" => &AR,
        _ => &EN,
    }
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
    let lang = view.language;
    let title = escape_html(tr(&view.form.title, lang));
    let mut page = String::with_capacity(16 * 1024);
    page.push_str("<!DOCTYPE html>\n");
    // Arabic reads right to left: the whole page is mirrored (tables, lists, alignment).
    let dir = if lang == "ar" { " dir=\"rtl\"" } else { "" };
    page.push_str(&format!(
        "<html lang=\"{}\"{dir}>\n<head>\n",
        escape_html(lang)
    ));
    page.push_str("<meta charset=\"utf-8\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    page.push_str(&format!(
        "<title>{title} — {}</title>\n",
        escape_html(&view.identity.display_name())
    ));
    page.push_str(&format!("<style>\n{STYLE}</style>\n</head>\n<body>\n"));
    page.push_str(&printable_body(view));
    page.push_str("</body>\n</html>\n");
    page
}

/// The page's style sheet, for other pages that embed [`printable_body`].
pub fn printable_style() -> &'static str {
    STYLE
}

/// The content of the printable page's `<body>` (header to footer), for embedding one
/// submission in a longer document (a patient's access export).
pub fn printable_body(view: &SubmissionView) -> String {
    let lang = view.language;
    let l = labels(lang);
    let title = escape_html(tr(&view.form.title, lang));
    let mut page = String::with_capacity(16 * 1024);
    page.push_str(&format!("<article>\n<header>\n<h1>{title}</h1>\n"));
    page.push_str(&format!(
        "<p class=\"meta\">{} {}</p>\n</header>\n",
        l.submitted,
        escape_html(&date_time(view.submitted_at, lang, "%H:%M"))
    ));

    page.push_str(&patient_block(view, l));

    for s in view.answered_sections() {
        page.push_str(&format!(
            "<section>\n<h2>{}</h2>\n<dl>\n",
            escape_html(tr(&s.section.title, lang))
        ));
        for (question, answer) in &s.answered {
            page.push_str(&format!(
                "<dt>{}</dt><dd>{}</dd>\n",
                escape_html(tr(&question.label, lang)),
                answer_html(question, answer, lang, l)
            ));
        }
        page.push_str("</dl>\n</section>\n");
    }

    page.push_str(&format!(
        "<section class=\"signature\">\n<h2>{}</h2>\n",
        l.signature
    ));
    if view.signature.is_empty() {
        page.push_str(&format!("<p>{}</p>\n", l.no_signature));
    } else {
        // Path data only, filtered to SVG path characters (see `signature_svg`).
        let svg = super::signature_svg(view.signature).replacen(
            "<svg ",
            &format!("<svg role=\"img\" aria-label=\"{}\" ", l.signature),
            1,
        );
        page.push_str(&svg);
        page.push('\n');
    }
    page.push_str("</section>\n");

    page.push_str(&consent_table(view, l));

    page.push_str("<footer>\n<dl>\n");
    let footer = [
        (l.reference, view.submission_id.to_owned()),
        (l.form, view.form.canonical()),
        (l.notice, short_hash(view.notice_hash)),
        (l.kiosk, view.kiosk_id.to_owned()),
    ];
    for (label, value) in footer {
        page.push_str(&format!(
            "<dt>{label}</dt><dd><code>{}</code></dd>\n",
            escape_html(&value)
        ));
    }
    page.push_str("</dl>\n</footer>\n</article>\n");
    page
}

fn patient_block(view: &SubmissionView, l: &Labels) -> String {
    let who = view.identity;
    let born = match parse_date_of_birth(&who.date_of_birth) {
        Ok(date) => long_date(date, view.language),
        Err(_) => who.date_of_birth.clone(),
    };
    let rows = [
        (l.name, who.display_name()),
        (l.date_of_birth, born),
        (l.postcode, who.postcode.clone()),
        (l.email, who.email.clone()),
        (l.phone, who.phone.clone()),
    ];
    let mut html = format!("<section>\n<h2>{}</h2>\n<dl>\n", l.patient);
    for (label, value) in rows.iter().filter(|(_, v)| !v.trim().is_empty()) {
        html.push_str(&format!(
            "<dt>{label}</dt><dd>{}</dd>\n",
            patient_text(value)
        ));
    }
    html.push_str("</dl>\n</section>\n");
    html
}

/// An answer as the patient saw it: choice labels, yes/no, dates and numbers in their language.
fn answer_html(question: &Question, answer: &AnswerValue, lang: &str, l: &Labels) -> String {
    let choice_label = |id: &str| {
        question
            .choices
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| patient_text(id), |c| escape_html(tr(&c.label, lang)))
    };
    match answer {
        AnswerValue::Text(t) => patient_text(t),
        AnswerValue::YesNo(b) => (if *b { l.yes } else { l.no }).to_owned(),
        AnswerValue::Choice(c) => choice_label(c),
        AnswerValue::Choices(cs) => cs
            .iter()
            .filter(|c| !c.trim().is_empty())
            .map(|c| choice_label(c))
            .collect::<Vec<_>>()
            .join(", "),
        AnswerValue::Date(d) => match parse_date_of_birth(d) {
            Ok(date) => escape_html(&long_date(date, lang)),
            Err(_) => patient_text(d),
        },
        AnswerValue::Number(n) => escape_html(&number(*n, lang)),
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

fn consent_table(view: &SubmissionView, l: &Labels) -> String {
    let lang = view.language;
    let mut html = format!(
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
        html.push_str(&format!(
            "<tr><td>{}</td><td>{decision}</td><td>{}</td><td><code title=\"{}\">{}</code></td>\
             <td>{}</td></tr>\n",
            escape_html(title),
            escape_html(&event.text_version),
            escape_html(&event.text_hash),
            escape_html(&short_hash(&event.text_hash)),
            escape_html(&date_time(&event.recorded_at, lang, "%H:%M:%S")),
        ));
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::super::test_support::fixture;
    use super::*;

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
                    "DOCTYPE", "html", "head", "meta", "title", "style", "body", "header", "h1",
                    "h2", "p", "section", "dl", "dt", "dd", "bdi", "svg", "path", "table", "thead",
                    "tbody", "tr", "th", "td", "code", "footer", "article"
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
}
