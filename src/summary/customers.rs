//! The per-customer table: first and last purchase, orders, items, revenue and average order
//! value, and the BTYD summary (frequency, recency, T, monetary value) in lifetimes' convention.
//!
//! The BTYD columns reproduce lifetimes 0.11.3 `summary_data_from_transaction_data(transactions,
//! customer_id_col, datetime_col, monetary_value_col, observation_period_end=asOf, freq=...)`,
//! checked against it in `tests/analyses.rs` for `freq="D"` and `freq="W"`:
//!
//! - Every day is mapped to its *period* (the day; its Monday-to-Sunday week, as pandas' `W-SUN`
//!   periods; or its calendar month). A *purchase period* is a period with at least one purchase
//!   (non-return order). Several purchases in one period are one purchase.
//! - `frequency` = number of purchase periods − 1 (the repeat purchases).
//! - `recency` = last purchase period − first purchase period, in the unit.
//! - `T` = the period of asOf − first purchase period, in the unit.
//! - `monetaryValue` = mean over the repeat purchase periods of each period's net total (the
//!   first period is left out); 0 when frequency is 0.
//!
//! Returns: a period's total nets in every order of that period, returns included (a day with a
//! purchase of 50 and a return of 20 is a purchase of 30, as lifetimes sums a period's rows).
//! Periods holding only returns are not purchase periods and add nothing to `monetaryValue`;
//! their amounts still count in `revenue`.
//!
//! Differences from lifetimes, by design:
//! - lifetimes keeps every transaction whose *period start* is ≤ asOf's period start, so with
//!   weeks or months it also keeps orders dated after asOf within asOf's own week or month; here
//!   orders after asOf are always excluded. (With asOf on a Sunday for weeks, or on the last
//!   day of a month for months, both agree.)
//! - For months, lifetimes divides the *days* between period starts by numpy's average month
//!   (`timedelta64(1, "M")` = 30.436875 days), giving fractional `recency`/`T` (Jan → Feb = 1.0185);
//!   newer pandas (≥ 2) refuses that unit altogether. Here months are whole calendar-month
//!   differences (Jan → Feb = 1, Jan → Jan of next year = 12).

use super::calendar::{iso_date, month_index, week_index};
use super::history::{items_by_customer, no_orders, purchases, resolve_as_of, revenue_of, OrInternal};
use super::{SummaryOptions, TimeUnit};
use crate::dataset::{Dataset, Day, Order};
use crate::error::{Error, ErrorCode, Result};
use crate::input::{overflow, OrOverflow};
use crate::ingest::dates::push_day;
use crate::money::{mean_to_f64, push_money, to_f64};
use crate::table::TextColumn;
use rust_decimal::Decimal;
use serde::Serialize;

/// A column of the customer table besides the customer id (which every table has).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerColumn {
    Frequency,
    Recency,
    T,
    MonetaryValue,
    FirstPurchase,
    LastPurchase,
    Orders,
    Items,
    Revenue,
    AverageOrderValue,
}

impl CustomerColumn {
    /// Every column, in the table's order.
    pub const ALL: [CustomerColumn; 10] = [
        CustomerColumn::Frequency,
        CustomerColumn::Recency,
        CustomerColumn::T,
        CustomerColumn::MonetaryValue,
        CustomerColumn::FirstPurchase,
        CustomerColumn::LastPurchase,
        CustomerColumn::Orders,
        CustomerColumn::Items,
        CustomerColumn::Revenue,
        CustomerColumn::AverageOrderValue,
    ];

    /// Its CSV header and its JS key.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            CustomerColumn::Frequency => ("frequency", "frequency"),
            CustomerColumn::Recency => ("recency", "recency"),
            CustomerColumn::T => ("T", "T"),
            CustomerColumn::MonetaryValue => ("monetary_value", "monetaryValue"),
            CustomerColumn::FirstPurchase => ("first_purchase", "firstPurchase"),
            CustomerColumn::LastPurchase => ("last_purchase", "lastPurchase"),
            CustomerColumn::Orders => ("orders", "orders"),
            CustomerColumn::Items => ("items", "items"),
            CustomerColumn::Revenue => ("revenue", "revenue"),
            CustomerColumn::AverageOrderValue => ("average_order_value", "averageOrderValue"),
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// Which columns a customer table computes (the customer id always): leaving out the money and
/// date texts a caller does not read saves most of the table's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerColumns(u16);

impl CustomerColumns {
    pub const ALL: CustomerColumns = CustomerColumns((1 << CustomerColumn::ALL.len()) - 1);
    /// frequency, recency, T and monetary value: what the models read.
    pub const BTYD: CustomerColumns = CustomerColumns(
        1 << CustomerColumn::Frequency as u16
            | 1 << CustomerColumn::Recency as u16
            | 1 << CustomerColumn::T as u16
            | 1 << CustomerColumn::MonetaryValue as u16,
    );

    /// The columns named (by JS key or CSV header, in any order; repeats allowed);
    /// `OUT_OF_RANGE` on `field` for a name that is not a column.
    pub fn named<'a>(names: impl IntoIterator<Item = &'a str>, field: &str) -> Result<CustomerColumns> {
        let mut bits = 0;
        for name in names {
            let column = CustomerColumn::ALL.into_iter().find(|c| {
                let (csv, js) = c.names();
                name == csv || name == js
            });
            match column {
                Some(c) => bits |= c.bit(),
                None if name == "customerId" || name == "customer_id" => {}
                None => {
                    let known: Vec<&str> = CustomerColumn::ALL.iter().map(|c| c.names().1).collect();
                    let message = format!("{name:?} is not a customer table column (columns: customerId, {})", known.join(", "));
                    return Err(Error::new(ErrorCode::OutOfRange, message).with_field(field));
                }
            }
        }
        Ok(CustomerColumns(bits))
    }

    pub fn has(self, column: CustomerColumn) -> bool {
        self.0 & column.bit() != 0
    }
}

/// One row per customer with a purchase on or before asOf, in customer order (order of first
/// appearance in the file). Money columns are decimal strings with 2 places; the BTYD columns
/// are numbers ready for the models. Columns left out (see [`CustomerColumns`]) are empty.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerTable {
    pub unit: TimeUnit,
    /// The columns computed (Rust only; not serialized).
    #[serde(skip)]
    pub columns: CustomerColumns,
    /// The observation end used, "YYYY-MM-DD".
    pub as_of: String,
    /// Index of each customer in `Dataset::customers` (Rust only; not serialized).
    #[serde(skip)]
    pub customer: Vec<u32>,
    pub customer_id: TextColumn,
    /// "YYYY-MM-DD" of the first and last purchase.
    pub first_purchase: TextColumn,
    pub last_purchase: TextColumn,
    /// Purchases (non-return orders).
    pub orders: Vec<u32>,
    /// Net quantity of all orders, returns included with the sign the file gave them.
    pub items: Vec<f64>,
    /// Net revenue of all orders on or before asOf (returns netted in).
    pub revenue: TextColumn,
    /// revenue / orders.
    pub average_order_value: TextColumn,
    pub frequency: Vec<f64>,
    pub recency: Vec<f64>,
    /// Serialized as `T`, the BTYD name (as in lifetimes and the models).
    #[serde(rename = "T")]
    pub t: Vec<f64>,
    pub monetary_value: Vec<f64>,
}

/// The BTYD summary of one customer (its monetary value the nearest number to the exact mean).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Btyd {
    pub frequency: u32,
    pub recency: i64,
    pub t: i64,
    pub monetary_value: f64,
}

/// The per-customer table of `dataset` up to `options.as_of`, with `columns` computed.
pub fn customer_table(dataset: &Dataset, options: &SummaryOptions, columns: CustomerColumns) -> Result<CustomerTable> {
    let as_of = resolve_as_of(dataset, options.as_of)?;
    let n = dataset.customer_orders.len();
    let room = |column: CustomerColumn| if columns.has(column) { n } else { 0 };
    let mut table = CustomerTable {
        unit: options.unit,
        columns,
        as_of: iso_date(as_of),
        customer: Vec::with_capacity(n),
        customer_id: TextColumn::default(),
        first_purchase: TextColumn::with_capacity(room(CustomerColumn::FirstPurchase)),
        last_purchase: TextColumn::with_capacity(room(CustomerColumn::LastPurchase)),
        orders: Vec::with_capacity(room(CustomerColumn::Orders)),
        items: Vec::with_capacity(room(CustomerColumn::Items)),
        revenue: TextColumn::with_capacity(room(CustomerColumn::Revenue)),
        average_order_value: TextColumn::with_capacity(room(CustomerColumn::AverageOrderValue)),
        frequency: Vec::with_capacity(room(CustomerColumn::Frequency)),
        recency: Vec::with_capacity(room(CustomerColumn::Recency)),
        t: Vec::with_capacity(room(CustomerColumn::T)),
        monetary_value: Vec::with_capacity(room(CustomerColumn::MonetaryValue)),
    };
    let has = |column| columns.has(column);
    let needs_btyd = [CustomerColumn::Frequency, CustomerColumn::Recency, CustomerColumn::T, CustomerColumn::MonetaryValue]
        .into_iter()
        .any(has);
    let needs_revenue = has(CustomerColumn::Revenue) || has(CustomerColumn::AverageOrderValue);
    let mut days = DayTexts::default();
    let items = if has(CustomerColumn::Items) { items_by_customer(dataset, as_of)? } else { Vec::new() };
    for customer in 0..n {
        let customer = u32::try_from(customer).or_internal("customer index beyond u32")?;
        let Some(h) = purchases(dataset, customer, as_of) else {
            continue;
        };
        let revenue = if needs_revenue { revenue_of(h.orders)? } else { Decimal::ZERO };
        table.customer.push(customer);
        if has(CustomerColumn::FirstPurchase) {
            table.first_purchase.push_with(|s| days.write(s, h.first));
        }
        if has(CustomerColumn::LastPurchase) {
            table.last_purchase.push_with(|s| days.write(s, h.last));
        }
        if has(CustomerColumn::Orders) {
            table.orders.push(h.count);
        }
        if has(CustomerColumn::Items) {
            table.items.push(to_f64(items.get(customer as usize).copied().unwrap_or_default()));
        }
        if has(CustomerColumn::Revenue) {
            table.revenue.push_with(|s| push_money(s, revenue, 2));
        }
        if has(CustomerColumn::AverageOrderValue) {
            // Most customers buy once: their average order value is their revenue.
            match (h.count, table.revenue.last()) {
                (1, Some(text)) => table.average_order_value.push(text),
                (1, None) => table.average_order_value.push_with(|s| push_money(s, revenue, 2)),
                (n, _) => {
                    let aov = revenue.checked_div(Decimal::from(n)).or_overflow("average order value")?;
                    table.average_order_value.push_with(|s| push_money(s, aov, 2));
                }
            }
        }
        if needs_btyd {
            let btyd = btyd(h.orders, options.unit, as_of, has(CustomerColumn::MonetaryValue))?;
            if has(CustomerColumn::Frequency) {
                table.frequency.push(f64::from(btyd.frequency));
            }
            if has(CustomerColumn::Recency) {
                table.recency.push(btyd.recency as f64);
            }
            if has(CustomerColumn::T) {
                table.t.push(btyd.t as f64);
            }
            if has(CustomerColumn::MonetaryValue) {
                table.monetary_value.push(btyd.monetary_value);
            }
        }
    }
    if table.customer.is_empty() {
        return Err(no_orders(Some(as_of)));
    }
    table.customer_id = customer_ids(dataset, &table.customer);
    Ok(table)
}

/// The ids of `customers` (ascending customer numbers): the interner's texts as they are when
/// they are every customer (as usual), instead of a copy of each.
fn customer_ids(dataset: &Dataset, customers: &[u32]) -> TextColumn {
    let (text, ends) = dataset.customers.parts();
    if customers.len() == ends.len() {
        if let Some(column) = TextColumn::from_parts(text, ends) {
            return column;
        }
    }
    let mut ids = TextColumn::with_capacity(customers.len());
    for &c in customers {
        ids.push(dataset.customers.name(c));
    }
    ids
}

/// "YYYY-MM-DD" of days, remembered by day modulo 1,024: customers' first and last days repeat
/// (a file spans a few years), and formatting a day costs a dozen divisions.
struct DayTexts {
    /// The day in each slot, and where its text starts in `texts`.
    recent: Vec<Option<(Day, usize)>>,
    texts: String,
}

impl Default for DayTexts {
    fn default() -> Self {
        DayTexts { recent: vec![None; 1024], texts: String::new() }
    }
}

impl DayTexts {
    /// Appends the text of `day` to `s`.
    fn write(&mut self, s: &mut String, day: Day) {
        let slot = self.recent.get_mut((day & 1023) as usize);
        if let Some(Some((known, start))) = slot.as_deref() {
            if let Some(text) = self.texts.get(*start..start.wrapping_add(10)).filter(|_| *known == day) {
                s.push_str(text);
                return;
            }
        }
        let start = self.texts.len();
        push_day(&mut self.texts, day);
        if let (Some(slot), Some(text)) = (slot, self.texts.get(start..)) {
            s.push_str(text);
            // Only 10-byte texts are kept (years 0 to 9999).
            *slot = (text.len() == 10).then_some((day, start));
        }
    }
}

/// The period of `day` as a number; consecutive periods differ by 1.
pub(crate) fn period(unit: TimeUnit, day: Day) -> i64 {
    match unit {
        TimeUnit::Days => i64::from(day),
        TimeUnit::Weeks => week_index(day),
        TimeUnit::Months => month_index(day),
    }
}

/// Each purchase period of a customer's `orders` (sorted by day) with its net total (all orders
/// of the period), in order; an error (a period's total beyond the decimal range) ends them.
fn purchase_periods(orders: &[Order], unit: TimeUnit) -> impl Iterator<Item = Result<(i64, Decimal)>> + '_ {
    let mut orders = orders.iter().peekable();
    let mut failed = false;
    std::iter::from_fn(move || {
        while !failed {
            let first = orders.next()?;
            let key = period(unit, first.day);
            let mut total = Some(first.revenue);
            let mut purchase = !first.is_return;
            while let Some(o) = orders.next_if(|o| period(unit, o.day) == key) {
                total = total.and_then(|t| t.checked_add(o.revenue));
                purchase |= !o.is_return;
            }
            let Some(total) = total else {
                failed = true;
                return Some(Err(overflow("a period's total")));
            };
            if purchase {
                return Some(Ok((key, total)));
            }
        }
        None
    })
}

/// The BTYD summary of one customer in `unit`, observed until `as_of`; its monetary value 0
/// unless `with_money` (the division is most of its cost).
fn btyd(orders: &[Order], unit: TimeUnit, as_of: Day, with_money: bool) -> Result<Btyd> {
    let mut first = None;
    let mut last = None;
    let mut repeats: u64 = 0;
    // The repeat periods' total; `None` once beyond the decimal range (reported after the
    // periods' own errors, as when they were all summed afterwards).
    let mut total = Some(Decimal::ZERO);
    for p in purchase_periods(orders, unit) {
        let (key, amount) = p?;
        if first.is_none() {
            first = Some(key);
        } else {
            repeats = repeats.saturating_add(1);
            total = total.and_then(|t| t.checked_add(amount));
        }
        last = Some(key);
    }
    let first = first.or_internal("a customer without a purchase period")?;
    let last = last.unwrap_or(first);
    let frequency = u32::try_from(repeats).or_internal("more than u32::MAX periods")?;
    let monetary_value = if repeats == 0 || !with_money {
        0.0
    } else {
        mean_to_f64(total.or_overflow("monetary value")?, frequency).ok_or_else(|| overflow("monetary value"))?
    };
    Ok(Btyd {
        frequency,
        recency: last.saturating_sub(first),
        t: period(unit, as_of).saturating_sub(first),
        monetary_value,
    })
}
