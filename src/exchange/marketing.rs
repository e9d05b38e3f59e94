//! A marketing list for the clinic's mailing tool: for one channel, only the patients whose
//! current consent for it is granted (restricted records left out), as CSV. Logged by the store.

use chrono::{DateTime, Utc};

use crate::store::{Actor, OpenStore, StoreError};

/// The channels and the consent item each needs.
pub const CHANNELS: [(&str, &str); 3] = [
    ("email", "marketing_email"),
    ("sms", "marketing_sms"),
    ("whatsapp", "marketing_whatsapp"),
];

/// One CSV field: quoted, quotes doubled, and a leading `= + - @` (or tab/CR) neutralised with
/// an apostrophe so a spreadsheet never runs a patient's text as a formula — except a phone
/// number (`+44 7700 900120`), which no spreadsheet runs and a mailing tool needs as written.
fn field(text: &str) -> String {
    let text = text.trim();
    let phone = !text.is_empty() && text.chars().all(|c| "+0123456789 ()-.".contains(c));
    let guarded = if !phone && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

/// The list for `channel` (`email`, `sms` or `whatsapp`) as CSV with a header line, and how many
/// patients it holds. Managers only.
pub fn marketing_csv(
    store: &OpenStore,
    actor: &Actor,
    channel: &str,
    now: DateTime<Utc>,
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
    let mut csv = String::from("given_name,family_name,contact\n");
    for p in &list {
        let contact = if channel == "email" {
            &p.identity.email
        } else {
            &p.identity.phone
        };
        let fields = [&p.identity.given_name, &p.identity.family_name, contact];
        csv.push_str(&fields.map(|f| field(f)).join(","));
        csv.push('\n');
    }
    Ok((csv, list.len()))
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(field("Ana"), "\"Ana\"");
        assert_eq!(field("O\"Brien"), "\"O\"\"Brien\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+44 7700 900120"), "\"+44 7700 900120\"");
        assert_eq!(field("+SUM(A1)"), "\"'+SUM(A1)\"");
        assert_eq!(field("@cmd"), "\"'@cmd\"");
    }
}
