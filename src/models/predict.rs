//! One call for the per-customer columns a dashboard shows (P(alive), expected purchases, P(n),
//! churn band, expected spend, CLV, DERT), and the same figures for a just-acquired customer.
//!
//! Every column is in customer order; money columns are f64 in the unit of the monetary values.

use super::clv::{churn_risk, clv_given, dert_given, ChurnRisk, ClvOptions};
use super::gammagamma::GammaGammaParams;
use super::{check_time, Customers, TransactionModel, TransactionParams};
use crate::error::{Error, ErrorCode, Result};
use crate::summary::TimeUnit;
use serde::Serialize;

/// Options of [`predict`] and [`predict_new_customer`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PredictOptions {
    /// The window for expected purchases and P(n), in the customers' unit (default: one month).
    pub horizon: Option<f64>,
    /// P(exactly n purchases in the horizon) for n = 0..=max (default 0: only P(0); at most 100).
    pub max_purchases: u32,
    pub clv: ClvOptions,
}

impl PredictOptions {
    fn horizon(&self, unit: TimeUnit) -> Result<f64> {
        let h = self.horizon.unwrap_or_else(|| self.clv.units_per_month.unwrap_or_else(|| super::clv::units_per_month(unit)));
        check_time("horizon", h)?;
        if self.max_purchases > 100 {
            let e = Error::new(ErrorCode::OutOfRange, format!("maxPurchases must be at most 100 (got {})", self.max_purchases));
            return Err(e.with_field("maxPurchases"));
        }
        Ok(h)
    }
}

/// Per-customer predictions, columnar.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerPredictions {
    pub model: TransactionModel,
    pub unit: TimeUnit,
    /// The window of `expectedPurchases` and `probPurchases`, in `unit`.
    pub horizon: f64,
    pub p_alive: Vec<f64>,
    pub churn_risk: Vec<ChurnRisk>,
    pub expected_purchases: Vec<f64>,
    /// `probPurchases[n][i]`: P(customer i makes exactly n purchases in the horizon).
    pub prob_purchases: Vec<Vec<f64>>,
    /// With a spend model: E[average order value | x, m̄].
    pub expected_spend: Option<Vec<f64>>,
    /// With a spend model: monthly discounted CLV over `horizonMonths` (see [`clv`]).
    pub clv: Option<Vec<f64>>,
    /// Pareto/NBD only: discounted expected residual transactions (unlimited horizon).
    pub dert: Option<Vec<f64>>,
}

/// Predictions for every customer. `spend` and `monetary` (mean repeat spend per customer) give
/// the money columns; without them those are `None`.
pub fn predict(
    transactions: &TransactionParams,
    spend: Option<(&GammaGammaParams, &[f64])>,
    customers: &Customers<'_>,
    options: &PredictOptions,
) -> Result<CustomerPredictions> {
    let horizon = options.horizon(customers.unit)?;
    let p_alive = transactions.p_alive(customers)?;
    let prob_purchases = (0..=options.max_purchases).map(|n| transactions.prob_purchases_given(customers, horizon, n, &p_alive)).collect::<Result<_>>()?;
    let (expected_spend, value) = match spend {
        Some((gg, monetary)) => (
            Some(gg.expected_spend(customers.frequency, monetary)?),
            Some(clv_given(transactions, gg, customers, monetary, &options.clv, Some(&p_alive))?),
        ),
        None => (None, None),
    };
    let dert = match transactions {
        TransactionParams::ParetoNbd(p) if options.clv.monthly_discount_rate > 0.0 => Some(dert_given(p, customers, &options.clv, &p_alive)?),
        _ => None,
    };
    let expected_purchases = transactions.expected_purchases_given(customers, horizon, &p_alive)?;
    Ok(CustomerPredictions {
        model: transactions.model(),
        unit: customers.unit,
        horizon,
        churn_risk: churn_risk(&p_alive),
        p_alive,
        expected_purchases,
        prob_purchases,
        expected_spend,
        clv: value,
        dert,
    })
}

/// The predictions for one customer just after their first purchase (x = t_x = T = 0), who has no
/// spend history (population mean spend).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewCustomerPredictions {
    pub model: TransactionModel,
    pub horizon: f64,
    pub p_alive: f64,
    pub expected_purchases: f64,
    /// P(exactly n purchases in the horizon), n = 0..=maxPurchases.
    pub prob_purchases: Vec<f64>,
    pub expected_spend: Option<f64>,
    pub clv: Option<f64>,
    pub dert: Option<f64>,
}

/// [`predict`] for a hypothetical just-acquired customer.
pub fn predict_new_customer(
    transactions: &TransactionParams,
    spend: Option<&GammaGammaParams>,
    unit: TimeUnit,
    options: &PredictOptions,
) -> Result<NewCustomerPredictions> {
    let zero = [0.0];
    let c = Customers::new(&zero, &zero, &zero, unit);
    let all = predict(transactions, spend.map(|g| (g, &zero[..])), &c, options)?;
    let first = |v: &[f64]| v.first().copied().unwrap_or(0.0);
    Ok(NewCustomerPredictions {
        model: all.model,
        horizon: all.horizon,
        p_alive: first(&all.p_alive),
        expected_purchases: first(&all.expected_purchases),
        prob_purchases: all.prob_purchases.iter().map(|v| first(v)).collect(),
        expected_spend: all.expected_spend.as_deref().map(first),
        clv: all.clv.as_deref().map(first),
        dert: all.dert.as_deref().map(first),
    })
}
