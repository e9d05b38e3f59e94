//! Numbers in the patient's or staff member's language (CLDR conventions): "1,234.5" in English,
//! "1 234,5" in French (narrow no-break space), "1234,5" / "12.345,5" in Spanish (groups only
//! from five digits), "1.234,5" in German. At most two decimals, trailing zeros dropped.

/// (decimal separator, group separator, smallest integer part that is grouped).
fn conventions(language: &str) -> (char, char, u64) {
    match language {
        "fr" => (',', '\u{202F}', 1_000),
        "es" => (',', '.', 10_000),
        "de" | "ro" => (',', '.', 1_000),
        // Polish and European Portuguese: no-break space, groups only from five digits.
        "pl" | "pt" => (',', '\u{00A0}', 10_000),
        // Arabic (with the Western digits the kiosk shows) as English.
        _ => ('.', ',', 1_000),
    }
}

pub fn format_number(value: f64, language: &str) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let (decimal, group, min_grouped) = conventions(language);
    let rounded = (value.abs() * 100.0).round() / 100.0;
    let text = format!("{rounded:.2}");
    let (int_part, frac_part) = text.split_once('.').unwrap_or((&text, ""));
    let frac_part = frac_part.trim_end_matches('0');
    let int_value: u64 = int_part.parse().unwrap_or(0);
    let mut grouped = String::new();
    for (i, c) in int_part.chars().enumerate() {
        let left = int_part.len() - i;
        if i > 0 && left % 3 == 0 && int_value >= min_grouped {
            grouped.push(group);
        }
        grouped.push(c);
    }
    let sign = if value < 0.0 && rounded != 0.0 {
        "-"
    } else {
        ""
    };
    if frac_part.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}{decimal}{frac_part}")
    }
}

#[cfg(test)]
mod tests {
    use super::format_number;

    #[test]
    fn each_language_writes_numbers_its_own_way() {
        assert_eq!(format_number(1234.5, "en"), "1,234.5");
        assert_eq!(format_number(1234.5, "fr"), "1\u{202F}234,5");
        assert_eq!(format_number(1234.5, "es"), "1234,5");
        assert_eq!(format_number(12345.5, "es"), "12.345,5");
        assert_eq!(format_number(1234.5, "de"), "1.234,5");
        assert_eq!(format_number(1234567.0, "de"), "1.234.567");
        assert_eq!(format_number(1234.5, "pl"), "1234,5");
        assert_eq!(format_number(12345.5, "pl"), "12\u{00A0}345,5");
        assert_eq!(format_number(1234.5, "ro"), "1.234,5");
        assert_eq!(format_number(12345.5, "pt"), "12\u{00A0}345,5");
        assert_eq!(format_number(1234.5, "ar"), "1,234.5");
    }

    #[test]
    fn small_negative_and_rounded_values() {
        assert_eq!(format_number(72.0, "fr"), "72");
        assert_eq!(format_number(1.75, "de"), "1,75");
        assert_eq!(format_number(-3.5, "en"), "-3.5");
        assert_eq!(format_number(0.004, "en"), "0");
        assert_eq!(format_number(-0.001, "en"), "0");
        assert_eq!(format_number(2.005, "xx"), format_number(2.005, "en"));
    }
}
