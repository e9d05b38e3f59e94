//! Zeroizing holders for secrets, and the random source.

use ring::rand::{SecureRandom, SystemRandom};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::VaultError;

/// 256 bits of key material, wiped from memory when dropped. Never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey([u8; 32]);

impl SecretKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        SecretKey(bytes)
    }
    pub fn generate() -> Result<Self, VaultError> {
        Ok(SecretKey(random_bytes::<32>()?))
    }
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

/// A manager's passphrase, wiped from memory when dropped. Never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Passphrase(String);

impl Passphrase {
    pub fn new(text: impl Into<String>) -> Self {
        Passphrase(text.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// Characters, not bytes: "é" counts once.
    pub fn char_count(&self) -> usize {
        self.0.chars().count()
    }
}

/// A staff PIN as typed, wiped from memory when dropped. Never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Pin(String);

impl Pin {
    pub fn new(digits: impl Into<String>) -> Self {
        Pin(digits.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// `N` bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], VaultError> {
    let mut out = [0u8; N];
    SystemRandom::new()
        .fill(&mut out)
        .map_err(|_| VaultError::Random)?;
    Ok(out)
}

/// How many bytes [`random_public_bytes`] draws from the OS at a time.
const POOL_LEN: usize = 4096;

/// A thread's store of OS randomness for [`random_public_bytes`]: `bytes[next..]` not yet
/// handed out, the rest wiped.
struct Pool {
    bytes: Zeroizing<[u8; POOL_LEN]>,
    next: usize,
}

thread_local! {
    static POOL: std::cell::RefCell<Pool> = std::cell::RefCell::new(Pool {
        bytes: Zeroizing::new([0; POOL_LEN]),
        next: POOL_LEN,
    });
}

/// `N` bytes from the operating system's CSPRNG for values that are not secret but must be
/// unique and unguessable: sealing nonces and row ids. Drawn 4 KiB at a time per thread rather
/// than by one system call each (a `getrandom` call for every sealed value and id was ~4% of a
/// desk's import); each byte is handed out once and wiped from the pool as it is. Keys and other
/// secrets come from [`random_bytes`], straight from the OS, so no secret waits in memory.
pub fn random_public_bytes<const N: usize>() -> Result<[u8; N], VaultError> {
    const { assert!(N <= POOL_LEN) };
    POOL.with_borrow_mut(|pool| {
        if POOL_LEN - pool.next < N {
            SystemRandom::new()
                .fill(&mut pool.bytes[..])
                .map_err(|_| VaultError::Random)?;
            pool.next = 0;
        }
        let mut out = [0u8; N];
        let taken = &mut pool.bytes[pool.next..pool.next + N];
        out.copy_from_slice(taken);
        taken.zeroize();
        pool.next += N;
        Ok(out)
    })
}

/// A random 128-bit identifier as 32 lowercase hex digits. Used for pseudonymous ids, so that a
/// row's id (and with it its AAD) is known before the row is written.
pub fn random_id() -> Result<String, VaultError> {
    let bytes = Zeroizing::new(random_public_bytes::<16>()?);
    Ok(crate::hex::encode(&*bytes))
}

/// A 128-bit identifier that sorts by time: the milliseconds since 1970 (48 bits, clamped to
/// that range) and 80 random bits, as 32 lowercase hex digits like [`random_id`]. For a
/// submission's id: a desk holds one row per id in its primary-key B-tree, and ids made in the
/// order the forms were filled land at its edge, where a bundle's adds share a few pages,
/// instead of each on a page of its own across the whole index (at 1,000,000 forms a 10,000-form
/// bundle of random ids rewrote thousands of pages). Within one millisecond the random part
/// keeps ids apart (2^80 values); what the id tells of the time, the form's record says anyway.
pub fn time_ordered_id(unix_millis: i64) -> Result<String, VaultError> {
    const MAX_MILLIS: i64 = (1 << 48) - 1;
    let millis = unix_millis.clamp(0, MAX_MILLIS) as u64;
    let mut bytes = Zeroizing::new([0u8; 16]);
    bytes[..6].copy_from_slice(&millis.to_be_bytes()[2..]);
    bytes[6..].copy_from_slice(&random_public_bytes::<10>()?);
    Ok(crate::hex::encode(&*bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_ordered_ids_sort_by_time_and_differ_within_a_millisecond() {
        let at = 1_780_000_000_123;
        let (a, b) = (time_ordered_id(at).unwrap(), time_ordered_id(at).unwrap());
        assert_ne!(a, b);
        assert_eq!(a[..12], b[..12]);
        assert_eq!(&a[..12], "019e7044887b");
        let later = time_ordered_id(at + 1).unwrap();
        assert!(a < later && b < later);
        for id in [&a, &later] {
            assert_eq!(id.len(), 32);
            assert!(id.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')));
        }
        // A clock before 1970 or past the year 10889 gives the range's ends, never an error.
        assert!(time_ordered_id(-5).unwrap().starts_with("000000000000"));
        assert!(
            time_ordered_id(i64::MAX)
                .unwrap()
                .starts_with("ffffffffffff")
        );
    }

    #[test]
    fn public_random_bytes_do_not_repeat_across_refills_and_are_wiped_from_the_pool() {
        let mut seen = std::collections::HashSet::new();
        // Several pools' worth, in draws that do not divide the pool evenly.
        for _ in 0..3 * POOL_LEN / 12 + 7 {
            assert!(seen.insert(random_public_bytes::<12>().expect("random")));
        }
        let id = random_id().expect("id");
        assert_eq!(id.len(), 32);
        POOL.with_borrow(|pool| {
            assert!(pool.next > 0);
            assert!(pool.bytes[..pool.next].iter().all(|b| *b == 0));
        });
    }
}
