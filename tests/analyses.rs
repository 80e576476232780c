//! The analyses of `summary` and `segments` on datasets built line by line: the BTYD table
//! against lifetimes' own output (tests/fixtures, made by make_btyd_fixture.py), and every
//! KPI, cohort, acquisition, RFM and lifecycle rule against hand-computed values.

use clvkit::dataset::{Dataset, DatasetBuilder, Day, LineInput};
use clvkit::error::ErrorCode;
use clvkit::segments::*;
use clvkit::summary::*;
use clvkit::table::{to_csv, Columnar};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::str::FromStr;

/// Days since 1970-01-01 of "YYYY-MM-DD" (Howard Hinnant's days_from_civil).
fn day(iso: &str) -> Day {
    let mut parts = iso.split('-').map(|p| p.parse::<i64>().unwrap());
    let (y, m, d) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) as Day
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// One order line: customer, date, amount, and optionally order id, channel, cancelled.
#[derive(Clone, Copy, Default)]
struct Row<'a> {
    customer: &'a str,
    date: &'a str,
    amount: &'a str,
    order: Option<&'a str>,
    channel: Option<&'a str>,
    cancelled: bool,
}

fn row<'a>(customer: &'a str, date: &'a str, amount: &'a str) -> Row<'a> {
    Row {
        customer,
        date,
        amount,
        ..Row::default()
    }
}

fn build(rows: &[Row<'_>]) -> Dataset {
    let mut b = DatasetBuilder::new();
    for r in rows {
        b.add_line(&LineInput {
            customer: r.customer,
            order_id: r.order,
            day: day(r.date),
            amount: dec(r.amount),
            channel: r.channel,
            cancelled: r.cancelled,
            ..LineInput::default()
        })
        .unwrap();
    }
    b.finish().unwrap()
}

fn options(unit: TimeUnit, as_of: Option<&str>) -> SummaryOptions {
    SummaryOptions {
        unit,
        as_of: as_of.map(day),
    }
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * b.abs().max(1.0)
}

fn assert_close(a: f64, b: f64) {
    assert!(close(a, b, 1e-9), "{a} != {b}");
}

// ---------------------------------------------------------------------------------------------
// The BTYD table against lifetimes 0.11.3

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

/// The fixture transactions; returns are the orders whose id starts with "C".
fn fixture_dataset() -> Dataset {
    let text = fixture("btyd_transactions.csv");
    let mut b = DatasetBuilder::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        b.add_line(&LineInput {
            order_id: Some(f[0]),
            customer: f[1],
            day: day(f[2]),
            amount: dec(f[3]),
            cancelled: f[0].starts_with('C'),
            ..LineInput::default()
        })
        .unwrap();
    }
    b.finish().unwrap()
}

/// customer id → (frequency, recency, T, monetary_value) of a lifetimes summary CSV.
fn lifetimes_summary(name: &str) -> HashMap<String, [f64; 4]> {
    fixture(name)
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let n = |i: usize| f[i].parse::<f64>().unwrap();
            (f[0].to_owned(), [n(1), n(2), n(3), n(4)])
        })
        .collect()
}

fn assert_matches_lifetimes(unit: TimeUnit, file: &str) {
    let table = customer_table(&fixture_dataset(), &options(unit, Some("2023-12-31")), CustomerColumns::ALL).unwrap();
    let expected = lifetimes_summary(file);
    assert_eq!(table.customer_id.len(), expected.len());
    assert!(expected.len() > 250);
    let mut repeaters = 0;
    for (i, id) in table.customer_id.iter().enumerate() {
        let e = expected
            .get(id)
            .unwrap_or_else(|| panic!("{id} not in lifetimes' summary"));
        let got = [
            table.frequency[i],
            table.recency[i],
            table.t[i],
            table.monetary_value[i],
        ];
        for (g, w) in got.iter().zip(e) {
            assert!(close(*g, *w, 1e-9), "{id}: {got:?} != lifetimes {e:?}");
        }
        repeaters += usize::from(got[0] > 0.0);
    }
    assert!(repeaters > 100);
}

#[test]
fn btyd_days_match_lifetimes() {
    assert_matches_lifetimes(TimeUnit::Days, "btyd_summary_days.csv");
}

#[test]
fn btyd_weeks_match_lifetimes() {
    assert_matches_lifetimes(TimeUnit::Weeks, "btyd_summary_weeks.csv");
}

#[test]
fn fixture_revenue_is_the_net_sum_up_to_as_of() {
    let data = fixture_dataset();
    let table = customer_table(&data, &options(TimeUnit::Days, Some("2023-12-31")), CustomerColumns::ALL).unwrap();
    let mut expected: HashMap<&str, Decimal> = HashMap::new();
    let text = fixture("btyd_transactions.csv");
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[2] <= "2023-12-31" {
            *expected.entry(f[1]).or_default() += dec(f[3]);
        }
    }
    for (i, id) in table.customer_id.iter().enumerate() {
        assert_eq!(
            table.revenue[i],
            format!("{:.2}", expected[id]),
            "{id}"
        );
    }
    // The default asOf is the last order day: later orders now count.
    let all = customer_table(&data, &SummaryOptions::default(), CustomerColumns::ALL).unwrap();
    assert_eq!(all.as_of, "2024-01-31");
    assert!(all.customer_id.len() >= table.customer_id.len());
}

#[test]
fn a_table_of_some_columns_has_exactly_those_of_the_full_table() {
    let data = fixture_dataset();
    for unit in [TimeUnit::Days, TimeUnit::Weeks, TimeUnit::Months] {
        let opts = options(unit, Some("2023-12-31"));
        let full = customer_table(&data, &opts, CustomerColumns::ALL).unwrap();
        let selections: [&[&str]; 6] = [
            &["frequency", "recency", "T", "monetaryValue"],
            &["monetary_value"],
            &["averageOrderValue"],
            &["items", "firstPurchase", "orders"],
            &["revenue", "lastPurchase", "revenue"],
            &[],
        ];
        for names in selections {
            let columns = CustomerColumns::named(names.iter().copied(), "columns").unwrap();
            let table = customer_table(&data, &opts, columns).unwrap();
            assert_eq!(table.customer, full.customer);
            // The full table's CSV with the other columns cut out (the fixture's cells hold no commas).
            let full_csv = to_csv(&full);
            let header: Vec<&str> = full_csv.lines().next().unwrap().split(',').collect();
            let keep: Vec<bool> = full.columns().iter().map(|(csv, js, _)| *csv == "customer_id" || names.iter().any(|n| n == csv || n == js)).collect();
            assert_eq!(header.len(), keep.len());
            let want: String = full_csv
                .lines()
                .map(|line| line.split(',').zip(&keep).filter(|(_, k)| **k).map(|(cell, _)| cell).collect::<Vec<_>>().join(",") + "\n")
                .collect();
            assert_eq!(to_csv(&table), want, "{names:?}");
        }
    }
    let e = CustomerColumns::named(["frequency", "spend"], "columns").unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::OutOfRange, Some("columns")));
    assert!(e.message.contains("\"spend\" is not a customer table column"), "{}", e.message);
    assert_eq!(CustomerColumns::named(CustomerColumn::ALL.map(|c| c.names().0), "c").unwrap(), CustomerColumns::ALL);
    assert_eq!(CustomerColumns::named(["frequency", "recency", "T", "monetary_value"], "c").unwrap(), CustomerColumns::BTYD);
    assert_eq!(CustomerColumns::named(["customerId", "customer_id"], "c").unwrap(), CustomerColumns::named([], "c").unwrap());
}

// ---------------------------------------------------------------------------------------------
// The customer table by hand

/// Customer "a": two orders on Jan 1 (10 + 5), 20 on Wed Jan 10, a return of 4 alone on Fri
/// Jan 12, and on Mon Feb 5 a purchase of 30 with a return of 10. "z" only returned something.
fn returns_dataset() -> Dataset {
    let mut rows = vec![
        Row {
            order: Some("1"),
            ..row("a", "2024-01-01", "10")
        },
        Row {
            order: Some("2"),
            ..row("a", "2024-01-01", "5")
        },
        Row {
            order: Some("3"),
            ..row("a", "2024-01-10", "20")
        },
        Row {
            order: Some("C4"),
            cancelled: true,
            ..row("a", "2024-01-12", "-4")
        },
        Row {
            order: Some("5"),
            ..row("a", "2024-02-05", "30")
        },
        Row {
            order: Some("C6"),
            cancelled: true,
            ..row("a", "2024-02-05", "-10")
        },
        Row {
            order: Some("C7"),
            cancelled: true,
            ..row("z", "2024-01-03", "-8")
        },
    ];
    rows.push(Row {
        order: Some("8"),
        ..row("b", "2024-02-20", "7.125")
    });
    build(&rows)
}

#[test]
fn the_items_column_sums_each_customers_lines_up_to_as_of() {
    // Orders of two lines and more, customers interleaved (and a line of an order coming back
    // after other orders: lines scattered), returns with negative quantities, an order after asOf.
    let mut b = DatasetBuilder::new();
    for (customer, order, date, quantity) in [
        ("a", "1", "2024-01-01", "2"),
        ("b", "2", "2024-01-02", "1.5"),
        ("a", "1", "2024-01-01", "3"),
        ("b", "3", "2024-01-05", "4"),
        ("a", "4", "2024-01-07", "-1"),
        ("b", "2", "2024-01-02", "0.25"),
        ("a", "5", "2024-03-01", "100"),
        ("b", "6", "2024-03-02", "7"),
    ] {
        b.add_line(&LineInput {
            customer,
            order_id: Some(order),
            day: day(date),
            amount: dec("1"),
            quantity: Some(dec(quantity)),
            ..LineInput::default()
        })
        .unwrap();
    }
    let d = b.finish().unwrap();
    let items = |as_of| customer_table(&d, &options(TimeUnit::Days, as_of), CustomerColumns::ALL).unwrap().items;
    assert_eq!(items(Some("2024-02-01")), vec![4.0, 5.75]);
    assert_eq!(items(None), vec![104.0, 12.75]);
    // The same as each order's own items summed.
    let by_orders: Vec<f64> = (0..2).map(|c| d.orders_of(c).iter().map(|o| d.items(o).unwrap()).sum::<Decimal>().try_into().unwrap()).collect();
    assert_eq!(items(None), by_orders);
}

#[test]
fn customer_table_applies_the_returns_policy() {
    let data = returns_dataset();
    let t = customer_table(&data, &options(TimeUnit::Days, Some("2024-02-29")), CustomerColumns::ALL).unwrap();
    assert_eq!(
        t.customer_id,
        vec!["a", "b"],
        "a return-only customer is left out"
    );
    assert_eq!(t.first_purchase, vec!["2024-01-01", "2024-02-20"]);
    assert_eq!(t.last_purchase, vec!["2024-02-05", "2024-02-20"]);
    assert_eq!(t.orders, vec![4, 1]);
    assert_eq!(t.items, vec![6.0, 1.0]);
    assert_eq!(t.revenue, vec!["51.00", "7.13"]);
    assert_eq!(t.average_order_value, vec!["12.75", "7.13"]);
    // Purchase days Jan 1 (15), Jan 10 (20), Feb 5 (30 − 10); the Jan 12 return is no purchase.
    assert_eq!(t.frequency, vec![2.0, 0.0]);
    assert_eq!(t.recency, vec![35.0, 0.0]);
    assert_eq!(t.t, vec![59.0, 9.0]);
    assert_eq!(t.monetary_value, vec![20.0, 0.0]);
}

#[test]
fn customer_table_in_weeks_and_months() {
    let data = returns_dataset();
    // Weeks of Jan 1, Jan 8 (20 − 4: the return falls in a purchase week), Feb 5; asOf in Feb 26's.
    let w = customer_table(&data, &options(TimeUnit::Weeks, Some("2024-02-29")), CustomerColumns::ALL).unwrap();
    assert_eq!(w.unit, TimeUnit::Weeks);
    assert_eq!((w.frequency[0], w.recency[0], w.t[0]), (2.0, 5.0, 8.0));
    assert_eq!(w.monetary_value[0], 18.0);
    assert_eq!((w.frequency[1], w.recency[1], w.t[1]), (0.0, 0.0, 1.0));
    // Months: January nets 15 + 20 − 4, February 20; whole calendar months.
    let m = customer_table(&data, &options(TimeUnit::Months, Some("2024-02-29")), CustomerColumns::ALL).unwrap();
    assert_eq!((m.frequency[0], m.recency[0], m.t[0]), (1.0, 1.0, 1.0));
    assert_eq!(m.monetary_value[0], 20.0);
    let later = customer_table(&data, &options(TimeUnit::Months, Some("2025-01-01")), CustomerColumns::ALL).unwrap();
    assert_eq!(later.t[0], 12.0);
}

#[test]
fn as_of_excludes_later_orders() {
    let data = returns_dataset();
    let t = customer_table(&data, &options(TimeUnit::Days, Some("2024-01-11")), CustomerColumns::ALL).unwrap();
    assert_eq!(t.customer_id, vec!["a"]);
    assert_eq!(t.orders, vec![3]);
    assert_eq!(t.revenue, vec!["35.00"]);
    assert_eq!((t.frequency[0], t.recency[0], t.t[0]), (1.0, 9.0, 10.0));
    // On Jan 12 the return counts in revenue, not in the BTYD figures.
    let t = customer_table(&data, &options(TimeUnit::Days, Some("2024-01-12")), CustomerColumns::ALL).unwrap();
    assert_eq!(t.revenue, vec!["31.00"]);
    assert_eq!(t.monetary_value, vec![20.0]);
    // The default asOf is the last order day.
    assert_eq!(
        customer_table(&data, &SummaryOptions::default(), CustomerColumns::ALL)
            .unwrap()
            .as_of,
        "2024-02-20"
    );
}

#[test]
fn no_orders_on_or_before_as_of_is_a_clear_error() {
    let empty = DatasetBuilder::new().finish().unwrap();
    let e = customer_table(&empty, &SummaryOptions::default(), CustomerColumns::ALL).unwrap_err();
    assert_eq!(e.code, ErrorCode::EmptyFile);
    assert!(
        e.message.starts_with("no orders on or before asOf"),
        "{}",
        e.message
    );
    let data = returns_dataset();
    let early = options(TimeUnit::Days, Some("2023-12-31"));
    for e in [
        customer_table(&data, &early, CustomerColumns::ALL).unwrap_err(),
        kpis(&data, &early).unwrap_err(),
        cohorts(&data, &early).unwrap_err(),
        rfm(&data, &RfmOptions { as_of: early.as_of }).unwrap_err(),
        lifecycle(
            &data,
            &LifecycleOptions {
                as_of: early.as_of,
                ..Default::default()
            },
        )
        .unwrap_err(),
        acquisition(
            &data,
            &AcquisitionOptions {
                as_of: early.as_of,
                ..Default::default()
            },
        )
        .unwrap_err(),
    ] {
        assert_eq!(e.code, ErrorCode::EmptyFile);
        assert_eq!(e.message, "no orders on or before asOf (2023-12-31)");
        assert_eq!(e.field.as_deref(), Some("asOf"));
    }
    // Only returns on or before asOf: nobody to analyse either.
    let returns_only = options(TimeUnit::Days, Some("2024-01-03"));
    let only = build(&[Row {
        cancelled: true,
        ..row("z", "2024-01-03", "-8")
    }]);
    assert_eq!(
        customer_table(&only, &returns_only, CustomerColumns::ALL).unwrap_err().code,
        ErrorCode::EmptyFile
    );
}

#[test]
fn table_serializes_columnar_camel_case() {
    let t = customer_table(
        &returns_dataset(),
        &options(TimeUnit::Weeks, Some("2024-02-29")), CustomerColumns::ALL,
    )
    .unwrap();
    let v = serde_json::to_value(&t).unwrap();
    assert_eq!(v["unit"], "weeks");
    assert_eq!(v["asOf"], "2024-02-29");
    assert_eq!(v["customerId"], serde_json::json!(["a", "b"]));
    assert_eq!(v["averageOrderValue"][0], "12.75");
    assert_eq!(v["T"][0], 8.0);
    assert_eq!(v["monetaryValue"][0], 18.0);
    assert!(v.get("customer").is_none());
    assert_eq!(serde_json::to_value(TimeUnit::Months).unwrap(), "months");
    assert_eq!(
        serde_json::from_str::<TimeUnit>("\"days\"").unwrap(),
        TimeUnit::Days
    );
}

// ---------------------------------------------------------------------------------------------
// KPIs and cohorts

/// a: Jan 5 (100), Feb 10 (50), Mar 15 (30); b: Jan 20 (200), Mar 1 (100); c: Feb 1 (60);
/// d: Mar 10 (40) and a return of 10 on Mar 20.
fn store() -> Dataset {
    build(&[
        row("a", "2024-01-05", "100"),
        row("b", "2024-01-20", "200"),
        row("c", "2024-02-01", "60"),
        row("a", "2024-02-10", "50"),
        row("b", "2024-03-01", "100"),
        row("d", "2024-03-10", "40"),
        row("a", "2024-03-15", "30"),
        Row {
            cancelled: true,
            ..row("d", "2024-03-20", "-10")
        },
    ])
}

#[test]
fn kpis_by_hand() {
    let k = kpis(&store(), &options(TimeUnit::Days, Some("2024-03-31"))).unwrap();
    assert_eq!(k.as_of, "2024-03-31");
    assert_eq!(k.first_purchase, "2024-01-05");
    assert_eq!(k.observed_days, 87);
    assert_eq!(k.revenue, "570.00");
    assert_eq!((k.customers, k.orders), (4, 7));
    assert_eq!(k.average_order_value, "81.43");
    assert_close(k.purchase_frequency, 1.75);
    assert_close(k.purchase_frequency_per_year, 1.75 * 365.2425 / 87.0);
    assert_close(k.repeat_purchase_rate, 0.5);
    assert_eq!(k.revenue_per_customer, "142.50");
    assert_eq!(k.historical_clv, "142.50");
    // Jan: a and b active, a back in Feb; Feb: a and c, a back in Mar. March has no next month.
    assert_eq!(k.retention.month, vec!["2024-01", "2024-02"]);
    assert_eq!(k.retention.active, vec![2, 2]);
    assert_eq!(k.retention.retained, vec![1, 1]);
    assert_eq!(k.retention.retention_rate, vec![0.5, 0.5]);
    assert_eq!(k.retention.churn_rate, vec![0.5, 0.5]);
    assert_eq!(k.mean_retention_rate, Some(0.5));
    assert_eq!(k.mean_churn_rate, Some(0.5));
    assert_eq!(k.lifespan_months, Some(2.0));
    assert_close(k.lifespan_years.unwrap(), 1.0 / 6.0);
    // 570/7 × (7/4 × 365.2425/87) × 1/6 = 99.7070…
    assert_eq!(k.simple_clv.as_deref(), Some("99.71"));
    assert!(k.warnings.is_empty());
}

#[test]
fn retention_counts_only_complete_next_months() {
    // Mid-March: March is partial, so only the Jan → Feb pair counts.
    let k = kpis(&store(), &options(TimeUnit::Days, Some("2024-03-20"))).unwrap();
    assert_eq!(k.retention.month, vec!["2024-01"]);
    assert_eq!(k.mean_churn_rate, Some(0.5));
    // Mid-February: no complete pair, no lifespan, no simple CLV, and a warning says why.
    let k = kpis(&store(), &options(TimeUnit::Days, Some("2024-02-15"))).unwrap();
    assert!(k.retention.month.is_empty());
    assert_eq!(
        (
            k.mean_retention_rate,
            k.lifespan_months,
            k.simple_clv.clone()
        ),
        (None, None, None)
    );
    assert_eq!(k.warnings[0].code, "NO_LIFESPAN");
}

#[test]
fn zero_churn_leaves_lifespan_null() {
    let data = build(&[row("a", "2024-01-05", "10"), row("a", "2024-02-05", "10")]);
    let k = kpis(&data, &options(TimeUnit::Days, Some("2024-02-29"))).unwrap();
    assert_eq!(k.mean_churn_rate, Some(0.0));
    assert_eq!((k.lifespan_months, k.lifespan_years), (None, None));
    assert_eq!(k.simple_clv, None);
    assert_eq!(k.warnings[0].code, "NO_LIFESPAN");
}

#[test]
fn kpis_net_returns_and_skip_negative_order_values() {
    // One purchase of 10 in January, then returns of 30: AOV −20, no simple CLV.
    let data = build(&[
        row("a", "2024-01-05", "10"),
        Row {
            cancelled: true,
            ..row("a", "2024-01-06", "-30")
        },
        row("b", "2024-01-07", "5"),
        Row {
            cancelled: true,
            ..row("b", "2024-01-08", "-5")
        },
    ]);
    let k = kpis(&data, &options(TimeUnit::Days, Some("2024-02-29"))).unwrap();
    assert_eq!(k.revenue, "-20.00");
    assert_eq!(k.orders, 2);
    assert_eq!(k.average_order_value, "-10.00");
    assert_eq!(k.mean_churn_rate, Some(1.0));
    assert_eq!(k.simple_clv, None);
    assert_eq!(k.warnings[0].code, "NEGATIVE_ORDER_VALUE");
}

#[test]
fn cohorts_by_hand() {
    let c = cohorts(&store(), &options(TimeUnit::Days, Some("2024-03-31"))).unwrap();
    assert!(c.last_month_complete);
    assert_eq!(c.cohort, vec!["2024-01", "2024-02", "2024-03"]);
    assert_eq!(c.size, vec![2, 1, 1]);
    assert_eq!(c.active, vec![vec![2, 1, 2], vec![1, 0], vec![1]]);
    assert_eq!(
        c.revenue,
        vec![
            vec!["300.00", "50.00", "130.00"],
            vec!["60.00", "0.00"],
            vec!["30.00"]
        ]
    );
    assert_eq!(
        c.retention,
        vec![vec![1.0, 0.5, 1.0], vec![1.0, 0.0], vec![1.0]]
    );
    let mid = cohorts(&store(), &options(TimeUnit::Days, Some("2024-03-12"))).unwrap();
    assert!(!mid.last_month_complete);
    assert_eq!(mid.active, vec![vec![2, 1, 1], vec![1, 0], vec![1]]);
    assert_eq!(mid.revenue[2], vec!["40.00"]);
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v["lastMonthComplete"], true);
    assert_eq!(v["retention"][0][1], 0.5);
    // Still subscribed at age k: last purchase k or more months on (a: March, b: March, c: February).
    assert_eq!(c.surviving, vec![vec![2, 2, 2], vec![1, 0], vec![1]]);
    assert_eq!(subscription_cohorts(&c), vec![vec![2, 2, 2], vec![1, 0]]);
    // Mid-March: a bought on the 15th, after asOf, so a's last purchase is February; the partial
    // March column is dropped, and with it every cohort left with one column.
    assert_eq!(mid.surviving, vec![vec![2, 2, 1], vec![1, 0], vec![1]]);
    assert_eq!(subscription_cohorts(&mid), vec![vec![2, 2]]);
}

/// Fader & Hardie's "regular" cohort (How to project customer retention, 2007): 1,000 subscribers,
/// 631, 468, 382, 326, 289, 262 and 241 still paying 1–7 years on; here one payment a month.
#[test]
fn subscription_cohorts_fit_the_published_sbg() {
    use clvkit::models::subscriptions::{cohort_sbg, CohortSbgRequest};
    let alive = [1000u32, 631, 468, 382, 326, 289, 262, 241];
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut id = 0;
    for (age, pair) in alive.windows(2).map(|w| w[0] - w[1]).chain([alive[7]]).enumerate() {
        for _ in 0..pair {
            id += 1;
            for month in 0..=age {
                rows.push((format!("s{id}"), format!("2024-{:02}-15", month + 1)));
            }
        }
    }
    let data = build(&rows.iter().map(|(c, d)| row(c, d, "9.99")).collect::<Vec<_>>());
    let request: CohortSbgRequest = serde_json::from_value(serde_json::json!({"asOf": "2024-08-31", "periods": 12})).unwrap();
    let r = cohort_sbg(&data, &request).unwrap();
    assert_eq!(r.cohorts, vec![alive.iter().map(|&n| u64::from(n)).collect::<Vec<_>>()]);
    let v = serde_json::to_value(&r).unwrap();
    assert!((v["fit"]["params"]["alpha"].as_f64().unwrap() - 0.704).abs() < 5e-4, "{v}");
    assert!((v["fit"]["params"]["beta"].as_f64().unwrap() - 1.182).abs() < 5e-4, "{v}");
    assert_eq!(v["survival"].as_array().unwrap().len(), 13);
    // Mid-month asOf: the partial month is left out, so the last column goes.
    let request: CohortSbgRequest = serde_json::from_value(serde_json::json!({"asOf": "2024-08-20"})).unwrap();
    assert_eq!(cohort_sbg(&data, &request).unwrap().cohorts[0].len(), 7);
    // Counts of your own belong to fitSbg; too short a span is a clear error.
    let request: CohortSbgRequest = serde_json::from_value(serde_json::json!({"cohorts": [[10, 5]]})).unwrap();
    assert_eq!(cohort_sbg(&data, &request).unwrap_err().code, ErrorCode::UnknownField);
    let request: CohortSbgRequest = serde_json::from_value(serde_json::json!({"asOf": "2024-01-31"})).unwrap();
    assert_eq!(cohort_sbg(&data, &request).unwrap_err().code, ErrorCode::InsufficientData);
}

#[test]
fn cohort_ages_skip_returns_before_the_first_purchase() {
    let data = build(&[
        Row {
            cancelled: true,
            ..row("a", "2023-12-20", "-5")
        },
        row("a", "2024-01-05", "10"),
        Row {
            cancelled: true,
            ..row("a", "2024-02-06", "-3")
        },
    ]);
    let c = cohorts(&data, &options(TimeUnit::Days, Some("2024-02-29"))).unwrap();
    assert_eq!(c.cohort, vec!["2024-01"]);
    assert_eq!(c.active, vec![vec![1, 0]]);
    assert_eq!(c.revenue, vec![vec!["10.00", "-3.00"]]);
}

// ---------------------------------------------------------------------------------------------
// Acquisition

fn channel_rows() -> Dataset {
    build(&[
        Row {
            channel: Some("email"),
            ..row("a", "2024-01-10", "100")
        },
        Row {
            channel: Some("search"),
            ..row("c", "2024-01-15", "200")
        },
        row("d", "2024-01-20", "30"),
        Row {
            channel: Some("email"),
            ..row("b", "2024-02-05", "60")
        },
        Row {
            channel: Some("search"),
            ..row("a", "2024-02-10", "50")
        },
        Row {
            channel: Some("social"),
            ..row("e", "2024-03-10", "70")
        },
    ])
}

fn spend(channel: &str, month: Option<&str>, amount: &str) -> ChannelSpend {
    ChannelSpend {
        channel: channel.to_owned(),
        month: month.map(str::to_owned),
        spend: dec(amount),
    }
}

fn acquisition_options(margin: Option<&str>) -> AcquisitionOptions {
    AcquisitionOptions {
        as_of: Some(day("2024-02-29")),
        spend: vec![
            spend("email", None, "90"),
            spend("search", Some("2024-01"), "100"),
            spend("search", Some("2024-02"), "50"),
            spend("tv", None, "500"),
        ],
        gross_margin_percent: margin.map(dec),
    }
}

#[test]
fn acquisition_by_hand() {
    let r = acquisition(&channel_rows(), &acquisition_options(None)).unwrap();
    let names: Vec<&str> = r.channels.iter().map(|c| c.channel.as_str()).collect();
    assert_eq!(
        names,
        vec!["email", "search", "tv"],
        "social's customer comes after asOf"
    );
    let email = &r.channels[0];
    assert_eq!(email.new_customers, 2);
    assert_close(email.customer_share, 0.5);
    assert_eq!(email.spend.as_deref(), Some("90.00"));
    assert_close(email.spend_share.unwrap(), 90.0 / 740.0);
    assert_eq!(email.cac.as_deref(), Some("45.00"));
    assert_eq!(
        email.revenue, "210.00",
        "a's later order on another channel stays with email"
    );
    assert_eq!(email.historical_clv.as_deref(), Some("105.00"));
    // a observed Jan 10 – Feb 29 (51 days), b Feb 5 – Feb 29 (25 days).
    let months = 76.0 / 30.436875;
    assert_close(email.customer_months, months);
    assert_eq!(
        email.monthly_revenue_per_customer,
        Some(format!("{:.2}", 210.0 / months))
    );
    assert_close(email.clv_cac_ratio.unwrap(), 105.0 / 45.0);
    assert_eq!(email.band, Some(clvkit::calc::RatioBand::Weak));
    assert_close(email.payback_months.unwrap(), 45.0 / (210.0 / months));
    assert_eq!(email.payback_within_twelve_months, Some(true));

    let search = &r.channels[1];
    assert_eq!(
        (search.new_customers, search.cac.as_deref()),
        (1, Some("150.00"))
    );
    assert_eq!(search.historical_clv.as_deref(), Some("200.00"));
    assert_close(search.clv_cac_ratio.unwrap(), 200.0 / 150.0);
    assert_close(
        search.payback_months.unwrap(),
        150.0 / (200.0 / (46.0 / 30.436875)),
    );

    let tv = &r.channels[2];
    assert_eq!(
        (tv.new_customers, tv.cac.clone(), tv.historical_clv.clone()),
        (0, None, None)
    );
    assert_eq!(tv.clv_cac_ratio, None);
    assert_eq!(r.channels_without_customers, vec!["tv"]);
    assert!(r.channels_without_spend.is_empty());
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].code, "CHANNEL_NO_CUSTOMERS");
    assert_eq!(r.warnings[0].field.as_deref(), Some("spend[3].channel"));

    let blended = r.blended.as_ref().unwrap();
    assert_eq!(
        (
            blended.spend.as_str(),
            blended.new_customers,
            blended.cac.as_str()
        ),
        ("740.00", 3, "246.67")
    );
    assert_eq!(r.unattributed.new_customers, 1);
    assert_eq!(r.unattributed.revenue, "30.00");
    assert_eq!(r.unattributed.historical_clv.as_deref(), Some("30.00"));

    let c = &r.cohorts;
    assert_eq!(c.channel, vec!["email", "email", "search", "search"]);
    assert_eq!(c.month, vec!["2024-01", "2024-02", "2024-01", "2024-02"]);
    assert_eq!(c.new_customers, vec![1, 1, 1, 0]);
    assert_eq!(
        c.spend,
        vec![None, None, Some("100.00".into()), Some("50.00".into())]
    );
    assert_eq!(c.cac, vec![None, None, Some("100.00".into()), None]);
    assert_eq!(c.revenue, vec!["150.00", "60.00", "200.00", "0.00"]);
    assert_eq!(c.historical_clv[3], None);
}

#[test]
fn acquisition_margin_and_missing_spend() {
    let r = acquisition(&channel_rows(), &acquisition_options(Some("50"))).unwrap();
    let plain = acquisition(&channel_rows(), &acquisition_options(None)).unwrap();
    assert_close(
        r.channels[0].payback_months.unwrap(),
        2.0 * plain.channels[0].payback_months.unwrap(),
    );
    assert_eq!(r.channels[0].clv_cac_ratio, plain.channels[0].clv_cac_ratio);
    // A zero margin: the ratio stands, the payback never comes.
    let zero = acquisition(&channel_rows(), &acquisition_options(Some("0"))).unwrap();
    assert_eq!(zero.channels[0].payback_months, None);
    assert!(zero.channels[0].clv_cac_ratio.is_some());
    // No spend at all: customers per channel, no CAC, every channel listed as without spend.
    let opts = AcquisitionOptions {
        as_of: None,
        ..Default::default()
    };
    let r = acquisition(&channel_rows(), &opts).unwrap();
    assert_eq!(r.channels_without_spend, vec!["email", "search", "social"]);
    assert!(r.blended.is_none());
    assert!(r
        .channels
        .iter()
        .all(|c| c.cac.is_none() && c.clv_cac_ratio.is_none()));
    assert_eq!(r.channels[2].new_customers, 1);
    // Zero spend: CAC 0, so no ratio.
    let free = AcquisitionOptions {
        spend: vec![spend("email", None, "0")],
        ..opts
    };
    let r = acquisition(&channel_rows(), &free).unwrap();
    assert_eq!(r.channels[0].cac.as_deref(), Some("0.00"));
    assert_eq!(r.channels[0].clv_cac_ratio, None);
}

#[test]
fn acquisition_rejects_bad_spend() {
    let data = channel_rows();
    let cases = [
        (
            vec![spend("email", None, "1"), spend("email", None, "2")],
            ErrorCode::ConflictingFields,
            "spend[1].channel",
        ),
        (
            vec![
                spend("email", None, "1"),
                spend("email", Some("2024-01"), "2"),
            ],
            ErrorCode::ConflictingFields,
            "spend[1].channel",
        ),
        (
            vec![
                spend("email", Some("2024-01"), "1"),
                spend("email", Some("2024-01"), "2"),
            ],
            ErrorCode::ConflictingFields,
            "spend[1].month",
        ),
        (
            vec![spend("email", Some("2024-1"), "1")],
            ErrorCode::InvalidDate,
            "spend[0].month",
        ),
        (
            vec![spend("email", None, "-1")],
            ErrorCode::Negative,
            "spend[0].spend",
        ),
        (
            vec![spend("  ", None, "1")],
            ErrorCode::OutOfRange,
            "spend[0].channel",
        ),
    ];
    for (list, code, field) in cases {
        let e = acquisition(
            &data,
            &AcquisitionOptions {
                spend: list,
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (code, Some(field)),
            "{}",
            e.message
        );
    }
    let margin = AcquisitionOptions {
        gross_margin_percent: Some(dec("101")),
        ..Default::default()
    };
    assert_eq!(
        acquisition(&data, &margin).unwrap_err().code,
        ErrorCode::OutOfRange
    );
}

// ---------------------------------------------------------------------------------------------
// RFM

#[test]
fn quintile_scores_share_ties_and_ignore_order() {
    assert_eq!(quintile_scores(&[10, 20, 20, 30, 40]), vec![1, 2, 2, 4, 5]);
    assert_eq!(quintile_scores(&[40, 20, 30, 10, 20]), vec![5, 2, 4, 1, 2]);
    assert_eq!(quintile_scores(&[7, 7, 7]), vec![1, 1, 1]);
    assert_eq!(quintile_scores(&[1]), vec![1]);
    assert!(quintile_scores::<u32>(&[]).is_empty());
    let ten: Vec<u32> = (1..=10).collect();
    assert_eq!(quintile_scores(&ten), vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    // 1 + ⌊5 (r − 1) / n⌋ with n = 7: ranks 1..7 → 1 1 2 3 3 4 5.
    assert_eq!(
        quintile_scores(&[1, 2, 3, 4, 5, 6, 7]),
        vec![1, 1, 2, 3, 3, 4, 5]
    );
}

#[test]
fn segment_map_is_complete() {
    use Segment::*;
    let cases = [
        ((5, 5), Champions),
        ((5, 4), Champions),
        ((4, 5), Loyal),
        ((3, 4), Loyal),
        ((5, 2), PotentialLoyalist),
        ((4, 3), PotentialLoyalist),
        ((5, 1), New),
        ((4, 1), Promising),
        ((3, 3), NeedAttention),
        ((3, 1), AboutToSleep),
        ((3, 2), AboutToSleep),
        ((2, 3), AtRisk),
        ((1, 4), AtRisk),
        ((1, 5), CannotLose),
        ((2, 5), CannotLose),
        ((2, 1), Hibernating),
        ((2, 2), Hibernating),
        ((1, 1), Lost),
        ((1, 2), Lost),
    ];
    for ((r, fm), s) in cases {
        assert_eq!(SEGMENT_MAP[r - 1][fm - 1], s, "R{r} FM{fm}");
    }
    for s in Segment::ALL {
        assert!(
            SEGMENT_MAP.iter().flatten().any(|&m| m == s),
            "{s:?} unreachable"
        );
    }
    assert_eq!(Segment::ALL.len(), 11);
    assert_eq!(
        serde_json::to_value(Segment::PotentialLoyalist).unwrap(),
        "potentialLoyalist"
    );
    assert_eq!(Segment::CannotLose.label(), "Cannot lose");
}

/// Five customers with distinct recency, frequency and monetary ranks (so score = rank).
fn rfm_store() -> Dataset {
    let mut rows = vec![row("v", "2024-06-29", "10")];
    for (i, d) in [
        "2024-02-01",
        "2024-03-01",
        "2024-04-01",
        "2024-05-01",
        "2024-06-28",
    ]
    .iter()
    .enumerate()
    {
        let _ = i;
        rows.push(row("w", d, "100"));
    }
    for d in ["2024-03-01", "2024-04-01", "2024-05-01"] {
        rows.push(row("x", d, "100"));
    }
    for d in ["2023-10-01", "2023-11-01", "2023-12-01", "2024-01-01"] {
        rows.push(row("y", d, "100"));
    }
    for d in ["2023-05-01", "2023-06-01"] {
        rows.push(row("z", d, "100"));
    }
    build(&rows)
}

#[test]
fn rfm_by_hand() {
    let r = rfm(
        &rfm_store(),
        &RfmOptions {
            as_of: Some(day("2024-06-30")),
        },
    )
    .unwrap();
    let t = &r.customers;
    assert_eq!(t.customer_id, vec!["v", "w", "x", "y", "z"]);
    assert_eq!(t.recency_days, vec![1, 2, 60, 181, 395]);
    assert_eq!(t.frequency, vec![1, 5, 3, 4, 2]);
    assert_eq!(
        t.monetary,
        vec!["10.00", "500.00", "300.00", "400.00", "200.00"]
    );
    assert_eq!(t.r, vec![5, 4, 3, 2, 1]);
    assert_eq!(t.f, vec![1, 5, 3, 4, 2]);
    assert_eq!(t.m, vec![1, 5, 3, 4, 2]);
    assert_eq!(t.fm, vec![1, 5, 3, 4, 2]);
    use Segment::*;
    assert_eq!(t.segment, vec![New, Loyal, NeedAttention, AtRisk, Lost]);
    assert_eq!(r.segments.len(), 11);
    let loyal = r.segments.iter().find(|s| s.segment == Loyal).unwrap();
    assert_eq!((loyal.customers, loyal.revenue.as_str()), (1, "500.00"));
    assert_close(loyal.revenue_share.unwrap(), 500.0 / 1410.0);
    assert_close(loyal.customer_share, 0.2);
    let champions = r.segments.iter().find(|s| s.segment == Champions).unwrap();
    assert_eq!(
        (champions.customers, champions.revenue_share),
        (0, Some(0.0))
    );
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["customers"]["segment"][0], "new");
    assert_eq!(v["customers"]["recencyDays"][3], 181);
    assert_eq!(v["segments"][0]["label"], "Champions");
}

#[test]
fn rfm_ties_and_fm_rounding() {
    // F: 1, 1, 2, 3 → scores 1, 1, 3, 4; M: 10, 20, 20, 30 → 1, 2, 2, 4; FM rounds half up.
    let data = build(&[
        row("a", "2024-01-01", "10"),
        row("b", "2024-01-01", "20"),
        row("c", "2024-01-01", "10"),
        row("c", "2024-01-02", "10"),
        row("d", "2024-01-01", "10"),
        row("d", "2024-01-02", "10"),
        row("d", "2024-01-03", "10"),
    ]);
    let r = rfm(
        &data,
        &RfmOptions {
            as_of: Some(day("2024-01-03")),
        },
    )
    .unwrap();
    let t = &r.customers;
    assert_eq!(t.f, vec![1, 1, 3, 4]);
    assert_eq!(t.m, vec![1, 2, 2, 4]);
    assert_eq!(t.fm, vec![1, 2, 3, 4]);
    // Recency 2, 2, 1, 0 days: the two oldest tie on R1, then 3 and 4 (most recent highest).
    assert_eq!(t.r, vec![1, 1, 3, 4]);
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

fn lifecycle_store() -> Dataset {
    let mut rows = vec![
        row("new", "2024-06-10", "10"),
        row("new", "2024-06-10", "15"),
        row("onetime", "2024-05-01", "10"),
        row("risk1", "2024-02-01", "10"),
        row("lapsed1", "2023-12-01", "10"),
        row("lapsed2", "2023-01-01", "10"),
        row("lapsed2", "2023-03-02", "10"),
        row("risk2", "2024-01-01", "10"),
        row("risk2", "2024-03-01", "10"),
        row("edge", "2024-01-02", "10"),
        row("edge", "2024-03-02", "10"),
    ];
    for d in ["2024-05-01", "2024-05-11", "2024-05-21", "2024-06-20"] {
        rows.push(row("active", d, "10"));
    }
    for d in ["2023-04-01", "2023-04-11", "2023-04-21", "2024-06-15"] {
        rows.push(row("back", d, "10"));
    }
    rows.push(Row {
        cancelled: true,
        ..row("onetime", "2024-06-25", "-10")
    });
    build(&rows)
}

#[test]
fn lifecycle_by_hand() {
    let opts = LifecycleOptions {
        as_of: Some(day("2024-06-30")),
        ..Default::default()
    };
    let l = lifecycle(&lifecycle_store(), &opts).unwrap();
    let t = &l.customers;
    let stage: HashMap<&str, LifecycleStage> = t
        .customer_id
        .iter()
        .map(String::as_str)
        .zip(t.stage.iter().copied())
        .collect();
    use LifecycleStage::*;
    assert_eq!(stage["new"], New, "two orders on one day are one purchase");
    assert_eq!(stage["onetime"], OneTime, "a later return is no purchase");
    assert_eq!(stage["risk1"], AtRisk);
    assert_eq!(stage["lapsed1"], Lapsed);
    assert_eq!(
        stage["lapsed2"], Lapsed,
        "gap 60: window 120, 486 days ≥ 240"
    );
    assert_eq!(
        stage["risk2"], AtRisk,
        "gap 60: window 120 < 121 days < 240"
    );
    assert_eq!(
        stage["edge"], ActiveRepeat,
        "120 days is still within the window"
    );
    assert_eq!(stage["active"], ActiveRepeat, "gaps 10, 10, 30: window 90");
    assert_eq!(
        stage["back"], Reactivated,
        "gaps 10, 10, 421: window 90, last gap 421"
    );
    let i = t.customer_id.iter().position(|c| c == "lapsed2").unwrap();
    assert_eq!(
        (t.median_gap_days[i], t.window_days[i]),
        (Some(60.0), 120.0)
    );
    assert_eq!((t.purchase_days[i], t.days_since_last[i]), (2, 486));
    let i = t.customer_id.iter().position(|c| c == "back").unwrap();
    assert_eq!(t.median_gap_days[i], Some(10.0));
    let i = t.customer_id.iter().position(|c| c == "new").unwrap();
    assert_eq!(
        (t.median_gap_days[i], t.window_days[i], t.purchase_days[i]),
        (None, 90.0, 1)
    );
    let counts: Vec<u64> = l.stages.iter().map(|s| s.customers).collect();
    assert_eq!(counts, vec![1, 1, 2, 1, 2, 2]);
    assert_close(l.stages[0].share, 1.0 / 9.0);
    let v = serde_json::to_value(&l).unwrap();
    assert_eq!(v["stages"][2]["stage"], "activeRepeat");
    assert_eq!(v["customers"]["daysSinceLast"].as_array().unwrap().len(), 9);
}

#[test]
fn lifecycle_thresholds_are_options() {
    let base = LifecycleOptions {
        as_of: Some(day("2024-06-30")),
        ..Default::default()
    };
    let stage_of = |opts: &LifecycleOptions, who: &str| {
        let l = lifecycle(&lifecycle_store(), opts).unwrap();
        let i = l
            .customers
            .customer_id
            .iter()
            .position(|c| c == who)
            .unwrap();
        l.customers.stage[i]
    };
    use LifecycleStage::*;
    assert_eq!(
        stage_of(
            &LifecycleOptions {
                new_days: 10,
                ..base
            },
            "new"
        ),
        OneTime
    );
    assert_eq!(
        stage_of(
            &LifecycleOptions {
                new_days: 60,
                ..base
            },
            "onetime"
        ),
        New
    );
    assert_eq!(
        stage_of(
            &LifecycleOptions {
                min_window_days: 30,
                ..base
            },
            "onetime"
        ),
        AtRisk
    );
    assert_eq!(
        stage_of(
            &LifecycleOptions {
                single_purchase_lapsed_days: 100,
                ..base
            },
            "risk1"
        ),
        Lapsed
    );
    assert_eq!(
        stage_of(
            &LifecycleOptions {
                gap_multiple: 3.0,
                ..base
            },
            "risk2"
        ),
        ActiveRepeat
    );
    assert_eq!(
        stage_of(
            &LifecycleOptions {
                min_window_days: 500,
                ..base
            },
            "back"
        ),
        ActiveRepeat
    );
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let e = lifecycle(
            &lifecycle_store(),
            &LifecycleOptions {
                gap_multiple: bad,
                ..base
            },
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("gapMultiple"));
    }
}

// ---------------------------------------------------------------------------------------------
// Small and degenerate datasets

#[test]
fn one_customer() {
    let data = build(&[
        row("solo", "2024-01-05", "10"),
        row("solo", "2024-01-20", "30"),
    ]);
    let opts = SummaryOptions::default();
    let t = customer_table(&data, &opts, CustomerColumns::ALL).unwrap();
    assert_eq!(
        (t.frequency[0], t.recency[0], t.t[0], t.monetary_value[0]),
        (1.0, 15.0, 15.0, 30.0)
    );
    let k = kpis(&data, &opts).unwrap();
    assert_eq!((k.customers, k.orders, k.repeat_purchase_rate), (1, 2, 1.0));
    assert_eq!(k.observed_days, 16);
    assert!(k.simple_clv.is_none());
    let c = cohorts(&data, &opts).unwrap();
    assert_eq!((c.size.clone(), c.active.clone()), (vec![1], vec![vec![1]]));
    let r = rfm(&data, &RfmOptions::default()).unwrap();
    assert_eq!((r.customers.r[0], r.customers.fm[0]), (1, 1));
    assert_eq!(r.customers.segment, vec![Segment::Lost]);
    let l = lifecycle(&data, &LifecycleOptions::default()).unwrap();
    assert_eq!(l.customers.stage, vec![LifecycleStage::ActiveRepeat]);
    let a = acquisition(&data, &AcquisitionOptions::default()).unwrap();
    assert!(a.channels.is_empty());
    assert_eq!(a.unattributed.new_customers, 1);
}

#[test]
fn all_single_purchase_customers() {
    let data = build(&[
        row("a", "2024-01-05", "10"),
        row("b", "2024-02-05", "20"),
        row("c", "2024-03-05", "30"),
    ]);
    let opts = options(TimeUnit::Days, Some("2024-04-30"));
    let t = customer_table(&data, &opts, CustomerColumns::ALL).unwrap();
    assert_eq!(t.frequency, vec![0.0; 3]);
    assert_eq!(t.recency, vec![0.0; 3]);
    assert_eq!(t.monetary_value, vec![0.0; 3]);
    assert_eq!(t.t, vec![116.0, 85.0, 56.0]);
    let k = kpis(&data, &opts).unwrap();
    assert_eq!(k.repeat_purchase_rate, 0.0);
    assert_eq!(k.retention.retention_rate, vec![0.0, 0.0, 0.0]);
    assert_eq!(k.mean_churn_rate, Some(1.0));
    assert_eq!(k.lifespan_months, Some(1.0));
    assert!(k.simple_clv.is_some());
    let r = rfm(&data, &RfmOptions { as_of: opts.as_of }).unwrap();
    assert_eq!(r.customers.f, vec![1, 1, 1]);
    assert_eq!(r.customers.r, vec![1, 2, 4]);
    let l = lifecycle(
        &data,
        &LifecycleOptions {
            as_of: opts.as_of,
            ..Default::default()
        },
    )
    .unwrap();
    use LifecycleStage::*;
    assert_eq!(l.customers.stage, vec![AtRisk, OneTime, OneTime]);
}
