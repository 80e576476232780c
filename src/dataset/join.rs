//! Joining a builder that read a later part of a file to the one that read the part before it, as
//! if one builder had read both in turn; or refusing, unchanged, when that cannot be done exactly.
//!
//! Names are numbered in order of first appearance, so interning the part's names in its own order
//! after this builder's gives the numbers one builder would have given; the same holds for orders
//! and lines. What cannot be joined exactly is an order both parts name (an order id, or a
//! customer's day without one): the caller then reads the rest of the file itself.

use super::order_ids::PartIds;
use super::{too_many, DatasetBuilder, Day, Interner, Line, OpenOrder, ProductInfo, Total};
use crate::error::Result;
use crate::wire::{damaged, In, Out};

fn write_names(out: &mut Out, names: &Interner) {
    out.len(names.len());
    for name in names.iter() {
        out.str(name);
    }
}

fn read_names<'a>(r: &mut In<'a>) -> Option<Vec<&'a str>> {
    let n = r.len(8)?;
    (0..n).map(|_| read_name(r)).collect()
}

/// One name (per call and never inlined, as `Cursor`'s functions).
#[inline(never)]
fn read_name<'a>(r: &mut In<'a>) -> Option<&'a str> {
    r.str()
}

/// `Some(index)` when `index` is below `len` (or `None` stays `None`); `None` otherwise.
fn check(index: Option<u32>, len: usize) -> Option<Option<u32>> {
    match index {
        Some(i) if (i as usize) < len => Some(Some(i)),
        Some(_) => None,
        None => Some(None),
    }
}

/// What a part says before its orders and lines: enough to decide whether it can be joined.
struct Head<'a> {
    customers: Vec<&'a str>,
    products: Vec<&'a str>,
    categories: Vec<&'a str>,
    channels: Vec<&'a str>,
    ids: PartIds<'a>,
    customer_days: Vec<(u32, Day, u32)>,
    orders: usize,
    lines: usize,
    scattered: bool,
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
        let ids = PartIds::read(r)?;
        ids.orders().all(|o| (o as usize) < orders).then_some(())?;
        let n = r.len(3)?;
        let mut customer_days = Vec::with_capacity(n);
        for _ in 0..n {
            let customer = check(Some(r.var32()?), customers.len())??;
            let day = r.i32()?;
            let order = check(Some(r.var32()?), orders)??;
            customer_days.push((customer, day, order));
        }
        Some(Head { customers, products, categories, channels, ids, customer_days, orders, lines, scattered })
    }
}

/// The numbers `names` get in `interner` (interned in their order).
fn intern_all(interner: &mut Interner, names: &[&str], what: &str) -> Result<Vec<u32>> {
    names.iter().map(|name| interner.intern(name).ok_or_else(|| too_many(what))).collect()
}

/// The number index `i` of the part has here (`None` stays `None`); `None` inside for a bad index.
fn moved(map: &[u32], index: Option<u32>) -> Option<Option<u32>> {
    match index {
        None => Some(None),
        Some(i) => map.get(i as usize).copied().map(Some),
    }
}

impl DatasetBuilder {
    /// Writes what this builder collected, for [`DatasetBuilder::join_part`] in another instance:
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
        self.order_ids.write(out);
        out.len(self.customer_days.len());
        for (&(customer, day), &order) in &self.customer_days {
            out.var(u64::from(customer));
            out.i32(day);
            out.var(u64::from(order));
        }
        for info in &data.product_info {
            out.opt_str(info.name.as_deref());
            out.opt_var(info.category);
        }
        let mut cursor = Cursor::default();
        for o in &self.orders {
            cursor.write_order(out, o);
        }
        for (l, &own) in self.lines.iter().zip(&self.line_orders) {
            cursor.write_line(out, l, own);
        }
    }

    /// Whether the part names an order this builder has (then it cannot be joined exactly).
    fn shares_an_order(&self, part: &Head<'_>) -> bool {
        let shared_day = part.customer_days.iter().any(|&(c, day, _)| {
            let name = part.customers.get(c as usize).copied().unwrap_or("");
            self.data.customers.lookup(name).is_some_and(|mine| self.customer_days.contains_key(&(mine, day)))
        });
        shared_day || !self.order_ids.are_all_new(&part.ids)
    }

    /// Adds the lines of a builder that read the part of the file right after this one's (as
    /// [`DatasetBuilder::write_part`] wrote it), as if this builder had read them in turn.
    /// `Ok(false)`, with nothing changed, when the two parts share an order. Damaged bytes are an
    /// error (the builder is then not to be used).
    pub(crate) fn join_part(&mut self, r: &mut In<'_>) -> Result<bool> {
        let head = Head::read(r).ok_or_else(damaged)?;
        if self.shares_an_order(&head) {
            return Ok(false);
        }
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
        data.customer_channel.resize(data.customers.len(), None);
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
        self.read_orders(r, &head, &customers, &channels, line_offset).ok_or_else(damaged)?;
        self.read_lines(r, &head, &products, order_offset).ok_or_else(damaged)?;
        self.scattered |= head.scattered;
        self.order_ids.absorb(&head.ids, order_offset).ok_or_else(damaged)?;
        for &(c, day, order) in &head.customer_days {
            let customer = customers.get(c as usize).copied().ok_or_else(damaged)?;
            self.customer_days.insert((customer, day), order.wrapping_add(order_offset));
        }
        Ok(true)
    }

    fn read_orders(&mut self, r: &mut In<'_>, head: &Head<'_>, customers: &[u32], channels: &[u32], line_offset: u32) -> Option<()> {
        self.orders.reserve(head.orders);
        let mut cursor = Cursor::default();
        for _ in 0..head.orders {
            let mut o = cursor.read_order(r, head)?;
            o.customer = customers.get(o.customer as usize).copied()?;
            o.channel = moved(channels, o.channel)?;
            o.start = o.start.wrapping_add(line_offset);
            self.orders.push(o);
        }
        Some(())
    }

    fn read_lines(&mut self, r: &mut In<'_>, head: &Head<'_>, products: &[u32], order_offset: u32) -> Option<()> {
        self.lines.reserve(head.lines);
        self.line_orders.reserve(head.lines);
        let mut cursor = Cursor::default();
        for _ in 0..head.lines {
            let (mut line, order) = cursor.read_line(r, head)?;
            line.product = moved(products, line.product)?;
            self.lines.push(line);
            self.line_orders.push(order.wrapping_add(order_offset));
        }
        Some(())
    }
}

/// What an order or line is written relative to: the previous order's day and the end of its
/// run of lines, the previous line's order.
///
/// One order or line per call, and never inlined: V8 runs a wasm function called once in its
/// baseline code to the end (it cannot switch a running call to optimised code), while a function
/// called per order is optimised after its first few thousand calls.
#[derive(Default)]
struct Cursor {
    day: i64,
    start: i64,
    order: i64,
}

impl Cursor {
    #[inline(never)]
    fn write_order(&mut self, out: &mut Out, o: &OpenOrder) {
        out.var(u64::from(o.customer));
        out.signed(i64::from(o.day).wrapping_sub(self.day));
        self.day = i64::from(o.day);
        out.opt_var(o.channel);
        let overflow = match o.overflow {
            None => 0,
            Some(Total::Revenue) => 2,
            Some(Total::Quantity) => 4,
        };
        out.u8(u8::from(o.cancelled) | overflow);
        out.decimal(o.revenue);
        out.decimal(o.items);
        // Runs usually follow one another.
        out.signed(i64::from(o.start).wrapping_sub(self.start));
        out.var(u64::from(o.len));
        self.start = i64::from(o.start).wrapping_add(i64::from(o.len));
    }

    #[inline(never)]
    fn write_line(&mut self, out: &mut Out, l: &Line, order: u32) {
        out.signed(i64::from(order).wrapping_sub(self.order));
        self.order = i64::from(order);
        out.opt_var(l.product);
        out.decimal(l.quantity);
        out.decimal(l.amount);
    }

    /// An order as written, with the part's own customer, channel and line numbers (checked
    /// against the part's counts).
    #[inline(never)]
    fn read_order(&mut self, r: &mut In<'_>, head: &Head<'_>) -> Option<OpenOrder> {
        let customer = check(Some(r.var32()?), head.customers.len())??;
        self.day = self.day.checked_add(r.signed()?)?;
        let channel = check(r.opt_var()?, head.channels.len())?;
        let flags = r.u8()?;
        let overflow = match flags & 6 {
            0 => None,
            2 => Some(Total::Revenue),
            4 => Some(Total::Quantity),
            _ => return None,
        };
        let (revenue, items) = (r.decimal()?, r.decimal()?);
        self.start = self.start.checked_add(r.signed()?)?;
        let start = u32::try_from(self.start).ok()?;
        let len = r.var32()?;
        // Unless the lines are scattered, each order's run lies within the part's lines.
        let end = start.checked_add(len)?;
        (head.scattered || end as usize <= head.lines).then_some(())?;
        self.start = i64::from(end);
        let day = i32::try_from(self.day).ok()?;
        Some(OpenOrder { customer, day, channel, cancelled: flags & 1 != 0, revenue, items, overflow, start, len })
    }

    /// A line as written, with the part's own product number, and its order's part number.
    #[inline(never)]
    fn read_line(&mut self, r: &mut In<'_>, head: &Head<'_>) -> Option<(Line, u32)> {
        self.order = self.order.checked_add(r.signed()?)?;
        let order = u32::try_from(self.order).ok().filter(|&o| (o as usize) < head.orders)?;
        let product = check(r.opt_var()?, head.products.len())?;
        let (quantity, amount) = (r.decimal()?, r.decimal()?);
        Some((Line { product, quantity, amount }, order))
    }
}
