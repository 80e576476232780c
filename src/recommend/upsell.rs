//! Upsell: each product's unit price (exact decimal median of what customers paid), and for each
//! item the pricier items of its category that its buyers actually moved up to, with rates.
//!
//! - **Unit price** of a line = amount / quantity, for lines of non-return orders with a positive
//!   quantity and amount; a product's price is the median of its lines' unit prices (the mean of
//!   the two middle ones for an even count), computed exactly in `Decimal`.
//! - **Upgrade path A → B**: A and B in the same category (products without a category take no
//!   part) and price(B) > price(A). A customer *moved up* from A to B when they bought A and later
//!   (on a strictly later day than their first purchase of A) bought B.
//!   - `movers` = customers who moved up from A to B; `itemBuyers` = customers who bought A;
//!     `rate` = movers / itemBuyers.
//!   - `medianStep` = median over the movers of (the unit price they paid for B on their first
//!     purchase of B after A − the unit price they paid on their first purchase of A).
//! - Each item's paths are ranked by movers, then the smaller median step, then product number;
//!   only paths with at least `minMovers` (default 1) are listed, the first `topK` (default 5).
//! - A customer with more than `maxItemsPerCustomer` (default 300) distinct items keeps only the
//!   most popular ones (a warning counts them), bounding the per-customer pair work.

use rust_decimal::Decimal;
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

use super::require;
use super::similarity::CustomerItems;
use crate::dataset::{Dataset, Day};
use crate::error::{Result, Warning};
use crate::money::format_money;
use crate::table::{Column, Columnar};

/// The median of `values` (sorted in place); `None` when empty.
pub(crate) fn median(values: &mut [Decimal]) -> Option<Decimal> {
    values.sort_unstable();
    let mid = values.len() / 2;
    let upper = *values.get(mid)?;
    if values.len() % 2 == 1 {
        return Some(upper);
    }
    let lower = *values.get(mid.checked_sub(1)?)?;
    // The sum overflows only for two large values of one sign; then their difference cannot.
    match lower.checked_add(upper) {
        Some(sum) => sum.checked_div(Decimal::TWO),
        None => upper.checked_sub(lower).and_then(|gap| lower.checked_add(gap.checked_div(Decimal::TWO)?)),
    }
}

/// The unit price of a line, when it has one (see the module docs).
fn unit_price(amount: Decimal, quantity: Decimal) -> Option<Decimal> {
    let positive = |d: Decimal| d.is_sign_positive() && !d.is_zero();
    if positive(amount) && quantity == Decimal::ONE {
        Some(amount) // most lines: no division
    } else if positive(amount) && positive(quantity) {
        amount.checked_div(quantity)
    } else {
        None
    }
}

/// Each product's median unit price (parallel to `Dataset::products`); `None` without a priced line.
pub fn unit_prices(data: &Dataset) -> Vec<Option<Decimal>> {
    let mut paid: Vec<Vec<Decimal>> = vec![Vec::new(); data.products.len()];
    for order in data.orders.iter().filter(|o| !o.is_return) {
        for line in data.lines_of(order) {
            let price = unit_price(line.amount, line.quantity);
            if let (Some(p), Some(price)) = (line.product, price) {
                if let Some(v) = paid.get_mut(p as usize) {
                    v.push(price);
                }
            }
        }
    }
    paid.iter_mut().map(|v| median(v)).collect()
}

/// Options of [`upsell`].
#[derive(Debug, Clone, PartialEq)]
pub struct UpsellOptions {
    /// Paths kept per item (at least 1; default 5).
    pub top_k: usize,
    /// Paths with fewer movers are not listed (at least 1; default 1).
    pub min_movers: u32,
    /// Per-customer cap on distinct items (at least 2; default 300).
    pub max_items_per_customer: usize,
    /// Decimal places of the money columns (default 2, at most 10).
    pub decimals: u32,
}

impl Default for UpsellOptions {
    fn default() -> Self {
        UpsellOptions { top_k: 5, min_movers: 1, max_items_per_customer: 300, decimals: 2 }
    }
}

/// One row per upgrade path, grouped by item (in product order), best first.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpsellTable {
    #[serde(skip)]
    pub item: Vec<u32>,
    #[serde(skip)]
    pub target: Vec<u32>,
    pub item_id: Vec<String>,
    pub target_id: Vec<String>,
    pub category: Vec<String>,
    pub rank: Vec<u32>,
    /// Median unit prices, decimal strings.
    pub item_price: Vec<String>,
    pub target_price: Vec<String>,
    pub movers: Vec<u32>,
    pub item_buyers: Vec<u32>,
    pub rate: Vec<f64>,
    /// Decimal strings.
    pub median_step: Vec<String>,
}

impl Columnar for UpsellTable {
    fn columns(&self) -> Vec<(&'static str, &'static str, Column<'_>)> {
        vec![
            ("item_id", "itemId", Column::Text(&self.item_id)),
            ("target_id", "targetId", Column::Text(&self.target_id)),
            ("category", "category", Column::Text(&self.category)),
            ("rank", "rank", Column::U32(&self.rank)),
            ("item_price", "itemPrice", Column::Text(&self.item_price)),
            ("target_price", "targetPrice", Column::Text(&self.target_price)),
            ("movers", "movers", Column::U32(&self.movers)),
            ("item_buyers", "itemBuyers", Column::U32(&self.item_buyers)),
            ("rate", "rate", Column::F64(&self.rate)),
            ("median_step", "medianStep", Column::Text(&self.median_step)),
        ]
    }
}

/// Upgrade paths and the prices they rest on.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Upsell {
    /// Crosses to JS columnar, apart from the rest (see `crate::table::Columnar`).
    #[serde(skip)]
    pub table: UpsellTable,
    /// Median unit price per product (Rust only).
    #[serde(skip)]
    pub prices: Vec<Option<Decimal>>,
    pub warnings: Vec<Warning>,
}

impl Upsell {
    /// The rows of item `i` (its paths, best first): a range into the table.
    pub fn paths(&self, i: u32) -> std::ops::Range<usize> {
        self.table.item.partition_point(|&x| x < i)..self.table.item.partition_point(|&x| x <= i)
    }
}

/// A customer's priced purchase of an item with a category: (category, item, day, unit price).
type Bought = (u32, u32, Day, Decimal);

/// Customer `c`'s priced purchases of the items in `kept` that have a category, grouped by
/// category, then item, then day (lines of one day in file order).
fn priced_purchases(data: &Dataset, c: u32, kept: &[u32], category: impl Fn(u32) -> Option<u32>, out: &mut Vec<Bought>) {
    out.clear();
    for order in data.orders_of(c).iter().filter(|o| !o.is_return) {
        for line in data.lines_of(order) {
            let Some(p) = line.product.filter(|p| kept.binary_search(p).is_ok()) else { continue };
            if let (Some(k), Some(paid)) = (category(p), unit_price(line.amount, line.quantity)) {
                out.push((k, p, order.day, paid));
            }
        }
    }
    out.sort_by_key(|&(k, p, day, _)| (k, p, day));
}

/// Upgrade paths of every item (see the module docs).
pub fn upsell(data: &Dataset, options: &UpsellOptions) -> Result<Upsell> {
    require(options.top_k >= 1, "topK", "at least 1")?;
    require(options.min_movers >= 1, "minMovers", "at least 1")?;
    require(options.max_items_per_customer >= 2, "maxItemsPerCustomer", "at least 2")?;
    require(options.decimals <= 10, "decimals", "a whole number from 0 to 10")?;
    let purchases = CustomerItems::from_dataset(data, options.max_items_per_customer);
    Ok(upsell_of(data, &purchases, options))
}

/// [`upsell`] over the purchases read from `data`.
fn upsell_of(data: &Dataset, purchases: &CustomerItems, options: &UpsellOptions) -> Upsell {
    let prices = unit_prices(data);
    let price = |i: u32| prices.get(i as usize).copied().flatten();
    let category = |i: u32| data.product_info.get(i as usize).and_then(|p| p.category);
    let mut steps: HashMap<(u32, u32), Vec<Decimal>> = HashMap::default();
    let mut bought = Vec::new();
    // Where each item's purchases start and end within a category's (reused from customer to customer).
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    for c in 0..purchases.len() {
        let kept = purchases.of(c);
        if kept.len() < 2 {
            continue;
        }
        priced_purchases(data, c as u32, kept, category, &mut bought);
        for same_category in bought.chunk_by(|x, y| x.0 == y.0) {
            runs.clear();
            let mut start = 0usize;
            for run in same_category.chunk_by(|x, y| x.1 == y.1) {
                let end = start.saturating_add(run.len());
                runs.push(start..end);
                start = end;
            }
            let items = runs.iter().filter_map(|r| same_category.get(r.clone()));
            for a_buys in items.clone() {
                let (Some(&(_, a, first_day, first_paid)), Some(price_a)) = (a_buys.first(), a_buys.first().and_then(|x| price(x.1))) else { continue };
                for b_buys in items.clone() {
                    let Some(&(_, b, _, _)) = b_buys.first() else { continue };
                    if price(b).is_none_or(|pb| pb <= price_a) {
                        continue;
                    }
                    let later = b_buys.iter().find(|x| x.2 > first_day);
                    // Both prices are positive, so the difference cannot overflow.
                    if let Some(step) = later.and_then(|&(_, _, _, paid_b)| paid_b.checked_sub(first_paid)) {
                        steps.entry((a, b)).or_default().push(step);
                    }
                }
            }
        }
    }
    let mut paths: Vec<(u32, u32, u32, Decimal)> = steps
        .iter_mut()
        .filter(|(_, s)| s.len() >= options.min_movers as usize)
        .filter_map(|(&(a, b), s)| Some((a, b, s.len() as u32, median(s)?)))
        .collect();
    paths.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(y.2.cmp(&x.2)).then(x.3.cmp(&y.3)).then(x.1.cmp(&y.1)));
    let mut table = UpsellTable::default();
    let money = |d: Option<Decimal>| d.map(|d| format_money(d, options.decimals)).unwrap_or_default();
    let mut rank = 0u32;
    for (k, &(a, b, movers, step)) in paths.iter().enumerate() {
        rank = if k > 0 && paths.get(k.wrapping_sub(1)).is_some_and(|p| p.0 == a) { rank.saturating_add(1) } else { 1 };
        if rank as usize > options.top_k {
            continue;
        }
        let buyers = purchases.buyers.get(a as usize).copied().unwrap_or(0);
        table.item.push(a);
        table.target.push(b);
        table.item_id.push(data.products.name(a).to_owned());
        table.target_id.push(data.products.name(b).to_owned());
        table.category.push(category(a).map(|c| data.categories.name(c).to_owned()).unwrap_or_default());
        table.rank.push(rank);
        table.item_price.push(money(price(a)));
        table.target_price.push(money(price(b)));
        table.movers.push(movers);
        table.item_buyers.push(buyers);
        table.rate.push(f64::from(movers) / f64::from(buyers.max(1)));
        table.median_step.push(money(Some(step)));
    }
    let mut warnings = Vec::new();
    if data.categories.is_empty() {
        let message = "the data has no product categories, so there are no upgrade paths (map a category column)";
        warnings.push(Warning::new("NO_CATEGORIES", "category", message));
    }
    if purchases.capped_customers > 0 {
        let message = format!(
            "{} customers bought more than {} distinct items: only their most popular ones were considered",
            purchases.capped_customers, options.max_items_per_customer
        );
        warnings.push(Warning::new("CUSTOMERS_CAPPED", "maxItemsPerCustomer", message));
    }
    Upsell { table, prices, warnings }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn medians_are_exact() {
        assert_eq!(median(&mut [d("3"), d("1"), d("2")]), Some(d("2")));
        assert_eq!(median(&mut [d("0.1"), d("0.2")]), Some(d("0.15")));
        assert_eq!(median(&mut []), None);
        let max = Decimal::MAX;
        assert_eq!(median(&mut [max, max]), Some(max));
        assert_eq!(unit_price(d("10"), d("3")), Some(d("10") / d("3")));
        assert_eq!(unit_price(d("10"), d("0")), None);
        assert_eq!(unit_price(d("-10"), d("2")), None);
    }
}
