//! Frequent itemsets by FP-growth (Han, Pei & Yin, 2000) with supports exactly as mlxtend's
//! `fpgrowth` computes them, and the guards that keep a few huge baskets from blowing up.
//!
//! - **Support** of an itemset = baskets containing all its items / all baskets (empty baskets
//!   count in the denominator). An itemset is frequent when `count as f64 / n as f64 >= minSupport`,
//!   the same floating-point comparison as mlxtend, so the boundary cases agree.
//! - **Guards** (both reported in `warnings` with counts, and `complete: false`):
//!   - `maxBasketItems` (default 500): a basket with more *frequent* items than this keeps only
//!     its most frequent ones (infrequent items never enter the tree, so they never count). The
//!     supports of itemsets touching the dropped items are then lower bounds.
//!   - `maxItemsets` (default 1,000,000): mining stops once this many itemsets are found, or
//!     once they hold [`MAX_STORED_ITEMS`] items in all (64 MB), whichever comes first (a few
//!     identical huge baskets at a low support would otherwise yield 2^k itemsets, long ones
//!     first). The result is then a subset of the true one.
//!
//!   (The real Online Retail baskets have up to 245 items of support ≥ 1 %: the default cap
//!   changes nothing there.) `maxLen` (default none) bounds the itemset size, as mlxtend's `max_len`.

use serde::Serialize;

use super::baskets::Baskets;
use super::require;
use crate::dataset::Interner;
use crate::error::{Error, ErrorCode, Result, Warning};
use crate::table::{Column, Columnar};

/// Options of [`frequent_itemsets`] (JS names in camelCase).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemsetOptions {
    /// In (0, 1].
    pub min_support: f64,
    /// At least 1; `None` for no limit.
    pub max_len: Option<usize>,
    /// Frequent items kept per basket (the most frequent ones); at least 1.
    pub max_basket_items: usize,
    /// Mining stops past this many itemsets; at least 1.
    pub max_itemsets: usize,
}

pub const DEFAULT_MAX_BASKET_ITEMS: usize = 500;
pub const DEFAULT_MAX_ITEMSETS: usize = 1_000_000;
/// Mining also stops once the itemsets found hold this many items in all.
pub const MAX_STORED_ITEMS: usize = 16_000_000;

impl Default for ItemsetOptions {
    fn default() -> Self {
        ItemsetOptions {
            min_support: 0.01,
            max_len: None,
            max_basket_items: DEFAULT_MAX_BASKET_ITEMS,
            max_itemsets: DEFAULT_MAX_ITEMSETS,
        }
    }
}

/// Joins the names of an item list in labels (`"A|B"`): mlxtend-style frozensets printed one per
/// cell. A name that itself holds `|` makes its label ambiguous; the item numbers
/// (`RuleTable::antecedent_items`) are exact.
pub const ITEM_SEPARATOR: &str = "|";

/// An item list as one label: the names sorted (by their UTF-8 bytes) and joined by [`ITEM_SEPARATOR`].
pub fn item_label<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut names: Vec<&str> = names.into_iter().collect();
    names.sort_unstable();
    names.join(ITEM_SEPARATOR)
}

/// One frequent itemset: item numbers ascending, and the number of baskets holding them all.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Itemset {
    pub items: Vec<u32>,
    pub count: u32,
}

/// The frequent itemsets of some baskets.
#[derive(Debug, Clone)]
pub struct FrequentItemsets {
    /// Item names (the baskets' numbering).
    pub items: Interner,
    /// Number of baskets (the support denominator).
    pub baskets: usize,
    /// The smallest count that is frequent.
    pub min_count: u32,
    /// Sorted by size, then items.
    pub itemsets: Vec<Itemset>,
    /// False when a guard changed the result.
    pub complete: bool,
    pub warnings: Vec<Warning>,
}

impl FrequentItemsets {
    /// Support of a count, as mlxtend computes it (`count / n`).
    pub fn support_of(&self, count: u32) -> f64 {
        f64::from(count) / self.baskets as f64
    }

    /// The items of `items` as one label: their names sorted and joined by [`ITEM_SEPARATOR`]
    /// (`"A|B"`). Itemset and rule tables, their CSV and the CLI all print item lists this way.
    pub fn label(&self, items: &[u32]) -> String {
        item_label(items.iter().map(|&i| self.items.name(i)))
    }

    /// The itemsets as a table (one row per itemset).
    pub fn table(&self) -> ItemsetTable {
        let mut t = ItemsetTable::default();
        for s in &self.itemsets {
            t.itemset.push(self.label(&s.items));
            t.size.push(u32::try_from(s.items.len()).unwrap_or(u32::MAX));
            t.count.push(s.count);
            t.support.push(self.support_of(s.count));
        }
        t
    }
}

/// Frequent itemsets as columns.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemsetTable {
    /// Item names sorted and joined by `|` ([`item_label`]).
    pub itemset: Vec<String>,
    pub size: Vec<u32>,
    pub count: Vec<u32>,
    pub support: Vec<f64>,
}

impl Columnar for ItemsetTable {
    fn columns(&self) -> Vec<(&'static str, &'static str, Column<'_>)> {
        vec![
            ("itemset", "itemset", Column::Text(&self.itemset)),
            ("size", "size", Column::U32(&self.size)),
            ("count", "count", Column::U32(&self.count)),
            ("support", "support", Column::F64(&self.support)),
        ]
    }
}

impl ItemsetOptions {
    /// Checks the ranges (errors name the JS field).
    pub fn validate(&self) -> Result<()> {
        let what = format!("greater than 0 and at most 1 (got {})", self.min_support);
        require(self.min_support > 0.0 && self.min_support <= 1.0, "minSupport", &what)?;
        require(self.max_len != Some(0), "maxLen", "at least 1 (or absent for no limit)")?;
        require(self.max_basket_items >= 1, "maxBasketItems", "at least 1")?;
        require(self.max_itemsets >= 1, "maxItemsets", "at least 1")
    }
}

/// The smallest count `c` with `c / n >= min_support` in f64, mlxtend's own test.
pub fn min_count(min_support: f64, n: usize) -> u32 {
    let n_f = n as f64;
    let frequent = |c: u64| c as f64 / n_f >= min_support;
    let mut c = (min_support * n_f).ceil().max(1.0) as u64;
    while c > 1 && frequent(c.saturating_sub(1)) {
        c = c.saturating_sub(1);
    }
    while !frequent(c) && c <= n as u64 {
        c = c.saturating_add(1);
    }
    u32::try_from(c).unwrap_or(u32::MAX)
}

/// An FP-tree over local item numbers (0 = most frequent in this tree). Node 0 is the root.
struct Tree {
    item: Vec<u32>,
    count: Vec<u32>,
    parent: Vec<u32>,
    /// The nodes of each local item.
    heads: Vec<Vec<u32>>,
}

/// Weighted transactions stored end to end: `(start, len, weight)` into `data`.
#[derive(Default)]
struct Transactions {
    data: Vec<u32>,
    spans: Vec<(usize, usize, u32)>,
}

impl Transactions {
    fn push(&mut self, items: &[u32], weight: u32) {
        if !items.is_empty() {
            self.spans.push((self.data.len(), items.len(), weight));
            self.data.extend_from_slice(items);
        }
    }

    /// The tree of these transactions (each ascending in local numbers). Sorted, a transaction
    /// shares with the previous one every node it can share, so no child lookup is needed.
    fn into_tree(mut self, items: usize) -> Tree {
        let data = std::mem::take(&mut self.data);
        let slice = |&(start, len, _): &(usize, usize, u32)| data.get(start..start.saturating_add(len)).unwrap_or(&[]);
        self.spans.sort_unstable_by(|a, b| slice(a).cmp(slice(b)));
        let mut tree = Tree { item: vec![u32::MAX], count: vec![0], parent: vec![0], heads: vec![Vec::new(); items] };
        let mut path: Vec<u32> = Vec::new();
        let mut previous: &[u32] = &[];
        for span in &self.spans {
            let t = slice(span);
            let weight = span.2;
            let common = previous.iter().zip(t).take_while(|(a, b)| a == b).count();
            path.truncate(common);
            for &node in &path {
                if let Some(c) = tree.count.get_mut(node as usize) {
                    *c = c.saturating_add(weight);
                }
            }
            let mut parent = path.last().copied().unwrap_or(0);
            for &item in t.get(common..).unwrap_or(&[]) {
                let node = tree.item.len() as u32;
                tree.item.push(item);
                tree.count.push(weight);
                tree.parent.push(parent);
                if let Some(h) = tree.heads.get_mut(item as usize) {
                    h.push(node);
                }
                path.push(node);
                parent = node;
            }
            previous = t;
        }
        tree
    }
}

struct Miner<'o> {
    options: &'o ItemsetOptions,
    min_count: u32,
    found: Vec<Itemset>,
    stopped: bool,
    /// Items held by `found`.
    stored: usize,
}

impl Miner<'_> {
    /// Records `suffix` + `g` with its support; false (and stops the mining) past the budget.
    fn found(&mut self, suffix: &[u32], g: u32, support: u32) -> bool {
        self.stored = self.stored.saturating_add(suffix.len()).saturating_add(1);
        if self.found.len() >= self.options.max_itemsets || self.stored > MAX_STORED_ITEMS {
            self.stopped = true;
            return false;
        }
        let mut items = Vec::with_capacity(suffix.len().saturating_add(1));
        items.extend_from_slice(suffix);
        items.push(g);
        items.sort_unstable();
        self.found.push(Itemset { items, count: support });
        true
    }

    /// Emits every frequent itemset of `tree` extended by `suffix`; `global` maps local numbers.
    fn mine(&mut self, tree: &Tree, global: &[u32], suffix: &mut Vec<u32>) {
        let mut counts = vec![0u32; global.len()];
        for (x, &g) in global.iter().enumerate().rev() {
            if self.stopped {
                return;
            }
            let nodes = tree.heads.get(x).map_or(&[][..], Vec::as_slice);
            let support = nodes.iter().map(|&v| tree.count.get(v as usize).copied().unwrap_or(0)).fold(0u32, u32::saturating_add);
            if support < self.min_count {
                continue;
            }
            if !self.found(suffix, g, support) {
                return;
            }
            suffix.push(g);
            if self.options.max_len.is_none_or(|m| suffix.len() < m) {
                self.mine_conditional(tree, global, nodes, x, &mut counts, suffix);
            }
            suffix.pop();
        }
    }

    /// Builds the conditional tree of local item `x` (its prefix paths) and mines it.
    fn mine_conditional(&mut self, tree: &Tree, global: &[u32], nodes: &[u32], x: usize, counts: &mut [u32], suffix: &mut Vec<u32>) {
        let ancestors = |v: u32| {
            std::iter::successors(tree.parent.get(v as usize).copied(), |&p| tree.parent.get(p as usize).copied()).take_while(|&p| p != 0)
        };
        let weight = |v: u32| tree.count.get(v as usize).copied().unwrap_or(0);
        for c in counts.iter_mut().take(x) {
            *c = 0;
        }
        for &v in nodes {
            for p in ancestors(v) {
                if let Some(c) = tree.item.get(p as usize).and_then(|&i| counts.get_mut(i as usize)) {
                    *c = c.saturating_add(weight(v));
                }
            }
        }
        let mut kept: Vec<u32> = (0..x as u32).filter(|&i| counts.get(i as usize).is_some_and(|&c| c >= self.min_count)).collect();
        if let [only] = kept[..] {
            // A one-item conditional tree yields exactly that item.
            if let (Some(&g), Some(&support)) = (global.get(only as usize), counts.get(only as usize)) {
                self.found(suffix, g, support);
            }
            return;
        }
        if kept.is_empty() {
            return;
        }
        kept.sort_by_key(|&i| (std::cmp::Reverse(counts.get(i as usize).copied().unwrap_or(0)), i));
        let mut rank = vec![u32::MAX; x];
        for (r, &i) in kept.iter().enumerate() {
            if let Some(slot) = rank.get_mut(i as usize) {
                *slot = r as u32;
            }
        }
        let mut txs = Transactions::default();
        let mut path = Vec::new();
        for &v in nodes {
            path.clear();
            path.extend(ancestors(v).filter_map(|p| tree.item.get(p as usize).and_then(|&i| rank.get(i as usize)).copied().filter(|&r| r != u32::MAX)));
            path.sort_unstable();
            txs.push(&path, weight(v));
        }
        let sub_global: Vec<u32> = kept.iter().map(|&i| global.get(i as usize).copied().unwrap_or(u32::MAX)).collect();
        let sub = txs.into_tree(kept.len());
        self.mine(&sub, &sub_global, suffix);
    }
}

/// The frequent itemsets of `baskets` by FP-growth (see the module docs for the guards).
pub fn frequent_itemsets(baskets: &Baskets, options: &ItemsetOptions) -> Result<FrequentItemsets> {
    options.validate()?;
    let n = baskets.len();
    if n == 0 {
        return Err(Error::new(ErrorCode::InvalidInput, "there are no baskets to mine"));
    }
    let min_count = min_count(options.min_support, n);
    let mut item_counts = vec![0u32; baskets.items.len()];
    for &i in baskets.iter().flatten() {
        if let Some(c) = item_counts.get_mut(i as usize) {
            *c = c.saturating_add(1);
        }
    }
    // Frequent items, most frequent first (ties by number): local number = rank.
    let mut global: Vec<u32> = (0..item_counts.len() as u32).filter(|&i| item_counts.get(i as usize).is_some_and(|&c| c >= min_count)).collect();
    global.sort_by_key(|&i| (std::cmp::Reverse(item_counts.get(i as usize).copied().unwrap_or(0)), i));
    let mut rank = vec![u32::MAX; item_counts.len()];
    for (r, &i) in global.iter().enumerate() {
        if let Some(slot) = rank.get_mut(i as usize) {
            *slot = r as u32;
        }
    }
    let mut txs = Transactions::default();
    let (mut capped_baskets, mut dropped_items) = (0u64, 0u64);
    let mut t = Vec::new();
    for basket in baskets.iter() {
        t.clear();
        t.extend(basket.iter().filter_map(|&i| rank.get(i as usize).copied().filter(|&r| r != u32::MAX)));
        t.sort_unstable();
        if t.len() > options.max_basket_items {
            capped_baskets = capped_baskets.saturating_add(1);
            dropped_items = dropped_items.saturating_add(t.len().saturating_sub(options.max_basket_items) as u64);
            t.truncate(options.max_basket_items);
        }
        txs.push(&t, 1);
    }
    let tree = txs.into_tree(global.len());
    let mut miner = Miner { options, min_count, found: Vec::new(), stopped: false, stored: 0 };
    miner.mine(&tree, &global, &mut Vec::new());
    let mut warnings = Vec::new();
    if capped_baskets > 0 {
        warnings.push(Warning::new(
            "BASKETS_CAPPED",
            "maxBasketItems",
            format!(
                "{capped_baskets} baskets had more than {} frequent items: their {dropped_items} least frequent ones were left out, \
                 so supports involving them are lower bounds",
                options.max_basket_items
            ),
        ));
    }
    if miner.stopped {
        warnings.push(Warning::new(
            "ITEMSETS_CAPPED",
            "maxItemsets",
            format!(
                "mining stopped at {} itemsets (maxItemsets {}, or {MAX_STORED_ITEMS} items in all): \
                 raise minSupport or set maxLen for the complete result",
                miner.found.len(),
                options.max_itemsets
            ),
        ));
    }
    let mut itemsets = miner.found;
    itemsets.sort_unstable_by(|a, b| a.items.len().cmp(&b.items.len()).then_with(|| a.items.cmp(&b.items)));
    Ok(FrequentItemsets {
        items: baskets.items.clone(),
        baskets: n,
        min_count,
        itemsets,
        complete: warnings.is_empty(),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recommend::baskets::BasketsBuilder;

    fn baskets(rows: &[&str]) -> Baskets {
        let mut b = BasketsBuilder::new();
        for r in rows {
            b.push(r.split(',')).unwrap();
        }
        b.finish()
    }

    /// Every itemset with its count, by brute force over all subsets of the item universe.
    fn brute(b: &Baskets, min: u32) -> Vec<(Vec<u32>, u32)> {
        let m = b.items.len() as u32;
        let mut out = Vec::new();
        for mask in 1u32..(1 << m) {
            let items: Vec<u32> = (0..m).filter(|i| mask & (1 << i) != 0).collect();
            let count = b.iter().filter(|s| items.iter().all(|i| s.contains(i))).count() as u32;
            if count >= min {
                out.push((items, count));
            }
        }
        out.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then_with(|| a.0.cmp(&b.0)));
        out
    }

    #[test]
    fn matches_brute_force() {
        let b = baskets(&["a,b,c", "a,b", "a,c,d", "b,c", "a,b,c,d", "e", "", "a,b,c", "d,b", "c,e,a"]);
        for s in [0.1, 0.2, 0.3, 0.5] {
            let f = frequent_itemsets(&b, &ItemsetOptions { min_support: s, ..Default::default() }).unwrap();
            let got: Vec<_> = f.itemsets.iter().map(|i| (i.items.clone(), i.count)).collect();
            assert_eq!(got, brute(&b, f.min_count), "support {s}");
            assert!(f.complete);
        }
        let f = frequent_itemsets(&b, &ItemsetOptions { min_support: 0.1, max_len: Some(2), ..Default::default() }).unwrap();
        assert!(f.itemsets.iter().all(|i| i.items.len() <= 2));
        assert_eq!(f.itemsets.len(), brute(&b, 1).iter().filter(|i| i.0.len() <= 2).count());
    }

    #[test]
    fn labels_sort_names_and_join_them_by_a_bar() {
        // "zeta" is item 0 and "alpha" item 1: the label follows the names, not the numbers.
        let f = frequent_itemsets(&baskets(&["zeta,alpha,Mid", "zeta,alpha,Mid"]), &ItemsetOptions { min_support: 1.0, ..Default::default() }).unwrap();
        assert_eq!(f.table().itemset, ["zeta", "alpha", "Mid", "alpha|zeta", "Mid|zeta", "Mid|alpha", "Mid|alpha|zeta"]);
        assert_eq!(item_label(["b", "a|c", "B"]), "B|a|c|b");
    }

    #[test]
    fn min_count_follows_floating_point_comparison() {
        assert_eq!(min_count(0.01, 28816), 289);
        assert_eq!(min_count(0.6, 5), 3);
        assert_eq!(min_count(1.0, 7), 7);
        assert_eq!(min_count(1e-300, 7), 1);
        // 0.3 * 10 = 3.0000000000000004 in f64, yet 3 / 10 >= 0.3 holds.
        assert_eq!(min_count(0.3, 10), 3);
    }

    #[test]
    fn guards_cap_huge_baskets_and_itemset_explosions() {
        let big: String = (0..30).map(|i| format!("i{i}")).collect::<Vec<_>>().join(",");
        let b = baskets(&[&big, &big, "i0,i1"]);
        let o = ItemsetOptions { min_support: 0.5, max_itemsets: 1000, ..Default::default() };
        let f = frequent_itemsets(&b, &o).unwrap();
        assert_eq!(f.itemsets.len(), 1000);
        assert!(!f.complete);
        assert_eq!(f.warnings[0].code, "ITEMSETS_CAPPED");
        // Two identical baskets of 600 items (2^600 frequent itemsets at a count of 2): the
        // stored-items budget stops the mining quickly, with a warning.
        let huge: String = (0..600).map(|i| format!("h{i}")).collect::<Vec<_>>().join(",");
        let mut rows = vec![huge.as_str(), huge.as_str()];
        rows.extend(["a,b"; 10]);
        let f = frequent_itemsets(&baskets(&rows), &ItemsetOptions { min_support: 0.1, ..Default::default() }).unwrap();
        let stored: usize = f.itemsets.iter().map(|s| s.items.len()).sum();
        assert!(!f.complete && stored <= MAX_STORED_ITEMS && f.itemsets.len() < DEFAULT_MAX_ITEMSETS);
        // 600 frequent items are also over the default cap of 500 per basket.
        let codes: Vec<&str> = f.warnings.iter().map(|w| w.code.as_str()).collect();
        assert_eq!(codes, ["BASKETS_CAPPED", "ITEMSETS_CAPPED"]);
        let o = ItemsetOptions { min_support: 0.5, max_basket_items: 4, ..Default::default() };
        let f = frequent_itemsets(&b, &o).unwrap();
        assert_eq!(f.itemsets.len(), 15);
        assert!(f.warnings[0].message.starts_with("2 baskets had more than 4 frequent items: their 52 "));
    }

    #[test]
    fn options_are_checked() {
        let b = baskets(&["a"]);
        for (o, field) in [
            (ItemsetOptions { min_support: 0.0, ..Default::default() }, "minSupport"),
            (ItemsetOptions { min_support: f64::NAN, ..Default::default() }, "minSupport"),
            (ItemsetOptions { max_len: Some(0), ..Default::default() }, "maxLen"),
            (ItemsetOptions { max_basket_items: 0, ..Default::default() }, "maxBasketItems"),
            (ItemsetOptions { max_itemsets: 0, ..Default::default() }, "maxItemsets"),
        ] {
            let e = frequent_itemsets(&b, &o).unwrap_err();
            assert_eq!((e.code, e.field.as_deref()), (ErrorCode::OutOfRange, Some(field)));
        }
        assert_eq!(frequent_itemsets(&Baskets::default(), &ItemsetOptions::default()).unwrap_err().code, ErrorCode::InvalidInput);
    }
}
