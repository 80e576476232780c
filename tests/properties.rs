//! Property tests (proptest) of the invariants users rely on: rows are never lost, chunking never
//! matters, the exported per-customer table re-ingests to itself, CLV moves the right way with its
//! inputs, probabilities are probabilities, rule metrics stay in their ranges, predictions are finite.
//! Native only: proptest is not a wasm32 dependency.
#![cfg(not(target_arch = "wasm32"))]

use clvkit::calc::{retention_clv, simple_clv, RetentionClvInput, SimpleClvInput};
use clvkit::error::ErrorCode;
use clvkit::ingest::summary_file::{ingest_summary_bytes, SummaryIngestOptions};
use clvkit::ingest::transactions::{ingest_bytes, IngestOptions};
use clvkit::models::{predict, BetaGeoParams, ClvOptions, Customers, ParetoParams, PredictOptions, TransactionParams};
use clvkit::recommend::analyses::rules;
use clvkit::recommend::baskets::{ingest_baskets_bytes, BasketIngestOptions};
use clvkit::recommend::requests::RulesRequest;
use clvkit::summary::{customer_table, CustomerColumns, SummaryOptions, TimeUnit};
use clvkit::table::to_csv;
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::str::FromStr;

/// A cell of a transactions row: mostly valid, sometimes each kind of bad value.
fn date_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (2020u32..2025, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
        1 => Just("2024-02-30".to_string()),
        1 => "[0-9/.-]{0,12}",
    ]
}

fn amount_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (-500i64..100_000).prop_map(|c| format!("{}.{:02}", c / 100, (c % 100).abs())),
        1 => Just("NaN".to_string()),
        1 => "[0-9,.()$ -]{0,10}",
    ]
}

fn transactions() -> impl Strategy<Value = String> {
    let row = (0u8..30, 0u16..60, date_cell(), amount_cell(), prop_oneof![Just(String::new()), "[a-e]{1,2}"]);
    prop::collection::vec(row, 0..60).prop_map(|rows| {
        let mut text = String::from("customer_id,order_id,date,amount,product_id\n");
        for (c, o, d, a, p) in rows {
            let quoted = if a.contains(',') { format!("\"{a}\"") } else { a };
            text.push_str(&format!("c{c},{o},{d},{quoted},{p}\n"));
        }
        text
    })
}

/// The whole outcome of an ingest, as text: the report, then the per-customer table.
fn outcome(bytes: &[u8], chunk: usize) -> String {
    match ingest_bytes(bytes, &IngestOptions::default(), chunk) {
        Err(e) => format!("error {:?}: {}", e.code, e.message),
        Ok((data, report)) => {
            let table = customer_table(&data, &SummaryOptions::default(), CustomerColumns::ALL).map(|t| to_csv(&t));
            format!("{}\n{table:?}", serde_json::to_string(&report).unwrap())
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn rows_are_never_lost_and_chunking_never_matters(text in transactions(), chunk in 1usize..40) {
        if let Ok((_, report)) = ingest_bytes(text.as_bytes(), &IngestOptions::default(), usize::MAX) {
            let r = &report.rows;
            prop_assert_eq!(r.total_rows, r.accepted_rows + r.rejected_rows);
            prop_assert_eq!(r.total_rows, text.lines().count() as u64 - 1);
        }
        prop_assert_eq!(outcome(text.as_bytes(), usize::MAX), outcome(text.as_bytes(), chunk));
    }

    #[test]
    fn the_exported_summary_reingests_to_itself(text in transactions(), unit in prop_oneof![Just(TimeUnit::Days), Just(TimeUnit::Weeks), Just(TimeUnit::Months)]) {
        let Ok((data, _)) = ingest_bytes(text.as_bytes(), &IngestOptions::default(), usize::MAX) else { return Ok(()) };
        let Ok(table) = customer_table(&data, &SummaryOptions { unit, as_of: None }, CustomerColumns::ALL) else { return Ok(()) };
        let csv = to_csv(&table);
        let (back, report) = ingest_summary_bytes(csv.as_bytes(), &SummaryIngestOptions::default(), 7).unwrap();
        prop_assert_eq!(report.rows.rejected_rows, 0, "{:?}", report.rows.error_examples);
        prop_assert_eq!(&back.customer_id, &table.customer_id);
        prop_assert_eq!(&back.frequency, &table.frequency);
        prop_assert_eq!(&back.recency, &table.recency);
        prop_assert_eq!(&back.t, &table.t);
        prop_assert_eq!(&back.monetary_value, &table.monetary_value);
    }

    #[test]
    fn clv_grows_with_order_value_frequency_and_lifespan(aov in 1u32..10_000, freq in 1u32..50, years in 1u32..20, step in 1u32..100) {
        let clv = |a: u32, f: u32, y: u32| {
            let input: SimpleClvInput = serde_json::from_value(serde_json::json!({"averageOrderValue": a, "purchaseFrequency": f, "lifespanYears": y})).unwrap();
            Decimal::from_str(&simple_clv(&input).unwrap().clv).unwrap()
        };
        let base = clv(aov, freq, years);
        prop_assert!(clv(aov + step, freq, years) > base);
        prop_assert!(clv(aov, freq + step, years) > base);
        prop_assert!(clv(aov, freq, years + step) > base);
    }

    #[test]
    fn retention_clv_grows_with_retention(margin in 1u32..1000, r in 0u32..98, dr in 0u32..50, horizon in prop::option::of(1u32..120)) {
        let clv = |retention: u32| {
            let mut v = serde_json::json!({"marginPerPeriod": margin, "retentionRate": format!("0.{retention:02}"), "discountRate": format!("0.{dr:02}")});
            if let Some(h) = horizon { v["horizonPeriods"] = h.into(); }
            let input: RetentionClvInput = serde_json::from_value(v).unwrap();
            Decimal::from_str(&retention_clv(&input).unwrap().clv_first_payment_now).unwrap()
        };
        prop_assert!(clv(r + 1) >= clv(r), "retention 0.{:02} → 0.{:02}", r, r + 1);
    }

    #[test]
    fn predictions_are_finite_probabilities(
        params in (0.01f64..20.0, 0.01f64..200.0, 0.01f64..20.0, 0.01f64..200.0),
        pareto in any::<bool>(),
        customers in prop::collection::vec((0u32..300, 0.0f64..1.0, 0.0f64..2000.0), 1..40),
        horizon in 0.1f64..500.0,
    ) {
        let (x, (tx, t)): (Vec<f64>, (Vec<f64>, Vec<f64>)) = customers
            .iter()
            .map(|&(x, share, t)| {
                let x = f64::from(x);
                let t = if x > 0.0 { t.max(1e-3) } else { t };
                (x, (if x > 0.0 { (share * t).max(1e-6).min(t) } else { 0.0 }, t))
            })
            .unzip();
        let model = if pareto {
            TransactionParams::ParetoNbd(ParetoParams { r: params.0, alpha: params.1, s: params.2, beta: params.3 })
        } else {
            TransactionParams::BgNbd(BetaGeoParams { r: params.0, alpha: params.1, a: params.2, b: params.3 })
        };
        let c = Customers::new(&x, &tx, &t, TimeUnit::Weeks);
        let options = PredictOptions { horizon: Some(horizon), max_purchases: 3, clv: ClvOptions::default() };
        match predict(&model, None, &c, &options) {
            Ok(p) => {
                for (i, &pa) in p.p_alive.iter().enumerate() {
                    prop_assert!((0.0..=1.0).contains(&pa), "P(alive) {} for {:?}", pa, customers[i]);
                    prop_assert!(p.expected_purchases[i].is_finite() && p.expected_purchases[i] >= 0.0, "E[purchases] {}", p.expected_purchases[i]);
                    let total: f64 = p.prob_purchases.iter().map(|col| col[i]).sum();
                    prop_assert!(p.prob_purchases.iter().all(|col| (0.0..=1.0).contains(&col[i])) && total <= 1.0 + 1e-9);
                }
            }
            // BG/NBD is closed-form: it must answer. Pareto/NBD may refuse only where its series
            // does not converge, with that typed error; nonsense is never allowed.
            Err(e) => prop_assert!(pareto && matches!(e.code, ErrorCode::NotConvergent | ErrorCode::SeriesLimit), "{:?}: {}", e.code, e.message),
        }
    }

    #[test]
    fn rule_metrics_stay_in_their_ranges(baskets in prop::collection::vec(prop::collection::btree_set(0u8..8, 1..6), 1..80), support in 1u32..40) {
        let text: String = baskets.iter().map(|b| b.iter().map(|i| format!("i{i}")).collect::<Vec<_>>().join(",") + "\n").collect();
        let (baskets, _) = ingest_baskets_bytes(text.as_bytes(), &BasketIngestOptions::default(), usize::MAX).unwrap();
        let request: RulesRequest = serde_json::from_value(serde_json::json!({"minSupport": f64::from(support) / 100.0})).unwrap();
        let r = rules(&baskets, &request).unwrap().rules;
        let unit = 0.0..=1.0 + 1e-12;
        for i in 0..r.len() {
            for (name, v) in [("support", r.support[i]), ("confidence", r.confidence[i]), ("antecedent support", r.antecedent_support[i]), ("consequent support", r.consequent_support[i]), ("jaccard", r.jaccard[i]), ("kulczynski", r.kulczynski[i])] {
                prop_assert!(unit.contains(&v), "{} = {}", name, v);
            }
            prop_assert!(r.support[i] <= r.antecedent_support[i].min(r.consequent_support[i]) + 1e-12);
            prop_assert!(r.lift[i] >= 0.0 && r.lift[i].is_finite());
            prop_assert!((-0.25 - 1e-12..=0.25 + 1e-12).contains(&r.leverage[i]), "leverage {}", r.leverage[i]);
            prop_assert!(r.conviction[i] >= 0.0, "conviction {}", r.conviction[i]);
            prop_assert!((-1.0 - 1e-12..=1.0 + 1e-12).contains(&r.zhangs_metric[i]), "zhang {}", r.zhangs_metric[i]);
            // mlxtend's certainty, (confidence − sC) / (1 − sC), is at most 1 but below −1 when sC > ½.
            let s_c = r.consequent_support[i];
            let floor = if s_c < 1.0 { -s_c / (1.0 - s_c) } else { 0.0 };
            prop_assert!(r.certainty[i] <= 1.0 + 1e-12 && r.certainty[i] >= floor - 1e-9, "certainty {} (consequent support {})", r.certainty[i], s_c);
        }
    }
}
