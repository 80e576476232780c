//! A plain byte form for state handed from one wasm instance of clvkit to another of the same
//! build (a part of a file read by a worker): little-endian numbers, length-prefixed text.
//!
//! Reading never panics: bytes that end early or do not hold what is asked for give `None`.

use rust_decimal::Decimal;

use crate::error::{Error, ErrorCode};

/// Items per call of the functions that read or write a part's orders, lines and ids.
///
/// V8 runs a wasm function called once in its baseline code to the end (it cannot switch a
/// running call to optimised code), while a function called many times is optimised after its
/// first calls. So each long loop over a part's items calls a never-inlined function per batch
/// of this many items: the loop's own baseline code does next to nothing, and the batches soon
/// run optimised.
pub const BATCH: usize = 256;

/// The sizes of the batches of `n` items: `BATCH` each, the last one fewer.
pub fn batches(n: usize) -> impl Iterator<Item = usize> {
    (0..n).step_by(BATCH).map(move |start| BATCH.min(n.saturating_sub(start)))
}

/// The error of bytes that do not read as what was written (a bug, or memory gone wrong).
pub fn damaged() -> Error {
    Error::new(ErrorCode::Internal, "the part of the file read by a worker came back damaged")
}

/// Writes values one after another.
#[derive(Debug, Default)]
pub struct Out {
    bytes: Vec<u8>,
}

impl Out {
    pub fn new() -> Self {
        Out::default()
    }

    /// An `Out` with room for about `bytes` (a hint: growing by doubling copies what is there).
    pub fn with_room(bytes: usize) -> Self {
        let mut out = Out::default();
        let _ = out.bytes.try_reserve_exact(bytes);
        out
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    pub fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }

    pub fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }

    pub fn u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub fn i32(&mut self, v: i32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub fn u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    /// A length or count (a `usize` of this build).
    pub fn len(&mut self, n: usize) {
        self.u64(u64::try_from(n).unwrap_or(u64::MAX));
    }

    /// `None` as `u32::MAX` (numbers of customers, products and so on stay below it).
    pub fn opt_u32(&mut self, v: Option<u32>) {
        self.u32(v.unwrap_or(u32::MAX));
    }

    pub fn opt_u64(&mut self, v: Option<u64>) {
        self.bool(v.is_some());
        self.u64(v.unwrap_or(0));
    }

    /// An unsigned number in as few bytes as it needs (7 bits a byte, low first).
    pub fn var(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.bytes.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.bytes.push(v as u8);
    }

    /// A signed number as [`Out::var`] writes its zigzag form (small magnitudes stay short).
    pub fn signed(&mut self, v: i64) {
        self.var(((v << 1) ^ (v >> 63)) as u64);
    }

    /// An optional index as [`Out::var`] of index + 1 (0 for `None`).
    pub fn opt_var(&mut self, v: Option<u32>) {
        self.var(v.map_or(0, |v| u64::from(v).wrapping_add(1)));
    }

    /// A decimal exactly (sign, scale and mantissa, so `1.50` stays `1.50` and `-0` stays `-0`):
    /// one byte of sign, width and scale, then the mantissa's magnitude as one [`Out::var`], or
    /// two (low and high 64 bits) when it is wider than 64 bits (64-bit numbers are cheap in
    /// wasm, 128-bit ones are not).
    pub fn decimal(&mut self, v: Decimal) {
        // The magnitude's three 32-bit words as they are kept (no 128-bit arithmetic).
        let [_, _, _, _, l0, l1, l2, l3, m0, m1, m2, m3, h0, h1, h2, h3] = v.serialize();
        let low = u64::from_le_bytes([l0, l1, l2, l3, m0, m1, m2, m3]);
        let high = u32::from_le_bytes([h0, h1, h2, h3]);
        let wide = high != 0;
        self.u8((u8::from(v.is_sign_negative()) << 7) | (u8::from(wide) << 6) | (v.scale() as u8));
        self.var(low);
        if wide {
            self.var(u64::from(high));
        }
    }

    pub fn str(&mut self, s: &str) {
        self.len(s.len());
        self.bytes.extend_from_slice(s.as_bytes());
    }

    pub fn opt_str(&mut self, s: Option<&str>) {
        self.bool(s.is_some());
        self.str(s.unwrap_or(""));
    }

    /// A block of bytes that `write` writes, after its [`checksum`] and length (so that a reader
    /// can keep it as it is, to read later, and still know it whole): see [`In::block`].
    pub fn block(&mut self, write: impl FnOnce(&mut Out)) {
        let head = self.bytes.len();
        self.u64(0);
        self.u64(0);
        let from = self.bytes.len();
        write(self);
        let block = self.bytes.get(from..).unwrap_or(&[]);
        let (sum, len) = (checksum(block), block.len());
        let slot = self.bytes.get_mut(head..from).unwrap_or_default();
        for (byte, written) in slot.iter_mut().zip(sum.to_le_bytes().into_iter().chain((len as u64).to_le_bytes())) {
            *byte = written;
        }
    }
}

/// A 64-bit checksum of `bytes` (FxHash's step over 8-byte words): any one word changed changes
/// it, since each step is one-to-one in both the sum so far and the word.
pub fn checksum(bytes: &[u8]) -> u64 {
    // 16 KiB a call of a never-inlined function, so that the words are summed in optimised code
    // (see [`BATCH`]); only the last piece can end in fewer than 8 bytes.
    let sum = bytes.chunks(1 << 14).fold(0, sum_piece);
    checksum_step(sum, bytes.len() as u64)
}

#[inline(always)]
fn checksum_step(sum: u64, word: u64) -> u64 {
    (sum.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95)
}

/// `sum` taken on over `piece`'s words, then its last bytes as one more word when they are fewer
/// than 8.
#[inline(never)]
fn sum_piece(sum: u64, piece: &[u8]) -> u64 {
    let mut words = piece.chunks_exact(8);
    let sum = words.by_ref().fold(sum, |sum, w| checksum_step(sum, u64::from_le_bytes(w.try_into().unwrap_or_default())));
    match words.remainder() {
        [] => sum,
        rest => checksum_step(sum, rest.iter().rev().fold(0u64, |tail, &b| tail << 8 | u64::from(b))),
    }
}

/// Reads values in the order [`Out`] wrote them.
#[derive(Debug)]
pub struct In<'a> {
    /// All the bytes, and those not read yet.
    all: &'a [u8],
    bytes: &'a [u8],
}

impl<'a> In<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        In { all: bytes, bytes }
    }

    /// How many bytes were read so far.
    pub fn offset(&self) -> usize {
        self.all.len().saturating_sub(self.bytes.len())
    }

    /// The bytes read since [`In::offset`] was `from`, as they are.
    pub fn since(&self, from: usize) -> Option<&'a [u8]> {
        self.all.get(from..self.offset())
    }

    /// True when every byte was read.
    pub fn is_done(&self) -> bool {
        self.bytes.is_empty()
    }

    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.bytes.split_first_chunk::<N>()?;
        self.bytes = rest;
        Some(*head)
    }

    pub fn u8(&mut self) -> Option<u8> {
        self.take::<1>().map(|[b]| b)
    }

    pub fn bool(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    pub fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }

    pub fn i32(&mut self) -> Option<i32> {
        self.take().map(i32::from_le_bytes)
    }

    pub fn u64(&mut self) -> Option<u64> {
        self.take().map(u64::from_le_bytes)
    }

    /// A length or count, at most the bytes left divided by `item` (the least each item takes),
    /// so corrupt input cannot ask for a huge allocation.
    pub fn len(&mut self, item: usize) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n <= self.bytes.len().checked_div(item.max(1))?).then_some(n)
    }

    pub fn opt_u32(&mut self) -> Option<Option<u32>> {
        self.u32().map(|v| (v != u32::MAX).then_some(v))
    }

    pub fn opt_u64(&mut self) -> Option<Option<u64>> {
        let some = self.bool()?;
        let v = self.u64()?;
        Some(some.then_some(v))
    }

    #[inline]
    pub fn var(&mut self) -> Option<u64> {
        // Most numbers here are below 128: one byte.
        match self.bytes.split_first() {
            Some((&b, rest)) if b < 0x80 => {
                self.bytes = rest;
                Some(u64::from(b))
            }
            _ => self.long_var(),
        }
    }

    fn long_var(&mut self) -> Option<u64> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            let bits = u64::from(b & 0x7F);
            // The tenth byte holds the top bit only.
            if bits.checked_shl(shift)?.checked_shr(shift) != Some(bits) {
                return None;
            }
            v |= bits << shift;
            if b < 0x80 {
                return Some(v);
            }
        }
        None
    }

    /// A [`Out::var`] that fits a u32.
    pub fn var32(&mut self) -> Option<u32> {
        u32::try_from(self.var()?).ok()
    }

    pub fn signed(&mut self) -> Option<i64> {
        let z = self.var()?;
        Some(((z >> 1) as i64) ^ ((z & 1) as i64).wrapping_neg())
    }

    pub fn opt_var(&mut self) -> Option<Option<u32>> {
        match self.var()? {
            0 => Some(None),
            v => u32::try_from(v.wrapping_sub(1)).ok().map(Some),
        }
    }

    #[inline]
    pub fn decimal(&mut self) -> Option<Decimal> {
        let head = self.u8()?;
        let scale = u32::from(head & 0x3F);
        let low = self.var()?;
        let high = if head & 0x40 != 0 { self.var()? } else { 0 };
        if scale > 28 || high >> 32 != 0 {
            return None;
        }
        let mut v = Decimal::from_parts(low as u32, (low >> 32) as u32, high as u32, false, scale);
        v.set_sign_negative(head & 0x80 != 0);
        Some(v)
    }

    pub fn str(&mut self) -> Option<&'a str> {
        let n = self.len(1)?;
        let (text, rest) = self.bytes.split_at_checked(n)?;
        self.bytes = rest;
        std::str::from_utf8(text).ok()
    }

    pub fn opt_str(&mut self) -> Option<Option<&'a str>> {
        let some = self.bool()?;
        let s = self.str()?;
        Some(some.then_some(s))
    }

    /// A block [`Out::block`] wrote, as it is, when its bytes add up to its checksum.
    pub fn block(&mut self) -> Option<&'a [u8]> {
        let sum = self.u64()?;
        let n = self.len(1)?;
        let (block, rest) = self.bytes.split_at_checked(n)?;
        self.bytes = rest;
        (checksum(block) == sum).then_some(block)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn values_read_back_as_written() {
        let mut out = Out::new();
        out.u8(7);
        out.bool(true);
        out.u32(u32::MAX - 1);
        out.i32(-5);
        out.u64(1 << 40);
        out.opt_u32(None);
        out.opt_u32(Some(3));
        out.opt_u64(Some(9));
        out.decimal(Decimal::from_str("-1234.5600").unwrap());
        out.decimal(Decimal::MAX);
        out.decimal(-Decimal::ZERO);
        out.var(u64::MAX);
        out.signed(-3);
        out.signed(i64::MIN);
        out.opt_var(Some(u32::MAX));
        out.opt_var(None);
        out.str("Zoë");
        out.opt_str(None);
        let bytes = out.into_bytes();
        let mut r = In::new(&bytes);
        assert_eq!(r.u8(), Some(7));
        assert_eq!(r.bool(), Some(true));
        assert_eq!(r.u32(), Some(u32::MAX - 1));
        assert_eq!(r.i32(), Some(-5));
        assert_eq!(r.u64(), Some(1 << 40));
        assert_eq!(r.opt_u32(), Some(None));
        assert_eq!(r.opt_u32(), Some(Some(3)));
        assert_eq!(r.opt_u64(), Some(Some(9)));
        let d = r.decimal().unwrap();
        assert_eq!((d.to_string(), d.scale()), ("-1234.5600".to_string(), 4));
        assert_eq!(r.decimal(), Some(Decimal::MAX));
        assert!(r.decimal().unwrap().is_sign_negative());
        assert_eq!(r.var(), Some(u64::MAX));
        assert_eq!(r.signed(), Some(-3));
        assert_eq!(r.signed(), Some(i64::MIN));
        assert_eq!(r.opt_var(), Some(Some(u32::MAX)));
        assert_eq!(r.opt_var(), Some(None));
        assert_eq!(r.str(), Some("Zoë"));
        assert_eq!(r.opt_str(), Some(None));
        assert!(r.is_done());
        assert_eq!(r.u8(), None);
    }

    #[test]
    fn short_or_corrupt_bytes_read_as_none() {
        assert_eq!(In::new(&[1, 2, 3]).u32(), None);
        assert_eq!(In::new(&[2]).bool(), None);
        let mut out = Out::new();
        out.len(1_000_000);
        let bytes = out.into_bytes();
        assert_eq!(In::new(&bytes).len(1), None);
        assert_eq!(In::new(&bytes).str(), None);
        assert_eq!(In::new(&[29, 1]).decimal(), None, "scale above 28");
        assert_eq!(In::new(&[0xFF; 20]).var(), None, "more than 64 bits");
        assert_eq!(In::new(&[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]).var(), None, "65 bits");
        let mut out = Out::new();
        out.u8(0x40);
        out.var(0);
        out.var(1 << 32);
        assert_eq!(In::new(&out.into_bytes()).decimal(), None, "mantissa above 96 bits");
        let mut out = Out::new();
        out.len(2);
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&[0xC3, 0x28]);
        assert_eq!(In::new(&bytes).str(), None);
    }

    #[test]
    fn a_block_reads_back_whole_or_not_at_all() {
        for n in [0, 1, 7, 8, 9, 100] {
            let content: Vec<u8> = (0..n).map(|i| (i * 37 % 251) as u8).collect();
            let mut out = Out::new();
            out.u8(5);
            out.block(|out| content.iter().for_each(|&b| out.u8(b)));
            out.u8(6);
            let bytes = out.into_bytes();
            let mut r = In::new(&bytes);
            assert_eq!(r.u8(), Some(5));
            assert_eq!(r.offset(), 1);
            assert_eq!(r.block(), Some(&content[..]));
            assert_eq!(r.since(r.offset() - n), Some(&content[..]));
            assert_eq!((r.u8(), r.is_done()), (Some(6), true));
            // Any byte of the checksum, the length or the block changed: no block.
            for i in 1..bytes.len() - 1 {
                for flip in [1u8, 0x80] {
                    let mut damaged = bytes.clone();
                    damaged[i] ^= flip;
                    let mut r = In::new(&damaged[1..]);
                    assert_ne!(r.block(), Some(&content[..]), "{n} bytes, byte {i} ^ {flip}");
                }
            }
        }
    }

    #[test]
    fn varints_of_every_length_read_back() {
        let values = [0, 1, 127, 128, 300, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455, 1 << 35, u64::MAX - 1, u64::MAX];
        let mut out = Out::new();
        for &v in &values {
            out.var(v);
        }
        let bytes = out.into_bytes();
        let mut r = In::new(&bytes);
        for &v in &values {
            assert_eq!(r.var(), Some(v), "{v}");
        }
        assert_eq!(r.var(), None, "nothing left");
        // Cut inside a longer number: nothing read.
        assert_eq!(In::new(&[0x80]).var(), None);
        assert_eq!(In::new(&[0x80, 0x80]).var(), None);
    }
}
