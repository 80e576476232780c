//! Cross-sell and upsell against independent results: FP-growth itemsets and association rules
//! compared, metric by metric, with mlxtend 0.25's output on 28,816 real baskets (fixtures made by
//! tests/fixtures/make_recommend_fixture.py), then similarity, upsell, offers and evaluation on
//! small datasets whose answers are worked out by hand.
//!
//! Basket data: derived from the UCI Machine Learning Repository "Online Retail" data set (Daqing
//! Chen, 2015; CC BY 4.0), as extracted into baskets by the Efficient-Apriori project (MIT).

use std::collections::BTreeMap;

use clvkit::recommend::*;

const BASKETS_BIN: &[u8] = include_bytes!("fixtures/recommend_baskets.bin");
const MLXTEND_02: &str = include_str!("fixtures/recommend_mlxtend_02.tsv");
const MLXTEND_01: &str = include_str!("fixtures/recommend_mlxtend_01.tsv");
const MLXTEND_TOY: &str = include_str!("fixtures/recommend_mlxtend_toy.tsv");

/// Reads an unsigned LEB128 varint at `*at`.
fn varint(bytes: &[u8], at: &mut usize) -> usize {
    let mut value = 0usize;
    let mut shift = 0;
    loop {
        let b = bytes[*at];
        *at += 1;
        value |= usize::from(b & 0x7F) << shift;
        if b & 0x80 == 0 {
            return value;
        }
        shift += 7;
    }
}

/// The projected real baskets (format in make_recommend_fixture.py).
fn real_baskets() -> Baskets {
    let mut at = 0;
    let items = varint(BASKETS_BIN, &mut at);
    let mut names = Vec::with_capacity(items);
    for _ in 0..items {
        let len = varint(BASKETS_BIN, &mut at);
        names.push(std::str::from_utf8(&BASKETS_BIN[at..at + len]).unwrap());
        at += len;
    }
    let count = varint(BASKETS_BIN, &mut at);
    let mut builder = BasketsBuilder::new();
    for _ in 0..count {
        let len = varint(BASKETS_BIN, &mut at);
        let mut item = 0;
        let mut basket = Vec::with_capacity(len);
        for _ in 0..len {
            item += varint(BASKETS_BIN, &mut at);
            basket.push(names[item]);
        }
        builder.push(basket).unwrap();
    }
    assert_eq!(at, BASKETS_BIN.len());
    builder.finish()
}

struct Expected {
    n: usize,
    min_support: f64,
    itemsets: BTreeMap<String, f64>,
    rules: BTreeMap<(String, String), Vec<f64>>,
    baskets: Vec<String>,
}

fn number(s: &str) -> f64 {
    match s {
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        _ => s.parse().unwrap(),
    }
}

fn expected(tsv: &str) -> Expected {
    let mut e = Expected { n: 0, min_support: 0.0, itemsets: BTreeMap::new(), rules: BTreeMap::new(), baskets: Vec::new() };
    let (mut itemsets, mut rules) = (0, 0);
    for line in tsv.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        match f[0] {
            "n" => e.n = f[1].parse().unwrap(),
            "minSupport" => e.min_support = f[1].parse().unwrap(),
            "itemsets" => itemsets = f[1].parse().unwrap(),
            "rules" => rules = f[1].parse().unwrap(),
            "B" => e.baskets.push(f[1].to_owned()),
            "I" => assert!(e.itemsets.insert(f[1].to_owned(), number(f[2])).is_none()),
            "R" => assert!(e.rules.insert((f[1].to_owned(), f[2].to_owned()), f[3..].iter().map(|s| number(s)).collect()).is_none()),
            other => panic!("unexpected fixture line {other}"),
        }
    }
    assert_eq!((e.itemsets.len(), e.rules.len()), (itemsets, rules));
    e
}

/// Item names sorted and comma-joined, as the fixture writes them.
fn key(names: &[String], items: &[u32]) -> String {
    let mut v: Vec<&str> = items.iter().map(|&i| names[i as usize].as_str()).collect();
    v.sort_unstable();
    v.join(",")
}

/// Equal, or within 1e-12 relative (absolute below 1); infinities must match exactly.
fn close(got: f64, want: f64) -> bool {
    if want.is_infinite() || got.is_infinite() {
        return got == want;
    }
    (got - want).abs() <= 1e-12 * want.abs().max(1.0)
}

/// Mines `baskets` as the fixture did and compares every itemset and every metric of every rule.
fn compare_with_mlxtend(baskets: &Baskets, e: &Expected) -> (usize, usize) {
    assert_eq!(baskets.len(), e.n);
    let f = frequent_itemsets(baskets, &ItemsetOptions { min_support: e.min_support, ..Default::default() }).unwrap();
    assert!(f.complete && f.warnings.is_empty());
    let names: Vec<String> = f.items.iter().map(str::to_owned).collect();
    let got: BTreeMap<String, f64> = f.itemsets.iter().map(|s| (key(&names, &s.items), f.support_of(s.count))).collect();
    assert_eq!(got.keys().collect::<Vec<_>>(), e.itemsets.keys().collect::<Vec<_>>());
    for (k, want) in &e.itemsets {
        assert!(close(got[k], *want), "itemset {k}: {} vs mlxtend {want}", got[k]);
    }
    let r = association_rules(&f, &RuleOptions::default()).unwrap();
    assert!(r.warnings.is_empty());
    assert_eq!(r.rules.len(), e.rules.len());
    let mut infinite = 0;
    for i in 0..r.rules.len() {
        let k = (key(&names, &r.rules.antecedent_items[i]), key(&names, &r.rules.consequent_items[i]));
        let want = e.rules.get(&k).unwrap_or_else(|| panic!("rule {k:?} is not mlxtend's"));
        let got = r.rules.metrics(i).unwrap();
        for (m, (g, w)) in Metric::ALL.iter().zip(got.0.iter().zip(want)) {
            assert!(close(*g, *w), "rule {k:?} {m:?}: {g} vs mlxtend {w}");
        }
        infinite += usize::from(got.get(Metric::Conviction).is_infinite());
    }
    (r.rules.len(), infinite)
}

#[test]
fn fpgrowth_and_rules_match_mlxtend_on_real_baskets_at_support_2_percent() {
    let e = expected(MLXTEND_02);
    assert_eq!((compare_with_mlxtend(&real_baskets(), &e), e.itemsets.len()), ((22, 0), 159));
}

#[test]
fn fpgrowth_and_rules_match_mlxtend_on_real_baskets_at_support_1_percent() {
    let e = expected(MLXTEND_01);
    assert_eq!((compare_with_mlxtend(&real_baskets(), &e), e.itemsets.len()), ((490, 0), 721));
}

#[test]
fn infinite_conviction_and_zero_conventions_match_mlxtend() {
    let e = expected(MLXTEND_TOY);
    let text = e.baskets.join("\n");
    let (baskets, report) = ingest_baskets_bytes(text.as_bytes(), &BasketIngestOptions::default(), 7).unwrap();
    assert_eq!((report.rows.accepted_rows, report.duplicate_items), (5, 1));
    // Rules of confidence 1 have infinite conviction; "Kidney Beans" is in every basket.
    assert_eq!(compare_with_mlxtend(&baskets, &e), (16, 8));
}
