//! A marketing list for the clinic's mailing tool: for one channel, only the patients whose
//! current consent for it is granted (restricted records left out), as CSV. Logged by the store.
//!
//! The CSV is what spreadsheets open without asking: UTF-8 with a byte-order mark (without it
//! Excel reads "Zoë Šimić" as Windows-1252 and garbles it), CRLF line ends (RFC 4180), every
//! field quoted. Callers write it readable by this user only (it holds names and contacts).

use chrono::{DateTime, Utc};

use crate::store::{Actor, OpenStore, StoreError};

/// The channels and the consent item each needs.
pub const CHANNELS: [(&str, &str); 3] = [
    ("email", "marketing_email"),
    ("sms", "marketing_sms"),
    ("whatsapp", "marketing_whatsapp"),
];

/// One CSV field: quoted, quotes doubled, and a leading `= + - @` (or tab/CR) neutralised with
/// an apostrophe so a spreadsheet never runs a patient's text as a formula — except, in the
/// contact column of a phone channel (`phone_column`), a phone number (`+44 7700 900120`), which
/// a mailing tool needs as written: a `+` only at its start, then digits (at least six) and
/// spaces, brackets, dots or hyphens. A name is never excepted (`-2+3` is a formula).
fn field(text: &str, phone_column: bool) -> String {
    let text = text.trim();
    let guarded = if !(phone_column && is_phone_number(text))
        && text.starts_with(['=', '+', '-', '@', '\t', '\r'])
    {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

fn is_phone_number(text: &str) -> bool {
    let rest = text.strip_prefix('+').unwrap_or(text);
    rest.starts_with(|c: char| c.is_ascii_digit())
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || " ().-".contains(c))
        && rest.chars().filter(char::is_ascii_digit).count() >= 6
}

/// The list for `channel` (`email`, `sms` or `whatsapp`) as CSV with a header line, and how many
/// patients it holds. Managers only.
pub fn marketing_csv(
    store: &OpenStore, actor: &Actor, channel: &str, now: DateTime<Utc>,
) -> Result<(String, usize), StoreError> {
    let (_, item) = CHANNELS
        .iter()
        .find(|(c, _)| *c == channel)
        .ok_or_else(|| {
            StoreError::Invalid(format!(
                "unknown channel {channel:?}: email, sms or whatsapp"
            ))
        })?;
    let list = store.marketing_list(actor, item, now)?;
    let rows = list.iter().map(|p| {
        let contact = if channel == "email" {
            &p.identity.email
        } else {
            &p.identity.phone
        };
        [
            p.identity.given_name.as_str(),
            p.identity.family_name.as_str(),
            contact.as_str(),
        ]
    });
    Ok((to_csv(rows, channel != "email"), list.len()))
}

/// The byte-order mark that tells a spreadsheet the file is UTF-8.
pub const UTF8_BOM: &str = "\u{feff}";

/// The header and one line per row: BOM first, CRLF after every line. `phones`: the contact
/// column holds phone numbers (SMS, WhatsApp).
fn to_csv<'a>(rows: impl Iterator<Item = [&'a str; 3]>, phones: bool) -> String {
    let mut csv = format!("{UTF8_BOM}given_name,family_name,contact\r\n");
    for [given, family, contact] in rows {
        let fields = [
            field(given, false),
            field(family, false),
            field(contact, phones),
        ];
        csv.push_str(&fields.join(","));
        csv.push_str("\r\n");
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::{field, to_csv};

    #[test]
    fn a_spreadsheet_reads_it_as_utf8_with_windows_line_ends() {
        let csv = to_csv(
            [
                ["Zoë", "Šimić", "+44 7700 900120"],
                ["Ana", "O\"Brien", "ana@example.org"],
            ]
            .into_iter(),
            true,
        );
        assert!(csv.as_bytes().starts_with(&[0xEF, 0xBB, 0xBF]));
        assert_eq!(
            csv,
            "\u{feff}given_name,family_name,contact\r\n\
             \"Zoë\",\"Šimić\",\"+44 7700 900120\"\r\n\
             \"Ana\",\"O\"\"Brien\",\"ana@example.org\"\r\n"
        );
        // Every line ends CRLF, none with a bare LF.
        assert_eq!(csv.matches('\n').count(), csv.matches("\r\n").count());
    }

    #[test]
    fn fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(field("Ana", false), "\"Ana\"");
        assert_eq!(field("O\"Brien", false), "\"O\"\"Brien\"");
        assert_eq!(
            field("=HYPERLINK(\"x\")", false),
            "\"'=HYPERLINK(\"\"x\"\")\""
        );
        assert_eq!(field("+44 7700 900120", true), "\"+44 7700 900120\"");
        assert_eq!(field("+SUM(A1)", true), "\"'+SUM(A1)\"");
        assert_eq!(field("@cmd", false), "\"'@cmd\"");
        // Arithmetic a spreadsheet would run: in a name always, in the contact column unless it
        // is a phone number (a `+` only at the start, six digits or more).
        assert_eq!(field("-2+3", false), "\"'-2+3\"");
        assert_eq!(field("+1-1", false), "\"'+1-1\"");
        assert_eq!(field("+44 7700 900120", false), "\"'+44 7700 900120\"");
        assert_eq!(field("-1+1", true), "\"'-1+1\"");
        assert_eq!(field("+1-1", true), "\"'+1-1\"");
        assert_eq!(field("+4477+00900120", true), "\"'+4477+00900120\"");
    }
}
