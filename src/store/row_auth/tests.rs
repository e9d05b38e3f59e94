use super::*;

#[test]
fn every_table_but_the_audit_log_is_tagged_and_keyed() {
    let names = tagged_tables();
    assert!(names.contains(&"staff"));
    assert!(names.contains(&"submissions"));
    assert!(!names.contains(&"audit_log"));
    for name in names {
        let layout = layout(name).unwrap();
        assert!(!layout.key.is_empty(), "{name} has a primary key");
        for k in &layout.key {
            assert!(
                layout.covered.iter().any(|c| &c.name == k),
                "{name}'s key {k} is covered"
            );
        }
    }
}

#[test]
fn the_encoding_separates_columns_and_types() {
    let a = encode(
        "t",
        [("a", ValueRef::Text(b"1")), ("b", ValueRef::Text(b"23"))].into_iter(),
    );
    let b = encode(
        "t",
        [("a", ValueRef::Text(b"12")), ("b", ValueRef::Text(b"3"))].into_iter(),
    );
    let c = encode(
        "t",
        [("a", ValueRef::Integer(1)), ("b", ValueRef::Text(b"23"))].into_iter(),
    );
    let d = encode(
        "u",
        [("a", ValueRef::Text(b"1")), ("b", ValueRef::Text(b"23"))].into_iter(),
    );
    assert_ne!(a, b);
    assert_ne!(a, c);
    assert_ne!(a, d);
}

#[test]
fn a_column_added_later_counts_once_it_holds_a_value() {
    let before = [("id", ValueRef::Text(b"p1"))];
    let with = |value| {
        encode(
            "patients",
            [("form_ids", value), ("id", ValueRef::Text(b"p1"))].into_iter(),
        )
    };
    // A row tagged before the column existed keeps its tag while the column is NULL…
    assert_eq!(with(ValueRef::Null), encode("patients", before.into_iter()));
    // …and once given a value (even an empty list), taking it away again shows.
    assert_ne!(with(ValueRef::Blob(b"")), with(ValueRef::Null));
    assert_ne!(with(ValueRef::Blob(b"x")), with(ValueRef::Blob(b"")));
    // Only the columns named as added later: a NULL elsewhere is encoded.
    let other = |value| encode("staff", [("last_failed_at", value)].into_iter());
    assert_ne!(other(ValueRef::Null), encode("staff", [].into_iter()));
}
