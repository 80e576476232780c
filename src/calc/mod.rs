//! The closed-form calculators: simple, profit and retention CLV, CAC, CLV:CAC with payback,
//! and what-if levers. Each takes one deserialized input struct and returns one result struct.

mod cac;
mod clv;
mod ratio;
mod retention;
mod whatif;

pub use cac::{cac, BlendedCac, CacInput, CacResult, ChannelCac, ChannelSpendInput};
pub use clv::{
    profit_clv, simple_clv, ProfitClvInput, ProfitClvInputsEcho, ProfitClvResult, SimpleClvInput,
    SimpleClvInputsEcho, SimpleClvResult,
};
pub use ratio::{
    clv_cac_ratio, ClvCacRatioInput, ClvCacRatioInputsEcho, ClvCacRatioResult, Payback, RatioBand,
};
pub use retention::{
    retention_clv, Horizon, RetentionClvInput, RetentionClvInputsEcho, RetentionClvResult,
    RetentionFormulas,
};
pub use whatif::{what_if, Lever, LeverEffect, WhatIfInput, WhatIfResult};

use crate::error::Result;
use crate::input::OrOverflow;
use rust_decimal::Decimal;

/// The product of `factors`, `OVERFLOW` (naming `what`) beyond the decimal range.
fn product(factors: &[Decimal], what: &str) -> Result<Decimal> {
    factors
        .iter()
        .try_fold(Decimal::ONE, |acc, f| acc.checked_mul(*f).or_overflow(what))
}

/// `numerator / denominator` (the denominator is known to be non-zero), `OVERFLOW` if too large.
fn quotient(numerator: Decimal, denominator: Decimal, what: &str) -> Result<Decimal> {
    numerator.checked_div(denominator).or_overflow(what)
}

/// `value × percent / 100`, dividing first so that no intermediate exceeds the result.
fn percent_of(value: Decimal, percent: Decimal, what: &str) -> Result<Decimal> {
    product(
        &[value, quotient(percent, Decimal::ONE_HUNDRED, what)?],
        what,
    )
}
