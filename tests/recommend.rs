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

/// The `maxRules` cap keeps exactly the best rules a full sort would: the first rows of the
/// uncapped table, in the same order, for several sort metrics (thousands of candidates, so the
/// running cut inside the rule loop acts many times).
#[test]
fn capped_rules_are_the_head_of_the_full_table() {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut builder = BasketsBuilder::new();
    for _ in 0..400 {
        let basket: Vec<String> = (0..10)
            .filter(|&i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state % 10 < 7 - (i % 4)
            })
            .map(|i| format!("i{i}"))
            .collect();
        builder.push(basket.iter().map(String::as_str)).unwrap();
    }
    let baskets = builder.finish();
    let f = frequent_itemsets(&baskets, &ItemsetOptions { min_support: 0.01, ..Default::default() }).unwrap();
    for sort_by in [Metric::Lift, Metric::Confidence, Metric::Support] {
        let all = association_rules(&f, &RuleOptions { max_rules: 1_000_000, sort_by, ..Default::default() }).unwrap();
        assert!(all.rules.len() > 20_000, "{} rules", all.rules.len());
        for cap in [1, 100, 5_000] {
            let capped = association_rules(&f, &RuleOptions { max_rules: cap, sort_by, ..Default::default() }).unwrap();
            assert_eq!(capped.matched, all.matched);
            assert_eq!(capped.rules.antecedents, all.rules.antecedents[..cap]);
            assert_eq!(capped.rules.consequents, all.rules.consequents[..cap]);
            assert_eq!(capped.rules.lift, all.rules.lift[..cap]);
        }
    }
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

// ---------------------------------------------------------------------------------------------
// Similarity, upsell, offers and evaluation on small datasets worked out by hand.

use clvkit::dataset::{Dataset, DatasetBuilder, LineInput};
use rust_decimal::Decimal;

/// `(customer, order, day, product, category, quantity, amount)`; an order id starting with "C"
/// is a cancellation.
type Row<'a> = (&'a str, &'a str, i32, &'a str, &'a str, i64, &'a str);

fn dataset(rows: &[Row<'_>]) -> Dataset {
    let mut b = DatasetBuilder::new();
    for &(customer, order, day, product, category, quantity, amount) in rows {
        b.add_line(&LineInput {
            customer,
            order_id: Some(order),
            day,
            amount: amount.parse().unwrap(),
            quantity: Some(Decimal::from(quantity)),
            product: Some(product),
            category: (!category.is_empty()).then_some(category),
            cancelled: order.starts_with('C'),
            ..Default::default()
        })
        .unwrap();
    }
    b.finish().unwrap()
}

/// The table's rows as `(item, other, coBuyers, cosine)`.
fn similarity_rows(s: &ItemSimilarity) -> Vec<(String, String, u32, f64)> {
    let t = &s.table;
    (0..t.item_id.len()).map(|r| (t.item_id[r].clone(), t.other_id[r].clone(), t.co_buyers[r], t.cosine[r])).collect()
}

#[test]
fn similarity_by_hand() {
    // c1 A B C, c2 A B, c3 A C, c4 B D, c5 D: buyers A 3, B 3, C 2, D 2 of N = 5.
    let d = dataset(&[
        ("c1", "1", 1, "A", "", 1, "1"),
        ("c1", "1", 1, "B", "", 1, "1"),
        ("c1", "2", 2, "C", "", 1, "1"),
        ("c2", "3", 1, "A", "", 2, "2"),
        ("c2", "4", 3, "B", "", 1, "1"),
        ("c2", "4", 3, "B", "", 1, "1"),
        ("c3", "5", 1, "A", "", 1, "1"),
        ("c3", "5", 1, "C", "", 1, "1"),
        ("c4", "6", 1, "B", "", 1, "1"),
        ("c4", "6", 1, "D", "", 1, "1"),
        ("c5", "7", 1, "D", "", 1, "1"),
        // A return is no purchase: c5 did not buy A.
        ("c5", "C8", 2, "A", "", -1, "-1"),
    ]);
    let s = item_similarity(&d, &SimilarityOptions::default()).unwrap();
    assert_eq!(s.customers, 5);
    let rows = similarity_rows(&s);
    let names: Vec<(&str, &str, u32)> = rows.iter().map(|r| (r.0.as_str(), r.1.as_str(), r.2)).collect();
    // Pairs with ≥ 2 co-buyers: A–B (c1, c2) and A–C (c1, c3). A's best is C: 2/√6 > 2/√9.
    assert_eq!(names, [("A", "C", 2), ("A", "B", 2), ("B", "A", 2), ("C", "A", 2)]);
    assert!((rows[0].3 - 2.0 / 6f64.sqrt()).abs() < 1e-15 && (rows[1].3 - 2.0 / 3.0).abs() < 1e-15);
    let t = &s.table;
    assert_eq!((t.item_buyers[0], t.other_buyers[0], t.rank[0], t.rank[1]), (3, 2, 1, 2));
    assert!((t.also_bought[0] - 2.0 / 3.0).abs() < 1e-15 && (t.also_bought[3] - 1.0).abs() < 1e-15);
    assert!((t.expected[0] - 1.2).abs() < 1e-15 && (t.lift[0] - 2.0 / 1.2).abs() < 1e-15);
    // G² over the customer table [[2, 1], [0, 2]] with expectations [[1.2, 1.8], [0.8, 1.2]].
    let g2 = 2.0 * (2.0 * (2.0f64 / 1.2).ln() + (1.0f64 / 1.8).ln() + 2.0 * (2.0f64 / 1.2).ln());
    assert!((t.llr[0] - g2).abs() < 1e-12, "{} vs {g2}", t.llr[0]);
    let one = item_similarity(&d, &SimilarityOptions { min_co_buyers: 1, top_k: 1, ..Default::default() }).unwrap();
    let names: Vec<(String, String)> = similarity_rows(&one).into_iter().map(|r| (r.0, r.1)).collect();
    // D's only co-buyer pair is with B (c4); ties at equal cosine go to more co-buyers, then product order.
    assert_eq!(names.iter().map(|(a, b)| format!("{a}{b}")).collect::<Vec<_>>(), ["AC", "BA", "CA", "DB"]);
    assert_eq!(item_similarity(&d, &SimilarityOptions { top_k: 0, ..Default::default() }).unwrap_err().field.as_deref(), Some("topK"));
}

/// A deterministic pseudo-random dataset: 80 customers, 30 products, skewed popularity.
fn random_dataset() -> Dataset {
    let mut state = 0x2545F4914F6CDD1Du64;
    let mut next = move |m: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % m
    };
    let names: Vec<String> = (0..30).map(|i| format!("P{i:02}")).collect();
    let customers: Vec<String> = (0..80).map(|i| format!("u{i}")).collect();
    let mut rows = Vec::new();
    let mut order = 0;
    for c in &customers {
        for _ in 0..1 + next(4) {
            order += 1;
            let day = next(300) as i32;
            for _ in 0..1 + next(5) {
                let p = (next(30) * next(30) / 29) as usize;
                rows.push((c.clone(), order.to_string(), day, names[p].clone()));
            }
        }
    }
    let rows: Vec<Row<'_>> = rows.iter().map(|(c, o, d, p)| (c.as_str(), o.as_str(), *d, p.as_str(), "", 1, "2.50")).collect();
    dataset(&rows)
}

#[test]
fn similarity_matches_brute_force_pair_counts() {
    let d = random_dataset();
    let s = item_similarity(&d, &SimilarityOptions { top_k: 4, ..Default::default() }).unwrap();
    let sets: Vec<std::collections::BTreeSet<u32>> = (0..d.customers.len() as u32)
        .map(|c| d.orders_of(c).iter().flat_map(|o| d.lines_of(o).iter().filter_map(|l| l.product)).collect())
        .collect();
    let buyers = |i: u32| sets.iter().filter(|s| s.contains(&i)).count() as u32;
    let mut want = Vec::new();
    for i in 0..d.products.len() as u32 {
        let mut row: Vec<(f64, u32, u32)> = (0..d.products.len() as u32)
            .filter(|&j| j != i)
            .map(|j| {
                let k = sets.iter().filter(|s| s.contains(&i) && s.contains(&j)).count() as u32;
                (f64::from(k) / f64::from(buyers(i) * buyers(j)).sqrt(), k, j)
            })
            .filter(|r| r.1 >= 2)
            .collect();
        row.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        want.extend(row.into_iter().take(4).map(|(cos, k, j)| (i, j, k, cos)));
    }
    let t = &s.table;
    let got: Vec<(u32, u32, u32, f64)> = (0..t.item.len()).map(|r| (t.item[r], t.other[r], t.co_buyers[r], t.cosine[r])).collect();
    assert!(got.len() > 60, "a real test needs pairs: {}", got.len());
    assert_eq!(got, want);
    // A cap of 2 items per customer changes the pair counts and says so.
    let capped = item_similarity(&d, &SimilarityOptions { max_items_per_customer: 2, ..Default::default() }).unwrap();
    assert_eq!(capped.warnings[0].code, "CUSTOMERS_CAPPED");
    assert!(capped.table.co_buyers.len() < t.co_buyers.len());
}

/// Mugs M1 < M2 < M3 in price, a bag B1 in another category.
fn mugs() -> Dataset {
    dataset(&[
        ("c1", "1", 1, "M1", "mugs", 2, "4.00"),
        ("c1", "2", 5, "M2", "mugs", 1, "5.50"),
        ("c2", "3", 1, "M1", "mugs", 1, "2.00"),
        ("c2", "4", 3, "M2", "mugs", 1, "4.50"),
        ("c2", "5", 4, "M3", "mugs", 1, "8.00"),
        ("c3", "6", 2, "M2", "mugs", 1, "5.00"),
        ("c3", "6", 2, "M1", "mugs", 1, "2.00"),
        ("c4", "7", 1, "M1", "mugs", 1, "2.00"),
        ("c4", "7", 1, "B1", "bags", 1, "10.00"),
        ("c4", "8", 2, "B1", "bags", 1, "10.00"),
        // A return moves nobody up.
        ("c4", "C9", 3, "M3", "mugs", -1, "-8.00"),
    ])
}

#[test]
fn upsell_paths_by_hand() {
    let d = mugs();
    let prices: Vec<String> = unit_prices(&d).iter().map(|p| p.map(|p| p.to_string()).unwrap_or_default()).collect();
    // M2's unit prices 5.50, 4.50, 5.00: median 5.00.
    assert_eq!(prices, ["2.00", "5.00", "8.00", "10.00"]);
    let u = upsell(&d, &UpsellOptions::default()).unwrap();
    let t = &u.table;
    let rows: Vec<String> = (0..t.item_id.len())
        .map(|r| format!("{}>{} #{} {}/{} {} step {}", t.item_id[r], t.target_id[r], t.rank[r], t.movers[r], t.item_buyers[r], t.rate[r], t.median_step[r]))
        .collect();
    // M1 → M2: c1 (5.50 − 2.00) and c2 (4.50 − 2.00), median 3.00; c3 bought both on one day.
    // M1 → M3: c2 (8.00 − 2.00). M2 → M3: c2 (8.00 − 4.50).
    assert_eq!(rows, ["M1>M2 #1 2/4 0.5 step 3.00", "M1>M3 #2 1/4 0.25 step 6.00", "M2>M3 #1 1/3 0.3333333333333333 step 3.50"]);
    assert_eq!(t.category, ["mugs", "mugs", "mugs"]);
    assert_eq!((t.item_price[0].as_str(), t.target_price[0].as_str()), ("2.00", "5.00"));
    assert!(u.warnings.is_empty());
    let top1 = upsell(&d, &UpsellOptions { top_k: 1, min_movers: 2, ..Default::default() }).unwrap();
    assert_eq!(top1.table.target_id, ["M2"]);
}

#[test]
fn offers_from_upsell_with_p_alive_and_segments() {
    let d = mugs();
    let u = upsell(&d, &UpsellOptions::default()).unwrap();
    let p_alive = [1.0, 1.0, 0.5, 1.0];
    let segments: Vec<String> = ["a", "a", "b", "b"].map(String::from).to_vec();
    let inputs = OfferInputs { upsell: Some(&u), p_alive: Some(&p_alive), segments: Some(&segments), ..Default::default() };
    let o = next_best_offers(&d, &inputs, &OfferOptions::default()).unwrap();
    let t = &o.offers;
    let rows: Vec<String> = (0..t.item_id.len()).map(|r| format!("{} #{} {} {:.4} {}", t.customer_id.get(r).unwrap(), t.rank[r], t.item_id.get(r).unwrap(), t.expected_value[r], t.value.get(r).unwrap())).collect();
    // c1 (M1, M2): M3 at max(1/4, 1/3) × 8. c2 bought every mug. c3 (P(alive) 0.5): M3 at 1/3 × 8 × 0.5.
    // c4 (M1, B1): M2 at 1/2 × 5 = 2.5 before M3 at 1/4 × 8 = 2.
    assert_eq!(rows, ["c1 #1 M3 2.6667 8.00", "c3 #1 M3 1.3333 8.00", "c4 #1 M2 2.5000 5.00", "c4 #2 M3 2.0000 8.00"]);
    assert_eq!(t.reason.get(0).unwrap(), "bought M2; 33% of M2 buyers moved up to M3 (median price step 3.50)");
    assert_eq!(t.reason.get(2).unwrap(), "bought M1; 50% of M1 buyers moved up to M2 (median price step 3.00)");
    let summary: Vec<String> = o
        .segments
        .iter()
        .map(|s| {
            let top: Vec<String> = s.top_offers.iter().map(|x| format!("{}:{}/{}:{:.4}", x.item_id, x.customers, x.first_choice, x.expected_value)).collect();
            format!("{} {}/{} {}", s.segment, s.customers_with_offers, s.customers, top.join(" "))
        })
        .collect();
    assert_eq!(summary, ["a 1/2 M3:1/1:2.6667", "b 2/2 M3:2/1:3.3333 M2:1/1:2.5000"]);
    // Labels from RFM: one per customer, in the dataset's customer order.
    let scored = clvkit::segments::rfm(&d, &clvkit::segments::RfmOptions::default()).unwrap();
    let labels = segment_labels(&d, &scored.customers);
    let keys: Vec<&str> = scored.customers.segment.iter().map(|s| s.key()).collect();
    assert_eq!(labels, keys);
    let by_rfm = next_best_offers(&d, &OfferInputs { segments: Some(&labels), ..inputs }, &OfferOptions::default()).unwrap();
    assert_eq!(by_rfm.segments.iter().map(|s| s.customers).sum::<u64>(), 4);
    assert!(by_rfm.segments.iter().all(|s| keys.contains(&s.segment.as_str())));
    // Margins replace prices; a P(alive) outside [0, 1] and a short column are refused.
    let margins = [None, Some(Decimal::ONE), Some(Decimal::TWO), None];
    let with_margins = OfferInputs { margins: Some(&margins), ..inputs };
    let m = next_best_offers(&d, &with_margins, &OfferOptions::default()).unwrap();
    // c4: M2 at 1/2 × 1 ties M3 at 1/4 × 2; the tie goes to the lower product number, M2.
    assert_eq!(m.offers.value.to_vec(), ["2.00", "2.00", "1.00", "2.00"]);
    assert_eq!(m.offers.expected_value[2..], [0.5, 0.5]);
    // The relevance floor: candidates whose P is under minProbability are not offered, and counted.
    // Candidates here: c1 M3 (1/3), c3 M3 (1/3), c4 M2 (1/2) and M3 (1/4).
    assert_eq!(o.below_floor, 0);
    for (floor, kept, removed) in [(0.3, &["M3", "M3", "M2"][..], 1), (0.4, &["M2"][..], 3), (0.6, &[][..], 4)] {
        let f = next_best_offers(&d, &inputs, &OfferOptions { min_probability: floor, ..Default::default() }).unwrap();
        assert_eq!((f.offers.item_id.to_vec().as_slice(), f.below_floor), (kept, removed), "floor {floor}");
    }
    // The cap: topN offers per customer at most (c4 keeps its best, M2).
    let capped = next_best_offers(&d, &inputs, &OfferOptions { top_n: 1, ..Default::default() }).unwrap();
    assert_eq!(capped.offers.item_id.to_vec(), ["M3", "M3", "M2"]);
    let e = next_best_offers(&d, &inputs, &OfferOptions { min_probability: 1.5, ..Default::default() }).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("minProbability"));
    let bad = [1.0, 1.0, 1.5, 1.0];
    let e = next_best_offers(&d, &OfferInputs { p_alive: Some(&bad), ..inputs }, &OfferOptions::default()).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("pAlive[2]"));
    let e = next_best_offers(&d, &OfferInputs { p_alive: Some(&bad[..2]), ..inputs }, &OfferOptions::default()).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("pAlive"));
}

#[test]
fn offers_from_rules_name_the_rule_and_skip_bought_items() {
    let d = dataset(&[
        ("x", "1", 1, "A", "", 1, "3"),
        ("x", "1", 1, "B", "", 1, "4"),
        ("y", "2", 1, "A", "", 1, "3"),
        ("y", "2", 1, "B", "", 1, "4"),
        ("z", "3", 1, "A", "", 1, "3"),
        ("w", "4", 1, "C", "", 1, "5"),
    ]);
    let f = frequent_itemsets(&Baskets::from_dataset(&d), &ItemsetOptions { min_support: 0.25, ..Default::default() }).unwrap();
    let r = association_rules(&f, &RuleOptions::default()).unwrap();
    let o = next_best_offers(&d, &OfferInputs { rules: Some(&r), ..Default::default() }, &OfferOptions::default()).unwrap();
    // Only z lacks an item a rule predicts: A → B, confidence 2/3, lift (2/3) / (2/4).
    assert_eq!(o.offers.customer_id.to_vec(), ["z"]);
    assert_eq!(o.offers.reason.to_vec(), ["bought A; 67% of orders with A also have B, lift 1.3"]);
    assert!((o.offers.expected_value[0] - 4.0 * 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(o.offers.source, [OfferSource::Rule]);
    let none = next_best_offers(&d, &OfferInputs::default(), &OfferOptions::default()).unwrap();
    assert_eq!((none.offers.customer_id.len(), none.warnings[0].code.as_str()), (0, "NO_EVIDENCE"));
}

/// Train (before day 10): u1 A B, u2 A B, u3 A, u4 C twice, u5 D. Test: u3 B, u4 C, u5 A, u6 A.
const EVALUATION_ROWS: &[Row<'static>] = &[
    ("u1", "1", 1, "A", "", 1, "10"),
    ("u1", "1", 1, "B", "", 1, "10"),
    ("u2", "2", 2, "A", "", 1, "10"),
    ("u2", "2", 2, "B", "", 1, "10"),
    ("u3", "3", 3, "A", "", 1, "10"),
    ("u4", "4", 1, "C", "", 1, "10"),
    ("u4", "5", 5, "C", "", 1, "10"),
    ("u5", "6", 4, "D", "", 1, "10"),
    ("u3", "7", 12, "B", "", 1, "10"),
    ("u4", "8", 11, "C", "", 1, "10"),
    ("u5", "9", 15, "A", "", 1, "10"),
    ("u6", "10", 12, "A", "", 1, "10"),
];

#[test]
fn evaluation_by_hand_against_both_baselines() {
    let d = dataset(EVALUATION_ROWS);
    let e = evaluate(&d, 10, &EvaluationOptions { k: 1, ..Default::default() }).unwrap();
    assert_eq!((e.cut_date.as_str(), e.train_orders, e.test_orders, e.evaluated_customers, e.catalogue_items), ("1970-01-11", 6, 4, 3, 4));
    let scores: Vec<(&str, [f64; 4])> = e.models.iter().map(|m| (m.model, [m.precision_at_k, m.recall_at_k, m.hit_rate, m.coverage])).collect();
    let third = 1.0 / 3.0;
    // Model: u3 gets B (A → B) and buys it; u4 and u5 get nothing. Popularity: A, then B; u3 gets
    // B (hit), u4 A (miss), u5 A (hit). Own most bought: u3 A, u4 C (hit), u5 D.
    assert_eq!(
        scores,
        [
            ("nextBestOffer", [third, third, third, 0.25]),
            ("popularity", [2.0 * third, 2.0 * third, 2.0 * third, 0.5]),
            ("ownMostBought", [third, third, third, 0.75]),
        ]
    );
    // At k = 1 with at least one relevant item, NDCG@1 is the hit indicator.
    let ndcg: Vec<f64> = e.models.iter().map(|m| m.ndcg_at_k).collect();
    assert_eq!(ndcg, [third, 2.0 * third, third]);
    let e = evaluate(&d, 0, &EvaluationOptions::default()).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("cutDate"));
}

#[test]
fn ndcg_at_2_by_hand_and_progress_by_stage() {
    // As above, and u3 also buys C in the test period: u3's relevant items are {B, C}.
    let mut rows = EVALUATION_ROWS.to_vec();
    rows.push(("u3", "11", 13, "C", "", 1, "10"));
    let d = dataset(&rows);
    let mut events: Vec<(Stage, u64, u64)> = Vec::new();
    let e = evaluate_with_progress(&d, 10, &EvaluationOptions { k: 2, ..Default::default() }, &mut |s, done, total| {
        events.push((s, done, total));
        true
    })
    .unwrap();
    let ndcg: Vec<(&str, f64)> = e.models.iter().map(|m| (m.model, m.ndcg_at_k)).collect();
    // IDCG@2 for two relevant items = 1 + 1/log2(3).
    // Model: u3 gets [B] (DCG 1), u4 and u5 nothing. Popularity (A, B, C, D by train buyers; bought
    // items skipped unless repeat items, and C is one: u4 bought it on two days): u3 [B, C] (ideal:
    // 1), u4 [A, B] (0), u5 [A, B] (A relevant at rank 1: 1). Own most bought: u3 [A], u4 [C] (1), u5 [D].
    let ideal = 1.0 + 1.0 / 3f64.log2();
    assert_eq!(ndcg[0].0, "nextBestOffer");
    assert!((ndcg[0].1 - (1.0 / ideal) / 3.0).abs() < 1e-15, "{ndcg:?}");
    assert_eq!(&ndcg[1..], [("popularity", 2.0 / 3.0), ("ownMostBought", 1.0 / 3.0)]);
    // Every stage in order: the three sources (0 of 1, 1 of 1), then the 6 customers scored and evaluated.
    let once = |s| [(s, 0, 1), (s, 1, 1)];
    let mut want: Vec<(Stage, u64, u64)> = [Stage::Rules, Stage::Similarity, Stage::Upsell].into_iter().flat_map(once).collect();
    want.extend((0..=6).map(|c| (Stage::Scoring, c, 6)));
    want.extend((0..=6).map(|c| (Stage::Evaluating, c, 6)));
    assert_eq!(events, want);
    // A callback returning false stops the call with CANCELLED.
    let e = evaluate_with_progress(&d, 10, &EvaluationOptions::default(), &mut |s, _, _| s != Stage::Scoring).unwrap_err();
    assert_eq!(e.code, clvkit::error::ErrorCode::Cancelled);
    assert!(e.message.contains("scoring"), "{}", e.message);
}

#[test]
fn mined_tables_are_reused_for_the_same_options_and_offers_through_them_are_unchanged() {
    use clvkit::recommend::analyses::{offers, Mined};
    use std::rc::Rc;
    let d = mugs();
    let mined = Mined::default();
    let items = ItemsetOptions { min_support: 0.2, ..Default::default() };
    let rules = RuleOptions::default();
    let first = mined.rules(&d, &items, &rules).unwrap();
    assert!(Rc::ptr_eq(&first, &mined.rules(&d, &items, &rules).unwrap()), "same options: the kept table");
    let other = ItemsetOptions { min_support: 0.5, ..Default::default() };
    assert!(!Rc::ptr_eq(&first, &mined.rules(&d, &other, &rules).unwrap()), "other options: mined again");
    let up = mined.upsell(&d, &UpsellOptions::default()).unwrap();
    assert!(Rc::ptr_eq(&up, &mined.upsell(&d, &UpsellOptions::default()).unwrap()));
    assert!(!Rc::ptr_eq(&up, &mined.upsell(&d, &UpsellOptions { top_k: 1, ..Default::default() }).unwrap()));
    // Offers through the kept tables equal offers from tables built here.
    let request: NextBestOfferRequest = serde_json::from_value(serde_json::json!({ "rules": { "minSupport": 0.2 } })).unwrap();
    let plan = request.parse().unwrap();
    let through = offers(&d, &plan, &mined, &mut |_, _, _| true).unwrap();
    let again = offers(&d, &plan, &mined, &mut |_, _, _| true).unwrap();
    let (r, s, u) = (
        association_rules(&frequent_itemsets(&Baskets::from_dataset(&d), &plan.itemsets).unwrap(), &plan.rules).unwrap(),
        item_similarity(&d, &plan.similarity).unwrap(),
        upsell(&d, &plan.upsell).unwrap(),
    );
    let segments = segment_labels(&d, &clvkit::segments::rfm(&d, &clvkit::segments::RfmOptions::default()).unwrap().customers);
    let inputs = OfferInputs { rules: Some(&r), similarity: Some(&s), upsell: Some(&u), segments: Some(&segments), ..Default::default() };
    let direct = next_best_offers(&d, &inputs, &plan.offers).unwrap();
    assert!(!direct.offers.customer.is_empty());
    assert_eq!(through.offers, direct.offers);
    assert_eq!(through.segments, direct.segments);
    assert_eq!(again, through);
}
