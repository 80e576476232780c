//! Joining a builder that read a later part of a file to the one that read the part before it, as
//! if one builder had read both in turn; or refusing, unchanged, when that cannot be done exactly.
//!
//! Names are numbered in order of first appearance, so interning the part's names in its own order
//! after this builder's gives the numbers one builder would have given; the same holds for orders
//! and lines. What cannot be joined exactly is an order both parts name (an order id, or a
//! customer's day without one): the caller then reads the rest of the file itself.

use super::order_ids::{OrderIds, PartIds};
use super::{run_owners, too_many, DatasetBuilder, Day, Interner, Line, LineSlice, LineStore, OpenOrder, ProductInfo};
use crate::error::{Error, ErrorCode, Result};
use rustc_hash::FxHashSet as HashSet;
use crate::wire::{batches, damaged, In, Out, BATCH};

fn write_names(out: &mut Out, names: &Interner) {
    out.len(names.len());
    let mut from = 0;
    for batch in batches(names.len()) {
        write_name_batch(out, names, from, batch);
        from = from.saturating_add(batch);
    }
}

/// Names `from .. from + count` of `names` (a batch per call, never inlined: see [`BATCH`]).
#[inline(never)]
fn write_name_batch(out: &mut Out, names: &Interner, from: usize, count: usize) {
    for i in from..from.saturating_add(count) {
        out.str(names.name(u32::try_from(i).unwrap_or(u32::MAX)));
    }
}

fn read_names<'a>(r: &mut In<'a>) -> Option<Vec<&'a str>> {
    let n = r.len(8)?;
    let mut names = Vec::with_capacity(n);
    for batch in batches(n) {
        read_name_batch(r, &mut names, batch)?;
    }
    Some(names)
}

/// The next `count` names onto `names` (a batch per call, never inlined: see [`BATCH`]).
#[inline(never)]
fn read_name_batch<'a>(r: &mut In<'a>, names: &mut Vec<&'a str>, count: usize) -> Option<()> {
    for _ in 0..count {
        names.push(r.str()?);
    }
    Some(())
}

/// `Some(index)` when `index` is below `len` (or `None` stays `None`); `None` otherwise.
fn check(index: Option<u32>, len: usize) -> Option<Option<u32>> {
    match index {
        Some(i) if (i as usize) < len => Some(Some(i)),
        Some(_) => None,
        None => Some(None),
    }
}

/// What a part's orders are checked against: its counts of customers, channels and lines, and
/// whether its lines came scattered.
#[derive(Debug, Clone, Copy)]
struct Limits {
    customers: usize,
    channels: usize,
    lines: usize,
    scattered: bool,
}

/// What a part says before its orders and lines: enough to decide whether it can be joined.
struct Head<'a> {
    customers: Vec<&'a str>,
    products: Vec<&'a str>,
    categories: Vec<&'a str>,
    channels: Vec<&'a str>,
    ids: PartIds<'a>,
    /// The (customer, day) of each order without an id (only to check for a key both parts have).
    customer_days: Vec<(u32, Day)>,
    orders: usize,
    lines: usize,
    scattered: bool,
    big_quantities: bool,
}

impl<'a> Head<'a> {
    fn read(r: &mut In<'a>) -> Option<Self> {
        let customers = read_names(r)?;
        let products = read_names(r)?;
        let categories = read_names(r)?;
        let channels = read_names(r)?;
        let orders = r.len(6)?;
        let lines = r.len(4)?;
        let scattered = r.bool()?;
        let big_quantities = r.bool()?;
        let ids = PartIds::read(r)?;
        let n = r.len(3)?;
        let mut customer_days = Vec::with_capacity(n);
        for batch in batches(n) {
            read_customer_days(r, customers.len(), &mut customer_days, batch)?;
        }
        Some(Head { customers, products, categories, channels, ids, customer_days, orders, lines, scattered, big_quantities })
    }

    /// Whether this part names an order of `ids`, or a customer's day without an id that
    /// `has_day` (by the customer's name) says is taken.
    fn names_an_order(&self, ids: &OrderIds, has_day: impl Fn(&str, Day) -> bool) -> bool {
        let shared_day = self.customer_days.iter().any(|&(c, day)| has_day(self.customers.get(c as usize).copied().unwrap_or(""), day));
        shared_day || !ids.are_all_new(&self.ids)
    }

    fn limits(&self) -> Limits {
        Limits { customers: self.customers.len(), channels: self.channels.len(), lines: self.lines, scattered: self.scattered }
    }
}

/// The next `count` of `keys` (a batch per call, never inlined: see [`BATCH`]).
#[inline(never)]
fn write_customer_days<'k>(out: &mut Out, keys: &mut impl Iterator<Item = &'k (u32, Day)>, count: usize) {
    for &(customer, day) in keys.take(count) {
        out.var(u64::from(customer));
        out.i32(day);
    }
}

/// The next `count` (customer, day) keys of orders without an id, checked against the part's
/// customer count, onto `keys` (a batch per call, never inlined: see [`BATCH`]).
#[inline(never)]
fn read_customer_days(r: &mut In<'_>, customers: usize, keys: &mut Vec<(u32, Day)>, count: usize) -> Option<()> {
    for _ in 0..count {
        let customer = check(Some(r.var32()?), customers)??;
        keys.push((customer, r.i32()?));
    }
    Some(())
}

/// A batch of customers' order counts (never inlined: see [`BATCH`]).
#[inline(never)]
fn write_counts(out: &mut Out, counts: &[u32]) {
    for &count in counts {
        out.var(u64::from(count));
    }
}

/// The next `count` of a part's customers' order counts added to their customers' here (`to`:
/// each part customer's number here); their sum onto `total` (a batch per call, never inlined).
#[inline(never)]
fn add_counts(r: &mut In<'_>, to: &[u32], counts: &mut [u32], total: &mut u64, from: usize, count: usize) -> Option<()> {
    for &customer in to.get(from..from.checked_add(count)?)? {
        let n = r.var32()?;
        let here = counts.get_mut(customer as usize)?;
        *here = here.checked_add(n)?;
        *total = total.checked_add(u64::from(n))?;
    }
    Some(())
}

/// The numbers `names` get in `interner` (interned in their order).
fn intern_all(interner: &mut Interner, names: &[&str], what: &str) -> Result<Vec<u32>> {
    interner.reserve(names.len(), names.iter().fold(0, |sum, name| sum.saturating_add(name.len())));
    names.iter().map(|name| interner.intern(name).ok_or_else(|| too_many(what))).collect()
}

/// The number index `i` of the part has here (`None` stays `None`); `None` inside for a bad index.
fn moved(map: &[u32], index: Option<u32>) -> Option<Option<u32>> {
    match index {
        None => Some(None),
        Some(i) => map.get(i as usize).copied().map(Some),
    }
}

/// The orders of the parts before a part being checked (their ids and customer days), to tell
/// whether the part names one of them.
#[derive(Default)]
struct EarlierParts<'a> {
    ids: OrderIds,
    customer_days: HashSet<(&'a str, Day)>,
}

impl<'a> EarlierParts<'a> {
    /// Adds a part's orders (`None` past u32::MAX ids).
    fn add(&mut self, part: &Head<'a>) -> Option<()> {
        self.ids.add_part(&part.ids)?;
        for &(c, day) in &part.customer_days {
            self.customer_days.insert((*part.customers.get(c as usize)?, day));
        }
        Some(())
    }
}

impl DatasetBuilder {
    /// About as many bytes as [`DatasetBuilder::write_part`] writes, or a little more: names with
    /// their lengths, up to 24 bytes an order (with its id) and 16 a line (varints of up to 8 bytes
    /// for decimals' mantissas mostly take 1-3).
    pub(crate) fn part_bytes(&self) -> usize {
        let data = &self.data;
        let names = [&data.customers, &data.products, &data.categories, &data.channels]
            .into_iter()
            .fold(0usize, |sum, names| sum.saturating_add(names.text_len()).saturating_add(names.len().saturating_mul(2)));
        let products = data.product_info.len().saturating_mul(8);
        let keys = self.customer_days.len().saturating_mul(9).saturating_add(data.customers.len().saturating_mul(3));
        let orders = self.orders.len().saturating_mul(24);
        let lines = self.lines.len().saturating_mul(16).saturating_add(16);
        [products, keys, orders, lines].into_iter().fold(names, usize::saturating_add)
    }

    /// Writes what this builder collected, for [`DatasetBuilder::join_parts`] in another instance:
    /// first what decides whether it can be joined (names, order ids), then orders and lines,
    /// small numbers as varints and days and line orders as differences (a few bytes a line).
    pub(crate) fn write_part(&self, out: &mut Out) {
        let data = &self.data;
        for names in [&data.customers, &data.products, &data.categories, &data.channels] {
            write_names(out, names);
        }
        out.len(self.orders.len());
        out.len(self.lines.len());
        out.bool(self.scattered);
        out.bool(self.big_quantities);
        self.order_ids.write(out);
        out.len(self.customer_days.len());
        let mut keys = self.customer_days.keys();
        for batch in batches(self.customer_days.len()) {
            write_customer_days(out, &mut keys, batch);
        }
        for info in &data.product_info {
            out.opt_str(info.name.as_deref());
            out.opt_var(info.category);
        }
        // The orders in a block the join can keep as it is (see `PartOrders`), after each
        // customer's count of them.
        let mut cursor = Cursor::default();
        out.block(|out| {
            let mut counts = vec![0u32; data.customers.len()];
            for o in &self.orders {
                if let Some(count) = counts.get_mut(o.customer as usize) {
                    *count = count.saturating_add(1);
                }
            }
            for counts in counts.chunks(BATCH) {
                write_counts(out, counts);
            }
            for orders in self.orders.chunks(BATCH) {
                cursor.write_orders(out, orders);
            }
        });
        // The lines last, in a block the join can keep as it is (see `PartLines`).
        out.block(|out| {
            if self.scattered {
                let mut owners = self.line_orders.iter().copied();
                for lines in self.lines.as_slice().chunks(BATCH) {
                    cursor.write_lines(out, lines, &mut owners);
                }
            } else {
                let mut owners = run_owners(&self.orders);
                for lines in self.lines.as_slice().chunks(BATCH) {
                    cursor.write_lines(out, lines, &mut owners);
                }
            }
        });
    }

    /// Whether the part names an order this builder has (then it cannot be joined exactly).
    fn shares_an_order(&self, part: &Head<'_>) -> bool {
        part.names_an_order(&self.order_ids, |name, day| {
            self.data.customers.lookup(name).is_some_and(|mine| self.customer_days.contains_key(&(mine, day)))
        })
    }

    /// Adds the lines of builders that read the rest of the file after this one's part, each
    /// after the one before it (as [`DatasetBuilder::write_part`] wrote them, each in its bytes
    /// from the offset given), as if this builder had read them in turn; the input is then
    /// whole, so the parts' order ids and keys, which only reading on would look up, are checked
    /// but not added, and lines added after them are an error. The last part's lines are kept as
    /// written, to be decoded when first read (see [`PartLines`]), unless `finish` will read
    /// them; the parts before it are decoded now. `Ok(false)`, with nothing changed, when two of
    /// them (this builder included) share an order, or there are none. Damaged bytes are an
    /// error (the builder is then not to be used).
    pub(crate) fn join_parts(&mut self, mut parts: Vec<(Vec<u8>, usize)>) -> Result<bool> {
        if self.joined {
            return Err(Error::new(ErrorCode::Internal, "the file's last parts were joined already"));
        }
        let Some(last) = parts.len().checked_sub(1) else {
            return Ok(false);
        };
        let mut heads = Vec::with_capacity(parts.len());
        let mut earlier = EarlierParts::default();
        for (part, from) in &parts {
            let mut r = In::new(part.get(*from..).ok_or_else(damaged)?);
            let head = Head::read(&mut r).ok_or_else(damaged)?;
            let earlier_day = |name: &str, day| earlier.customer_days.contains(&(name, day));
            if self.shares_an_order(&head) || head.names_an_order(&earlier.ids, earlier_day) {
                return Ok(false);
            }
            if heads.len() < last {
                earlier.add(&head).ok_or_else(damaged)?;
            }
            heads.push((head, r));
        }
        let mut kept = None;
        for (i, ((head, r), (part, from))) in heads.into_iter().zip(&parts).enumerate() {
            kept = self.join_checked(head, r, part.len(), *from, i == last)?;
        }
        self.joined = true;
        if let (Some((orders, lines)), Some((bytes, _))) = (kept, parts.pop()) {
            self.part = Some(KeptPart { bytes, orders, lines });
        }
        Ok(true)
    }

    /// Adds a part checked by [`DatasetBuilder::join_parts`] (its head read from its bytes,
    /// `part_len` of them, from `from`; `r` after the head): decoded, or, when it is the last
    /// (`last`) and `finish` will not read every line, what keeping it needs.
    fn join_checked(&mut self, head: Head<'_>, mut r: In<'_>, part_len: usize, from: usize, last: bool) -> Result<Option<(PartOrders, PartLines)>> {
        let order_offset = u32::try_from(self.orders.len()).map_err(|_| too_many("orders"))?;
        let line_offset = u32::try_from(self.lines.len()).map_err(|_| too_many("order lines"))?;
        let total_orders = self.orders.len().checked_add(head.orders);
        if total_orders.is_none_or(|n| u32::try_from(n).is_err()) {
            return Err(too_many("orders"));
        }
        let total_lines = self.lines.len().checked_add(head.lines);
        if total_lines.is_none_or(|n| u32::try_from(n).is_err()) {
            return Err(too_many("order lines"));
        }
        let data = &mut self.data;
        let customers = intern_all(&mut data.customers, &head.customers, "customers")?;
        let products = intern_all(&mut data.products, &head.products, "products")?;
        let categories = intern_all(&mut data.categories, &head.categories, "categories")?;
        let channels = intern_all(&mut data.channels, &head.channels, "channels")?;
        data.product_info.resize(data.products.len(), ProductInfo::default());
        // The first non-empty name and category seen win: this builder's, then the part's.
        for &p in &products {
            let name = r.opt_str().ok_or_else(damaged)?;
            let category = r.opt_var().and_then(|c| moved(&categories, c)).ok_or_else(damaged)?;
            if let Some(info) = data.product_info.get_mut(p as usize) {
                if info.name.is_none() {
                    info.name = name.map(Into::into);
                }
                if info.category.is_none() {
                    info.category = category;
                }
            }
        }
        let orders_block = r.block().ok_or_else(damaged)?;
        // Where the blocks lie in the part's bytes (the lines' ends them).
        let orders_at = from.saturating_add(r.offset()).saturating_sub(orders_block.len());
        let lines_block = r.block().filter(|_| r.is_done()).ok_or_else(damaged)?;
        let lines_at = part_len.saturating_sub(lines_block.len());
        // Each customer's orders counted, the part's added (checked against its count of orders).
        let mut counts = vec![0u32; data.customers.len()];
        let mut orders = In::new(orders_block);
        let mut total: u64 = 0;
        let mut counted_customers = 0;
        for batch in batches(customers.len()) {
            add_counts(&mut orders, &customers, &mut counts, &mut total, counted_customers, batch).ok_or_else(damaged)?;
            counted_customers = counted_customers.saturating_add(batch);
        }
        (total == head.orders as u64).then_some(()).ok_or_else(damaged)?;
        let counted = orders.offset();
        let to = Renumbering { customers, channels, line_offset };
        self.scattered |= head.scattered;
        self.big_quantities |= head.big_quantities;
        let lines = LineNumbers { products, orders: head.orders, count: head.lines };
        if self.scattered || self.big_quantities || !last {
            // Decoded now: `finish` reads every order and line (to group the lines, or to sum
            // their quantities), or another part follows. The part's lines go with their orders
            // after this builder's when they are listed (from their runs first if they came in
            // runs until now).
            let scattered = self.scattered || self.big_quantities;
            if scattered && self.line_orders.len() != self.lines.len() {
                self.line_orders = run_owners(&self.orders).collect();
            }
            self.read_orders(&mut orders, head.orders, head.limits(), &to).ok_or_else(damaged)?;
            orders.is_done().then_some(()).ok_or_else(damaged)?;
            let owners = scattered.then_some((&mut self.line_orders, order_offset));
            lines.decode(lines_block, &mut self.lines, owners).ok_or_else(damaged)?;
            return Ok(None);
        }
        let orders_at = orders_at.saturating_add(counted);
        let part_orders = PartOrders {
            counts,
            orders: orders_at..orders_at.saturating_add(orders_block.len().saturating_sub(counted)),
            count: head.orders,
            limits: head.limits(),
            to,
        };
        let lines = PartLines { block: lines_at..lines_at.saturating_add(lines_block.len()), lines, part: Vec::new() };
        Ok(Some((part_orders, lines)))
    }

    fn read_orders(&mut self, r: &mut In<'_>, count: usize, limits: Limits, to: &Renumbering) -> Option<()> {
        self.orders.reserve(count);
        let mut cursor = Cursor::default();
        for batch in batches(count) {
            cursor.read_orders(r, limits, to, &mut self.orders, batch)?;
        }
        Some(())
    }
}

/// A joined part kept as it was written until `finish`: its bytes, its orders (placed by
/// `finish` straight from them) and its lines (kept encoded beyond: see [`PartLines`]).
#[derive(Debug)]
pub(crate) struct KeptPart {
    pub(crate) bytes: Vec<u8>,
    pub(crate) orders: PartOrders,
    /// Its `part` is empty until `finish` hands it `bytes`.
    pub(crate) lines: PartLines,
}

/// A joined part's orders as the part wrote them (their block checked against its checksum at
/// the join, their customers' counts added up there): `finish` decodes each straight into its
/// place among the sorted orders, instead of the join decoding them into open orders that
/// `finish` reads twice more (to count them, then to place them).
#[derive(Debug)]
pub(crate) struct PartOrders {
    /// Parallel to this builder's customers: how many orders the part has of each.
    pub(crate) counts: Vec<u32>,
    /// Where the orders lie in the part's bytes.
    orders: std::ops::Range<usize>,
    count: usize,
    limits: Limits,
    to: Renumbering,
}

impl KeptPart {
    /// Its lines, holding its bytes.
    pub(crate) fn into_lines(self) -> PartLines {
        PartLines { part: self.bytes, ..self.lines }
    }
}

impl PartOrders {
    /// The part's orders (in the part's order, renumbered here) given to `each` a batch at a
    /// time; `None` when the bytes do not read (a bug: their checksum held) or hold other orders
    /// than counted.
    pub(crate) fn for_each_batch(&self, bytes: &[u8], each: &mut impl FnMut(&[OpenOrder])) -> Option<()> {
        let mut r = In::new(bytes.get(self.orders.clone())?);
        let mut cursor = Cursor::default();
        // Decoded a batch at a time into a few KiB that stay in cache, then handed over: the
        // decoding of one order waits on the one before, and interleaved with the random writes
        // of placing them it would keep fewer of those under way.
        let mut batch_orders = Vec::with_capacity(BATCH);
        for batch in batches(self.count) {
            batch_orders.clear();
            cursor.read_orders(&mut r, self.limits, &self.to, &mut batch_orders, batch)?;
            each(&batch_orders);
        }
        r.is_done().then_some(())
    }
}

/// A joined part's lines as the part wrote them (their block checked against its checksum at the
/// join), decoded when the dataset's lines are first read: an analysis of orders alone (the
/// customer table's BTYD columns, the models) never reads lines, and the block takes about a
/// third of the memory the lines it holds take decoded.
#[derive(Debug, Clone)]
pub(crate) struct PartLines {
    part: Vec<u8>,
    block: std::ops::Range<usize>,
    lines: LineNumbers,
}

impl PartLines {
    pub(crate) fn count(&self) -> usize {
        self.lines.count
    }

    /// Decodes the lines onto `lines`. Bytes that do not read although their checksum held (a
    /// bug) end them there: the orders past them then have no lines.
    pub(crate) fn decode_onto(&self, lines: &mut LineStore) {
        let block = self.part.get(self.block.clone()).unwrap_or(&[]);
        let _ = self.lines.decode(block, lines, None);
    }
}

/// What a part's lines need to be decoded here: the numbers its products have here, its count of
/// orders (which lines' orders are checked against) and of lines.
#[derive(Debug, Clone)]
struct LineNumbers {
    products: Vec<u32>,
    orders: usize,
    count: usize,
}

impl LineNumbers {
    /// The lines of `block` onto `lines`, with products renumbered; with `owners`, each line's
    /// order, moved by the offset given, onto those.
    fn decode(&self, block: &[u8], lines: &mut LineStore, mut owners: Option<(&mut Vec<u32>, u32)>) -> Option<()> {
        let mut r = In::new(block);
        lines.reserve_exact(self.count);
        if let Some((owners, _)) = owners.as_mut() {
            owners.reserve_exact(self.count);
        }
        let mut cursor = Cursor::default();
        for batch in batches(self.count) {
            cursor.read_lines(&mut r, self, lines, owners.as_mut().map(|(o, offset)| (&mut **o, *offset)), batch)?;
        }
        r.is_done().then_some(())
    }
}

/// The numbers a part's orders get here: customers and channels by the part's own numbers, and
/// line numbers moved past this builder's.
#[derive(Debug)]
struct Renumbering {
    customers: Vec<u32>,
    channels: Vec<u32>,
    line_offset: u32,
}

/// What an order or line is written relative to: the previous order's day and the end of its
/// run of lines, the previous line's order. Orders and lines go a batch per call (never inlined:
/// see [`BATCH`]).
#[derive(Default)]
struct Cursor {
    day: i64,
    start: i64,
    order: i64,
}

impl Cursor {
    #[inline(never)]
    fn write_orders(&mut self, out: &mut Out, orders: &[OpenOrder]) {
        for o in orders {
            self.write_order(out, o);
        }
    }

    #[inline(never)]
    fn write_lines(&mut self, out: &mut Out, lines: LineSlice<'_>, owners: &mut impl Iterator<Item = u32>) {
        for (l, order) in lines.iter().zip(owners) {
            self.write_line(out, &l, order);
        }
    }

    /// The next `count` orders, renumbered, onto `orders`.
    #[inline(never)]
    fn read_orders(&mut self, r: &mut In<'_>, limits: Limits, to: &Renumbering, orders: &mut Vec<OpenOrder>, count: usize) -> Option<()> {
        for _ in 0..count {
            orders.push(self.read_moved(r, limits, to)?);
        }
        Some(())
    }

    /// The next order, renumbered.
    #[inline(always)]
    fn read_moved(&mut self, r: &mut In<'_>, limits: Limits, to: &Renumbering) -> Option<OpenOrder> {
        let mut o = self.read_order(r, limits)?;
        o.customer = to.customers.get(o.customer as usize).copied()?;
        o.channel = moved(&to.channels, o.channel)?;
        o.start = o.start.wrapping_add(to.line_offset);
        Some(o)
    }

    /// The next `count` lines, with products renumbered, onto `lines`; with `owners`, their
    /// orders, moved by the offset given, onto those.
    #[inline(never)]
    fn read_lines(&mut self, r: &mut In<'_>, to: &LineNumbers, lines: &mut LineStore, owners: Option<(&mut Vec<u32>, u32)>, count: usize) -> Option<()> {
        match owners {
            Some((owners, offset)) => {
                for _ in 0..count {
                    let (line, order) = self.read_line(r, to)?;
                    lines.push(&line);
                    owners.push(order.wrapping_add(offset));
                }
            }
            None => {
                for _ in 0..count {
                    lines.push(&self.read_line(r, to)?.0);
                }
            }
        }
        Some(())
    }

    #[inline]
    fn write_order(&mut self, out: &mut Out, o: &OpenOrder) {
        out.var(u64::from(o.customer));
        out.signed(i64::from(o.day).wrapping_sub(self.day));
        self.day = i64::from(o.day);
        out.opt_var(o.channel);
        out.u8(u8::from(o.cancelled) | u8::from(o.overflow) << 1);
        out.decimal(o.revenue);
        // Runs usually follow one another.
        out.signed(i64::from(o.start).wrapping_sub(self.start));
        out.var(u64::from(o.len));
        self.start = i64::from(o.start).wrapping_add(i64::from(o.len));
    }

    #[inline]
    fn write_line(&mut self, out: &mut Out, l: &Line, order: u32) {
        out.signed(i64::from(order).wrapping_sub(self.order));
        self.order = i64::from(order);
        out.opt_var(l.product);
        out.decimal(l.quantity);
        out.decimal(l.amount);
    }

    /// An order as written, with the part's own customer, channel and line numbers (checked
    /// against the part's counts).
    #[inline]
    fn read_order(&mut self, r: &mut In<'_>, limits: Limits) -> Option<OpenOrder> {
        let customer = check(Some(r.var32()?), limits.customers)??;
        self.day = self.day.checked_add(r.signed()?)?;
        let channel = check(r.opt_var()?, limits.channels)?;
        let flags = r.u8()?;
        (flags < 4).then_some(())?;
        let overflow = flags & 2 != 0;
        let revenue = r.decimal()?;
        self.start = self.start.checked_add(r.signed()?)?;
        let start = u32::try_from(self.start).ok()?;
        let len = r.var32()?;
        // Unless the lines are scattered, each order's run lies within the part's lines.
        let end = start.checked_add(len)?;
        (limits.scattered || end as usize <= limits.lines).then_some(())?;
        self.start = i64::from(end);
        let day = i32::try_from(self.day).ok()?;
        Some(OpenOrder { customer, day, channel, cancelled: flags & 1 != 0, revenue, overflow, start, len })
    }

    /// A line as written, with its product renumbered, and its order's number in the part.
    #[inline]
    fn read_line(&mut self, r: &mut In<'_>, to: &LineNumbers) -> Option<(Line, u32)> {
        self.order = self.order.checked_add(r.signed()?)?;
        let order = u32::try_from(self.order).ok().filter(|&o| (o as usize) < to.orders)?;
        let product = moved(&to.products, r.opt_var()?)?;
        let (quantity, amount) = (r.decimal()?, r.decimal()?);
        Some((Line { product, quantity, amount }, order))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::LineInput;
    use rust_decimal::Decimal;

    fn builder(lines: &[(&str, &str, Day)]) -> DatasetBuilder {
        let mut b = DatasetBuilder::new();
        for &(customer, order, day) in lines {
            let line = LineInput { customer, order_id: Some(order), day, amount: Decimal::from(day), ..Default::default() };
            b.add_line(&line).unwrap();
        }
        b
    }

    fn part(b: &DatasetBuilder) -> Vec<u8> {
        let mut out = Out::with_room(b.part_bytes());
        b.write_part(&mut out);
        out.into_bytes()
    }

    fn amounts(lines: LineSlice<'_>) -> Vec<i64> {
        lines.iter().map(|l| i64::try_from(l.amount).unwrap()).collect()
    }

    #[test]
    fn a_joined_part_s_lines_are_decoded_when_first_read() {
        let second = builder(&[("x", "2", 5), ("x", "2", 5), ("y", "3", 6), ("x", "4", 7)]);
        let mut first = builder(&[("y", "1", 1)]);
        assert!(first.join_parts(vec![(part(&second), 0)]).unwrap());
        assert_eq!(first.line_count(), 5);
        let d = first.finish().unwrap();
        assert!(!d.lines.is_decoded());
        assert_eq!(d.line_count(), 5);
        // Orders alone do not decode them.
        assert_eq!(d.orders_of(1).iter().map(|o| o.day).collect::<Vec<_>>(), vec![5, 7]);
        assert!(!d.lines.is_decoded());
        assert_eq!(amounts(d.lines_of(&d.orders_of(1)[0])), vec![5, 5]);
        assert!(d.lines.is_decoded());
        assert_eq!(amounts(d.lines()), vec![1, 5, 5, 6, 7]);
        assert_eq!(d.line_count(), 5);
        // A copy holds them all too.
        assert_eq!(amounts(d.clone().lines()), vec![1, 5, 5, 6, 7]);
    }

    #[test]
    fn lines_finish_groups_are_decoded_at_the_join() {
        // This part's order 1 has lines apart: `finish` groups all lines, so the part's are
        // decoded when joined, with their orders.
        let second = builder(&[("x", "2", 5), ("x", "4", 7)]);
        let mut first = builder(&[("y", "1", 1), ("y", "3", 3), ("y", "1", 1)]);
        assert!(first.join_parts(vec![(part(&second), 0)]).unwrap());
        let d = first.finish().unwrap();
        assert!(d.lines.is_decoded());
        assert_eq!(amounts(d.lines()), vec![1, 1, 3, 5, 7]);
        assert_eq!(d.orders_of(0).iter().map(|o| amounts(d.lines_of(o))).collect::<Vec<_>>(), vec![vec![1, 1], vec![3]]);
        assert_eq!(d.orders_of(1).iter().map(|o| amounts(d.lines_of(o))).collect::<Vec<_>>(), vec![vec![5], vec![7]]);
    }

    #[test]
    fn a_kept_part_s_orders_are_placed_by_finish_as_one_builder_places_them() {
        let rows: [(&str, &str, Day); 7] = [("y", "1", 4), ("x", "2", 5), ("y", "3", 2), ("z", "4", 9), ("x", "5", 3), ("x", "5", 3), ("y", "6", 2)];
        let whole = builder(&rows).finish().unwrap();
        let mut first = builder(&rows[..2]);
        assert!(first.join_parts(vec![(part(&builder(&rows[2..])), 0)]).unwrap());
        assert!(first.part.is_some(), "kept until finish");
        let joined = first.finish().unwrap();
        assert_eq!(joined.orders, whole.orders);
        assert_eq!(joined.customer_orders, whole.customer_orders);
        assert_eq!(joined.day_range(), Some((2, 9)));
        assert_eq!(amounts(joined.lines()), amounts(whole.lines()));
    }

    #[test]
    fn a_kept_part_s_order_beyond_the_decimal_range_is_the_error_one_builder_gives() {
        let big = Decimal::MAX - Decimal::ONE;
        let line = |order, amount| LineInput { customer: "x", order_id: Some(order), day: 3, amount, ..Default::default() };
        let mut second = DatasetBuilder::new();
        for l in [line("2", Decimal::ONE), line("3", big), line("3", big)] {
            second.add_line(&l).unwrap();
        }
        let mut first = builder(&[("y", "1", 1)]);
        assert!(first.join_parts(vec![(part(&second), 0)]).unwrap());
        assert!(first.part.is_some(), "kept until finish");
        let e = first.finish().unwrap_err();
        assert!(e.message.contains("total revenue is beyond the exact decimal range"), "{}", e.message);
    }

    #[test]
    fn damaged_parts_are_errors_or_other_data_never_a_panic() {
        let second = builder(&[("x", "2", 5), ("y", "3", 6), ("x", "4", 7)]);
        let mut out = Out::with_room(second.part_bytes());
        second.write_part(&mut out);
        let bytes = out.into_bytes();
        let mut first = builder(&[("y", "1", 1)]);
        assert!(first.join_parts(vec![(bytes.clone(), 0)]).unwrap());
        assert_eq!(first.finish().unwrap().orders.iter().map(|o| o.day).collect::<Vec<_>>(), vec![1, 6, 5, 7]);
        for i in 0..bytes.len() {
            for flip in [1u8, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[i] ^= flip;
                let mut first = builder(&[("y", "1", 1)]);
                if let Ok(true) = first.join_parts(vec![(damaged, 0)]) {
                    let _ = first.finish().map(|d| d.lines().len());
                }
            }
        }
    }
}
