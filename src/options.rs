//! The option objects of the dataset analyses as JS (or JSON) sends them, validated into the core's
//! option structs with the same typed errors as the calculators (field names are the JS names).

use std::ops::Bound::{Excluded, Included};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::dataset::Day;
use crate::error::{Error, ErrorCode, Result};
use crate::ingest::dates::parse_iso_day;
use crate::input::{count_in_range, decimal_in_range, list, money, optional, reject_unknown, text, Listed, Scalar, Unknown};
use crate::segments::{LifecycleOptions, RfmOptions};
use crate::summary::{AcquisitionOptions, ChannelSpend, CustomerColumns, SummaryOptions, TimeUnit};

pub(crate) fn as_of(value: Option<&Scalar>) -> Result<Option<Day>> {
    optional(value, |v| {
        let s = text("asOf", v)?;
        parse_iso_day(s).ok_or_else(|| {
            Error::new(ErrorCode::InvalidDate, format!("asOf must be a date as YYYY-MM-DD (got {s:?})")).with_field("asOf")
        })
    })
}

pub(crate) fn unit(value: Option<&Scalar>) -> Result<TimeUnit> {
    Ok(optional(value, |v| match text("unit", v)? {
        "days" => Ok(TimeUnit::Days),
        "weeks" => Ok(TimeUnit::Weeks),
        "months" => Ok(TimeUnit::Months),
        other => Err(Error::new(
            ErrorCode::OutOfRange,
            format!("unit must be \"days\", \"weeks\" or \"months\" (got {other:?})"),
        )
        .with_field("unit")),
    })?
    .unwrap_or_default())
}

/// The `unit` and `asOf` options every summary analysis shares.
fn unit_and_as_of(unit_value: Option<&Scalar>, as_of_value: Option<&Scalar>) -> Result<SummaryOptions> {
    Ok(SummaryOptions { unit: unit(unit_value)?, as_of: as_of(as_of_value)? })
}

/// `{ unit?, asOf? }` for the customer table, KPIs, cohorts and RFM.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryRequest {
    pub unit: Option<Scalar>,
    pub as_of: Option<Scalar>,
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl SummaryRequest {
    pub fn parse(&self) -> Result<SummaryOptions> {
        reject_unknown("", &self.unknown)?;
        unit_and_as_of(self.unit.as_ref(), self.as_of.as_ref())
    }

    pub fn rfm(&self) -> Result<RfmOptions> {
        Ok(RfmOptions { as_of: self.parse()?.as_of })
    }
}

/// `{ unit?, asOf?, columns? }` for the customer table and its CSV.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerTableRequest {
    pub unit: Option<Scalar>,
    pub as_of: Option<Scalar>,
    /// The columns wanted besides the customer id (JS keys or CSV headers); default: all.
    pub columns: Option<Listed>,
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl CustomerTableRequest {
    pub fn parse(&self) -> Result<(SummaryOptions, CustomerColumns)> {
        reject_unknown("", &self.unknown)?;
        let summary = unit_and_as_of(self.unit.as_ref(), self.as_of.as_ref())?;
        let columns = match list("columns", self.columns.as_ref())? {
            None => CustomerColumns::ALL,
            Some(names) => {
                let names = names.iter().enumerate().map(|(i, v)| text(&format!("columns[{i}]"), Some(v)));
                let names = names.collect::<Result<Vec<&str>>>()?;
                CustomerColumns::named(names, "columns")?
            }
        };
        Ok((summary, columns))
    }
}

/// `{ asOf?, newDays?, minWindowDays?, gapMultiple?, singlePurchaseLapsedDays? }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleRequest {
    pub as_of: Option<Scalar>,
    pub new_days: Option<Scalar>,
    pub min_window_days: Option<Scalar>,
    pub gap_multiple: Option<Scalar>,
    pub single_purchase_lapsed_days: Option<Scalar>,
    #[serde(flatten)]
    pub unknown: Unknown,
}

fn days(field: &str, value: Option<&Scalar>, default: u32) -> Result<u32> {
    let n = optional(value, |v| count_in_range(field, v, 1, 36_500))?;
    Ok(n.and_then(|n| u32::try_from(n).ok()).unwrap_or(default))
}

impl LifecycleRequest {
    pub fn parse(&self) -> Result<LifecycleOptions> {
        reject_unknown("", &self.unknown)?;
        let defaults = LifecycleOptions::default();
        let gap_multiple = optional(self.gap_multiple.as_ref(), |v| {
            decimal_in_range("gapMultiple", v, Excluded(Decimal::ZERO), Included(Decimal::ONE_HUNDRED))
        })?
        .and_then(|d| d.to_f64())
        .unwrap_or(defaults.gap_multiple);
        Ok(LifecycleOptions {
            as_of: as_of(self.as_of.as_ref())?,
            new_days: days("newDays", self.new_days.as_ref(), defaults.new_days)?,
            min_window_days: days("minWindowDays", self.min_window_days.as_ref(), defaults.min_window_days)?,
            gap_multiple,
            single_purchase_lapsed_days: days(
                "singlePurchaseLapsedDays",
                self.single_purchase_lapsed_days.as_ref(),
                defaults.single_purchase_lapsed_days,
            )?,
        })
    }
}

/// One entry of `spend`: `{ channel, month?: "YYYY-MM", spend }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpendRequest {
    pub channel: Option<Scalar>,
    pub month: Option<Scalar>,
    pub spend: Option<Scalar>,
    #[serde(flatten)]
    pub unknown: Unknown,
}

/// `{ asOf?, spend: [...], grossMarginPercent? }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AcquisitionRequest {
    pub as_of: Option<Scalar>,
    pub spend: Option<Vec<SpendRequest>>,
    pub gross_margin_percent: Option<Scalar>,
    #[serde(flatten)]
    pub unknown: Unknown,
}

/// At most this many spend entries (e.g. 50 channels × 10 years of months).
const MAX_SPEND_ENTRIES: usize = 10_000;

impl AcquisitionRequest {
    pub fn parse(&self) -> Result<AcquisitionOptions> {
        reject_unknown("", &self.unknown)?;
        let entries = self.spend.as_deref().unwrap_or(&[]);
        if entries.len() > MAX_SPEND_ENTRIES {
            let message = format!("spend may list at most {MAX_SPEND_ENTRIES} entries (got {})", entries.len());
            return Err(Error::new(ErrorCode::OutOfRange, message).with_field("spend"));
        }
        let mut spend = Vec::with_capacity(entries.len());
        for (i, entry) in entries.iter().enumerate() {
            let path = |name: &str| format!("spend[{i}].{name}");
            reject_unknown(&path(""), &entry.unknown)?;
            spend.push(ChannelSpend {
                channel: text(&path("channel"), entry.channel.as_ref())?.to_owned(),
                month: optional(entry.month.as_ref(), |v| text(&path("month"), v).map(str::to_owned))?,
                spend: money(&path("spend"), entry.spend.as_ref())?,
            });
        }
        let gross_margin_percent = optional(self.gross_margin_percent.as_ref(), |v| {
            decimal_in_range("grossMarginPercent", v, Included(Decimal::ZERO), Included(Decimal::ONE_HUNDRED))
        })?;
        Ok(AcquisitionOptions { as_of: as_of(self.as_of.as_ref())?, spend, gross_margin_percent })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn summary(v: serde_json::Value) -> Result<SummaryOptions> {
        serde_json::from_value::<SummaryRequest>(v).map_err(|e| Error::new(ErrorCode::InvalidInput, e.to_string()))?.parse()
    }

    #[test]
    fn summary_options() {
        let o = summary(json!({"unit": "weeks", "asOf": "2011-12-09"})).unwrap();
        assert_eq!(o.unit, TimeUnit::Weeks);
        assert_eq!(o.as_of, parse_iso_day("2011-12-09"));
        assert_eq!(summary(json!({})).unwrap(), SummaryOptions::default());
        let e = summary(json!({"unit": "years"})).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::OutOfRange, Some("unit")));
        let e = summary(json!({"asOf": "12/09/2011"})).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidDate, Some("asOf")));
        let e = summary(json!({"asof": "2011-12-09"})).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::UnknownField, Some("asof")));
    }

    #[test]
    fn lifecycle_and_acquisition_options() {
        let l: LifecycleRequest = serde_json::from_value(json!({"newDays": 14, "gapMultiple": "2.5"})).unwrap();
        let o = l.parse().unwrap();
        assert_eq!((o.new_days, o.gap_multiple, o.min_window_days), (14, 2.5, 90));
        let l: LifecycleRequest = serde_json::from_value(json!({"newDays": 0})).unwrap();
        assert_eq!(l.parse().unwrap_err().code, ErrorCode::OutOfRange);

        let a: AcquisitionRequest = serde_json::from_value(json!({
            "spend": [{"channel": "search", "spend": "1200.50"}, {"channel": "email", "month": "2011-01", "spend": 10}],
            "grossMarginPercent": 40
        }))
        .unwrap();
        let o = a.parse().unwrap();
        assert_eq!(o.spend[0].spend, Decimal::new(120050, 2));
        assert_eq!(o.spend[1].month.as_deref(), Some("2011-01"));
        let a: AcquisitionRequest = serde_json::from_value(json!({"spend": [{"channel": "x", "spend": -1}]})).unwrap();
        let e = a.parse().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Negative, Some("spend[0].spend")));
    }
}
