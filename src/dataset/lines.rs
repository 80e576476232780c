//! The dataset's order lines: kept packed, 20 bytes a line instead of 40 (an exact decimal in 8
//! bytes when it fits, as most quantities and amounts do), and decoded when first read when a part
//! of the file joined from a worker keeps its lines as the worker wrote them.

use std::cell::{Cell, OnceCell};
use std::fmt;

use rust_decimal::Decimal;

use super::join::PartLines;
use super::Line;

/// A line as kept: its product (`NO_PRODUCT` for none) and its quantity and amount [`pack`]ed.
#[derive(Clone, Copy, PartialEq)]
pub(super) struct Packed {
    product: u32,
    quantity: [u32; 2],
    amount: [u32; 2],
}

const NO_PRODUCT: u32 = u32::MAX;
/// The mantissa's bits in a packed decimal; above them 5 bits of scale and the sign.
const MANTISSA_BITS: u32 = 58;
const MANTISSA: u64 = (1 << MANTISSA_BITS) - 1;
/// The scale that marks a decimal kept whole among the big ones (scales go to 28 only): the
/// mantissa bits then hold its index there.
const BIG_SCALE: u64 = 31;

/// `d` in 8 bytes: sign, scale and a mantissa below 2^58 (any money or quantity short of
/// 2.8e17 units); else kept whole in `big` and its index there.
#[inline(always)]
fn pack(d: Decimal, big: &mut Vec<Decimal>) -> [u32; 2] {
    // The words as kept (no 128-bit arithmetic, which is calls in wasm32).
    let [f0, f1, f2, f3, l0, l1, l2, l3, m0, m1, m2, m3, h0, h1, h2, h3] = d.serialize();
    let (flags, lo, mid, hi) = (
        u32::from_le_bytes([f0, f1, f2, f3]),
        u32::from_le_bytes([l0, l1, l2, l3]),
        u32::from_le_bytes([m0, m1, m2, m3]),
        u32::from_le_bytes([h0, h1, h2, h3]),
    );
    let word = if hi == 0 && u64::from(mid) << 32 >> MANTISSA_BITS == 0 {
        let scale = u64::from(flags >> 16 & 0xFF);
        let negative = u64::from(flags >> 31);
        u64::from(mid) << 32 | u64::from(lo) | scale << MANTISSA_BITS | negative << 63
    } else {
        let index = big.len() as u64;
        big.push(d);
        index & MANTISSA | BIG_SCALE << MANTISSA_BITS
    };
    [word as u32, (word >> 32) as u32]
}

/// The decimal [`pack`] packed (0 for a big one not in `big`: never made so).
#[inline(always)]
fn unpack(packed: [u32; 2], big: &[Decimal]) -> Decimal {
    let word = u64::from(packed[1]) << 32 | u64::from(packed[0]);
    let scale = word >> MANTISSA_BITS & 31;
    let mantissa = word & MANTISSA;
    if scale == BIG_SCALE {
        return big.get(mantissa as usize).copied().unwrap_or_default();
    }
    let mut d = Decimal::from_parts(mantissa as u32, (mantissa >> 32) as u32, 0, false, scale as u32);
    d.set_sign_negative(word >> 63 != 0);
    d
}

/// Order lines, packed ([`Packed`]), with the decimals too big to pack kept whole.
#[derive(Default, Clone, PartialEq)]
pub(crate) struct LineStore {
    pub(super) packed: Vec<Packed>,
    pub(super) big: Vec<Decimal>,
}

impl LineStore {
    #[inline(always)]
    pub(crate) fn push(&mut self, line: &Line) {
        let quantity = pack(line.quantity, &mut self.big);
        let amount = pack(line.amount, &mut self.big);
        self.packed.push(Packed { product: line.product.unwrap_or(NO_PRODUCT), quantity, amount });
    }

    /// Appends `lines` (of this store or another).
    pub(crate) fn extend(&mut self, lines: LineSlice<'_>) {
        self.packed.reserve(lines.len());
        for line in lines {
            self.push(&line);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.packed.len()
    }

    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.packed.capacity()
    }

    pub(crate) fn reserve_exact(&mut self, lines: usize) {
        let _ = self.packed.try_reserve_exact(lines);
    }

    pub(crate) fn last_product(&self) -> Option<u32> {
        self.packed.last().and_then(|l| (l.product != NO_PRODUCT).then_some(l.product))
    }

    pub(crate) fn as_slice(&self) -> LineSlice<'_> {
        LineSlice { packed: &self.packed, big: &self.big }
    }

    /// A blank line, to be written over.
    pub(super) fn blank() -> Packed {
        Packed { product: NO_PRODUCT, quantity: [0; 2], amount: [0; 2] }
    }
}

/// Some of a dataset's lines, read as [`Line`]s.
#[derive(Clone, Copy)]
pub struct LineSlice<'a> {
    packed: &'a [Packed],
    big: &'a [Decimal],
}

impl<'a> LineSlice<'a> {
    pub fn len(&self) -> usize {
        self.packed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.packed.is_empty()
    }


    pub fn iter(&self) -> LineIter<'a> {
        LineIter { packed: self.packed.iter(), big: self.big }
    }

    /// Lines `start .. start + len` (none when they are not all there).
    pub fn range(&self, start: u32, len: u32) -> LineSlice<'a> {
        let packed = self.packed.get(start as usize..(start as usize).saturating_add(len as usize)).unwrap_or(&[]);
        LineSlice { packed, big: self.big }
    }

    /// The lines `n` at a time (the last fewer).
    pub fn chunks(&self, n: usize) -> impl Iterator<Item = LineSlice<'a>> + 'a {
        let big = self.big;
        self.packed.chunks(n.max(1)).map(move |packed| LineSlice { packed, big })
    }
}

#[inline(always)]
fn line(p: &Packed, big: &[Decimal]) -> Line {
    Line {
        product: (p.product != NO_PRODUCT).then_some(p.product),
        quantity: unpack(p.quantity, big),
        amount: unpack(p.amount, big),
    }
}

/// The lines of a [`LineSlice`], in order.
#[derive(Clone)]
pub struct LineIter<'a> {
    packed: std::slice::Iter<'a, Packed>,
    big: &'a [Decimal],
}

impl Iterator for LineIter<'_> {
    type Item = Line;

    #[inline]
    fn next(&mut self) -> Option<Line> {
        self.packed.next().map(|p| line(p, self.big))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.packed.size_hint()
    }
}

impl DoubleEndedIterator for LineIter<'_> {
    fn next_back(&mut self) -> Option<Line> {
        self.packed.next_back().map(|p| line(p, self.big))
    }
}

impl ExactSizeIterator for LineIter<'_> {}

impl<'a> IntoIterator for LineSlice<'a> {
    type Item = Line;
    type IntoIter = LineIter<'a>;

    fn into_iter(self) -> LineIter<'a> {
        self.iter()
    }
}

impl fmt::Debug for LineStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.as_slice(), f)
    }
}

impl fmt::Debug for LineSlice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The lines of a [`super::Dataset`]: those read here, then a joined part's, decoded on the
/// first read of any (orders alone never read them: the customer table's BTYD columns, the
/// models, the segments).
#[derive(Default)]
pub(crate) struct Lines {
    decoded: OnceCell<LineStore>,
    /// Until then: the lines read here and the part's.
    encoded: Cell<Option<Box<Encoded>>>,
    /// How many they are in all.
    count: usize,
}

/// The lines read here, and a joined part's, not decoded yet.
type Encoded = (LineStore, PartLines);

impl Lines {
    /// `lines`, then (when given) a joined part's.
    pub(crate) fn new(lines: LineStore, part: Option<PartLines>) -> Self {
        match part {
            None => Lines { count: lines.len(), decoded: OnceCell::from(lines), encoded: Cell::new(None) },
            Some(part) => {
                let count = lines.len().saturating_add(part.count());
                Lines { count, decoded: OnceCell::new(), encoded: Cell::new(Some(Box::new((lines, part)))) }
            }
        }
    }

    /// All the lines (decoded now if they were not yet).
    pub(crate) fn get(&self) -> LineSlice<'_> {
        self.decoded
            .get_or_init(|| match self.encoded.take() {
                Some(both) => {
                    let (mut lines, part) = *both;
                    part.decode_onto(&mut lines);
                    lines
                }
                None => LineStore::default(),
            })
            .as_slice()
    }

    /// How many lines there are, without decoding them.
    pub(crate) fn len(&self) -> usize {
        self.decoded.get().map_or(self.count, LineStore::len)
    }

    /// Whether they were decoded (tests of when they are).
    #[cfg(test)]
    pub(crate) fn is_decoded(&self) -> bool {
        self.decoded.get().is_some()
    }
}

impl From<LineStore> for Lines {
    fn from(lines: LineStore) -> Self {
        Lines::new(lines, None)
    }
}

/// As the lines it holds (decoding them).
impl fmt::Debug for Lines {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.get(), f)
    }
}

impl Clone for Lines {
    fn clone(&self) -> Self {
        let lines = self.get();
        LineStore { packed: lines.packed.to_vec(), big: lines.big.to_vec() }.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn lines_read_back_as_pushed_packed_or_whole() {
        let values = ["0", "-0", "1", "-1.50", "15.43", "0.0000000000000000000000000001", "288230376151711743", "288230376151711744", "-79228162514264337593543950335", "1.2345678901234567890123456789"];
        let mut store = LineStore::default();
        let mut lines = Vec::new();
        for (i, q) in values.iter().enumerate() {
            let a = values[values.len() - 1 - i];
            let line = Line { product: (i % 3 != 0).then_some(i as u32), quantity: Decimal::from_str(q).unwrap(), amount: Decimal::from_str(a).unwrap() };
            store.push(&line);
            lines.push(line);
        }
        let read: Vec<Line> = store.as_slice().iter().collect();
        assert_eq!(read, lines);
        // Exactly: the scale and the sign of zero kept.
        for (r, l) in read.iter().zip(&lines) {
            assert_eq!((r.quantity.to_string(), r.amount.to_string()), (l.quantity.to_string(), l.amount.to_string()));
            assert_eq!((r.quantity.is_sign_negative(), r.amount.is_sign_negative()), (l.quantity.is_sign_negative(), l.amount.is_sign_negative()));
        }
        assert_eq!(store.big.len(), 6, "2^58 and beyond, and 29 digits, kept whole");
        assert_eq!(store.last_product(), None, "line 9 has none");
        assert_eq!(store.as_slice().range(2, 3).iter().collect::<Vec<_>>(), lines[2..5]);
        assert!(store.as_slice().range(9, 2).is_empty(), "not all there");
    }
}
