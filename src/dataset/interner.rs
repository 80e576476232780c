//! Strings kept once and numbered in order of first appearance: customer, product, category and
//! channel names (and order ids outside an increasing run), looked up by exact text.
//!
//! The strings live end to end in one `text`; `ends` says where each one is. The index is an open
//! addressing table (linear probing, at most half full) whose slots carry a hash tag, the length
//! and the first eight bytes of their string, so a lookup of a short name (most ids) touches one
//! slot and no text, and a longer one reads the text only to confirm a likely match. Adding a
//! string allocates nothing of its own.

use std::fmt;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Slot {
    /// 1 + the string's number; 0 marks an empty slot.
    id: u32,
    /// Hash bits 40–63, and the length (capped at 255) in the low byte.
    tag: u32,
    /// The string's first eight bytes, zero-padded.
    head: u64,
}

/// 64-bit hash of `bytes` from 64-bit multiplications only (a 128-bit product, as fast hashers
/// use, is a slow library call in wasm32): a multiply-rotate pass over 8-byte words, then a
/// finaliser that spreads every input bit over the whole result.
fn hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    // Unit tests make names starting with "#collide" share a hash, to test full comparisons.
    #[cfg(test)]
    if bytes.starts_with(b"#collide") {
        return 0;
    }
    let mut words = bytes.chunks_exact(8);
    let mut h = (bytes.len() as u64).wrapping_mul(K);
    for chunk in &mut words {
        h = (h.rotate_left(23) ^ head(chunk)).wrapping_mul(K);
    }
    h = (h.rotate_left(23) ^ head(words.remainder())).wrapping_mul(K);
    h ^= h >> 31;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^ (h >> 29)
}

/// The first eight bytes of `bytes` as a number, zero-padded.
fn head(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    for (w, b) in word.iter_mut().zip(bytes) {
        *w = *b;
    }
    u64::from_le_bytes(word)
}

fn tag(h: u64, len: usize) -> u32 {
    ((h >> 32) as u32 & 0xFFFF_FF00) | u32::try_from(len.min(255)).unwrap_or(255)
}

/// Where a lookup ended: the string's number, or the empty slot where it would go.
enum Probe {
    Found(u32),
    Vacant(usize),
}

#[derive(Default, Clone)]
pub struct Interner {
    text: String,
    /// String `i` ends at byte `ends[i]` of `text` (and starts where string `i - 1` ends).
    ends: Vec<u32>,
    /// A power of two long (or empty), at most half full.
    slots: Vec<Slot>,
}

impl Interner {
    /// The number of `name`, adding it if new; `None` past u32::MAX strings or 4 GiB of text.
    pub fn intern(&mut self, name: &str) -> Option<u32> {
        let h = hash(name.as_bytes());
        if let Probe::Found(i) = self.probe(name, h) {
            return Some(i);
        }
        let next = u32::try_from(self.ends.len()).ok()?;
        let id = next.checked_add(1)?;
        let end = u32::try_from(self.text.len().checked_add(name.len())?).ok()?;
        if self.ends.len().saturating_add(1).saturating_mul(2) > self.slots.len() {
            self.grow();
        }
        let Probe::Vacant(at) = self.probe(name, h) else {
            return None;
        };
        let slot = self.slots.get_mut(at)?;
        *slot = Slot { id, tag: tag(h, name.len()), head: head(name.as_bytes()) };
        self.text.push_str(name);
        self.ends.push(end);
        Some(next)
    }

    /// The number of `name`, if it was interned.
    pub fn lookup(&self, name: &str) -> Option<u32> {
        match self.probe(name, hash(name.as_bytes())) {
            Probe::Found(i) => Some(i),
            Probe::Vacant(_) => None,
        }
    }

    fn probe(&self, name: &str, h: u64) -> Probe {
        let mask = self.slots.len().wrapping_sub(1);
        let (tag, head) = (tag(h, name.len()), head(name.as_bytes()));
        // The low bits choose the slot; the tag holds bits 40–63 (independent of them).
        let mut at = (h as usize) & mask;
        // The table is at most half full, so a vacant slot comes within `len` steps.
        for _ in 0..self.slots.len() {
            let Some(slot) = self.slots.get(at) else { break };
            if slot.id == 0 {
                return Probe::Vacant(at);
            }
            let number = slot.id - 1;
            // Up to eight bytes, tag (with the length) and head say it all; longer ones are compared.
            if slot.tag == tag && slot.head == head && (name.len() <= 8 || self.name(number) == name) {
                return Probe::Found(number);
            }
            at = (at + 1) & mask;
        }
        Probe::Vacant(usize::MAX)
    }

    /// Doubles the table (at least 16 slots) and places every string again.
    fn grow(&mut self) {
        let len = self.slots.len().saturating_mul(2).max(16);
        let mask = len - 1;
        let mut slots = vec![Slot::default(); len];
        for old in self.slots.iter().filter(|s| s.id != 0) {
            let h = hash(self.name(old.id - 1).as_bytes());
            let mut at = (h as usize) & mask;
            while slots.get(at).is_some_and(|s| s.id != 0) {
                at = (at + 1) & mask;
            }
            if let Some(slot) = slots.get_mut(at) {
                *slot = *old;
            }
        }
        self.slots = slots;
    }

    /// The string numbered `i` ("" for a number never handed out).
    pub fn name(&self, i: u32) -> &str {
        let i = i as usize;
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = i.checked_sub(1).and_then(|p| self.ends.get(p)).copied().unwrap_or(0);
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(start, &end)| self.text.get(start as usize..end as usize).unwrap_or(""))
    }
}

impl fmt::Debug for Interner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_strings_once_even_when_hashes_collide() {
        let mut names = Interner::default();
        let words = ["#collide-a", "b", "#collide-b", "#collide-a", "", "b", "#collide-c", "#collide"];
        let numbers: Vec<_> = words.iter().map(|w| names.intern(w).unwrap()).collect();
        assert_eq!(numbers, [0, 1, 2, 0, 3, 1, 4, 5]);
        assert_eq!(names.iter().collect::<Vec<_>>(), ["#collide-a", "b", "#collide-b", "", "#collide-c", "#collide"]);
        for (i, w) in names.iter().enumerate() {
            assert_eq!(names.lookup(w), Some(i as u32));
            assert_eq!(names.name(i as u32), w);
        }
        assert_eq!(names.lookup("#collide-d"), None);
        assert_eq!(names.lookup("c"), None);
        assert_eq!(names.name(6), "");
        assert_eq!((names.len(), names.is_empty()), (6, false));
        assert_eq!(format!("{names:?}"), r##"["#collide-a", "b", "#collide-b", "", "#collide-c", "#collide"]"##);
    }

    #[test]
    fn short_names_differing_only_in_trailing_zero_bytes_or_length_stay_apart() {
        let mut names = Interner::default();
        let words = ["a", "a\0", "a\0\0", "", "\0", "12345678", "123456789", "1234567", "12345678\0"];
        for (i, w) in words.iter().enumerate() {
            assert_eq!(names.intern(w), Some(i as u32), "{w:?}");
        }
        for (i, w) in words.iter().enumerate() {
            assert_eq!(names.lookup(w), Some(i as u32), "{w:?}");
        }
    }

    #[test]
    fn many_names_survive_growth() {
        let mut names = Interner::default();
        let word = |i: usize| if i % 3 == 0 { format!("customer-with-a-long-id-{i}") } else { format!("u{i:06}") };
        for i in 0..50_000 {
            assert_eq!(names.intern(&word(i)), Some(i as u32));
        }
        for i in (0..50_000).rev() {
            assert_eq!(names.intern(&word(i)), Some(i as u32));
            assert_eq!(names.lookup(&word(i)), Some(i as u32));
        }
        assert_eq!(names.lookup("u050000"), None);
        assert!(names.slots.len() >= 2 * names.len() && names.slots.len().is_power_of_two());
    }
}
