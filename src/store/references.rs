//! The database's references (`REFERENCES`, SQLite's foreign keys): checked on every write but
//! the erasure of whole records, and all of them by the whole-database check.
//!
//! Why the erasure runs without them: a patient's forms and consent-ledger rows name the patient
//! (`submissions.patient_id`, `consent_records.patient_id`), and the ledger rows their form
//! (`consent_records.submission_id`, `consent_events.submission_id`), with no index on those
//! columns (migration 12 dropped the patient ones: each cost a B-tree leaf at a random place per
//! imported form). With the checks on, deleting a form or a patient makes SQLite look for rows
//! still naming it by reading the whole child table: at 1,000,000 forms about 2 GB read, 2.7 s
//! for one patient's whole record, minutes for a retention run that erases a day's patients.
//!
//! The erasure deletes those rows itself, found through the patient's chains (which the tags
//! vouch for, `patient_records`), then the patient. What the checks did besides refusing
//! (`export_marks` deleted with their form, `rights_requests` unlinked from the patient) it does
//! explicitly too. Every other writer keeps the checks; [`check_all`] (the `verify` command, and
//! the tests after each erasure) finds a reference an erasure or a hand left dangling.

use rusqlite::Connection;

use super::StoreError;

/// Reference checks off until the guard drops. Outside any transaction only (SQLite ignores
/// the switch inside one: the checks then stay on, slow but sound).
pub(super) struct ChecksOff<'c>(&'c Connection);

impl Drop for ChecksOff<'_> {
    fn drop(&mut self) {
        // Every open sets them on again should this fail.
        let _ = self.0.execute_batch("PRAGMA foreign_keys = ON");
    }
}

/// Turns the reference checks off for the transaction the caller is about to run (an erasure
/// of whole records: see the module).
pub(super) fn checks_off(conn: &Connection) -> Result<ChecksOff<'_>, StoreError> {
    conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    Ok(ChecksOff(conn))
}

/// Every reference in the database points at a row held (`PRAGMA foreign_key_check`): a row
/// naming a patient, form or kiosk that is gone was deleted by hand or left by a faulty write.
pub(super) fn check_all(conn: &Connection) -> Result<(), StoreError> {
    let mut check = conn.prepare("PRAGMA foreign_key_check")?;
    let mut rows = check.query([])?;
    if let Some(row) = rows.next()? {
        let table: String = row.get(0)?;
        let rowid: Option<i64> = row.get(1)?;
        let parent: String = row.get(2)?;
        let row = rowid.map_or_else(|| "?".to_owned(), |r| r.to_string());
        return Err(StoreError::tampered(
            &table,
            format!("{row}, naming a row of {parent} that is not held"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn references_on(conn: &Connection) -> bool {
        conn.query_row("PRAGMA foreign_keys", [], |r| r.get::<_, i64>(0))
            .unwrap()
            == 1
    }

    #[test]
    fn the_checks_come_back_on_when_the_guard_goes_and_a_dangling_reference_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
        let conn = &store.conn;
        check_all(conn).unwrap();
        {
            let _off = checks_off(conn).unwrap();
            assert!(!references_on(conn));
            // What the checks would refuse: a request naming a patient nobody holds.
            conn.execute(
                "INSERT INTO rights_requests (id, patient_id, kind, received_on, logged_by, due_on,
                     sealed_details) VALUES ('r1', 'gone', 'access', '2026-01-01', 's', '2026-02-01', x'00')",
                [],
            )
            .unwrap();
        }
        assert!(references_on(conn), "on again for every other writer");
        match check_all(conn) {
            Err(StoreError::Tampered { table, row }) => {
                assert_eq!(table, "rights_requests");
                assert!(row.contains("patients"), "{row}");
            }
            other => panic!("{other:?}"),
        }
        // With the checks on, the same row is refused.
        assert!(
            conn.execute(
                "INSERT INTO rights_requests (id, patient_id, kind, received_on, logged_by, due_on,
                     sealed_details) VALUES ('r2', 'gone', 'access', '2026-01-01', 's', '2026-02-01', x'00')",
                [],
            )
            .is_err()
        );
    }
}
