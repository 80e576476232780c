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
    let mut starts = vec![0usize; items + 1];
    for &k in keys {
        if let Some(s) = starts.get_mut(k as usize + 1) {
            *s += 1;
        }
    }
    for x in 1..starts.len() {
        let previous = starts.get(x - 1).copied().unwrap_or(0);
        if let Some(s) = starts.get_mut(x) {
            *s += previous;
        }
    }
    starts
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
pub use fpgrowth::{frequent_itemsets, FrequentItemsets, Itemset, ItemsetOptions, ItemsetTable};
pub use rules::{association_rules, AssociationRules, Metric, MetricFilter, RuleMetrics, RuleOptions, RuleTable};
pub use evaluate::{evaluate, Evaluation, EvaluationOptions, ModelScore};
pub use requests::{EvaluationRequest, FilterRequest, NextBestOfferPlan, NextBestOfferRequest, OfferRequest, OfferSources, RulesRequest, SimilarityRequest, UpsellRequest};
pub use offers::{next_best_offers, repeat_rates, segment_labels, NextBestOffers, OfferInputs, OfferOptions, OfferRanking, OfferSource, OfferTable, SegmentOffer, SegmentOffers};
pub use similarity::{item_similarity, log_likelihood_ratio, CustomerItems, ItemSimilarity, SimilarityOptions, SimilarityTable};
pub use upsell::{unit_prices, upsell, Upsell, UpsellOptions, UpsellTable};
