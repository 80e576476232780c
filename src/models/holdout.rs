//! Calibration/holdout validation of the transaction models: the split of a dataset by date,
//! predicted vs actual holdout purchases, period-by-period tracking, the frequency histogram, `auto`.
//!
//! Everything is plain data (serde, camelCase), ready to plot. The calibration summary is the
//! customer table up to the calibration end (customers whose first purchase is on or before it);
//! holdout purchases are the purchase periods (days, weeks or months with a non-return order)
//! after the calibration end's period, up to the observation end.

use super::{check_at, fit_transactions_observed, is_stop, numbered, unobserved, Customers, Fit, FitObserver, FitOptions, TransactionModel, TransactionParams, Tuples};
use crate::dataset::{Dataset, Day};
use crate::ingest::summary_file::SummaryTable;
use crate::error::{Error, ErrorCode, Result};
use crate::summary::calendar::iso_date;
use crate::summary::customers::period;
use crate::summary::history::resolve_as_of;
use crate::summary::{customer_table, CustomerColumns, SummaryOptions, TimeUnit};
use serde::Serialize;

/// A calibration summary and what the same customers bought afterwards.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HoldoutData {
    pub unit: TimeUnit,
    /// "YYYY-MM-DD": the last day of the calibration window and of the holdout.
    pub calibration_end: String,
    pub observation_end: String,
    /// The calibration summary (customerId, frequency, recency, T, monetaryValue), as a summary
    /// file would give it.
    #[serde(flatten)]
    pub calibration: SummaryTable,
    /// Purchase periods in the holdout, per customer.
    pub holdout_frequency: Vec<f64>,
    /// Holdout length in periods of `unit`.
    pub holdout_duration: f64,
    /// Holdout purchases of all calibration customers in holdout period 1, 2, … (not cumulative).
    pub holdout_by_period: Vec<f64>,
}

impl HoldoutData {
    /// The calibration columns as model input.
    pub fn customers(&self) -> Customers<'_> {
        let c = &self.calibration;
        Customers::new(&c.frequency, &c.recency, &c.t, self.unit)
    }
}

/// Splits `dataset` at `calibration_end` (inclusive) with the holdout running to
/// `observation_end` (default: the last order day). `OUT_OF_RANGE` (field `calibrationEnd`)
/// unless the holdout spans at least one whole period of `unit`.
pub fn holdout_split(dataset: &Dataset, unit: TimeUnit, calibration_end: Day, observation_end: Option<Day>) -> Result<HoldoutData> {
    let end = resolve_as_of(dataset, observation_end)?;
    let (cut, last) = (period(unit, calibration_end), period(unit, end));
    if last <= cut {
        let message = format!(
            "calibrationEnd ({}) must leave at least one whole period before the observation end ({})",
            iso_date(calibration_end),
            iso_date(end)
        );
        return Err(Error::new(ErrorCode::OutOfRange, message).with_field("calibrationEnd"));
    }
    let table = customer_table(dataset, &SummaryOptions { unit, as_of: Some(calibration_end) }, CustomerColumns::BTYD)?;
    let duration = usize::try_from(last.saturating_sub(cut)).unwrap_or(usize::MAX).min(1 << 20);
    let mut by_period = vec![0.0; duration];
    let mut holdout = Vec::with_capacity(table.customer.len());
    for &c in &table.customer {
        let mut previous = cut;
        let mut count = 0.0;
        for o in dataset.orders_of(c).iter().filter(|o| !o.is_return && o.day <= end) {
            let p = period(unit, o.day);
            if p > previous {
                previous = p;
                count += 1.0;
                let index = p.checked_sub(cut).and_then(|d| d.checked_sub(1)).and_then(|k| usize::try_from(k).ok());
                if let Some(slot) = index.and_then(|k| by_period.get_mut(k)) {
                    *slot += 1.0;
                }
            }
        }
        holdout.push(count);
    }
    Ok(HoldoutData {
        unit,
        calibration_end: iso_date(calibration_end),
        observation_end: iso_date(end),
        calibration: SummaryTable {
            customer_id: table.customer_id,
            frequency: table.frequency,
            recency: table.recency,
            t: table.t,
            monetary_value: table.monetary_value,
        },
        holdout_frequency: holdout,
        holdout_duration: duration as f64,
        holdout_by_period: by_period,
    })
}

/// Options of [`validate`] and [`auto`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidationOptions {
    /// Buckets and histogram bars 0, 1, …, k−1 and "k+" (default 7).
    pub max_frequency: u32,
    /// Most points of the tracking series (default 104); long holdouts are sampled evenly.
    pub tracking_points: u32,
}

impl Default for ValidationOptions {
    fn default() -> Self {
        ValidationOptions { max_frequency: 7, tracking_points: 104 }
    }
}

/// Per-customer error of the predicted holdout purchases.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorSummary {
    pub mae: f64,
    pub rmse: f64,
    /// Σ predicted − Σ actual.
    pub total_error: f64,
    pub predicted_total: f64,
    pub actual_total: f64,
}

/// Mean predicted and actual holdout purchases by calibration frequency.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Buckets {
    /// "0", "1", …, "k+".
    pub label: Vec<String>,
    pub customers: Vec<u64>,
    pub predicted: Vec<f64>,
    pub actual: Vec<f64>,
}

/// Cumulative repeat purchases of the calibration customers through the holdout.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tracking {
    /// Periods since the calibration end.
    pub period: Vec<f64>,
    pub predicted: Vec<f64>,
    pub actual: Vec<f64>,
}

/// Customers with 0, 1, …, k+ repeat purchases in calibration: expected by the model (each
/// customer as a new one observed for their T) and observed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Histogram {
    pub label: Vec<String>,
    pub expected: Vec<f64>,
    pub observed: Vec<f64>,
}

/// A model's calibration/holdout report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Validation {
    pub model: TransactionModel,
    pub customers: u64,
    pub error: ErrorSummary,
    pub buckets: Buckets,
    pub tracking: Tracking,
    pub histogram: Histogram,
    /// Predicted holdout purchases per customer (customer order of the data).
    pub predicted: Vec<f64>,
}

fn labels(k: u32) -> Vec<String> {
    (0..k).map(|i| i.to_string()).chain(std::iter::once(format!("{k}+"))).collect()
}

/// Compares `params`' predictions with the holdout of `data`.
pub fn validate(params: &TransactionParams, data: &HoldoutData, options: &ValidationOptions) -> Result<Validation> {
    let k = options.max_frequency.clamp(1, 1000);
    let c = data.customers();
    if data.holdout_frequency.len() != c.len() {
        return Err(Error::new(ErrorCode::InvalidInput, "holdoutFrequency must have one value per customer").with_field("holdoutFrequency"));
    }
    for (i, v) in data.holdout_frequency.iter().enumerate() {
        check_at("holdoutFrequency", i, *v)?;
    }
    for (i, v) in data.holdout_by_period.iter().enumerate() {
        check_at("holdoutByPeriod", i, *v)?;
    }
    let horizon = data.holdout_duration;
    let predicted = params.expected_purchases(&c, horizon)?;
    let n = c.len() as f64;
    let (mut abs, mut sq) = (0.0, 0.0);
    let bins = (k as usize).saturating_add(1);
    let mut bucket = Buckets { label: labels(k), customers: vec![0; bins], predicted: vec![0.0; bins], actual: vec![0.0; bins] };
    for ((p, a), x) in predicted.iter().zip(&data.holdout_frequency).zip(c.frequency) {
        abs += (p - a).abs();
        sq += (p - a) * (p - a);
        let b = (*x as usize).min(k as usize);
        if let (Some(customers), Some(predicted), Some(actual)) = (bucket.customers.get_mut(b), bucket.predicted.get_mut(b), bucket.actual.get_mut(b)) {
            *customers = customers.saturating_add(1);
            *predicted += p;
            *actual += a;
        }
    }
    for ((customers, predicted), actual) in bucket.customers.iter().zip(&mut bucket.predicted).zip(&mut bucket.actual) {
        let m = (*customers).max(1) as f64;
        *predicted /= m;
        *actual /= m;
    }
    let predicted_total: f64 = predicted.iter().sum();
    let actual_total: f64 = data.holdout_frequency.iter().sum();
    let error = ErrorSummary {
        mae: abs / n.max(1.0),
        rmse: (sq / n.max(1.0)).sqrt(),
        total_error: predicted_total - actual_total,
        predicted_total,
        actual_total,
    };
    let tuples = Tuples::from_customers(&c);
    Ok(Validation {
        model: params.model(),
        customers: c.len() as u64,
        error,
        buckets: bucket,
        tracking: tracking(params, &tuples, data, options.tracking_points.max(1))?,
        histogram: histogram(params, &tuples, k)?,
        predicted,
    })
}

fn tracking(params: &TransactionParams, tuples: &Tuples, data: &HoldoutData, points: u32) -> Result<Tracking> {
    let duration = data.holdout_by_period.len();
    let step = duration.div_ceil(points as usize).max(1);
    let mut periods: Vec<usize> = (1..=duration).filter(|p| p.checked_rem(step) == Some(0)).collect();
    if periods.last() != Some(&duration) {
        periods.push(duration);
    }
    let mut cumulative = Vec::with_capacity(duration);
    let mut running = 0.0;
    for v in &data.holdout_by_period {
        running += v;
        cumulative.push(running);
    }
    let horizons: Vec<f64> = periods.iter().map(|p| *p as f64).collect();
    let mut predicted = vec![0.0; horizons.len()];
    for (((&x, &tx), &t), &w) in tuples.x.iter().zip(&tuples.tx).zip(&tuples.t).zip(&tuples.w) {
        let curve = params.expected_curve(x, tx, t, &horizons)?;
        for (total, e) in predicted.iter_mut().zip(curve) {
            *total += w * e;
        }
    }
    let actual = periods.iter().map(|p| p.checked_sub(1).and_then(|i| cumulative.get(i)).copied().unwrap_or(running)).collect();
    Ok(Tracking { period: horizons, predicted, actual })
}

fn histogram(params: &TransactionParams, tuples: &Tuples, k: u32) -> Result<Histogram> {
    let bins = (k as usize).saturating_add(1);
    let mut observed = vec![0.0; bins];
    for (x, w) in tuples.x.iter().zip(&tuples.w) {
        if let Some(slot) = observed.get_mut((*x as usize).min(k as usize)) {
            *slot += w;
        }
    }
    // Group the customers by T: P(n repeat purchases by T) depends on T alone.
    let mut ages: Vec<(f64, f64)> = tuples.t.iter().copied().zip(tuples.w.iter().copied()).collect();
    ages.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut expected = vec![0.0; bins];
    for group in ages.chunk_by(|a, b| a.0 == b.0) {
        let Some(&(t, _)) = group.first() else { continue };
        let w = group.iter().fold(0.0, |w, a| w + a.1);
        let mut below = 0.0;
        for (n, slot) in (0..k).zip(expected.iter_mut()) {
            let p = params.new_customer_prob(t, n)?;
            *slot += w * p;
            below += p;
        }
        // The last bin, k or more purchases.
        if let Some(slot) = expected.last_mut() {
            *slot += w * (1.0 - below).max(0.0);
        }
    }
    Ok(Histogram { label: labels(k), expected, observed })
}

/// One transaction model's showing in [`auto`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelScore {
    pub model: TransactionModel,
    /// Calibration log-likelihood; `None` when the fit failed.
    pub log_likelihood: Option<f64>,
    pub converged: bool,
    /// Holdout errors; `None` when the fit or the predictions failed.
    pub error: Option<ErrorSummary>,
    /// Why the model could not be scored.
    pub failure: Option<String>,
}

/// Every transaction model fitted on the calibration data and ranked on the holdout.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoResult {
    pub best: TransactionModel,
    /// Best first: lowest per-customer holdout RMSE (ties: higher log-likelihood); failures last.
    pub ranking: Vec<ModelScore>,
    pub fits: Vec<Fit<TransactionParams>>,
    pub validations: Vec<Validation>,
}

/// Fits BG/NBD, MBG/NBD and Pareto/NBD to the calibration data, validates each on the holdout and
/// picks the one with the lowest per-customer RMSE. Errors only when no model could be scored
/// (with the first model's error).
pub fn auto(data: &HoldoutData, fit: &FitOptions, options: &ValidationOptions) -> Result<AutoResult> {
    auto_observed(data, fit, options, &mut unobserved)
}

/// [`auto`], reporting progress to `observer`: the models are fits 0, 1 and 2 of 3, in the order
/// of [`TransactionModel::ALL`].
pub fn auto_observed(data: &HoldoutData, fit: &FitOptions, options: &ValidationOptions, observer: &mut FitObserver<'_>) -> Result<AutoResult> {
    let mut ranking = Vec::new();
    let mut fits = Vec::new();
    let mut validations = Vec::new();
    let mut first_error = None;
    let count = TransactionModel::ALL.len() as u32;
    for (i, model) in TransactionModel::ALL.into_iter().enumerate() {
        let mut observer = numbered(observer, i as u32, count);
        let outcome = fit_transactions_observed(model, &data.customers(), fit, &mut observer).and_then(|f| validate(&f.params, data, options).map(|v| (f, v)));
        match outcome {
            Err(e) if is_stop(&e) => return Err(e),
            Ok((f, v)) => {
                ranking.push(ModelScore { model, log_likelihood: Some(f.log_likelihood), converged: f.converged, error: Some(v.error), failure: None });
                fits.push(f);
                validations.push(v);
            }
            Err(e) => {
                ranking.push(ModelScore { model, log_likelihood: None, converged: false, error: None, failure: Some(e.to_string()) });
                first_error.get_or_insert(e);
            }
        }
    }
    let key = |s: &ModelScore| (s.error.map_or(f64::INFINITY, |e| e.rmse), -s.log_likelihood.unwrap_or(f64::NEG_INFINITY));
    ranking.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.total_cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
    });
    match ranking.first() {
        Some(best) if best.error.is_some() => Ok(AutoResult { best: best.model, ranking, fits, validations }),
        _ => Err(first_error.unwrap_or_else(|| Error::new(ErrorCode::Internal, "auto: no model was tried"))),
    }
}
