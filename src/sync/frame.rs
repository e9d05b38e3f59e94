//! The one binary framing every sync file uses.
//!
//! ```text
//! magic (4 bytes, one per file kind) | version (1 byte) | items…
//! item = u8 | u64 LE | section
//! section = length (u32 LE) | that many bytes
//! ```
//!
//! Invariants kept by [`FrameReader`], which reads outside input:
//! - it never panics and never allocates from a length it has not checked against the bytes
//!   actually left (a section is a borrowed slice of the input, never a copy);
//! - a section is at most [`MAX_FIELD`] bytes (its own `limit` may be lower);
//! - a file ends exactly where its last item ends: [`FrameReader::finish`] refuses trailing bytes.
//!
//! The magic is also the domain separator of every signature and MAC over a file: a signed
//! receipt can never be taken for a bundle, nor the reverse.

use super::{FileKind, SyncError};

/// The largest section any sync file may hold (a sealed entry, a header, a receipt body).
pub const MAX_FIELD: usize = 64 * 1024 * 1024;
/// The most entries (bundle entries, receipt submission ids) one file may hold.
pub const MAX_ENTRIES: usize = 1_000_000;

/// Length of the magic plus the version byte.
pub const PREAMBLE_LEN: usize = 5;

/// Bytes a section's length prefix takes.
pub const SECTION_PREFIX_LEN: usize = 4;

pub fn magic(kind: FileKind) -> &'static [u8; 4] {
    match kind {
        FileKind::Bundle => b"IKSB",
        FileKind::Receipt => b"IKSR",
        FileKind::PairingAnswer => b"IKSP",
        FileKind::DeskKeys => b"IKSD",
        FileKind::KioskKeys => b"IKSK",
    }
}

/// Builds a file; every length is checked, so a writer cannot produce what a reader refuses.
pub struct FrameWriter {
    out: Vec<u8>,
}

impl FrameWriter {
    pub fn new(kind: FileKind, version: u8) -> Self {
        Self::with_capacity(kind, version, 256)
    }

    pub fn with_capacity(kind: FileKind, version: u8, capacity: usize) -> Self {
        let mut out = Vec::with_capacity(capacity.max(PREAMBLE_LEN));
        out.extend_from_slice(magic(kind));
        out.push(version);
        FrameWriter { out }
    }

    pub fn u64(&mut self, value: u64) {
        self.out.extend_from_slice(&value.to_le_bytes());
    }

    pub fn section(&mut self, bytes: &[u8]) -> Result<(), SyncError> {
        self.section_prefix(bytes.len())?;
        self.out.extend_from_slice(bytes);
        Ok(())
    }

    /// Writes only the length prefix of a section of `len` bytes; the caller then appends
    /// exactly `len` bytes through [`FrameWriter::buffer`] (used to seal in place).
    pub fn section_prefix(&mut self, len: usize) -> Result<(), SyncError> {
        let len32 = section_len(len)?;
        self.out.extend_from_slice(&len32.to_le_bytes());
        Ok(())
    }

    /// The bytes written so far, to append to or to sign.
    pub fn buffer(&mut self) -> &mut Vec<u8> {
        &mut self.out
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }
}

/// The length prefix for a section of `len` bytes, or [`SyncError::FieldTooLarge`].
pub fn section_len(len: usize) -> Result<u32, SyncError> {
    if len > MAX_FIELD {
        return Err(SyncError::FieldTooLarge {
            len: u64::try_from(len).unwrap_or(u64::MAX),
            limit: MAX_FIELD,
        });
    }
    u32::try_from(len).map_err(|_| SyncError::FieldTooLarge {
        len: u64::try_from(len).unwrap_or(u64::MAX),
        limit: MAX_FIELD,
    })
}

/// Reads a file of outside input; see the module docs for what it guarantees.
#[derive(Clone)]
pub struct FrameReader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> FrameReader<'a> {
    /// Checks the magic and the version; `supported` is the one version this build reads.
    pub fn new(bytes: &'a [u8], kind: FileKind, supported: u8) -> Result<Self, SyncError> {
        let expected = magic(kind);
        let Some(found) = bytes.get(..expected.len()) else {
            // A prefix of the right magic is a cut-off file; anything else is another file.
            return if expected.starts_with(bytes) {
                Err(SyncError::Truncated)
            } else {
                Err(SyncError::BadMagic { expected: kind })
            };
        };
        if found != expected {
            return Err(SyncError::BadMagic { expected: kind });
        }
        let version = *bytes.get(expected.len()).ok_or(SyncError::Truncated)?;
        if version != supported {
            return Err(SyncError::UnsupportedVersion { kind, version });
        }
        Ok(FrameReader {
            bytes,
            position: PREAMBLE_LEN,
        })
    }

    /// Offset of the next unread byte.
    pub fn position(&self) -> usize {
        self.position
    }

    pub fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.position)
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], SyncError> {
        let end = self.position.checked_add(len).ok_or(SyncError::Truncated)?;
        let taken = self
            .bytes
            .get(self.position..end)
            .ok_or(SyncError::Truncated)?;
        self.position = end;
        Ok(taken)
    }

    fn take_array<const N: usize>(&mut self) -> Result<[u8; N], SyncError> {
        let taken = self.take(N)?;
        taken.try_into().map_err(|_| SyncError::Truncated)
    }

    pub fn u8(&mut self) -> Result<u8, SyncError> {
        Ok(self.take_array::<1>()?[0])
    }

    pub fn u64(&mut self) -> Result<u64, SyncError> {
        Ok(u64::from_le_bytes(self.take_array()?))
    }

    /// A section of at most `limit` bytes (and never more than [`MAX_FIELD`]). The length is
    /// checked against the limit first, then against the bytes left.
    pub fn section(&mut self, limit: usize) -> Result<&'a [u8], SyncError> {
        let len = u32::from_le_bytes(self.take_array()?);
        let limit = limit.min(MAX_FIELD);
        let len = usize::try_from(len).map_err(|_| SyncError::FieldTooLarge {
            len: u64::from(len),
            limit,
        })?;
        if len > limit {
            return Err(SyncError::FieldTooLarge {
                len: u64::try_from(len).unwrap_or(u64::MAX),
                limit,
            });
        }
        self.take(len)
    }

    /// A section of exactly `N` bytes.
    pub fn fixed_section<const N: usize>(&mut self) -> Result<[u8; N], SyncError> {
        let section = self.section(MAX_FIELD)?;
        section.try_into().map_err(|_| SyncError::FieldLength {
            len: section.len(),
            expected: N,
        })
    }

    /// A section of UTF-8 text of at most `limit` bytes.
    pub fn text_section(&mut self, limit: usize) -> Result<&'a str, SyncError> {
        std::str::from_utf8(self.section(limit)?).map_err(|_| SyncError::NotUtf8)
    }

    /// The file must end here.
    pub fn finish(self) -> Result<(), SyncError> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            Err(SyncError::TrailingBytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let mut writer = FrameWriter::new(FileKind::Receipt, 1);
        writer.buffer().push(7);
        writer.u64(0x0102_0304_0506_0708);
        writer.section(b"hello").expect("small");
        writer.section(&[9; 32]).expect("small");
        writer.into_bytes()
    }

    fn read_all(bytes: &[u8]) -> Result<(u8, u64, Vec<u8>, [u8; 32]), SyncError> {
        let mut reader = FrameReader::new(bytes, FileKind::Receipt, 1)?;
        let small = reader.u8()?;
        let big = reader.u64()?;
        let text = reader.section(16)?.to_vec();
        let key = reader.fixed_section::<32>()?;
        reader.finish()?;
        Ok((small, big, text, key))
    }

    #[test]
    fn round_trip() {
        let (small, big, text, key) = read_all(&sample()).expect("reads back");
        assert_eq!(small, 7);
        assert_eq!(big, 0x0102_0304_0506_0708);
        assert_eq!(text, b"hello");
        assert_eq!(key, [9; 32]);
    }

    #[test]
    fn every_truncation_is_refused_as_truncated() {
        let bytes = sample();
        for len in 0..bytes.len() {
            assert_eq!(
                read_all(&bytes[..len]),
                Err(SyncError::Truncated),
                "cut at {len}"
            );
        }
    }

    #[test]
    fn wrong_magic_version_and_trailing_bytes() {
        let mut bytes = sample();
        assert_eq!(
            FrameReader::new(&bytes, FileKind::Bundle, 1).err(),
            Some(SyncError::BadMagic {
                expected: FileKind::Bundle
            })
        );
        assert_eq!(
            FrameReader::new(b"PK\x03\x04", FileKind::Receipt, 1).err(),
            Some(SyncError::BadMagic {
                expected: FileKind::Receipt
            })
        );
        bytes[4] = 2;
        assert_eq!(
            read_all(&bytes),
            Err(SyncError::UnsupportedVersion {
                kind: FileKind::Receipt,
                version: 2
            })
        );
        let mut long = sample();
        long.push(0);
        assert_eq!(read_all(&long), Err(SyncError::TrailingBytes));
    }

    #[test]
    fn hostile_lengths_are_refused_before_allocating() {
        let mut writer = FrameWriter::new(FileKind::Receipt, 1);
        writer.buffer().extend_from_slice(&u32::MAX.to_le_bytes());
        let bytes = writer.into_bytes();
        let mut reader = FrameReader::new(&bytes, FileKind::Receipt, 1).expect("preamble");
        assert!(matches!(
            reader.section(MAX_FIELD),
            Err(SyncError::FieldTooLarge { .. })
        ));

        // Within the cap but longer than the file: truncated, not an allocation of 64 MiB.
        let mut writer = FrameWriter::new(FileKind::Receipt, 1);
        let claimed = u32::try_from(MAX_FIELD).expect("fits");
        writer.buffer().extend_from_slice(&claimed.to_le_bytes());
        let bytes = writer.into_bytes();
        let mut reader = FrameReader::new(&bytes, FileKind::Receipt, 1).expect("preamble");
        assert_eq!(reader.section(MAX_FIELD), Err(SyncError::Truncated));

        // A section over its own limit.
        let mut writer = FrameWriter::new(FileKind::Receipt, 1);
        writer.section(&[0; 17]).expect("small");
        let bytes = writer.into_bytes();
        let mut reader = FrameReader::new(&bytes, FileKind::Receipt, 1).expect("preamble");
        assert_eq!(
            reader.section(16),
            Err(SyncError::FieldTooLarge { len: 17, limit: 16 })
        );
    }

    #[test]
    fn fixed_sections_need_their_exact_length() {
        let mut writer = FrameWriter::new(FileKind::Receipt, 1);
        writer.section(&[0; 31]).expect("small");
        let bytes = writer.into_bytes();
        let mut reader = FrameReader::new(&bytes, FileKind::Receipt, 1).expect("preamble");
        assert_eq!(
            reader.fixed_section::<32>(),
            Err(SyncError::FieldLength {
                len: 31,
                expected: 32
            })
        );
    }

    #[test]
    fn writer_refuses_oversize_sections() {
        let mut writer = FrameWriter::new(FileKind::Bundle, 1);
        assert!(matches!(
            writer.section_prefix(MAX_FIELD + 1),
            Err(SyncError::FieldTooLarge { .. })
        ));
    }
}
