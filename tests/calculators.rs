//! The calculators fed JSON as JS would send it: the worked examples of the source articles,
//! exactness and rounding, each formula against hand-computed values, and every error code.

use clvkit::calc::*;
use clvkit::error::{ErrorCode, Result};
use clvkit::input::Scalar;
use clvkit::money::{decimal_from_f64_repr, ParseDecimalError};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

fn input<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("input deserializes")
}

fn simple(v: Value) -> Result<SimpleClvResult> {
    simple_clv(&input(v))
}

fn profit(v: Value) -> Result<ProfitClvResult> {
    profit_clv(&input(v))
}

fn retention(v: Value) -> Result<RetentionClvResult> {
    retention_clv(&input(v))
}

fn cac_of(v: Value) -> Result<CacResult> {
    cac(&input(v))
}

fn ratio(v: Value) -> Result<ClvCacRatioResult> {
    clv_cac_ratio(&input(v))
}

fn whatif(v: Value) -> Result<WhatIfResult> {
    what_if(&input(v))
}

/// The error's code and field; panics if the call succeeded.
fn failure<T: std::fmt::Debug>(r: Result<T>) -> (ErrorCode, Option<String>) {
    let e = r.expect_err("an error");
    assert!(!e.message.is_empty());
    (e.code, e.field)
}

fn fails<T: std::fmt::Debug>(r: Result<T>, code: ErrorCode, field: &str) {
    assert_eq!(failure(r), (code, Some(field.to_owned())));
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * b.abs().max(1.0)
}

// ---------------------------------------------------------------- the source articles

#[test]
fn article_75_dollars_three_a_year_four_years() {
    let r = simple(json!({"averageOrderValue": 75, "purchaseFrequency": 3, "lifespanYears": 4}))
        .unwrap();
    assert_eq!(r.clv, "900.00");
    assert_eq!(r.annual_value, "225.00");
    assert_eq!(r.kind, "simple");
}

#[test]
fn article_250_dollars_with_cac_800() {
    let r = simple(json!({"averageOrderValue": 250, "purchaseFrequency": 2, "lifespanYears": 5}))
        .unwrap();
    assert_eq!(r.clv, "2500.00");
    let q = ratio(json!({"clv": r.clv, "cac": 800})).unwrap();
    assert_eq!(q.ratio, 3.125);
    assert_eq!(q.band, RatioBand::Healthy);
}

#[test]
fn article_30_dollars_monthly_with_cac_400() {
    let r = simple(json!({"averageOrderValue": 30, "purchaseFrequency": 12, "lifespanYears": 5}))
        .unwrap();
    assert_eq!(r.clv, "1800.00");
    let q = ratio(json!({"clv": r.clv, "cac": 400})).unwrap();
    assert_eq!(q.ratio, 4.5);
    assert_eq!(q.band, RatioBand::Healthy);
}

#[test]
fn article_200_dollars_every_three_months() {
    let r =
        simple(json!({"averageOrderValue": 200, "purchaseIntervalMonths": 3, "lifespanYears": 5}))
            .unwrap();
    assert_eq!(r.clv, "4000.00");
    assert_eq!(r.inputs.pattern.purchase_frequency, "4");
    assert_eq!(r.inputs.pattern.purchase_interval_months.as_deref(), Some("3"));
    assert!(r.formula.contains("12 / purchaseIntervalMonths"));
}

#[test]
fn article_800_dollars_with_multiplier() {
    let r = simple(json!({"averageOrderValue": 800, "multiplier": 1.3, "purchaseFrequency": 1.5, "lifespanYears": 10}))
        .unwrap();
    assert_eq!(r.clv, "15600.00");
    assert_eq!(r.inputs.pattern.multiplier, "1.3");
}

// ---------------------------------------------------------------- exactness, rounding, shape

#[test]
fn json_numbers_are_exact_decimals() {
    let r = simple(json!({"averageOrderValue": 0.1, "purchaseFrequency": 3, "lifespanYears": 1}))
        .unwrap();
    assert_eq!(r.clv, "0.30");
    let r = simple(json!({"averageOrderValue": 0.1, "purchaseFrequency": 3, "lifespanYears": 1, "decimals": 10}))
        .unwrap();
    assert_eq!(r.clv, "0.3000000000");
    let r =
        simple(json!({"averageOrderValue": 0.1 + 0.2, "purchaseFrequency": 1, "lifespanYears": 1}))
            .unwrap();
    assert_eq!(r.inputs.pattern.average_order_value, "0.30000000000000004");
}

#[test]
fn strings_with_thousands_and_exponents() {
    let r = simple(json!({"averageOrderValue": " 1,234.50 ", "purchaseFrequency": "2", "lifespanYears": "1e0"})).unwrap();
    assert_eq!(r.clv, "2469.00");
    assert_eq!(r.inputs.pattern.average_order_value, "1234.5");
}

#[test]
fn money_rounds_half_away_from_zero() {
    let one = |aov: &str, decimals: u32| {
        simple(json!({"averageOrderValue": aov, "purchaseFrequency": 1, "lifespanYears": 1, "decimals": decimals}))
            .unwrap()
            .clv
    };
    assert_eq!(one("0.125", 2), "0.13");
    assert_eq!(one("0.124999", 2), "0.12");
    assert_eq!(one("2.5", 0), "3");
    assert_eq!(one("3.5", 0), "4");
    let net = |cac: &str| {
        profit(json!({"averageOrderValue": 0, "grossMarginPercent": 50, "purchaseFrequency": 1, "lifespanYears": 1, "cac": cac}))
            .unwrap()
            .net_clv
    };
    assert_eq!(net("0.125"), "-0.13");
    assert_eq!(net("0.004"), "0.00");
}

#[test]
fn churn_gives_lifespan() {
    let r =
        simple(json!({"averageOrderValue": 75, "purchaseFrequency": 3, "annualChurnRate": 0.25}))
            .unwrap();
    assert_eq!(r.clv, "900.00");
    assert_eq!(r.inputs.pattern.lifespan_years, "4");
    assert_eq!(r.inputs.pattern.annual_churn_rate.as_deref(), Some("0.25"));
    let r =
        simple(json!({"averageOrderValue": 75, "purchaseFrequency": 3, "annualChurnRate": "0.3"}))
            .unwrap();
    assert_eq!(r.clv, "750.00");
    assert_eq!(r.inputs.pattern.lifespan_years, "3.3333333333333333333333333333");
}

#[test]
fn results_serialize_to_the_documented_shape() {
    let r = simple(json!({"averageOrderValue": 75, "purchaseFrequency": 3, "lifespanYears": 4}))
        .unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(
        v,
        json!({
            "kind": "simple", "clv": "900.00", "annualValue": "225.00",
            "inputs": {"averageOrderValue": "75", "purchaseFrequency": "3", "lifespanYears": "4", "multiplier": "1",
                       "purchaseIntervalMonths": null, "annualChurnRate": null, "decimals": 2},
            "formula": "clv = averageOrderValue × purchaseFrequency × lifespanYears × multiplier; annualValue = averageOrderValue × purchaseFrequency × multiplier"
        })
    );
    let p = serde_json::to_value(base_profit()).unwrap();
    assert!(p.get("clvCacRatio").is_none());
    assert_eq!(p["kind"], "profit");
    assert_eq!(p["inputs"]["costOfGoodsPerOrder"], Value::Null);
    let w = serde_json::to_value(whatif(profit_json(json!({}))).unwrap()).unwrap();
    assert_eq!(w["kind"], "whatIf");
    assert_eq!(w["base"]["clvCacRatio"], 8.4);
    assert_eq!(w["levers"][0]["lever"], "averageOrderValue");
    let c = serde_json::to_value(cac_of(json!({"channels": [{"channel": "a", "spend": 1, "newCustomers": 0}, {"channel": "b", "spend": 1, "newCustomers": 1}]})).unwrap()).unwrap();
    assert_eq!(c["channels"][0]["cac"], Value::Null);
    assert_eq!(c["warnings"][0]["code"], "CHANNEL_NO_CUSTOMERS");
    assert_eq!(c["blended"]["newCustomers"], 1);
    let q = serde_json::to_value(ratio(json!({"clv": 1, "cac": 10})).unwrap()).unwrap();
    assert_eq!(
        (q["kind"].clone(), q["band"].clone(), q["payback"].clone()),
        (json!("clvCacRatio"), json!("losing"), Value::Null)
    );
    let q = serde_json::to_value(ratio(json!({"clv": 60, "cac": 10})).unwrap()).unwrap();
    assert_eq!(q["band"], "underInvesting");
}

// ---------------------------------------------------------------- profit CLV

fn profit_json(extra: Value) -> Value {
    let mut v = json!({"averageOrderValue": 100, "grossMarginPercent": 40, "purchaseFrequency": 4, "lifespanYears": 3,
                       "yearlyServiceCost": 20, "cac": 50});
    if let (Some(base), Some(extra)) = (v.as_object_mut(), extra.as_object()) {
        for (k, x) in extra {
            if x.is_null() {
                base.remove(k);
            } else {
                base.insert(k.clone(), x.clone());
            }
        }
    }
    v
}

fn base_profit() -> ProfitClvResult {
    profit(profit_json(json!({}))).unwrap()
}

#[test]
fn profit_clv_from_margin_percent() {
    let r = base_profit();
    assert_eq!(
        (
            r.revenue_clv.as_str(),
            r.gross_profit_per_order.as_str(),
            r.gross_margin_percent.as_str()
        ),
        ("1200.00", "40.00", "40")
    );
    assert_eq!(
        (r.gross_profit_clv.as_str(), r.service_cost.as_str()),
        ("480.00", "60.00")
    );
    assert_eq!(
        (r.profit_clv.as_str(), r.net_clv.as_str()),
        ("420.00", "370.00")
    );
    assert_eq!(r.clv_cac_ratio, None);
}

#[test]
fn profit_clv_from_cost_of_goods() {
    let r = profit(profit_json(
        json!({"grossMarginPercent": null, "costOfGoodsPerOrder": 60}),
    ))
    .unwrap();
    assert_eq!(
        (
            r.gross_profit_per_order.as_str(),
            r.gross_margin_percent.as_str()
        ),
        ("40.00", "40")
    );
    assert_eq!(r.net_clv, "370.00");
    assert_eq!(r.inputs.cost_of_goods_per_order.as_deref(), Some("60"));
    assert_eq!(r.inputs.gross_margin_percent, None);
    // Costs above the order value: a loss per order, allowed.
    let r = profit(profit_json(
        json!({"grossMarginPercent": null, "costOfGoodsPerOrder": 120}),
    ))
    .unwrap();
    assert_eq!(
        (
            r.gross_profit_per_order.as_str(),
            r.gross_margin_percent.as_str()
        ),
        ("-20.00", "-20")
    );
    assert_eq!(r.net_clv, "-350.00");
    // No order value: margin 0 by convention.
    let r = profit(profit_json(
        json!({"grossMarginPercent": null, "costOfGoodsPerOrder": 5, "averageOrderValue": 0}),
    ))
    .unwrap();
    assert_eq!(r.gross_margin_percent, "0");
}

#[test]
fn profit_defaults_service_cost_and_cac_to_zero() {
    let r = profit(profit_json(json!({"yearlyServiceCost": null, "cac": null}))).unwrap();
    assert_eq!(
        (r.profit_clv.as_str(), r.net_clv.as_str()),
        ("480.00", "480.00")
    );
    assert_eq!(
        (r.inputs.yearly_service_cost.as_str(), r.inputs.cac.as_str()),
        ("0", "0")
    );
}

// ---------------------------------------------------------------- retention CLV

#[test]
fn retention_formulas_match_hand_computation() {
    let r = retention(json!({"marginPerPeriod": 100, "retentionRate": 0.8, "discountRate": 0.1}))
        .unwrap();
    assert_eq!(r.clv_first_payment_now, "366.67"); // 100 × 1.1 / 0.3
    assert_eq!(r.clv_future_payments_only, "266.67"); // 100 × 0.8 / 0.3
    assert_eq!(r.undiscounted_clv.as_deref(), Some("500.00")); // 100 / 0.2
    assert_eq!(r.expected_lifetime_periods, Some(5.0));
    assert_eq!(
        (r.retention_rate, r.churn_rate, r.discount_rate),
        (0.8, 0.2, 0.1)
    );
    assert!(r.horizon.is_none());
    assert!(r.formulas.clv_first_payment_now.contains("note 024"));
    assert_eq!(r.inputs.churn_rate, None);
    // The same customer described by churn.
    let c = retention(json!({"marginPerPeriod": "100", "churnRate": "0.2", "discountRate": "0.1"}))
        .unwrap();
    assert_eq!(
        (
            c.clv_first_payment_now.as_str(),
            c.clv_future_payments_only.as_str()
        ),
        ("366.67", "266.67")
    );
    assert_eq!(
        (
            c.inputs.retention_rate.clone(),
            c.inputs.churn_rate.as_deref()
        ),
        (None, Some("0.2"))
    );
}

#[test]
fn retention_without_discount_and_without_churn() {
    let r = retention(json!({"marginPerPeriod": 100, "retentionRate": 0.8})).unwrap();
    assert_eq!(r.clv_first_payment_now, "500.00"); // m / (1 − r): the undiscounted value
    assert_eq!(r.clv_future_payments_only, "400.00");
    let r = retention(json!({"marginPerPeriod": 100, "retentionRate": 1, "discountRate": 0.1}))
        .unwrap();
    assert_eq!(
        (r.expected_lifetime_periods, r.undiscounted_clv),
        (None, None)
    );
    assert_eq!(r.clv_first_payment_now, "1100.00");
    assert_eq!(r.clv_future_payments_only, "1000.00");
}

#[test]
fn retention_horizon_sums_and_tends_to_the_closed_form() {
    let h = |n: u64| {
        let r = retention(json!({"marginPerPeriod": 100, "retentionRate": 0.8, "discountRate": 0.1, "horizonPeriods": n}))
            .unwrap();
        let horizon = r.horizon.unwrap();
        assert_eq!(horizon.periods, n);
        horizon.clv
    };
    assert_eq!(h(1), "100.00");
    assert_eq!(h(2), "172.73"); // 100 + 100 × 0.8 / 1.1
    assert_eq!(h(3), "225.62"); // + 100 × 0.64 / 1.21
    let q: f64 = 0.8 / 1.1;
    for n in [5u64, 10, 20, 40] {
        let closed = 100.0 * 1.1 / 0.3 * (1.0 - q.powi(n as i32));
        assert!(
            (h(n).parse::<f64>().unwrap() - closed).abs() <= 0.005 + 1e-9,
            "n = {n}"
        );
    }
    assert_eq!(h(10_000), "366.67");
    let r = retention(json!({"marginPerPeriod": 10, "retentionRate": 1, "discountRate": 0.5, "horizonPeriods": "10000"})).unwrap();
    assert_eq!(r.horizon.unwrap().clv, "30.00");
}

// ---------------------------------------------------------------- CAC

#[test]
fn cac_single_total() {
    let r = cac_of(json!({"spend": "1,000", "newCustomers": "40"})).unwrap();
    assert_eq!(
        (
            r.blended.spend.as_str(),
            r.blended.new_customers,
            r.blended.cac.as_str()
        ),
        ("1000.00", 40, "25.00")
    );
    assert!(r.channels.is_empty() && r.warnings.is_empty());
    let r = cac_of(json!({"spend": 100, "newCustomers": 3})).unwrap();
    assert_eq!(r.blended.cac, "33.33");
}

#[test]
fn cac_per_channel_blended_and_zero_customer_warning() {
    let r = cac_of(json!({"channels": [
        {"channel": "paid search", "spend": 1200, "newCustomers": 30},
        {"channel": "email", "spend": "300", "newCustomers": 0},
        {"channel": "social", "spend": "1,500.50", "newCustomers": 20},
    ]}))
    .unwrap();
    assert_eq!(
        (
            r.blended.spend.as_str(),
            r.blended.new_customers,
            r.blended.cac.as_str()
        ),
        ("3000.50", 50, "60.01")
    );
    let names: Vec<_> = r.channels.iter().map(|c| c.channel.as_str()).collect();
    assert_eq!(names, ["paid search", "email", "social"]);
    assert_eq!(r.channels[0].cac.as_deref(), Some("40.00"));
    assert_eq!(r.channels[1].cac, None);
    assert_eq!(r.channels[2].cac.as_deref(), Some("75.03"));
    assert!(close(r.channels[0].spend_share, 1200.0 / 3000.5));
    assert_eq!(r.channels[0].customer_share, 0.6);
    assert_eq!(r.channels[1].customer_share, 0.0);
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].code, "CHANNEL_NO_CUSTOMERS");
    assert_eq!(
        r.warnings[0].field.as_deref(),
        Some("channels[1].newCustomers")
    );
    assert!(r.warnings[0].message.contains("email"));
    // No spend at all: shares are 0, not NaN.
    let r = cac_of(json!({"channels": [{"channel": "referral", "spend": 0, "newCustomers": 5}]}))
        .unwrap();
    assert_eq!(
        (r.channels[0].spend_share, r.blended.cac.as_str()),
        (0.0, "0.00")
    );
}

// ---------------------------------------------------------------- CLV:CAC and payback

#[test]
fn every_band_boundary() {
    let band = |clv: &str| ratio(json!({"clv": clv, "cac": 100})).unwrap().band;
    assert_eq!(band("-50"), RatioBand::Losing);
    assert_eq!(band("0"), RatioBand::Losing);
    assert_eq!(band("99.99"), RatioBand::Losing);
    assert_eq!(band("100"), RatioBand::Weak);
    assert_eq!(band("299.99"), RatioBand::Weak);
    assert_eq!(band("300"), RatioBand::Healthy);
    assert_eq!(band("500"), RatioBand::Healthy);
    assert_eq!(band("500.01"), RatioBand::UnderInvesting);
    for b in [
        RatioBand::Losing,
        RatioBand::Weak,
        RatioBand::Healthy,
        RatioBand::UnderInvesting,
    ] {
        assert!(!b.verdict().is_empty());
    }
    let r = ratio(json!({"clv": -200, "cac": 100})).unwrap();
    assert_eq!(r.ratio, -2.0);
    assert!(r.verdict.contains("Losing money"));
}

#[test]
fn payback_months() {
    let r = ratio(
        json!({"clv": 1200, "cac": 300, "monthlyRevenuePerCustomer": 50, "grossMarginPercent": 60}),
    )
    .unwrap();
    let p = r.payback.unwrap();
    assert_eq!(
        (
            p.months,
            p.monthly_gross_profit.as_str(),
            p.within_twelve_months
        ),
        (10.0, "30.00", true)
    );
    assert_eq!(r.inputs.gross_margin_percent, "60");
    let p = ratio(json!({"clv": 1200, "cac": 300, "monthlyRevenuePerCustomer": 20}))
        .unwrap()
        .payback
        .unwrap();
    assert_eq!((p.months, p.within_twelve_months), (15.0, false));
    let p = ratio(json!({"clv": 1200, "cac": 300, "monthlyRevenuePerCustomer": 25}))
        .unwrap()
        .payback
        .unwrap();
    assert_eq!((p.months, p.within_twelve_months), (12.0, false));
    let r = ratio(json!({"clv": 1200, "cac": 300})).unwrap();
    assert_eq!(
        (r.payback, r.inputs.gross_margin_percent.as_str()),
        (None, "100")
    );
}

// ---------------------------------------------------------------- what-if

#[test]
fn what_if_ranks_levers_by_gain_with_stable_ties() {
    let r = whatif(profit_json(json!({}))).unwrap();
    assert_eq!(r.change_percent, 10.0);
    assert_eq!(r.base.net_clv, "370.00");
    assert_eq!(r.base.clv_cac_ratio, Some(Some(8.4)));
    let order: Vec<_> = r.levers.iter().map(|l| l.lever).collect();
    assert_eq!(
        order,
        [
            Lever::AverageOrderValue,
            Lever::PurchaseFrequency,
            Lever::GrossMargin,
            Lever::Lifespan,
            Lever::Cac
        ]
    );
    let got: Vec<_> = r
        .levers
        .iter()
        .map(|l| (l.net_clv.as_str(), l.delta.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("418.00", "48.00"),
            ("418.00", "48.00"),
            ("418.00", "48.00"),
            ("412.00", "42.00"),
            ("375.00", "5.00")
        ]
    );
    let aov = &r.levers[0];
    assert_eq!(
        (aov.from.as_str(), aov.to.as_str(), aov.label.as_str()),
        ("100", "110", "Average order value +10%")
    );
    assert!(close(aov.delta_percent.unwrap(), 48.0 / 370.0 * 100.0));
    assert_eq!(aov.clv_cac_ratio, Some(9.36));
    let cac = &r.levers[4];
    assert_eq!((cac.from.as_str(), cac.to.as_str()), ("50", "45"));
    assert!(close(cac.clv_cac_ratio.unwrap(), 420.0 / 45.0));
    let lifespan = &r.levers[3];
    assert_eq!((lifespan.from.as_str(), lifespan.to.as_str()), ("3", "3.3"));
}

#[test]
fn what_if_keeps_cost_of_goods_per_order() {
    let r = whatif(profit_json(
        json!({"grossMarginPercent": null, "costOfGoodsPerOrder": 60, "changePercent": "10"}),
    ))
    .unwrap();
    assert_eq!(r.levers[0].lever, Lever::AverageOrderValue);
    // (110 − 60) × 4 × 3 − 60 − 50
    assert_eq!(
        (r.levers[0].net_clv.as_str(), r.levers[0].delta.as_str()),
        ("490.00", "120.00")
    );
    let margin = r
        .levers
        .iter()
        .find(|l| l.lever == Lever::GrossMargin)
        .unwrap();
    assert_eq!(
        (
            margin.from.as_str(),
            margin.to.as_str(),
            margin.net_clv.as_str()
        ),
        ("40", "44", "418.00")
    );
}

#[test]
fn what_if_caps_margin_and_floors_cac() {
    let r = whatif(profit_json(
        json!({"grossMarginPercent": 95, "changePercent": 200}),
    ))
    .unwrap();
    let margin = r
        .levers
        .iter()
        .find(|l| l.lever == Lever::GrossMargin)
        .unwrap();
    assert_eq!(margin.to, "100");
    assert!(margin.label.contains("capped"));
    let cac = r.levers.iter().find(|l| l.lever == Lever::Cac).unwrap();
    assert_eq!((cac.to.as_str(), cac.clv_cac_ratio), ("0", None));
    // A zero base: no percentage change, and no ratio without CAC.
    let r = whatif(profit_json(json!({"yearlyServiceCost": 0, "cac": 480}))).unwrap();
    assert_eq!(r.base.net_clv, "0.00");
    assert!(r.levers.iter().all(|l| l.delta_percent.is_none()));
    let r = whatif(profit_json(json!({"cac": 0}))).unwrap();
    assert_eq!(r.base.clv_cac_ratio, Some(None));
}

// ---------------------------------------------------------------- errors

fn pattern(extra: Value) -> Value {
    let mut v = json!({"averageOrderValue": 75, "purchaseFrequency": 3, "lifespanYears": 4});
    if let (Some(base), Some(extra)) = (v.as_object_mut(), extra.as_object()) {
        for (k, x) in extra {
            base.insert(k.clone(), x.clone());
        }
    }
    v
}

#[test]
fn error_codes_have_their_js_names() {
    use ErrorCode::*;
    let all = [
        (InvalidInput, "INVALID_INPUT"),
        (InvalidType, "INVALID_TYPE"),
        (UnknownField, "UNKNOWN_FIELD"),
        (MissingField, "MISSING_FIELD"),
        (ConflictingFields, "CONFLICTING_FIELDS"),
        (InvalidNumber, "INVALID_NUMBER"),
        (NotFinite, "NOT_FINITE"),
        (Negative, "NEGATIVE"),
        (OutOfRange, "OUT_OF_RANGE"),
        (NotInteger, "NOT_INTEGER"),
        (Overflow, "OVERFLOW"),
        (ZeroNewCustomers, "ZERO_NEW_CUSTOMERS"),
        (ZeroCac, "ZERO_CAC"),
        (NotConvergent, "NOT_CONVERGENT"),
        (NotInitialized, "NOT_INITIALIZED"),
        (Internal, "INTERNAL"),
    ];
    for (code, name) in all {
        assert_eq!(code.as_str(), name);
    }
}

#[test]
fn negative_amounts() {
    let e = simple(pattern(json!({"averageOrderValue": -5}))).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Negative, Some("averageOrderValue"))
    );
    assert_eq!(e.message, "averageOrderValue must be at least 0 (got -5)");
    fails(
        simple(pattern(json!({"purchaseFrequency": "-1"}))),
        ErrorCode::Negative,
        "purchaseFrequency",
    );
    fails(
        profit(profit_json(json!({"cac": -1}))),
        ErrorCode::Negative,
        "cac",
    );
    fails(
        cac_of(json!({"spend": 10, "newCustomers": -1})),
        ErrorCode::Negative,
        "newCustomers",
    );
    fails(
        ratio(json!({"clv": 10, "cac": -1})),
        ErrorCode::Negative,
        "cac",
    );
    let channels = json!({"channels": [
        {"channel": "a", "spend": 1, "newCustomers": 1}, {"channel": "b", "spend": 1, "newCustomers": 1},
        {"channel": "c", "spend": "-3", "newCustomers": 1}]});
    fails(cac_of(channels), ErrorCode::Negative, "channels[2].spend");
}

#[test]
fn non_finite_numbers() {
    assert_eq!(
        decimal_from_f64_repr(f64::NAN),
        Err(ParseDecimalError::NotFinite)
    );
    assert_eq!(
        decimal_from_f64_repr(f64::INFINITY),
        Err(ParseDecimalError::NotFinite)
    );
    assert_eq!(
        decimal_from_f64_repr(f64::NEG_INFINITY),
        Err(ParseDecimalError::NotFinite)
    );
    assert_eq!(
        decimal_from_f64_repr(1e300).map_err(|e| e.code()),
        Err(ErrorCode::Overflow)
    );
    for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let input = SimpleClvInput {
            pattern: PatternInput {
                average_order_value: Some(Scalar::Num(x)),
                purchase_frequency: Some(3.0.into()),
                lifespan_years: Some("4".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        fails(
            simple_clv(&input),
            ErrorCode::NotFinite,
            "averageOrderValue",
        );
    }
    fails(
        simple(pattern(json!({"averageOrderValue": 1e300}))),
        ErrorCode::Overflow,
        "averageOrderValue",
    );
    let e = simple(pattern(json!({"averageOrderValue": 1e-300}))).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidNumber);
    assert!(e.message.contains("too small"));
}

#[test]
fn rates_out_of_range() {
    let e = simple(json!({"averageOrderValue": 75, "purchaseFrequency": 3, "annualChurnRate": 0}))
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::OutOfRange, Some("annualChurnRate"))
    );
    assert_eq!(
        e.message,
        "annualChurnRate must be greater than 0 and at most 1 (got 0)"
    );
    let over = json!({"averageOrderValue": 75, "purchaseFrequency": 3, "annualChurnRate": 1.5});
    fails(simple(over), ErrorCode::OutOfRange, "annualChurnRate");
    let negative_churn =
        json!({"averageOrderValue": 75, "purchaseFrequency": 3, "annualChurnRate": -0.1});
    fails(
        simple(negative_churn),
        ErrorCode::OutOfRange,
        "annualChurnRate",
    );
    let zero_interval =
        json!({"averageOrderValue": 75, "purchaseIntervalMonths": 0, "lifespanYears": 1});
    fails(
        simple(zero_interval),
        ErrorCode::OutOfRange,
        "purchaseIntervalMonths",
    );
    fails(
        simple(pattern(json!({"multiplier": 0}))),
        ErrorCode::OutOfRange,
        "multiplier",
    );
    fails(
        simple(pattern(json!({"decimals": 11}))),
        ErrorCode::OutOfRange,
        "decimals",
    );
    fails(
        profit(profit_json(json!({"grossMarginPercent": 100.5}))),
        ErrorCode::OutOfRange,
        "grossMarginPercent",
    );
    fails(
        retention(json!({"marginPerPeriod": 1, "retentionRate": 1.2, "discountRate": 0.1})),
        ErrorCode::OutOfRange,
        "retentionRate",
    );
    fails(
        retention(json!({"marginPerPeriod": 1, "churnRate": 0})),
        ErrorCode::OutOfRange,
        "churnRate",
    );
    fails(
        retention(json!({"marginPerPeriod": 1, "retentionRate": 0.5, "discountRate": 11})),
        ErrorCode::OutOfRange,
        "discountRate",
    );
    fails(
        retention(json!({"marginPerPeriod": 1, "retentionRate": 0.5, "horizonPeriods": 0})),
        ErrorCode::OutOfRange,
        "horizonPeriods",
    );
    fails(
        retention(json!({"marginPerPeriod": 1, "retentionRate": 0.5, "horizonPeriods": 10_001})),
        ErrorCode::OutOfRange,
        "horizonPeriods",
    );
    fails(
        whatif(profit_json(json!({"changePercent": 0}))),
        ErrorCode::OutOfRange,
        "changePercent",
    );
    fails(
        whatif(profit_json(json!({"changePercent": 1000.5}))),
        ErrorCode::OutOfRange,
        "changePercent",
    );
    fails(
        cac_of(json!({"spend": 1, "newCustomers": 9_007_199_254_740_992u64})),
        ErrorCode::OutOfRange,
        "newCustomers",
    );
    fails(
        cac_of(json!({"channels": []})),
        ErrorCode::OutOfRange,
        "channels",
    );
    fails(
        cac_of(json!({"channels": [{"channel": "  ", "spend": 1, "newCustomers": 1}]})),
        ErrorCode::OutOfRange,
        "channels[0].channel",
    );
    let long = "x".repeat(201);
    fails(
        cac_of(json!({"channels": [{"channel": long, "spend": 1, "newCustomers": 1}]})),
        ErrorCode::OutOfRange,
        "channels[0].channel",
    );
    let many: Vec<Value> = (0..1001)
        .map(|i| json!({"channel": format!("c{i}"), "spend": 1, "newCustomers": 1}))
        .collect();
    fails(
        cac_of(json!({"channels": many})),
        ErrorCode::OutOfRange,
        "channels",
    );
    let payback = |revenue: i32, margin: i32| {
        ratio(
            json!({"clv": 1, "cac": 1, "monthlyRevenuePerCustomer": revenue, "grossMarginPercent": margin}),
        )
    };
    fails(
        payback(0, 50),
        ErrorCode::OutOfRange,
        "monthlyRevenuePerCustomer",
    );
    fails(payback(50, 0), ErrorCode::OutOfRange, "grossMarginPercent");
}

#[test]
fn not_convergent() {
    let e = retention(json!({"marginPerPeriod": 100, "retentionRate": 1, "discountRate": 0}))
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::NotConvergent, Some("retentionRate"))
    );
    assert!(e.message.contains("discountRate"));
    fails(
        retention(json!({"marginPerPeriod": 100, "retentionRate": "1.0"})),
        ErrorCode::NotConvergent,
        "retentionRate",
    );
}

#[test]
fn zero_new_customers_and_zero_cac() {
    fails(
        cac_of(json!({"spend": 500, "newCustomers": 0})),
        ErrorCode::ZeroNewCustomers,
        "newCustomers",
    );
    let none = json!({"channels": [{"channel": "a", "spend": 5, "newCustomers": 0}, {"channel": "b", "spend": 5, "newCustomers": "0"}]});
    fails(cac_of(none), ErrorCode::ZeroNewCustomers, "channels");
    fails(
        ratio(json!({"clv": 500, "cac": "0.00"})),
        ErrorCode::ZeroCac,
        "cac",
    );
}

#[test]
fn malformed_and_oversized_numbers() {
    for bad in [
        "1,2.3", "12,34", "abc", "NaN", "Infinity", "1.2.3", "", "$75", "75 USD",
    ] {
        fails(
            simple(pattern(json!({"averageOrderValue": bad}))),
            ErrorCode::InvalidNumber,
            "averageOrderValue",
        );
    }
    let e = simple(pattern(json!({"averageOrderValue": "1,2.3"}))).unwrap_err();
    assert!(e
        .message
        .starts_with("averageOrderValue is not a plain decimal number"));
    assert!(e.message.ends_with("(got \"1,2.3\")"));
    fails(
        simple(pattern(
            json!({"averageOrderValue": "99999999999999999999999999999999"}),
        )),
        ErrorCode::Overflow,
        "averageOrderValue",
    );
    let huge = "9".repeat(1 << 20);
    let started = std::time::Instant::now();
    let e = simple(pattern(json!({"averageOrderValue": huge}))).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::InvalidNumber, Some("averageOrderValue"))
    );
    assert!(
        e.message.len() < 400,
        "the message does not echo the whole string"
    );
    assert!(started.elapsed().as_millis() < 1000);
}

#[test]
fn result_overflow_is_an_error_not_a_panic() {
    let e = simple(json!({"averageOrderValue": "70000000000000000000000000000", "purchaseFrequency": 10, "lifespanYears": 1}))
        .unwrap_err();
    assert_eq!((e.code, e.field), (ErrorCode::Overflow, None));
    assert!(e.message.contains("clv"));
    let e = profit(profit_json(
        json!({"averageOrderValue": "7e28", "cac": 0, "grossMarginPercent": 100, "purchaseFrequency": 1, "lifespanYears": 1, "yearlyServiceCost": "7e28"}),
    ));
    assert!(e.is_ok());
    let e = whatif(profit_json(
        json!({"averageOrderValue": "7e28", "grossMarginPercent": 100, "purchaseFrequency": 1, "lifespanYears": 1, "changePercent": 20}),
    ));
    assert_eq!(failure(e).0, ErrorCode::Overflow);
    let e = ratio(json!({"clv": "7e28", "cac": "0.001"}));
    assert_eq!(failure(e).0, ErrorCode::Overflow);
}

#[test]
fn wrong_types() {
    for (bad, name) in [
        (json!(true), "boolean"),
        (json!([1, 2]), "array"),
        (json!({"a": {"b": 1}}), "object"),
    ] {
        let e = simple(pattern(json!({"averageOrderValue": bad}))).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::InvalidType, Some("averageOrderValue"))
        );
        assert!(
            e.message.ends_with(&format!("(got {name})")),
            "{}",
            e.message
        );
    }
    fails(
        simple(pattern(json!({"decimals": false}))),
        ErrorCode::InvalidType,
        "decimals",
    );
    fails(
        cac_of(json!({"channels": [{"channel": 7, "spend": 1, "newCustomers": 1}]})),
        ErrorCode::InvalidType,
        "channels[0].channel",
    );
}

#[test]
fn unknown_fields_are_rejected() {
    fails(
        simple(pattern(json!({"lifespan": 4}))),
        ErrorCode::UnknownField,
        "lifespan",
    );
    fails(
        cac_of(
            json!({"channels": [{"channel": "a", "spend": 1, "newCustomers": 1, "customers": 1}]}),
        ),
        ErrorCode::UnknownField,
        "channels[0].customers",
    );
    let input: WhatIfInput = serde_json::from_value(profit_json(json!({"change": 5}))).unwrap();
    fails(what_if(&input), ErrorCode::UnknownField, "change");
}

#[test]
fn missing_and_conflicting_fields() {
    fails(
        simple(pattern(json!({"averageOrderValue": null}))),
        ErrorCode::MissingField,
        "averageOrderValue",
    );
    fails(
        simple(json!({"averageOrderValue": 1, "lifespanYears": 1})),
        ErrorCode::MissingField,
        "purchaseFrequency",
    );
    fails(
        simple(json!({"averageOrderValue": 1, "purchaseFrequency": 1})),
        ErrorCode::MissingField,
        "lifespanYears",
    );
    fails(
        simple(pattern(json!({"purchaseIntervalMonths": 3}))),
        ErrorCode::ConflictingFields,
        "purchaseFrequency",
    );
    let e = simple(pattern(json!({"annualChurnRate": 0.2}))).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::ConflictingFields, Some("lifespanYears"))
    );
    assert!(e.message.contains("lifespanYears") && e.message.contains("annualChurnRate"));
    fails(
        profit(profit_json(json!({"costOfGoodsPerOrder": 5}))),
        ErrorCode::ConflictingFields,
        "grossMarginPercent",
    );
    fails(
        profit(profit_json(json!({"grossMarginPercent": null}))),
        ErrorCode::MissingField,
        "grossMarginPercent",
    );
    fails(
        retention(json!({"marginPerPeriod": 1})),
        ErrorCode::MissingField,
        "retentionRate",
    );
    fails(
        retention(json!({"retentionRate": 0.5})),
        ErrorCode::MissingField,
        "marginPerPeriod",
    );
    fails(
        retention(json!({"marginPerPeriod": 1, "retentionRate": 0.5, "churnRate": 0.5})),
        ErrorCode::ConflictingFields,
        "retentionRate",
    );
    fails(cac_of(json!({})), ErrorCode::MissingField, "spend");
    fails(
        cac_of(json!({"spend": 5})),
        ErrorCode::MissingField,
        "newCustomers",
    );
    let both = json!({"spend": 5, "channels": [{"channel": "a", "spend": 1, "newCustomers": 1}]});
    fails(cac_of(both), ErrorCode::ConflictingFields, "spend");
    fails(
        cac_of(json!({"channels": [{"channel": "a", "spend": 1}]})),
        ErrorCode::MissingField,
        "channels[0].newCustomers",
    );
    let dup = json!({"channels": [{"channel": "a", "spend": 1, "newCustomers": 1}, {"channel": "a ", "spend": 1, "newCustomers": 1}]});
    fails(
        cac_of(dup),
        ErrorCode::ConflictingFields,
        "channels[1].channel",
    );
    fails(ratio(json!({"cac": 5})), ErrorCode::MissingField, "clv");
}

#[test]
fn counts_must_be_whole() {
    fails(
        cac_of(json!({"spend": 10, "newCustomers": 2.5})),
        ErrorCode::NotInteger,
        "newCustomers",
    );
    fails(
        cac_of(json!({"spend": 10, "newCustomers": "2.5"})),
        ErrorCode::NotInteger,
        "newCustomers",
    );
    fails(
        retention(json!({"marginPerPeriod": 1, "retentionRate": 0.5, "horizonPeriods": 1.5})),
        ErrorCode::NotInteger,
        "horizonPeriods",
    );
    fails(
        simple(pattern(json!({"decimals": 2.5}))),
        ErrorCode::NotInteger,
        "decimals",
    );
    let r = cac_of(json!({"spend": 10, "newCustomers": "2.0"})).unwrap();
    assert_eq!(r.blended.new_customers, 2);
}
