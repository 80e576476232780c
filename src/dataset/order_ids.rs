//! Order id → order number, for the [`DatasetBuilder`](super::DatasetBuilder): which earlier order
//! a line's order id names, if any, compared exactly.
//!
//! Most exports number their orders in increasing order (`536365`, `#1001`, `INV-000123`): such ids
//! are kept as a sorted run of (number, digits) under one shared prefix, appended without hashing
//! and without their text (16 bytes an order); an id that is not the run's next goes to an exact
//! [`Interner`]. A lookup checks both, so ids in any order are matched exactly.

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

#[derive(Debug, Clone, Copy)]
struct RunEntry {
    value: u64,
    order: u32,
    digits: u8,
}

#[derive(Debug)]
pub(super) struct OrderIds {
    /// The prefix every id in `run` shares (set by the first numbered id).
    prefix: Option<Box<str>>,
    /// Strictly increasing by value.
    run: Vec<RunEntry>,
    /// Every other id, exactly; `other_orders[i]` is the order of id `i`.
    others: Interner,
    other_orders: Vec<u32>,
    /// Room to make in the run once the ids show they are numbered ([`OrderIds::reserve`]).
    room: usize,
}

impl Default for OrderIds {
    fn default() -> Self {
        // Ids out of turn are spread over the run's values: an array by value would be mostly empty.
        OrderIds { prefix: None, run: Vec::new(), others: Interner::without_dense_ids(), other_orders: Vec::new(), room: 0 }
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
            if self.run.last().is_none_or(|last| n.value > last.value) {
                return Err(NewId { run: Some(n) });
            }
            if let Ok(i) = self.run.binary_search_by_key(&n.value, |e| e.value) {
                if let Some(e) = self.run.get(i).filter(|e| e.digits == n.digits) {
                    return Ok(e.order);
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
    /// Makes room in the run for `orders` ids in all, when the ids so far are numbered (a hint,
    /// like [`super::DatasetBuilder::reserve`]: growing by doubling copies the run at each step).
    /// Before the first numbered id, the room is made when it comes.
    pub(super) fn reserve(&mut self, orders: usize) {
        if self.prefix.is_none() {
            self.room = orders;
        } else if self.other_orders.len() <= self.run.len() {
            let _ = self.run.try_reserve_exact(orders.saturating_sub(self.run.len()));
        }
    }

    #[inline(always)]
    pub(super) fn insert(&mut self, new: NewId<'_>, id: &str, order: u32) -> Option<()> {
        if let Some(n) = new.run {
            if self.prefix.is_none() {
                self.prefix = Some(n.prefix.into());
                let _ = self.run.try_reserve_exact(std::mem::take(&mut self.room));
            }
            self.run.push(RunEntry { value: n.value, order, digits: n.digits });
            return Some(());
        }
        self.others.intern(id)?;
        self.other_orders.push(order);
        Some(())
    }
}

/// The ids of another builder's orders (a later part of the same file), as [`OrderIds::write`]
/// wrote them.
#[derive(Debug, Default)]
pub(super) struct PartIds<'a> {
    prefix: Option<&'a str>,
    run: Vec<RunEntry>,
    others: Vec<(&'a str, u32)>,
}

impl<'a> PartIds<'a> {
    pub(super) fn read(r: &mut In<'a>) -> Option<Self> {
        let prefix = r.opt_str()?;
        let n = r.len(3)?;
        let mut run = Vec::with_capacity(n);
        let mut last = (0u64, 0i64);
        for batch in batches(n) {
            read_entries(r, &mut last, &mut run, batch)?;
        }
        let n = r.len(2)?;
        let mut others = Vec::with_capacity(n);
        for _ in 0..n {
            others.push((r.str()?, r.var32()?));
        }
        Some(PartIds { prefix, run, others })
    }

    /// Every order number named, for checking them against the part's orders.
    pub(super) fn orders(&self) -> impl Iterator<Item = u32> + '_ {
        self.run.iter().map(|e| e.order).chain(self.others.iter().map(|&(_, o)| o))
    }
}

/// The next `count` run entries after the one at `last` (its value and order, updated), onto
/// `run`. A batch per call, never inlined (see [`batches`]).
#[inline(never)]
fn read_entries(r: &mut In<'_>, last: &mut (u64, i64), run: &mut Vec<RunEntry>, count: usize) -> Option<()> {
    for _ in 0..count {
        // Values strictly increase; orders usually go up by one.
        let value = last.0.checked_add(r.var()?)?;
        let order = last.1.checked_add(r.signed()?)?;
        let digits = r.u8()?;
        (1..=19).contains(&digits).then_some(())?;
        *last = (value, order);
        run.push(RunEntry { value, order: u32::try_from(order).ok()?, digits });
    }
    Some(())
}

/// `entries` written after the one at `last` (a batch per call, never inlined).
#[inline(never)]
fn write_entries(out: &mut Out, last: &mut (u64, i64), entries: &[RunEntry]) {
    for e in entries {
        out.var(e.value.wrapping_sub(last.0));
        out.signed(i64::from(e.order).wrapping_sub(last.1));
        out.u8(e.digits);
        *last = (e.value, i64::from(e.order));
    }
}

/// The text of a run entry: the prefix, then the value in exactly its digits.
fn run_text(buf: &mut String, prefix: &str, e: &RunEntry) {
    use std::fmt::Write;
    buf.clear();
    buf.push_str(prefix);
    let _ = write!(buf, "{:0width$}", e.value, width = usize::from(e.digits));
}

impl OrderIds {
    /// Writes the ids, for [`PartIds::read`].
    pub(super) fn write(&self, out: &mut Out) {
        out.opt_str(self.prefix.as_deref());
        out.len(self.run.len());
        let mut last = (0u64, 0i64);
        for entries in self.run.chunks(BATCH) {
            write_entries(out, &mut last, entries);
        }
        out.len(self.other_orders.len());
        for (id, &order) in self.others.iter().zip(&self.other_orders) {
            out.str(id);
            out.var(u64::from(order));
        }
    }

    /// Whether the part's run can be appended to this run as it is: same prefix, values past
    /// this run's end, and none of the other ids here (ids that came out of turn) among them.
    fn run_follows(&self, part: &PartIds<'_>) -> bool {
        let prefix = match (&self.prefix, part.prefix) {
            (Some(mine), Some(theirs)) => **mine == *theirs,
            _ => true,
        };
        let (Some(first), Some(last)) = (part.run.first(), part.run.last()) else {
            return true;
        };
        let after = self.run.last().is_none_or(|mine| first.value > mine.value);
        let theirs = part.prefix.unwrap_or("");
        let apart = || {
            self.others.iter().all(|id| {
                numbered(id).is_none_or(|n| n.prefix != theirs || n.value < first.value || n.value > last.value)
            })
        };
        prefix && after && apart()
    }

    /// True when no id of `part` is known here.
    pub(super) fn are_all_new(&self, part: &PartIds<'_>) -> bool {
        let mut buf = String::new();
        let prefix = part.prefix.unwrap_or("");
        let run_new = self.run_follows(part)
            || part.run.iter().all(|e| {
                run_text(&mut buf, prefix, e);
                self.find(&buf).is_err()
            });
        run_new && part.others.iter().all(|&(id, _)| self.find(id).is_err())
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
        let run: Vec<u64> = index.run.iter().map(|e| e.value).collect();
        assert_eq!(run, [1001, 1002, 1005, 1006, 1007]);
        assert_eq!(index.others.len(), ids.len() - run.len());
    }
    #[test]
    fn room_asked_for_before_the_first_numbered_id_is_made_when_it_comes() {
        let add = |index: &mut OrderIds, ids: std::ops::Range<u32>| {
            for order in ids {
                let id = format!("A{}", 1000 + order);
                let new = index.find(&id).expect_err("a new id");
                index.insert(new, &id, order).unwrap();
            }
        };
        let mut index = OrderIds::default();
        index.reserve(5_000);
        assert_eq!(index.run.capacity(), 0, "nothing yet: the ids may not be numbered");
        add(&mut index, 0..1);
        assert!(index.run.capacity() >= 5_000);
        let mut later = OrderIds::default();
        add(&mut later, 0..10);
        later.reserve(9_000);
        assert!(later.run.capacity() >= 9_000);
        add(&mut later, 10..9_000);
        assert_eq!(later.run.len(), 9_000);
        assert_eq!(later.find("A9999").ok(), Some(8_999));
    }

}
