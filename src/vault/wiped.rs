//! Plaintext written out before it is sealed (a patient's details, a form's answers as JSON), held
//! only in memory that is wiped.
//!
//! `Zeroizing::new(serde_json::to_vec(&value))` wipes the last buffer only: `to_vec` starts small
//! and doubles, and every buffer it outgrows goes back to the allocator unwiped, holding the first
//! half of the plaintext. [`WipedBuffer`] grows by copying into a bigger buffer and wiping the old
//! one, and is wiped when cleared or dropped.
//!
//! Only the bytes a buffer holds are ever wiped, not its spare room: nothing but appending writes
//! into it, so the room beyond what it holds has never held anything (wiping all of a buffer kept
//! large for a whole bundle, or of a fresh 4 KiB one per value, cost more than the JSON).

use std::io;

use serde::Serialize;
use zeroize::Zeroize;

/// What a buffer starts with: room for a patient's details or a short form's answers, so that
/// most values never grow it.
const FIRST_CAPACITY: usize = 4 * 1024;

/// A growing byte buffer that never leaves a copy of its contents behind.
pub struct WipedBuffer(Vec<u8>);

impl WipedBuffer {
    pub fn with_capacity(capacity: usize) -> Self {
        WipedBuffer(Vec::with_capacity(capacity))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Wipes what it holds and keeps its room, for the next value.
    pub fn clear(&mut self) {
        self.0.as_mut_slice().zeroize();
        self.0.clear();
    }

    /// Replaces what it holds with `value` as JSON.
    pub fn write_json<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<&[u8]> {
        self.clear();
        serde_json::to_writer(&mut *self, value)?;
        Ok(self.as_bytes())
    }

    /// Room for `more` bytes: at once when there is (JSON is written a few bytes at a time, so
    /// this check is on the hot path), by [`Self::grow`] otherwise.
    #[inline]
    fn make_room(&mut self, more: usize) {
        let needed = self.0.len() + more;
        if needed > self.0.capacity() {
            self.grow(needed);
        }
    }

    #[cold]
    fn grow(&mut self, needed: usize) {
        let mut bigger = Vec::with_capacity(needed.max(self.0.capacity() * 2));
        bigger.extend_from_slice(&self.0);
        let mut old = std::mem::replace(&mut self.0, bigger);
        old.as_mut_slice().zeroize();
    }
}

impl Drop for WipedBuffer {
    fn drop(&mut self) {
        self.0.as_mut_slice().zeroize();
    }
}

impl io::Write for WipedBuffer {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.write_all(bytes)?;
        Ok(bytes.len())
    }

    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.make_room(bytes.len());
        self.0.extend_from_slice(bytes);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `value` as JSON, in a buffer of its own that no step of writing left a copy of.
pub fn json_wiped<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<WipedBuffer> {
    let mut out = WipedBuffer::with_capacity(FIRST_CAPACITY);
    out.write_json(value)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_same_json_as_serde_json_whatever_it_starts_with() {
        let value: Vec<String> = (0..2_000).map(|i| format!("answer {i} é\"")).collect();
        let expected = serde_json::to_vec(&value).expect("json");
        assert!(expected.len() > FIRST_CAPACITY * 4, "grows several times");
        assert_eq!(json_wiped(&value).expect("json").as_bytes(), expected);
        let mut small = WipedBuffer::with_capacity(1);
        assert_eq!(small.write_json(&value).expect("json"), expected);
        assert_eq!(small.write_json("short").expect("json"), b"\"short\"");
    }

    #[test]
    fn grows_without_the_vec_growing_in_place_behind_its_back() {
        // Every growth goes through `make_room` (a new buffer, the old one wiped): the inner
        // `Vec` is never asked to grow itself, which would free its old buffer unwiped.
        let mut buffer = WipedBuffer::with_capacity(8);
        let mut capacities = vec![buffer.0.capacity()];
        for chunk in 0..100u8 {
            io::Write::write_all(&mut buffer, &[chunk; 37]).expect("write");
            assert!(buffer.0.len() <= buffer.0.capacity());
            capacities.push(buffer.0.capacity());
        }
        assert_eq!(buffer.as_bytes().len(), 3_700);
        assert!(buffer.as_bytes()[..37].iter().all(|b| *b == 0));
        assert!(buffer.as_bytes()[3_663..].iter().all(|b| *b == 99));
        // Doubling at least: a handful of growths, not one per write.
        capacities.dedup();
        assert!(capacities.len() <= 10, "{capacities:?}");
    }

    #[test]
    fn clearing_wipes_and_keeps_the_room() {
        let mut buffer = json_wiped(&"a secret").expect("json");
        let room = buffer.0.capacity();
        buffer.clear();
        assert!(buffer.as_bytes().is_empty());
        assert_eq!(buffer.0.capacity(), room);
    }
}
