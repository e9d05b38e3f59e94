//! Staff home's back-office panel as shown: times in the clinic's local time, and the desk only
//! once its pairing is confirmed.

use chrono::{DateTime, Local};

use crate::kiosk::{IdleLimit, Kiosk};

/// The back-office panel (pairing, export, receipts, the sync state).
pub struct BackOfficePanel<'a> {
    pub folder: &'a str,
    /// The pairing QR code's text while an offer is open (holds the one-time secret).
    pub pairing_code: Option<&'a str>,
    /// When the open offer expires, `HH:MM` local ("" without one).
    pub pairing_expires: String,
    /// A desk's answer was read: the code to compare ("" otherwise).
    pub code_to_compare: &'a str,
    /// The paired desk's comparison code, once the pairing is confirmed.
    pub paired_desk: Option<&'a str>,
    /// This tablet's kiosk id as the back office lists it ("" before its first pairing).
    pub kiosk_id: &'a str,
    /// *Pair as a new kiosk* is offered: not paired, no pairing open on screen, and there is an
    /// id to replace.
    pub new_id_offered: bool,
    /// Its question is showing, awaiting yes or no.
    pub asking_new_id: bool,
    pub pending: i64,
    pub exported: i64,
    pub delivered: i64,
    /// The last export, `YYYY-MM-DD HH:MM` local ("" before the first).
    pub last_export: String,
    /// The idle limits in effect, seconds: a handover's wipe, staff home's lock.
    pub handover_idle: u32,
    pub staff_idle: u32,
}

/// An RFC 3339 time as `YYYY-MM-DD HH:MM` in local time ("" when it does not parse).
fn local_minute(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

impl Kiosk {
    pub fn back_office_panel(&self) -> BackOfficePanel<'_> {
        let view = self.back_office();
        let status = &view.status;
        BackOfficePanel {
            folder: &view.folder,
            pairing_code: view.pairing_code.as_ref().map(|c| c.as_str()),
            pairing_expires: view
                .pairing_expires
                .map(|t| t.with_timezone(&Local).format("%H:%M").to_string())
                .unwrap_or_default(),
            code_to_compare: view.code_to_compare.as_deref().unwrap_or(""),
            paired_desk: status
                .desk
                .as_ref()
                .filter(|d| d.confirmed)
                .map(|d| d.comparison_code.as_str()),
            kiosk_id: status.own_id.as_deref().unwrap_or(""),
            new_id_offered: status.own_id.is_some()
                && !status.desk.as_ref().is_some_and(|d| d.confirmed)
                && !view.pairing_open(),
            asking_new_id: view.asking_new_id,
            pending: status.pending,
            exported: status.exported,
            delivered: status.delivered,
            last_export: status
                .last_export_at
                .as_deref()
                .map(local_minute)
                .unwrap_or_default(),
            handover_idle: self.idle_limit(IdleLimit::Handover),
            staff_idle: self.idle_limit(IdleLimit::StaffHome),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kiosk::tests::{kiosk, sign_in};

    #[test]
    fn times_show_in_local_time_to_the_minute() {
        let utc = "2026-03-04T05:06:07Z";
        let local = DateTime::parse_from_rfc3339(utc)
            .expect("time")
            .with_timezone(&Local);
        assert_eq!(
            local_minute(utc),
            local.format("%Y-%m-%d %H:%M").to_string()
        );
        assert_eq!(local_minute(utc).len(), 16, "no seconds");
        assert_eq!(local_minute("yesterday"), "");
    }

    #[test]
    fn an_unpaired_kiosk_shows_no_desk_and_no_export() {
        let (mut k, _) = kiosk();
        sign_in(&mut k, 0);
        let panel = k.back_office_panel();
        assert_eq!(panel.paired_desk, None);
        assert_eq!(panel.pairing_code, None);
        assert_eq!(
            (panel.pairing_expires.as_str(), panel.last_export.as_str()),
            ("", "")
        );
    }
}
