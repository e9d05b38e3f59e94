//! Test builds only: an older copy of a database, and rows or sealed values of it put back —
//! what someone with the file and an old backup can do without any key.

use std::path::Path;

/// A connection to the database at `path` with `older` attached as `older`.
pub(in crate::store) fn with_older(path: &Path, older: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute("ATTACH DATABASE ?1 AS older", [older.to_str().unwrap()])
        .unwrap();
    conn
}

/// A copy of the database as it is now (the WAL included): an older copy, for later.
pub(in crate::store) fn copy_of(path: &Path, copy: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute("VACUUM INTO ?1", [copy.to_str().unwrap()])
        .unwrap();
}

/// The rows of `table` that `condition` selects, put back as they are in `older` (a copy
/// taken before).
pub(in crate::store) fn put_back(path: &Path, older: &Path, table: &str, condition: &str) {
    let conn = with_older(path, older);
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = OFF;
         DELETE FROM main.\"{table}\" WHERE {condition};
         INSERT INTO main.\"{table}\" SELECT * FROM older.\"{table}\" WHERE {condition};"
    ))
    .unwrap();
}

/// The sealed value `column` of the row `id` of `table` put back alone, as it is in `older`:
/// the row's tag, which does not cover sealed columns, stays as last written.
pub(in crate::store) fn put_back_sealed(
    path: &Path, older: &Path, table: &str, column: &str, id: &str,
) {
    let conn = with_older(path, older);
    let changed = conn
        .execute(
            &format!(
                "UPDATE main.\"{table}\" SET \"{column}\" =
                     (SELECT \"{column}\" FROM older.\"{table}\" WHERE id = ?1) WHERE id = ?1"
            ),
            [id],
        )
        .unwrap();
    assert_eq!(changed, 1, "{table} {id}");
}
