//! Cross-sell and upsell: market baskets, frequent itemsets (FP-growth), association rules with
//! mlxtend's metrics, item-to-item similarity, upsell paths, next-best offers and their evaluation.
//!
//! Everything here is plain Rust over a [`crate::dataset::Dataset`] or [`Baskets`]: results are
//! structs of column vectors (one entry per row) or small `Serialize` structs (camelCase), so the
//! wasm layer only converts. Infinite numbers (conviction of a rule with confidence 1) are
//! `f64::INFINITY`: JS `Infinity`, CSV `inf` (serde_json would write `null`).
//!
//! The flow, and where each step's rules are documented:
//! - [`Baskets::from_dataset`] or [`BasketIngest`] (a baskets file) → [`frequent_itemsets`]
//!   ([`fpgrowth`]) → [`association_rules`] ([`rules`]: mlxtend 0.25's metrics);
//! - [`item_similarity`] ([`similarity`]) and [`upsell()`] ([`mod@upsell`]) from the dataset;
//! - [`next_best_offers`] ([`offers`]) from any of the three, with P(alive), margins and segment
//!   labels ([`segment_labels`] from RFM) as optional per-customer / per-product columns;
//! - [`evaluate()`] ([`mod@evaluate`]): all of the above trained before a cut date, scored after it.
//!
//! Option objects from JS are parsed by [`requests`] (`UNKNOWN_FIELD`, `OUT_OF_RANGE`, … naming
//! the field). No new error codes; warnings (in each result's `warnings`) have these codes:
//! `BASKETS_CAPPED`, `ITEMSETS_CAPPED` (FP-growth guards), `RULES_CAPPED`, `ITEMSETS_TOO_LONG`,
//! `RULES_INCOMPLETE`, `UNKNOWN_ITEM` (rules), `CUSTOMERS_CAPPED` (similarity, upsell),
//! `NO_CATEGORIES` (upsell), `NO_EVIDENCE`, `UNPRICED_ITEMS` (offers).
//!
//! Long calls report [`Progress`] per [`Stage`]: the wasm calls are synchronous, so a callback is
//! the only way to see how far one has got (and, by returning false, to stop it with `CANCELLED`).

pub mod analyses;
pub mod baskets;
pub mod evaluate;
pub mod fpgrowth;
pub mod offers;
pub mod requests;
pub mod rules;
pub mod similarity;
pub mod upsell;

use crate::dataset::{Dataset, Order};
use crate::error::{Error, ErrorCode, Result};

/// Counting-sort offsets: with `keys` grouped by value (or to be placed so), the entries of value
/// x are at `starts[x] .. starts[x + 1]`; values at or past `items` are not counted.
pub(crate) fn row_starts(keys: &[u32], items: usize) -> Vec<usize> {
    let mut starts = vec![0usize; items.saturating_add(1)];
    for &k in keys {
        if let Some(s) = starts.get_mut((k as usize).saturating_add(1)) {
            *s = s.saturating_add(1);
        }
    }
    for x in 1..starts.len() {
        let previous = starts.get(x.wrapping_sub(1)).copied().unwrap_or(0);
        if let Some(s) = starts.get_mut(x) {
            *s = s.saturating_add(previous);
        }
    }
    starts
}

/// A stage of a long cross-sell call ([`analyses::offers`], [`evaluate_with_progress`]), as
/// progress reports name it (JS: `"rules"`, `"similarity"`, `"upsell"`, `"scoring"`, `"evaluating"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Stage {
    /// Frequent itemsets and association rules (reported as 0 of 1, then 1 of 1).
    Rules,
    /// Item-to-item similarity (0 of 1, then 1 of 1).
    Similarity,
    /// Upsell paths (0 of 1, then 1 of 1).
    Upsell,
    /// Next-best offers: customers scored of all customers, about every 1 % and at the end.
    Scoring,
    /// Offline evaluation: customers evaluated of all customers, as `Scoring`.
    Evaluating,
}

impl Stage {
    pub fn key(self) -> &'static str {
        match self {
            Stage::Rules => "rules",
            Stage::Similarity => "similarity",
            Stage::Upsell => "upsell",
            Stage::Scoring => "scoring",
            Stage::Evaluating => "evaluating",
        }
    }
}

/// A progress callback: `(stage, done, total)` in the stage's own units (see [`Stage`]); it
/// returns false to stop the call, which then fails with `CANCELLED`.
pub type Progress<'a> = dyn FnMut(Stage, u64, u64) -> bool + 'a;

/// Calls `progress`; `CANCELLED` when it asks to stop.
pub(crate) fn report(progress: &mut Progress<'_>, stage: Stage, done: u64, total: u64) -> Result<()> {
    if progress(stage, done, total) {
        Ok(())
    } else {
        Err(Error::new(ErrorCode::Cancelled, format!("cancelled by the progress callback during {}", stage.key())))
    }
}

/// Runs one indivisible stage between a report of 0 of 1 and one of 1 of 1.
pub(crate) fn staged<T>(progress: &mut Progress<'_>, stage: Stage, run: impl FnOnce() -> Result<T>) -> Result<T> {
    report(progress, stage, 0, 1)?;
    let out = run()?;
    report(progress, stage, 1, 1)?;
    Ok(out)
}

/// Progress of a per-item loop: reports 0 of `total`, about every 1 % of `total`, and the end.
pub(crate) struct Ticker {
    stage: Stage,
    total: u64,
    step: u64,
}

impl Ticker {
    pub(crate) fn start(progress: &mut Progress<'_>, stage: Stage, total: usize) -> Result<Ticker> {
        let total = u64::try_from(total).unwrap_or(u64::MAX);
        report(progress, stage, 0, total)?;
        Ok(Ticker { stage, total, step: (total / 100).max(1) })
    }

    /// Before item `done` (0-based).
    pub(crate) fn at(&self, progress: &mut Progress<'_>, done: u32) -> Result<()> {
        let done = u64::from(done);
        if done > 0 && done.checked_rem(self.step) == Some(0) { report(progress, self.stage, done, self.total) } else { Ok(()) }
    }

    pub(crate) fn finish(&self, progress: &mut Progress<'_>) -> Result<()> {
        report(progress, self.stage, self.total, self.total)
    }
}

/// `OUT_OF_RANGE` naming `field` unless `ok`: "{field} must be {what}".
pub(crate) fn require(ok: bool, field: &str, what: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::new(ErrorCode::OutOfRange, format!("{field} must be {what}")).with_field(field))
    }
}

/// The products an order bought: its lines with a product and a positive quantity (repeats kept).
/// Every analysis here reads purchases through this one definition; returns are left to callers
/// (they skip orders marked `is_return`).
pub(crate) fn purchased<'d>(data: &'d Dataset, order: &Order) -> impl Iterator<Item = u32> + 'd {
    data.lines_of(order).iter().filter(|l| l.quantity.is_sign_positive() && !l.quantity.is_zero()).filter_map(|l| l.product)
}

pub use baskets::{ingest_baskets_bytes, BasketIngest, BasketIngestOptions, BasketReport, Baskets, BasketsBuilder};
pub use fpgrowth::{frequent_itemsets, item_label, FrequentItemsets, Itemset, ItemsetOptions, ItemsetTable, ITEM_SEPARATOR};
pub use rules::{association_rules, AssociationRules, Metric, MetricFilter, RuleMetrics, RuleOptions, RuleTable};
pub use evaluate::{evaluate, evaluate_with_progress, ndcg, Evaluation, EvaluationOptions, ModelScore};
pub use requests::{EvaluationRequest, FilterRequest, NextBestOfferPlan, NextBestOfferRequest, OfferRequest, OfferSources, RulesRequest, SimilarityRequest, UpsellRequest};
pub use offers::{next_best_offers, next_best_offers_with_progress, repeat_rates, segment_labels, NextBestOffers, OfferInputs, OfferOptions, OfferRanking, OfferSource, OfferTable, SegmentOffer, SegmentOffers, DEFAULT_MIN_PROBABILITY};
pub use similarity::{item_similarity, log_likelihood_ratio, CustomerItems, ItemSimilarity, SimilarityOptions, SimilarityTable};
pub use upsell::{unit_prices, upsell, Upsell, UpsellOptions, UpsellTable};
