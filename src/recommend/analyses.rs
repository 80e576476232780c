//! The cross-sell analyses as the JS API and the CLI call them: one function per call, from the
//! validated request objects of [`super::requests`] to results ready to convert (tables columnar).
//!
//! Next-best offers compose the others: rules mined from the dataset's orders, item similarity and
//! upsell paths (each as its `sources` allow), margins by product id, RFM segments as the
//! per-segment labels, and P(alive) when a fitted model supplies it.

use rust_decimal::Decimal;
use serde::Serialize;

use super::baskets::Baskets;
use super::fpgrowth::{frequent_itemsets, ItemsetTable};
use super::offers::{next_best_offers_with_progress, segment_labels, NextBestOffers, OfferInputs};
use super::requests::{NextBestOfferPlan, RulesRequest};
use super::rules::{association_rules, RuleTable};
use super::similarity::item_similarity;
use super::upsell::upsell;
use super::{staged, Progress, Stage};
use crate::dataset::Dataset;
use crate::models::{fit_transactions, Customers, FitOptions, TransactionModel};
use crate::summary::{customer_table, SummaryOptions, TimeUnit};
use crate::error::{Result, Warning};
use crate::segments::{rfm, RfmOptions};

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
    let found = frequent_itemsets(baskets, &itemset_options)?;
    let mined = association_rules(&found, &rule_options)?;
    let mut warnings = found.warnings;
    warnings.extend(mined.warnings);
    Ok(RulesResult {
        baskets: count(found.baskets),
        itemsets: count(found.itemsets.len()),
        complete: found.complete,
        matched: mined.matched,
        rules: mined.rules,
        warnings,
    })
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
/// scored by P(purchase) × margin (or price) × P(alive) (`p_alive`: parallel to the dataset's
/// customers; `None` counts everyone as alive), summarised per RFM segment. `progress` hears of
/// each stage that runs: rules, similarity, upsell (as the sources allow), then scoring.
pub fn offers(data: &Dataset, plan: &NextBestOfferPlan, p_alive: Option<&[f64]>, progress: &mut Progress<'_>) -> Result<NextBestOffers> {
    let fitted = match (p_alive, plan.model) {
        (None, Some(model)) => Some(p_alive_by_customer(data, model)?),
        _ => None,
    };
    let p_alive = p_alive.or(fitted.as_deref());
    let mut warnings = Vec::new();
    let rules = if plan.sources.rules {
        let (found, mined) = staged(progress, Stage::Rules, || {
            let found = frequent_itemsets(&Baskets::from_dataset(data), &plan.itemsets)?;
            let mined = association_rules(&found, &plan.rules)?;
            Ok((found, mined))
        })?;
        warnings.extend(found.warnings);
        Some(mined)
    } else {
        None
    };
    let similarity = plan.sources.similar.then(|| staged(progress, Stage::Similarity, || item_similarity(data, &plan.similarity))).transpose()?;
    let paths = plan.sources.upsell.then(|| staged(progress, Stage::Upsell, || upsell(data, &plan.upsell))).transpose()?;
    let (margins, unknown) = margins_by_product(data, &plan.margins);
    warnings.extend(unknown);
    let segments = segment_labels(data, &rfm(data, &RfmOptions::default())?.customers);
    let inputs = OfferInputs {
        rules: rules.as_ref(),
        similarity: similarity.as_ref(),
        upsell: paths.as_ref(),
        margins: (!plan.margins.is_empty()).then_some(margins.as_slice()),
        p_alive,
        segments: Some(&segments),
    };
    let mut result = next_best_offers_with_progress(data, &inputs, &plan.offers, progress)?;
    for source in [rules.map(|r| r.warnings), similarity.map(|s| s.warnings), paths.map(|u| u.warnings)].into_iter().flatten() {
        warnings.extend(source);
    }
    warnings.append(&mut result.warnings);
    result.warnings = warnings;
    Ok(result)
}

/// Each dataset customer's P(alive) (parallel to `data.customers`) from `model` fitted to the
/// customer table in weeks as of the last order; customers with no purchase count as alive (1).
pub fn p_alive_by_customer(data: &Dataset, model: TransactionModel) -> Result<Vec<f64>> {
    let table = customer_table(data, &OFFERS_SUMMARY)?;
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
