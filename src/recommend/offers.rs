//! Next-best offer per customer: candidates from association rules, item similarity and upsell
//! paths, scored as expected value, the top N with a reason a merchant can read, and per segment.
//!
//! - **Candidates** for a customer who bought the set S (every item of their non-return orders):
//!   - a rule A → {y} (single-item consequent) with A ⊆ S: P = the rule's confidence;
//!   - a similar item y of some x ∈ S: P = `alsoBought` (share of x's buyers who also bought y);
//!   - an upgrade path x → y with x ∈ S: P = the path's rate (share of x's buyers who moved up).
//!
//!   An item offered by several pieces of evidence keeps the one with the highest P (ties: rules,
//!   then similarity, then upsell).
//! - **Bought items** are not offered, except repeat-purchase items when `repeatMinRate` is set
//!   (default 0.3): an item whose buyers bought it on two or more days in at least that share.
//! - **Score** = P × value × P(alive): value = the item's margin when `margins` has one, otherwise
//!   its median unit price ([`super::upsell::unit_prices`]); items with neither are not offered.
//!   P(alive) comes from the caller (a per-customer column, e.g. a BG/NBD model), default 1.
//!   P is an estimate from co-purchase frequencies, not a calibrated purchase probability.
//! - **Guard rails**: at most `topN` offers per customer (default 3), and a **relevance floor**:
//!   a candidate whose P is below `minProbability` (default 0.05) is not offered, however valuable
//!   (`belowFloor` counts them). Ranking by expected value alone would put an expensive item that
//!   1 in 100 buyers of X also bought above a cheap one that half of them bought; our sources warn
//!   that such irrelevant suggestions drive customers away. 0.05 keeps any evidence that at least
//!   1 in 20 of the customers it rests on acted on it (a rule's confidence, an "also bought" share
//!   or an upgrade rate), and drops the long tail of one-off co-purchases that similarity finds
//!   among popular items; 0 turns the floor off.
//! - Offers are ranked by score (or by P with `rankBy: probability`), then item number.
//! - **Per-segment summaries** (segment labels from the caller, e.g. RFM segments): for each
//!   segment, the items most often in its customers' top N, with the summed expected value.

use rust_decimal::Decimal;
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

use super::{purchased, require, row_starts, Progress, Stage, Ticker};
use super::rules::AssociationRules;
use super::similarity::ItemSimilarity;
use super::upsell::{unit_prices, Upsell};
use crate::dataset::Dataset;
use crate::error::{Error, ErrorCode, Result, Warning};
use crate::money::{format_money, to_f64};
use crate::segments::RfmTable;
use crate::table::{CodedText, Column, Columnar};

/// How offers are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum OfferRanking {
    /// P × value × P(alive).
    #[default]
    ExpectedValue,
    /// P alone (what the offline evaluation measures best).
    Probability,
}

/// Options of [`next_best_offers`].
#[derive(Debug, Clone, PartialEq)]
pub struct OfferOptions {
    /// Offers per customer (at least 1; default 3): the cap on offers per customer.
    pub top_n: usize,
    /// Relevance floor: candidates with P below this are not offered (in [0, 1]; default 0.05).
    pub min_probability: f64,
    /// Re-offer bought items whose repeat rate is at least this (in [0, 1]); `None`: never.
    pub repeat_min_rate: Option<f64>,
    pub rank_by: OfferRanking,
    /// Items per segment in the summaries (default 5).
    pub segment_top: usize,
    /// Decimal places of the money columns (default 2, at most 10).
    pub decimals: u32,
}

/// The default relevance floor (see the module docs).
pub const DEFAULT_MIN_PROBABILITY: f64 = 0.05;

impl Default for OfferOptions {
    fn default() -> Self {
        OfferOptions { top_n: 3, min_probability: DEFAULT_MIN_PROBABILITY, repeat_min_rate: Some(0.3), rank_by: OfferRanking::ExpectedValue, segment_top: 5, decimals: 2 }
    }
}

/// What the offers are built from; every slice is parallel to the dataset's customers or products.
#[derive(Debug, Clone, Copy, Default)]
pub struct OfferInputs<'a> {
    /// Rules mined from the same dataset's orders (items matched to products by name).
    pub rules: Option<&'a AssociationRules>,
    pub similarity: Option<&'a ItemSimilarity>,
    pub upsell: Option<&'a Upsell>,
    /// Margin per unit of each product (parallel to `Dataset::products`); `None` entries fall back to price.
    pub margins: Option<&'a [Option<Decimal>]>,
    /// P(alive) of each customer (parallel to `Dataset::customers`), in [0, 1].
    pub p_alive: Option<&'a [f64]>,
    /// A segment label per customer (parallel to `Dataset::customers`).
    pub segments: Option<&'a [String]>,
}

/// Where an offer comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum OfferSource {
    Rule,
    Similar,
    Upsell,
}

impl OfferSource {
    pub fn key(self) -> &'static str {
        match self {
            OfferSource::Rule => "rule",
            OfferSource::Similar => "similar",
            OfferSource::Upsell => "upsell",
        }
    }
}

/// One row per offer, customers in dataset order, best offer first. Text columns are coded: a
/// customer's id, an item's id and value, and a reason are each stored once.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferTable {
    #[serde(skip)]
    pub customer: Vec<u32>,
    #[serde(skip)]
    pub item: Vec<u32>,
    pub customer_id: CodedText,
    pub rank: Vec<u32>,
    pub item_id: CodedText,
    pub probability: Vec<f64>,
    /// Margin or price per unit, decimal strings.
    pub value: CodedText,
    pub p_alive: Vec<f64>,
    /// probability × value × pAlive.
    pub expected_value: Vec<f64>,
    pub source: Vec<OfferSource>,
    pub reason: CodedText,
}

impl Columnar for OfferTable {
    fn columns(&self) -> Vec<(&'static str, &'static str, Column<'_>)> {
        vec![
            ("customer_id", "customerId", Column::Coded(&self.customer_id)),
            ("rank", "rank", Column::U32(&self.rank)),
            ("item_id", "itemId", Column::Coded(&self.item_id)),
            ("probability", "probability", Column::F64(&self.probability)),
            ("value", "value", Column::Coded(&self.value)),
            ("p_alive", "pAlive", Column::F64(&self.p_alive)),
            ("expected_value", "expectedValue", Column::F64(&self.expected_value)),
            ("source", "source", Column::Label(self.source.iter().map(|s| s.key()).collect())),
            ("reason", "reason", Column::Coded(&self.reason)),
        ]
    }
}

/// An item recommended within a segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentOffer {
    pub item_id: String,
    /// Customers of the segment with the item in their top N, and with it first.
    pub customers: u64,
    pub first_choice: u64,
    /// customers / the segment's customers.
    pub share: f64,
    /// Summed over those customers.
    pub expected_value: f64,
}

/// Which offers to send to a segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentOffers {
    /// The caller's label ("all" without segments).
    pub segment: String,
    pub customers: u64,
    pub customers_with_offers: u64,
    /// Summed over the segment's offers.
    pub expected_value: f64,
    pub top_offers: Vec<SegmentOffer>,
}

/// The offers, the segment summaries and the warnings.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NextBestOffers {
    /// Crosses to JS columnar, apart from the rest (see `crate::table::Columnar`).
    #[serde(skip)]
    pub offers: OfferTable,
    pub segments: Vec<SegmentOffers>,
    /// Candidates not offered because their P was below `minProbability` (the relevance floor).
    pub below_floor: u64,
    pub warnings: Vec<Warning>,
}

/// One piece of evidence for offering an item.
#[derive(Debug, Clone, Copy)]
struct Evidence {
    p: f64,
    source: OfferSource,
    /// Row of the rule, similarity or upsell table.
    row: usize,
}

fn field_error(code: ErrorCode, field: String, message: String) -> Error {
    Error::new(code, message).with_field(field)
}

fn check(data: &Dataset, inputs: &OfferInputs<'_>, options: &OfferOptions) -> Result<()> {
    require(options.top_n >= 1, "topN", "at least 1")?;
    require((0.0..=1.0).contains(&options.min_probability), "minProbability", "from 0 to 1")?;
    require(options.repeat_min_rate.is_none_or(|r| (0.0..=1.0).contains(&r)), "repeatMinRate", "from 0 to 1")?;
    require(options.decimals <= 10, "decimals", "a whole number from 0 to 10")?;
    let customers = data.customers.len();
    let lengths = [
        ("pAlive", inputs.p_alive.map(<[f64]>::len), customers),
        ("segments", inputs.segments.map(<[String]>::len), customers),
        ("margins", inputs.margins.map(<[Option<Decimal>]>::len), data.products.len()),
    ];
    for (field, len, want) in lengths {
        if let Some(len) = len.filter(|&l| l != want) {
            return Err(field_error(ErrorCode::InvalidInput, field.into(), format!("{field} must have one entry per customer or product ({want}), not {len}")));
        }
    }
    for (i, &p) in inputs.p_alive.unwrap_or(&[]).iter().enumerate() {
        if !(0.0..=1.0).contains(&p) {
            let code = if p.is_finite() { ErrorCode::OutOfRange } else { ErrorCode::NotFinite };
            return Err(field_error(code, format!("pAlive[{i}]"), format!("pAlive[{i}] must be a probability from 0 to 1 (got {p})")));
        }
    }
    Ok(())
}

/// Label given to customers an RFM table does not score (no purchase up to its asOf).
pub const UNSCORED: &str = "unscored";

/// The `segments` input from an RFM table: each customer's segment key (`"champions"`, …), or
/// [`UNSCORED`] for customers the table leaves out.
pub fn segment_labels(data: &Dataset, rfm: &RfmTable) -> Vec<String> {
    let mut labels = vec![UNSCORED.to_owned(); data.customers.len()];
    for (&c, segment) in rfm.customer.iter().zip(&rfm.segment) {
        if let Some(slot) = labels.get_mut(c as usize) {
            *slot = segment.key().to_owned();
        }
    }
    labels
}

/// Each product's repeat rate: the share of its buyers who bought it on two or more days.
pub fn repeat_rates(data: &Dataset) -> Vec<f64> {
    Purchases::of(data).repeat
}

/// Every customer's distinct purchased products (non-return orders), and each product's repeat
/// rate, from one pass over the orders.
pub(crate) struct Purchases {
    /// Customer c's products are `items[starts[c]..starts[c + 1]]`, ascending.
    starts: Vec<usize>,
    items: Vec<u32>,
    /// Per product: the share of its buyers who bought it on two or more days.
    pub(crate) repeat: Vec<f64>,
}

impl Purchases {
    pub(crate) fn of(data: &Dataset) -> Self {
        let products = data.products.len();
        let (mut buyers, mut repeaters) = (vec![0u32; products], vec![0u32; products]);
        let mut starts = Vec::with_capacity(data.customers.len().saturating_add(1));
        let mut items = Vec::new();
        let mut bought_on: Vec<(u32, i32)> = Vec::new();
        starts.push(0);
        for c in 0..data.customers.len() as u32 {
            bought_on.clear();
            for order in data.orders_of(c).iter().filter(|o| !o.is_return) {
                bought_on.extend(purchased(data, order).map(|p| (p, order.day)));
            }
            bought_on.sort_unstable();
            for run in bought_on.chunk_by(|a, b| a.0 == b.0) {
                let (Some(&(p, first)), Some(&(_, last))) = (run.first(), run.last()) else { continue };
                items.push(p);
                if let Some(b) = buyers.get_mut(p as usize) {
                    *b = b.saturating_add(1);
                }
                if let (true, Some(r)) = (first != last, repeaters.get_mut(p as usize)) {
                    *r = r.saturating_add(1);
                }
            }
            starts.push(items.len());
        }
        let repeat = buyers.iter().zip(&repeaters).map(|(&b, &r)| if b == 0 { 0.0 } else { f64::from(r) / f64::from(b) }).collect();
        Purchases { starts, items, repeat }
    }

    /// Customer `c`'s distinct purchased products, ascending.
    pub(crate) fn of_customer(&self, c: u32) -> &[u32] {
        let c = c as usize;
        match (self.starts.get(c), self.starts.get(c.saturating_add(1))) {
            (Some(&from), Some(&to)) => self.items.get(from..to).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// Rules with one consequent, by the dataset product numbers of their items, indexed by their
/// first antecedent item: `(antecedent, consequent, row)`.
type RuleIndex = HashMap<u32, Vec<(Vec<u32>, u32, usize)>>;

fn rule_index(data: &Dataset, rules: &AssociationRules) -> RuleIndex {
    let product = |i: &u32| rules.item_names.get(*i as usize).and_then(|name| data.products.lookup(name));
    let mut index = RuleIndex::default();
    let t = &rules.rules;
    for (row, (a, c)) in t.antecedent_items.iter().zip(&t.consequent_items).enumerate() {
        let (Some(y), true) = (c.first().and_then(product), c.len() == 1) else { continue };
        let Some(mut a) = a.iter().map(product).collect::<Option<Vec<u32>>>() else { continue };
        a.sort_unstable();
        if let Some(&first) = a.first() {
            index.entry(first).or_default().push((a, y, row));
        }
    }
    index
}

fn percent(p: f64) -> String {
    format!("{:.0}%", p * 100.0)
}

/// The sentence behind an offer of `item` to a customer.
fn reason(data: &Dataset, inputs: &OfferInputs<'_>, e: Evidence, item: u32) -> String {
    let name = |i: u32| data.products.name(i).to_owned();
    let y = name(item);
    match e.source {
        OfferSource::Rule => {
            let Some(r) = inputs.rules else { return String::new() };
            let a = r.rules.antecedents.get(e.row).cloned().unwrap_or_default();
            let lift = r.rules.lift.get(e.row).copied().unwrap_or(f64::NAN);
            format!("bought {a}; {} of orders with {a} also have {y}, lift {lift:.1}", percent(e.p))
        }
        OfferSource::Similar => {
            let Some(s) = inputs.similarity else { return String::new() };
            let x = s.table.item_id.get(e.row).cloned().unwrap_or_default();
            let lift = s.table.lift.get(e.row).copied().unwrap_or(f64::NAN);
            format!("bought {x}; {} of {x} buyers also bought {y}, lift {lift:.1}", percent(e.p))
        }
        OfferSource::Upsell => {
            let Some(u) = inputs.upsell else { return String::new() };
            let x = u.table.item_id.get(e.row).cloned().unwrap_or_default();
            let step = u.table.median_step.get(e.row).cloned().unwrap_or_default();
            format!("bought {x}; {} of {x} buyers moved up to {y} (median price step {step})", percent(e.p))
        }
    }
}

/// Offers a customer who bought `own` (ascending) could get: item → best evidence.
fn rows(starts: &[usize], x: u32) -> std::ops::Range<usize> {
    starts.get(x as usize).copied().unwrap_or(0)..starts.get((x as usize).saturating_add(1)).copied().unwrap_or(0)
}

/// The evidence, indexed by the item it starts from.
struct Index {
    rules: RuleIndex,
    similar: Vec<usize>,
    upsell: Vec<usize>,
}

impl Index {
    fn new(data: &Dataset, inputs: &OfferInputs<'_>) -> Self {
        let items = data.products.len();
        Index {
            rules: inputs.rules.map(|r| rule_index(data, r)).unwrap_or_default(),
            similar: row_starts(inputs.similarity.map_or(&[][..], |s| &s.table.item), items),
            upsell: row_starts(inputs.upsell.map_or(&[][..], |u| &u.table.item), items),
        }
    }
}

/// The best evidence found so far for each item (one slot per product), and which items have some.
struct Found {
    best: Vec<Option<Evidence>>,
    items: Vec<u32>,
}

impl Found {
    fn new(products: usize) -> Self {
        Found { best: vec![None; products], items: Vec::new() }
    }

    fn clear(&mut self) {
        for &i in &self.items {
            if let Some(slot) = self.best.get_mut(i as usize) {
                *slot = None;
            }
        }
        self.items.clear();
    }

    /// Keeps `e` for `item` unless the item has better evidence (higher P; ties: rules, similarity, upsell).
    fn offer(&mut self, item: u32, e: Evidence) {
        if e.p.is_nan() || e.p <= 0.0 {
            return;
        }
        match self.best.get_mut(item as usize) {
            Some(slot @ None) => {
                *slot = Some(e);
                self.items.push(item);
            }
            Some(Some(kept)) if e.p > kept.p || (e.p == kept.p && e.source < kept.source) => *kept = e,
            _ => {}
        }
    }

    fn iter(&self) -> impl Iterator<Item = (u32, Evidence)> + '_ {
        self.items.iter().filter_map(|&i| Some((i, (*self.best.get(i as usize)?)?)))
    }
}

fn candidates(own: &[u32], inputs: &OfferInputs<'_>, index: &Index, out: &mut Found) {
    out.clear();
    let mut offer = |item: u32, e: Evidence| out.offer(item, e);
    for &x in own {
        for (a, y, row) in index.rules.get(&x).map_or(&[][..], Vec::as_slice) {
            if a.iter().all(|i| own.binary_search(i).is_ok()) {
                let p = inputs.rules.and_then(|r| r.rules.confidence.get(*row)).copied().unwrap_or(0.0);
                offer(*y, Evidence { p, source: OfferSource::Rule, row: *row });
            }
        }
        if let Some(s) = inputs.similarity {
            for row in rows(&index.similar, x) {
                if let (Some(&y), Some(&p)) = (s.table.other.get(row), s.table.also_bought.get(row)) {
                    offer(y, Evidence { p, source: OfferSource::Similar, row });
                }
            }
        }
        if let Some(u) = inputs.upsell {
            for row in rows(&index.upsell, x) {
                if let (Some(&y), Some(&p)) = (u.table.target.get(row), u.table.rate.get(row)) {
                    offer(y, Evidence { p, source: OfferSource::Upsell, row });
                }
            }
        }
    }
}

/// Whether customer-bought item `i` may still be offered.
pub(crate) fn may_reoffer(repeat: &[f64], min_rate: Option<f64>, i: u32) -> bool {
    min_rate.is_some_and(|m| repeat.get(i as usize).is_some_and(|&r| r >= m && r > 0.0))
}

/// The top offers of every customer with a purchase (see the module docs).
pub fn next_best_offers(data: &Dataset, inputs: &OfferInputs<'_>, options: &OfferOptions) -> Result<NextBestOffers> {
    next_best_offers_with_progress(data, inputs, options, &mut |_, _, _| true)
}

/// What an item is offered at: the exact value per unit, as a number for the scores and as text.
struct Value {
    number: f64,
    text: String,
}

/// Each product's value per unit: its margin when `margins` has one, else its median unit price
/// (the upsell paths' prices when given: the same).
fn values(data: &Dataset, inputs: &OfferInputs<'_>, decimals: u32) -> Vec<Option<Value>> {
    let (margins, upsell) = (inputs.margins, inputs.upsell);
    let prices = upsell.filter(|u| u.prices.len() == data.products.len()).map_or_else(|| unit_prices(data), |u| u.prices.clone());
    let margin = |i: usize| margins.and_then(|m| m.get(i).copied().flatten());
    let value = |v: Decimal| Value { number: to_f64(v), text: format_money(v, decimals) };
    prices.into_iter().enumerate().map(|(i, price)| margin(i).or(price).map(value)).collect()
}

/// [`next_best_offers`], reporting [`Stage::Scoring`] as customers are scored.
pub fn next_best_offers_with_progress(data: &Dataset, inputs: &OfferInputs<'_>, options: &OfferOptions, progress: &mut Progress<'_>) -> Result<NextBestOffers> {
    check(data, inputs, options)?;
    let values = values(data, inputs, options.decimals);
    let purchases = Purchases::of(data);
    let index = Index::new(data, inputs);
    let products = (0..data.products.len() as u32).map(|i| data.products.name(i));
    let value_texts = values.iter().map(|v| v.as_ref().map_or("", |v| v.text.as_str()));
    let mut table = OfferTable { item_id: CodedText::with_values(products), value: CodedText::with_values(value_texts), ..OfferTable::default() };
    let mut found = Found::new(data.products.len());
    let mut scored: Vec<(f64, f64, u32, Evidence)> = Vec::new();
    // An offer's reason depends only on its evidence row (the item is that row's target).
    let mut reasons: HashMap<(OfferSource, usize), u32> = HashMap::default();
    let (mut unvalued, mut below_floor) = (0u64, 0u64);
    let ticker = Ticker::start(progress, Stage::Scoring, data.customers.len())?;
    for c in 0..data.customers.len() as u32 {
        ticker.at(progress, c)?;
        let own = purchases.of_customer(c);
        if own.is_empty() {
            continue;
        }
        candidates(own, inputs, &index, &mut found);
        let p_alive = inputs.p_alive.and_then(|p| p.get(c as usize)).copied().unwrap_or(1.0);
        scored.clear();
        for (item, e) in found.iter() {
            if own.binary_search(&item).is_ok() && !may_reoffer(&purchases.repeat, options.repeat_min_rate, item) {
                continue;
            }
            if e.p < options.min_probability {
                below_floor = below_floor.saturating_add(1);
                continue;
            }
            let Some(v) = values.get(item as usize).and_then(Option::as_ref) else {
                unvalued = unvalued.saturating_add(1);
                continue;
            };
            let ev = e.p * v.number * p_alive;
            let key = match options.rank_by {
                OfferRanking::ExpectedValue => ev,
                OfferRanking::Probability => e.p,
            };
            scored.push((key, ev, item, e));
        }
        scored.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.2.cmp(&y.2)));
        scored.truncate(options.top_n);
        if !scored.is_empty() {
            table.customer_id.values.push(data.customers.name(c));
        }
        let customer_code = table.customer_id.values.len().saturating_sub(1) as u32;
        for (rank, &(_, ev, item, e)) in scored.iter().enumerate() {
            table.customer.push(c);
            table.item.push(item);
            table.customer_id.push(customer_code);
            table.rank.push((rank as u32).saturating_add(1));
            table.item_id.push(item);
            table.probability.push(e.p);
            table.value.push(item);
            table.p_alive.push(p_alive);
            table.expected_value.push(ev);
            table.source.push(e.source);
            let texts = &mut table.reason.values;
            let code = *reasons.entry((e.source, e.row)).or_insert_with(|| {
                texts.push(&reason(data, inputs, e, item));
                (texts.len() as u32).saturating_sub(1)
            });
            table.reason.push(code);
        }
    }
    ticker.finish(progress)?;
    let mut warnings = Vec::new();
    if inputs.rules.is_none() && inputs.similarity.is_none() && inputs.upsell.is_none() {
        warnings.push(Warning::new("NO_EVIDENCE", "inputs", "no rules, similarity or upsell paths were given, so there is nothing to offer"));
    }
    if unvalued > 0 {
        let message = format!("{unvalued} candidate offers had neither a margin nor a price and were left out");
        warnings.push(Warning::new("UNPRICED_ITEMS", "margins", message));
    }
    let segments = segment_summaries(data, &purchases, inputs.segments, &table, options.segment_top);
    Ok(NextBestOffers { offers: table, segments, below_floor, warnings })
}

/// A segment's customers, those with offers, and per item: customers, first choices, expected value.
type Group = (u64, u64, HashMap<u32, (u64, u64, f64)>);

/// Per segment: customers, and the items most often offered (by summed expected value).
fn segment_summaries(data: &Dataset, purchases: &Purchases, labels: Option<&[String]>, table: &OfferTable, top: usize) -> Vec<SegmentOffers> {
    let label = |c: usize| labels.and_then(|l| l.get(c)).map_or("all", String::as_str);
    let mut order: Vec<&str> = Vec::new();
    let mut groups: HashMap<&str, Group> = HashMap::default();
    for c in 0..data.customers.len() {
        if purchases.of_customer(c as u32).is_empty() {
            continue;
        }
        let l = label(c);
        let group = groups.entry(l).or_insert_with(|| {
            order.push(l);
            (0, 0, HashMap::default())
        });
        group.0 = group.0.saturating_add(1);
    }
    let mut previous = None;
    for k in 0..table.customer.len() {
        let (Some(&c), Some(&item), Some(&rank), Some(&ev)) = (table.customer.get(k), table.item.get(k), table.rank.get(k), table.expected_value.get(k)) else { continue };
        let Some(group) = groups.get_mut(label(c as usize)) else { continue };
        if previous != Some(c) {
            group.1 = group.1.saturating_add(1);
            previous = Some(c);
        }
        let entry = group.2.entry(item).or_insert((0, 0, 0.0));
        entry.0 = entry.0.saturating_add(1);
        entry.1 = entry.1.saturating_add(u64::from(rank == 1));
        entry.2 += ev;
    }
    order.sort_unstable();
    order
        .into_iter()
        .filter_map(|l| {
            let (customers, with_offers, items) = groups.get(l)?;
            let mut offers: Vec<SegmentOffer> = items
                .iter()
                .map(|(&i, &(n, first, ev))| SegmentOffer {
                    item_id: data.products.name(i).to_owned(),
                    customers: n,
                    first_choice: first,
                    share: n as f64 / (*customers).max(1) as f64,
                    expected_value: ev,
                })
                .collect();
            let expected_value = offers.iter().map(|o| o.expected_value).sum();
            offers.sort_by(|a, b| b.expected_value.total_cmp(&a.expected_value).then_with(|| a.item_id.cmp(&b.item_id)));
            offers.truncate(top);
            Some(SegmentOffers { segment: l.to_owned(), customers: *customers, customers_with_offers: *with_offers, expected_value, top_offers: offers })
        })
        .collect()
}
