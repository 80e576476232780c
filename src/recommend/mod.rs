//! Cross-sell and upsell: market baskets, frequent itemsets (FP-growth), association rules with
//! mlxtend's metrics, item-to-item similarity, upsell paths, next-best offers and their evaluation.
//!
//! Everything here is plain Rust over a [`crate::dataset::Dataset`] or [`Baskets`]: results are
//! structs of column vectors (one entry per row) or small `Serialize` structs (camelCase), so the
//! wasm layer only converts. Infinite numbers (conviction of a rule with confidence 1) are
//! `f64::INFINITY`: JS `Infinity`, CSV `inf`.

pub mod baskets;
pub mod fpgrowth;
pub mod rules;

pub use baskets::{ingest_baskets_bytes, BasketIngest, BasketIngestOptions, BasketReport, Baskets, BasketsBuilder};
pub use fpgrowth::{frequent_itemsets, FrequentItemsets, Itemset, ItemsetOptions, ItemsetTable};
pub use rules::{association_rules, AssociationRules, Metric, MetricFilter, RuleMetrics, RuleOptions, RuleTable};
