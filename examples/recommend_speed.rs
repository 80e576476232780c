//! Native timing of the cross-sell core on a baskets file, to compare with mlxtend's FP-growth and
//! association_rules on the same file (tests/fixtures/make_recommend_fixture.py prints its times):
//!
//!   cargo run --release --example recommend_speed -- ../shared/data/online-retail-baskets.txt [TRANSACTIONS.csv]
//!
//! Times: reading the file (1 MiB chunks), FP-growth and the rules at supports 0.02, 0.01 and
//! 0.005 (best of 5 runs each), and item similarity treating each basket as a customer. With a
//! transactions file (e.g. `node bench/generate.mjs --rows 300000`), also similarity, upsell,
//! next-best offers and the time-split evaluation on it.
use std::time::Instant;

use clvkit::dataset::{DatasetBuilder, LineInput};
use clvkit::ingest::transactions::{ingest_bytes, IngestOptions};
use clvkit::recommend::*;

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (T, f64) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..runs {
        let start = Instant::now();
        out = Some(f());
        best = best.min(start.elapsed().as_secs_f64() * 1000.0);
    }
    (out.expect("runs is at least 1"), best)
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: recommend_speed BASKETS.txt");
    let bytes = std::fs::read(&path).expect("the baskets file can be read");
    let ((baskets, report), read_ms) = best_of(5, || {
        let mut ingest = BasketIngest::new(&BasketIngestOptions::default()).expect("default options");
        for chunk in bytes.chunks(1 << 20) {
            ingest.feed(chunk).expect("the file reads");
        }
        ingest.finish().expect("the file has baskets")
    });
    println!("read {} baskets, {} items in {read_ms:.1} ms", report.baskets, report.distinct_items);
    for support in [0.02, 0.01, 0.005] {
        let options = ItemsetOptions { min_support: support, ..Default::default() };
        let (itemsets, mine_ms) = best_of(5, || frequent_itemsets(&baskets, &options).expect("mining works"));
        let (rules, rules_ms) = best_of(5, || association_rules(&itemsets, &RuleOptions::default()).expect("rules work"));
        println!(
            "support {support}: {} itemsets in {mine_ms:.1} ms, {} rules in {rules_ms:.1} ms",
            itemsets.itemsets.len(),
            rules.rules.len()
        );
    }
    let mut builder = DatasetBuilder::new();
    for (b, basket) in baskets.iter().enumerate() {
        let customer = b.to_string();
        for &item in basket {
            let line = LineInput { customer: &customer, day: 1, product: Some(baskets.items.name(item)), ..Default::default() };
            builder.add_line(&line).expect("a valid line");
        }
    }
    let data = builder.finish().expect("the dataset builds");
    let (similar, similarity_ms) = best_of(3, || item_similarity(&data, &SimilarityOptions::default()).expect("similarity works"));
    println!("similarity (one customer per basket): {} rows in {similarity_ms:.1} ms", similar.table.item.len());
    if let Some(path) = std::env::args().nth(2) {
        transactions(&path);
    }
}

fn transactions(path: &str) {
    let bytes = std::fs::read(path).expect("the transactions file can be read");
    let (data, _) = ingest_bytes(&bytes, &IngestOptions::default(), 1 << 20).expect("the file ingests");
    println!("{path}: {} customers, {} orders, {} products", data.customers.len(), data.orders.len(), data.products.len());
    let (similar, ms) = best_of(3, || item_similarity(&data, &SimilarityOptions::default()).expect("similarity works"));
    println!("similarity: {} rows in {ms:.1} ms", similar.table.item.len());
    let (paths, ms) = best_of(3, || upsell(&data, &UpsellOptions::default()).expect("upsell works"));
    println!("upsell: {} paths in {ms:.1} ms", paths.table.item.len());
    let baskets = Baskets::from_dataset(&data);
    let options = ItemsetOptions { min_support: 0.0005, ..Default::default() };
    let (itemsets, ms) = best_of(3, || frequent_itemsets(&baskets, &options).expect("mining works"));
    let rules = association_rules(&itemsets, &RuleOptions::default()).expect("rules work");
    println!("{} order baskets: {} itemsets, {} rules at support 0.0005 in {ms:.1} ms", baskets.len(), itemsets.itemsets.len(), rules.rules.len());
    let inputs = OfferInputs { rules: Some(&rules), similarity: Some(&similar), upsell: Some(&paths), ..Default::default() };
    let (offers, ms) = best_of(3, || next_best_offers(&data, &inputs, &OfferOptions::default()).expect("offers work"));
    println!("offers: {} rows in {ms:.1} ms; first: {:?}", offers.offers.item.len(), offers.offers.reason.get(0));
    let (first, last) = data.day_range().expect("orders");
    let cut = last - (last - first) / 4;
    let evaluation_options = EvaluationOptions { itemsets: options.clone(), ..Default::default() };
    let (evaluation, ms) = best_of(1, || evaluate(&data, cut, &evaluation_options).expect("evaluation works"));
    println!("evaluation in {ms:.1} ms: {}", serde_json::to_string(&evaluation).expect("serializes"));
}
