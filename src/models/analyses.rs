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
use super::{fit_gamma_gamma, fit_transactions, ChurnRisk, Customers, Fit, FitOptions, GammaGammaParams, TransactionModel, TransactionParams};
use crate::dataset::Dataset;
use crate::error::{Result, Warning};
use crate::input::{reject_unknown, Scalar, Unknown};
use crate::options::{as_of, unit};
use crate::summary::{customer_table, SummaryOptions, TimeUnit};
use crate::table::{Column, Columnar};

/// `{ model?, unit?, asOf?, penalizer?, maxIterations? }` (see [`FitRequest`]; unit and asOf as
/// in the customer table).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelRequest {
    pub model: Option<Scalar>,
    pub unit: Option<Scalar>,
    pub as_of: Option<Scalar>,
    pub penalizer: Option<Scalar>,
    pub max_iterations: Option<Scalar>,
    #[serde(flatten)]
    pub unknown: Unknown,
}

/// [`ModelRequest`] validated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelPlan {
    pub model: TransactionModel,
    pub fit: FitOptions,
    pub summary: SummaryOptions,
}

impl ModelRequest {
    pub fn parse(&self) -> Result<ModelPlan> {
        reject_unknown("", &self.unknown)?;
        self.plan()
    }

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

/// A [`ModelRequest`] and the [`PredictRequest`] fields (horizon, maxPurchases, horizonMonths,
/// monthlyDiscountRate, grossMarginPercent, unitsPerMonth).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PredictionRequest {
    pub model: Option<Scalar>,
    pub unit: Option<Scalar>,
    pub as_of: Option<Scalar>,
    pub penalizer: Option<Scalar>,
    pub max_iterations: Option<Scalar>,
    pub horizon: Option<Scalar>,
    pub max_purchases: Option<Scalar>,
    pub horizon_months: Option<Scalar>,
    pub monthly_discount_rate: Option<Scalar>,
    pub gross_margin_percent: Option<Scalar>,
    pub units_per_month: Option<Scalar>,
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl PredictionRequest {
    pub fn parse(&self) -> Result<(ModelPlan, PredictOptions)> {
        reject_unknown("", &self.unknown)?;
        let model = ModelRequest {
            model: self.model.clone(),
            unit: self.unit.clone(),
            as_of: self.as_of.clone(),
            penalizer: self.penalizer.clone(),
            max_iterations: self.max_iterations.clone(),
            unknown: Unknown::default(),
        };
        let predict = PredictRequest {
            horizon: self.horizon.clone(),
            max_purchases: self.max_purchases.clone(),
            horizon_months: self.horizon_months.clone(),
            monthly_discount_rate: self.monthly_discount_rate.clone(),
            gross_margin_percent: self.gross_margin_percent.clone(),
            units_per_month: self.units_per_month.clone(),
            unknown: Unknown::default(),
        };
        Ok((model.plan()?, predict.parse()?))
    }
}

/// The BTYD columns a model reads, with the customer ids and mean repeat spend.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelInput {
    pub customer_id: Vec<String>,
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
        let table = customer_table(data, summary)?;
        Ok(ModelInput {
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
    let transactions = fit_transactions(plan.model, &input.customers(), &plan.fit)?;
    let mut warnings = Vec::new();
    let spend = if input.monetary_value.is_empty() {
        warnings.push(Warning::new("SPEND_MODEL_UNAVAILABLE", "monetaryValue", "the data has no monetary values: no spend model, no CLV"));
        None
    } else {
        match fit_gamma_gamma(&input.frequency, &input.monetary_value, &plan.fit) {
            Ok(spend) => Some(spend),
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
    pub customer_id: Vec<String>,
    #[serde(skip)]
    pub customers: CustomerPredictions,
    pub warnings: Vec<Warning>,
}

pub fn predictions(input: &ModelInput, plan: &ModelPlan, options: &PredictOptions) -> Result<Predictions> {
    let mut fits = fit(input, plan)?;
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
            ("customer_id", "customerId", Column::Text(&self.customer_id)),
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
