//! The one in-memory form every analysis reads: orders and their lines as compact rows of small
//! integers and exact decimals, with customer, product, category and channel strings kept once.
//!
//! Built line by line by [`DatasetBuilder`] (the ingest feeds it; tests may too), then frozen by
//! [`DatasetBuilder::finish`] into a [`Dataset`] whose orders are sorted by customer, then day.

use rustc_hash::FxHashMap as HashMap;

use rust_decimal::Decimal;

use crate::error::{Error, ErrorCode, Result};
use crate::wire::damaged;

mod interner;
mod join;
mod lines;
mod order_ids;
pub use interner::Interner;
use join::KeptPart;
pub use lines::{LineIter, LineSlice};
pub(crate) use lines::LineStore;
use lines::Lines;
pub(crate) use interner::{same_text, TextKey};
use order_ids::OrderIds;

/// A calendar date as days since 1970-01-01 (proleptic Gregorian; negative before 1970).
pub type Day = i32;

/// One order (or, without an order id column, one customer's lines on one day).
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub day: Day,
    /// Sum of its lines' amounts (returns netted in, as negative amounts).
    pub revenue: Decimal,
    /// Its lines are `dataset.lines()[lines.0 as usize .. (lines.0 + lines.1) as usize]`.
    pub lines: (u32, u32),
    /// True when the order is a return or cancellation (net revenue below zero, or marked so).
    pub is_return: bool,
}

/// One line of an order (kept packed: see [`lines`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    /// Index into `Dataset::products`; `None` when the file has no product column.
    pub product: Option<u32>,
    pub quantity: Decimal,
    pub amount: Decimal,
}

/// What is known of a product (the first non-empty value seen wins).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProductInfo {
    pub name: Option<Box<str>>,
    pub category: Option<u32>,
}

/// The frozen dataset.
#[derive(Debug, Default, Clone)]
pub struct Dataset {
    pub customers: Interner,
    pub products: Interner,
    /// Parallel to `products`.
    pub product_info: Vec<ProductInfo>,
    pub categories: Interner,
    pub channels: Interner,
    /// Parallel to `customers`: the channel on the customer's first order (by day, then file order);
    /// set by `finish` (empty while the builder reads).
    pub customer_channel: Vec<Option<u32>>,
    /// Sorted by customer, then day, then file order.
    pub orders: Vec<Order>,
    /// In file order, grouped by order (decoded when first read: see [`Lines`]).
    pub(crate) lines: Lines,
    /// Parallel to `customers`: the customer's orders are `orders[start .. start + len]`.
    pub customer_orders: Vec<(u32, u32)>,
    /// [`Dataset::day_range`], once known (`finish` finds it while counting the orders).
    pub(crate) days: std::cell::OnceCell<Option<(Day, Day)>>,
}

impl Dataset {
    /// The orders of customer `c`, sorted by day.
    pub fn orders_of(&self, c: u32) -> &[Order] {
        let (start, len) = self
            .customer_orders
            .get(c as usize)
            .copied()
            .unwrap_or((0, 0));
        self.orders
            .get(start as usize..(start as usize).saturating_add(len as usize))
            .unwrap_or(&[])
    }

    /// Every order's lines, in file order, grouped by order.
    pub fn lines(&self) -> LineSlice<'_> {
        self.lines.get()
    }

    /// How many lines there are (without decoding those not read yet: see [`Lines`]).
    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// The lines of `order`.
    pub fn lines_of(&self, order: &Order) -> LineSlice<'_> {
        let (start, len) = order.lines;
        self.lines().range(start, len)
    }

    /// The items of `order`: its lines' quantities summed (1 per line when the file has no
    /// quantity column). Not kept per order: only the per-customer table's items column asks, and
    /// 16 bytes an order cost every ingest. Never beyond the decimal range in a dataset `finish`
    /// made (it checks); an error otherwise.
    pub fn items(&self, order: &Order) -> Result<Decimal> {
        self.lines_of(order)
            .iter()
            .try_fold(Decimal::ZERO, |sum, l| sum.checked_add(l.quantity))
            .ok_or_else(|| sum_overflow("quantity"))
    }

    /// First and last order day over all customers; `None` when there are no orders.
    pub fn day_range(&self) -> Option<(Day, Day)> {
        // Asked by every analysis without an asOf: one pass over the orders (tens of MB in a large
        // file) at most, then remembered.
        *self.days.get_or_init(|| self.orders.iter().fold(None, |range, o| Some(widen(range, o.day))))
    }
}

/// `range` widened to take in `day`.
fn widen(range: Option<(Day, Day)>, day: Day) -> (Day, Day) {
    range.map_or((day, day), |(first, last)| (first.min(day), last.max(day)))
}

/// One accepted line of input, as the ingest hands it over.
#[derive(Debug, Clone, Default)]
pub struct LineInput<'a> {
    pub customer: &'a str,
    /// Lines with the same order id form one order; without one, a customer's lines on one day do.
    pub order_id: Option<&'a str>,
    pub day: Day,
    pub amount: Decimal,
    /// `None` counts as 1.
    pub quantity: Option<Decimal>,
    pub product: Option<&'a str>,
    pub product_name: Option<&'a str>,
    pub category: Option<&'a str>,
    pub channel: Option<&'a str>,
    /// Marked as a cancellation or return by the file (e.g. an invoice number starting with "C").
    pub cancelled: bool,
}


#[derive(Debug, Clone)]
struct OpenOrder {
    customer: u32,
    day: Day,
    channel: Option<u32>,
    cancelled: bool,
    /// Sum of its lines' amounts so far, in file order.
    revenue: Decimal,
    /// True once that sum went beyond the exact range: `finish` reports it, and the sum stops
    /// there. (Quantities are not summed per order: see [`Dataset::items`].)
    overflow: bool,
    /// Its lines are `lines[start .. start + len]` while they come one after another (unless
    /// the builder is `scattered`).
    start: u32,
    len: u32,
}

impl OpenOrder {
    /// Its lines, `(start, len)`, as order `i`: its own run, or, when `ranges` is given (the
    /// lines came scattered and were grouped), `ranges[i]`.
    #[inline]
    fn lines(&self, i: usize, ranges: Option<&[(u32, u32)]>) -> (u32, u32) {
        match ranges {
            Some(ranges) => ranges.get(i).copied().unwrap_or((0, 0)),
            None => (self.start, self.len),
        }
    }

    /// Adds a line's amount to the revenue (an overflow is kept).
    #[inline(always)]
    fn add(&mut self, amount: Decimal) {
        if self.overflow {
            return;
        }
        match self.revenue.checked_add(amount) {
            Some(revenue) => self.revenue = revenue,
            None => self.overflow = true,
        }
    }
}

/// Quantities below this in magnitude cannot take an order's items beyond the decimal range:
/// an order has fewer than 2^32 lines, and 2^32 · 2^63 = 2^95 < `Decimal::MAX` (2^96 - 1).
const SMALL_QUANTITY: u128 = 1 << 63;

/// Whether `quantity` could take a sum of quantities beyond the decimal range (see above).
#[inline(always)]
fn is_big(quantity: Decimal) -> bool {
    quantity.mantissa().unsigned_abs() >= SMALL_QUANTITY
}

/// Collects lines into orders; `finish` sorts and freezes them.
#[derive(Debug, Default)]
pub struct DatasetBuilder {
    data: Dataset,
    orders: Vec<OpenOrder>,
    /// The lines in file order, and the order of each (two vectors, so that `finish` can hand
    /// the lines over as they are when no order's lines are scattered). The orders of the lines
    /// are kept only once they came scattered: until then the orders' runs of lines, one after
    /// another, are the lines ([`run_owners`]).
    lines: LineStore,
    line_orders: Vec<u32>,
    /// True once an order's lines did not all come one after another (then `finish` groups them).
    scattered: bool,
    /// True once a line's quantity was big enough for an order's items to go beyond the decimal
    /// range (see [`SMALL_QUANTITY`]): then `finish` sums every order's quantities to find out.
    big_quantities: bool,
    /// Which order each order id seen so far names.
    order_ids: OrderIds,
    /// Orders by customer and day (lines without an order id).
    customer_days: HashMap<(u32, Day), u32>,
    /// The previous line's order id and order, when it had one (lines of one order usually
    /// come together).
    last_id: TextKey,
    last_order: Option<u32>,
    /// The previous line's customer, product, category and channel: tried before a hash lookup,
    /// as neighbouring lines often repeat them.
    last_customer: Option<u32>,
    /// `last_customer`'s name, kept here: comparing with it reads no interner memory (a file's
    /// customers come in no useful order, so theirs is rarely in cache).
    last_customer_name: TextKey,
    last_product: Option<u32>,
    last_category: Option<u32>,
    last_channel: Option<u32>,
    /// True once later parts were joined ([`DatasetBuilder::join_parts`]): the input is then
    /// whole, and only `finish` is left (the part's order ids were never added).
    joined: bool,
    /// The joined part, when kept as it was written until `finish` (its lines come after `lines`).
    part: Option<KeptPart>,
}

#[cold]
#[inline(never)]
fn empty_customer() -> Error {
    Error::new(ErrorCode::MissingField, "the customer id is empty").with_field("customer")
}

#[cold]
#[inline(never)]
fn conflicting_customer(id: &str, owner: &str, customer: &str) -> Error {
    let message = format!("order {id} already belongs to customer {owner}; this line names customer {customer}");
    Error::new(ErrorCode::ConflictingFields, message).with_field("customer")
}

#[cold]
#[inline(never)]
fn conflicting_day(id: &str) -> Error {
    let message = format!("order {id} already has another date; an order's lines must share one date");
    Error::new(ErrorCode::ConflictingFields, message).with_field("date")
}

#[cold]
#[inline(never)]
fn too_many(what: &str) -> Error {
    Error::new(
        ErrorCode::Overflow,
        format!("more than 4,294,967,295 distinct {what}: the file is beyond clvkit's limits"),
    )
}

/// `s` without surrounding whitespace (as `str::trim`), with a quick path for the usual case.
#[inline(always)]
pub(crate) fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// The trimmed value, `None` when absent or blank.
#[inline(always)]
fn value(s: Option<&str>) -> Option<&str> {
    s.map(trim).filter(|s| !s.is_empty())
}

/// The number of `name`, checking first whether it is `hint`'s (no hashing then). Inlined: the
/// hint check is cheaper than a call.
#[inline(always)]
fn intern(interner: &mut Interner, name: &str, hint: Option<u32>, what: &str) -> Result<u32> {
    match hint {
        Some(h) if interner.is(h, name) => Ok(h),
        _ => interner.intern(name).ok_or_else(|| too_many(what)),
    }
}

/// [`intern`] for an optional value.
#[inline(always)]
fn intern_value(
    interner: &mut Interner,
    name: Option<&str>,
    hint: Option<u32>,
    what: &str,
) -> Result<Option<u32>> {
    name.map(|name| intern(interner, name, hint, what))
        .transpose()
}

impl DatasetBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one line. An error (the line conflicts with its order's customer or day) leaves the
    /// builder unchanged, so the caller can count the line as rejected and go on.
    pub fn add_line(&mut self, input: &LineInput<'_>) -> Result<()> {
        if self.joined {
            return Err(Error::new(ErrorCode::Internal, "a line came after the file's last part was joined"));
        }
        let customer_name = trim(input.customer);
        if customer_name.is_empty() {
            return Err(empty_customer());
        }
        let order_id = value(input.order_id);
        // The order the id names, checked against this line, or where a new id goes.
        let known = match order_id.map(|id| self.find_order(id)) {
            Some(Ok(o)) => {
                let open = self.orders.get(o as usize).ok_or_else(|| Error::new(ErrorCode::Internal, "an order id names no order"))?;
                let id = order_id.unwrap_or_default();
                let same_customer = if self.last_customer == Some(open.customer) {
                    self.last_customer_name.is(customer_name)
                } else {
                    self.data.customers.is(open.customer, customer_name)
                };
                if !same_customer {
                    let owner = self.data.customers.name(open.customer);
                    return Err(conflicting_customer(id, owner, customer_name));
                }
                if open.day != input.day {
                    return Err(conflicting_day(id));
                }
                Ok((o, open.customer, open.channel))
            }
            Some(Err(new)) => Err(Some(new)),
            None => Err(None),
        };
        let data = &mut self.data;
        let customer = match known {
            // Its name was just compared.
            Ok((_, customer, _)) => customer,
            _ => match self.last_customer {
                Some(last) if self.last_customer_name.is(customer_name) => last,
                _ => data.customers.intern(customer_name).ok_or_else(|| too_many("customers"))?,
            },
        };
        if self.last_customer != Some(customer) {
            self.last_customer = Some(customer);
            self.last_customer_name.set(customer_name);
        }
        let product = intern_value(
            &mut data.products,
            value(input.product),
            self.last_product,
            "products",
        )?;
        if let Some(p) = product {
            self.last_product = Some(p);
            if data.product_info.len() < data.products.len() {
                data.product_info.push(ProductInfo::default());
            }
            let info = data.product_info.get_mut(p as usize);
            let hint = info
                .as_ref()
                .and_then(|info| info.category)
                .or(self.last_category);
            let category = intern_value(
                &mut data.categories,
                value(input.category),
                hint,
                "categories",
            )?;
            self.last_category = category.or(self.last_category);
            if let Some(info) = info {
                if info.name.is_none() {
                    info.name = value(input.product_name).map(Into::into);
                }
                if info.category.is_none() {
                    info.category = category;
                }
            }
        }
        let channel_hint = known.ok().and_then(|(_, _, channel)| channel);
        let channel = intern_value(
            &mut data.channels,
            value(input.channel),
            channel_hint.or(self.last_channel),
            "channels",
        )?;
        self.last_channel = channel.or(self.last_channel);
        let next = u32::try_from(self.orders.len()).map_err(|_| too_many("orders"))?;
        let order = match (order_id, known) {
            (_, Ok((o, _, _))) => o,
            (Some(id), Err(Some(new))) => {
                self.order_ids.insert(new, id, next).ok_or_else(|| too_many("orders"))?;
                next
            }
            _ => *self.customer_days.entry((customer, input.day)).or_insert(next),
        };
        if let Some(id) = order_id {
            if self.last_order != Some(order) {
                self.last_id.set(id);
                self.last_order = Some(order);
            }
        }
        let index = u32::try_from(self.lines.len()).map_err(|_| too_many("order lines"))?;
        let quantity = input.quantity.unwrap_or(Decimal::ONE);
        self.big_quantities |= is_big(quantity);
        if order == next {
            let mut open = OpenOrder {
                customer,
                day: input.day,
                channel,
                cancelled: input.cancelled,
                revenue: Decimal::ZERO,
                overflow: false,
                start: index,
                len: 1,
            };
            open.add(input.amount);
            self.orders.push(open);
        } else if let Some(open) = self.orders.get_mut(order as usize) {
            open.cancelled |= input.cancelled;
            open.channel = open.channel.or(channel);
            open.add(input.amount);
            if open.start.wrapping_add(open.len) == index {
                open.len = open.len.wrapping_add(1);
            } else if !self.scattered {
                self.scattered = true;
                self.line_orders = run_owners(&self.orders).collect();
            }
        }
        self.lines.push(&Line {
            product,
            quantity,
            amount: input.amount,
        });
        if self.scattered {
            self.line_orders.push(order);
        }
        Ok(())
    }

    fn find_order<'a>(&self, id: &'a str) -> std::result::Result<u32, order_ids::NewId<'a>> {
        match self.last_order {
            Some(o) if self.last_id.is(id) => Ok(o),
            _ => self.order_ids.find(id),
        }
    }

    /// The product of the last line added (`None` also before the first line).
    pub fn last_product(&self) -> Option<u32> {
        self.lines.last_product()
    }

    pub fn line_count(&self) -> usize {
        self.lines.len().saturating_add(self.part.as_ref().map_or(0, |part| part.lines.count()))
    }

    /// Lines the builder has room for without growing (tests of the room made ahead).
    #[cfg(test)]
    pub(crate) fn line_capacity(&self) -> usize {
        self.lines.capacity()
    }

    /// Room made for lines and orders (what [`DatasetBuilder::reserve`] did).
    #[cfg(test)]
    pub(crate) fn room(&self) -> (usize, usize) {
        (self.lines.capacity(), self.orders.capacity())
    }

    pub fn order_count(&self) -> usize {
        self.orders.len()
    }

    /// Makes room for `lines` lines and `orders` orders in all (growing by doubling copies what
    /// is there at each step, and overshoots). A hint: when the memory is not there, nothing is
    /// reserved and the vectors grow as they would.
    pub fn reserve(&mut self, lines: usize, orders: usize) {
        let more_lines = lines.saturating_sub(self.lines.len());
        let more_orders = orders.saturating_sub(self.orders.len());
        self.lines.reserve_exact(more_lines);
        let _ = self.orders.try_reserve_exact(more_orders);
        self.order_ids.reserve(orders);
    }

    /// Sorts orders by customer, then day, then first appearance; groups lines under their orders.
    pub fn finish(self) -> Result<Dataset> {
        let DatasetBuilder {
            mut data,
            orders,
            lines,
            line_orders,
            scattered,
            big_quantities,
            order_ids,
            customer_days,
            part,
            ..
        } = self;
        // What only reading needed is freed first: the sorted orders can take its memory (memory
        // never touched costs a page fault a page).
        drop((order_ids, customer_days));
        // Each order's lines are its own run unless they came scattered. A joined part is still
        // as it was written only when neither is the case (see `join_parts`).
        let (ranges, own_lines) = match part {
            Some(_) if scattered || big_quantities => {
                return Err(Error::new(ErrorCode::Internal, "a joined part's lines were left encoded"));
            }
            Some(_) => (None, lines),
            None if scattered => {
                let grouped = group_lines(lines, &line_orders, orders.len())?;
                data.lines = grouped.lines.into();
                (Some(grouped.ranges), LineStore::default())
            }
            None => {
                data.lines = lines.into();
                (None, LineStore::default())
            }
        };
        drop(line_orders);
        if big_quantities {
            check_totals(&orders, ranges.as_deref(), data.lines())?;
        }
        // One pass over the orders counts each customer's (a kept part's counts come with it) and
        // finds the first overflow.
        let extra = part.as_ref().map(|p| p.orders.counts.as_slice());
        let counted = count_orders(&orders, data.customers.len(), extra)?;
        let sorted = sort_orders(&orders, ranges.as_deref(), counted, part.as_ref())?;
        drop(orders);
        data.days = sorted.days.into();
        data.customer_orders = sorted.ranges;
        data.customer_channel = sorted.channels;
        data.orders = sorted.orders;
        if let Some(part) = part {
            data.lines = Lines::new(own_lines, Some(part.into_lines()));
        }
        Ok(data)
    }
}

/// The order of each line while no order's lines came scattered: orders are numbered as their
/// first lines come, so their runs of lines, one after another, are all the lines.
fn run_owners(orders: &[OpenOrder]) -> impl Iterator<Item = u32> + '_ {
    (0u32..).zip(orders).flat_map(|(i, o)| std::iter::repeat_n(i, o.len as usize))
}

/// The first order (in order of first appearance) whose revenue or items go beyond the decimal
/// range, summed line by line in file order, as the error (the revenue first on a line where
/// both do). `ranges`, when given, is parallel to `orders`: each order's lines.
fn check_totals(orders: &[OpenOrder], ranges: Option<&[(u32, u32)]>, lines: LineSlice<'_>) -> Result<()> {
    for (i, open) in orders.iter().enumerate() {
        let (start, len) = open.lines(i, ranges);
        let own = lines.range(start, len);
        let (mut revenue, mut items) = (Decimal::ZERO, Decimal::ZERO);
        for line in own {
            revenue = revenue.checked_add(line.amount).ok_or_else(|| sum_overflow("revenue"))?;
            items = items.checked_add(line.quantity).ok_or_else(|| sum_overflow("quantity"))?;
        }
    }
    Ok(())
}

/// Lines grouped by order.
struct GroupedLines {
    /// By order, then file order.
    lines: LineStore,
    /// Parallel to the orders: their lines are `lines[start .. start + len]`.
    ranges: Vec<(u32, u32)>,
}

/// A stable counting sort of the lines by order.
fn group_lines(lines: LineStore, line_orders: &[u32], orders: usize) -> Result<GroupedLines> {
    let mut counts = vec![0u32; orders];
    for &order in line_orders {
        if let Some(count) = counts.get_mut(order as usize) {
            *count = count
                .checked_add(1)
                .ok_or_else(|| too_many("order lines"))?;
        }
    }
    let mut ranges = Vec::with_capacity(orders);
    let mut total: u32 = 0;
    for &count in &counts {
        ranges.push(if count == 0 { (0, 0) } else { (total, count) });
        total = total
            .checked_add(count)
            .ok_or_else(|| too_many("order lines"))?;
    }
    // Lines usually come order by order already (orders are numbered as they first appear).
    if line_orders.is_sorted() {
        return Ok(GroupedLines { lines, ranges });
    }
    let LineStore { packed, big } = lines;
    let mut grouped = vec![LineStore::blank(); total as usize];
    // The next free slot of each order.
    let mut next: Vec<u32> = ranges.iter().map(|&(start, _)| start).collect();
    for (line, &order) in packed.into_iter().zip(line_orders) {
        let Some(slot) = next.get_mut(order as usize) else {
            continue;
        };
        if let Some(place) = grouped.get_mut(*slot as usize) {
            *place = line;
        }
        *slot = slot.saturating_add(1);
    }
    Ok(GroupedLines {
        lines: LineStore { packed: grouped, big },
        ranges,
    })
}

/// Orders sorted by customer, then day, then first appearance.
struct SortedOrders {
    orders: Vec<Order>,
    /// Parallel to the customers: their orders are `orders[start .. start + len]`.
    ranges: Vec<(u32, u32)>,
    /// Parallel to the customers: the channel of each one's first order (by day, then file order).
    channels: Vec<Option<u32>>,
    /// The first and last order day.
    days: Option<(Day, Day)>,
}

/// What [`count_orders`] found: how many orders each customer has.
struct Counted {
    /// Parallel to the customers: where their orders go, `(start, len)`.
    ranges: Vec<(u32, u32)>,
    /// All orders counted.
    total: u32,
    /// The first and last day of the orders counted (a kept part's are not).
    days: Option<(Day, Day)>,
}

/// Each customer's orders counted (with `extra` more each, when given: a kept part's) and
/// placed; the first overflow of an order's totals, in order of first appearance, is the error.
fn count_orders(orders: &[OpenOrder], customers: usize, extra: Option<&[u32]>) -> Result<Counted> {
    // Each customer's count in its range's length, then the starts.
    let mut ranges = match extra {
        Some(counts) if counts.len() == customers => counts.iter().map(|&n| (0, n)).collect(),
        Some(_) => return Err(Error::new(ErrorCode::Internal, "a joined part's counts are not the customers'")),
        None => vec![(0u32, 0u32); customers],
    };
    let mut days = None;
    for open in orders {
        days = Some(widen(days, open.day));
        if open.overflow {
            return Err(sum_overflow("revenue"));
        }
        if let Some((_, count)) = ranges.get_mut(open.customer as usize) {
            *count = count.checked_add(1).ok_or_else(|| too_many("orders"))?;
        }
    }
    let mut total: u32 = 0;
    for (start, count) in &mut ranges {
        if *count != 0 {
            *start = total;
        }
        total = total.checked_add(*count).ok_or_else(|| too_many("orders"))?;
    }
    Ok(Counted { ranges, total, days })
}

/// Where a customer's next order goes, the day of the one last put there (or `OUT_OF_ORDER` once
/// one came before it), and the day and channel of its first order (by day, then file order):
/// side by side, one cache line per order.
#[derive(Clone, Copy)]
struct Next {
    slot: u32,
    day: Day,
    /// `NO_FIRST` until its first order is placed.
    first_day: Day,
    /// The first order's channel, `NO_CHANNEL` for none.
    first_channel: u32,
}

const NO_FIRST: Day = Day::MAX;
const NO_CHANNEL: u32 = u32::MAX;
/// `Next::day` once a customer's orders came out of day order.
const OUT_OF_ORDER: Day = Day::MAX;

/// Orders being put in their customers' places, in file order.
struct Placer {
    next: Vec<Next>,
    sorted: Vec<Order>,
    /// Customers whose orders came out of day order, each once (their slots are sorted afterwards).
    unsorted: Vec<u32>,
}

impl Placer {
    /// Puts a batch of orders that are their own lines' runs in place, widening `days` to take in
    /// theirs and noting an overflow (a batch a call, never inlined: a loop run in one call is
    /// never moved to optimised code, see [`crate::wire::BATCH`]).
    #[inline(never)]
    fn place_batch(&mut self, batch: &[OpenOrder], days: &mut Option<(Day, Day)>, overflow: &mut bool) {
        for open in batch {
            *days = Some(widen(*days, open.day));
            *overflow |= open.overflow;
            self.place(open, (open.start, open.len));
        }
    }

    /// Puts `open` (with its lines `lines`) in its customer's next slot.
    #[inline(always)]
    fn place(&mut self, open: &OpenOrder, lines: (u32, u32)) {
        let Some(next) = self.next.get_mut(open.customer as usize) else {
            return;
        };
        if next.day != OUT_OF_ORDER {
            if open.day < next.day {
                self.unsorted.push(open.customer);
                next.day = OUT_OF_ORDER;
            } else {
                next.day = open.day;
            }
        }
        // Days stay below `NO_FIRST` (as below `OUT_OF_ORDER`): the dates parsed are 1900-2200.
        if open.day < next.first_day {
            next.first_day = open.day;
            next.first_channel = open.channel.unwrap_or(NO_CHANNEL);
        }
        if let Some(place) = self.sorted.get_mut(next.slot as usize) {
            let revenue = open.revenue;
            *place = Order {
                day: open.day,
                revenue,
                lines,
                is_return: open.cancelled || revenue.is_sign_negative() && !revenue.is_zero(),
            };
        }
        next.slot = next.slot.saturating_add(1);
    }
}

/// A counting sort by customer: each order written straight to its customer's next slot, in file
/// order (random writes, which do not stall as the random reads of a gather would), a kept
/// part's decoded straight there after this builder's; then each customer's few orders put in day
/// order by a stable sort, when they are not in it already. `lines`, when given, is parallel to
/// `orders`: each order's lines; else each order's own run.
fn sort_orders(orders: &[OpenOrder], lines: Option<&[(u32, u32)]>, counted: Counted, part: Option<&KeptPart>) -> Result<SortedOrders> {
    let Counted { ranges, total, mut days } = counted;
    let blank = Order { day: 0, revenue: Decimal::ZERO, lines: (0, 0), is_return: false };
    let mut placer = Placer {
        next: ranges.iter().map(|&(slot, _)| Next { slot, day: Day::MIN, first_day: NO_FIRST, first_channel: NO_CHANNEL }).collect(),
        sorted: vec![blank; total as usize],
        unsorted: Vec::new(),
    };
    for (i, open) in orders.iter().enumerate() {
        placer.place(open, open.lines(i, lines));
    }
    if let Some(part) = part {
        let mut overflow = false;
        let placed = part.orders.for_each_batch(&part.bytes, &mut |batch| placer.place_batch(batch, &mut days, &mut overflow));
        if overflow {
            return Err(sum_overflow("revenue"));
        }
        // Every customer's slots filled, none beyond: the part's orders were those it counted.
        let filled = placer.next.iter().zip(&ranges).all(|(next, &(start, len))| next.slot == start.saturating_add(len));
        if placed.is_none() || !filled {
            return Err(damaged());
        }
    }
    let Placer { next, mut sorted, unsorted } = placer;
    for &c in &unsorted {
        let (start, len) = ranges.get(c as usize).copied().unwrap_or((0, 0));
        if let Some(own) = sorted.get_mut(start as usize..start.saturating_add(len) as usize) {
            // Stable: orders of one day stay in file order.
            own.sort_by_key(|o| o.day);
        }
    }
    let channels = next.into_iter().map(|n| (n.first_channel != NO_CHANNEL).then_some(n.first_channel)).collect();
    Ok(SortedOrders { orders: sorted, ranges, channels, days })
}

fn sum_overflow(what: &str) -> Error {
    Error::new(
        ErrorCode::Overflow,
        format!("an order's total {what} is beyond the exact decimal range"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line<'a>(customer: &'a str, order: Option<&'a str>, day: Day, amount: i64) -> LineInput<'a> {
        LineInput {
            customer,
            order_id: order,
            day,
            amount: Decimal::from(amount),
            ..Default::default()
        }
    }

    #[test]
    fn a_joined_part_ends_the_input() {
        let mut first = DatasetBuilder::new();
        first.add_line(&line("a", Some("1"), 1, 10)).unwrap();
        let mut second = DatasetBuilder::new();
        second.add_line(&line("b", Some("2"), 2, 20)).unwrap();
        second.add_line(&line("a", Some("3"), 3, 30)).unwrap();
        let mut out = crate::wire::Out::with_room(second.part_bytes());
        second.write_part(&mut out);
        let part = out.into_bytes();
        assert!(first.join_parts(vec![(part, 0)]).unwrap());
        // The part's order ids were not added to look up: a line now is a caller's mistake.
        let e = first.add_line(&line("c", Some("4"), 4, 40)).unwrap_err();
        assert_eq!(e.code, ErrorCode::Internal);
        let d = first.finish().unwrap();
        assert_eq!((d.customers.len(), d.orders.len(), d.line_count()), (2, 3, 3));
        assert_eq!(d.orders_of(0).iter().map(|o| o.day).collect::<Vec<_>>(), vec![1, 3]);
    }

    #[test]
    fn orders_stay_small() {
        // Kept for every order until `finish`, and after it: 44 and 36 bytes on wasm32 and x86_64
        // alike (no items total: 16 bytes each).
        assert!(std::mem::size_of::<OpenOrder>() <= 44, "{}", std::mem::size_of::<OpenOrder>());
        assert!(std::mem::size_of::<Order>() <= 36, "{}", std::mem::size_of::<Order>());
    }

    #[test]
    fn an_order_total_beyond_the_decimal_range_is_an_error_at_finish() {
        let huge = |customer, order, quantity: Option<Decimal>, amount: Decimal| LineInput {
            customer,
            order_id: Some(order),
            day: 1,
            amount,
            quantity,
            ..Default::default()
        };
        let finish = |lines: &[LineInput<'_>]| {
            let mut b = DatasetBuilder::new();
            for l in lines {
                b.add_line(l).unwrap();
            }
            b.finish().map(|d| d.orders.len()).map_err(|e| e.message)
        };
        let max = Decimal::MAX;
        // Order 1's revenue overflows on its second line; order 2's quantity on its third.
        let lines = [
            huge("a", "2", Some(max), Decimal::ONE),
            huge("a", "2", Some(max), Decimal::ONE),
            huge("b", "1", None, max),
            huge("b", "1", None, max),
        ];
        assert_eq!(finish(&lines), Err("an order's total quantity is beyond the exact decimal range".to_owned()));
        assert_eq!(finish(&lines[2..]), Err("an order's total revenue is beyond the exact decimal range".to_owned()));
        // Netted back into range line by line, it is no error.
        let netted = [huge("b", "1", None, max), huge("b", "1", None, -max), huge("b", "1", None, max)];
        assert_eq!(finish(&netted), Ok(1));
    }

    #[test]
    fn lines_out_of_order_are_grouped_in_file_order() {
        let mut b = DatasetBuilder::new();
        for (c, order, day, amount) in [
            ("a", "1", 2, 1),
            ("b", "2", 1, 2),
            ("a", "3", 1, 3),
            ("a", "1", 2, 4),
            ("b", "2", 1, 5),
            ("a", "4", 2, 6),
        ] {
            let mut l = line(c, Some(order), day, amount);
            l.product = Some(order);
            b.add_line(&l).unwrap();
        }
        let d = b.finish().unwrap();
        let a = d.customers.lookup("a").unwrap();
        let summary = |o: &Order| {
            let amounts: Vec<_> = d.lines_of(o).iter().map(|l| l.amount).collect();
            (o.day, amounts)
        };
        let dec = |v: &[i64]| v.iter().map(|&x| Decimal::from(x)).collect::<Vec<_>>();
        assert_eq!(
            d.orders_of(a).iter().map(summary).collect::<Vec<_>>(),
            [(1, dec(&[3])), (2, dec(&[1, 4])), (2, dec(&[6]))]
        );
        let b_orders = d.orders_of(d.customers.lookup("b").unwrap());
        assert_eq!(b_orders.iter().map(summary).collect::<Vec<_>>(), [(1, dec(&[2, 5]))]);
        assert_eq!(d.customer_orders, [(0, 3), (3, 1)]);
        assert_eq!(d.line_count(), 6);
    }

    #[test]
    fn runs_of_lines_before_the_first_scattered_line_keep_their_orders() {
        // Each line's order is listed only from the first line out of its order's run on; the
        // runs before it (orders of several lines) say theirs.
        let mut b = DatasetBuilder::new();
        for (order, amount) in [("1", 1), ("1", 2), ("2", 3), ("3", 4), ("3", 5), ("1", 6), ("3", 7), ("2", 8)] {
            b.add_line(&line("a", Some(order), 1, amount)).unwrap();
        }
        let d = b.finish().unwrap();
        let amounts = |o: &Order| d.lines_of(o).iter().map(|l| i64::try_from(l.amount).unwrap()).collect::<Vec<_>>();
        let orders: Vec<Vec<i64>> = d.orders_of(0).iter().map(amounts).collect();
        assert_eq!(orders, [vec![1, 2, 6], vec![3, 8], vec![4, 5, 7]]);
    }

    #[test]
    fn each_customers_orders_are_in_day_order_and_same_day_orders_in_file_order() {
        // Customers 0-9 buy on days that only rise, 10-39 on days that also fall back; every
        // order's amount is its number, so the expected order is a stable sort of the file by day.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let mut b = DatasetBuilder::new();
        let mut expected: Vec<Vec<(Day, i64)>> = vec![Vec::new(); 40];
        let mut rising = [0i32; 10];
        let names: Vec<String> = (0..40).map(|c| format!("c{c}")).collect();
        for number in 0..3_000i64 {
            let c = next(40) as usize;
            let day = if c < 10 {
                rising[c] += next(3) as i32;
                rising[c]
            } else {
                next(20) as i32
            };
            let id = number.to_string();
            b.add_line(&line(&names[c], Some(&id), day, number)).unwrap();
            expected[c].push((day, number));
        }
        let d = b.finish().unwrap();
        for (c, orders) in expected.iter_mut().enumerate() {
            orders.sort_by_key(|&(day, _)| day);
            let got: Vec<(Day, i64)> = d
                .orders_of(d.customers.lookup(&names[c]).unwrap())
                .iter()
                .map(|o| (o.day, i64::try_from(o.revenue.mantissa()).unwrap()))
                .collect();
            assert_eq!(&got, orders, "customer {c}");
        }
    }

    #[test]
    fn groups_lines_into_orders_and_sorts_by_customer_then_day() {
        let mut b = DatasetBuilder::new();
        b.add_line(&line("b", Some("2"), 5, 10)).unwrap();
        b.add_line(&line("a", Some("1"), 9, 7)).unwrap();
        b.add_line(&line("b", Some("3"), 1, 4)).unwrap();
        b.add_line(&line("b", Some("2"), 5, 5)).unwrap();
        let d = b.finish().unwrap();
        assert_eq!(d.orders.len(), 3);
        let b_orders = d.orders_of(d.customers.lookup("b").unwrap());
        assert_eq!(
            b_orders
                .iter()
                .map(|o| (o.day, o.revenue))
                .collect::<Vec<_>>(),
            vec![(1, Decimal::from(4)), (5, Decimal::from(15))]
        );
        assert_eq!(d.lines_of(&b_orders[1]).len(), 2);
        assert_eq!(d.items(&b_orders[1]).unwrap(), Decimal::from(2));
    }

    #[test]
    fn without_order_ids_a_customers_day_is_one_order() {
        let mut b = DatasetBuilder::new();
        for (c, day) in [("x", 1), ("x", 1), ("y", 1), ("x", 2)] {
            b.add_line(&line(c, None, day, 1)).unwrap();
        }
        let d = b.finish().unwrap();
        assert_eq!(d.orders.len(), 3);
        assert_eq!(d.orders_of(0)[0].revenue, Decimal::from(2));
    }

    #[test]
    fn conflicting_lines_are_refused_and_leave_no_trace() {
        let mut b = DatasetBuilder::new();
        b.add_line(&line("a", Some("1"), 1, 1)).unwrap();
        assert_eq!(
            b.add_line(&line("b", Some("1"), 1, 1)).unwrap_err().code,
            ErrorCode::ConflictingFields
        );
        assert_eq!(
            b.add_line(&line("a", Some("1"), 2, 1)).unwrap_err().code,
            ErrorCode::ConflictingFields
        );
        assert_eq!(
            b.add_line(&line(" ", Some("2"), 2, 1)).unwrap_err().code,
            ErrorCode::MissingField
        );
        let d = b.finish().unwrap();
        assert_eq!(
            (d.customers.len(), d.orders.len(), d.line_count()),
            (1, 1, 1)
        );
    }

    #[test]
    fn returns_and_channels() {
        let mut b = DatasetBuilder::new();
        let mut first = line("a", Some("1"), 3, 10);
        first.channel = Some("email");
        b.add_line(&first).unwrap();
        let mut earlier = line("a", Some("0"), 1, 10);
        earlier.channel = Some("search");
        b.add_line(&earlier).unwrap();
        let mut cancel = line("a", Some("C2"), 4, -10);
        cancel.cancelled = true;
        b.add_line(&cancel).unwrap();
        let d = b.finish().unwrap();
        assert_eq!(d.channels.name(d.customer_channel[0].unwrap()), "search");
        assert_eq!(
            d.orders.iter().map(|o| o.is_return).collect::<Vec<_>>(),
            vec![false, false, true]
        );
    }
}
