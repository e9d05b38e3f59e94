//! Compression of a value just before it is sealed, and its undoing just after it is opened:
//! LZ4 (block format, `lz4_flex`) behind the plaintext's length.
//!
//! ```text
//! packed = plaintext length (u32 LE) | LZ4 block
//! ```
//!
//! Two users: sync bundle entries (version 3) and the store's large sealed values (vault seal
//! format 2). Both seal the packed bytes, so whatever is unpacked here has passed an AEAD check
//! first; it is still treated as outside input (a desk must survive a kiosk that was taken over,
//! and a bug must not become a crash): the declared length is checked against the caller's limit
//! and against what the block can possibly expand to (LZ4 turns one byte into at most 255)
//! before anything is allocated, and the block must fill exactly the declared length.
//!
//! Why compressing before sealing is safe here: compression leaks through the ciphertext's
//! length only when an attacker can put chosen text beside a secret in the same compressed unit
//! and watch the length change over many tries (CRIME, BREACH). One packed unit is one
//! submission (or one stored value of one patient): nothing in it is secret from the person who
//! typed it, no other patient's data shares it, and each is packed once, not replayed on demand.
//! What is left is that a value's length says a little about how repetitive it is, beside its
//! rough size, which sealed values showed before.

use zeroize::{Zeroize, Zeroizing};

thread_local! {
    /// The compressor's hash table for values under 64 KiB, one per thread and cleared at each
    /// use: a fresh one per value was a zeroed 8 KiB allocation every time (17% of packing's
    /// instructions, callgrind). It holds positions in the last value packed, never its bytes.
    static TABLE: std::cell::RefCell<lz4_flex::block::CompressTable> =
        std::cell::RefCell::new(lz4_flex::block::CompressTable::small());
}

thread_local! {
    /// [`read_unpacked`]'s buffer: empty and wiped whenever it is not lent out.
    static UNPACKED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The largest plaintext [`read_unpacked`] unpacks into its kept buffer: a larger one (a form
/// definition, a long form's entry) gets a buffer of its own, so a thread never keeps more.
const KEPT_UNPACKED_MAX: usize = 256 * 1024;

/// Bytes in front of the LZ4 block.
const LEN_PREFIX: usize = 4;
/// The most one LZ4 block byte can expand to (a 255-byte run per length byte).
const MAX_RATIO: usize = 255;

/// Why packed bytes were refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnpackError {
    /// It declares more than the caller allows, or more than its block could ever hold.
    TooLarge { declared: u64, limit: usize },
    /// Not a well-formed block of exactly the declared length.
    Malformed,
}

/// The most bytes [`pack_into`] appends for `len` plaintext bytes.
pub fn max_packed_len(len: usize) -> usize {
    LEN_PREFIX + lz4_flex::block::get_maximum_output_size(len)
}

/// Appends `plaintext`, packed, to `out`. Reserves room first, so `out` never reallocates (and so
/// never leaves a copy of packed plaintext behind) while the packed bytes are written. Values
/// over 4 GiB are refused by the callers' own limits before they get here.
pub fn pack_into(out: &mut Vec<u8>, plaintext: &[u8]) {
    let len = u32::try_from(plaintext.len()).expect("callers cap values far below 4 GiB");
    let start = out.len();
    out.reserve(max_packed_len(plaintext.len()));
    out.extend_from_slice(&len.to_le_bytes());
    let block_start = out.len();
    out.resize(start + max_packed_len(plaintext.len()), 0);
    let block = &mut out[block_start..];
    let written = if plaintext.len() < usize::from(u16::MAX) {
        TABLE.with_borrow_mut(|table| {
            lz4_flex::block::compress_into_with_table(plaintext, block, table)
        })
    } else {
        // A rare large value (a form definition, a bundle entry of a long form) gets a table of
        // its own, as before: the kept one stays the small kind.
        lz4_flex::block::compress_into(plaintext, block)
    }
    .expect("the output has room for the worst case");
    out.truncate(block_start + written);
}

/// The plaintext of `packed`, at most `limit` bytes, wiped when dropped.
pub fn unpack(packed: &[u8], limit: usize) -> Result<Zeroizing<Vec<u8>>, UnpackError> {
    let (len, block) = declared(packed, limit)?;
    let mut out = Zeroizing::new(vec![0u8; len]);
    fill(block, &mut out)?;
    Ok(out)
}

/// What `read` makes of the plaintext of `packed` (at most `limit` bytes, see [`unpack`]),
/// unpacked into a buffer this thread keeps for the purpose and wiped as soon as `read` returns:
/// a bundle's import reads three or four packed parts of every form, and a fresh buffer for each
/// was an allocation of memory the system had to hand over again (a page fault) each time.
pub fn read_unpacked<T>(
    packed: &[u8], limit: usize, read: impl FnOnce(&[u8]) -> T,
) -> Result<T, UnpackError> {
    let (len, block) = declared(packed, limit)?;
    if len > KEPT_UNPACKED_MAX {
        return Ok(read(&unpack(packed, limit)?));
    }
    UNPACKED.with(|kept| {
        // Already lent out further up this thread's stack: a buffer of its own.
        let Ok(mut kept) = kept.try_borrow_mut() else {
            return Ok(read(&unpack(packed, limit)?));
        };
        kept.resize(len, 0);
        let wiped = WipedOnDrop(&mut kept);
        fill(block, wiped.0)?;
        Ok(read(wiped.0))
    })
}

/// The declared plaintext length of `packed` (checked against `limit` and against what its block
/// could possibly hold, before anything is allocated) and its block.
fn declared(packed: &[u8], limit: usize) -> Result<(usize, &[u8]), UnpackError> {
    let (prefix, block) = packed
        .split_first_chunk::<LEN_PREFIX>()
        .ok_or(UnpackError::Malformed)?;
    let declared = u32::from_le_bytes(*prefix);
    let len = usize::try_from(declared).map_err(|_| UnpackError::Malformed)?;
    if len > limit || len > block.len().saturating_mul(MAX_RATIO) {
        return Err(UnpackError::TooLarge {
            declared: u64::from(declared),
            limit,
        });
    }
    Ok((len, block))
}

/// Unpacks `block` into `out`, which it must fill exactly.
fn fill(block: &[u8], out: &mut [u8]) -> Result<(), UnpackError> {
    match lz4_flex::block::decompress_into(block, out) {
        Ok(written) if written == out.len() => Ok(()),
        _ => Err(UnpackError::Malformed),
    }
}

/// The kept buffer of [`read_unpacked`], wiped and emptied when dropped (its room stays).
struct WipedOnDrop<'a>(&'a mut Vec<u8>);

impl Drop for WipedOnDrop<'_> {
    fn drop(&mut self) {
        self.0.as_mut_slice().zeroize();
        self.0.clear();
    }
}

/// Packed bytes known to unpack, within a limit, to the plaintext they were checked against:
/// what may be sealed as a packed value without being packed again (a desk keeps a form's
/// answers as the kiosk packed them, once it has unpacked and read them).
#[derive(Clone)]
pub struct Packed(Zeroizing<Vec<u8>>);

impl Packed {
    /// `packed` and its plaintext, when it unpacks within `limit` (see [`unpack`]).
    pub fn check(packed: &[u8], limit: usize) -> Result<(Packed, Zeroizing<Vec<u8>>), UnpackError> {
        let plaintext = unpack(packed, limit)?;
        Ok((Packed(Zeroizing::new(packed.to_vec())), plaintext))
    }

    /// `packed`, and what `read` makes of its plaintext, when it unpacks within `limit` (see
    /// [`read_unpacked`]: the plaintext is wiped as soon as `read` returns).
    pub fn check_with<T>(
        packed: &[u8], limit: usize, read: impl FnOnce(&[u8]) -> T,
    ) -> Result<(Packed, T), UnpackError> {
        let read = read_unpacked(packed, limit, read)?;
        Ok((Packed(Zeroizing::new(packed.to_vec())), read))
    }

    /// The packed bytes (plaintext length, then the LZ4 block).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packed(plaintext: &[u8]) -> Vec<u8> {
        let mut out = b"before".to_vec();
        pack_into(&mut out, plaintext);
        assert_eq!(&out[..6], b"before");
        out.split_off(6)
    }

    #[test]
    fn round_trip_of_empty_short_repetitive_and_random_values() {
        let random: Vec<u8> = (0..5000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let repetitive = b"M 10 10 L 20 30 ".repeat(100);
        for plaintext in [&b""[..], b"x", &repetitive, &random] {
            let packed = packed(plaintext);
            assert!(packed.len() <= max_packed_len(plaintext.len()));
            assert_eq!(unpack(&packed, 1 << 20).unwrap().as_slice(), plaintext);
        }
        assert!(packed(&repetitive).len() < repetitive.len() / 10);
    }

    #[test]
    fn the_kept_table_packs_each_value_as_a_fresh_one_would() {
        // Small, then over 64 KiB (the table grows), then small again: each packs exactly as
        // `compress_into` with its own new table does, and nothing of one value reaches the next.
        let words: Vec<u8> = (0..100_000u32)
            .map(|i| b"latex hives penicillin "[(i.wrapping_mul(2_654_435_761) >> 29) as usize])
            .collect();
        for plaintext in [&words[..3_000], &words[..], &words[1_000..4_000], b"x"] {
            let mut fresh = vec![0; lz4_flex::block::get_maximum_output_size(plaintext.len())];
            let len = lz4_flex::block::compress_into(plaintext, &mut fresh).unwrap();
            assert_eq!(packed(plaintext)[LEN_PREFIX..], fresh[..len]);
            assert_eq!(
                unpack(&packed(plaintext), 1 << 20).unwrap().as_slice(),
                plaintext
            );
        }
    }

    #[test]
    fn packed_bytes_are_kept_only_when_they_unpack_within_the_limit() {
        let plaintext = b"penicillin: hives; latex: itching; ".repeat(30);
        let bytes = packed(&plaintext);
        let (kept, unpacked) = Packed::check(&bytes, 1 << 20).unwrap();
        assert_eq!(kept.as_bytes(), bytes.as_slice());
        assert_eq!(unpacked.as_slice(), plaintext.as_slice());
        assert!(Packed::check(&bytes, plaintext.len() - 1).is_err());
        assert!(Packed::check(&bytes[..bytes.len() - 1], 1 << 20).is_err());
    }

    #[test]
    fn a_value_over_the_limit_is_refused_before_it_is_unpacked() {
        let plaintext = vec![b'a'; 10_000];
        let packed = packed(&plaintext);
        assert_eq!(
            unpack(&packed, 9_999),
            Err(UnpackError::TooLarge {
                declared: 10_000,
                limit: 9_999
            })
        );
        assert!(unpack(&packed, 10_000).is_ok());
    }

    #[test]
    fn a_bomb_declaring_more_than_its_block_can_hold_is_refused_without_allocating() {
        // A 4 GiB claim over a few bytes: refused by the ratio check even under a huge limit.
        let mut bomb = u32::MAX.to_le_bytes().to_vec();
        bomb.extend_from_slice(&[0x1f, b'a', 0xff, 0xff, 0xff]);
        assert_eq!(
            unpack(&bomb, usize::MAX),
            Err(UnpackError::TooLarge {
                declared: u64::from(u32::MAX),
                limit: usize::MAX
            })
        );
    }

    #[test]
    fn a_length_that_does_not_match_the_block_is_refused() {
        let plaintext = b"the same words, the same words, the same words".to_vec();
        let mut packed = packed(&plaintext);
        for declared in [plaintext.len() - 1, plaintext.len() + 1] {
            packed[..4].copy_from_slice(&u32::try_from(declared).unwrap().to_le_bytes());
            assert_eq!(unpack(&packed, 1 << 20), Err(UnpackError::Malformed));
        }
    }

    #[test]
    fn truncated_or_corrupted_blocks_are_refused_without_panic() {
        let plaintext = b"penicillin: hives; latex: itching; ".repeat(30);
        let packed = packed(&plaintext);
        for len in 0..packed.len() {
            assert!(unpack(&packed[..len], 1 << 20).is_err(), "cut at {len}");
        }
        for at in 4..packed.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut bad = packed.clone();
                bad[at] ^= flip;
                // Either refused or (a changed literal) the right length: never a panic.
                if let Ok(out) = unpack(&bad, 1 << 20) {
                    assert_eq!(out.len(), plaintext.len());
                }
            }
        }
    }

    #[test]
    fn a_value_read_unpacked_is_wiped_from_the_kept_buffer_once_read() {
        let plaintext = b"allergies: latex; penicillin ".repeat(40);
        let packed = packed(&plaintext);
        let read = read_unpacked(&packed, 1 << 20, |plain| plain.to_vec()).unwrap();
        assert_eq!(read, plaintext);
        UNPACKED.with_borrow(|kept| {
            assert!(kept.is_empty());
            assert!(
                kept.capacity() >= plaintext.len(),
                "the room stays for the next"
            );
            // What the buffer held is zeros now, up to what it was used for.
            // SAFETY: those bytes lie within the buffer's allocation and were written (the value
            // was unpacked into them, then wiped); nothing else holds the buffer meanwhile.
            #[allow(unsafe_code)]
            let room = unsafe { std::slice::from_raw_parts(kept.as_ptr(), plaintext.len()) };
            assert!(room.iter().all(|&b| b == 0));
        });
    }

    #[test]
    fn read_unpacked_refuses_what_unpack_refuses_and_nests() {
        let plaintext = vec![b'a'; 10_000];
        let bytes = packed(&plaintext);
        assert_eq!(
            read_unpacked(&bytes, 9_999, |_| ()),
            Err(UnpackError::TooLarge {
                declared: 10_000,
                limit: 9_999
            })
        );
        assert_eq!(
            read_unpacked(&bytes[..bytes.len() - 1], 1 << 20, |_| ()),
            Err(UnpackError::Malformed)
        );
        // Read inside another read: the inner one gets a buffer of its own.
        let inner = packed(b"inner");
        let both = read_unpacked(&bytes, 1 << 20, |outer| {
            let inner = read_unpacked(&inner, 1 << 20, |plain| plain.to_vec()).unwrap();
            (outer.len(), inner)
        })
        .unwrap();
        assert_eq!(both, (10_000, b"inner".to_vec()));
        // A value over what the buffer keeps is read from a buffer of its own.
        let large = vec![b'z'; KEPT_UNPACKED_MAX + 1];
        let len = read_unpacked(&packed(&large), 1 << 20, <[u8]>::len).unwrap();
        assert_eq!(len, KEPT_UNPACKED_MAX + 1);
        UNPACKED.with_borrow(|kept| assert!(kept.capacity() <= KEPT_UNPACKED_MAX));
    }
}
