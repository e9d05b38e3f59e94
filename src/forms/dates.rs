//! Dates in the patient's language: "23 November 2026", "23 novembre 2026", "23 de noviembre de
//! 2026", "23. November 2026", "23 listopada 2026", "23 noiembrie 2026", "23 de novembro de 2026",
//! "23 نوفمبر 2026". Unknown languages fall back to ISO 8601.

use chrono::{Datelike, NaiveDate};

const MONTHS: [(&str, [&str; 12]); 8] = [
    (
        "en",
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
    ),
    (
        "fr",
        [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
    ),
    (
        "es",
        [
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ],
    ),
    (
        "de",
        [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ],
    ),
    (
        "pl",
        // Genitive, as in "1 marca 2026".
        [
            "stycznia",
            "lutego",
            "marca",
            "kwietnia",
            "maja",
            "czerwca",
            "lipca",
            "sierpnia",
            "września",
            "października",
            "listopada",
            "grudnia",
        ],
    ),
    (
        "ro",
        [
            "ianuarie",
            "februarie",
            "martie",
            "aprilie",
            "mai",
            "iunie",
            "iulie",
            "august",
            "septembrie",
            "octombrie",
            "noiembrie",
            "decembrie",
        ],
    ),
    (
        "pt",
        [
            "janeiro",
            "fevereiro",
            "março",
            "abril",
            "maio",
            "junho",
            "julho",
            "agosto",
            "setembro",
            "outubro",
            "novembro",
            "dezembro",
        ],
    ),
    (
        "ar",
        [
            "يناير",
            "فبراير",
            "مارس",
            "أبريل",
            "مايو",
            "يونيو",
            "يوليو",
            "أغسطس",
            "سبتمبر",
            "أكتوبر",
            "نوفمبر",
            "ديسمبر",
        ],
    ),
];

/// `date` written out as people of `language` write it.
pub fn long_date(date: NaiveDate, language: &str) -> String {
    let Some((_, months)) = MONTHS.iter().find(|(l, _)| *l == language) else {
        return date.to_string();
    };
    let month = months[date.month0() as usize];
    let (day, year) = (date.day(), date.year());
    match language {
        "fr" if day == 1 => format!("1er {month} {year}"),
        "es" | "pt" => format!("{day} de {month} de {year}"),
        "de" => format!("{day}. {month} {year}"),
        _ => format!("{day} {month} {year}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_language_writes_its_own_date() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
        assert_eq!(long_date(d, "en"), "1 March 2026");
        assert_eq!(long_date(d, "fr"), "1er mars 2026");
        assert_eq!(long_date(d, "es"), "1 de marzo de 2026");
        assert_eq!(long_date(d, "de"), "1. März 2026");
        assert_eq!(long_date(d, "pl"), "1 marca 2026");
        assert_eq!(long_date(d, "ro"), "1 martie 2026");
        assert_eq!(long_date(d, "pt"), "1 de março de 2026");
        assert_eq!(long_date(d, "ar"), "1 مارس 2026");
        assert_eq!(long_date(d, "xx"), "2026-03-01");
    }
}
