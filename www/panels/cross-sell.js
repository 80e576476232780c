// Cross-sell: the association rules of the orders (Dataset.rules; each order is a basket) in a
// table the worker filters, sorts and pages, and "customers who bought X also bought Y" from
// Dataset.similarity (whole purchase histories, not single orders). Both export as CSV.
import { h, num, share } from "../app.js";
import { pagedTable } from "./paged-table.js";

/** A rule metric; conviction is Infinity for a rule that never failed. */
export function metric(x) {
  if (x === Infinity) return h("data", { class: "number", value: "Infinity", title: "Infinity: the rule held in every basket" }, "∞");
  return num(x);
}

/** An item id or a list of them, as the library wrote it. */
export const items = (text) => h("span", { class: "items" }, text);

const RULE_COLUMNS = [
  { label: "Rule (bought → also in the basket)", cell: (r, i) => [items(r.antecedents[i]), " → ", items(r.consequents[i])] },
  { label: "Support", sort: "support", title: "Share of orders with all the rule's items", cell: (r, i) => share(r.support[i]) },
  { label: "Confidence", sort: "confidence", title: "Share of the orders with the first items that also have the others", cell: (r, i) => share(r.confidence[i]) },
  { label: "Lift", sort: "lift", title: "Confidence ÷ how common the other items are: above 1, bought together more than by chance", cell: (r, i) => metric(r.lift[i]) },
  { label: "Conviction", sort: "conviction", title: "How much more often the rule would fail if the items were independent (∞: it never fails)", cell: (r, i) => metric(r.conviction[i]) },
];

const PAIR_COLUMNS = [
  { label: "Customers who bought", cell: (p, i) => items(p.itemId[i]) },
  { label: "also bought", text: true, cell: (p, i) => items(p.otherId[i]) },
  { label: "Share of its buyers", sort: "alsoBought", title: "Customers who bought both ÷ customers who bought the first", cell: (p, i) => share(p.alsoBought[i]) },
  { label: "Customers", sort: "coBuyers", title: "Customers who bought both", cell: (p, i) => num(p.coBuyers[i]) },
  { label: "Lift", sort: "lift", title: "Customers who bought both ÷ the number expected if the two were unrelated", cell: (p, i) => metric(p.lift[i]) },
  { label: "Strength", sort: "llr", title: "Dunning's log-likelihood ratio: how unlikely the overlap is by chance (negative: less than by chance)", cell: (p, i) => num(p.llr[i]) },
];

const LEGEND = [
  ["Support", "the share of all orders that contain every item of the rule."],
  ["Confidence", "of the orders with the items on the left, the share that also have the items on the right."],
  ["Lift", "confidence divided by how common the right-hand items are anyway: 1 means no link, 2 means twice as likely."],
  ["Conviction", "how much more often the rule would fail if the two sides were unrelated; ∞ when it never fails."],
];

export default {
  id: "cross-sell",
  title: "Cross-sell: bought together",
  wide: true,
  available: (result) => Boolean(result.crossSell && (result.crossSell.rules.count > 0 || result.crossSell.pairs.count > 0)),
  render(body, ctx) {
    const { rules, pairs } = ctx.result.crossSell;
    const tables = [];
    const percent = ((rules.minSupport ?? 0) * 100).toLocaleString();
    if (rules.count > 0) {
      const table = pagedTable({
        id: "rules",
        worker: ctx.worker,
        kind: "rules",
        label: "Association rules table",
        caption: "Association rules, sortable by any underlined metric",
        columns: RULE_COLUMNS,
        view: { sort: "lift", minSupport: 0, minConfidence: 0, minLift: 0 },
        thresholds: [
          { key: "minSupport", label: "Min support (%)", percent: true, placeholder: percent },
          { key: "minConfidence", label: "Min confidence (%)", percent: true, placeholder: "0" },
          { key: "minLift", label: "Min lift", placeholder: "0" },
        ],
        search: "Items contain",
        noun: ["rule", "rules"],
        csv: "Rules CSV",
      });
      tables.push(table);
      const capped = rules.matched > rules.count ? ` The ${num(rules.count).textContent} with the highest lift are kept.` : "";
      body.append(
        h("p", { class: "panel-intro" }, `Items bought in the same order: rules from ${num(rules.baskets).textContent} orders, with every set of items in at least ${percent} % of them.${capped}`),
        table.element,
        h("details", { class: "legend" }, h("summary", {}, "What the numbers mean"), h("dl", {}, LEGEND.map(([term, text]) => h("div", {}, h("dt", {}, term), h("dd", {}, text))))),
      );
    } else {
      body.append(h("p", { class: "panel-intro" }, `No set of items is in ${percent} % of the ${num(rules.baskets).textContent} orders, so there are no association rules; the pairs below come from customers' whole purchase histories.`));
    }
    if (pairs.count > 0) {
      const table = pagedTable({
        id: "pairs",
        worker: ctx.worker,
        kind: "similarity",
        label: "Also bought table",
        caption: "Items bought by the same customers, strongest link first",
        columns: PAIR_COLUMNS,
        view: { sort: "llr" },
        search: "Items contain",
        noun: ["pair", "pairs"],
        csv: "Also-bought CSV",
        pageSize: 10,
      });
      tables.push(table);
      body.append(
        h("h4", {}, "Customers who bought X also bought Y"),
        h("p", { class: "panel-intro" }, `Over each customer's whole history (${num(pairs.customers).textContent} customers bought something): pairs with at least two customers in common.`),
        table.element,
      );
    }
    for (const table of tables) ctx.ready(table.refresh());
    return () => tables.forEach((table) => table.cancel());
  },
};
