//! Offline evaluation of the next-best offers on a split by time (train before a cut date, test
//! on or after it, never a random split), against global popularity and own-favourites baselines.
//!
//! - **Train** = every order dated before the cut; rules, similarity, upsell paths, prices and
//!   repeat rates are all learnt from it alone. **Test** = the purchases on or after the cut.
//! - **Evaluated customers**: those with a purchase in both periods. Their *relevant* items are
//!   the distinct items they bought in the test period (repeat purchases included: the own-
//!   favourites baseline could not score otherwise).
//! - **Models**, k recommendations each per customer:
//!   - `nextBestOffer`: [`super::offers::next_best_offers`] with `topN = k` (and the offers'
//!     options otherwise, the relevance floor `minProbability` included);
//!   - `popularity`: the k items with the most train buyers, skipping items the customer already
//!     bought unless the offers' repeat policy allows them (the same policy as the model);
//!   - `ownMostBought`: the customer's own k items bought in the most train orders (ties: item
//!     number).
//! - **Metrics** (means over evaluated customers): precision@k = hits / k; recall@k = hits /
//!   relevant items; hit rate = share with at least one hit; coverage = distinct items
//!   recommended / distinct items bought in train.
//! - **NDCG@k** (binary relevance: an offered item is relevant when the customer bought it in the
//!   test period): for a customer offered items at ranks r = 1 … n (n ≤ k),
//!   DCG@k = Σ rel(r) / log2(r + 1) and NDCG@k = DCG@k / IDCG@k, where the ideal
//!   IDCG@k = Σ_{r = 1 … min(k, relevant items)} 1 / log2(r + 1) puts every relevant item first.
//!   A customer offered fewer than k items is not penalised beyond the missing hits; the mean is
//!   over evaluated customers, as the other metrics.

use serde::Serialize;

use super::baskets::Baskets;
use super::fpgrowth::{frequent_itemsets, ItemsetOptions};
use super::offers::{may_reoffer, next_best_offers_with_progress, OfferInputs, OfferOptions, Purchases};
use super::{purchased, require, staged, Progress, Stage, Ticker};
use super::rules::{association_rules, RuleOptions};
use super::similarity::{item_similarity, CustomerItems, SimilarityOptions};
use super::upsell::{upsell, UpsellOptions};
use crate::dataset::{Dataset, Day, LineStore, Order};
use crate::error::{Error, ErrorCode, Result, Warning};
use crate::ingest::dates::format_day;

/// Options of [`evaluate`]: k and the options of every step trained on the train period.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationOptions {
    /// Recommendations per customer (at least 1; default 5).
    pub k: usize,
    pub itemsets: ItemsetOptions,
    pub rules: RuleOptions,
    pub similarity: SimilarityOptions,
    pub upsell: UpsellOptions,
    /// `topN` is replaced by `k`.
    pub offers: OfferOptions,
}

impl Default for EvaluationOptions {
    fn default() -> Self {
        EvaluationOptions {
            k: 5,
            itemsets: ItemsetOptions::default(),
            rules: RuleOptions::default(),
            similarity: SimilarityOptions::default(),
            upsell: UpsellOptions::default(),
            offers: OfferOptions::default(),
        }
    }
}

/// One model's scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelScore {
    /// `"nextBestOffer"`, `"popularity"` or `"ownMostBought"`.
    pub model: &'static str,
    pub precision_at_k: f64,
    pub recall_at_k: f64,
    pub hit_rate: f64,
    /// Mean NDCG@k (see the module docs).
    pub ndcg_at_k: f64,
    pub coverage: f64,
}

/// The evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    /// "YYYY-MM-DD": train before it, test on and after it.
    pub cut_date: String,
    pub k: usize,
    pub train_orders: u64,
    pub test_orders: u64,
    pub evaluated_customers: u64,
    /// Distinct items bought in the train period (the coverage denominator).
    pub catalogue_items: u64,
    pub models: Vec<ModelScore>,
    pub warnings: Vec<Warning>,
}

/// The dataset cut to the orders before `cut` (same customer and product numbering).
pub fn before(data: &Dataset, cut: Day) -> Dataset {
    let mut train = Dataset {
        customers: data.customers.clone(),
        products: data.products.clone(),
        product_info: data.product_info.clone(),
        categories: data.categories.clone(),
        channels: data.channels.clone(),
        customer_channel: data.customer_channel.clone(),
        ..Dataset::default()
    };
    let mut train_lines = LineStore::default();
    for c in 0..data.customers.len() as u32 {
        let start = train.orders.len() as u32;
        for order in data.orders_of(c).iter().filter(|o| o.day < cut) {
            let lines = data.lines_of(order);
            let first = train_lines.len() as u32;
            train_lines.extend(lines);
            train.orders.push(Order { lines: (first, lines.len() as u32), ..order.clone() });
        }
        train.customer_orders.push((start, (train.orders.len() as u32).saturating_sub(start)));
    }
    train.lines = train_lines.into();
    train
}

/// Sums of one model's per-customer results.
#[derive(Default)]
struct Tally {
    precision: f64,
    recall: f64,
    ndcg: f64,
    hits: u64,
    recommended: Vec<bool>,
}

impl Tally {
    fn add(&mut self, recommended: &[u32], relevant: &[u32], k: usize) {
        let hits = recommended.iter().filter(|i| relevant.binary_search(i).is_ok()).count();
        self.ndcg += ndcg(recommended, relevant, k);
        self.precision += hits as f64 / k as f64;
        self.recall += hits as f64 / relevant.len().max(1) as f64;
        self.hits = self.hits.saturating_add(u64::from(hits > 0));
        for &i in recommended {
            if let Some(r) = self.recommended.get_mut(i as usize) {
                *r = true;
            }
        }
    }

    fn score(&self, model: &'static str, customers: u64, catalogue: u64) -> ModelScore {
        let n = customers.max(1) as f64;
        let covered = self.recommended.iter().filter(|&&r| r).count();
        ModelScore {
            model,
            precision_at_k: self.precision / n,
            recall_at_k: self.recall / n,
            hit_rate: self.hits as f64 / n,
            ndcg_at_k: self.ndcg / n,
            coverage: covered as f64 / catalogue.max(1) as f64,
        }
    }
}

/// NDCG@k of one ranked list with binary relevance (`relevant` ascending); 0 when nothing is relevant.
pub fn ndcg(recommended: &[u32], relevant: &[u32], k: usize) -> f64 {
    let discount = |rank: usize| 1.0 / (rank as f64 + 1.0).log2();
    let dcg: f64 = recommended.iter().take(k).enumerate().filter(|(_, i)| relevant.binary_search(i).is_ok()).map(|(r, _)| discount(r.saturating_add(1))).sum();
    let ideal: f64 = (1..=k.min(relevant.len())).map(discount).sum();
    if ideal > 0.0 { dcg / ideal } else { 0.0 }
}

/// Trains on the orders before `cut` and scores the top-k offers on the purchases from `cut` on.
pub fn evaluate(data: &Dataset, cut: Day, options: &EvaluationOptions) -> Result<Evaluation> {
    evaluate_with_progress(data, cut, options, &mut |_, _, _| true)
}

/// [`evaluate`], reporting each stage (rules, similarity, upsell and scoring on the train period,
/// then evaluating customers) to `progress`.
pub fn evaluate_with_progress(data: &Dataset, cut: Day, options: &EvaluationOptions, progress: &mut Progress<'_>) -> Result<Evaluation> {
    require(options.k >= 1, "k", "at least 1")?;
    let train = before(data, cut);
    let purchases = |o: &&Order| !o.is_return;
    let train_orders = train.orders.iter().filter(purchases).count() as u64;
    let test_orders = data.orders.iter().filter(purchases).filter(|o| o.day >= cut).count() as u64;
    if train_orders == 0 || test_orders == 0 {
        let side = if train_orders == 0 { "before" } else { "on or after" };
        let message = format!("cutDate {} leaves no purchase {side} it: choose a date inside the data", format_day(cut));
        return Err(Error::new(ErrorCode::OutOfRange, message).with_field("cutDate"));
    }
    let (itemsets, rules) = staged(progress, Stage::Rules, || {
        let itemsets = frequent_itemsets(&Baskets::from_dataset(&train), &options.itemsets)?;
        let rules = association_rules(&itemsets, &options.rules)?;
        Ok((itemsets, rules))
    })?;
    let similarity = staged(progress, Stage::Similarity, || item_similarity(&train, &options.similarity))?;
    let paths = staged(progress, Stage::Upsell, || upsell(&train, &options.upsell))?;
    let offer_options = OfferOptions { top_n: options.k, ..options.offers.clone() };
    let inputs = OfferInputs { rules: Some(&rules), similarity: Some(&similarity), upsell: Some(&paths), ..OfferInputs::default() };
    let offers = next_best_offers_with_progress(&train, &inputs, &offer_options, progress)?;
    let mut warnings: Vec<Warning> = itemsets.warnings.iter().chain(&rules.warnings).chain(&similarity.warnings).chain(&paths.warnings).chain(&offers.warnings).cloned().collect();
    warnings.dedup();

    let items = data.products.len();
    let all_train = CustomerItems::from_dataset(&train, usize::MAX);
    let catalogue = all_train.buyers.iter().filter(|&&b| b > 0).count() as u64;
    let mut popular: Vec<u32> = (0..items as u32).filter(|&i| all_train.buyers.get(i as usize).is_some_and(|&b| b > 0)).collect();
    popular.sort_by_key(|&i| (std::cmp::Reverse(all_train.buyers.get(i as usize).copied().unwrap_or(0)), i));
    let purchases = Purchases::of(&train);
    let offers = &offers.offers;
    let mut tallies: [Tally; 3] = std::array::from_fn(|_| Tally { recommended: vec![false; items], ..Tally::default() });
    let (mut evaluated, mut row) = (0u64, 0usize);
    let (mut relevant, mut recommended, mut order_counts) = (Vec::new(), Vec::new(), Vec::new());
    let ticker = Ticker::start(progress, Stage::Evaluating, data.customers.len())?;
    for c in 0..data.customers.len() as u32 {
        ticker.at(progress, c)?;
        let first = row;
        while offers.customer.get(row).is_some_and(|&x| x == c) {
            row = row.saturating_add(1);
        }
        let own = purchases.of_customer(c);
        relevant.clear();
        for order in data.orders_of(c).iter().filter(|o| !o.is_return && o.day >= cut) {
            relevant.extend(purchased(data, order));
        }
        relevant.sort_unstable();
        relevant.dedup();
        if own.is_empty() || relevant.is_empty() {
            continue;
        }
        evaluated = evaluated.saturating_add(1);
        let [model, popularity, favourites] = &mut tallies;
        model.add(offers.item.get(first..row).unwrap_or(&[]), &relevant, options.k);
        recommended.clear();
        let allowed = |i: &&u32| own.binary_search(i).is_err() || may_reoffer(&purchases.repeat, options.offers.repeat_min_rate, **i);
        recommended.extend(popular.iter().filter(allowed).take(options.k));
        popularity.add(&recommended, &relevant, options.k);
        order_counts.clear();
        for order in train.orders_of(c).iter().filter(|o| !o.is_return) {
            let mut in_order: Vec<u32> = purchased(&train, order).collect();
            in_order.sort_unstable();
            in_order.dedup();
            order_counts.extend(in_order);
        }
        order_counts.sort_unstable();
        let mut counted: Vec<(usize, u32)> = order_counts.chunk_by(|a, b| a == b).filter_map(|run| Some((run.len(), *run.first()?))).collect();
        counted.sort_by_key(|&(n, i)| (std::cmp::Reverse(n), i));
        recommended.clear();
        recommended.extend(counted.iter().take(options.k).map(|&(_, i)| i));
        favourites.add(&recommended, &relevant, options.k);
    }
    ticker.finish(progress)?;
    if evaluated == 0 {
        let message = format!("no customer bought both before and on or after {}: choose another cutDate", format_day(cut));
        return Err(Error::new(ErrorCode::OutOfRange, message).with_field("cutDate"));
    }
    let [model, popularity, favourites] = &tallies;
    Ok(Evaluation {
        cut_date: format_day(cut),
        k: options.k,
        train_orders,
        test_orders,
        evaluated_customers: evaluated,
        catalogue_items: catalogue,
        models: vec![
            model.score("nextBestOffer", evaluated, catalogue),
            popularity.score("popularity", evaluated, catalogue),
            favourites.score("ownMostBought", evaluated, catalogue),
        ],
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::ndcg;

    #[test]
    fn ndcg_by_hand() {
        // Relevant {2, 5, 9}; offered [5, 1, 9] at k = 3: DCG = 1/log2(2) + 1/log2(4) = 1.5;
        // IDCG = 1 + 1/log2(3) + 1/2 (three relevant items, k = 3).
        let ideal = 1.5 + 1.0 / 3f64.log2();
        assert!((ndcg(&[5, 1, 9], &[2, 5, 9], 3) - 1.5 / ideal).abs() < 1e-15);
        // Two relevant items at k = 5: IDCG = 1 + 1/log2(3); one hit at rank 2.
        let want = (1.0 / 3f64.log2()) / (1.0 + 1.0 / 3f64.log2());
        assert!((ndcg(&[7, 4], &[4, 8], 5) - want).abs() < 1e-15);
        // Everything relevant first: 1. Nothing relevant offered: 0. Ranks past k do not count.
        assert_eq!(ndcg(&[3, 4], &[3, 4], 2), 1.0);
        assert_eq!(ndcg(&[1, 2], &[3], 2), 0.0);
        assert_eq!(ndcg(&[1, 3], &[3], 1), 0.0);
        assert_eq!(ndcg(&[], &[], 3), 0.0);
    }
}
