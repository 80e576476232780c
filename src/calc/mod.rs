//! The closed-form calculators: simple, profit and retention CLV, CAC, CLV:CAC with payback,
//! and what-if levers. Each takes one deserialized input struct and returns one result struct.

mod cac;
mod clv;
mod ratio;
mod retention;
mod whatif;

pub use cac::{cac, BlendedCac, CacInput, CacResult, ChannelCac, ChannelSpendInput};
pub use clv::{
    profit_clv, simple_clv, PatternEcho, PatternInput, ProfitClvInput, ProfitClvInputsEcho,
    ProfitClvResult, SimpleClvInput, SimpleClvInputsEcho, SimpleClvResult,
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

/// The inputs nest flattened structs; exactly one catch-all must see the keys left over.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::input::Unknown;
    use serde_json::json;

    fn parse<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
        serde_json::from_value(v).expect("input deserializes")
    }

    fn unknown_field<T>(r: crate::error::Result<T>) -> Option<String> {
        match r {
            Err(e) if e.code == ErrorCode::UnknownField => e.field,
            Err(e) => panic!("expected UNKNOWN_FIELD, got {:?}: {}", e.code, e.message),
            Ok(_) => panic!("expected UNKNOWN_FIELD, got a result"),
        }
    }

    #[test]
    fn unknown_key_in_simple_clv() {
        let input: SimpleClvInput = parse(
            json!({"averageOrderValue": 75, "purchaseFrequency": 3, "lifespanYears": 4, "lifespan": 4}),
        );
        assert_eq!(
            unknown_field(simple_clv(&input)).as_deref(),
            Some("lifespan")
        );
    }

    #[test]
    fn unknown_key_in_profit_clv() {
        let input: ProfitClvInput = parse(json!({"averageOrderValue": 75, "purchaseFrequency": 3,
            "lifespanYears": 4, "grossMarginPercent": 40, "margin": 40}));
        assert_eq!(unknown_field(profit_clv(&input)).as_deref(), Some("margin"));
    }

    #[test]
    fn unknown_key_in_what_if() {
        let input: WhatIfInput = parse(json!({"averageOrderValue": 75, "purchaseFrequency": 3,
            "lifespanYears": 4, "grossMarginPercent": 40, "changePercent": 5, "change": 5}));
        assert_eq!(unknown_field(what_if(&input)).as_deref(), Some("change"));
    }

    #[test]
    fn what_if_with_change_percent_passes() {
        let input: WhatIfInput = parse(json!({"averageOrderValue": 75, "purchaseFrequency": 3,
            "lifespanYears": 4, "grossMarginPercent": 40, "cac": 100, "changePercent": 20}));
        assert_eq!(input.profit.unknown, Unknown::default());
        let r = what_if(&input).expect("a valid what-if input");
        assert_eq!(r.change_percent, 20.0);
        assert_eq!(r.base.inputs.pattern.average_order_value, "75");
    }
}
