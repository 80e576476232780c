//! Item-to-item similarity over customers' purchases: "customers who bought X also bought Y",
//! the top k neighbours of each item by cosine, with a co-purchase significance score.
//!
//! - **Purchase vectors are binary**: customer c bought item i or not (any non-return order with a
//!   positive quantity of i, however many times). Quantities and spend are deliberately ignored,
//!   so a bulk buyer of one item does not dominate its neighbours.
//! - With N customers who bought anything, nᵢ buyers of i, nⱼ of j and k co-buyers of both:
//!   - `cosine` = k / √(nᵢ·nⱼ);
//!   - `alsoBought` = k / nᵢ, the share of i's buyers who also bought j (not symmetric);
//!   - `expected` = nᵢ·nⱼ / N co-buyers if buying i and j were independent; `lift` = k / expected;
//!   - `llr` = Dunning's log-likelihood ratio G² = 2 Σ o·ln(o/e) over the 2×2 table of customers
//!     (bought i or not × bought j or not; o observed, e = row total × column total / N; 0·ln 0 = 0),
//!     signed negative when k < expected. Under independence G² is χ² with 1 degree of freedom:
//!     above 3.84 is significant at 5 %, above 10.83 at 0.1 %.
//! - Only pairs with at least `minCoBuyers` (default 2) co-buyers are listed; each item's neighbours
//!   are ranked by cosine, then co-buyers, then item number.
//! - **Cost**: pairs are counted customer by customer, so time ∝ Σ over customers of (items per
//!   customer)² and memory ∝ items. A customer with more than `maxItemsPerCustomer` (default 300)
//!   distinct items contributes only their most popular ones to the pairs (a warning counts them);
//!   the buyer counts nᵢ always count every customer.

use serde::Serialize;

use super::{purchased, require, row_starts};
use crate::dataset::Dataset;
use crate::error::{Result, Warning};
use crate::table::{Column, Columnar};

/// Each customer's distinct purchased items (products), ascending.
#[derive(Debug, Clone, Default)]
pub struct CustomerItems {
    offsets: Vec<usize>,
    items: Vec<u32>,
    /// Parallel to the products: customers who bought each (before any cap).
    pub buyers: Vec<u32>,
    /// Customers whose list was cut to the cap, and the items left out.
    pub capped_customers: u64,
    pub dropped_items: u64,
}

impl CustomerItems {
    /// From the dataset's non-return orders, lines with a product and a positive quantity; a
    /// customer with more than `max_items` distinct items keeps the most bought-by-others ones.
    pub fn from_dataset(data: &Dataset, max_items: usize) -> Self {
        let mut out = CustomerItems { offsets: vec![0], buyers: vec![0; data.products.len()], ..Default::default() };
        for c in 0..data.customers.len() as u32 {
            let start = out.items.len();
            for order in data.orders_of(c).iter().filter(|o| !o.is_return) {
                out.items.extend(purchased(data, order));
            }
            let mut own = out.items.split_off(start);
            own.sort_unstable();
            own.dedup();
            for &i in &own {
                if let Some(b) = out.buyers.get_mut(i as usize) {
                    *b = b.saturating_add(1);
                }
            }
            out.items.extend_from_slice(&own);
            out.offsets.push(out.items.len());
        }
        out.cap(max_items);
        out
    }

    /// Cuts every list longer than `max` to its `max` most popular items (ties: lower number).
    fn cap(&mut self, max: usize) {
        if (0..self.len()).all(|c| self.of(c).len() <= max) {
            return;
        }
        let mut offsets = vec![0];
        let mut items = Vec::with_capacity(self.items.len());
        for c in 0..self.len() {
            let mut own = self.of(c).to_vec();
            if own.len() > max {
                self.capped_customers = self.capped_customers.saturating_add(1);
                self.dropped_items = self.dropped_items.saturating_add(own.len().saturating_sub(max) as u64);
                own.sort_by_key(|&i| (std::cmp::Reverse(self.buyers.get(i as usize).copied().unwrap_or(0)), i));
                own.truncate(max);
                own.sort_unstable();
            }
            items.extend_from_slice(&own);
            offsets.push(items.len());
        }
        self.offsets = offsets;
        self.items = items;
    }

    /// Number of customers (all of the dataset's, buyers or not).
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Customer `c`'s items, ascending.
    pub fn of(&self, c: usize) -> &[u32] {
        match (self.offsets.get(c), self.offsets.get(c.saturating_add(1))) {
            (Some(&s), Some(&e)) => self.items.get(s..e).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Customers who bought at least one item.
    pub fn active_customers(&self) -> usize {
        (0..self.len()).filter(|&c| !self.of(c).is_empty()).count()
    }

    /// Item → the customers who bought it (after the cap), as offsets and customer numbers.
    fn by_item(&self, items: usize) -> (Vec<usize>, Vec<u32>) {
        let offsets = row_starts(&self.items, items);
        let mut next = offsets.clone();
        let mut customers = vec![0u32; self.items.len()];
        for c in 0..self.len() {
            for &i in self.of(c) {
                if let Some(slot) = next.get_mut(i as usize) {
                    if let Some(place) = customers.get_mut(*slot) {
                        *place = c as u32;
                    }
                    *slot = slot.saturating_add(1);
                }
            }
        }
        (offsets, customers)
    }
}

/// Options of [`item_similarity`].
#[derive(Debug, Clone, PartialEq)]
pub struct SimilarityOptions {
    /// Neighbours kept per item (at least 1; default 10).
    pub top_k: usize,
    /// Pairs with fewer co-buyers are not listed (at least 1; default 2).
    pub min_co_buyers: u32,
    /// The per-customer cap of the pair counting (at least 2; default 300).
    pub max_items_per_customer: usize,
}

impl Default for SimilarityOptions {
    fn default() -> Self {
        SimilarityOptions { top_k: 10, min_co_buyers: 2, max_items_per_customer: 300 }
    }
}

/// One row per (item, neighbour), grouped by item (in product order), best neighbour first.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimilarityTable {
    /// Product numbers (Rust only).
    #[serde(skip)]
    pub item: Vec<u32>,
    #[serde(skip)]
    pub other: Vec<u32>,
    pub item_id: Vec<String>,
    pub other_id: Vec<String>,
    /// 1 = the closest neighbour.
    pub rank: Vec<u32>,
    pub co_buyers: Vec<u32>,
    pub item_buyers: Vec<u32>,
    pub other_buyers: Vec<u32>,
    pub cosine: Vec<f64>,
    pub also_bought: Vec<f64>,
    pub expected: Vec<f64>,
    pub lift: Vec<f64>,
    pub llr: Vec<f64>,
}

impl Columnar for SimilarityTable {
    fn columns(&self) -> Vec<(&'static str, &'static str, Column<'_>)> {
        vec![
            ("item_id", "itemId", Column::Text(&self.item_id)),
            ("other_id", "otherId", Column::Text(&self.other_id)),
            ("rank", "rank", Column::U32(&self.rank)),
            ("co_buyers", "coBuyers", Column::U32(&self.co_buyers)),
            ("item_buyers", "itemBuyers", Column::U32(&self.item_buyers)),
            ("other_buyers", "otherBuyers", Column::U32(&self.other_buyers)),
            ("cosine", "cosine", Column::F64(&self.cosine)),
            ("also_bought", "alsoBought", Column::F64(&self.also_bought)),
            ("expected", "expected", Column::F64(&self.expected)),
            ("lift", "lift", Column::F64(&self.lift)),
            ("llr", "llr", Column::F64(&self.llr)),
        ]
    }
}

/// The similarity table and its context.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemSimilarity {
    /// Crosses to JS columnar, apart from the rest (see `crate::table::Columnar`).
    #[serde(skip)]
    pub table: SimilarityTable,
    /// N: customers who bought anything.
    pub customers: u64,
    pub warnings: Vec<Warning>,
}

impl ItemSimilarity {
    /// The rows of item `i` (its neighbours, best first): a range into the table.
    pub fn neighbours(&self, i: u32) -> std::ops::Range<usize> {
        let start = self.table.item.partition_point(|&x| x < i);
        let end = self.table.item.partition_point(|&x| x <= i);
        start..end
    }
}

/// `o · ln(o / e)`, 0 when `o` is 0.
fn g_term(o: f64, e: f64) -> f64 {
    if o > 0.0 && e > 0.0 {
        o * (o / e).ln()
    } else {
        0.0
    }
}

/// Dunning's G² for `k` co-buyers of items with `a` and `b` buyers among `n` customers, signed
/// negative when `k` is below the expected `a·b/n`.
pub fn log_likelihood_ratio(k: f64, a: f64, b: f64, n: f64) -> f64 {
    let cells = [(k, a, b), (a - k, a, n - b), (b - k, n - a, b), (n - a - b + k, n - a, n - b)];
    let g2 = 2.0 * cells.iter().map(|&(o, row, col)| g_term(o, row * col / n)).sum::<f64>();
    let g2 = g2.max(0.0);
    if k < a * b / n {
        -g2
    } else {
        g2
    }
}

fn check(options: &SimilarityOptions) -> Result<()> {
    require(options.top_k >= 1, "topK", "at least 1")?;
    require(options.min_co_buyers >= 1, "minCoBuyers", "at least 1")?;
    require(options.max_items_per_customer >= 2, "maxItemsPerCustomer", "at least 2")
}

/// Top-k similar items of every item (see the module docs).
pub fn item_similarity(data: &Dataset, options: &SimilarityOptions) -> Result<ItemSimilarity> {
    check(options)?;
    let purchases = CustomerItems::from_dataset(data, options.max_items_per_customer);
    Ok(similarity_of(data, &purchases, options))
}

/// [`item_similarity`] over the purchases read from `data`.
fn similarity_of(data: &Dataset, purchases: &CustomerItems, options: &SimilarityOptions) -> ItemSimilarity {
    let items = data.products.len();
    let n = purchases.active_customers();
    let n_f = n as f64;
    let (offsets, customers) = purchases.by_item(items);
    let mut co = vec![0u32; items];
    let mut touched: Vec<u32> = Vec::new();
    let mut table = SimilarityTable::default();
    let buyers = |i: u32| purchases.buyers.get(i as usize).copied().unwrap_or(0);
    for i in 0..items as u32 {
        let range = offsets.get(i as usize).copied().unwrap_or(0)..offsets.get((i as usize).saturating_add(1)).copied().unwrap_or(0);
        for &c in customers.get(range).unwrap_or(&[]) {
            for &j in purchases.of(c as usize) {
                if j == i {
                    continue;
                }
                if let Some(k) = co.get_mut(j as usize) {
                    if *k == 0 {
                        touched.push(j);
                    }
                    *k = k.saturating_add(1);
                }
            }
        }
        let (a, a_f) = (buyers(i), f64::from(buyers(i)));
        let mut row: Vec<(f64, u32, u32)> = touched
            .iter()
            .filter_map(|&j| {
                let k = co.get(j as usize).copied().unwrap_or(0);
                (k >= options.min_co_buyers).then(|| (f64::from(k) / (a_f * f64::from(buyers(j))).sqrt(), k, j))
            })
            .collect();
        for &j in &touched {
            if let Some(k) = co.get_mut(j as usize) {
                *k = 0;
            }
        }
        touched.clear();
        let better = |x: &(f64, u32, u32), y: &(f64, u32, u32)| y.0.total_cmp(&x.0).then(y.1.cmp(&x.1)).then(x.2.cmp(&y.2));
        if row.len() > options.top_k {
            row.select_nth_unstable_by(options.top_k, better);
            row.truncate(options.top_k);
        }
        row.sort_unstable_by(better);
        for (rank, &(cosine, k, j)) in row.iter().enumerate() {
            let (k_f, b) = (f64::from(k), buyers(j));
            let expected = a_f * f64::from(b) / n_f;
            table.item.push(i);
            table.other.push(j);
            table.item_id.push(data.products.name(i).to_owned());
            table.other_id.push(data.products.name(j).to_owned());
            table.rank.push((rank as u32).saturating_add(1));
            table.co_buyers.push(k);
            table.item_buyers.push(a);
            table.other_buyers.push(b);
            table.cosine.push(cosine);
            table.also_bought.push(k_f / a_f);
            table.expected.push(expected);
            table.lift.push(k_f / expected);
            table.llr.push(log_likelihood_ratio(k_f, a_f, f64::from(b), n_f));
        }
    }
    let mut warnings = Vec::new();
    if purchases.capped_customers > 0 {
        let message = format!(
            "{} customers bought more than {} distinct items: only their most popular ones were paired ({} items left out of the pair counts)",
            purchases.capped_customers, options.max_items_per_customer, purchases.dropped_items
        );
        warnings.push(Warning::new("CUSTOMERS_CAPPED", "maxItemsPerCustomer", message));
    }
    ItemSimilarity { table, customers: n as u64, warnings }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn llr_by_hand() {
        // k = 10 of a = 20, b = 20, n = 100: cells 10, 10, 10, 70 against 4, 16, 16, 64.
        let want = 2.0 * (10.0 * (10.0f64 / 4.0).ln() + 2.0 * 10.0 * (10.0f64 / 16.0).ln() + 70.0 * (70.0f64 / 64.0).ln());
        assert!((log_likelihood_ratio(10.0, 20.0, 20.0, 100.0) - want).abs() < 1e-12);
        assert!(log_likelihood_ratio(4.0, 20.0, 20.0, 100.0).abs() < 1e-12);
        assert!(log_likelihood_ratio(1.0, 20.0, 20.0, 100.0) < 0.0);
        // Every customer bought both: nothing to learn.
        assert_eq!(log_likelihood_ratio(5.0, 5.0, 5.0, 5.0), 0.0);
    }
}
