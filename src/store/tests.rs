//! The store as a whole: page caches per side, opening, pragmas and the database file itself.

use super::*;

#[test]
fn each_side_keeps_its_page_cache_and_an_import_gives_the_extra_back() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
    assert_eq!(store.page_cache_kib(), SyncRole::Desk.page_cache_kib());
    store.set_page_cache_for(SyncRole::Kiosk).unwrap();
    assert_eq!(store.page_cache_kib(), SyncRole::Kiosk.page_cache_kib());
    assert!(SyncRole::Kiosk.page_cache_kib() < SyncRole::Desk.page_cache_kib());
    {
        let _large = store.large_cache().unwrap();
        assert_eq!(store.page_cache_kib(), 262_144);
    }
    assert_eq!(
        store.page_cache_kib(),
        SyncRole::Kiosk.page_cache_kib(),
        "back to the side's own size, not the desk's"
    );
}

#[test]
fn a_desk_is_made_with_large_pages_and_a_database_keeps_the_size_it_was_made_with() {
    let dir = tempfile::tempdir().unwrap();
    let page_size = |store: &Store| -> u32 {
        store
            .conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap()
    };
    let (kiosk, desk) = (dir.path().join("k.sqlite3"), dir.path().join("d.sqlite3"));
    assert_eq!(
        page_size(&Store::open(&kiosk).unwrap()),
        SyncRole::Kiosk.page_size()
    );
    assert_eq!(
        page_size(&Store::open_for(&desk, SyncRole::Desk).unwrap()),
        SyncRole::Desk.page_size()
    );
    // Reopened as the other side: the size the file was made with stands.
    assert_eq!(page_size(&Store::open(&desk).unwrap()), 16_384);
    assert_eq!(
        page_size(&Store::open_for(&kiosk, SyncRole::Desk).unwrap()),
        SyncRole::Kiosk.page_size()
    );
}

#[test]
fn a_blind_index_look_up_gives_the_latest_visit_first() {
    use patients::{Index, ids_by_index};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
    let (same, other) = ([1u8; 32], [2u8; 32]);
    for (id, lookup, name_dob, visit) in [
        ("older", same, other, "2026-01-01T09:00:00+00:00"),
        ("newest", same, same, "2026-03-01T09:00:00+00:00"),
        ("someone-else", other, other, "2026-04-01T09:00:00+00:00"),
        ("middle", same, same, "2026-02-01T09:00:00+00:00"),
    ] {
        store
            .conn
            .execute(
                "INSERT INTO patients (id, lookup_index, name_dob_index, sealed_identity,
                 created_at, last_visit_at) VALUES (?1, ?2, ?3, x'00', ?4, '')",
                rusqlite::params![id, &lookup[..], &name_dob[..], visit],
            )
            .unwrap();
        store
            .conn
            .execute(
                "INSERT INTO visit_state (patient_id, last_visit_at, form_count, ledger_count)
                 VALUES (?1, ?2, 0, 0)",
                rusqlite::params![id, visit],
            )
            .unwrap();
    }
    let ids = |by, key: [u8; 32]| ids_by_index(&store.conn, by, &key).unwrap();
    assert_eq!(ids(Index::Lookup, same), ["newest", "middle", "older"]);
    assert_eq!(ids(Index::Lookup, other), ["someone-else"]);
    assert_eq!(ids(Index::NameDob, same), ["newest", "middle"]);
    assert_eq!(ids(Index::NameDob, [3u8; 32]), Vec::<String>::new());
    // The returning patient's id comes from the look-up index alone: their row is not read.
    let plan = store
        .conn
        .prepare("EXPLAIN QUERY PLAN SELECT id FROM patients WHERE lookup_index = ?1")
        .unwrap()
        .query_map([&same[..]], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .join("; ");
    assert!(
        plan.contains("USING COVERING INDEX patients_lookup"),
        "{plan}"
    );
}

#[test]
fn only_merged_records_are_in_the_merged_into_index_and_look_ups_use_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
    for (id, merged_into) in [("a", None), ("b", Some("a")), ("c", None)] {
        store
            .conn
            .execute(
                "INSERT INTO patients (id, lookup_index, name_dob_index, sealed_identity,
                 created_at, last_visit_at, merged_into) VALUES (?1, x'01', x'02', x'00', '', '', ?2)",
                rusqlite::params![id, merged_into],
            )
            .unwrap();
    }
    let entries: i64 = store
        .conn
        .query_row(
            "SELECT count(*) FROM patients INDEXED BY patients_merged_into
             WHERE merged_into IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(entries, 1);
    let plan = store
        .conn
        .prepare("EXPLAIN QUERY PLAN SELECT id FROM patients WHERE merged_into = ?1")
        .unwrap()
        .query_map(["a"], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .join("; ");
    assert!(plan.contains("USING INDEX patients_merged_into"), "{plan}");
}

#[test]
fn a_cached_look_up_with_an_order_is_compiled_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
    // A look-up with an order (an import's erasure-hold match is one): without a plan
    // independent of bound values, every use after the first recompiled it.
    let sql = "SELECT id FROM patients WHERE lookup_index = ?1 ORDER BY last_visit_at DESC LIMIT 1";
    for i in 0..5u8 {
        let found: Option<String> = store
            .conn
            .prepare_cached(sql)
            .unwrap()
            .query_row([&[i; 32][..]], |r| r.get(0))
            .optional()
            .unwrap();
        assert_eq!(found, None);
    }
    let recompiled = store
        .conn
        .prepare_cached(sql)
        .unwrap()
        .get_status(rusqlite::StatementStatus::RePrepare);
    assert_eq!(recompiled, 0);
}

#[test]
fn a_large_write_takes_the_rollback_journal_when_alone_and_gives_the_wal_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    let store = Store::open(&path).unwrap();
    let mode = |store: &Store| -> String {
        store
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap()
    };
    {
        let journal = store.rollback_journal();
        assert!(journal.switched());
        assert_eq!(mode(&store), "delete");
        let tx = store.conn.unchecked_transaction().unwrap();
        tx.execute("INSERT INTO settings (key, value) VALUES ('k', 'v')", [])
            .unwrap();
        assert!(
            path.with_extension("sqlite3-journal").exists(),
            "journalled"
        );
        tx.commit().unwrap();
    }
    assert_eq!(mode(&store), "wal", "the WAL again once the write is done");
    assert!(!path.with_extension("sqlite3-journal").exists());

    // Another connection has the database open: the write stays in WAL mode, and works.
    let other = Store::open(&path).unwrap();
    let _reading = other
        .conn
        .query_row("SELECT count(*) FROM settings", [], |r| r.get::<_, i64>(0))
        .unwrap();
    {
        let journal = store.rollback_journal();
        assert!(!journal.switched());
        assert_eq!(mode(&store), "wal");
    }
    assert_eq!(mode(&store), "wal");
    assert_eq!(mode(&other), "wal");
}

#[test]
fn an_audit_entry_whose_head_cannot_be_written_is_not_kept_either() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.sqlite3");
    crate::demo::create_demo_desk(&path).unwrap();
    let store = Store::open_for(&path, SyncRole::Desk).unwrap();
    let passphrase = crate::vault::Passphrase::new(crate::demo::DEMO_PASSPHRASE);
    let (open, _) = OpenStore::unlock(store, &passphrase, chrono::Utc::now())
        .map_err(|f| f.error)
        .unwrap();
    let entries = |open: &OpenStore| -> i64 {
        open.conn()
            .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
            .unwrap()
    };
    let before = entries(&open);
    // The head's write fails (as on a full disk) after the entry's, outside any transaction of
    // the caller's (an event the session records).
    open.conn()
        .execute_batch(
            "CREATE TEMP TRIGGER head_fails BEFORE INSERT ON main.audit_head
             BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
        )
        .unwrap();
    assert!(
        open.record_event(
            "kiosk",
            audit::AuditKind::HandoverStarted,
            "",
            chrono::Utc::now()
        )
        .is_err()
    );
    open.conn()
        .execute_batch("DROP TRIGGER temp.head_fails")
        .unwrap();
    assert_eq!(entries(&open), before, "the entry went with its head");
    open.verify_everything().unwrap();
}

#[test]
fn the_newest_recorded_time_is_found_through_the_indexes_not_by_reading_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
    // The kind written into the query is the one the store logs.
    assert!(
        super::own_clock::NEWEST_RECORDED_SQL
            .contains(&format!("kind = '{}'", AuditKind::ClockConfirmed.as_str()))
    );
    let plan = store
        .conn
        .prepare(&format!(
            "EXPLAIN QUERY PLAN {}",
            super::own_clock::NEWEST_RECORDED_SQL
        ))
        .unwrap()
        .query_map([], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .join("; ");
    // Newest first along the index by time (stopping at the first entry since), the last
    // confirmation from its own index: no step reads the log's rows.
    assert!(plan.contains("INDEX audit_log_at"), "{plan}");
    assert!(plan.contains("INDEX audit_log_clock_confirmed"), "{plan}");
    assert!(
        plan.split("; ")
            .filter(|step| step.contains("audit_log"))
            .all(|step| step.contains("COVERING INDEX")),
        "{plan}"
    );
}
