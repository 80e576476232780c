//! Strings kept once and numbered in order of first appearance: customer, product, category and
//! channel names (and order ids outside an increasing run), looked up by exact text.

use std::collections::hash_map::Entry;
use std::fmt;
use std::hash::BuildHasher;

use rustc_hash::{FxBuildHasher, FxHashMap as HashMap};


/// `a == b`, inline for the short strings ids and names usually are (instead of a call to
/// `memcmp`, which in wasm is a byte loop): the [`short_words`] of texts up to 16 bytes.
#[inline(always)]
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

/// [`same_text`] for bytes.
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && if a.len() <= 16 { short_words(a) == short_words(b) } else { a == b }
}

/// Two words holding every byte of `b` when it has at most 16 (overlapping loads: the first and
/// last 8 bytes, or 4, or the first, middle and last byte), so that two texts of one such length
/// are equal exactly when their words are; (0, 0) for longer texts.
#[inline(always)]
fn short_words(b: &[u8]) -> (u64, u64) {
    let n = b.len();
    let word = |at: usize| b.get(at..at.wrapping_add(8)).and_then(|w| <[u8; 8]>::try_from(w).ok()).map_or(0, u64::from_ne_bytes);
    let half = |at: usize| b.get(at..at.wrapping_add(4)).and_then(|w| <[u8; 4]>::try_from(w).ok()).map_or(0, u32::from_ne_bytes);
    let byte = |at: usize| b.get(at).map_or(0, |&v| u64::from(v));
    match n {
        8..=16 => (word(0), word(n.wrapping_sub(8))),
        4..=7 => (u64::from(half(0)), u64::from(half(n.wrapping_sub(4)))),
        1..=3 => (byte(0) | byte(n / 2) << 8 | byte(n.wrapping_sub(1)) << 16, 0),
        _ => (0, 0),
    }
}

/// A text kept only to be compared with later ([`TextKey::is`] is [`same_text`] with it): up to
/// 16 bytes as their [`short_words`], not copied (a copy of a few bytes is a `memory.copy` call in
/// wasm, made for every order's id and customer); longer ones in full.
#[derive(Debug, Default, Clone)]
pub(crate) struct TextKey {
    len: usize,
    words: (u64, u64),
    long: String,
}

impl TextKey {
    #[inline(always)]
    pub(crate) fn set(&mut self, text: &str) {
        self.len = text.len();
        self.words = short_words(text.as_bytes());
        if text.len() > 16 {
            self.long.clear();
            self.long.push_str(text);
        }
    }

    #[inline(always)]
    pub(crate) fn is(&self, text: &str) -> bool {
        text.len() == self.len && if self.len <= 16 { short_words(text.as_bytes()) == self.words } else { self.long == text }
    }
}

/// `name` as one word when it has at most 7 bytes: its bytes, then its length in the top byte, so
/// that no two such names share a word. Built from loads and shifts (two overlapping 4-byte loads
/// from 4 bytes on): a copy into a stack word is a `memory.copy` call in wasm, and reading the word
/// back right after its byte stores stalls.
#[inline]
fn packed(name: &str) -> Option<u64> {
    let bytes = name.as_bytes();
    let n = bytes.len();
    let four = |at: usize| {
        bytes
            .get(at..at.wrapping_add(4))
            .and_then(|w| <[u8; 4]>::try_from(w).ok())
            .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
    };
    let low = match n {
        4..=7 => four(0) | four(n.wrapping_sub(4)).wrapping_shl((n.wrapping_sub(4) as u32).wrapping_mul(8)),
        0..=3 => bytes
            .iter()
            .enumerate()
            .fold(0u64, |word, (i, &b)| word | u64::from(b).wrapping_shl((i as u32).wrapping_mul(8))),
        _ => return None,
    };
    Some(low | (n as u64).wrapping_shl(56))
}

/// Numbers by packed name: open addressing with linear probing over one array of `(word,
/// number)` slots, at most half full. A lookup of a name not seen lately costs one cache miss (a
/// general hash map's separate control bytes cost a second): a file's customer ids are looked up
/// once per order, in no useful order.
#[derive(Clone, Default)]
struct ShortIndex {
    /// Empty slots hold [`ShortIndex::EMPTY`] as their number.
    slots: Vec<(u64, u32)>,
    len: usize,
}

impl ShortIndex {
    const EMPTY: u32 = u32::MAX;

    /// The slot `key` starts probing from (multiplicative hashing: the product's top bits).
    #[inline]
    fn home(&self, key: u64) -> usize {
        let bits = self.slots.len().trailing_zeros();
        let hash = key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        hash.checked_shr(64u32.saturating_sub(bits)).unwrap_or(0) as usize
    }

    /// The slot holding `key`, or the empty slot where it would go (the table is never full).
    #[inline]
    fn probe(&self, key: u64) -> usize {
        let mask = self.slots.len().wrapping_sub(1);
        let mut at = self.home(key);
        while let Some(&(word, number)) = self.slots.get(at) {
            if number == Self::EMPTY || word == key {
                return at;
            }
            at = at.wrapping_add(1) & mask;
        }
        at
    }

    #[inline]
    fn get(&self, key: u64) -> Option<u32> {
        let &(_, number) = self.slots.get(self.probe(key))?;
        (number != Self::EMPTY).then_some(number)
    }

    /// `Some(Some(number))` when `key` is there; else it gets `next` and `Some(None)`; `None`
    /// when `next` cannot be stored (it is the empty mark).
    #[inline]
    fn get_or_insert(&mut self, key: u64, next: u32) -> Option<Option<u32>> {
        if self.len.saturating_mul(2) >= self.slots.len() {
            self.grow();
        }
        let at = self.probe(key);
        let slot = self.slots.get_mut(at)?;
        if slot.1 != Self::EMPTY {
            return Some(Some(slot.1));
        }
        if next == Self::EMPTY {
            return None;
        }
        *slot = (key, next);
        self.len = self.len.saturating_add(1);
        Some(None)
    }

    /// Doubles the table (16 slots to start) and puts every entry back.
    fn grow(&mut self) {
        let size = self.slots.len().saturating_mul(2).max(16);
        let old = std::mem::replace(&mut self.slots, vec![(0, Self::EMPTY); size]);
        for (key, number) in old.into_iter().filter(|&(_, n)| n != Self::EMPTY) {
            let at = self.probe(key);
            if let Some(slot) = self.slots.get_mut(at) {
                *slot = (key, number);
            }
        }
    }
}

/// The shape of numeric ids: a prefix (at most 7 bytes, maybe none) then a fixed number of decimal
/// digits, 8 bytes at most in all ("u001696", "12346", "P00230").
#[derive(Clone, Copy, PartialEq, Eq)]
struct Shape {
    /// The prefix's bytes in a word (the first in the lowest byte).
    prefix: u64,
    prefix_len: usize,
    len: usize,
}

/// The values an id's digits may have to be numbered by [`DenseIds`] (its array stays below 8 MiB).
const DENSE_VALUES: u64 = 1 << 21;

/// `bytes` (at most 8) in a word, the first in the lowest byte.
#[inline]
fn word_of(bytes: &[u8]) -> u64 {
    bytes.iter().rev().fold(0u64, |word, &b| word.wrapping_shl(8) | u64::from(b))
}

impl Shape {
    /// The shape of `name` when it is a prefix then at least one digit, 8 bytes at most.
    fn of(name: &[u8]) -> Option<Shape> {
        if name.is_empty() || name.len() > 8 {
            return None;
        }
        let digits = name.iter().rev().take_while(|b| b.is_ascii_digit()).count();
        let prefix_len = name.len().checked_sub(digits).filter(|_| digits > 0)?;
        Some(Shape { prefix: word_of(name.get(..prefix_len)?), prefix_len, len: name.len() })
    }

    /// The value of `name`'s digits when it has this shape (and the value is below [`DENSE_VALUES`]).
    #[inline]
    fn value(self, name: &[u8]) -> Option<usize> {
        if name.len() != self.len {
            return None;
        }
        let (prefix, digits) = name.split_at_checked(self.prefix_len)?;
        if word_of(prefix) != self.prefix {
            return None;
        }
        let mut value: u64 = 0;
        for &b in digits {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                return None;
            }
            value = value.wrapping_mul(10).wrapping_add(u64::from(digit));
        }
        (value < DENSE_VALUES).then_some(value as usize)
    }
}

/// Numbers of the ids of one [`Shape`] (the first name interned that has one sets it), in an
/// array indexed by their digits' value: the numeric customer and product ids of most exports are
/// found with one load from an array a few times smaller than a hash table of them, and without
/// hashing. Names of another shape, or none, go to the other indexes.
#[derive(Clone, Default)]
struct DenseIds {
    /// `None` until a name with a shape comes (or for good, when `off`).
    shape: Option<Shape>,
    off: bool,
    /// By value: the id's number + 1 (0: none).
    numbers: Vec<u32>,
}

impl DenseIds {
    /// Where `name` is numbered here, when it has the shape.
    #[inline]
    fn slot(&self, name: &[u8]) -> Option<usize> {
        self.shape?.value(name)
    }

    /// Takes the shape of `name` when none is set yet and it has one.
    #[inline]
    fn learn(&mut self, name: &[u8]) {
        if self.shape.is_none() && !self.off {
            self.shape = Shape::of(name);
        }
    }

    #[inline]
    fn get(&self, slot: usize) -> Option<u32> {
        self.numbers.get(slot).and_then(|n| n.checked_sub(1))
    }

    /// Numbers slot `slot` as `number` (a number below u32::MAX: the interner's own limit).
    fn set(&mut self, slot: usize, number: u32) {
        if slot >= self.numbers.len() {
            let len = slot.saturating_add(1).max(self.numbers.len().saturating_mul(2)).min(DENSE_VALUES as usize);
            self.numbers.resize(len, 0);
        }
        if let Some(n) = self.numbers.get_mut(slot) {
            *n = number.saturating_add(1);
        }
    }
}

/// Up to this many strings, a string is looked for by comparing it with each.
const FEW: usize = 8;

/// Strings kept once, numbered in order of first appearance.
///
/// All strings live end to end in one `text` (at most 4 GiB); `ends` says where each one is. The index maps a
/// string's hash to the first string with that hash; the rare strings whose hash an earlier
/// string already had go to `collisions`. So adding a string allocates nothing of its own.
#[derive(Default, Clone)]
pub struct Interner {
    text: String,
    /// String `i` ends at byte `ends[i]` of `text` (and starts where string `i - 1` ends).
    ends: Vec<u32>,
    /// Strings of at most 7 bytes by their [`packed`] form: found without hashing their text or
    /// reading it back (for a file's short ids, a lookup touches one slot of one table).
    short: ShortIndex,
    /// Numeric ids of one shape (taken before `short` and `by_hash`).
    dense: DenseIds,
    /// Longer strings by their hash.
    by_hash: HashMap<u64, u32>,
    collisions: HashMap<Box<str>, u32>,
}

impl Interner {
    /// An interner that keeps numeric ids in its hash indexes only (for ids whose values are
    /// spread too widely for an array, as order ids out of turn).
    pub fn without_dense_ids() -> Self {
        Interner { dense: DenseIds { off: true, ..DenseIds::default() }, ..Interner::default() }
    }

    fn hash(name: &str) -> u64 {
        // Unit tests make names starting with "#collide" share a hash, to test `collisions`.
        #[cfg(test)]
        if name.starts_with("#collide") {
            return 0;
        }
        FxBuildHasher.hash_one(name)
    }

    /// The number of `name` among the first few strings, by comparing it with each (cheaper than
    /// hashing while there are so few, as for channels and categories).
    fn find_among_few(&self, name: &str) -> Option<u32> {
        let mut start = 0;
        for (i, &end) in self.ends.iter().enumerate() {
            let len = end.wrapping_sub(start) as usize;
            if len == name.len() && same_text(self.text.get(start as usize..end as usize).unwrap_or(""), name) {
                return u32::try_from(i).ok();
            }
            start = end;
        }
        None
    }

    /// The number of `name`, adding it if new; `None` past u32::MAX distinct strings.
    pub fn intern(&mut self, name: &str) -> Option<u32> {
        if self.ends.len() <= FEW {
            if let Some(i) = self.find_among_few(name) {
                return Some(i);
            }
        }
        let next = u32::try_from(self.ends.len()).ok()?;
        let end = u32::try_from(self.text.len().checked_add(name.len())?).ok()?;
        self.dense.learn(name.as_bytes());
        let known = if let Some(slot) = self.dense.slot(name.as_bytes()) {
            let known = self.dense.get(slot);
            if known.is_none() {
                self.dense.set(slot, next);
            }
            known
        } else {
            match packed(name) {
                Some(key) => self.short.get_or_insert(key, next)?,
                None => self.index_long(name, next),
            }
        };
        if known.is_none() {
            self.text.push_str(name);
            self.ends.push(end);
        }
        Some(known.unwrap_or(next))
    }

    /// Indexes `name` (longer than [`packed`] takes) as number `next`; its number if it was there.
    fn index_long(&mut self, name: &str, next: u32) -> Option<u32> {
        match self.by_hash.entry(Self::hash(name)) {
            Entry::Occupied(first) => {
                let first = *first.get();
                if same_text(self.name(first), name) {
                    return Some(first);
                }
                match self.collisions.entry(name.into()) {
                    Entry::Occupied(other) => Some(*other.get()),
                    Entry::Vacant(slot) => {
                        slot.insert(next);
                        None
                    }
                }
            }
            Entry::Vacant(slot) => {
                slot.insert(next);
                None
            }
        }
    }

    /// The string numbered `i` ("" for a number never handed out).
    #[inline]
    pub fn name(&self, i: u32) -> &str {
        self.span(i).and_then(|span| self.text.get(span)).unwrap_or("")
    }

    /// Whether string `i` is `name`: [`Interner::name`] compared as bytes, without its character
    /// boundary checks (the ingest asks this of the previous row's names on every row).
    #[inline]
    pub fn is(&self, i: u32, name: &str) -> bool {
        self.span(i)
            .and_then(|span| self.text.as_bytes().get(span))
            .is_some_and(|bytes| same_bytes(bytes, name.as_bytes()))
    }

    /// Where string `i` lies in `text`; `None` for a number never handed out.
    #[inline]
    fn span(&self, i: u32) -> Option<std::ops::Range<usize>> {
        let i = i as usize;
        let end = *self.ends.get(i)?;
        let start = i.checked_sub(1).and_then(|p| self.ends.get(p)).copied().unwrap_or(0);
        Some(start as usize..end as usize)
    }

    /// The number of `name`, if it was interned.
    pub fn lookup(&self, name: &str) -> Option<u32> {
        if let Some(slot) = self.dense.slot(name.as_bytes()) {
            return self.dense.get(slot);
        }
        if let Some(key) = packed(name) {
            return self.short.get(key);
        }
        let first = *self.by_hash.get(&Self::hash(name))?;
        if same_text(self.name(first), name) {
            Some(first)
        } else {
            self.collisions.get(name).copied()
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Makes room for up to `names` more strings of `bytes` in all, so that adding them grows
    /// the text and its ends once instead of doubling them on the way (each doubling copies).
    pub(crate) fn reserve(&mut self, names: usize, bytes: usize) {
        self.text.reserve(bytes);
        self.ends.reserve(names);
    }

    /// The bytes of all strings.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Every string joined, in number order, and where each ends (in bytes).
    pub(crate) fn parts(&self) -> (&str, &[u32]) {
        (&self.text, &self.ends)
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
        let words = ["#collide-a", "b", "#collide-b", "#collide-a", "", "b", "#collide-c"];
        let numbers: Vec<_> = words.iter().map(|w| names.intern(w).unwrap()).collect();
        assert_eq!(numbers, [0, 1, 2, 0, 3, 1, 4]);
        assert_eq!(
            names.iter().collect::<Vec<_>>(),
            ["#collide-a", "b", "#collide-b", "", "#collide-c"]
        );
        for (i, w) in names.iter().enumerate() {
            assert_eq!(names.lookup(w), Some(i as u32));
            assert_eq!(names.name(i as u32), w);
            assert!(names.is(i as u32, w));
            assert!(!names.is(i as u32, "#collide-z"));
        }
        assert!(!names.is(5, ""));
        assert_eq!(names.lookup("#collide-d"), None);
        assert_eq!(names.lookup("c"), None);
        assert_eq!(names.name(5), "");
        assert_eq!((names.len(), names.is_empty()), (5, false));
        assert_eq!(format!("{names:?}"), r##"["#collide-a", "b", "#collide-b", "", "#collide-c"]"##);
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
    fn packed_names_are_their_bytes_then_their_length() {
        let base = "\u{e9}bcdefgh";
        for n in 0..=8 {
            let name = std::str::from_utf8(&base.as_bytes()[..n]).unwrap_or("");
            if name.len() != n {
                continue;
            }
            let mut word = [0u8; 8];
            word[..n.min(7)].copy_from_slice(&name.as_bytes()[..n.min(7)]);
            word[7] = n as u8;
            assert_eq!(packed(name), (n <= 7).then(|| u64::from_le_bytes(word)), "{name:?}");
        }
    }

    #[test]
    fn same_text_is_string_equality() {
        let base = "abcdefghijklmnopqrstu";
        for n in 0..=base.len() {
            let a = &base[..n];
            assert!(same_text(a, a));
            let mut key = TextKey::default();
            key.set(&base[n / 2..]);
            key.set(a);
            assert!(key.is(a));
            assert!(!key.is(&base[..n.saturating_sub(1)]) || n == 0);
            assert!(!same_text(a, &base[..n.saturating_sub(1)]) || n == 0);
            for at in 0..n {
                let mut b = a.as_bytes().to_vec();
                b[at] = b'#';
                assert!(!same_text(a, std::str::from_utf8(&b).unwrap()), "{a} at {at}");
                assert!(!key.is(std::str::from_utf8(&b).unwrap()), "{a} at {at}");
            }
        }
    }

    #[test]
    fn numeric_ids_of_one_shape_and_other_names_are_numbered_alike() {
        // The first name with digits ("u001") sets the shape: "u" then 3 digits. Every other name
        // here differs from each of those in a way the array must not blur.
        let words = [
            "guest", "u001", "u1", "u0001", "x001", "u00a", "001", "u999", "U001", "u000", "", "u", "uu001", "u001 ",
            "u002", "\u{e9}01", "u100", "u010",
        ];
        let mut names = Interner::default();
        let mut plain = Interner::without_dense_ids();
        for round in 0..2 {
            for (i, w) in words.iter().enumerate() {
                assert_eq!(names.intern(w), Some(i as u32), "{w:?} in round {round}");
                assert_eq!(plain.intern(w), Some(i as u32), "{w:?} in round {round}");
            }
        }
        assert!(names.dense.shape.is_some() && plain.dense.shape.is_none());
        for (i, w) in words.iter().enumerate() {
            assert_eq!(names.lookup(w), Some(i as u32), "{w:?}");
            assert_eq!(names.name(i as u32), *w);
        }
        for unseen in ["u003", "u998", "u500", "u00", "u0010"] {
            assert_eq!(names.lookup(unseen), None, "{unseen:?}");
        }
    }

    #[test]
    fn ids_beyond_the_arrays_values_go_to_the_hash_indexes() {
        let mut names = Interner::default();
        // The shape: 7 digits; the array takes values below 2^21 = 2,097,152.
        let words = ["2097151", "2097152", "9999999", "0000000", "1", "12345678", "123456789"];
        let mut plain = Interner::without_dense_ids();
        for (i, w) in words.iter().enumerate() {
            assert_eq!(names.intern(w), Some(i as u32), "{w:?}");
            assert_eq!(plain.intern(w), Some(i as u32), "{w:?}");
        }
        for (i, w) in words.iter().enumerate() {
            assert_eq!(names.intern(w), Some(i as u32), "{w:?}");
            assert_eq!(names.lookup(w), Some(i as u32), "{w:?}");
        }
        assert_eq!(names.dense.numbers.len(), DENSE_VALUES as usize);
        assert_eq!((names.dense.get(2_097_151), names.dense.get(0)), (Some(0), Some(3)));
        assert_eq!(names.lookup("2097150"), None);
    }

    #[test]
    fn interning_gives_the_same_numbers_with_or_without_the_array() {
        // Generated names of several shapes, with repeats, in a scrambled order.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut names = Interner::default();
        let mut plain = Interner::without_dense_ids();
        let mut seen = Vec::new();
        for _ in 0..60_000 {
            let r = next();
            let word = match r % 7 {
                0..=3 => format!("c{:05}", (r >> 8) % 30_000),
                4 => format!("c{}", (r >> 8) % 3_000),
                5 => format!("{:08}", (r >> 8) % 3_000_000),
                _ => format!("name-{}", (r >> 8) % 5_000),
            };
            let number = names.intern(&word);
            assert_eq!(number, plain.intern(&word), "{word}");
            seen.push((word, number));
        }
        assert_eq!(names.len(), plain.len());
        for (word, number) in &seen {
            assert_eq!(names.lookup(word), *number, "{word}");
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
    }
}
