//! The cross-sell analyses as the JS API and the CLI call them: one function per call, from the
//! validated request objects of [`super::requests`] to results ready to convert (tables columnar).
//!
//! Next-best offers compose the others: rules mined from the dataset's orders, item similarity and
//! upsell paths (each as its `sources` allow), margins by product id, RFM segments as the
//! per-segment labels, and P(alive) when a fitted model supplies it. A dataset's [`Mined`] keeps
//! what was mined with which options, so offers reuse the tables a page has just listed.

use std::cell::RefCell;
use std::rc::Rc;

use rust_decimal::Decimal;
use serde::Serialize;

use super::baskets::Baskets;
use super::fpgrowth::{frequent_itemsets, ItemsetOptions, ItemsetTable};
use super::offers::{next_best_offers_with_progress, segment_labels, NextBestOffers, OfferInputs};
use super::requests::{NextBestOfferPlan, RulesRequest};
use super::rules::{association_rules, AssociationRules, RuleOptions, RuleTable};
use super::similarity::{item_similarity, ItemSimilarity, SimilarityOptions};
use super::upsell::{upsell, Upsell, UpsellOptions};
use super::{staged, Progress, Stage};
use crate::dataset::Dataset;
use crate::models::{fit_transactions, Customers, FitOptions, TransactionModel};
use crate::summary::{customer_table, CustomerColumns, SummaryOptions, TimeUnit};
use crate::error::{Result, Warning};
use crate::segments::{rfm, RfmOptions, RfmTable};

/// Frequent itemsets of some baskets (`itemsets()`); the table crosses columnar.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemsetsResult {
    pub baskets: u64,
    /// The smallest basket count an itemset needed (minSupport × baskets, rounded up).
    pub min_count: u32,
    /// False when a guard stopped the mining early (a warning says which).
    pub complete: bool,
    #[serde(skip)]
    pub itemsets: ItemsetTable,
    pub warnings: Vec<Warning>,
}

/// Association rules of some baskets (`rules()`); the table crosses columnar.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RulesResult {
    pub baskets: u64,
    pub itemsets: u64,
    pub complete: bool,
    /// Rules that passed every filter, before the `maxRules` cap.
    pub matched: u64,
    #[serde(skip)]
    pub rules: RuleTable,
    pub warnings: Vec<Warning>,
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

pub fn itemsets(baskets: &Baskets, request: &RulesRequest) -> Result<ItemsetsResult> {
    let (options, _) = request.parse()?;
    let found = frequent_itemsets(baskets, &options)?;
    Ok(ItemsetsResult {
        baskets: count(found.baskets),
        min_count: found.min_count,
        complete: found.complete,
        itemsets: found.table(),
        warnings: found.warnings,
    })
}

pub fn rules(baskets: &Baskets, request: &RulesRequest) -> Result<RulesResult> {
    let (itemset_options, rule_options) = request.parse()?;
    Ok(mine_rules(baskets, &itemset_options, &rule_options)?.result())
}

/// Frequent itemsets, then association rules, with what the itemsets step counted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MinedRules {
    pub baskets: u64,
    pub itemsets: u64,
    pub complete: bool,
    pub itemset_warnings: Vec<Warning>,
    pub rules: AssociationRules,
}

impl MinedRules {
    /// The `rules()` result (the table copied).
    pub fn result(&self) -> RulesResult {
        let mut warnings = self.itemset_warnings.clone();
        warnings.extend(self.rules.warnings.iter().cloned());
        RulesResult {
            baskets: self.baskets,
            itemsets: self.itemsets,
            complete: self.complete,
            matched: self.rules.matched,
            rules: self.rules.rules.clone(),
            warnings,
        }
    }
}

fn mine_rules(baskets: &Baskets, itemsets: &ItemsetOptions, rules: &RuleOptions) -> Result<MinedRules> {
    let found = frequent_itemsets(baskets, itemsets)?;
    let mined = association_rules(&found, rules)?;
    Ok(MinedRules { baskets: count(found.baskets), itemsets: count(found.itemsets.len()), complete: found.complete, itemset_warnings: found.warnings, rules: mined })
}

/// One kept result and the options it was made with.
type Kept<K, V> = RefCell<Option<(K, Rc<V>)>>;

/// The kept result when it was made with `key`, else `make()`'s, kept in its place.
fn kept<K: PartialEq + Clone, V>(slot: &Kept<K, V>, key: &K, make: impl FnOnce() -> Result<V>) -> Result<Rc<V>> {
    if let Some((made_with, value)) = slot.borrow().as_ref() {
        if made_with == key {
            return Ok(Rc::clone(value));
        }
    }
    let value = Rc::new(make()?);
    *slot.borrow_mut() = Some((key.clone(), Rc::clone(&value)));
    Ok(value)
}

/// What has been mined from one dataset (which never changes once ingested): the last rules,
/// similarity and upsell tables, each with its options, and the RFM segment labels. A call with
/// the same options gets the same table back without mining again; the demo lists rules, pairs and
/// paths, then asks for offers built from exactly those.
#[derive(Debug, Default)]
pub struct Mined {
    rules: Kept<(ItemsetOptions, RuleOptions), MinedRules>,
    similarity: Kept<SimilarityOptions, ItemSimilarity>,
    upsell: Kept<UpsellOptions, Upsell>,
    segments: Kept<RfmOptions, Vec<String>>,
    p_alive: Kept<TransactionModel, Vec<f64>>,
}

impl Mined {
    /// Rules of the dataset's orders (one basket per order, returns left out).
    pub fn rules(&self, data: &Dataset, itemsets: &ItemsetOptions, rules: &RuleOptions) -> Result<Rc<MinedRules>> {
        kept(&self.rules, &(itemsets.clone(), rules.clone()), || mine_rules(&Baskets::from_dataset(data), itemsets, rules))
    }

    pub fn similarity(&self, data: &Dataset, options: &SimilarityOptions) -> Result<Rc<ItemSimilarity>> {
        kept(&self.similarity, options, || item_similarity(data, options))
    }

    pub fn upsell(&self, data: &Dataset, options: &UpsellOptions) -> Result<Rc<Upsell>> {
        kept(&self.upsell, options, || upsell(data, options))
    }

    /// Each customer's RFM segment key (default RFM options), as offers label their summaries.
    pub fn segments(&self, data: &Dataset) -> Result<Rc<Vec<String>>> {
        let options = RfmOptions::default();
        kept(&self.segments, &options, || Ok(segment_labels(data, &rfm(data, &options)?.customers)))
    }

    /// Keeps the segments of an RFM table made with `options` (for offers, when they are the default).
    pub fn remember_segments(&self, data: &Dataset, options: &RfmOptions, table: &RfmTable) {
        if *options == RfmOptions::default() {
            *self.segments.borrow_mut() = Some((*options, Rc::new(segment_labels(data, table))));
        }
    }

    /// Each customer's P(alive) under `model` as offers weigh them ([`p_alive_by_customer`]).
    pub fn p_alive(&self, data: &Dataset, model: TransactionModel) -> Result<Rc<Vec<f64>>> {
        kept(&self.p_alive, &model, || p_alive_by_customer(data, model))
    }

    /// Keeps the P(alive) a prediction computed (`customer[i]`: row i's customer, `p_alive[i]`)
    /// when offers would compute the very same: `model` fitted with the default options to the
    /// [`OFFERS_SUMMARY`] table.
    pub fn remember_p_alive(&self, data: &Dataset, model: TransactionModel, summary: &SummaryOptions, fit: &FitOptions, customer: &[u32], p_alive: &[f64]) {
        if *summary == OFFERS_SUMMARY && *fit == FitOptions::default() && customer.len() == p_alive.len() {
            *self.p_alive.borrow_mut() = Some((model, Rc::new(p_alive_in_dataset_order(data, customer, p_alive))));
        }
    }
}

/// Margin per unit of each product (parallel to `data.products`) from margins by product id, and
/// a warning naming the ids the data does not have.
fn margins_by_product(data: &Dataset, margins: &[(String, Decimal)]) -> (Vec<Option<Decimal>>, Option<Warning>) {
    let mut by_product = vec![None; data.products.len()];
    let mut unknown = Vec::new();
    for (id, margin) in margins {
        match data.products.lookup(id).and_then(|p| by_product.get_mut(p as usize)) {
            Some(slot) => *slot = Some(*margin),
            None => unknown.push(id.as_str()),
        }
    }
    let warning = (!unknown.is_empty()).then(|| {
        let shown: Vec<&str> = unknown.iter().take(5).copied().collect();
        Warning::new(
            "UNKNOWN_PRODUCT",
            "margins",
            format!("{} product id(s) in margins are not in the data and were ignored (e.g. {})", unknown.len(), shown.join(", ")),
        )
    });
    (by_product, warning)
}

/// Next-best offers per customer (`offers()`): candidates from the sources the plan allows, each
/// scored by P(purchase) × margin (or price) × P(alive) (from the plan's model; without one
/// everyone counts as alive), summarised per RFM segment; tables `mined` already holds are reused.
/// `progress` hears of each stage that runs: rules, similarity, upsell (as the sources allow),
/// then scoring.
pub fn offers(data: &Dataset, plan: &NextBestOfferPlan, mined: &Mined, progress: &mut Progress<'_>) -> Result<NextBestOffers> {
    let p_alive = plan.model.map(|model| mined.p_alive(data, model)).transpose()?;
    let rules = plan.sources.rules.then(|| staged(progress, Stage::Rules, || mined.rules(data, &plan.itemsets, &plan.rules))).transpose()?;
    let similarity = plan.sources.similar.then(|| staged(progress, Stage::Similarity, || mined.similarity(data, &plan.similarity))).transpose()?;
    let paths = plan.sources.upsell.then(|| staged(progress, Stage::Upsell, || mined.upsell(data, &plan.upsell))).transpose()?;
    let (margins, unknown) = margins_by_product(data, &plan.margins);
    let segments = mined.segments(data)?;
    let inputs = OfferInputs {
        rules: rules.as_ref().map(|r| &r.rules),
        similarity: similarity.as_deref(),
        upsell: paths.as_deref(),
        margins: (!plan.margins.is_empty()).then_some(margins.as_slice()),
        p_alive: p_alive.as_deref().map(Vec::as_slice),
        segments: Some(segments.as_slice()),
    };
    let mut result = next_best_offers_with_progress(data, &inputs, &plan.offers, progress)?;
    let mut warnings: Vec<Warning> = rules.iter().flat_map(|r| r.itemset_warnings.iter().cloned()).collect();
    warnings.extend(unknown);
    let sources = [rules.as_ref().map(|r| &r.rules.warnings), similarity.as_ref().map(|s| &s.warnings), paths.as_ref().map(|u| &u.warnings)];
    warnings.extend(sources.into_iter().flatten().flatten().cloned());
    warnings.append(&mut result.warnings);
    result.warnings = warnings;
    Ok(result)
}

/// Each dataset customer's P(alive) (parallel to `data.customers`) from `model` fitted to the
/// customer table in weeks as of the last order; customers with no purchase count as alive (1).
pub fn p_alive_by_customer(data: &Dataset, model: TransactionModel) -> Result<Vec<f64>> {
    let table = customer_table(data, &OFFERS_SUMMARY, CustomerColumns::BTYD)?;
    let customers = Customers::from_table(&table);
    let fit = fit_transactions(model, &customers, &FitOptions::default())?;
    let alive = fit.params.p_alive(&customers)?;
    Ok(p_alive_in_dataset_order(data, &table.customer, &alive))
}

/// The customer table `offers` fits its model to: weeks, as of the last order (with the default
/// fit options). Predictions made the same way give the same P(alive), so they can be reused.
pub const OFFERS_SUMMARY: SummaryOptions = SummaryOptions { unit: TimeUnit::Weeks, as_of: None };

/// P(alive) of table rows (`customer[i]` is row i's index in `data.customers`) laid out in
/// dataset order; customers not in the table (no purchase) count as alive (1).
pub fn p_alive_in_dataset_order(data: &Dataset, customer: &[u32], alive: &[f64]) -> Vec<f64> {
    let mut by_customer = vec![1.0; data.customers.len()];
    for (&c, &p) in customer.iter().zip(alive) {
        if let Some(slot) = by_customer.get_mut(c as usize) {
            *slot = p;
        }
    }
    by_customer
}
