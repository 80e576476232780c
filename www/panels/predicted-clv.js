// Predicted CLV: the distribution of each customer's CLV over the next 12 months (Dataset.predict
// with the model that did best on the holdout period) with its average, next to the average CLV to
// date. The worker keeps the per-customer values; this panel gets the histogram and the averages.
import { h, money, num } from "../app.js";
import { csvButton } from "../demo/download.js";
import { MODEL_NAMES } from "./models.js";

/** What the predicted CLV is counted on: margin when the file's costs are known, else revenue. */
export function clvBasis(m) {
  return m.grossMarginPercent === null
    ? "on revenue: the file has no costs, so its margin is unknown"
    : `on margin: ${m.grossMarginPercent}% gross margin, from the sample's unit costs`;
}

const card = (key, label, value, note) => h("div", { class: "kpi", dataset: { kpi: key } }, h("dt", {}, label), h("dd", {}, value), h("dd", { class: "kpi-note" }, note));

export default {
  id: "predicted-clv",
  title: "Predicted CLV, next 12 months",
  wide: true,
  available: (result) => Boolean(result.models?.clvHistogram),
  render(body, ctx) {
    const m = ctx.result.models;
    const { width, counts, max } = m.clvHistogram;
    const average = m.averagePredictedClv.toFixed(2);
    const label = (k) => (k === counts.length - 1 ? `${money((k * width).toFixed(2)).textContent}+` : `${money((k * width).toFixed(2)).textContent}–${money(((k + 1) * width).toFixed(2)).textContent}`);
    const top = counts.indexOf(Math.max(...counts));
    const chart = ctx.barChart({
      id: "predicted-clv",
      title: "Customers by predicted CLV over the next 12 months",
      labels: counts.map((_, k) => label(k)),
      datasets: [{ label: "Customers", data: counts }],
      summary: `Most customers (${counts[top].toLocaleString()}) are predicted ${label(top)}; the highest is ${money(max.toFixed(2)).textContent}. The average is ${money(average).textContent}.`,
    });
    body.append(
      h(
        "p",
        { class: "panel-intro" },
        `Each customer's expected purchases (${MODEL_NAMES[m.best]}, the model that did best on the holdout period) times their expected spend (Gamma-Gamma), discounted ${(m.monthlyDiscountRate * 100).toFixed(0)}% a month, ${clvBasis(m)}.`,
      ),
      h(
        "dl",
        { class: "kpis" },
        card("predictedClv", "Average predicted CLV", money(average), `next ${m.horizonMonths} months, ${num(m.customers).textContent} customers`),
        card("historicalClvCompared", "Average CLV to date", money(ctx.result.kpis.historicalClv), "revenue per customer so far"),
        card("expectedPurchases", "Expected purchases per customer", num(m.averageExpectedPurchases), `next ${m.horizonMonths} months`),
      ),
      chart.element,
      h("p", { class: "table-actions" }, csvButton(ctx.worker, "predictions", "Predictions CSV (every customer)")),
    );
    return chart.destroy;
  },
};
