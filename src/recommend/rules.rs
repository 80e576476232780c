//! Association rules from frequent itemsets, with every metric defined exactly as mlxtend 0.25
//! defines it, filters on any metric, item constraints, and a cap on the number of rules.
//!
//! For a rule A → C with supports sA, sC and sAC (of A ∪ C), as mlxtend 0.25's `association_rules`:
//! - confidence = sAC / sA; lift = confidence / sC; leverage = sAC − sA·sC;
//! - conviction = (1 − sC) / (1 − confidence), and **+∞ when confidence = 1** (`f64::INFINITY`
//!   here; it crosses to JS as `Infinity` and is written `inf` in CSV, as pandas writes it);
//! - Zhang's metric = leverage / max(sAC·(1 − sA), sA·(sC − sAC)), and **0 when that maximum is 0**;
//! - jaccard = sAC / (sA + sC − sAC); kulczynski = (sAC/sA + sAC/sC) / 2;
//! - certainty = (confidence − sC) / (1 − sC), and **0 when sC = 1**.
//!
//! These are DESIGN.md's definitions; the two zero conventions (Zhang's and certainty's 0/0) are
//! mlxtend's, where DESIGN.md is silent. mlxtend 0.25 also returns `representativity`, which is 1
//! for every rule without missing values (clvkit's baskets have none), so it is left out; its
//! confidence is computed as (sAC·n)/(sA·n), which equals sAC/sA to the last bit or two.
//!
//! Every non-empty proper subset of a frequent itemset is an antecedent (as mlxtend does);
//! itemsets of more than [`MAX_RULE_ITEMSET_LEN`] items are skipped (2^k splits each), and no
//! more than [`MAX_SPLITS`] splits are examined in all; both are reported as warnings.

use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

use super::fpgrowth::FrequentItemsets;
use super::require;
use crate::error::{Error, ErrorCode, Result, Warning};
use crate::table::{Column, Columnar};

/// Itemsets longer than this make no rules.
pub const MAX_RULE_ITEMSET_LEN: usize = 16;
pub const DEFAULT_MAX_RULES: usize = 10_000;
/// At most this many antecedent/consequent splits are examined (then a warning says so).
pub const MAX_SPLITS: u64 = 50_000_000;

/// A rule metric (JS names as serialized).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Metric {
    AntecedentSupport,
    ConsequentSupport,
    Support,
    Confidence,
    Lift,
    Leverage,
    Conviction,
    ZhangsMetric,
    Jaccard,
    Certainty,
    Kulczynski,
}

impl Metric {
    pub const ALL: [Metric; 11] = [
        Metric::AntecedentSupport,
        Metric::ConsequentSupport,
        Metric::Support,
        Metric::Confidence,
        Metric::Lift,
        Metric::Leverage,
        Metric::Conviction,
        Metric::ZhangsMetric,
        Metric::Jaccard,
        Metric::Certainty,
        Metric::Kulczynski,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

/// The eleven metrics of one rule, in [`Metric::ALL`] order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleMetrics(pub [f64; 11]);

impl RuleMetrics {
    /// All metrics from the three supports (see the module docs).
    pub fn new(s_a: f64, s_c: f64, s_ac: f64) -> Self {
        let confidence = s_ac / s_a;
        let lift = confidence / s_c;
        let leverage = s_ac - s_a * s_c;
        let conviction = if confidence < 1.0 { (1.0 - s_c) / (1.0 - confidence) } else { f64::INFINITY };
        let zhang_denominator = (s_ac * (1.0 - s_a)).max(s_a * (s_c - s_ac));
        let zhang = if zhang_denominator == 0.0 { 0.0 } else { leverage / zhang_denominator };
        let jaccard = s_ac / (s_a + s_c - s_ac);
        let certainty = if 1.0 - s_c == 0.0 { 0.0 } else { (confidence - s_c) / (1.0 - s_c) };
        let kulczynski = (s_ac / s_a + s_ac / s_c) / 2.0;
        RuleMetrics([s_a, s_c, s_ac, confidence, lift, leverage, conviction, zhang, jaccard, certainty, kulczynski])
    }

    pub fn get(&self, m: Metric) -> f64 {
        self.0.get(m.index()).copied().unwrap_or(f64::NAN)
    }
}

/// Keep rules whose metric is within `[min, max]` (either bound may be absent).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricFilter {
    pub metric: Metric,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// Options of [`association_rules`].
#[derive(Debug, Clone, PartialEq)]
pub struct RuleOptions {
    /// All must hold (mlxtend's `metric`/`min_threshold` is one filter with a `min`).
    pub filters: Vec<MetricFilter>,
    /// When not empty, the antecedent must hold at least one of these items.
    pub antecedent_any: Vec<String>,
    /// When not empty, the consequent must hold at least one of these items.
    pub consequent_any: Vec<String>,
    /// Rules holding any of these items (either side) are left out.
    pub exclude_items: Vec<String>,
    pub max_antecedent_len: Option<usize>,
    pub max_consequent_len: Option<usize>,
    /// At most this many rules are returned, the best by `sort_by` (at least 1).
    pub max_rules: usize,
    /// Rules come sorted by this metric, highest first (then support, then itemset).
    pub sort_by: Metric,
}

impl Default for RuleOptions {
    fn default() -> Self {
        RuleOptions {
            filters: Vec::new(),
            antecedent_any: Vec::new(),
            consequent_any: Vec::new(),
            exclude_items: Vec::new(),
            max_antecedent_len: None,
            max_consequent_len: None,
            max_rules: DEFAULT_MAX_RULES,
            sort_by: Metric::Lift,
        }
    }
}

/// Rules as columns, one row per rule; item lists index [`AssociationRules::item_names`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleTable {
    /// Antecedent item names, sorted and joined by `|` ([`super::fpgrowth::item_label`]).
    pub antecedents: Vec<String>,
    pub consequents: Vec<String>,
    pub antecedent_items: Vec<Vec<u32>>,
    pub consequent_items: Vec<Vec<u32>>,
    pub antecedent_support: Vec<f64>,
    pub consequent_support: Vec<f64>,
    pub support: Vec<f64>,
    pub confidence: Vec<f64>,
    pub lift: Vec<f64>,
    pub leverage: Vec<f64>,
    /// +∞ when confidence = 1.
    pub conviction: Vec<f64>,
    pub zhangs_metric: Vec<f64>,
    pub jaccard: Vec<f64>,
    pub certainty: Vec<f64>,
    pub kulczynski: Vec<f64>,
}

impl RuleTable {
    pub fn len(&self) -> usize {
        self.antecedents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.antecedents.is_empty()
    }

    fn metric_columns_mut(&mut self) -> [&mut Vec<f64>; 11] {
        [
            &mut self.antecedent_support,
            &mut self.consequent_support,
            &mut self.support,
            &mut self.confidence,
            &mut self.lift,
            &mut self.leverage,
            &mut self.conviction,
            &mut self.zhangs_metric,
            &mut self.jaccard,
            &mut self.certainty,
            &mut self.kulczynski,
        ]
    }

    /// Row `i`'s metrics.
    pub fn metrics(&self, i: usize) -> Option<RuleMetrics> {
        let columns = [
            &self.antecedent_support,
            &self.consequent_support,
            &self.support,
            &self.confidence,
            &self.lift,
            &self.leverage,
            &self.conviction,
            &self.zhangs_metric,
            &self.jaccard,
            &self.certainty,
            &self.kulczynski,
        ];
        let mut out = [0.0; 11];
        for (slot, column) in out.iter_mut().zip(columns) {
            *slot = *column.get(i)?;
        }
        Some(RuleMetrics(out))
    }
}

impl Columnar for RuleTable {
    fn columns(&self) -> Vec<(&'static str, &'static str, Column<'_>)> {
        vec![
            ("antecedents", "antecedents", Column::Text(&self.antecedents)),
            ("consequents", "consequents", Column::Text(&self.consequents)),
            ("antecedent support", "antecedentSupport", Column::F64(&self.antecedent_support)),
            ("consequent support", "consequentSupport", Column::F64(&self.consequent_support)),
            ("support", "support", Column::F64(&self.support)),
            ("confidence", "confidence", Column::F64(&self.confidence)),
            ("lift", "lift", Column::F64(&self.lift)),
            ("leverage", "leverage", Column::F64(&self.leverage)),
            ("conviction", "conviction", Column::F64(&self.conviction)),
            ("zhangs_metric", "zhangsMetric", Column::F64(&self.zhangs_metric)),
            ("jaccard", "jaccard", Column::F64(&self.jaccard)),
            ("certainty", "certainty", Column::F64(&self.certainty)),
            ("kulczynski", "kulczynski", Column::F64(&self.kulczynski)),
        ]
    }
}

/// The rules and what was counted on the way.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociationRules {
    pub rules: RuleTable,
    /// Names of the item numbers in `rules`.
    pub item_names: Vec<String>,
    /// Rules that passed every filter and constraint (before `maxRules`).
    pub matched: u64,
    pub warnings: Vec<Warning>,
}

fn check_options(options: &RuleOptions) -> Result<()> {
    for (i, f) in options.filters.iter().enumerate() {
        for (bound, value) in [("min", f.min), ("max", f.max)] {
            if value.is_some_and(f64::is_nan) {
                let field = format!("filters[{i}].{bound}");
                return Err(Error::new(ErrorCode::NotFinite, format!("{field} must be a number (got NaN)")).with_field(field));
            }
        }
    }
    let lens = [("maxAntecedentLen", options.max_antecedent_len), ("maxConsequentLen", options.max_consequent_len)];
    for (field, value) in lens {
        require(value != Some(0), field, "at least 1 (or absent for no limit)")?;
    }
    require(options.max_rules >= 1, "maxRules", "at least 1")
}

/// A candidate rule: itemset number, antecedent bit mask over its items, metrics.
struct Candidate {
    itemset: usize,
    mask: u32,
    metrics: RuleMetrics,
}

/// Item names resolved to numbers; unknown names make a warning.
fn resolve(itemsets: &FrequentItemsets, names: &[String], field: &str, warnings: &mut Vec<Warning>) -> Vec<u32> {
    let mut out = Vec::new();
    for name in names {
        match itemsets.items.lookup(name.trim()) {
            Some(i) => out.push(i),
            None => warnings.push(Warning::new("UNKNOWN_ITEM", field, format!("{field}: no item is named {name:?}"))),
        }
    }
    out
}

/// Association rules of `itemsets` (see the module docs).
pub fn association_rules(itemsets: &FrequentItemsets, options: &RuleOptions) -> Result<AssociationRules> {
    check_options(options)?;
    let mut warnings = Vec::new();
    let antecedent_any = resolve(itemsets, &options.antecedent_any, "antecedentAny", &mut warnings);
    let consequent_any = resolve(itemsets, &options.consequent_any, "consequentAny", &mut warnings);
    let exclude = resolve(itemsets, &options.exclude_items, "excludeItems", &mut warnings);
    let counts: HashMap<&[u32], u32> = itemsets.itemsets.iter().map(|s| (s.items.as_slice(), s.count)).collect();
    let support = |items: &[u32]| counts.get(items).map(|&c| itemsets.support_of(c));
    let passes = |m: &RuleMetrics| {
        options.filters.iter().all(|f| {
            let v = m.get(f.metric);
            f.min.is_none_or(|min| v >= min) && f.max.is_none_or(|max| v <= max)
        })
    };
    let sort_index = options.sort_by.index();
    let order = |a: &Candidate, b: &Candidate| {
        let key = |c: &Candidate| (c.metrics.0.get(sort_index).copied().unwrap_or(f64::NAN), c.metrics.get(Metric::Support));
        let (ka, kb) = (key(a), key(b));
        kb.0.total_cmp(&ka.0).then(kb.1.total_cmp(&ka.1)).then(a.itemset.cmp(&b.itemset)).then(a.mask.cmp(&b.mask))
    };
    let (mut too_long, mut missing, mut matched, mut splits) = (0u64, 0u64, 0u64, 0u64);
    let mut unexamined = 0u64;
    let mut kept: Vec<Candidate> = Vec::new();
    let (mut a, mut c) = (Vec::new(), Vec::new());
    for (index, set) in itemsets.itemsets.iter().enumerate() {
        let k = set.items.len();
        if k < 2 {
            continue;
        }
        if k > MAX_RULE_ITEMSET_LEN {
            too_long = too_long.saturating_add(1);
            continue;
        }
        if set.items.iter().any(|i| exclude.contains(i)) {
            continue;
        }
        let s_ac = itemsets.support_of(set.count);
        // k ≤ MAX_RULE_ITEMSET_LEN < 32: the shifts cannot overflow.
        splits = splits.saturating_add((1u64 << k).saturating_sub(2));
        if splits > MAX_SPLITS {
            unexamined = unexamined.saturating_add(1);
            continue;
        }
        for mask in 1u32..(1u32 << k).saturating_sub(1) {
            a.clear();
            c.clear();
            for (bit, &item) in set.items.iter().enumerate() {
                if mask & (1 << bit) != 0 { a.push(item) } else { c.push(item) }
            }
            if options.max_antecedent_len.is_some_and(|m| a.len() > m) || options.max_consequent_len.is_some_and(|m| c.len() > m) {
                continue;
            }
            if !antecedent_any.is_empty() && !a.iter().any(|i| antecedent_any.contains(i)) {
                continue;
            }
            if !consequent_any.is_empty() && !c.iter().any(|i| consequent_any.contains(i)) {
                continue;
            }
            let (Some(s_a), Some(s_c)) = (support(&a), support(&c)) else {
                missing = missing.saturating_add(1);
                continue;
            };
            let metrics = RuleMetrics::new(s_a, s_c, s_ac);
            if !passes(&metrics) {
                continue;
            }
            matched = matched.saturating_add(1);
            kept.push(Candidate { itemset: index, mask, metrics });
            if kept.len() >= options.max_rules.saturating_mul(2).max(1024) && kept.len() > options.max_rules {
                // The best max_rules by `order` (a total order: the same set a full sort keeps),
                // in linear time; they are sorted once at the end.
                kept.select_nth_unstable_by(options.max_rules, order);
                kept.truncate(options.max_rules);
            }
        }
    }
    kept.sort_unstable_by(order);
    if kept.len() > options.max_rules {
        kept.truncate(options.max_rules);
    }
    if matched > kept.len() as u64 {
        let message = format!("{matched} rules matched; only the {} with the highest {:?} are returned (maxRules)", kept.len(), options.sort_by);
        warnings.push(Warning::new("RULES_CAPPED", "maxRules", message));
    }
    if too_long > 0 {
        let message = format!("{too_long} itemsets of more than {MAX_RULE_ITEMSET_LEN} items made no rules; set maxLen or raise minSupport");
        warnings.push(Warning::new("ITEMSETS_TOO_LONG", "maxLen", message));
    }
    if unexamined > 0 {
        let message = format!("{unexamined} itemsets made no rules: more than {MAX_SPLITS} antecedent/consequent splits in all; raise minSupport or set maxLen");
        warnings.push(Warning::new("RULES_INCOMPLETE", "maxLen", message));
    }
    if missing > 0 {
        let message = format!("{missing} rules were skipped: the itemsets were cut short by a guard, so a subset's support is unknown");
        warnings.push(Warning::new("RULES_INCOMPLETE", "maxItemsets", message));
    }
    let mut table = RuleTable::default();
    for cand in &kept {
        let Some(set) = itemsets.itemsets.get(cand.itemset) else { continue };
        let (mut a, mut c) = (Vec::new(), Vec::new());
        for (bit, &item) in set.items.iter().enumerate() {
            if cand.mask & (1 << bit) != 0 { a.push(item) } else { c.push(item) }
        }
        table.antecedents.push(itemsets.label(&a));
        table.consequents.push(itemsets.label(&c));
        table.antecedent_items.push(a);
        table.consequent_items.push(c);
        for (column, value) in table.metric_columns_mut().into_iter().zip(cand.metrics.0) {
            column.push(value);
        }
    }
    Ok(AssociationRules {
        rules: table,
        item_names: itemsets.items.iter().map(str::to_owned).collect(),
        matched,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recommend::baskets::BasketsBuilder;
    use crate::recommend::fpgrowth::{frequent_itemsets, ItemsetOptions};

    fn itemsets(rows: &[&str], min_support: f64) -> FrequentItemsets {
        let mut b = BasketsBuilder::new();
        for r in rows {
            b.push(r.split(',')).unwrap();
        }
        frequent_itemsets(&b.finish(), &ItemsetOptions { min_support, ..Default::default() }).unwrap()
    }

    #[test]
    fn metrics_by_hand() {
        // sA = 0.5, sC = 0.4, sAC = 0.2.
        let m = RuleMetrics::new(0.5, 0.4, 0.2);
        let want = [0.5, 0.4, 0.2, 0.4, 1.0, 0.0, 1.0, 0.0, 0.2 / 0.7, 0.0, 0.45];
        for (got, want) in m.0.iter().zip(want) {
            assert!((got - want).abs() < 1e-15, "{got} vs {want}");
        }
        let m = RuleMetrics::new(0.2, 0.5, 0.2);
        assert_eq!(m.get(Metric::Conviction), f64::INFINITY);
        // leverage 0.1 / max(0.2 · 0.8, 0.2 · 0.3)
        assert!((m.get(Metric::ZhangsMetric) - 0.625).abs() < 1e-15);
        let m = RuleMetrics::new(0.3, 1.0, 0.3);
        assert_eq!((m.get(Metric::Certainty), m.get(Metric::ZhangsMetric)), (0.0, 0.0));
    }

    #[test]
    fn filters_constraints_and_cap() {
        let f = itemsets(&["a,b,c", "a,b", "a,c", "b,c", "a,b,c", "d"], 0.3);
        let all = association_rules(&f, &RuleOptions::default()).unwrap();
        // {a,b}, {a,c}, {b,c}: 2 rules each; {a,b,c} (2 of 6 ≥ 0.3): 6 rules.
        assert_eq!((all.rules.len(), all.matched), (12, 12));
        let lifts = &all.rules.lift;
        assert!(lifts.windows(2).all(|w| w[0] >= w[1]));
        let o = RuleOptions { filters: vec![MetricFilter { metric: Metric::Confidence, min: Some(0.7), max: None }], ..Default::default() };
        let r = association_rules(&f, &o).unwrap();
        assert!(r.rules.confidence.iter().all(|&c| c >= 0.7) && !r.rules.is_empty());
        assert_eq!(r.rules.len() as u64, r.matched);
        let o = RuleOptions { antecedent_any: vec!["a".into()], consequent_any: vec!["c".into()], max_consequent_len: Some(1), ..Default::default() };
        let r = association_rules(&f, &o).unwrap();
        assert_eq!(r.rules.antecedents, ["a", "a|b"]);
        assert!(r.rules.consequents.iter().all(|c| c == "c"));
        let o = RuleOptions { exclude_items: vec!["c".into(), "zz".into()], max_rules: 1, sort_by: Metric::Confidence, ..Default::default() };
        let r = association_rules(&f, &o).unwrap();
        assert_eq!((r.rules.len(), r.matched), (1, 2));
        let codes: Vec<_> = r.warnings.iter().map(|w| w.code.as_str()).collect();
        assert_eq!(codes, ["UNKNOWN_ITEM", "RULES_CAPPED"]);
        let o = RuleOptions { max_rules: 0, ..Default::default() };
        assert_eq!(association_rules(&f, &o).unwrap_err().field.as_deref(), Some("maxRules"));
        let o = RuleOptions { filters: vec![MetricFilter { metric: Metric::Lift, min: Some(f64::NAN), max: None }], ..Default::default() };
        assert_eq!(association_rules(&f, &o).unwrap_err().field.as_deref(), Some("filters[0].min"));
    }
}
