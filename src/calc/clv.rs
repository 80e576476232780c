//! Revenue and profit CLV from a purchase pattern (order value × purchases per year × years),
//! and the pattern and profit inputs (raw and validated) that the what-if calculator reuses.

use super::{percent_of, product, quotient};
use crate::error::Result;
use crate::input::{
    self, decimal_in_range, exactly_one_of, money, optional, reject_unknown, OneOf, OrOverflow,
    Scalar, Unknown,
};
use crate::money::{format_exact, format_money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::ops::Bound::{Excluded, Included, Unbounded};

/// The purchase-pattern inputs shared by [`simple_clv`], [`profit_clv`] and `what_if`, each of
/// which takes them with `#[serde(flatten)]`. Alone it would ignore unknown keys: the input
/// struct that flattens it reports them, as its `unknown` sees every key this one did not take.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatternInput {
    pub average_order_value: Option<Scalar>,
    pub purchase_frequency: Option<Scalar>,
    pub purchase_interval_months: Option<Scalar>,
    pub lifespan_years: Option<Scalar>,
    pub annual_churn_rate: Option<Scalar>,
    pub multiplier: Option<Scalar>,
}

/// Inputs of [`simple_clv`]; see `SimpleClvInput` in `js/index.d.ts`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimpleClvInput {
    #[serde(flatten)]
    pub pattern: PatternInput,
    pub decimals: Option<Scalar>,
    /// Keys this calculator does not know: reported as `UNKNOWN_FIELD`. Declared last, so it
    /// sees only the keys that `pattern` did not take.
    #[serde(flatten)]
    pub unknown: Unknown,
}

/// Inputs of [`profit_clv`]; see `ProfitClvInput` in `js/index.d.ts`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfitClvInput {
    #[serde(flatten)]
    pub pattern: PatternInput,
    pub gross_margin_percent: Option<Scalar>,
    pub cost_of_goods_per_order: Option<Scalar>,
    pub yearly_service_cost: Option<Scalar>,
    pub cac: Option<Scalar>,
    pub decimals: Option<Scalar>,
    /// Keys this calculator does not know: reported as `UNKNOWN_FIELD`. Declared last, so it
    /// sees only the keys that `pattern` did not take. When this struct is itself flattened
    /// (in `WhatIfInput`), it is the only catch-all, and the outer struct's own fields never
    /// reach it.
    #[serde(flatten)]
    pub unknown: Unknown,
}

/// The purchase pattern as used, in every echo of the inputs (derived values included).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PatternEcho {
    pub average_order_value: String,
    pub purchase_frequency: String,
    pub lifespan_years: String,
    pub multiplier: String,
    pub purchase_interval_months: Option<String>,
    pub annual_churn_rate: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimpleClvInputsEcho {
    #[serde(flatten)]
    pub pattern: PatternEcho,
    pub decimals: u32,
}

/// Reads of the pattern fields (`inputs.lifespan_years`) go through to the flattened
/// [`PatternEcho`], as they did when the echo structs repeated its fields.
/// Result of [`simple_clv`]; `kind` is `"simple"`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimpleClvResult {
    pub kind: &'static str,
    pub clv: String,
    pub annual_value: String,
    pub inputs: SimpleClvInputsEcho,
    pub formula: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfitClvInputsEcho {
    #[serde(flatten)]
    pub pattern: PatternEcho,
    pub gross_margin_percent: Option<String>,
    pub cost_of_goods_per_order: Option<String>,
    pub yearly_service_cost: String,
    pub cac: String,
    pub decimals: u32,
}

/// As for [`SimpleClvInputsEcho`]: the pattern fields read through to [`PatternEcho`].
/// Result of [`profit_clv`]; `kind` is `"profit"`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfitClvResult {
    pub kind: &'static str,
    pub revenue_clv: String,
    pub gross_profit_per_order: String,
    pub gross_margin_percent: String,
    pub gross_profit_clv: String,
    pub service_cost: String,
    pub profit_clv: String,
    pub net_clv: String,
    /// profitClv / cac, only in the what-if `base` (`Some(None)` there when cac is 0);
    /// `None` for `profit_clv`, and then not serialized.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clv_cac_ratio: Option<Option<f64>>,
    pub inputs: ProfitClvInputsEcho,
    pub formula: String,
}

/// CLV from a purchase pattern: averageOrderValue × purchaseFrequency × lifespanYears × multiplier.
pub fn simple_clv(input: &SimpleClvInput) -> Result<SimpleClvResult> {
    reject_unknown("", &input.unknown)?;
    let pattern = Pattern::parse(&input.pattern)?;
    let decimals = input::decimals(input.decimals.as_ref())?;
    let clv = pattern.lifetime_value(pattern.average_order_value, "clv")?;
    let annual_value = pattern.annual_value(pattern.average_order_value, "annualValue")?;
    Ok(SimpleClvResult {
        kind: "simple",
        clv: format_money(clv, decimals),
        annual_value: format_money(annual_value, decimals),
        inputs: SimpleClvInputsEcho {
            pattern: pattern.echo(),
            decimals,
        },
        formula: format!(
            "clv = averageOrderValue × purchaseFrequency × lifespanYears × multiplier; \
             annualValue = averageOrderValue × purchaseFrequency × multiplier{}",
            pattern.derivations()
        ),
    })
}

/// Profit CLV: gross profit over the lifespan, less the cost to serve, less the acquisition cost.
pub fn profit_clv(input: &ProfitClvInput) -> Result<ProfitClvResult> {
    reject_unknown("", &input.unknown)?;
    Profit::parse(input)?.result()
}

/// A validated purchase pattern, with frequency and lifespan derived when given the other way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Pattern {
    pub average_order_value: Decimal,
    pub purchase_frequency: Decimal,
    pub lifespan_years: Decimal,
    pub multiplier: Decimal,
    pub purchase_interval_months: Option<Decimal>,
    pub annual_churn_rate: Option<Decimal>,
}

impl Pattern {
    pub fn parse(fields: &PatternInput) -> Result<Pattern> {
        let average_order_value = money("averageOrderValue", fields.average_order_value.as_ref())?;
        let (purchase_frequency, purchase_interval_months) = match exactly_one_of(
            "purchaseFrequency",
            fields.purchase_frequency.as_ref(),
            "purchaseIntervalMonths",
            fields.purchase_interval_months.as_ref(),
        )? {
            OneOf::First(v) => (money("purchaseFrequency", Some(v))?, None),
            OneOf::Second(v) => {
                let months = decimal_in_range(
                    "purchaseIntervalMonths",
                    Some(v),
                    Excluded(Decimal::ZERO),
                    Unbounded,
                )?;
                (
                    quotient(
                        Decimal::from(12),
                        months,
                        "purchaseFrequency (12 / purchaseIntervalMonths)",
                    )?,
                    Some(months),
                )
            }
        };
        let (lifespan_years, annual_churn_rate) = match exactly_one_of(
            "lifespanYears",
            fields.lifespan_years.as_ref(),
            "annualChurnRate",
            fields.annual_churn_rate.as_ref(),
        )? {
            OneOf::First(v) => (money("lifespanYears", Some(v))?, None),
            OneOf::Second(v) => {
                let churn = decimal_in_range(
                    "annualChurnRate",
                    Some(v),
                    Excluded(Decimal::ZERO),
                    Included(Decimal::ONE),
                )?;
                (
                    quotient(Decimal::ONE, churn, "lifespanYears (1 / annualChurnRate)")?,
                    Some(churn),
                )
            }
        };
        let multiplier = optional(fields.multiplier.as_ref(), |v| {
            decimal_in_range("multiplier", v, Excluded(Decimal::ZERO), Unbounded)
        })?
        .unwrap_or(Decimal::ONE);
        Ok(Pattern {
            average_order_value,
            purchase_frequency,
            lifespan_years,
            multiplier,
            purchase_interval_months,
            annual_churn_rate,
        })
    }

    /// The pattern as used, for the echo of the inputs.
    pub fn echo(&self) -> PatternEcho {
        PatternEcho {
            average_order_value: format_exact(self.average_order_value),
            purchase_frequency: format_exact(self.purchase_frequency),
            lifespan_years: format_exact(self.lifespan_years),
            multiplier: format_exact(self.multiplier),
            purchase_interval_months: self.purchase_interval_months.map(format_exact),
            annual_churn_rate: self.annual_churn_rate.map(format_exact),
        }
    }

    /// `per_order` × purchaseFrequency × multiplier.
    pub fn annual_value(&self, per_order: Decimal, what: &str) -> Result<Decimal> {
        product(&[per_order, self.purchase_frequency, self.multiplier], what)
    }

    /// `per_order` × purchaseFrequency × lifespanYears × multiplier.
    pub fn lifetime_value(&self, per_order: Decimal, what: &str) -> Result<Decimal> {
        product(
            &[
                per_order,
                self.purchase_frequency,
                self.lifespan_years,
                self.multiplier,
            ],
            what,
        )
    }

    /// How derived values were obtained, appended to a formula.
    fn derivations(&self) -> String {
        let frequency = self
            .purchase_interval_months
            .map(|_| "; purchaseFrequency = 12 / purchaseIntervalMonths");
        let lifespan = self
            .annual_churn_rate
            .map(|_| "; lifespanYears = 1 / annualChurnRate");
        [frequency, lifespan].into_iter().flatten().collect()
    }
}

/// How the gross margin was given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Margin {
    /// grossMarginPercent, 0–100.
    Percent(Decimal),
    /// costOfGoodsPerOrder, fixed per order whatever the order value.
    CostOfGoods(Decimal),
}

impl Margin {
    pub fn gross_profit_per_order(&self, average_order_value: Decimal) -> Result<Decimal> {
        match *self {
            Margin::Percent(percent) => {
                percent_of(average_order_value, percent, "grossProfitPerOrder")
            }
            Margin::CostOfGoods(cost) => average_order_value
                .checked_sub(cost)
                .or_overflow("grossProfitPerOrder"),
        }
    }

    /// The margin in percent; from a cost of goods, (aov − cogs) / aov × 100, and 0 when aov is 0.
    pub fn percent(&self, average_order_value: Decimal) -> Result<Decimal> {
        match *self {
            Margin::Percent(percent) => Ok(percent),
            Margin::CostOfGoods(_) if average_order_value.is_zero() => Ok(Decimal::ZERO),
            Margin::CostOfGoods(_) => {
                let profit = self.gross_profit_per_order(average_order_value)?;
                quotient(
                    product(&[profit, Decimal::ONE_HUNDRED], "grossMarginPercent")?,
                    average_order_value,
                    "grossMarginPercent",
                )
            }
        }
    }

    /// The same kind of margin moved to `percent`: a cost of goods is lowered by the gross
    /// profit gained, so the profit per order moves by exactly aov × Δpercent / 100.
    pub fn with_percent(&self, percent: Decimal, average_order_value: Decimal) -> Result<Margin> {
        match *self {
            Margin::Percent(_) => Ok(Margin::Percent(percent)),
            Margin::CostOfGoods(cost) => {
                let change = percent
                    .checked_sub(self.percent(average_order_value)?)
                    .or_overflow("grossMarginPercent")?;
                let gained = percent_of(average_order_value, change, "grossProfitPerOrder")?;
                Ok(Margin::CostOfGoods(
                    cost.checked_sub(gained)
                        .or_overflow("costOfGoodsPerOrder")?,
                ))
            }
        }
    }
}

/// Validated profit CLV inputs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Profit {
    pub pattern: Pattern,
    pub margin: Margin,
    pub yearly_service_cost: Decimal,
    pub cac: Decimal,
    pub decimals: u32,
}

/// Every amount of a profit CLV, exact.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ProfitFigures {
    pub revenue_clv: Decimal,
    pub gross_profit_per_order: Decimal,
    pub gross_margin_percent: Decimal,
    pub gross_profit_clv: Decimal,
    pub service_cost: Decimal,
    pub profit_clv: Decimal,
    pub net_clv: Decimal,
}

impl Profit {
    /// Validates the fields of `input` (shared by `profitClv` and `whatIf`); rejecting its
    /// unknown keys is the caller's job.
    pub fn parse(input: &ProfitClvInput) -> Result<Profit> {
        let pattern = Pattern::parse(&input.pattern)?;
        let margin = match exactly_one_of(
            "grossMarginPercent",
            input.gross_margin_percent.as_ref(),
            "costOfGoodsPerOrder",
            input.cost_of_goods_per_order.as_ref(),
        )? {
            OneOf::First(v) => Margin::Percent(decimal_in_range(
                "grossMarginPercent",
                Some(v),
                Included(Decimal::ZERO),
                Included(Decimal::ONE_HUNDRED),
            )?),
            OneOf::Second(v) => Margin::CostOfGoods(money("costOfGoodsPerOrder", Some(v))?),
        };
        Ok(Profit {
            pattern,
            margin,
            yearly_service_cost: optional(input.yearly_service_cost.as_ref(), |v| {
                money("yearlyServiceCost", v)
            })?
            .unwrap_or(Decimal::ZERO),
            cac: optional(input.cac.as_ref(), |v| money("cac", v))?.unwrap_or(Decimal::ZERO),
            decimals: input::decimals(input.decimals.as_ref())?,
        })
    }

    pub fn figures(&self) -> Result<ProfitFigures> {
        let pattern = &self.pattern;
        let aov = pattern.average_order_value;
        let gross_profit_per_order = self.margin.gross_profit_per_order(aov)?;
        let gross_profit_clv = pattern.lifetime_value(gross_profit_per_order, "grossProfitClv")?;
        let service_cost = product(
            &[self.yearly_service_cost, pattern.lifespan_years],
            "serviceCost",
        )?;
        let profit_clv = gross_profit_clv
            .checked_sub(service_cost)
            .or_overflow("profitClv")?;
        Ok(ProfitFigures {
            revenue_clv: pattern.lifetime_value(aov, "revenueClv")?,
            gross_profit_per_order,
            gross_margin_percent: self.margin.percent(aov)?,
            gross_profit_clv,
            service_cost,
            profit_clv,
            net_clv: profit_clv.checked_sub(self.cac).or_overflow("netClv")?,
        })
    }

    pub fn result(&self) -> Result<ProfitClvResult> {
        let figures = self.figures()?;
        let pattern = &self.pattern;
        let money = |d| format_money(d, self.decimals);
        let (margin_given, cost_given, per_order_formula) = match self.margin {
            Margin::Percent(p) => (
                Some(format_exact(p)),
                None,
                "grossProfitPerOrder = averageOrderValue × grossMarginPercent / 100",
            ),
            Margin::CostOfGoods(c) => (
                None,
                Some(format_exact(c)),
                "grossProfitPerOrder = averageOrderValue − costOfGoodsPerOrder \
                 (grossMarginPercent = grossProfitPerOrder / averageOrderValue × 100)",
            ),
        };
        Ok(ProfitClvResult {
            kind: "profit",
            revenue_clv: money(figures.revenue_clv),
            gross_profit_per_order: money(figures.gross_profit_per_order),
            gross_margin_percent: format_exact(figures.gross_margin_percent),
            gross_profit_clv: money(figures.gross_profit_clv),
            service_cost: money(figures.service_cost),
            profit_clv: money(figures.profit_clv),
            net_clv: money(figures.net_clv),
            clv_cac_ratio: None,
            inputs: ProfitClvInputsEcho {
                pattern: pattern.echo(),
                gross_margin_percent: margin_given,
                cost_of_goods_per_order: cost_given,
                yearly_service_cost: format_exact(self.yearly_service_cost),
                cac: format_exact(self.cac),
                decimals: self.decimals,
            },
            formula: format!(
                "revenueClv = averageOrderValue × purchaseFrequency × lifespanYears × multiplier; \
                 {per_order_formula}; \
                 grossProfitClv = grossProfitPerOrder × purchaseFrequency × lifespanYears × multiplier; \
                 serviceCost = yearlyServiceCost × lifespanYears; profitClv = grossProfitClv − serviceCost; \
                 netClv = profitClv − cac{}",
                pattern.derivations()
            ),
        })
    }
}
