// The options the demo's worker passes to Dataset.rules / similarity / upsell / offers: one place,
// so that tests/e2e/demo.test.mjs computes in Node exactly what the page shows.

/** Association rules: itemsets in at least 1 % of orders, up to 10,000 rules, best lift first. */
export const RULES_OPTIONS = { minSupport: 0.01, maxRules: 10_000, sortBy: "lift" };
/** "Also bought": each item's 10 most similar items, pairs with at least 2 customers in common. */
export const SIMILARITY_OPTIONS = { topK: 10, minCoBuyers: 2 };
/** Upsell paths: up to 5 pricier items per item, each taken by at least 2 customers. */
export const UPSELL_OPTIONS = { topK: 5, minMovers: 2 };

/**
 * Next-best offers: three per customer, five per segment, candidates from the same rules,
 * similarity and upsell options; `margins` (product id → margin per unit) when the file's costs are
 * known, else offers are valued at the median price; `model` (the transaction model that did best
 * on the holdout period) weighs each offer by the customer's P(alive), else P(alive) is 1.
 */
export function offersOptions(margins = null, model = null) {
  const options = { topN: 3, segmentTop: 5, rules: RULES_OPTIONS, similarity: SIMILARITY_OPTIONS, upsell: UPSELL_OPTIONS };
  return { ...options, ...(margins ? { margins } : {}), ...(model ? { model } : {}) };
}
