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
