//! Lifecycle stage of each customer at asOf (new, one-time, active repeat, reactivated, at risk,
//! lapsed) from their purchase days and their own expected inter-purchase window.
//!
//! Purchases are counted as distinct purchase days (several orders on one day are one purchase).
//! With `since` = days from the last purchase to asOf, and the customer's *window*
//! W = max(minWindowDays, gapMultiple × median gap between consecutive purchase days)
//! (W = minWindowDays for a single purchase), the stage is, checked in this order:
//!
//! One purchase day:
//! 1. **new**: since ≤ newDays (default 30);
//! 2. **lapsed**: since ≥ singlePurchaseLapsedDays (default 180);
//! 3. **at risk**: since > W (default 90);
//! 4. **one-time**: otherwise (past newDays, still within the window). This sixth stage keeps
//!    single buyers who are neither new nor overdue apart from repeat customers.
//!
//! Two or more purchase days:
//! 1. **lapsed**: since ≥ 2 W;
//! 2. **at risk**: W < since < 2 W;
//! 3. **reactivated**: since ≤ W and the gap before the last purchase was longer than W;
//! 4. **active repeat**: since ≤ W otherwise.
//!
//! Defaults: newDays 30, minWindowDays 90, gapMultiple 2, singlePurchaseLapsedDays 180.

use crate::dataset::{Dataset, Day};
use crate::error::{Error, ErrorCode, Result};
use crate::summary::calendar::iso_date;
use crate::summary::history::{days_between, histories, resolve_as_of, share};
use serde::Serialize;

/// Thresholds of [`lifecycle`]; see the module docs for how they are used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LifecycleOptions {
    /// The observation end, inclusive; default: the last order day in the data.
    pub as_of: Option<Day>,
    /// A single purchase at most this many days before asOf is *new* (default 30).
    pub new_days: u32,
    /// The shortest window, in days (default 90).
    pub min_window_days: u32,
    /// The window is this many median gaps when longer than `min_window_days` (default 2).
    pub gap_multiple: f64,
    /// A single purchase at least this many days before asOf is *lapsed* (default 180).
    pub single_purchase_lapsed_days: u32,
}

impl Default for LifecycleOptions {
    fn default() -> Self {
        LifecycleOptions {
            as_of: None,
            new_days: 30,
            min_window_days: 90,
            gap_multiple: 2.0,
            single_purchase_lapsed_days: 180,
        }
    }
}

/// A lifecycle stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LifecycleStage {
    New,
    OneTime,
    ActiveRepeat,
    Reactivated,
    AtRisk,
    Lapsed,
}

impl LifecycleStage {
    /// Every stage, in the order of the per-stage counts.
    pub const ALL: [LifecycleStage; 6] = [
        LifecycleStage::New,
        LifecycleStage::OneTime,
        LifecycleStage::ActiveRepeat,
        LifecycleStage::Reactivated,
        LifecycleStage::AtRisk,
        LifecycleStage::Lapsed,
    ];
}

/// One row per customer with a purchase on or before asOf, columnar.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleTable {
    /// Index of each customer in `Dataset::customers` (Rust only; not serialized).
    #[serde(skip)]
    pub customer: Vec<u32>,
    pub customer_id: Vec<String>,
    pub stage: Vec<LifecycleStage>,
    /// Distinct purchase days.
    pub purchase_days: Vec<u32>,
    /// Days from the last purchase to asOf.
    pub days_since_last: Vec<u32>,
    /// Median gap between consecutive purchase days; null for a single purchase.
    pub median_gap_days: Vec<Option<f64>>,
    /// The customer's window W in days.
    pub window_days: Vec<f64>,
}

/// Customers in one stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StageCount {
    pub stage: LifecycleStage,
    pub customers: u64,
    pub share: f64,
}

/// Result of [`lifecycle`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lifecycle {
    pub as_of: String,
    pub customers: LifecycleTable,
    /// Every stage in [`LifecycleStage::ALL`] order, empty ones included.
    pub stages: Vec<StageCount>,
}

/// The stage of one customer.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Assessment {
    stage: LifecycleStage,
    median_gap: Option<f64>,
    window: f64,
    since: i64,
}

/// The lifecycle stage of every customer with a purchase on or before asOf.
pub fn lifecycle(dataset: &Dataset, options: &LifecycleOptions) -> Result<Lifecycle> {
    if !options.gap_multiple.is_finite() || options.gap_multiple <= 0.0 {
        let code = if options.gap_multiple.is_finite() {
            ErrorCode::OutOfRange
        } else {
            ErrorCode::NotFinite
        };
        let message = format!(
            "gapMultiple must be a finite number greater than 0 (got {})",
            options.gap_multiple
        );
        return Err(Error::new(code, message).with_field("gapMultiple"));
    }
    let as_of = resolve_as_of(dataset, options.as_of)?;
    let histories = histories(dataset, as_of)?;
    let mut table = LifecycleTable::default();
    let mut counts = [0u64; 6];
    for h in &histories {
        let days = h.purchase_days();
        let a = assess(&days, as_of, options);
        if let Some(i) = LifecycleStage::ALL.iter().position(|&s| s == a.stage) {
            if let Some(c) = counts.get_mut(i) {
                *c = c.saturating_add(1);
            }
        }
        table.customer.push(h.customer);
        table
            .customer_id
            .push(dataset.customers.name(h.customer).to_owned());
        table.stage.push(a.stage);
        table
            .purchase_days
            .push(u32::try_from(days.len()).unwrap_or(u32::MAX));
        table
            .days_since_last
            .push(u32::try_from(a.since).unwrap_or(u32::MAX));
        table.median_gap_days.push(a.median_gap);
        table.window_days.push(a.window);
    }
    let n = histories.len() as u64;
    let stages = LifecycleStage::ALL
        .iter()
        .zip(counts)
        .map(|(&stage, customers)| StageCount {
            stage,
            customers,
            share: share(customers, n).unwrap_or(0.0),
        })
        .collect();
    Ok(Lifecycle {
        as_of: iso_date(as_of),
        customers: table,
        stages,
    })
}

/// The median of `values` (mean of the two middle ones for an even count); `None` when empty.
fn median(values: &mut [i64]) -> Option<f64> {
    values.sort_unstable();
    let n = values.len();
    let upper = *values.get(n / 2)?;
    if n % 2 == 1 {
        return Some(upper as f64);
    }
    let lower = *values.get((n / 2).checked_sub(1)?)?;
    Some((lower as f64 + upper as f64) / 2.0)
}

/// The stage of a customer with purchase days `days` (distinct, ascending, at least one).
fn assess(days: &[Day], as_of: Day, options: &LifecycleOptions) -> Assessment {
    let last = days.last().copied().unwrap_or(as_of);
    let since = days_between(last, as_of);
    let mut gaps: Vec<i64> = days
        .windows(2)
        .map(|w| match w {
            [a, b] => days_between(*a, *b),
            _ => 0,
        })
        .collect();
    let last_gap = gaps.last().copied();
    let median_gap = median(&mut gaps);
    let min_window = f64::from(options.min_window_days);
    let window = median_gap.map_or(min_window, |g| min_window.max(options.gap_multiple * g));
    let since_f = since as f64;
    let stage = match last_gap {
        None if since <= i64::from(options.new_days) => LifecycleStage::New,
        None if since >= i64::from(options.single_purchase_lapsed_days) => LifecycleStage::Lapsed,
        None if since_f > window => LifecycleStage::AtRisk,
        None => LifecycleStage::OneTime,
        Some(_) if since_f >= 2.0 * window => LifecycleStage::Lapsed,
        Some(_) if since_f > window => LifecycleStage::AtRisk,
        Some(gap) if gap as f64 > window => LifecycleStage::Reactivated,
        Some(_) => LifecycleStage::ActiveRepeat,
    };
    Assessment {
        stage,
        median_gap,
        window,
        since,
    }
}
