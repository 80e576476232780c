// P(alive) by frequency and recency: an HTML table heatmap (like the cohort one) whose rows are
// repeat purchases and columns days since the last purchase; each cell has the customers in it and
// their mean probability of still being a customer, shaded in ten steps.
import { h, scroller, shareFormat } from "../app.js";
import { MODEL_NAMES } from "./models.js";

export default {
  id: "p-alive",
  title: "Who is still a customer: P(alive)",
  wide: true,
  available: (result) => Boolean(result.models),
  render(body, { result }) {
    const m = result.models;
    const p = m.pAlive;
    const head = h(
      "tr",
      {},
      h("th", { scope: "col" }, "Repeat purchases"),
      p.recency.map((label) => h("th", { scope: "col", title: `${label} days since the last purchase` }, `${label} days`)),
    );
    const rows = p.frequency.map((label, f) =>
      h(
        "tr",
        {},
        h("th", { scope: "row" }, label),
        p.recency.map((recency, r) => {
          const n = p.counts[f][r];
          if (!n) return h("td", { class: "heat-none", dataset: { customers: 0 } }, h("span", { class: "visually-hidden" }, "no customers"));
          const mean = p.meanPAlive[f][r];
          return h(
            "td",
            {
              class: `heat heat-${Math.min(9, Math.floor(mean * 10))}`,
              dataset: { customers: n, pAlive: mean },
              title: `${n} customers with ${label} repeat purchases, last purchase ${recency} days ago: mean P(alive) ${shareFormat.format(mean)}`,
            },
            shareFormat.format(mean),
            h("span", { class: "heat-count" }, ` (${n.toLocaleString()})`),
          );
        }),
      ),
    );
    body.append(
      h(
        "p",
        { class: "panel-intro" },
        `The probability that a customer has not lapsed (${MODEL_NAMES[m.best]}, fitted on the whole file, as of ${m.observationEnd}), averaged over the customers of each cell; their number is in brackets. Darker is more likely alive.`,
      ),
      scroller(
        "P(alive) by frequency and recency table",
        h("table", { class: "heatmap p-alive" }, h("caption", {}, "Mean P(alive) (customers) by repeat purchases and days since the last purchase"), h("thead", {}, head), h("tbody", {}, rows)),
      ),
    );
  },
};
