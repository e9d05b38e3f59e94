use std::os::unix::fs::PermissionsExt;

use super::*;
use crate::test_files::names_in;

#[test]
fn writes_replace_whole_files_and_leave_no_partials() {
    let dir = tempfile::tempdir().unwrap();
    write_atomically(dir.path(), "bundle-1.ikb", b"first", Readers::Exchange).unwrap();
    let path = write_atomically(dir.path(), "bundle-1.ikb", b"second", Readers::Exchange).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"second");
    assert_eq!(
        names_in(dir.path()),
        ["bundle-1.ikb"],
        "no .partial file left"
    );
    assert_eq!(list(dir.path(), "bundle-", ".ikb").unwrap(), vec![path]);
}

#[test]
fn a_folder_read_before_anything_was_written_into_it_is_named_as_missing() {
    let dir = tempfile::tempdir().unwrap();
    let exchange = dir.path().join("exchange");
    let refused = list(&exchange, "bundle-", ".ikb").unwrap_err();
    assert!(
        matches!(&refused, ExchangeError::Folder(FolderProblem::Missing(f)) if *f == exchange),
        "{refused:?}"
    );
    assert_eq!(
        refused.to_string(),
        format!(
            "the folder {} does not exist (is its disk connected?)",
            exchange.display()
        )
    );
    // Once made (the first write into it), it lists.
    std::fs::create_dir(&exchange).unwrap();
    assert!(list(&exchange, "bundle-", ".ikb").unwrap().is_empty());
}

#[test]
fn a_batch_is_whole_or_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<(String, Vec<u8>)> = (0..5)
        .map(|i| (format!("f{i}.json"), format!("{{\"n\":{i}}}").into_bytes()))
        .collect();
    write_batch(dir.path(), &files, Readers::OwnerOnly).unwrap();
    assert_eq!(
        names_in(dir.path()),
        ["f0.json", "f1.json", "f2.json", "f3.json", "f4.json"],
        "every file under its name, no .partial file left"
    );
    assert_eq!(
        std::fs::read(dir.path().join("f3.json")).unwrap(),
        b"{\"n\":3}"
    );
    // A name that cannot be written (a folder in a subfolder that does not exist) stops the
    // batch before any file gets its name, and the temporary files written so far go.
    let other = tempfile::tempdir().unwrap();
    let bad = vec![
        ("a.json".to_owned(), b"{}".to_vec()),
        ("missing/b.json".to_owned(), b"{}".to_vec()),
    ];
    assert!(write_batch(other.path(), &bad, Readers::OwnerOnly).is_err());
    assert!(
        names_in(other.path()).is_empty(),
        "{:?}",
        names_in(other.path())
    );
}

#[test]
fn slices_committed_behind_are_named_in_order_and_a_failure_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut batch = Batch::new(dir.path(), Readers::OwnerOnly).unwrap();
    batch.add("a.json", b"a").unwrap();
    batch.add("a.fhir.json", b"A").unwrap();
    batch.commit_behind().unwrap();
    assert_eq!(batch.pending_bytes(), 0);
    batch.add("b.json", b"b").unwrap();
    batch.commit().unwrap();
    assert_eq!(names_in(dir.path()), ["a.fhir.json", "a.json", "b.json"]);

    // A name that cannot be given (a folder is in the way) stops its slice there: the
    // files before it keep their names, the rest of the slice goes, and the error comes
    // back at the next commit.
    let other = tempfile::tempdir().unwrap();
    std::fs::create_dir(other.path().join("d.html")).unwrap();
    std::fs::write(other.path().join("d.html").join("x"), b"x").unwrap();
    let mut batch = Batch::new(other.path(), Readers::OwnerOnly).unwrap();
    for name in ["c.json", "d.html", "d.fhir.json"] {
        batch.add(name, b"{}").unwrap();
    }
    batch.commit_behind().unwrap();
    batch.add("e.json", b"{}").unwrap();
    assert!(batch.commit_behind().is_err());
    drop(batch);
    assert_eq!(names_in(other.path()), ["c.json", "d.html"]);
}

#[test]
fn patient_data_is_readable_by_this_user_only() {
    let dir = tempfile::tempdir().unwrap();
    let private = write_atomically(dir.path(), "p.json", b"{}", Readers::OwnerOnly).unwrap();
    let mode = std::fs::metadata(&private).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    write_batch(
        dir.path(),
        &[("a.html".into(), b"<p>".to_vec())],
        Readers::OwnerOnly,
    )
    .unwrap();
    let mode = std::fs::metadata(dir.path().join("a.html"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // A folder made for it (an export or outbox folder named for the first time) is this
    // user's only too, whatever the umask gives others.
    let made = dir.path().join("exports");
    write_atomically(&made, "p.json", b"{}", Readers::OwnerOnly).unwrap();
    let mode = std::fs::metadata(&made).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
}

#[test]
fn leftovers_and_planted_names_do_not_block_or_redirect_a_write() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.txt");
    std::fs::write(&victim, b"keep me").unwrap();
    // The old fixed temporary name, as a folder (a crash leftover cannot be a folder, but a
    // planted one can) and as a link; and a link under the final name.
    std::fs::create_dir(dir.path().join(".a.ikb.partial")).unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join(".b.ikb.partial")).unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join("b.ikb")).unwrap();
    write_atomically(dir.path(), "a.ikb", b"new a", Readers::Exchange).unwrap();
    write_batch(
        dir.path(),
        &[("b.ikb".into(), b"new b".to_vec())],
        Readers::Exchange,
    )
    .unwrap();
    assert_eq!(std::fs::read(&victim).unwrap(), b"keep me");
    assert_eq!(std::fs::read(dir.path().join("a.ikb")).unwrap(), b"new a");
    let b = dir.path().join("b.ikb");
    assert!(
        std::fs::symlink_metadata(&b).unwrap().is_file(),
        "link replaced"
    );
    assert_eq!(std::fs::read(&b).unwrap(), b"new b");
}

#[test]
fn only_ordinary_files_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.ikr");
    std::fs::write(&real, b"IKSR").unwrap();
    assert_eq!(read_capped(&real, Expected::Receipt).unwrap(), b"IKSR");

    let link = dir.path().join("link.ikr");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let folder = dir.path().join("folder.ikr");
    std::fs::create_dir(&folder).unwrap();
    let socket = dir.path().join("socket.ikr");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let fifo = dir.path().join("fifo.ikr");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for (path, found) in [
        (&link, "a symbolic link"),
        (&folder, "a folder"),
        (&socket, "a socket"),
        (&fifo, "a named pipe (FIFO)"),
        (&PathBuf::from("/dev/zero"), "a device"),
    ] {
        match read_capped(path, Expected::Receipt) {
            Err(ExchangeError::NotRegularFile { path: p, found: f }) => {
                assert_eq!((&p, f), (path, found));
            }
            other => panic!("{}: {other:?}", path.display()),
        }
    }
}

#[test]
fn each_kind_has_its_cap() {
    let dir = tempfile::tempdir().unwrap();
    let answer = dir.path().join("pair.ikpa");
    std::fs::write(&answer, vec![0u8; 4 * 1024]).unwrap();
    assert_eq!(
        read_capped(&answer, Expected::PairingAnswer).unwrap().len(),
        4 * 1024
    );
    std::fs::write(&answer, vec![0u8; 4 * 1024 + 1]).unwrap();
    assert!(matches!(
        read_capped(&answer, Expected::PairingAnswer),
        Err(ExchangeError::TooLarge { .. })
    ));
    // A sparse file far past the cap is refused from its size alone.
    let receipt = dir.path().join("receipt.ikr");
    File::create(&receipt)
        .unwrap()
        .set_len(Expected::Receipt.max_bytes() + 1)
        .unwrap();
    assert!(matches!(
        read_capped(&receipt, Expected::Receipt),
        Err(ExchangeError::TooLarge { .. })
    ));
}

#[test]
fn nothing_is_read_from_or_written_into_a_disk_that_is_not_mounted() {
    let dir = tempfile::tempdir().unwrap();
    // The USB stick's mount point, left on the system disk with an old bundle in it.
    let usb = dir.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    std::fs::write(usb.join("bundle-old.ikb"), b"left behind").unwrap();
    crate::mounts::testing::expect_disk_at(&usb);
    let not_mounted = |e: ExchangeError| matches!(e, ExchangeError::Folder(FolderProblem::NotMounted(_, disk)) if disk == usb.canonicalize().unwrap());
    assert!(not_mounted(
        write_atomically(&usb, "receipt-1.ikr", b"r", Readers::Exchange).unwrap_err()
    ));
    assert!(not_mounted(
        write_batch(
            &usb.join("outbox"),
            &[("f.json".into(), b"{}".to_vec())],
            Readers::OwnerOnly
        )
        .unwrap_err()
    ));
    assert!(not_mounted(
        check_writable(&usb, Readers::OwnerOnly).unwrap_err()
    ));
    assert!(not_mounted(list(&usb, "bundle-", ".ikb").unwrap_err()));
    assert_eq!(
        names_in(&usb),
        ["bundle-old.ikb"],
        "nothing made or written"
    );
    // A folder beside it is written as before.
    write_atomically(dir.path(), "receipt-1.ikr", b"r", Readers::Exchange).unwrap();
}
