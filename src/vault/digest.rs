//! Plain content hashes (SHA-256) for things that are not secret: form definitions, consent texts.

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// SHA-256 of everything `reader` gives, read in 64 KiB pieces (a backup of gigabytes is
/// hashed without holding it).
pub fn sha256_of_reader(reader: &mut impl std::io::Read) -> std::io::Result<[u8; 32]> {
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => context.update(&buffer[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(context.finish().as_ref());
    Ok(out)
}

/// `sha256:` followed by the lowercase hex SHA-256 of `bytes`: the form used in records.
pub fn content_hash(bytes: &[u8]) -> String {
    content_hash_of(&sha256(bytes))
}

/// [`content_hash`] written from a SHA-256 `digest` already taken (e.g. in the same pass as
/// another hash over the first part of the bytes).
pub fn content_hash_of(digest: &[u8; 32]) -> String {
    let mut s = String::with_capacity(71);
    s.push_str("sha256:");
    crate::hex::push(&mut s, digest);
    s
}

/// Compares two MACs or hashes in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_streamed_hash_is_the_hash_of_the_whole() {
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let streamed = super::sha256_of_reader(&mut bytes.as_slice()).unwrap();
        assert_eq!(streamed, super::sha256(&bytes));
    }

    #[test]
    fn known_answer() {
        assert_eq!(
            super::content_hash(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
