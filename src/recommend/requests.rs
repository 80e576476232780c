//! The option objects of the cross-sell analyses as JS (or JSON) sends them, validated into the
//! core's option structs with the typed errors of every clvkit input (field names are JS names).
//!
//! Every field is optional, with the core's documented default; unknown fields are
//! `UNKNOWN_FIELD`. Metric names are the camelCase ones (`"zhangsMetric"`) or mlxtend's
//! (`"zhangs_metric"`, `"antecedent support"`): case, spaces and underscores are ignored.

use std::ops::Bound::{Excluded, Included, Unbounded};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::evaluate::EvaluationOptions;
use super::fpgrowth::ItemsetOptions;
use super::offers::{OfferOptions, OfferRanking};
use super::rules::{Metric, MetricFilter, RuleOptions};
use super::similarity::SimilarityOptions;
use super::upsell::UpsellOptions;
use crate::dataset::Day;
use crate::error::{Error, ErrorCode, Result};
use crate::ingest::dates::parse_iso_day;
use crate::input::{count_in_range, decimal_in_range, optional, reject_unknown, text, Scalar, Unknown, MAX_SAFE_INTEGER};

/// A number as f64 within bounds (exact decimal check, then converted).
fn number(field: &str, value: Option<&Scalar>, min: std::ops::Bound<Decimal>, max: std::ops::Bound<Decimal>) -> Result<f64> {
    let d = decimal_in_range(field, value, min, max)?;
    d.to_f64().ok_or_else(|| Error::new(ErrorCode::Overflow, format!("{field} is too large")).with_field(field))
}

/// An optional whole number in `min..=max` as usize.
fn size(field: &str, value: Option<&Scalar>, min: u64, max: u64) -> Result<Option<usize>> {
    optional(value, |v| count_in_range(field, v, min, max))?
        .map(|n| usize::try_from(n).map_err(|_| Error::new(ErrorCode::OutOfRange, format!("{field} is too large for this machine")).with_field(field)))
        .transpose()
}

fn decimals(prefix: &str, value: Option<&Scalar>, default: u32) -> Result<u32> {
    Ok(size(&format!("{prefix}decimals"), value, 0, 10)?.map_or(default, |n| n as u32))
}

/// A metric by its JS or mlxtend name.
pub fn parse_metric(field: &str, value: Option<&Scalar>) -> Result<Metric> {
    let raw = text(field, value)?;
    let key: String = raw.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    let metric = match key.as_str() {
        "antecedentsupport" => Metric::AntecedentSupport,
        "consequentsupport" => Metric::ConsequentSupport,
        "support" => Metric::Support,
        "confidence" => Metric::Confidence,
        "lift" => Metric::Lift,
        "leverage" => Metric::Leverage,
        "conviction" => Metric::Conviction,
        "zhangsmetric" => Metric::ZhangsMetric,
        "jaccard" => Metric::Jaccard,
        "certainty" => Metric::Certainty,
        "kulczynski" => Metric::Kulczynski,
        _ => {
            let message = format!(
                "{field} must be one of antecedentSupport, consequentSupport, support, confidence, lift, leverage, conviction, \
                 zhangsMetric, jaccard, certainty, kulczynski (got {raw:?})"
            );
            return Err(Error::new(ErrorCode::OutOfRange, message).with_field(field));
        }
    };
    Ok(metric)
}

/// One entry of `filters`: `{ metric, min?, max? }` (a bound may be any number, ±Infinity excluded).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterRequest {
    pub metric: Option<Scalar>,
    pub min: Option<Scalar>,
    pub max: Option<Scalar>,
    #[serde(flatten)]
    pub unknown: Unknown,
}

/// `{ minSupport?, maxLen?, maxBasketItems?, maxItemsets?, filters?, antecedentAny?, consequentAny?,
/// excludeItems?, maxAntecedentLen?, maxConsequentLen?, maxRules?, sortBy? }`: itemsets and rules.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RulesRequest {
    pub min_support: Option<Scalar>,
    pub max_len: Option<Scalar>,
    pub max_basket_items: Option<Scalar>,
    pub max_itemsets: Option<Scalar>,
    pub filters: Option<Vec<FilterRequest>>,
    pub antecedent_any: Option<Vec<String>>,
    pub consequent_any: Option<Vec<String>>,
    pub exclude_items: Option<Vec<String>>,
    pub max_antecedent_len: Option<Scalar>,
    pub max_consequent_len: Option<Scalar>,
    pub max_rules: Option<Scalar>,
    pub sort_by: Option<Scalar>,
    #[serde(flatten)]
    pub unknown: Unknown,
}

/// At most this many filters and listed items (a typo guard, not a real limit).
const MAX_LIST: usize = 10_000;
/// Largest `maxRules`: a rule takes a few hundred bytes while the table is built (kept up to about
/// twice the cap between cuts), so a million keeps the wasm well inside its 4 GiB. Tens of
/// millions of rules (a low support on a few long baskets) would exhaust the memory instead.
const MAX_RULES: u64 = 1_000_000;

impl RulesRequest {
    /// The options of `frequent_itemsets` and `association_rules`; `prefix` is "" or a path
    /// such as "mining." for nested objects.
    pub fn parse_with(&self, prefix: &str) -> Result<(ItemsetOptions, RuleOptions)> {
        reject_unknown(prefix, &self.unknown)?;
        let f = |name: &str| format!("{prefix}{name}");
        let d = ItemsetOptions::default();
        let min_support = optional(self.min_support.as_ref(), |v| number(&f("minSupport"), v, Excluded(Decimal::ZERO), Included(Decimal::ONE)))?;
        let itemsets = ItemsetOptions {
            min_support: min_support.unwrap_or(d.min_support),
            max_len: size(&f("maxLen"), self.max_len.as_ref(), 1, 1000)?,
            max_basket_items: size(&f("maxBasketItems"), self.max_basket_items.as_ref(), 1, MAX_SAFE_INTEGER)?.unwrap_or(d.max_basket_items),
            max_itemsets: size(&f("maxItemsets"), self.max_itemsets.as_ref(), 1, 100_000_000)?.unwrap_or(d.max_itemsets),
        };
        let r = RuleOptions::default();
        let entries = self.filters.as_deref().unwrap_or(&[]);
        for (field, len) in [("filters", entries.len()), ("antecedentAny", self.antecedent_any.as_ref().map_or(0, Vec::len))] {
            if len > MAX_LIST {
                let message = format!("{} may list at most {MAX_LIST} entries (got {len})", f(field));
                return Err(Error::new(ErrorCode::OutOfRange, message).with_field(f(field)));
            }
        }
        let mut filters = Vec::with_capacity(entries.len());
        for (i, entry) in entries.iter().enumerate() {
            let path = format!("{prefix}filters[{i}].");
            reject_unknown(&path, &entry.unknown)?;
            let bound = |name: &str, v: Option<&Scalar>| optional(v, |v| number(&format!("{path}{name}"), v, Unbounded, Unbounded));
            filters.push(MetricFilter {
                metric: parse_metric(&format!("{path}metric"), entry.metric.as_ref())?,
                min: bound("min", entry.min.as_ref())?,
                max: bound("max", entry.max.as_ref())?,
            });
        }
        let rules = RuleOptions {
            filters,
            antecedent_any: self.antecedent_any.clone().unwrap_or_default(),
            consequent_any: self.consequent_any.clone().unwrap_or_default(),
            exclude_items: self.exclude_items.clone().unwrap_or_default(),
            max_antecedent_len: size(&f("maxAntecedentLen"), self.max_antecedent_len.as_ref(), 1, 1000)?,
            max_consequent_len: size(&f("maxConsequentLen"), self.max_consequent_len.as_ref(), 1, 1000)?,
            max_rules: size(&f("maxRules"), self.max_rules.as_ref(), 1, MAX_RULES)?.unwrap_or(r.max_rules),
            sort_by: optional(self.sort_by.as_ref(), |v| parse_metric(&f("sortBy"), v))?.unwrap_or(r.sort_by),
        };
        Ok((itemsets, rules))
    }

    pub fn parse(&self) -> Result<(ItemsetOptions, RuleOptions)> {
        self.parse_with("")
    }
}

/// `{ topK?, minCoBuyers?, maxItemsPerCustomer? }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimilarityRequest {
    pub top_k: Option<Scalar>,
    pub min_co_buyers: Option<Scalar>,
    pub max_items_per_customer: Option<Scalar>,
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl SimilarityRequest {
    pub fn parse_with(&self, prefix: &str) -> Result<SimilarityOptions> {
        reject_unknown(prefix, &self.unknown)?;
        let d = SimilarityOptions::default();
        let f = |name: &str| format!("{prefix}{name}");
        Ok(SimilarityOptions {
            top_k: size(&f("topK"), self.top_k.as_ref(), 1, 1000)?.unwrap_or(d.top_k),
            min_co_buyers: size(&f("minCoBuyers"), self.min_co_buyers.as_ref(), 1, u64::from(u32::MAX))?.map_or(d.min_co_buyers, |n| n as u32),
            max_items_per_customer: size(&f("maxItemsPerCustomer"), self.max_items_per_customer.as_ref(), 2, 100_000)?.unwrap_or(d.max_items_per_customer),
        })
    }

    pub fn parse(&self) -> Result<SimilarityOptions> {
        self.parse_with("")
    }
}

/// `{ topK?, minMovers?, maxItemsPerCustomer?, decimals? }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpsellRequest {
    pub top_k: Option<Scalar>,
    pub min_movers: Option<Scalar>,
    pub max_items_per_customer: Option<Scalar>,
    pub decimals: Option<Scalar>,
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl UpsellRequest {
    pub fn parse_with(&self, prefix: &str) -> Result<UpsellOptions> {
        reject_unknown(prefix, &self.unknown)?;
        let d = UpsellOptions::default();
        let f = |name: &str| format!("{prefix}{name}");
        Ok(UpsellOptions {
            top_k: size(&f("topK"), self.top_k.as_ref(), 1, 1000)?.unwrap_or(d.top_k),
            min_movers: size(&f("minMovers"), self.min_movers.as_ref(), 1, u64::from(u32::MAX))?.map_or(d.min_movers, |n| n as u32),
            max_items_per_customer: size(&f("maxItemsPerCustomer"), self.max_items_per_customer.as_ref(), 2, 100_000)?.unwrap_or(d.max_items_per_customer),
            decimals: decimals(prefix, self.decimals.as_ref(), d.decimals)?,
        })
    }

    pub fn parse(&self) -> Result<UpsellOptions> {
        self.parse_with("")
    }
}

/// `{ topN?, minProbability?, repeatMinRate?, rankBy?, segmentTop?, decimals? }`;
/// `repeatMinRate: null` never re-offers a bought item (the default is 0.3).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferRequest {
    pub top_n: Option<Scalar>,
    pub min_probability: Option<Scalar>,
    /// Absent: the default; `null`: never re-offer; a number in [0, 1]: the threshold.
    #[serde(default, deserialize_with = "present")]
    pub repeat_min_rate: Option<Option<Scalar>>,
    pub rank_by: Option<Scalar>,
    pub segment_top: Option<Scalar>,
    pub decimals: Option<Scalar>,
    #[serde(flatten)]
    pub unknown: Unknown,
}

/// Tells a present `null` (`Some(None)`) from an absent field (`None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<Option<Scalar>>, D::Error> {
    let value = Scalar::deserialize(d)?;
    Ok(Some(match value {
        Scalar::Other("null") => None,
        other => Some(other),
    }))
}

impl OfferRequest {
    pub fn parse_with(&self, prefix: &str) -> Result<OfferOptions> {
        reject_unknown(prefix, &self.unknown)?;
        let d = OfferOptions::default();
        let f = |name: &str| format!("{prefix}{name}");
        let repeat_min_rate = match &self.repeat_min_rate {
            None => d.repeat_min_rate,
            Some(None) => None,
            Some(Some(v)) => Some(number(&f("repeatMinRate"), Some(v), Included(Decimal::ZERO), Included(Decimal::ONE))?),
        };
        let rank_by = optional(self.rank_by.as_ref(), |v| match text(&f("rankBy"), v)? {
            "expectedValue" => Ok(OfferRanking::ExpectedValue),
            "probability" => Ok(OfferRanking::Probability),
            other => {
                let message = format!("{} must be \"expectedValue\" or \"probability\" (got {other:?})", f("rankBy"));
                Err(Error::new(ErrorCode::OutOfRange, message).with_field(f("rankBy")))
            }
        })?;
        Ok(OfferOptions {
            top_n: size(&f("topN"), self.top_n.as_ref(), 1, 1000)?.unwrap_or(d.top_n),
            min_probability: optional(self.min_probability.as_ref(), |v| number(&f("minProbability"), v, Included(Decimal::ZERO), Included(Decimal::ONE)))?
                .unwrap_or(d.min_probability),
            repeat_min_rate,
            rank_by: rank_by.unwrap_or(d.rank_by),
            segment_top: size(&f("segmentTop"), self.segment_top.as_ref(), 1, 1000)?.unwrap_or(d.segment_top),
            decimals: decimals(prefix, self.decimals.as_ref(), d.decimals)?,
        })
    }

    pub fn parse(&self) -> Result<OfferOptions> {
        self.parse_with("")
    }
}

/// Where next-best offers may come from (`sources`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfferSources {
    pub rules: bool,
    pub similar: bool,
    pub upsell: bool,
}

impl Default for OfferSources {
    fn default() -> Self {
        OfferSources { rules: true, similar: true, upsell: true }
    }
}

/// `dataset.offers(...)`: the [`OfferRequest`] fields, plus `{ rules?, similarity?, upsell? }` (the
/// options of each candidate source), `sources?: ("rules" | "similar" | "upsell")[]` (default all
/// three), `margins?: { [productId]: money }` (margin per unit; other products use their price) and
/// `model?: "bgNbd" | "mbgNbd" | "paretoNbd"` (weigh offers by each customer's P(alive) from that
/// model fitted to the dataset; without it everyone counts as alive).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NextBestOfferRequest {
    pub model: Option<Scalar>,
    pub rules: Option<RulesRequest>,
    pub similarity: Option<SimilarityRequest>,
    pub upsell: Option<UpsellRequest>,
    pub sources: Option<Vec<Scalar>>,
    pub margins: Option<std::collections::BTreeMap<String, Scalar>>,
    #[serde(flatten)]
    pub offers: OfferRequest,
}

/// [`NextBestOfferRequest`] validated: every source's options, and the margins by product id.
#[derive(Debug, Clone, Default)]
pub struct NextBestOfferPlan {
    pub itemsets: ItemsetOptions,
    pub rules: RuleOptions,
    pub similarity: SimilarityOptions,
    pub upsell: UpsellOptions,
    pub offers: OfferOptions,
    pub sources: OfferSources,
    pub margins: Vec<(String, Decimal)>,
    /// The model whose P(alive) weighs the offers; `None`: P(alive) = 1.
    pub model: Option<crate::models::TransactionModel>,
}

impl NextBestOfferRequest {
    pub fn parse(&self) -> Result<NextBestOfferPlan> {
        let offers = self.offers.parse()?;
        let (itemsets, rules) = self.rules.as_ref().map(|r| r.parse_with("rules.")).transpose()?.unwrap_or_default();
        let similarity = self.similarity.as_ref().map(|s| s.parse_with("similarity.")).transpose()?.unwrap_or_default();
        let upsell = self.upsell.as_ref().map(|u| u.parse_with("upsell.")).transpose()?.unwrap_or_default();
        let sources = match &self.sources {
            None => OfferSources::default(),
            Some(list) => {
                let mut chosen = OfferSources { rules: false, similar: false, upsell: false };
                for (i, value) in list.iter().enumerate() {
                    let field = format!("sources[{i}]");
                    match text(&field, Some(value))? {
                        "rules" => chosen.rules = true,
                        "similar" => chosen.similar = true,
                        "upsell" => chosen.upsell = true,
                        other => {
                            let message = format!("{field} must be \"rules\", \"similar\" or \"upsell\" (got {other:?})");
                            return Err(Error::new(ErrorCode::OutOfRange, message).with_field(field));
                        }
                    }
                }
                chosen
            }
        };
        let mut margins = Vec::new();
        for (product, value) in self.margins.iter().flatten() {
            let field = format!("margins[{product:?}]");
            let margin = decimal_in_range(&field, Some(value), Included(Decimal::ZERO), Unbounded)?;
            margins.push((product.clone(), margin));
        }
        let model = self.model.as_ref().map(|m| crate::models::request::model(Some(m))).transpose()?;
        Ok(NextBestOfferPlan { itemsets, rules, similarity, upsell, offers, sources, margins, model })
    }
}

/// `{ cutDate: "YYYY-MM-DD", k?, rules?: {...}, similarity?: {...}, upsell?: {...}, offers?: {...} }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvaluationRequest {
    pub cut_date: Option<Scalar>,
    pub k: Option<Scalar>,
    pub rules: Option<RulesRequest>,
    pub similarity: Option<SimilarityRequest>,
    pub upsell: Option<UpsellRequest>,
    pub offers: Option<OfferRequest>,
    #[serde(flatten)]
    pub unknown: Unknown,
}

impl EvaluationRequest {
    /// The cut day and the options of [`super::evaluate::evaluate`].
    pub fn parse(&self) -> Result<(Day, EvaluationOptions)> {
        reject_unknown("", &self.unknown)?;
        let raw = text("cutDate", self.cut_date.as_ref())?;
        let cut = parse_iso_day(raw).ok_or_else(|| {
            Error::new(ErrorCode::InvalidDate, format!("cutDate must be a date as YYYY-MM-DD (got {raw:?})")).with_field("cutDate")
        })?;
        let d = EvaluationOptions::default();
        let (itemsets, rules) = self.rules.as_ref().map(|r| r.parse_with("rules.")).transpose()?.unwrap_or((d.itemsets, d.rules));
        Ok((
            cut,
            EvaluationOptions {
                k: size("k", self.k.as_ref(), 1, 1000)?.unwrap_or(d.k),
                itemsets,
                rules,
                similarity: self.similarity.as_ref().map(|s| s.parse_with("similarity.")).transpose()?.unwrap_or(d.similarity),
                upsell: self.upsell.as_ref().map(|u| u.parse_with("upsell.")).transpose()?.unwrap_or(d.upsell),
                offers: self.offers.as_ref().map(|o| o.parse_with("offers.")).transpose()?.unwrap_or(d.offers),
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn req<T: for<'de> Deserialize<'de>>(v: serde_json::Value) -> T {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn rules_request() {
        let r: RulesRequest = req(json!({
            "minSupport": 0.02, "maxLen": 3, "filters": [{"metric": "zhangs_metric", "min": 0.5}, {"metric": "Antecedent Support", "max": "0.3"}],
            "antecedentAny": ["A"], "maxRules": 50, "sortBy": "confidence"
        }));
        let (i, o) = r.parse().unwrap();
        assert_eq!((i.min_support, i.max_len, i.max_itemsets), (0.02, Some(3), 1_000_000));
        assert_eq!(o.filters, [
            MetricFilter { metric: Metric::ZhangsMetric, min: Some(0.5), max: None },
            MetricFilter { metric: Metric::AntecedentSupport, min: None, max: Some(0.3) },
        ]);
        assert_eq!((o.antecedent_any.as_slice(), o.max_rules, o.sort_by), (&["A".to_string()][..], 50, Metric::Confidence));
        for (v, code, field) in [
            (json!({"minSupport": 0}), ErrorCode::OutOfRange, "minSupport"),
            (json!({"minSupport": 1.5}), ErrorCode::OutOfRange, "minSupport"),
            (json!({"maxLen": 2.5}), ErrorCode::NotInteger, "maxLen"),
            (json!({"sortBy": "score"}), ErrorCode::OutOfRange, "sortBy"),
            (json!({"filters": [{"metric": "lift", "minimum": 1}]}), ErrorCode::UnknownField, "filters[0].minimum"),
            (json!({"filters": [{"min": 1}]}), ErrorCode::MissingField, "filters[0].metric"),
            (json!({"minsupport": 0.1}), ErrorCode::UnknownField, "minsupport"),
        ] {
            let e = req::<RulesRequest>(v).parse().unwrap_err();
            assert_eq!((e.code, e.field.as_deref()), (code, Some(field)));
        }
    }

    #[test]
    fn next_best_offer_request() {
        let plan = req::<NextBestOfferRequest>(json!({
            "topN": 2, "sources": ["upsell", "rules"], "margins": {"A": "1.50", "B": 2}, "rules": {"minSupport": 0.2}, "upsell": {"topK": 1}
        }))
        .parse()
        .unwrap();
        assert_eq!((plan.offers.top_n, plan.itemsets.min_support, plan.upsell.top_k), (2, 0.2, 1));
        assert_eq!(plan.sources, OfferSources { rules: true, similar: false, upsell: true });
        assert_eq!(plan.margins, [("A".to_string(), Decimal::new(150, 2)), ("B".to_string(), Decimal::TWO)]);
        assert_eq!(req::<NextBestOfferRequest>(json!({})).parse().unwrap().sources, OfferSources::default());
        let plan = req::<NextBestOfferRequest>(json!({"model": "paretoNbd"})).parse().unwrap();
        assert_eq!((plan.model, req::<NextBestOfferRequest>(json!({})).parse().unwrap().model), (Some(crate::models::TransactionModel::ParetoNbd), None));
        for (v, code, field) in [
            (json!({"sources": ["rules", "best"]}), ErrorCode::OutOfRange, "sources[1]"),
            (json!({"margins": {"A": "-1"}}), ErrorCode::Negative, "margins[\"A\"]"),
            (json!({"similarity": {"topk": 3}}), ErrorCode::UnknownField, "similarity.topk"),
            (json!({"topn": 3}), ErrorCode::UnknownField, "topn"),
            (json!({"model": "bgnbd"}), ErrorCode::OutOfRange, "model"),
            (json!({"rules": {"minSupport": 2}}), ErrorCode::OutOfRange, "rules.minSupport"),
        ] {
            let e = req::<NextBestOfferRequest>(v).parse().unwrap_err();
            assert_eq!((e.code, e.field.as_deref()), (code, Some(field)));
        }
    }

    #[test]
    fn other_requests() {
        let s = req::<SimilarityRequest>(json!({"topK": 3})).parse().unwrap();
        assert_eq!((s.top_k, s.min_co_buyers), (3, 2));
        let u = req::<UpsellRequest>(json!({"minMovers": 2, "decimals": 4})).parse().unwrap();
        assert_eq!((u.min_movers, u.decimals, u.top_k), (2, 4, 5));
        let o = req::<OfferRequest>(json!({"repeatMinRate": null, "rankBy": "probability"})).parse().unwrap();
        assert_eq!((o.repeat_min_rate, o.rank_by), (None, OfferRanking::Probability));
        assert_eq!(req::<OfferRequest>(json!({})).parse().unwrap().repeat_min_rate, Some(0.3));
        assert_eq!(req::<OfferRequest>(json!({"repeatMinRate": 0.5})).parse().unwrap().repeat_min_rate, Some(0.5));
        assert_eq!(req::<OfferRequest>(json!({})).parse().unwrap().min_probability, 0.05);
        assert_eq!(req::<OfferRequest>(json!({"minProbability": "0"})).parse().unwrap().min_probability, 0.0);
        let e = req::<OfferRequest>(json!({"minProbability": 1.5})).parse().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::OutOfRange, Some("minProbability")));
        let e = req::<EvaluationRequest>(json!({"cutDate": "2011-09-01", "offers": {"minProbability": -0.1}})).parse().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Negative, Some("offers.minProbability")));
        let (cut, e) = req::<EvaluationRequest>(json!({"cutDate": "2011-09-01", "k": 10, "rules": {"minSupport": 0.005}, "offers": {"topN": 2}})).parse().unwrap();
        assert_eq!((cut, e.k, e.itemsets.min_support), (parse_iso_day("2011-09-01").unwrap(), 10, 0.005));
        let e = req::<EvaluationRequest>(json!({"cutDate": "2011-09-01", "upsell": {"topk": 1}})).parse().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::UnknownField, Some("upsell.topk")));
        let e = req::<EvaluationRequest>(json!({"k": 3})).parse().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::MissingField, Some("cutDate")));
        let e = req::<EvaluationRequest>(json!({"cutDate": "1/9/2011"})).parse().unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidDate);
    }

    #[test]
    fn max_rules_is_bounded_so_the_table_fits_in_memory() {
        let r: RulesRequest = serde_json::from_value(json!({"maxRules": 1_000_000})).unwrap();
        assert_eq!(r.parse().unwrap().1.max_rules, 1_000_000);
        let r: RulesRequest = serde_json::from_value(json!({"maxRules": 1_000_001})).unwrap();
        let e = r.parse().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::OutOfRange, Some("maxRules")));
    }
}
