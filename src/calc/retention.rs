//! Retention-based CLV for a margin per period, retention r and discount d, in the conventions of
//! Fader & Hardie's note 024: first payment now, future payments only, and a finite horizon.

use super::{product, quotient};
use crate::error::{Error, ErrorCode, Result};
use crate::input::{
    self, count_in_range, decimal_in_range, exactly_one_of, money, optional, reject_unknown, OneOf,
    OrOverflow, Scalar, Unknown,
};
use crate::money::{format_exact, format_money, to_f64};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::ops::Bound::{Excluded, Included};

/// Longest horizon accepted, in periods.
const MAX_HORIZON: u64 = 10_000;

/// Inputs of [`retention_clv`]; see `RetentionClvInput` in `js/index.d.ts`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetentionClvInput {
    pub margin_per_period: Option<Scalar>,
    pub retention_rate: Option<Scalar>,
    pub churn_rate: Option<Scalar>,
    pub discount_rate: Option<Scalar>,
    pub horizon_periods: Option<Scalar>,
    pub decimals: Option<Scalar>,
    /// Keys this calculator does not know: reported as `UNKNOWN_FIELD`.
    #[serde(flatten)]
    pub unknown: Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Horizon {
    pub periods: u64,
    pub clv: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RetentionClvInputsEcho {
    pub margin_per_period: String,
    pub retention_rate: Option<String>,
    pub churn_rate: Option<String>,
    pub discount_rate: String,
    pub horizon_periods: Option<u64>,
    pub decimals: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RetentionFormulas {
    pub undiscounted_clv: String,
    pub clv_first_payment_now: String,
    pub clv_future_payments_only: String,
    pub horizon: String,
}

/// Result of [`retention_clv`]; `kind` is `"retention"`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RetentionClvResult {
    pub kind: &'static str,
    pub retention_rate: f64,
    pub churn_rate: f64,
    pub discount_rate: f64,
    pub expected_lifetime_periods: Option<f64>,
    pub undiscounted_clv: Option<String>,
    pub clv_first_payment_now: String,
    pub clv_future_payments_only: String,
    pub horizon: Option<Horizon>,
    pub inputs: RetentionClvInputsEcho,
    pub formulas: RetentionFormulas,
}

/// CLV of a customer paying `marginPerPeriod` while retained, discounted at `discountRate`.
pub fn retention_clv(input: &RetentionClvInput) -> Result<RetentionClvResult> {
    reject_unknown("", &input.unknown)?;
    let margin = money("marginPerPeriod", input.margin_per_period.as_ref())?;
    let (retention, churn, retention_field) = match exactly_one_of(
        "retentionRate",
        input.retention_rate.as_ref(),
        "churnRate",
        input.churn_rate.as_ref(),
    )? {
        OneOf::First(v) => {
            let r = decimal_in_range(
                "retentionRate",
                Some(v),
                Included(Decimal::ZERO),
                Included(Decimal::ONE),
            )?;
            (
                r,
                Decimal::ONE.checked_sub(r).or_overflow("churnRate")?,
                "retentionRate",
            )
        }
        OneOf::Second(v) => {
            let c = decimal_in_range(
                "churnRate",
                Some(v),
                Excluded(Decimal::ZERO),
                Included(Decimal::ONE),
            )?;
            (
                Decimal::ONE.checked_sub(c).or_overflow("retentionRate")?,
                c,
                "churnRate",
            )
        }
    };
    let discount = optional(input.discount_rate.as_ref(), |v| {
        decimal_in_range(
            "discountRate",
            v,
            Included(Decimal::ZERO),
            Included(Decimal::TEN),
        )
    })?
    .unwrap_or(Decimal::ZERO);
    let horizon_periods = optional(input.horizon_periods.as_ref(), |v| {
        count_in_range("horizonPeriods", v, 1, MAX_HORIZON)
    })?;
    let decimals = input::decimals(input.decimals.as_ref())?;

    let one_plus_d = Decimal::ONE
        .checked_add(discount)
        .or_overflow("1 + discountRate")?;
    if retention >= one_plus_d {
        return Err(not_convergent(retention_field, retention, churn, discount));
    }
    let spread = one_plus_d
        .checked_sub(retention)
        .or_overflow("1 + discountRate − retentionRate")?;
    let first_payment_now = quotient(
        product(&[margin, one_plus_d], "clvFirstPaymentNow")?,
        spread,
        "clvFirstPaymentNow",
    )?;
    let future_only = quotient(
        product(&[margin, retention], "clvFuturePaymentsOnly")?,
        spread,
        "clvFuturePaymentsOnly",
    )?;
    let (lifetime, undiscounted) = if churn.is_zero() {
        (None, None)
    } else {
        (
            Some(quotient(Decimal::ONE, churn, "expectedLifetimePeriods")?),
            Some(quotient(margin, churn, "undiscountedClv")?),
        )
    };
    let horizon = match horizon_periods {
        Some(periods) => {
            let clv = horizon_sum(margin, retention, one_plus_d, periods)?;
            Some(Horizon {
                periods,
                clv: format_money(clv, decimals),
            })
        }
        None => None,
    };

    Ok(RetentionClvResult {
        kind: "retention",
        retention_rate: to_f64(retention),
        churn_rate: to_f64(churn),
        discount_rate: to_f64(discount),
        expected_lifetime_periods: lifetime.map(to_f64),
        undiscounted_clv: undiscounted.map(|d| format_money(d, decimals)),
        clv_first_payment_now: format_money(first_payment_now, decimals),
        clv_future_payments_only: format_money(future_only, decimals),
        horizon,
        inputs: RetentionClvInputsEcho {
            margin_per_period: format_exact(margin),
            retention_rate: input.retention_rate.as_ref().map(|_| format_exact(retention)),
            churn_rate: input.churn_rate.as_ref().map(|_| format_exact(churn)),
            discount_rate: format_exact(discount),
            horizon_periods,
            decimals,
        },
        formulas: RetentionFormulas {
            undiscounted_clv: "undiscountedClv = m / (1 − r), with m = marginPerPeriod, r = retentionRate \
                               (expected lifetime 1 / churnRate periods, no discounting)"
                .to_owned(),
            clv_first_payment_now: "clvFirstPaymentNow = m·(1+d)/(1+d−r), with d = discountRate \
                                    (Fader & Hardie note 024: the first payment is made now and counted)"
                .to_owned(),
            clv_future_payments_only: "clvFuturePaymentsOnly = m·r/(1+d−r) \
                                       (Fader & Hardie note 024: payments at the end of each later period survived)"
                .to_owned(),
            horizon: "horizon = Σ_{t=0}^{N−1} m·r^t/(1+d)^t, with N = horizonPeriods \
                      (first payment now, N payments in all)"
                .to_owned(),
        },
    })
}

/// Σ_{t=0}^{n−1} m·r^t/(1+d)^t, term by term.
fn horizon_sum(
    margin: Decimal,
    retention: Decimal,
    one_plus_d: Decimal,
    periods: u64,
) -> Result<Decimal> {
    let mut sum = Decimal::ZERO;
    let mut term = margin;
    for _ in 0..periods {
        if term.is_zero() {
            break;
        }
        sum = sum.checked_add(term).or_overflow("horizon.clv")?;
        term = quotient(
            product(&[term, retention], "horizon.clv")?,
            one_plus_d,
            "horizon.clv",
        )?;
    }
    Ok(sum)
}

fn not_convergent(field: &str, retention: Decimal, churn: Decimal, discount: Decimal) -> Error {
    let given = if field == "churnRate" {
        churn
    } else {
        retention
    };
    let message = format!(
        "{field} {} with discountRate {} has no finite CLV: retention must be below 1 + discountRate \
         (a customer never lost, with payments not discounted, is worth an unbounded sum); \
         give a discountRate above 0 or a retention below 1",
        format_exact(given),
        format_exact(discount)
    );
    Error::new(ErrorCode::NotConvergent, message).with_field(field)
}
