//! Order id → order number, for the [`DatasetBuilder`](super::DatasetBuilder): which earlier order
//! a line's order id names, if any, compared exactly.
//!
//! Most exports number their orders in increasing order (`536365`, `#1001`, `INV-000123`): such ids
//! are kept as a sorted run of (number, digits) under one shared prefix, appended without hashing
//! and without their text, in spans of consecutive ids naming consecutive orders (16 bytes a span;
//! an order with another kind of id, such as a return's, ends one); an id that is not the run's
//! next goes to an exact [`Interner`]. A lookup checks both, so ids in any order are matched
//! exactly.

use super::Interner;
use crate::wire::{batches, In, Out, BATCH};

/// An id split into its text before the trailing digits, their value and their count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Numbered<'a> {
    prefix: &'a str,
    value: u64,
    digits: u8,
}

/// `id` as prefix + decimal number (at most 19 digits, so it fits a u64), if it ends in digits.
fn numbered(id: &str) -> Option<Numbered<'_>> {
    let bytes = id.as_bytes();
    let digits = bytes.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 19 {
        return None;
    }
    let split = bytes.len().saturating_sub(digits);
    // At most 19 digits: below 10^19 < 2^64, so no overflow checks (a 128-bit multiplication in wasm32).
    let value = bytes
        .get(split..)?
        .iter()
        .fold(0u64, |v, &b| v.wrapping_mul(10).wrapping_add(u64::from(b.wrapping_sub(b'0'))));
    Some(Numbered { prefix: id.get(..split)?, value, digits: u8::try_from(digits).ok()? })
}

/// Ids `value .. value + len` (all of `digits` digits) naming orders `order .. order + len`.
#[derive(Debug, Clone, Copy)]
struct RunSpan {
    value: u64,
    order: u32,
    len: u16,
    digits: u8,
}

impl RunSpan {
    /// The last id's value.
    fn last(&self) -> u64 {
        self.value.saturating_add(u64::from(self.len).saturating_sub(1))
    }
}

#[derive(Debug)]
pub(super) struct OrderIds {
    /// The prefix every id in `run` shares (set by the first numbered id).
    prefix: Option<Box<str>>,
    /// Strictly increasing by value, spans apart.
    run: Vec<RunSpan>,
    /// Ids in the run.
    run_len: usize,
    /// Every other id, exactly; `other_orders[i]` is the order of id `i`.
    others: Interner,
    other_orders: Vec<u32>,
    /// Room to make in the run once the ids show they are numbered ([`OrderIds::reserve`]).
    room: usize,
}

impl Default for OrderIds {
    fn default() -> Self {
        // Ids out of turn are spread over the run's values: an array by value would be mostly empty.
        OrderIds { prefix: None, run: Vec::new(), run_len: 0, others: Interner::without_dense_ids(), other_orders: Vec::new(), room: 0 }
    }
}

impl OrderIds {
    fn in_run<'a>(&self, id: &'a str) -> Option<Numbered<'a>> {
        let n = numbered(id)?;
        match &self.prefix {
            Some(prefix) if **prefix == *n.prefix => Some(n),
            None => Some(n),
            _ => None,
        }
    }

    /// The order of `id` when an earlier line named it; else where a new id goes, for
    /// [`insert`](Self::insert) (so a new id is read once).
    pub(super) fn find<'a>(&self, id: &'a str) -> Result<u32, NewId<'a>> {
        let numbered = self.in_run(id);
        if let Some(n) = numbered {
            // Past the end of the run (the usual new id), it is new: an id with the run's prefix
            // went to `others` only when it was not past the run's end then, and the run only grows.
            if self.run.last().is_none_or(|last| n.value > last.last()) {
                return Err(NewId { run: Some(n) });
            }
            // The last span starting at or before the value.
            let i = self.run.partition_point(|span| span.value <= n.value);
            if let Some(span) = i.checked_sub(1).and_then(|i| self.run.get(i)) {
                let offset = n.value.wrapping_sub(span.value);
                if offset < u64::from(span.len) && span.digits == n.digits {
                    return Ok(span.order.wrapping_add(offset as u32));
                }
            }
        }
        match self.others.lookup(id).and_then(|number| self.other_orders.get(number as usize)) {
            Some(&order) => Ok(order),
            None => Err(NewId { run: None }),
        }
    }

    /// Records that `id`, which [`find`](Self::find) did not know (`new`), names `order`; `None`
    /// past u32::MAX ids.
    /// Makes room in the run for `orders` ids in all once the ids show they come apart (a hint,
    /// like [`super::DatasetBuilder::reserve`]: growing by doubling copies the run at each step;
    /// ids that count up with their orders need a span or a few, and no room).
    pub(super) fn reserve(&mut self, orders: usize) {
        self.room = orders;
    }

    /// Spans before the ids show whether they come apart.
    const EVIDENCE: usize = 64;

    #[inline(always)]
    pub(super) fn insert(&mut self, new: NewId<'_>, id: &str, order: u32) -> Option<()> {
        if let Some(n) = new.run {
            if self.prefix.is_none() {
                self.prefix = Some(n.prefix.into());
            }
            self.run_len = self.run_len.saturating_add(1);
            if let Some(last) = self.run.last_mut() {
                let next = last.value.checked_add(u64::from(last.len)) == Some(n.value)
                    && last.order.checked_add(u32::from(last.len)) == Some(order)
                    && last.digits == n.digits;
                if let (true, Some(len)) = (next, last.len.checked_add(1)) {
                    last.len = len;
                    return Some(());
                }
            }
            // Ids apart more often than not: room for as many spans as orders are expected.
            if self.run.len() == self.run.capacity() && self.run.len() >= Self::EVIDENCE && self.run.len().saturating_mul(2) > self.run_len {
                let _ = self.run.try_reserve_exact(std::mem::take(&mut self.room).saturating_sub(self.run.len()));
            }
            self.run.push(RunSpan { value: n.value, order, len: 1, digits: n.digits });
            return Some(());
        }
        self.others.intern(id)?;
        self.other_orders.push(order);
        Some(())
    }
}

/// The ids of another builder's orders (a later part of the same file), as [`OrderIds::write`]
/// wrote them: enough to tell whether any is also an id here. The run stays as written (it is
/// read through once to check it and find its ends, and again only if its values are not all
/// past this run's).
#[derive(Debug, Default)]
pub(super) struct PartIds<'a> {
    prefix: Option<&'a str>,
    /// The run's spans as written, `spans` of them, and its first and last (value, digits).
    run: &'a [u8],
    spans: usize,
    ends: Option<((u64, u8), (u64, u8))>,
    others: Vec<&'a str>,
}

impl<'a> PartIds<'a> {
    pub(super) fn read(r: &mut In<'a>) -> Option<Self> {
        let prefix = r.opt_str()?;
        let spans = r.len(3)?;
        let from = r.offset();
        let mut ends = None;
        let mut last = 0u64;
        for batch in batches(spans) {
            let (first, end) = read_spans(r, &mut last, batch)?;
            ends = Some((ends.map_or(first, |(first, _)| first), end));
        }
        let run = r.since(from)?;
        let n = r.len(1)?;
        let mut others = Vec::with_capacity(n);
        for _ in 0..n {
            others.push(r.str()?);
        }
        Some(PartIds { prefix, run, spans, ends, others })
    }

    /// The run's (value, digits) in turn (checked when read).
    fn entries(&self) -> impl Iterator<Item = (u64, u8)> + '_ {
        let mut r = In::new(self.run);
        let mut last = 0u64;
        (0..self.spans)
            .map_while(move |_| {
                let (value, len, digits) = read_span(&mut r, last)?;
                last = value.checked_add(len.checked_sub(1)?)?;
                Some((value, len, digits))
            })
            .flat_map(|(value, len, digits)| (0..len).map(move |i| (value.saturating_add(i), digits)))
    }
}

/// The next span after the value `last`, checked: values that fit a u64, at least one id, 1 to
/// 19 digits. Its first value, length and digits.
#[inline(always)]
fn read_span(r: &mut In<'_>, last: u64) -> Option<(u64, u64, u8)> {
    let value = last.checked_add(r.var()?)?;
    let len = r.var()?;
    let digits = r.u8()?;
    let fits = len.checked_sub(1).and_then(|more| value.checked_add(more)).is_some();
    (fits && (1..=19).contains(&digits)).then_some((value, len, digits))
}

/// The next `count` spans after the value `last` (updated to their last id's), checked. Returns
/// the first and last (value, digits). A batch per call, never inlined (see [`batches`]).
#[inline(never)]
fn read_spans(r: &mut In<'_>, last: &mut u64, count: usize) -> Option<((u64, u8), (u64, u8))> {
    let mut ends: Option<((u64, u8), (u64, u8))> = None;
    for _ in 0..count {
        let (value, len, digits) = read_span(r, *last)?;
        *last = value.checked_add(len.checked_sub(1)?)?;
        ends = Some((ends.map_or((value, digits), |(first, _)| first), (*last, digits)));
    }
    ends
}

/// `spans` written after the value `last` (updated to their last id's; a batch per call, never
/// inlined).
#[inline(never)]
fn write_spans(out: &mut Out, last: &mut u64, spans: &[RunSpan]) {
    for span in spans {
        out.var(span.value.wrapping_sub(*last));
        out.var(u64::from(span.len));
        out.u8(span.digits);
        *last = span.last();
    }
}

/// The text of a run entry: the prefix, then the value in exactly its digits.
fn run_text(buf: &mut String, prefix: &str, (value, digits): (u64, u8)) {
    use std::fmt::Write;
    buf.clear();
    buf.push_str(prefix);
    let _ = write!(buf, "{value:0width$}", width = usize::from(digits));
}

impl OrderIds {
    /// Writes the ids, for [`PartIds::read`].
    pub(super) fn write(&self, out: &mut Out) {
        out.opt_str(self.prefix.as_deref());
        out.len(self.run.len());
        let mut last = 0u64;
        for spans in self.run.chunks(BATCH) {
            write_spans(out, &mut last, spans);
        }
        out.len(self.others.len());
        for id in self.others.iter() {
            out.str(id);
        }
    }

    /// Whether the part's run can be appended to this run as it is: same prefix, values past
    /// this run's end, and none of the other ids here (ids that came out of turn) among them.
    fn run_follows(&self, part: &PartIds<'_>) -> bool {
        let prefix = match (&self.prefix, part.prefix) {
            (Some(mine), Some(theirs)) => **mine == *theirs,
            _ => true,
        };
        let Some(((first, _), (last, _))) = part.ends else {
            return true;
        };
        let after = self.run.last().is_none_or(|mine| first > mine.last());
        let theirs = part.prefix.unwrap_or("");
        let apart = || {
            self.others.iter().all(|id| {
                numbered(id).is_none_or(|n| n.prefix != theirs || n.value < first || n.value > last)
            })
        };
        prefix && after && apart()
    }

    /// Adds the ids of `part` (a part before another, which [`OrderIds::are_all_new`] then
    /// checks against them). Their orders are not known here: lookups would find them as order
    /// 0, so such an index only checks. `None` past u32::MAX ids.
    pub(super) fn add_part(&mut self, part: &PartIds<'_>) -> Option<()> {
        let mut buf = String::new();
        let prefix = part.prefix.unwrap_or("");
        for e in part.entries() {
            run_text(&mut buf, prefix, e);
            if let Err(new) = self.find(&buf) {
                self.insert(new, &buf, 0)?;
            }
        }
        for &id in &part.others {
            if let Err(new) = self.find(id) {
                self.insert(new, id, 0)?;
            }
        }
        Some(())
    }

    /// True when no id of `part` is known here.
    pub(super) fn are_all_new(&self, part: &PartIds<'_>) -> bool {
        let mut buf = String::new();
        let prefix = part.prefix.unwrap_or("");
        let run_new = self.run_follows(part)
            || part.entries().all(|e| {
                run_text(&mut buf, prefix, e);
                self.find(&buf).is_err()
            });
        run_new && part.others.iter().all(|id| self.find(id).is_err())
    }
}

/// Where an id [`OrderIds::find`] did not know goes: the end of the run, or the others.
#[derive(Debug, Clone, Copy)]
pub(super) struct NewId<'a> {
    run: Option<Numbered<'a>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_ids_into_prefix_and_number() {
        assert_eq!(numbered("536365"), Some(Numbered { prefix: "", value: 536_365, digits: 6 }));
        assert_eq!(numbered("INV-0042"), Some(Numbered { prefix: "INV-", value: 42, digits: 4 }));
        assert_eq!(numbered("#1001"), Some(Numbered { prefix: "#", value: 1001, digits: 4 }));
        assert_eq!(numbered("ch_3Nabc"), None);
        assert_eq!(numbered("99999999999999999999"), None, "20 digits do not fit");
        assert_eq!(numbered("9999999999999999999").map(|n| n.value), Some(9_999_999_999_999_999_999));
    }

    #[test]
    fn finds_every_id_exactly_in_any_order() {
        let ids = [
            "1001", "1002", "C1003", "1005", "0005", "005", "1004", "1005x", "1000", "#1006", "1006", "abc", "1007",
        ];
        let mut index = OrderIds::default();
        for (order, id) in ids.iter().enumerate() {
            let new = index.find(id).expect_err("a new id");
            index.insert(new, id, order as u32).unwrap();
        }
        for (order, id) in ids.iter().enumerate() {
            assert_eq!(index.find(id).ok(), Some(order as u32), "{id}");
        }
        for unseen in ["1003", "05", "0", "1008", "C1001", "#1001", "ab"] {
            assert!(index.find(unseen).is_err(), "{unseen}");
        }
        // The increasing ids with the first prefix went to the run, the rest to the interner.
        let run: Vec<u64> = index.run.iter().flat_map(|s| (0..u64::from(s.len)).map(move |i| s.value + i)).collect();
        assert_eq!(run, [1001, 1002, 1005, 1006, 1007]);
        // 1001 and 1002 name orders 0 and 1; 1005, 1006 and 1007 orders 3, 10 and 12.
        assert_eq!(index.run.len(), 4);
        assert_eq!(index.others.len(), ids.len() - run.len());
    }
    #[test]
    fn room_is_made_once_the_ids_come_apart() {
        let add = |index: &mut OrderIds, orders: std::ops::Range<u32>, step: u32| {
            for order in orders {
                let id = format!("A{}", 1000 + order * step);
                let new = index.find(&id).expect_err("a new id");
                index.insert(new, &id, order).unwrap();
            }
        };
        // Ids counting up with their orders: one span, no room.
        let mut counting = OrderIds::default();
        counting.reserve(5_000);
        add(&mut counting, 0..5_000, 1);
        assert_eq!(counting.run.len(), 1);
        assert!(counting.run.capacity() < 100, "{}", counting.run.capacity());
        assert_eq!(counting.find("A5999").ok(), Some(4_999));
        // Ids two apart: a span each, the room made once they show it.
        let mut apart = OrderIds::default();
        apart.reserve(9_000);
        add(&mut apart, 0..100, 2);
        assert!(apart.run.capacity() >= 9_000);
        add(&mut apart, 100..9_000, 2);
        assert_eq!(apart.run.len(), 9_000);
        assert_eq!(apart.find("A18998").ok(), Some(8_999));
        assert!(apart.find("A18997").is_err());
    }

    #[test]
    fn a_part_s_spans_read_back_as_its_ids() {
        let index_of = |ids: &[&str]| {
            let mut index = OrderIds::default();
            for (order, id) in ids.iter().enumerate() {
                let new = index.find(id).expect_err("a new id");
                index.insert(new, id, order as u32).unwrap();
            }
            index
        };
        let ids = ["98", "99", "100", "101", "C7", "102", "105", "106"];
        let part = index_of(&ids);
        let mut out = Out::with_room(256);
        part.write(&mut out);
        let bytes = out.into_bytes();
        let read = PartIds::read(&mut In::new(&bytes)).unwrap();
        let mut buf = String::new();
        let texts: Vec<String> = read
            .entries()
            .map(|e| {
                run_text(&mut buf, "", e);
                buf.clone()
            })
            .collect();
        assert_eq!(texts, ["98", "99", "100", "101", "102", "105", "106"]);
        assert_eq!(read.ends, Some(((98, 2), (106, 3))));
        // Against ids here: all new, or one of them known (through the run's ends, or each id).
        assert!(index_of(&["1", "2", "97"]).are_all_new(&read));
        assert!(index_of(&["103", "104", "200"]).are_all_new(&read));
        assert!(!index_of(&["1", "105"]).are_all_new(&read));
        assert!(!index_of(&["C7"]).are_all_new(&read));
        assert!(!index_of(&["50", "100"]).are_all_new(&read));
    }

    #[test]
    fn a_span_ends_where_ids_or_orders_skip_or_digits_change() {
        let mut index = OrderIds::default();
        // 98, 99 then 100 (three digits); 101; 102 naming order 5 after order 4 went to "C7".
        for (order, id) in ["98", "99", "100", "101", "C7", "102"].iter().enumerate() {
            let new = index.find(id).expect_err("a new id");
            index.insert(new, id, order as u32).unwrap();
        }
        let spans: Vec<(u64, u32, u16)> = index.run.iter().map(|s| (s.value, s.order, s.len)).collect();
        assert_eq!(spans, [(98, 0, 2), (100, 2, 2), (102, 5, 1)]);
        for (id, order) in [("98", 0), ("99", 1), ("100", 2), ("101", 3), ("C7", 4), ("102", 5)] {
            assert_eq!(index.find(id).ok(), Some(order), "{id}");
        }
        for unseen in ["097", "0100", "103", "97"] {
            assert!(index.find(unseen).is_err(), "{unseen}");
        }
    }
}
