//! The one in-memory form every analysis reads: orders and their lines as compact rows of small
//! integers and exact decimals, with customer, product, category and channel strings kept once.
//!
//! Built line by line by [`DatasetBuilder`] (the ingest feeds it; tests may too), then frozen by
//! [`DatasetBuilder::finish`] into a [`Dataset`] whose orders are sorted by customer, then day.

use rustc_hash::FxHashMap as HashMap;

use rust_decimal::Decimal;

use crate::error::{Error, ErrorCode, Result};

/// A calendar date as days since 1970-01-01 (proleptic Gregorian; negative before 1970).
pub type Day = i32;

/// Strings kept once, numbered in order of first appearance.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    names: Vec<Box<str>>,
    index: HashMap<Box<str>, u32>,
}

impl Interner {
    /// The number of `name`, adding it if new; `None` past u32::MAX distinct strings.
    pub fn intern(&mut self, name: &str) -> Option<u32> {
        if let Some(&i) = self.index.get(name) {
            return Some(i);
        }
        let i = u32::try_from(self.names.len()).ok()?;
        self.names.push(name.into());
        self.index.insert(name.into(), i);
        Some(i)
    }

    /// The string numbered `i` ("" for a number never handed out).
    pub fn name(&self, i: u32) -> &str {
        self.names.get(i as usize).map_or("", |s| s)
    }

    /// The number of `name`, if it was interned.
    pub fn lookup(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|s| &**s)
    }
}

/// One order (or, without an order id column, one customer's lines on one day).
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub customer: u32,
    pub day: Day,
    /// Sum of its lines' amounts (returns netted in, as negative amounts).
    pub revenue: Decimal,
    /// Sum of its lines' quantities (1 per line when the file has no quantity column).
    pub items: Decimal,
    /// Its lines are `dataset.lines[lines.0 as usize .. (lines.0 + lines.1) as usize]`.
    pub lines: (u32, u32),
    /// True when the order is a return or cancellation (net revenue below zero, or marked so).
    pub is_return: bool,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq)]
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
    /// Parallel to `customers`: the channel on the customer's first order (by day, then file order).
    pub customer_channel: Vec<Option<u32>>,
    /// Sorted by customer, then day, then file order.
    pub orders: Vec<Order>,
    pub lines: Vec<Line>,
    /// Parallel to `customers`: the customer's orders are `orders[start .. start + len]`.
    pub customer_orders: Vec<(u32, u32)>,
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
            .get(start as usize..(start + len) as usize)
            .unwrap_or(&[])
    }

    /// The lines of `order`.
    pub fn lines_of(&self, order: &Order) -> &[Line] {
        let (start, len) = order.lines;
        self.lines
            .get(start as usize..(start + len) as usize)
            .unwrap_or(&[])
    }

    /// First and last order day over all customers; `None` when there are no orders.
    pub fn day_range(&self) -> Option<(Day, Day)> {
        let first = self.orders.iter().map(|o| o.day).min()?;
        let last = self.orders.iter().map(|o| o.day).max()?;
        Some((first, last))
    }
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
}

#[derive(Debug, Clone)]
struct OpenLine {
    order: u32,
    line: Line,
}

/// Collects lines into orders; `finish` sorts and freezes them.
#[derive(Debug, Default)]
pub struct DatasetBuilder {
    data: Dataset,
    orders: Vec<OpenOrder>,
    lines: Vec<OpenLine>,
    /// Orders by order id, and (without an order id) by customer and day.
    order_ids: HashMap<Box<str>, u32>,
    customer_days: HashMap<(u32, Day), u32>,
    /// The order of the previous line with an order id: lines of one order usually come together.
    last_order: Option<(Box<str>, u32)>,
}

fn too_many(what: &str) -> Error {
    Error::new(
        ErrorCode::Overflow,
        format!("more than 4,294,967,295 distinct {what}: the file is beyond clvkit's limits"),
    )
}

fn intern(interner: &mut Interner, name: Option<&str>, what: &str) -> Result<Option<u32>> {
    match name.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => interner.intern(s).map(Some).ok_or_else(|| too_many(what)),
    }
}

impl DatasetBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one line. An error (the line conflicts with its order's customer or day) leaves the
    /// builder unchanged, so the caller can count the line as rejected and go on.
    pub fn add_line(&mut self, input: &LineInput<'_>) -> Result<()> {
        let customer_name = input.customer.trim();
        if customer_name.is_empty() {
            return Err(
                Error::new(ErrorCode::MissingField, "the customer id is empty")
                    .with_field("customer"),
            );
        }
        let order_id = input.order_id.map(str::trim).filter(|s| !s.is_empty());
        let known = order_id.and_then(|id| self.find_order(id));
        if let Some(open) = known.and_then(|o| self.orders.get(o as usize)) {
            let id = order_id.unwrap_or_default();
            let owner = self.data.customers.name(open.customer);
            if owner != customer_name {
                let message = format!("order {id} already belongs to customer {owner}; this line names customer {customer_name}");
                return Err(
                    Error::new(ErrorCode::ConflictingFields, message).with_field("customer")
                );
            }
            if open.day != input.day {
                let message = format!(
                    "order {id} already has another date; an order's lines must share one date"
                );
                return Err(Error::new(ErrorCode::ConflictingFields, message).with_field("date"));
            }
        }
        let customer = intern(&mut self.data.customers, Some(customer_name), "customers")?
            .ok_or_else(|| too_many("customers"))?;
        if self.data.customer_channel.len() < self.data.customers.len() {
            self.data.customer_channel.push(None);
        }
        let product = intern(&mut self.data.products, input.product, "products")?;
        if let Some(p) = product {
            if self.data.product_info.len() < self.data.products.len() {
                self.data.product_info.push(ProductInfo::default());
            }
            let category = intern(&mut self.data.categories, input.category, "categories")?;
            if let Some(info) = self.data.product_info.get_mut(p as usize) {
                if info.name.is_none() {
                    info.name = input
                        .product_name
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(Into::into);
                }
                if info.category.is_none() {
                    info.category = category;
                }
            }
        }
        let channel = intern(&mut self.data.channels, input.channel, "channels")?;
        let next = u32::try_from(self.orders.len()).map_err(|_| too_many("orders"))?;
        let order = match (order_id, known) {
            (Some(_), Some(o)) => o,
            (Some(id), None) => {
                self.order_ids.insert(id.into(), next);
                next
            }
            (None, _) => *self.customer_days.entry((customer, input.day)).or_insert(next),
        };
        if let Some(id) = order_id {
            if self.last_order.as_ref().is_none_or(|(last, _)| **last != *id) {
                self.last_order = Some((id.into(), order));
            }
        }
        if order == next {
            self.orders.push(OpenOrder {
                customer,
                day: input.day,
                channel,
                cancelled: input.cancelled,
            });
        } else if let Some(open) = self.orders.get_mut(order as usize) {
            open.cancelled |= input.cancelled;
            open.channel = open.channel.or(channel);
        }
        let quantity = input.quantity.unwrap_or(Decimal::ONE);
        self.lines.push(OpenLine {
            order,
            line: Line {
                product,
                quantity,
                amount: input.amount,
            },
        });
        Ok(())
    }

    /// The order with id `id`, if seen (the previous line's order is checked first).
    fn find_order(&self, id: &str) -> Option<u32> {
        match &self.last_order {
            Some((last, o)) if **last == *id => Some(*o),
            _ => self.order_ids.get(id).copied(),
        }
    }

    /// Number of lines added so far.
    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// Sorts orders by customer, then day, then first appearance; groups lines under their orders.
    pub fn finish(self) -> Result<Dataset> {
        let DatasetBuilder {
            mut data,
            orders,
            mut lines,
            ..
        } = self;
        lines.sort_by_key(|l| l.order);
        let mut sums = vec![(Decimal::ZERO, Decimal::ZERO, 0u32, 0u32); orders.len()];
        for (i, l) in lines.iter().enumerate() {
            let Some(s) = sums.get_mut(l.order as usize) else {
                continue;
            };
            s.0 =
                s.0.checked_add(l.line.amount)
                    .ok_or_else(|| sum_overflow("revenue"))?;
            s.1 =
                s.1.checked_add(l.line.quantity)
                    .ok_or_else(|| sum_overflow("quantity"))?;
            if s.3 == 0 {
                s.2 = u32::try_from(i).map_err(|_| too_many("order lines"))?;
            }
            s.3 += 1;
        }
        let mut order_ids: Vec<u32> = (0..orders.len() as u32).collect();
        order_ids.sort_by_key(|&o| {
            orders
                .get(o as usize)
                .map(|open| (open.customer, open.day, o))
        });
        data.lines = lines.into_iter().map(|l| l.line).collect();
        data.customer_orders = vec![(0, 0); data.customers.len()];
        data.orders = Vec::with_capacity(orders.len());
        for (position, &o) in order_ids.iter().enumerate() {
            let (Some(open), Some(&(revenue, items, start, len))) =
                (orders.get(o as usize), sums.get(o as usize))
            else {
                continue;
            };
            if let Some(range) = data.customer_orders.get_mut(open.customer as usize) {
                if range.1 == 0 {
                    range.0 = position as u32;
                    if let Some(slot) = data.customer_channel.get_mut(open.customer as usize) {
                        *slot = open.channel;
                    }
                }
                range.1 += 1;
            }
            data.orders.push(Order {
                customer: open.customer,
                day: open.day,
                revenue,
                items,
                lines: (start, len),
                is_return: open.cancelled || revenue.is_sign_negative() && !revenue.is_zero(),
            });
        }
        Ok(data)
    }
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
        assert_eq!(b_orders[1].items, Decimal::from(2));
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
            (d.customers.len(), d.orders.len(), d.lines.len()),
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
