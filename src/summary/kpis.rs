//! Store-wide KPIs up to asOf: revenue, customers, orders, order value, purchase frequency,
//! repeat rate, monthly retention and churn, lifespan, historical CLV and simple CLV.
//!
//! Every definition is on the field of [`Kpis`] it fills. Counts and money are exact (money as
//! decimal strings with 2 places); rates and derived durations are numbers. Simple CLV is
//! computed by [`crate::calc::simple_clv`] (averageOrderValue × purchaseFrequency ×
//! lifespanYears) from the exact figures measured here.

use super::calendar::{days_per_year, is_month_end, iso_date, month_index, month_label};
use super::history::{
    days_between, exact, histories, resolve_as_of, share, sum, History, OrInternal,
};
use super::SummaryOptions;
use crate::calc::{simple_clv, PatternInput, SimpleClvInput};
use crate::dataset::{Dataset, Day};
use crate::error::{Result, Warning};
use crate::input::OrOverflow;
use crate::money::{format_money, to_f64};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// Monthly retention, one entry per calendar month m that had active customers and whose next
/// month m+1 is complete (ends on or before asOf). Columnar.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RetentionSeries {
    /// Month m, "YYYY-MM".
    pub month: Vec<String>,
    /// Customers with a purchase in m.
    pub active: Vec<u64>,
    /// Of those, customers with a purchase in m+1 too.
    pub retained: Vec<u64>,
    /// retained / active.
    pub retention_rate: Vec<f64>,
    /// 1 − retentionRate.
    pub churn_rate: Vec<f64>,
}

/// The KPIs of a dataset up to asOf. Customers are those with a purchase on or before asOf;
/// every revenue is net of returns (see the `summary` module docs).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Kpis {
    /// The observation end, "YYYY-MM-DD".
    pub as_of: String,
    /// The first purchase day of any customer, "YYYY-MM-DD".
    pub first_purchase: String,
    /// Days observed: asOf − firstPurchase + 1.
    pub observed_days: u64,
    /// Net revenue of all orders on or before asOf (returns netted in).
    pub revenue: String,
    /// Customers with a purchase on or before asOf.
    pub customers: u64,
    /// Purchases (non-return orders) on or before asOf.
    pub orders: u64,
    /// revenue / orders.
    pub average_order_value: String,
    /// orders / customers.
    pub purchase_frequency: f64,
    /// orders / customers / observed years, with observed years = observedDays / 365.2425 (the
    /// average Gregorian year): the purchases per customer per year over the whole span.
    pub purchase_frequency_per_year: f64,
    /// Share of customers with 2 or more orders.
    pub repeat_purchase_rate: f64,
    /// revenue / customers.
    pub revenue_per_customer: String,
    /// Historical CLV: what a customer has been worth so far, revenue / customers (the same
    /// figure as revenuePerCustomer, named for what it is used as).
    pub historical_clv: String,
    /// Month-to-month retention: of the customers with a purchase in month m, the share with a
    /// purchase in month m+1. Only pairs whose m+1 is a complete month (its last day ≤ asOf)
    /// are counted, so a partial last month does not read as churn.
    pub retention: RetentionSeries,
    /// The unweighted mean of the monthly retention rates; null without any month pair.
    pub mean_retention_rate: Option<f64>,
    /// 1 − meanRetentionRate (monthly churn).
    pub mean_churn_rate: Option<f64>,
    /// Average customer lifespan: 1 / meanChurnRate months; null when churn is 0 or unknown.
    pub lifespan_months: Option<f64>,
    /// lifespanMonths / 12.
    pub lifespan_years: Option<f64>,
    /// Simple CLV = averageOrderValue × purchaseFrequencyPerYear × lifespanYears, computed
    /// exactly by `calc::simple_clv`; null without a lifespan or with a negative order value.
    pub simple_clv: Option<String>,
    pub simple_clv_formula: String,
    pub warnings: Vec<Warning>,
}

/// Exact intermediate figures.
struct Totals {
    revenue: Decimal,
    customers: u64,
    orders: u64,
    repeaters: u64,
    first: Day,
}

/// The KPIs of `dataset` up to `options.as_of` (`options.unit` is not used).
pub fn kpis(dataset: &Dataset, options: &SummaryOptions) -> Result<Kpis> {
    let as_of = resolve_as_of(dataset, options.as_of)?;
    let histories = histories(dataset, as_of)?;
    let totals = totals(&histories)?;
    let customers = Decimal::from(totals.customers);
    let orders = Decimal::from(totals.orders);
    let aov = quotient(totals.revenue, orders, "average order value")?;
    let frequency = quotient(orders, customers, "purchase frequency")?;
    let observed_days = days_between(totals.first, as_of).saturating_add(1).max(1);
    let years = quotient(
        Decimal::from(observed_days),
        days_per_year(),
        "observed years",
    )?;
    let yearly_frequency = quotient(frequency, years, "purchase frequency per year")?;
    let per_customer = quotient(totals.revenue, customers, "revenue per customer")?;
    let retention = retention_series(&histories, as_of)?;
    let mean_retention = mean_rate(&retention)?;
    let mean_churn = mean_retention
        .map(|r| Decimal::ONE.checked_sub(r).or_overflow("mean churn rate"))
        .transpose()?;
    let lifespan_months = match mean_churn {
        Some(churn) if churn > Decimal::ZERO => {
            Some(quotient(Decimal::ONE, churn, "lifespan months")?)
        }
        _ => None,
    };
    let lifespan_years = lifespan_months
        .map(|m| quotient(m, Decimal::from(12), "lifespan years"))
        .transpose()?;
    let mut warnings = Vec::new();
    let simple = simple_clv_of(
        aov,
        yearly_frequency,
        lifespan_years,
        mean_churn,
        &mut warnings,
    )?;
    Ok(Kpis {
        as_of: iso_date(as_of),
        first_purchase: iso_date(totals.first),
        observed_days: u64::try_from(observed_days).unwrap_or(1),
        revenue: format_money(totals.revenue, 2),
        customers: totals.customers,
        orders: totals.orders,
        average_order_value: format_money(aov, 2),
        purchase_frequency: to_f64(frequency),
        purchase_frequency_per_year: to_f64(yearly_frequency),
        repeat_purchase_rate: share(totals.repeaters, totals.customers).unwrap_or(0.0),
        revenue_per_customer: format_money(per_customer, 2),
        historical_clv: format_money(per_customer, 2),
        retention,
        mean_retention_rate: mean_retention.map(to_f64),
        mean_churn_rate: mean_churn.map(to_f64),
        lifespan_months: lifespan_months.map(to_f64),
        lifespan_years: lifespan_years.map(to_f64),
        simple_clv: simple,
        simple_clv_formula:
            "simpleClv = averageOrderValue × purchaseFrequencyPerYear × lifespanYears; \
             lifespanYears = 1 / meanChurnRate / 12 (calc.simpleClv)"
                .to_owned(),
        warnings,
    })
}

fn quotient(numerator: Decimal, denominator: Decimal, what: &str) -> Result<Decimal> {
    numerator.checked_div(denominator).or_overflow(what)
}

fn totals(histories: &[History<'_>]) -> Result<Totals> {
    let first = histories
        .iter()
        .map(|h| h.first)
        .min()
        .or_internal("KPIs of no customer")?;
    Ok(Totals {
        revenue: sum(histories.iter().map(|h| h.revenue), "total revenue")?,
        customers: u64::try_from(histories.len()).or_internal("customer count")?,
        orders: histories
            .iter()
            .fold(0u64, |n, h| n.saturating_add(u64::from(h.purchases))),
        repeaters: histories.iter().filter(|h| h.purchases >= 2).count() as u64,
        first,
    })
}

/// The last complete month at `as_of` (asOf's month when asOf is its last day, else the one before).
pub(crate) fn last_complete_month(as_of: Day) -> i64 {
    let month = month_index(as_of);
    if is_month_end(as_of) {
        month
    } else {
        month.saturating_sub(1)
    }
}

/// The distinct months with a purchase of `history`, ascending.
pub(crate) fn purchase_months(history: &History<'_>) -> Vec<i64> {
    let mut months: Vec<i64> = history
        .purchase_orders()
        .map(|o| month_index(o.day))
        .collect();
    months.dedup();
    months
}

fn retention_series(histories: &[History<'_>], as_of: Day) -> Result<RetentionSeries> {
    let last_complete = last_complete_month(as_of);
    let mut counts: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
    for h in histories {
        let months = purchase_months(h);
        for (i, &m) in months.iter().enumerate() {
            if m >= last_complete {
                break;
            }
            let entry = counts.entry(m).or_insert((0, 0));
            entry.0 = entry.0.saturating_add(1);
            let next = i.checked_add(1).and_then(|j| months.get(j));
            if next.copied() == m.checked_add(1) {
                entry.1 = entry.1.saturating_add(1);
            }
        }
    }
    let mut series = RetentionSeries::default();
    for (m, (active, retained)) in counts {
        let rate = share(retained, active).or_internal("a month without active customers")?;
        series.month.push(month_label(m));
        series.active.push(active);
        series.retained.push(retained);
        series.retention_rate.push(rate);
        series.churn_rate.push(1.0 - rate);
    }
    Ok(series)
}

/// The exact unweighted mean of retained / active; `None` without any month.
fn mean_rate(series: &RetentionSeries) -> Result<Option<Decimal>> {
    if series.month.is_empty() {
        return Ok(None);
    }
    let rates = series
        .retained
        .iter()
        .zip(&series.active)
        .map(|(&r, &a)| quotient(Decimal::from(r), Decimal::from(a), "retention rate"))
        .collect::<Result<Vec<_>>>()?;
    let total = sum(rates, "retention rates")?;
    let n = Decimal::from(series.month.len() as u64);
    quotient(total, n, "mean retention rate").map(Some)
}

fn simple_clv_of(
    aov: Decimal,
    yearly_frequency: Decimal,
    lifespan_years: Option<Decimal>,
    mean_churn: Option<Decimal>,
    warnings: &mut Vec<Warning>,
) -> Result<Option<String>> {
    let Some(years) = lifespan_years else {
        let message = match mean_churn {
            None => "no complete month pair to measure monthly retention: lifespan and simple CLV are not computed",
            Some(_) => "no customer churned from one month to the next: lifespan (1 / churn) and simple CLV are unbounded, so not computed",
        };
        warnings.push(Warning::new("NO_LIFESPAN", "lifespanMonths", message));
        return Ok(None);
    };
    if aov.is_sign_negative() && !aov.is_zero() {
        let message = "returns exceed purchases, so the average order value is negative: simple CLV is not computed";
        warnings.push(Warning::new(
            "NEGATIVE_ORDER_VALUE",
            "averageOrderValue",
            message,
        ));
        return Ok(None);
    }
    let input = SimpleClvInput {
        pattern: PatternInput {
            average_order_value: Some(exact(aov)),
            purchase_frequency: Some(exact(yearly_frequency)),
            lifespan_years: Some(exact(years)),
            ..PatternInput::default()
        },
        ..SimpleClvInput::default()
    };
    Ok(Some(simple_clv(&input)?.clv))
}
