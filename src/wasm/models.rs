//! Predictive-model bindings: fit, predict (per customer, columnar) and holdout validation on a
//! dataset handle, and fit/predict on a summary handle (the file's recency and T in `unit`).
//! Each fitting call takes an optional `on_progress` function (see [`observed`]).

use js_sys::{Array, Float64Array, Function, Reflect};
use wasm_bindgen::prelude::*;

use super::dataset::{core, options, with_table, Callback, DatasetHandle, SummaryHandle};
use super::to_js_value;
use crate::models::analyses::{fit_columns, fit_observed, predictions_observed, ModelInput, ModelPlan, ModelRequest, Predictions, PredictionRequest};
use crate::models::subscriptions::{cohort_sbg, CohortSbgRequest};
use crate::models::{auto_observed, holdout_split, FitObserver, FitProgress, HoldoutRequest, PredictOptions};
use crate::table::to_csv;

/// Runs `run` with an observer that calls `on_progress(progress)` (a [`FitProgress`] as a plain
/// object) once per report (see [`Callback`]): a thrown exception stops the fit and is rethrown as is.
fn observed<T>(on_progress: Option<Function>, run: impl FnOnce(&mut FitObserver<'_>) -> crate::error::Result<T>) -> Result<T, JsValue> {
    let mut callback = Callback::new(on_progress);
    let result = run(&mut |progress: &FitProgress| callback.report(|| to_js_value(progress)));
    callback.finish(result)
}

/// Fits and predicts on `input`, the fits reporting to `on_progress`.
fn predicted(input: &ModelInput, plan: &ModelPlan, predict: &PredictOptions, on_progress: Option<Function>) -> Result<Predictions, JsValue> {
    observed(on_progress, |observer| predictions_observed(input, plan, predict, observer))
}

/// `predictions` as a plain object with the per-customer table under `customers`, and the
/// P(n purchases) columns as `probPurchases[n]`.
fn predictions_to_js(result: &Predictions) -> Result<JsValue, JsValue> {
    let out = with_table(result, "customers", result)?;
    let columns = Reflect::get(&out, &JsValue::from_str("customers"))?;
    let probs = Array::new();
    for column in &result.customers.prob_purchases {
        probs.push(&Float64Array::from(column.as_slice()));
    }
    Reflect::set(&columns, &JsValue::from_str("probPurchases"), &probs)?;
    Ok(out)
}

fn summary_input(handle: &SummaryHandle, unit: crate::summary::TimeUnit) -> ModelInput {
    let t = handle.table();
    ModelInput {
        customer: Vec::new(),
        customer_id: t.customer_id.clone(),
        frequency: t.frequency.clone(),
        recency: t.recency.clone(),
        t: t.t.clone(),
        monetary_value: t.monetary_value.clone(),
        unit,
    }
}

#[wasm_bindgen]
impl DatasetHandle {
    /// Fits a transaction model (and Gamma-Gamma) to the per-customer table.
    pub fn fit(&self, options: JsValue, on_progress: Option<Function>) -> Result<JsValue, JsValue> {
        let request: ModelRequest = self::options(options)?;
        let plan = core(request.parse())?;
        let input = core(ModelInput::of_dataset(&self.data, &plan.summary))?;
        to_js_value(&observed(on_progress, |observer| fit_observed(&input, &plan, observer))?)
    }

    /// Fits, then predicts per customer: P(alive), expected purchases, P(n), spend, CLV, churn risk.
    pub fn predict(&self, options: JsValue, on_progress: Option<Function>) -> Result<JsValue, JsValue> {
        let request: PredictionRequest = self::options(options)?;
        let (plan, predict) = core(request.parse())?;
        let input = core(ModelInput::of_dataset(&self.data, &plan.summary))?;
        let result = predicted(&input, &plan, &predict, on_progress)?;
        self.mined.remember_p_alive(&self.data, plan.model, &plan.summary, &plan.fit, &input.customer, &result.customers.p_alive);
        predictions_to_js(&result)
    }

    /// The per-customer predictions as CSV (`customer_id,p_alive,expected_purchases,...`).
    #[wasm_bindgen(js_name = predictCsv)]
    pub fn predict_csv(&self, options: JsValue, on_progress: Option<Function>) -> Result<String, JsValue> {
        let request: PredictionRequest = self::options(options)?;
        let (plan, predict) = core(request.parse())?;
        let input = core(ModelInput::of_dataset(&self.data, &plan.summary))?;
        Ok(to_csv(&predicted(&input, &plan, &predict, on_progress)?))
    }

    /// Calibration/holdout split by date: every transaction model fitted before `calibrationEnd`,
    /// validated after it, ranked, the best picked.
    #[wasm_bindgen(js_name = validateModels)]
    pub fn validate_models(&self, options: JsValue, on_progress: Option<Function>) -> Result<JsValue, JsValue> {
        let request: HoldoutRequest = self::options(options)?;
        let o = core(request.parse())?;
        let data = core(holdout_split(&self.data, o.unit, o.calibration_end, o.observation_end))?;
        to_js_value(&observed(on_progress, |observer| auto_observed(&data, &o.fit, &o.validation, observer))?)
    }

    /// sBG retention fitted to the monthly cohorts read as subscriptions (see `fitSbg`).
    #[wasm_bindgen(js_name = fitSbg)]
    pub fn fit_sbg(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let request: CohortSbgRequest = self::options(options)?;
        to_js_value(&core(cohort_sbg(&self.data, &request))?)
    }
}

#[wasm_bindgen]
impl SummaryHandle {
    /// Fits a transaction model (and Gamma-Gamma when the file has monetary values); `unit` is
    /// the unit of the file's recency and T (default days).
    pub fn fit(&self, options: JsValue, on_progress: Option<Function>) -> Result<JsValue, JsValue> {
        let request: ModelRequest = self::options(options)?;
        let plan = core(request.parse().and_then(|p| p.for_summary()))?;
        let t = self.table();
        let customers = crate::models::Customers::new(&t.frequency, &t.recency, &t.t, plan.summary.unit);
        to_js_value(&observed(on_progress, |observer| fit_columns(&customers, &t.monetary_value, &plan, observer))?)
    }

    pub fn predict(&self, options: JsValue, on_progress: Option<Function>) -> Result<JsValue, JsValue> {
        let request: PredictionRequest = self::options(options)?;
        let (plan, predict) = core(request.parse())?;
        let plan = core(plan.for_summary())?;
        predictions_to_js(&predicted(&summary_input(self, plan.summary.unit), &plan, &predict, on_progress)?)
    }

    #[wasm_bindgen(js_name = predictCsv)]
    pub fn predict_csv(&self, options: JsValue, on_progress: Option<Function>) -> Result<String, JsValue> {
        let request: PredictionRequest = self::options(options)?;
        let (plan, predict) = core(request.parse())?;
        let plan = core(plan.for_summary())?;
        Ok(to_csv(&predicted(&summary_input(self, plan.summary.unit), &plan, &predict, on_progress)?))
    }
}

