//! Model-based CLV: a transaction model times Gamma-Gamma spend, discounted month by month; the
//! closed-form DERT of Pareto/NBD; and a churn-risk band from P(alive).
//!
//! **Monthly discounted cash flow** (lifetimes' `customer_lifetime_value` convention):
//! `CLV = Σ_{m=1..H} (E[X(T, T+m·u)] − E[X(T, T+(m−1)·u)]) · E[M | x, m̄] · margin / (1+d)^m`,
//! with u the length of a month in the model's time unit, d the monthly discount rate and H the
//! horizon in months. Only *future* purchases count: the first purchase and everything up to T are
//! already in the past (no payment "now"), so each month's cash is booked at that month's end.
//! With margin 1 the result is revenue; with the gross margin as a fraction, profit.

use super::gammagamma::GammaGammaParams;
use super::pnbd::ParetoParams;
use super::{alive_of, per_customer, per_customer_at, Customers, TransactionParams};
use crate::error::{Error, ErrorCode, Result};
use crate::summary::TimeUnit;
use serde::Serialize;

/// Days in an average Gregorian month (365.2425 / 12).
pub const DAYS_PER_MONTH: f64 = 30.436_875;

/// The length of a month in `unit`: 30.436875 days, 4.348125 weeks, or 1 month.
pub fn units_per_month(unit: TimeUnit) -> f64 {
    match unit {
        TimeUnit::Days => DAYS_PER_MONTH,
        TimeUnit::Weeks => DAYS_PER_MONTH / 7.0,
        TimeUnit::Months => 1.0,
    }
}

/// Options of [`clv`] and [`dert`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClvOptions {
    /// Months of future purchases counted (default 12, at most 1200).
    pub horizon_months: u32,
    /// Discount rate per month, d ≥ 0 (default 0.01).
    pub monthly_discount_rate: f64,
    /// Share of revenue kept as profit, in [0, 1] (default 1: CLV as revenue).
    pub margin: f64,
    /// Length of a month in the customers' time unit (default [`units_per_month`]; lifetimes uses
    /// 30 days or 4.345 weeks).
    pub units_per_month: Option<f64>,
}

impl Default for ClvOptions {
    fn default() -> Self {
        ClvOptions { horizon_months: 12, monthly_discount_rate: 0.01, margin: 1.0, units_per_month: None }
    }
}

fn out_of_range(field: &str, message: String) -> Error {
    Error::new(ErrorCode::OutOfRange, message).with_field(field)
}

impl ClvOptions {
    /// The month length to use, after checking every option.
    fn month(&self, unit: TimeUnit) -> Result<f64> {
        if self.horizon_months > 1200 {
            return Err(out_of_range("horizonMonths", format!("horizonMonths must be at most 1200 (got {})", self.horizon_months)));
        }
        let d = self.monthly_discount_rate;
        if !(d.is_finite() && (0.0..=10.0).contains(&d)) {
            return Err(out_of_range("monthlyDiscountRate", format!("monthlyDiscountRate must be between 0 and 10 (got {d})")));
        }
        if !(self.margin.is_finite() && (0.0..=1.0).contains(&self.margin)) {
            return Err(out_of_range("margin", format!("margin must be a fraction between 0 and 1 (got {})", self.margin)));
        }
        let u = self.units_per_month.unwrap_or_else(|| units_per_month(unit));
        if !(u.is_finite() && u > 0.0) {
            return Err(out_of_range("unitsPerMonth", format!("unitsPerMonth must be a number > 0 (got {u})")));
        }
        Ok(u)
    }
}

/// CLV per customer by monthly discounted cash flow (module doc). `monetary` is each customer's
/// mean repeat-purchase value m̄ (0 or anything ≤ 0 when there is none: the population mean spend
/// is used). `NO_FINITE_MEAN` when Gamma-Gamma q ≤ 1.
pub fn clv(
    transactions: &TransactionParams,
    spend: &GammaGammaParams,
    customers: &Customers<'_>,
    monetary: &[f64],
    options: &ClvOptions,
) -> Result<Vec<f64>> {
    clv_given(transactions, spend, customers, monetary, options, None)
}

/// [`clv`], with each customer's P(alive) when it is already known (else computed here).
pub fn clv_given(
    transactions: &TransactionParams,
    spend: &GammaGammaParams,
    customers: &Customers<'_>,
    monetary: &[f64],
    options: &ClvOptions,
    p_alive: Option<&[f64]>,
) -> Result<Vec<f64>> {
    let u = options.month(customers.unit)?;
    transactions.check()?;
    let aov = spend.expected_spend(customers.frequency, monetary)?;
    let discount = 1.0 + options.monthly_discount_rate;
    let horizons: Vec<f64> = (1..=options.horizon_months).map(|m| f64::from(m) * u).collect();
    // Discounted expected purchases per customer (depends on (x, t_x, T) only).
    let purchases = per_customer_at(customers, |i, x, tx, t| {
        let curve = match p_alive {
            Some(p) => transactions.expected_curve_given(alive_of(p, i)?, x, t, &horizons)?,
            None => transactions.expected_curve(x, tx, t, &horizons)?,
        };
        let mut value = 0.0;
        let mut before = 0.0;
        let mut factor = 1.0;
        for upto in curve {
            factor /= discount;
            value += (upto - before).max(0.0) * factor;
            before = upto;
        }
        Ok(value)
    })?;
    Ok(purchases.iter().zip(&aov).map(|(p, m)| p * m * options.margin).collect())
}

/// Pareto/NBD discounted expected residual transactions per customer, over an unlimited horizon,
/// with the monthly discount rate turned into a continuous rate per time unit
/// δ = ln(1 + d)/u. Multiply by expected spend and margin for a closed-form CLV. d must be > 0.
pub fn dert(params: &ParetoParams, customers: &Customers<'_>, options: &ClvOptions) -> Result<Vec<f64>> {
    let delta = dert_rate(params, customers, options)?;
    per_customer(customers, |x, tx, t| params.dert(x, tx, t, delta))
}

/// [`dert`] given each customer's P(alive) (from the same parameters and customers).
pub fn dert_given(params: &ParetoParams, customers: &Customers<'_>, options: &ClvOptions, p_alive: &[f64]) -> Result<Vec<f64>> {
    let delta = dert_rate(params, customers, options)?;
    per_customer_at(customers, |i, x, _, t| params.dert_given(alive_of(p_alive, i)?, x, t, delta))
}

/// The continuous discount rate per time unit of DERT, after checking the options and parameters.
fn dert_rate(params: &ParetoParams, customers: &Customers<'_>, options: &ClvOptions) -> Result<f64> {
    let u = options.month(customers.unit)?;
    if options.monthly_discount_rate <= 0.0 {
        return Err(out_of_range("monthlyDiscountRate", "DERT needs a monthlyDiscountRate above 0 (the undiscounted sum may be infinite)".into()));
    }
    super::check_params(params)?;
    Ok(options.monthly_discount_rate.ln_1p() / u)
}

/// How likely a customer is to have churned, from P(alive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ChurnRisk {
    /// P(alive) ≥ 0.7.
    Low,
    /// 0.3 ≤ P(alive) < 0.7.
    Medium,
    /// P(alive) < 0.3.
    High,
}

/// The churn-risk band of each P(alive) (thresholds 0.7 and 0.3).
pub fn churn_risk(p_alive: &[f64]) -> Vec<ChurnRisk> {
    p_alive
        .iter()
        .map(|&p| {
            if p >= 0.7 {
                ChurnRisk::Low
            } else if p >= 0.3 {
                ChurnRisk::Medium
            } else {
                ChurnRisk::High
            }
        })
        .collect()
}
