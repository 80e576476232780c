//! The option objects of the model calls as JS (or JSON) sends them, validated into the core's
//! option structs with the crate's typed errors (unknown keys are `UNKNOWN_FIELD`, fields named).
//!
//! Rates and parameters are plain numbers (a decimal string is accepted too); every option has
//! the default documented on its core struct.

use std::ops::Bound::{self, Excluded, Included};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::clv::ClvOptions;
use super::holdout::ValidationOptions;
use super::predict::PredictOptions;
use super::{FitOptions, TransactionModel};
use crate::dataset::Day;
use crate::error::{Error, ErrorCode, Result};
use crate::ingest::dates::parse_iso_day;
use crate::input::{count_in_range, decimal_in_range, internal, optional, reject_unknown, text, Scalar, Unknown};
use crate::options::unit;
use crate::summary::TimeUnit;

/// A number within bounds, as f64.
fn number(field: &str, value: Option<&Scalar>, min: Bound<Decimal>, max: Bound<Decimal>) -> Result<Option<f64>> {
    optional(value, |v| {
        let d = decimal_in_range(field, v, min, max)?;
        d.to_f64().ok_or_else(|| internal(&format!("{field} is not representable as f64")))
    })
}

fn whole(field: &str, value: Option<&Scalar>, min: u64, max: u64) -> Result<Option<u32>> {
    let n = optional(value, |v| count_in_range(field, v, min, max))?;
    n.map(|n| u32::try_from(n).map_err(|_| internal(&format!("{field} passed its range check but is not a u32")))).transpose()
}

fn date(field: &str, value: Option<&Scalar>) -> Result<Option<Day>> {
    optional(value, |v| {
        let s = text(field, v)?;
        parse_iso_day(s).ok_or_else(|| Error::new(ErrorCode::InvalidDate, format!("{field} must be a date as YYYY-MM-DD (got {s:?})")).with_field(field))
    })
}

pub(crate) fn model(value: Option<&Scalar>) -> Result<TransactionModel> {
    Ok(optional(value, |v| match text("model", v)? {
        "bgNbd" => Ok(TransactionModel::BgNbd),
        "mbgNbd" => Ok(TransactionModel::MbgNbd),
        "paretoNbd" => Ok(TransactionModel::ParetoNbd),
        other => Err(Error::new(ErrorCode::OutOfRange, format!("model must be \"bgNbd\", \"mbgNbd\" or \"paretoNbd\" (got {other:?})")).with_field("model")),
    })?
    .unwrap_or(TransactionModel::BgNbd))
}

fn fit_options(penalizer: Option<&Scalar>, max_iterations: Option<&Scalar>) -> Result<FitOptions> {
    let defaults = FitOptions::default();
    Ok(FitOptions {
        penalizer: number("penalizer", penalizer, Included(Decimal::ZERO), Included(Decimal::from(1000)))?.unwrap_or(defaults.penalizer),
        max_iterations: whole("maxIterations", max_iterations, 1, 100_000)?.unwrap_or(defaults.max_iterations),
        ..defaults
    })
}

/// `{ model?, penalizer?, maxIterations? }`: model "bgNbd" (default), "mbgNbd" or "paretoNbd";
/// penalizer in [0, 1000] (default 0); maxIterations 1–100,000 (default 1000).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FitRequest {
    pub model: Option<Scalar>,
    pub penalizer: Option<Scalar>,
    pub max_iterations: Option<Scalar>,
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl FitRequest {
    pub fn parse(&self) -> Result<(TransactionModel, FitOptions)> {
        reject_unknown("", &self.unknown)?;
        Ok((model(self.model.as_ref())?, fit_options(self.penalizer.as_ref(), self.max_iterations.as_ref())?))
    }
}

/// `{ horizon?, maxPurchases?, horizonMonths?, monthlyDiscountRate?, grossMarginPercent?,
/// unitsPerMonth? }`: horizon > 0 in the data's unit (default one month); maxPurchases 0–100
/// (default 0); horizonMonths 1–1200 (default 12); monthlyDiscountRate 0–10 (default 0.01);
/// grossMarginPercent 0–100 (default 100: CLV as revenue); unitsPerMonth > 0.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PredictRequest {
    pub horizon: Option<Scalar>,
    pub max_purchases: Option<Scalar>,
    pub horizon_months: Option<Scalar>,
    pub monthly_discount_rate: Option<Scalar>,
    pub gross_margin_percent: Option<Scalar>,
    pub units_per_month: Option<Scalar>,
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl PredictRequest {
    pub fn parse(&self) -> Result<PredictOptions> {
        reject_unknown("", &self.unknown)?;
        let d = ClvOptions::default();
        let positive = |field: &str, v: Option<&Scalar>| number(field, v, Excluded(Decimal::ZERO), Included(Decimal::from(1_000_000_000)));
        let clv = ClvOptions {
            horizon_months: whole("horizonMonths", self.horizon_months.as_ref(), 1, 1200)?.unwrap_or(d.horizon_months),
            monthly_discount_rate: number("monthlyDiscountRate", self.monthly_discount_rate.as_ref(), Included(Decimal::ZERO), Included(Decimal::TEN))?
                .unwrap_or(d.monthly_discount_rate),
            margin: number("grossMarginPercent", self.gross_margin_percent.as_ref(), Included(Decimal::ZERO), Included(Decimal::ONE_HUNDRED))?
                .map_or(d.margin, |p| p / 100.0),
            units_per_month: positive("unitsPerMonth", self.units_per_month.as_ref())?,
        };
        Ok(PredictOptions {
            horizon: positive("horizon", self.horizon.as_ref())?,
            max_purchases: whole("maxPurchases", self.max_purchases.as_ref(), 0, 100)?.unwrap_or(0),
            clv,
        })
    }
}

/// What a holdout validation needs: where to cut, the unit, and the fit and report options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HoldoutOptions {
    pub unit: TimeUnit,
    pub calibration_end: Day,
    pub observation_end: Option<Day>,
    pub fit: FitOptions,
    pub validation: ValidationOptions,
}

/// `{ calibrationEnd, observationEnd?, unit?, maxFrequency?, trackingPoints?, penalizer?,
/// maxIterations? }`: dates as YYYY-MM-DD (observationEnd defaults to the last order day);
/// unit "days" (default), "weeks" or "months"; maxFrequency 1–100 (default 7); trackingPoints
/// 2–1000 (default 104).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HoldoutRequest {
    pub calibration_end: Option<Scalar>,
    pub observation_end: Option<Scalar>,
    pub unit: Option<Scalar>,
    pub max_frequency: Option<Scalar>,
    pub tracking_points: Option<Scalar>,
    pub penalizer: Option<Scalar>,
    pub max_iterations: Option<Scalar>,
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl HoldoutRequest {
    pub fn parse(&self) -> Result<HoldoutOptions> {
        reject_unknown("", &self.unknown)?;
        let calibration_end = date("calibrationEnd", self.calibration_end.as_ref())?
            .ok_or_else(|| Error::new(ErrorCode::MissingField, "calibrationEnd is required").with_field("calibrationEnd"))?;
        let d = ValidationOptions::default();
        Ok(HoldoutOptions {
            unit: unit(self.unit.as_ref())?,
            calibration_end,
            observation_end: date("observationEnd", self.observation_end.as_ref())?,
            fit: fit_options(self.penalizer.as_ref(), self.max_iterations.as_ref())?,
            validation: ValidationOptions {
                max_frequency: whole("maxFrequency", self.max_frequency.as_ref(), 1, 100)?.unwrap_or(d.max_frequency),
                tracking_points: whole("trackingPoints", self.tracking_points.as_ref(), 2, 1000)?.unwrap_or(d.tracking_points),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse<T: for<'de> Deserialize<'de>>(v: serde_json::Value) -> T {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn fit_requests() {
        let (m, o) = parse::<FitRequest>(json!({"model": "paretoNbd", "penalizer": 0.01})).parse().unwrap();
        assert_eq!((m, o.penalizer, o.max_iterations), (TransactionModel::ParetoNbd, 0.01, 1000));
        assert_eq!(parse::<FitRequest>(json!({})).parse().unwrap().0, TransactionModel::BgNbd);
        let e = parse::<FitRequest>(json!({"model": "bgnbd"})).parse().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::OutOfRange, Some("model")));
        let e = parse::<FitRequest>(json!({"penaliser": 1})).parse().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::UnknownField, Some("penaliser")));
        let e = parse::<FitRequest>(json!({"penalizer": -1})).parse().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Negative, Some("penalizer")));
        let e = parse::<FitRequest>(json!({"maxIterations": 2.5})).parse().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::NotInteger, Some("maxIterations")));
    }

    #[test]
    fn predict_and_holdout_requests() {
        let o = parse::<PredictRequest>(json!({"grossMarginPercent": 40, "horizonMonths": 24, "horizon": "4.5"})).parse().unwrap();
        assert_eq!((o.clv.margin, o.clv.horizon_months, o.horizon), (0.4, 24, Some(4.5)));
        let e = parse::<PredictRequest>(json!({"monthlyDiscountRate": true})).parse().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidType, Some("monthlyDiscountRate")));
        let e = parse::<PredictRequest>(json!({"horizon": 0})).parse().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::OutOfRange, Some("horizon")));
        let h = parse::<HoldoutRequest>(json!({"calibrationEnd": "2011-06-30", "unit": "weeks", "maxFrequency": 5})).parse().unwrap();
        assert_eq!((h.unit, h.calibration_end, h.validation.max_frequency), (TimeUnit::Weeks, parse_iso_day("2011-06-30").unwrap(), 5));
        let e = parse::<HoldoutRequest>(json!({})).parse().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::MissingField, Some("calibrationEnd")));
        let e = parse::<HoldoutRequest>(json!({"calibrationEnd": "30/06/2011"})).parse().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidDate, Some("calibrationEnd")));
    }
}
