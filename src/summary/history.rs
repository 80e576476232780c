//! The common ground of every analysis: the observation end (asOf), each customer's orders up to
//! it, and the purchase and returns policy, computed once per customer with exact decimals.
//!
//! Policy: a *purchase* is an order that is not a return (`Order::is_return` false). Returns never
//! count as purchases (nor as purchase days, weeks or months), but their negative amounts are
//! netted into every revenue figure. A customer is analysed only with at least one purchase on
//! or before asOf; returns dated before a customer's first purchase still count in their revenue.

use crate::dataset::{Dataset, Day, Order};
use crate::error::{Error, ErrorCode, Result};
use crate::input::{OrOverflow, Scalar};
use crate::money::format_exact;
use rust_decimal::Decimal;

use super::calendar::iso_date;

/// One customer's orders up to asOf, and the figures every analysis needs.
#[derive(Debug, Clone)]
pub(crate) struct History<'a> {
    /// Index into `Dataset::customers`.
    pub customer: u32,
    /// Every order on or before asOf (returns included), sorted by day.
    pub orders: &'a [Order],
    /// Day of the first and of the last purchase.
    pub first: Day,
    pub last: Day,
    /// Number of purchases (non-return orders).
    pub purchases: u32,
    /// Net revenue of all `orders` (returns netted in).
    pub revenue: Decimal,
}

impl<'a> History<'a> {
    /// The non-return orders.
    pub fn purchase_orders(&self) -> impl Iterator<Item = &'a Order> {
        self.orders.iter().filter(|o| !o.is_return)
    }

    /// The distinct days with a purchase, ascending.
    pub fn purchase_days(&self) -> Vec<Day> {
        let mut days: Vec<Day> = self.purchase_orders().map(|o| o.day).collect();
        days.dedup();
        days
    }
}

/// Days from `from` to `to` (negative when `to` is earlier); i64, so it never overflows.
pub(crate) fn days_between(from: Day, to: Day) -> i64 {
    i64::from(to).saturating_sub(i64::from(from))
}

/// The asOf to use: the one given, or the last order day in the data.
pub(crate) fn resolve_as_of(dataset: &Dataset, as_of: Option<Day>) -> Result<Day> {
    match as_of.or_else(|| dataset.day_range().map(|(_, last)| last)) {
        Some(day) => Ok(day),
        None => Err(no_orders(None)),
    }
}

pub(crate) fn no_orders(as_of: Option<Day>) -> Error {
    let message = match as_of {
        Some(day) => format!("no orders on or before asOf ({})", iso_date(day)),
        None => "no orders on or before asOf (the dataset has no orders)".to_owned(),
    };
    Error::new(ErrorCode::EmptyFile, message).with_field("asOf")
}

/// Every customer with a purchase on or before `as_of`, in customer-index order;
/// `EMPTY_FILE` ("no orders on or before asOf") when there is none.
pub(crate) fn histories(dataset: &Dataset, as_of: Day) -> Result<Vec<History<'_>>> {
    let mut out = Vec::with_capacity(dataset.customer_orders.len());
    for customer in 0..dataset.customer_orders.len() {
        let customer = u32::try_from(customer).or_internal("customer index beyond u32")?;
        if let Some(history) = history(dataset, customer, as_of)? {
            out.push(history);
        }
    }
    if out.is_empty() {
        return Err(no_orders(Some(as_of)));
    }
    Ok(out)
}

/// One customer's orders up to asOf, their first and last purchase day and purchase count: the
/// part of a [`History`] that needs no sums.
#[derive(Debug, Clone)]
pub(crate) struct Purchases<'a> {
    /// Every order on or before asOf (returns included), sorted by day.
    pub orders: &'a [Order],
    pub first: Day,
    pub last: Day,
    /// Number of purchases (non-return orders).
    pub count: u32,
}

/// `customer`'s [`Purchases`] up to `as_of`; `None` without a purchase by then.
pub(crate) fn purchases(dataset: &Dataset, customer: u32, as_of: Day) -> Option<Purchases<'_>> {
    let orders = orders_up_to(dataset, customer, as_of);
    let mut purchases = orders.iter().filter(|o| !o.is_return);
    let first = purchases.next()?.day;
    let mut last = first;
    let mut count: u32 = 1;
    for o in purchases {
        last = o.day;
        count = count.saturating_add(1);
    }
    Some(Purchases { orders, first, last, count })
}

/// `customer`'s orders on or before `as_of` (returns included), sorted by day.
fn orders_up_to(dataset: &Dataset, customer: u32, as_of: Day) -> &[Order] {
    let all = dataset.orders_of(customer);
    all.get(..all.partition_point(|o| o.day <= as_of)).unwrap_or(&[])
}

/// Net revenue of `orders` (returns netted in).
pub(crate) fn revenue_of(orders: &[Order]) -> Result<Decimal> {
    orders.iter().try_fold(Decimal::ZERO, |sum, o| sum.checked_add(o.revenue).or_overflow("a customer's revenue"))
}

/// Every customer's net items (quantities summed with the sign the file gave them) over their
/// orders on or before `as_of`, parallel to the customers. Orders keep no items total, and a
/// customer's orders lie scattered over the lines, so the lines are summed in one pass in file
/// order, each into its owner's total, rather than read at random order by order.
pub(crate) fn items_by_customer(dataset: &Dataset, as_of: Day) -> Result<Vec<Decimal>> {
    const NOBODY: u32 = u32::MAX;
    let mut owner = vec![NOBODY; dataset.line_count()];
    for customer in 0..dataset.customer_orders.len() {
        let c = u32::try_from(customer).or_internal("customer index beyond u32")?;
        for order in orders_up_to(dataset, c, as_of) {
            let (start, len) = order.lines;
            if let Some(lines) = owner.get_mut(start as usize..(start as usize).saturating_add(len as usize)) {
                lines.fill(c);
            }
        }
    }
    let mut items = vec![Decimal::ZERO; dataset.customer_orders.len()];
    for (line, &c) in dataset.lines().iter().zip(&owner) {
        if let Some(sum) = items.get_mut(c as usize) {
            *sum = sum.checked_add(line.quantity).or_overflow("a customer's items")?;
        }
    }
    Ok(items)
}

fn history(dataset: &Dataset, customer: u32, as_of: Day) -> Result<Option<History<'_>>> {
    let Some(p) = purchases(dataset, customer, as_of) else {
        return Ok(None);
    };
    Ok(Some(History {
        customer,
        orders: p.orders,
        first: p.first,
        last: p.last,
        purchases: p.count,
        revenue: revenue_of(p.orders)?,
    }))
}

/// The sum of `values`, `OVERFLOW` (naming `what`) beyond the decimal range.
pub(crate) fn sum(values: impl IntoIterator<Item = Decimal>, what: &str) -> Result<Decimal> {
    values
        .into_iter()
        .try_fold(Decimal::ZERO, |acc, v| acc.checked_add(v).or_overflow(what))
}

/// `numerator / denominator`; `None` when the denominator is 0, `OVERFLOW` when too large.
pub(crate) fn ratio(
    numerator: Decimal,
    denominator: Decimal,
    what: &str,
) -> Result<Option<Decimal>> {
    if denominator.is_zero() {
        return Ok(None);
    }
    numerator
        .checked_div(denominator)
        .or_overflow(what)
        .map(Some)
}

/// `part / whole` as a number; `None` when `whole` is 0.
pub(crate) fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// A decimal as the exact string input the calculators (`crate::calc`) accept.
pub(crate) fn exact(d: Decimal) -> Scalar {
    Scalar::Str(format_exact(d))
}

/// Maps an impossible `None` / `Err` to `INTERNAL`.
pub(crate) trait OrInternal<T> {
    fn or_internal(self, what: &str) -> Result<T>;
}

impl<T, E> OrInternal<T> for std::result::Result<T, E> {
    fn or_internal(self, what: &str) -> Result<T> {
        self.map_err(|_| crate::input::internal(what))
    }
}

impl<T> OrInternal<T> for Option<T> {
    fn or_internal(self, what: &str) -> Result<T> {
        self.ok_or_else(|| crate::input::internal(what))
    }
}
