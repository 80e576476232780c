//! CLV:CAC with its health band and verdict, and the CAC payback period in months from the
//! monthly gross profit per customer.

use super::{percent_of, quotient};
use crate::error::{Error, ErrorCode, Result};
use crate::input::{self, decimal, decimal_in_range, money, optional, Scalar, Unknown};
use crate::money::{format_exact, format_money, to_f64};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::ops::Bound::Included;

/// Inputs of [`clv_cac_ratio`]; see `ClvCacRatioInput` in `js/index.d.ts`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClvCacRatioInput {
    pub clv: Option<Scalar>,
    pub cac: Option<Scalar>,
    pub monthly_revenue_per_customer: Option<Scalar>,
    pub gross_margin_percent: Option<Scalar>,
    pub decimals: Option<Scalar>,
    /// Keys this calculator does not know: reported as `UNKNOWN_FIELD`.
    #[serde(flatten)]
    pub unknown: Unknown,
}

/// < 1 losing; 1 to < 3 weak; 3 to 5 healthy; > 5 under-investing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RatioBand {
    Losing,
    Weak,
    Healthy,
    UnderInvesting,
}

impl RatioBand {
    pub fn of(ratio: Decimal) -> RatioBand {
        if ratio < Decimal::ONE {
            RatioBand::Losing
        } else if ratio < Decimal::from(3) {
            RatioBand::Weak
        } else if ratio <= Decimal::from(5) {
            RatioBand::Healthy
        } else {
            RatioBand::UnderInvesting
        }
    }

    pub fn verdict(self) -> &'static str {
        match self {
            RatioBand::Losing => "Losing money on each customer: a customer brings in less than it costs to acquire.",
            RatioBand::Weak => "Weak: customers pay back their acquisition cost, but with little to spare (3 or more is the common benchmark).",
            RatioBand::Healthy => "Healthy: 3 or more is the common benchmark for CLV:CAC.",
            RatioBand::UnderInvesting => "Well above 5: probably under-investing in growth; more acquisition spend would likely pay off.",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Payback {
    pub months: f64,
    pub monthly_gross_profit: String,
    pub within_twelve_months: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClvCacRatioInputsEcho {
    pub clv: String,
    pub cac: String,
    pub monthly_revenue_per_customer: Option<String>,
    pub gross_margin_percent: String,
    pub decimals: u32,
}

/// Result of [`clv_cac_ratio`]; `kind` is `"clvCacRatio"`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClvCacRatioResult {
    pub kind: &'static str,
    pub ratio: f64,
    pub band: RatioBand,
    pub verdict: String,
    pub payback: Option<Payback>,
    pub inputs: ClvCacRatioInputsEcho,
    pub formula: String,
}

/// CLV:CAC, its band, and the payback period when a monthly revenue is given.
pub fn clv_cac_ratio(input: &ClvCacRatioInput) -> Result<ClvCacRatioResult> {
    input::reject_unknown("", &input.unknown)?;
    let clv = decimal("clv", input.clv.as_ref())?;
    let cac = money("cac", input.cac.as_ref())?;
    if cac.is_zero() {
        let message = "cac is 0: CLV:CAC is undefined when acquiring a customer costs nothing";
        return Err(Error::new(ErrorCode::ZeroCac, message).with_field("cac"));
    }
    let monthly_revenue = optional(input.monthly_revenue_per_customer.as_ref(), |v| {
        money("monthlyRevenuePerCustomer", v)
    })?;
    let margin = optional(input.gross_margin_percent.as_ref(), |v| {
        decimal_in_range(
            "grossMarginPercent",
            v,
            Included(Decimal::ZERO),
            Included(Decimal::ONE_HUNDRED),
        )
    })?
    .unwrap_or(Decimal::ONE_HUNDRED);
    let decimals = input::decimals(input.decimals.as_ref())?;

    let ratio = quotient(clv, cac, "ratio (clv / cac)")?;
    let band = RatioBand::of(ratio);
    let payback = monthly_revenue
        .map(|revenue| payback(cac, revenue, margin, decimals))
        .transpose()?;
    Ok(ClvCacRatioResult {
        kind: "clvCacRatio",
        ratio: to_f64(ratio),
        band,
        verdict: band.verdict().to_owned(),
        payback,
        inputs: ClvCacRatioInputsEcho {
            clv: format_exact(clv),
            cac: format_exact(cac),
            monthly_revenue_per_customer: monthly_revenue.map(format_exact),
            gross_margin_percent: format_exact(margin),
            decimals,
        },
        formula: "ratio = clv / cac; payback months = cac / monthlyGrossProfit, \
                  monthlyGrossProfit = monthlyRevenuePerCustomer × grossMarginPercent / 100"
            .to_owned(),
    })
}

fn payback(cac: Decimal, revenue: Decimal, margin: Decimal, decimals: u32) -> Result<Payback> {
    let monthly_gross_profit = percent_of(revenue, margin, "monthlyGrossProfit")?;
    if monthly_gross_profit.is_zero() {
        let field = if revenue.is_zero() {
            "monthlyRevenuePerCustomer"
        } else {
            "grossMarginPercent"
        };
        let message = format!(
            "the monthly gross profit (monthlyRevenuePerCustomer × grossMarginPercent / 100) is 0, so CAC is \
             never paid back; {field} must be greater than 0 (or leave monthlyRevenuePerCustomer out to skip \
             the payback period)"
        );
        return Err(Error::new(ErrorCode::OutOfRange, message).with_field(field));
    }
    let months = quotient(cac, monthly_gross_profit, "payback.months")?;
    Ok(Payback {
        months: to_f64(months),
        monthly_gross_profit: format_money(monthly_gross_profit, decimals),
        within_twelve_months: months < Decimal::from(12),
    })
}
