//! What-if levers on a profit CLV: each lever (order value, frequency, lifespan, margin, CAC)
//! improved alone by the same percentage, ranked by the gain in net CLV.

use super::clv::{Profit, ProfitClvInput, ProfitClvResult};
use super::{product, quotient};
use crate::error::Result;
use crate::input::{decimal_in_range, optional, reject_unknown, OrOverflow, Scalar};
use crate::money::{format_exact, format_money, to_f64};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::ops::Bound::{Excluded, Included};

/// Inputs of [`what_if`]: the profit CLV inputs and `changePercent`; see `WhatIfInput` in `js/index.d.ts`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WhatIfInput {
    /// The profit CLV inputs. Its `unknown` is this calculator's only catch-all: it sees every
    /// key except `changePercent` and the profit fields, and is reported as `UNKNOWN_FIELD`.
    /// (A second `Unknown` here would see the profit fields too: serde's flattened maps only
    /// borrow entries, and only flattened structs without flatten fields of their own take them.)
    #[serde(flatten)]
    pub profit: ProfitClvInput,
    pub change_percent: Option<Scalar>,
}

/// The levers, in the order that breaks ties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Lever {
    AverageOrderValue,
    PurchaseFrequency,
    Lifespan,
    GrossMargin,
    Cac,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeverEffect {
    pub lever: Lever,
    pub label: String,
    pub from: String,
    pub to: String,
    pub net_clv: String,
    pub delta: String,
    pub delta_percent: Option<f64>,
    pub clv_cac_ratio: Option<f64>,
}

/// Result of [`what_if`]; `kind` is `"whatIf"`. `base.clv_cac_ratio` is always `Some`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhatIfResult {
    pub kind: &'static str,
    pub change_percent: f64,
    pub base: ProfitClvResult,
    pub levers: Vec<LeverEffect>,
}

/// The profit CLV, then each lever improved alone by `changePercent`, largest gain first.
pub fn what_if(input: &WhatIfInput) -> Result<WhatIfResult> {
    reject_unknown("", &input.profit.unknown)?;
    let profit = Profit::parse(&input.profit)?;
    let change = optional(input.change_percent.as_ref(), |v| {
        decimal_in_range(
            "changePercent",
            v,
            Excluded(Decimal::ZERO),
            Included(Decimal::ONE_THOUSAND),
        )
    })?
    .unwrap_or(Decimal::TEN);

    let base_figures = profit.figures()?;
    let mut base = profit.result()?;
    base.clv_cac_ratio = Some(clv_cac_ratio(base_figures.profit_clv, profit.cac)?);

    let mut ranked = [
        Lever::AverageOrderValue,
        Lever::PurchaseFrequency,
        Lever::Lifespan,
        Lever::GrossMargin,
        Lever::Cac,
    ]
    .into_iter()
    .map(|lever| {
        let changed = apply(lever, &profit, change)?;
        let figures = changed.profit.figures()?;
        let delta = figures
            .net_clv
            .checked_sub(base_figures.net_clv)
            .or_overflow("delta")?;
        let delta_percent = if base_figures.net_clv.is_zero() {
            None
        } else {
            Some(to_f64(quotient(delta, base_figures.net_clv.abs(), "deltaPercent")?) * 100.0)
        };
        let effect = LeverEffect {
            lever,
            label: changed.label,
            from: format_exact(changed.from),
            to: format_exact(changed.to),
            net_clv: format_money(figures.net_clv, profit.decimals),
            delta: format_money(delta, profit.decimals),
            delta_percent,
            clv_cac_ratio: clv_cac_ratio(figures.profit_clv, changed.profit.cac)?,
        };
        Ok((delta, effect))
    })
    .collect::<Result<Vec<_>>>()?;
    ranked.sort_by_key(|(delta, _)| std::cmp::Reverse(*delta));

    Ok(WhatIfResult {
        kind: "whatIf",
        change_percent: to_f64(change),
        base,
        levers: ranked.into_iter().map(|(_, effect)| effect).collect(),
    })
}

/// One lever moved: its value before and after, a label, and the inputs with it changed.
struct Changed {
    from: Decimal,
    to: Decimal,
    label: String,
    profit: Profit,
}

/// Improves one lever by `change` percent: × (1 + x) for order value, frequency and lifespan;
/// the margin moves by |margin| × x (so a negative margin improves too), capped at 100;
/// CAC × (1 − x), floored at 0.
fn apply(lever: Lever, base: &Profit, change: Decimal) -> Result<Changed> {
    let x = quotient(change, Decimal::ONE_HUNDRED, "changePercent")?;
    let pct = format_exact(change);
    let factor = Decimal::ONE
        .checked_add(x)
        .or_overflow("1 + changePercent / 100")?;
    let grow = |v: Decimal, what: &str| product(&[v, factor], what);
    let mut profit = *base;
    let pattern = &mut profit.pattern;
    let aov = pattern.average_order_value;
    let (from, to, label) = match lever {
        Lever::AverageOrderValue => {
            pattern.average_order_value = grow(aov, "averageOrderValue")?;
            (
                aov,
                pattern.average_order_value,
                format!("Average order value +{pct}%"),
            )
        }
        Lever::PurchaseFrequency => {
            let from = pattern.purchase_frequency;
            pattern.purchase_frequency = grow(from, "purchaseFrequency")?;
            (
                from,
                pattern.purchase_frequency,
                format!("Purchase frequency +{pct}%"),
            )
        }
        Lever::Lifespan => {
            let from = pattern.lifespan_years;
            pattern.lifespan_years = grow(from, "lifespanYears")?;
            (
                from,
                pattern.lifespan_years,
                format!("Customer lifespan +{pct}%"),
            )
        }
        Lever::GrossMargin => {
            let from = base.margin.percent(aov)?;
            let raised = from
                .checked_add(product(&[from.abs(), x], "grossMarginPercent")?)
                .or_overflow("grossMarginPercent")?;
            let to = raised.min(Decimal::ONE_HUNDRED);
            profit.margin = base.margin.with_percent(to, aov)?;
            let capped = if raised > to { " (capped at 100%)" } else { "" };
            (from, to, format!("Gross margin +{pct}%{capped}"))
        }
        Lever::Cac => {
            let lowered = product(
                &[base.cac, Decimal::ONE.checked_sub(x).or_overflow("cac")?],
                "cac",
            )?;
            profit.cac = lowered.max(Decimal::ZERO);
            (base.cac, profit.cac, format!("Acquisition cost -{pct}%"))
        }
    };
    Ok(Changed {
        from,
        to,
        label,
        profit,
    })
}

/// profitClv / cac as a number; `None` when cac is 0.
fn clv_cac_ratio(profit_clv: Decimal, cac: Decimal) -> Result<Option<f64>> {
    if cac.is_zero() {
        return Ok(None);
    }
    quotient(profit_clv, cac, "clvCacRatio").map(|r| Some(to_f64(r)))
}
