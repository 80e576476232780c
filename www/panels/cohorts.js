// Cohort retention heatmap: an HTML table (readable by screen readers and at any width, scrolling
// inside its region) whose cells are shaded by retention in ten steps.
import { h, scroller, shareFormat } from "../app.js";

/** Months after acquisition shown; later ones rarely change a decision. */
const MAX_MONTHS = 24;

export default {
  id: "cohorts",
  title: "Cohort retention",
  wide: true,
  available: (result) => result.cohorts.cohort.length > 0,
  render(body, { result }) {
    const c = result.cohorts;
    const months = Math.min(MAX_MONTHS, Math.max(...c.retention.map((row) => row.length)));
    const head = h(
      "tr",
      {},
      h("th", { scope: "col" }, "First order"),
      h("th", { scope: "col" }, "Customers"),
      Array.from({ length: months }, (_, m) => h("th", { scope: "col", title: `${m} months after the first order` }, `M${m}`)),
    );
    const rows = c.cohort.map((cohort, i) =>
      h(
        "tr",
        {},
        h("th", { scope: "row" }, cohort),
        h("td", {}, c.size[i].toLocaleString()),
        Array.from({ length: months }, (_, m) => {
          const rate = c.retention[i][m];
          if (rate === undefined) return h("td", { class: "heat-none" });
          return h(
            "td",
            { class: `heat heat-${Math.min(9, Math.floor(rate * 10))}`, title: `${c.active[i][m]} of ${c.size[i]} customers bought in month ${m}` },
            shareFormat.format(rate),
          );
        }),
      ),
    );
    body.append(
      h("p", { class: "panel-intro" }, "Share of each month's new customers who bought again 0, 1, 2… months later. Darker is better."),
      scroller(
        "Cohort retention table",
        h("table", { class: "heatmap" }, h("caption", {}, `Retention by acquisition month, as of ${c.asOf}${c.lastMonthComplete ? "" : " (last month incomplete)"}`), h("thead", {}, head), h("tbody", {}, rows)),
      ),
    );
  },
};
