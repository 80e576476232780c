//! The model calls as the JS API and the CLI make them on a dataset or a summary table: fit a
//! transaction model (and Gamma-Gamma for spend), predict per customer, validate on a holdout.
//!
//! Options arrive as one request object each ([`ModelRequest`], [`PredictionRequest`]) with the
//! fields of [`FitRequest`] and [`PredictRequest`] plus the summary's `unit` and `asOf`. A spend
//! model that cannot be fitted (too few repeat customers, q ≤ 1) is a warning that leaves the money
//! columns out, not an error: the transaction model's predictions still stand.

use serde::{Deserialize, Serialize};

use super::predict::{predict, predict_new_customer, CustomerPredictions, NewCustomerPredictions, PredictOptions};
use super::request::{FitRequest, PredictRequest};
use super::{
    fit_gamma_gamma_observed, fit_transactions_observed, is_stop, numbered, unobserved, ChurnRisk, Customers, Fit, FitObserver, FitOptions, GammaGammaParams,
    TransactionModel, TransactionParams,
};
use crate::dataset::Dataset;
use crate::error::{Result, Warning};
use crate::input::{reject_unknown, Scalar, Unknown};
use crate::options::{as_of, unit};
use crate::summary::{customer_table, CustomerColumns, SummaryOptions, TimeUnit};
use crate::table::{Column, Columnar, TextColumn};

/// `{ model?, unit?, asOf?, penalizer?, maxIterations? }` (see [`FitRequest`]; unit and asOf as
/// in the customer table): what every model call takes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelFields {
    pub model: Option<Scalar>,
    pub unit: Option<Scalar>,
    pub as_of: Option<Scalar>,
    pub penalizer: Option<Scalar>,
    pub max_iterations: Option<Scalar>,
}

/// [`ModelFields`] alone (`fit`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ModelRequest {
    #[serde(flatten)]
    pub fields: ModelFields,
    #[serde(flatten)]
    pub unknown: Unknown,
}

/// [`ModelFields`] validated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelPlan {
    pub model: TransactionModel,
    pub fit: FitOptions,
    pub summary: SummaryOptions,
}

impl ModelFields {
    fn plan(&self) -> Result<ModelPlan> {
        let fit = FitRequest {
            model: self.model.clone(),
            penalizer: self.penalizer.clone(),
            max_iterations: self.max_iterations.clone(),
            unknown: Unknown::default(),
        };
        let (model, fit) = fit.parse()?;
        Ok(ModelPlan { model, fit, summary: SummaryOptions { unit: unit(self.unit.as_ref())?, as_of: as_of(self.as_of.as_ref())? } })
    }
}

impl ModelRequest {
    pub fn parse(&self) -> Result<ModelPlan> {
        reject_unknown("", &self.unknown)?;
        self.fields.plan()
    }
}

/// [`ModelFields`] and the [`PredictRequest`] fields (horizon, maxPurchases, horizonMonths,
/// monthlyDiscountRate, grossMarginPercent, unitsPerMonth; its unknown-field check covers both).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PredictionRequest {
    #[serde(flatten)]
    pub fields: ModelFields,
    #[serde(flatten)]
    pub predict: PredictRequest,
}

impl PredictionRequest {
    pub fn parse(&self) -> Result<(ModelPlan, PredictOptions)> {
        let predict = self.predict.parse()?;
        Ok((self.fields.plan()?, predict))
    }
}

/// The BTYD columns a model reads, with the customer ids and mean repeat spend.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelInput {
    /// Each row's index in `Dataset::customers` (empty for a summary table).
    pub customer: Vec<u32>,
    pub customer_id: TextColumn,
    pub frequency: Vec<f64>,
    pub recency: Vec<f64>,
    pub t: Vec<f64>,
    /// Empty when unknown (a summary file without monetary values).
    pub monetary_value: Vec<f64>,
    pub unit: TimeUnit,
}

impl ModelPlan {
    /// `OUT_OF_RANGE` on `asOf` for a summary table, whose T is already measured to its own end.
    pub fn for_summary(self) -> Result<ModelPlan> {
        if self.summary.as_of.is_some() {
            let message = "asOf applies to transaction data: a summary file's recency and T are already measured to its observation end";
            return Err(crate::error::Error::new(crate::error::ErrorCode::OutOfRange, message).with_field("asOf"));
        }
        Ok(self)
    }
}

impl ModelInput {
    /// The customer table of `data` under `summary` (unit and asOf).
    pub fn of_dataset(data: &Dataset, summary: &SummaryOptions) -> Result<ModelInput> {
        let table = customer_table(data, summary, CustomerColumns::BTYD)?;
        Ok(ModelInput {
            customer: table.customer,
            customer_id: table.customer_id,
            frequency: table.frequency,
            recency: table.recency,
            t: table.t,
            monetary_value: table.monetary_value,
            unit: table.unit,
        })
    }

    pub fn customers(&self) -> Customers<'_> {
        Customers::new(&self.frequency, &self.recency, &self.t, self.unit)
    }
}

/// A fitted transaction model and, when the data allows, the Gamma-Gamma spend model.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fits {
    pub transactions: Fit<TransactionParams>,
    pub spend: Option<Fit<GammaGammaParams>>,
    /// Why there is no spend model, when there is none (code `SPEND_MODEL_UNAVAILABLE`).
    pub warnings: Vec<Warning>,
}

/// Fits `plan.model` and Gamma-Gamma to `input`.
pub fn fit(input: &ModelInput, plan: &ModelPlan) -> Result<Fits> {
    fit_observed(input, plan, &mut unobserved)
}

/// [`fit`], reporting progress to `observer` (see [`super::FitProgress`]).
pub fn fit_observed(input: &ModelInput, plan: &ModelPlan, observer: &mut FitObserver<'_>) -> Result<Fits> {
    fit_columns(&input.customers(), &input.monetary_value, plan, observer)
}

/// [`fit_observed`] on borrowed columns (`monetary` empty when unknown): no copy of a summary
/// table. The transaction model is fit 0, Gamma-Gamma (when there are monetary values) fit 1.
pub fn fit_columns(customers: &Customers<'_>, monetary: &[f64], plan: &ModelPlan, observer: &mut FitObserver<'_>) -> Result<Fits> {
    let fits = if monetary.is_empty() { 1 } else { 2 };
    let transactions = fit_transactions_observed(plan.model, customers, &plan.fit, &mut numbered(observer, 0, fits))?;
    let mut warnings = Vec::new();
    let spend = if monetary.is_empty() {
        warnings.push(Warning::new("SPEND_MODEL_UNAVAILABLE", "monetaryValue", "the data has no monetary values: no spend model, no CLV"));
        None
    } else {
        match fit_gamma_gamma_observed(customers.frequency, monetary, &plan.fit, &mut numbered(observer, 1, fits)) {
            Ok(spend) => Some(spend),
            Err(e) if is_stop(&e) => return Err(e),
            Err(e) => {
                warnings.push(Warning::new("SPEND_MODEL_UNAVAILABLE", "monetaryValue", format!("no spend model, so no CLV: {}", e.message)));
                None
            }
        }
    };
    Ok(Fits { transactions, spend, warnings })
}

/// Per-customer predictions with their customer ids (a columnar table), the fits they came
/// from, and the same predictions for a new customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Predictions {
    pub fits: Fits,
    pub model: TransactionModel,
    pub unit: TimeUnit,
    pub horizon: f64,
    pub new_customer: NewCustomerPredictions,
    #[serde(skip)]
    pub customer_id: TextColumn,
    #[serde(skip)]
    pub customers: CustomerPredictions,
    pub warnings: Vec<Warning>,
}

pub fn predictions(input: &ModelInput, plan: &ModelPlan, options: &PredictOptions) -> Result<Predictions> {
    predictions_observed(input, plan, options, &mut unobserved)
}

/// [`predictions`], reporting the fits' progress to `observer` (see [`super::FitProgress`]).
pub fn predictions_observed(input: &ModelInput, plan: &ModelPlan, options: &PredictOptions, observer: &mut FitObserver<'_>) -> Result<Predictions> {
    let mut fits = fit_observed(input, plan, observer)?;
    let mut warnings = Vec::new();
    let c = input.customers();
    let spend = fits.spend.as_ref().map(|s| s.params);
    let customers = match spend {
        Some(gg) => match predict(&fits.transactions.params, Some((&gg, &input.monetary_value)), &c, options) {
            Ok(p) => p,
            Err(e) => {
                // The spend model has no finite mean (q ≤ 1): keep the transaction predictions.
                warnings.push(Warning::new("SPEND_MODEL_UNAVAILABLE", "monetaryValue", format!("no CLV: {}", e.message)));
                fits.spend = None;
                predict(&fits.transactions.params, None, &c, options)?
            }
        },
        None => predict(&fits.transactions.params, None, &c, options)?,
    };
    let new_customer = predict_new_customer(&fits.transactions.params, fits.spend.as_ref().map(|s| &s.params), input.unit, options)?;
    Ok(Predictions {
        model: customers.model,
        unit: customers.unit,
        horizon: customers.horizon,
        fits,
        new_customer,
        customer_id: input.customer_id.clone(),
        customers,
        warnings,
    })
}

impl ChurnRisk {
    pub fn key(self) -> &'static str {
        match self {
            ChurnRisk::Low => "low",
            ChurnRisk::Medium => "medium",
            ChurnRisk::High => "high",
        }
    }
}

impl Columnar for Predictions {
    fn columns(&self) -> Vec<(&'static str, &'static str, Column<'_>)> {
        let p = &self.customers;
        let mut columns = vec![
            ("customer_id", "customerId", Column::Texts(&self.customer_id)),
            ("p_alive", "pAlive", Column::F64(&p.p_alive)),
            ("expected_purchases", "expectedPurchases", Column::F64(&p.expected_purchases)),
        ];
        if let Some(spend) = &p.expected_spend {
            columns.push(("expected_spend", "expectedSpend", Column::F64(spend)));
        }
        if let Some(clv) = &p.clv {
            columns.push(("clv", "clv", Column::F64(clv)));
        }
        if let Some(dert) = &p.dert {
            columns.push(("dert", "dert", Column::F64(dert)));
        }
        columns.push(("churn_risk", "churnRisk", Column::Label(p.churn_risk.iter().map(|r| r.key()).collect())));
        columns
    }
}

/// `fitSbg(...)`: `{ cohorts, periods?, discountRate?, renewals?, penalizer?, maxIterations? }`:
/// cohorts of subscribers, each `[size, still active after 1 period, after 2, ...]`; the forecast
/// runs `periods` ahead (1–1200, default 12); DEL and DERL discount at `discountRate` per period
/// (0–10, default 0.1) for a subscriber who has made `renewals` renewals (default 0).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SbgRequest {
    pub cohorts: Option<Vec<Vec<Scalar>>>,
    pub periods: Option<Scalar>,
    pub discount_rate: Option<Scalar>,
    pub renewals: Option<Scalar>,
    pub penalizer: Option<Scalar>,
    pub max_iterations: Option<Scalar>,
    #[serde(flatten)]
    pub unknown: Unknown,
}

/// An sBG fit and what it forecasts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SbgResult {
    pub fit: Fit<super::SbgParams>,
    /// Share of a new cohort still active after 0..=periods periods (1 at 0).
    pub survival: Vec<f64>,
    /// Retention rate of period 1..=periods (active after t / active after t − 1).
    pub retention: Vec<f64>,
    /// Discounted expected lifetime of a new subscriber, in periods (first payment included).
    pub discounted_expected_lifetime: f64,
    /// Discounted expected residual lifetime of a subscriber after `renewals` renewals.
    pub discounted_expected_residual_lifetime: f64,
    pub discount_rate: f64,
    pub renewals: u32,
}

pub fn sbg(request: &SbgRequest) -> Result<SbgResult> {
    use crate::input::{count_in_range, decimal_in_range, optional};
    use rust_decimal::prelude::ToPrimitive;
    use std::ops::Bound::Included;
    reject_unknown("", &request.unknown)?;
    let rows = request
        .cohorts
        .as_ref()
        .ok_or_else(|| crate::error::Error::new(crate::error::ErrorCode::MissingField, "cohorts is required").with_field("cohorts"))?;
    let mut cohorts = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let counts = row
            .iter()
            .enumerate()
            .map(|(j, v)| count_in_range(&format!("cohorts[{i}][{j}]"), Some(v), 0, 1_000_000_000_000))
            .collect::<Result<Vec<u64>>>()?;
        cohorts.push(counts);
    }
    let periods = optional(request.periods.as_ref(), |v| count_in_range("periods", v, 1, 1200))?.unwrap_or(12) as u32;
    let renewals = optional(request.renewals.as_ref(), |v| count_in_range("renewals", v, 0, 100_000))?.unwrap_or(0) as u32;
    let rate = optional(request.discount_rate.as_ref(), |v| decimal_in_range("discountRate", v, Included(rust_decimal::Decimal::ZERO), Included(rust_decimal::Decimal::TEN)))?
        .and_then(|d| d.to_f64())
        .unwrap_or(0.1);
    let fit_request = FitRequest { model: None, penalizer: request.penalizer.clone(), max_iterations: request.max_iterations.clone(), unknown: Unknown::default() };
    let (_, options) = fit_request.parse()?;
    let fit = super::fit_sbg(&cohorts, &options)?;
    Ok(SbgResult {
        survival: fit.params.survival(periods)?,
        retention: fit.params.retention(periods)?,
        discounted_expected_lifetime: fit.params.discounted_expected_lifetime(rate)?,
        discounted_expected_residual_lifetime: fit.params.discounted_expected_residual_lifetime(rate, renewals)?,
        discount_rate: rate,
        renewals,
        fit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use serde_json::json;

    #[test]
    fn model_requests_share_their_fields_and_reject_unknown_ones() {
        let r: PredictionRequest = serde_json::from_value(json!({"model": "paretoNbd", "unit": "weeks", "horizon": 4, "grossMarginPercent": 30})).unwrap();
        let (plan, predict) = r.parse().unwrap();
        assert_eq!((plan.model, plan.summary.unit, predict.horizon, predict.clv.margin), (TransactionModel::ParetoNbd, TimeUnit::Weeks, Some(4.0), 0.3));
        let r: PredictionRequest = serde_json::from_value(json!({"model": "bgNbd", "horizn": 4})).unwrap();
        let e = r.parse().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::UnknownField, Some("horizn")));
        let r: ModelRequest = serde_json::from_value(json!({"model": "mbgNbd", "asOf": "2024-01-31", "horizon": 4})).unwrap();
        let e = r.parse().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::UnknownField, Some("horizon")));
    }

    fn request(v: serde_json::Value) -> SbgRequest {
        serde_json::from_value(v).unwrap()
    }

    /// Fader & Hardie (2007), "How to project customer retention", the "regular" segment's first
    /// seven years: alpha 0.704, beta 1.182.
    #[test]
    fn sbg_matches_the_published_fit_and_checks_its_input() {
        let r = sbg(&request(json!({"cohorts": [[1000, 631, 468, 382, 326, 289, 262, 241]], "periods": 12}))).unwrap();
        assert!((r.fit.params.alpha - 0.704).abs() < 5e-4 && (r.fit.params.beta - 1.182).abs() < 5e-4, "{:?}", r.fit.params);
        assert_eq!((r.survival.len(), r.retention.len(), r.renewals, r.survival[0]), (13, 12, 0, 1.0));
        assert!((r.survival[1] - 0.631).abs() < 0.02 && r.survival.windows(2).all(|w| w[1] <= w[0]));
        assert!(r.discounted_expected_lifetime > 1.0 && r.discounted_expected_residual_lifetime > 0.0);
        for (v, code, field) in [
            (json!({}), ErrorCode::MissingField, "cohorts"),
            (json!({"cohorts": [[100, 120]]}), ErrorCode::OutOfRange, "cohorts[0][1]"),
            (json!({"cohorts": [[100, -1]]}), ErrorCode::Negative, "cohorts[0][1]"),
            (json!({"cohorts": [[100, 50]], "periods": 0}), ErrorCode::OutOfRange, "periods"),
            (json!({"cohorts": [[100, 50]], "discount": 0.1}), ErrorCode::UnknownField, "discount"),
        ] {
            let e = sbg(&request(v)).unwrap_err();
            assert_eq!((e.code, e.field.as_deref()), (code, Some(field)));
        }
    }
}
