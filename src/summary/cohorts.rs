//! Monthly acquisition cohorts: customers grouped by the month of their first purchase, followed
//! month by month (age 0, 1, …) for activity, net revenue and retention, as a heatmap matrix.
//!
//! Row i is a cohort, column k its k-th month since the first purchase (k = 0 is the first
//! month); rows are ragged, each running to asOf's month. A customer is *active* at age k with a
//! purchase (non-return order) in that month; revenue is the net total of the cohort's orders in
//! that month, returns included (returns dated in a month before the customer's first purchase
//! have no age and are left out). Only months in which someone made a first purchase are rows.
//! `surviving[i][k]` counts the cohort's customers whose last purchase is k or more months after
//! the cohort month: read as subscriptions (a payment each month), those still subscribed at age k.

use super::calendar::{is_month_end, iso_date, month_index, month_label};
use super::history::{histories, resolve_as_of, OrInternal};
use super::SummaryOptions;
use crate::dataset::Dataset;
use crate::error::{Error, ErrorCode, Result};
use crate::input::OrOverflow;
use crate::money::format_money;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// Most cells (cohorts × months) of one matrix: a guard against dates decades apart by mistake.
const MAX_CELLS: usize = 2_000_000;

/// Monthly cohorts: `cohort[i]` is a row; `active[i][k]`, `revenue[i][k]` and `retention[i][k]`
/// are its figures k months after the cohort month (k = 0 ..= months to asOf's month).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cohorts {
    /// The observation end, "YYYY-MM-DD".
    pub as_of: String,
    /// False when asOf is not the last day of its month: the last column of every row is partial.
    pub last_month_complete: bool,
    /// Cohort month, "YYYY-MM", ascending.
    pub cohort: Vec<String>,
    /// Customers whose first purchase fell in the cohort month.
    pub size: Vec<u64>,
    /// Customers of the cohort with a purchase k months after the cohort month.
    pub active: Vec<Vec<u64>>,
    /// Net revenue of the cohort's orders in that month (2 decimals).
    pub revenue: Vec<Vec<String>>,
    /// active / size.
    pub retention: Vec<Vec<f64>>,
    /// Customers of the cohort whose last purchase is k or more months after the cohort month
    /// (non-increasing; `surviving[i][0] = size[i]`).
    pub surviving: Vec<Vec<u64>>,
}

/// Exact figures of one cohort row.
#[derive(Debug, Default)]
struct Row {
    size: u64,
    active: Vec<u64>,
    revenue: Vec<Decimal>,
    /// Customers by the age of their last purchase (summed from the end into `surviving`).
    last: Vec<u64>,
}

/// The monthly acquisition cohorts of `dataset` up to `options.as_of` (`options.unit` is not used).
pub fn cohorts(dataset: &Dataset, options: &SummaryOptions) -> Result<Cohorts> {
    let as_of = resolve_as_of(dataset, options.as_of)?;
    let last_month = month_index(as_of);
    let mut rows: BTreeMap<i64, Row> = BTreeMap::new();
    let mut cells: usize = 0;
    for h in histories(dataset, as_of)? {
        let cohort = month_index(h.first);
        let width = last_month
            .checked_sub(cohort)
            .and_then(|w| w.checked_add(1))
            .and_then(|w| usize::try_from(w).ok())
            .or_internal("cohort width")?;
        if !rows.contains_key(&cohort) {
            cells = cells.saturating_add(width);
            if cells > MAX_CELLS {
                return Err(too_large());
            }
        }
        let row = rows.entry(cohort).or_insert_with(|| Row {
            size: 0,
            active: vec![0; width],
            revenue: vec![Decimal::ZERO; width],
            last: vec![0; width],
        });
        row.size = row.size.saturating_add(1);
        let mut last_active: Option<usize> = None;
        for o in h.orders {
            let Some(age) = month_index(o.day)
                .checked_sub(cohort)
                .and_then(|a| usize::try_from(a).ok())
            else {
                continue;
            };
            let cell = row
                .revenue
                .get_mut(age)
                .or_internal("cohort age beyond asOf")?;
            *cell = cell
                .checked_add(o.revenue)
                .or_overflow("a cohort's revenue")?;
            if !o.is_return && last_active != Some(age) {
                last_active = Some(age);
                let count = row
                    .active
                    .get_mut(age)
                    .or_internal("cohort age beyond asOf")?;
                *count = count.saturating_add(1);
            }
        }
        // A customer whose every order is a return has no purchase age: counted at age 0.
        let last = row
            .last
            .get_mut(last_active.unwrap_or(0))
            .or_internal("cohort age beyond asOf")?;
        *last = last.saturating_add(1);
    }
    let mut out = Cohorts {
        as_of: iso_date(as_of),
        last_month_complete: is_month_end(as_of),
        cohort: Vec::with_capacity(rows.len()),
        size: Vec::with_capacity(rows.len()),
        active: Vec::with_capacity(rows.len()),
        revenue: Vec::with_capacity(rows.len()),
        retention: Vec::with_capacity(rows.len()),
        surviving: Vec::with_capacity(rows.len()),
    };
    for (month, row) in rows {
        let size = row.size.max(1) as f64;
        out.cohort.push(month_label(month));
        out.size.push(row.size);
        out.retention
            .push(row.active.iter().map(|&a| a as f64 / size).collect());
        out.surviving.push(surviving(&row.last));
        out.active.push(row.active);
        out.revenue.push(
            row.revenue
                .into_iter()
                .map(|r| format_money(r, 2))
                .collect(),
        );
    }
    Ok(out)
}

/// Suffix sums of customers by last-purchase age: those whose last purchase is at age k or later.
fn surviving(last: &[u64]) -> Vec<u64> {
    let mut out = vec![0; last.len()];
    let mut sum: u64 = 0;
    for (slot, &n) in out.iter_mut().zip(last).rev() {
        sum = sum.saturating_add(n);
        *slot = sum;
    }
    out
}

/// The survival rows an sBG fit can use: complete months only (the last column is dropped when
/// asOf ends its month early), and only cohorts observed for at least one month after their first.
pub fn subscription_cohorts(cohorts: &Cohorts) -> Vec<Vec<u64>> {
    let drop = usize::from(!cohorts.last_month_complete);
    cohorts
        .surviving
        .iter()
        .filter_map(|row| row.get(..row.len().saturating_sub(drop)))
        .filter(|row| row.len() >= 2)
        .map(<[u64]>::to_vec)
        .collect()
}

fn too_large() -> Error {
    let message = format!(
        "the cohort matrix would have more than {MAX_CELLS} cells: the order dates span too many \
         months (check the date column for misread years)"
    );
    Error::new(ErrorCode::OutOfRange, message).with_field("asOf")
}
