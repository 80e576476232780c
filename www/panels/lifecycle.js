// Lifecycle stages: where each customer stands today (Dataset.lifecycle().stages).
import { h, num, share } from "../app.js";

export const STAGES = {
  new: ["New", "first purchase in the last 30 days"],
  oneTime: ["One-time", "a single purchase, not yet lapsed"],
  activeRepeat: ["Active repeat", "buying again at their usual pace"],
  reactivated: ["Reactivated", "came back after a long gap"],
  atRisk: ["At risk", "overdue for their next purchase"],
  lapsed: ["Lapsed", "gone quiet for twice their usual gap"],
};

export default {
  id: "lifecycle",
  title: "Lifecycle stages",
  available: (result) => result.stages.some((s) => s.customers > 0),
  render(body, ctx) {
    const stages = ctx.result.stages;
    const label = (s) => STAGES[s.stage]?.[0] ?? s.stage;
    const biggest = stages.reduce((a, b) => (b.customers > a.customers ? b : a));
    const chart = ctx.barChart({
      id: "lifecycle",
      title: "Customers by lifecycle stage",
      labels: stages.map(label),
      datasets: [{ label: "Customers", data: stages.map((s) => s.customers), colourBy: stages.map((_, i) => i) }],
      summary: `The largest stage is ${label(biggest)}, with ${biggest.customers.toLocaleString()} customers.`,
    });
    body.append(
      chart.element,
      h(
        "dl",
        { class: "stage-list" },
        stages.map((s) =>
          h(
            "div",
            { class: "row", dataset: { stage: s.stage } },
            h("dt", {}, label(s), h("span", { class: "stage-note" }, STAGES[s.stage]?.[1] ?? "")),
            h("dd", {}, num(s.customers), " · ", share(s.share)),
          ),
        ),
      ),
    );
    return chart.destroy;
  },
};
